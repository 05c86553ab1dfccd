"""`rnn-ref lm train | sample` and `rnn-ref tbptt --redraw`, run in-process through
`rnn_ref.cli.main`: the happy path, and one error line with exit code 2 for each kind
of bad input."""

import json

import pytest

from rnn_ref.cli import main

TINY = [
    "--embed-dim", "8", "--hidden-size", "16", "--batch-size", "4", "--bptt", "8",
    "--eval-every", "5",
]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("lm") / "run"
    assert (
        main(["lm", "train", *TINY, "--steps", "10", "--out", str(out), "--quiet"]) == 0
    )
    return out


def test_train_resume_and_sample(run_dir, tmp_path, capsys):
    assert {p.name for p in run_dir.iterdir()} >= {
        "config.json", "model.pt", "state.pt", "metrics.jsonl",
    }  # fmt: skip
    results = tmp_path / "lm.json"
    argv = ["lm", "train", "--resume", "--steps", "15", "--out", str(run_dir)]
    assert main([*argv, "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "step 15: validation loss" in out and "results written" in out
    steps = [json.loads(x)["step"] for x in (run_dir / "metrics.jsonl").open()]
    assert steps == [5, 10, 15]
    summary = json.loads(results.read_text())
    assert summary["final"]["step"] == 15 and set(summary["samples"]) == {
        "0.5", "0.8", "1.2",
    }  # fmt: skip
    assert summary["command"].startswith("rnn-ref lm train --embed-dim 8")
    for text in summary["samples"].values():
        assert len(text) == 400

    assert main(["lm", "sample", "--checkpoint", str(run_dir), "--prime", "Of",
                 "--length", "40", "--seed", "3"]) == 0  # fmt: skip
    first = capsys.readouterr().out
    assert first.startswith("Of") and len(first) == 2 + 40 + 1
    main(["lm", "sample", "--checkpoint", str(run_dir), "--prime", "Of",
          "--length", "40", "--seed", "3"])  # fmt: skip
    assert capsys.readouterr().out == first  # seeded


@pytest.mark.parametrize(
    "argv, match",
    [
        (["lm", "train", "--bptt", "0"], "bptt must be a positive integer"),
        (["lm", "train", "--cell", "rnn"], "invalid choice: 'rnn'"),
        (["lm", "train", "--steps", "x"], "invalid int value: 'x'"),
        (["lm", "train", "--text", "/no/such.txt"], "cannot read the text"),
        (["lm", "train", "--lr", "-1"], "lr must be a positive number"),
        (
            ["lm", "train", "--resume", "--out", "/no/such/run"],
            "run: it does not exist",
        ),
        (["lm", "sample", "--checkpoint", "/no/such/run"], "run does not exist"),
        (["lm"], "the following arguments are required"),
    ],
)
def test_bad_input_is_one_error_line(
    argv, match, tmp_path, monkeypatch, one_error_line
):
    monkeypatch.chdir(tmp_path)  # the default --out, runs/lm, is relative
    one_error_line(argv, match)


def test_bad_sampling_input_is_one_error_line(run_dir, one_error_line):
    base = ["lm", "sample", "--checkpoint", str(run_dir)]
    one_error_line([*base, "--temperature", "0"], "temperature must be > 0")
    one_error_line([*base, "--prime", "é"], "not in the model's vocabulary")
    one_error_line([*base, "--length", "0"], "--length must be 1 .. 1,000,000,000,000")
    one_error_line([*base, "--length", str(10**12 + 1)], "characters (10**12)")
    one_error_line([*base, "--temperature", "nan"], "--temperature must be a finite")
    one_error_line([*base, "--temperature", "inf"], "--temperature must be a finite")
    one_error_line([*base, "--prime", ""], "prime must hold")


def test_train_refuses_to_overwrite_a_run(run_dir, one_error_line):
    one_error_line(["lm", "train", *TINY, "--out", str(run_dir)], "already holds a run")


def test_corrupt_checkpoint_is_one_error_line(run_dir, tmp_path, one_error_line):
    import shutil

    broken = shutil.copytree(run_dir, tmp_path / "broken")
    (broken / "model.pt").write_bytes(b"not a checkpoint")
    one_error_line(["lm", "sample", "--checkpoint", str(broken)], "corrupt")


def test_tbptt_redraw_of_a_missing_file_is_one_error_line(tmp_path, one_error_line):
    one_error_line(
        ["tbptt", "--redraw", "--out", str(tmp_path / "none.json")], "cannot redraw"
    )
    one_error_line(["tbptt", "--seeds", "0"], "--seeds must be 1 .. 1,000; got 0")


# ---- issue 28 §1, §3: a clear refusal up front, bounded memory and time ----


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--out", ""], "--out is empty; expected the run directory"),
        (["--hidden-size", "10000000"], "hidden_size must be at most 16,384"),
        (["--num-layers", "100000"], "num_layers must be at most 64; got 100,000"),
        (["--bptt", str(10**9)], "pass a smaller --bptt"),
        (["--hidden-size", "16384", "--num-layers", "64"], "needs an estimated"),
    ],
)
def test_lm_train_refuses_before_it_creates_anything(
    one_error_line, tmp_path, monkeypatch, argv, match
):
    monkeypatch.chdir(tmp_path)  # where runs/lm, or `--out ""`, would land
    out = [] if "--out" in argv else ["--out", "run"]
    one_error_line(["lm", "train", "--quiet", *out, *argv], match)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [1e9, 10**9])
def test_a_huge_hidden_size_in_config_json_is_one_line(
    run_dir, tmp_path, one_error_line, size
):
    import shutil

    from rnn_ref import rundir

    run = shutil.copytree(run_dir, tmp_path / "run")
    config = {**json.loads((run / "config.json").read_text()), "hidden_size": size}
    rundir.commit(run, {"config.json": json.dumps(config).encode()})  # valid checksum
    for argv in (
        ["lm", "sample", "--checkpoint", str(run)],
        ["lm", "train", "--resume", "--quiet", "--out", str(run)],
    ):
        one_error_line(argv, "config.json is not a language-model config (hidden_size")


def test_lm_train_resume_says_what_it_holds(run_dir, one_error_line, capsys):
    """As the classifier's: never the old summary as if it had trained, never a
    config.json cut back below the steps the run holds."""
    steps = json.loads((run_dir / "config.json").read_text())["steps"]
    argv = ["lm", "train", "--resume", "--out", str(run_dir), "--steps"]
    one_error_line([*argv, "4"], f"--steps 4 is below the {steps} steps")
    assert main([*argv, str(steps)]) == 0
    assert capsys.readouterr().out.startswith("nothing to do:")
    assert json.loads((run_dir / "config.json").read_text())["steps"] == steps


class _Reader:
    """A stdout whose reader goes away after `limit` characters (`| head -c`)."""

    def __init__(self, limit: int) -> None:
        self.text, self.limit, self.flushes = [], limit, 0

    def write(self, text: str) -> None:
        self.text.append(text)
        if sum(map(len, self.text)) > self.limit:
            raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        self.flushes += 1

    def isatty(self) -> bool:
        return False


def test_lm_sample_streams_any_length_as_it_is_drawn(run_dir, monkeypatch, capsys):
    """--length 10**11 is not refused, nor held in memory: the characters are written
    as they are drawn, flushed line by line, until the reader stops reading."""
    reader = _Reader(2000)
    monkeypatch.setattr("sys.stdout", reader)
    argv = ["lm", "sample", "--checkpoint", str(run_dir), "--length", str(10**11)]
    assert main([*argv, "--prime", "Of"]) == 1
    assert "error: Broken pipe" in capsys.readouterr().err
    text = "".join(reader.text)
    assert text.startswith("Of") and len(text) == 2001
    assert reader.flushes >= text.count("\n") > 10
    # the same characters as `sample` returns
    from rnn_ref.lm import sample
    from rnn_ref.lm_train import load_lm

    model, vocab, _ = load_lm(run_dir)
    assert text == "Of" + sample(model, vocab, "Of", 1999, 0.8, seed=0)


def test_lm_sample_with_stdout_closed_is_one_line(run_dir, monkeypatch, one_error_line):
    monkeypatch.setattr("sys.stdout", None)  # `>&-`: the text would be lost
    argv = ["lm", "sample", "--checkpoint", str(run_dir)]
    one_error_line(argv, "stdout is closed; redirect it to a file or a pipe")
