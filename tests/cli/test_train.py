"""`rnn-ref train | predict | evaluate | ladder`, run in-process
through `rnn_ref.cli.main`."""

import io
import json
import shlex
import shutil

import pytest
import torch

from rnn_ref.cli import build_parser, main
from rnn_ref.model import SumModClassifier

SMOKE = [
    "--hidden-size",
    "8",
    "--batch-size",
    "16",
    "--eval-every",
    "10",
    "--eval-samples",
    "32",
    "--device",
    "cpu",
    "--quiet",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert main(["train", *SMOKE, "--steps", "20", "--out", str(out)]) == 0
    return out


def test_train_resume_predict_evaluate(run_dir, capsys, monkeypatch, tmp_path):
    assert {p.name for p in run_dir.iterdir()} == {
        ".lock",
        "model.pt",
        "state.pt",
        "config.json",
        "manifest.json",
        "metrics.jsonl",
    }
    run_dir = shutil.copytree(
        run_dir, tmp_path / "resumed"
    )  # the shared run stays at 20 steps
    assert (
        main(["train", "--resume", "--steps", "30", "--out", str(run_dir), "--quiet"])
        == 0
    )
    metrics = [
        json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()
    ]
    assert [m["step"] for m in metrics] == [10, 20, 30]
    assert json.loads((run_dir / "config.json").read_text())["steps"] == 30
    capsys.readouterr()

    assert main(["predict", "--checkpoint", str(run_dir), "3", "7", "1", "9"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("3 7 1 9 -> predicted ") and "true 0" in out

    monkeypatch.setattr("sys.stdin", io.StringIO("1 2\n3,4,5\n\n"))
    assert main(["predict", "--checkpoint", str(run_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "true 3" in lines[0] and "true 2" in lines[1]

    plot = tmp_path / "lengths.svg"
    assert (
        main(
            [
                "evaluate",
                "--checkpoint",
                str(run_dir),
                "--lengths",
                "5,10",
                "--samples",
                "50",
                "--plot",
                str(plot),
            ]
        )
        == 0
    )
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["length", "accuracy", "n"]
    assert [row.split()[0] for row in table[1:3]] == ["5", "10"] and table[1].split()[
        2
    ] == "50"
    assert plot.read_text().lstrip().startswith("<?xml")


def test_tutorial_flag_spellings():
    args = build_parser().parse_args(
        shlex.split(
            "train --batch_size 64 --lr 0.005 --hidden_dim 32 --num_layers 3 "
            "--warmup_step 2000 --run_name sota"
        )
    )
    assert (
        args.batch_size,
        args.lr,
        args.hidden_size,
        args.num_layers,
        args.warmup_steps,
        args.run_name,
    ) == (64, 0.005, 32, 3, 2000, "sota")
    args = build_parser().parse_args(
        shlex.split(
            "train --batch-size 8 --hidden-size 4 --warmup-steps 5 --cell lstm "
            "--min-len 1 --max-len 20 --num-digits 5 --modulus 5 --clip 1 "
            "--optimizer adamw --seed 7 --steps 9"
        )
    )
    assert (
        args.batch_size,
        args.hidden_size,
        args.cell,
        args.max_len,
        args.modulus,
        args.clip,
    ) == (8, 4, "lstm", 20, 5, 1.0)


def test_clip_defaults_to_one_and_none_turns_it_off(tmp_path):
    """The defaults clip at 1.0 since the extrapolation search; `--clip none` is the
    way back to no clipping."""
    for flag, expected in (([], 1.0), (["--clip", "none"], None)):
        out = tmp_path / str(expected)
        args = ["train", *SMOKE, "--steps", "2", "--out", str(out), *flag]
        assert main(args) == 0
        assert json.loads((out / "config.json").read_text())["clip"] == expected


def test_default_out_is_runs_run_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            ["train", *SMOKE, "--steps", "2", "--eval-every", "2", "--run_name", "sota"]
        )
        == 0
    )
    assert (tmp_path / "runs" / "sota" / "model.pt").is_file()


@pytest.mark.parametrize(
    "digits, match",
    [
        (["3", "x"], "'x' is not a digit"),
        (["3", "12"], "digit 12 is out of range"),
        (["-1"], "digit -1 is out of range"),
        ([""], "empty sequence"),
        (["\u0663"], "is not a digit"),  # ARABIC-INDIC DIGIT THREE: int() would take it
    ],
)
def test_bad_digits(run_dir, digits, match, one_error_line):
    one_error_line(["predict", "--checkpoint", str(run_dir), *digits], match)


@pytest.mark.parametrize(
    "stdin, match",
    [
        ("1 2\n\n3\n", "empty sequence on line 2"),
        ("", "no sequences given"),
        ("1 2\n4 a\n", "'a' on line 2 is not a digit"),
    ],
)
def test_bad_stdin(run_dir, monkeypatch, stdin, match, one_error_line):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    one_error_line(["predict", "--checkpoint", str(run_dir)], match)


def _copy_run(run_dir, to):
    to.mkdir()
    for name in ("config.json", "model.pt"):
        (to / name).write_bytes((run_dir / name).read_bytes())
    return to


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize(
    "damage, match",
    [
        ("missing", "nowhere does not exist"),
        ("no_model", "no checkpoint file"),
        ("corrupt", "is corrupt"),
        ("truncated", "is corrupt"),
        ("pickled", "contains pickled Python objects"),
        ("bad_config", "not a valid run config"),
        ("config_type", "not a valid run config"),
        ("config_value", "not a valid run config"),
    ],
)
def test_bad_checkpoints(run_dir, tmp_path, command, damage, match, one_error_line):
    bad = _copy_run(run_dir, tmp_path / "bad")
    model_pt = bad / "model.pt"
    if damage == "missing":
        bad = tmp_path / "nowhere"
    elif damage == "no_model":
        model_pt.unlink()
    elif damage == "corrupt":
        model_pt.write_bytes(b"\x00garbage" * 10)
    elif damage == "truncated":
        model_pt.write_bytes(model_pt.read_bytes()[:200])
    elif damage == "pickled":
        torch.save(SumModClassifier(hidden_size=8), model_pt)
    elif damage == "bad_config":
        (bad / "config.json").write_text('{"cell": "gru"}')
    elif damage in ("config_type", "config_value"):
        config = json.loads((bad / "config.json").read_text())
        config.update(
            {"hidden_size": "64"} if damage == "config_type" else {"num_digits": -1}
        )
        (bad / "config.json").write_text(json.dumps(config))
    argv = [command, "--checkpoint", str(bad)] + (
        ["1", "2"] if command == "predict" else []
    )
    line = one_error_line(argv, match)
    assert (
        "weights_only=False" not in line
    )  # torch's "re-run with weights_only=False" is unsafe advice
    if damage in ("corrupt", "truncated"):
        assert line.endswith("; re-train or re-download it")


@pytest.mark.parametrize(
    "argv, match",
    [
        (["train", "--min-len", "5", "--max-len", "2"], "min_len <= max_len"),
        (["train", "--steps", "0"], "steps must be at least 1"),
        (["train", "--resume"], "nothing to resume in"),
        (["train", "--resume", "--hidden-size", "4"], "does not fit this run"),
        (["train", "--embed-dim", "-3"], "embed_dim must be at least 1"),
        (["train", "--embed-dim", "0"], "embed_dim must be at least 1"),
        (["train", "--seed", str(2**63)], "seed must be in 0 .. 2**63 - 1"),
        (["train", "--seed", "-1"], "seed must be in 0 .. 2**63 - 1"),
        (["train", "--lr", "inf"], "need a finite lr > 0"),
        (["train", "--lr", "nan"], "need a finite lr > 0"),
        (["train", "--clip", "nan"], "finite clip > 0"),
        (
            ["train", "--weight-decay", "-1"],
            "weight_decay must be a finite number >= 0",
        ),
        (
            ["train", "--weight-decay", "nan"],
            "weight_decay must be a finite number >= 0",
        ),
        (["train", "--out", "{file}"], "cannot write the run to"),
        (["train", "--out", "{file}/sub"], "cannot write the run to"),
        (
            ["train", "--out", "{run}"],
            "already holds a run; pass --resume to continue it or choose another --out",
        ),
        (["evaluate", "--lengths", "5,x"], "--lengths must be positive integers"),
        (["evaluate", "--lengths", "0"], "--lengths must be positive integers"),
        (["evaluate", "--seed", str(2**63)], "--seed must be in 0 .. 2**63 - 1"),
        (["evaluate", "--seed", "-1"], "--seed must be in 0 .. 2**63 - 1"),
        (
            ["evaluate", "--plot", "{tmp}/lengths.xyz"],
            "--plot needs a file name ending in one of",
        ),
        (["evaluate", "--plot", "{tmp}/lengths"], "got no extension"),
        (
            [
                "evaluate",
                "--plot",
                "{file}/lengths.svg",
                "--lengths",
                "5",
                "--samples",
                "5",
            ],
            "a_file is not a directory",
        ),
        (["ladder", "--rungs", "nope"], "unknown rungs"),
        (["ladder", "--rungs", "gru", "--samples", "0"], "--samples must be 1 .."),
        (["ladder", "--redraw", "--out", "{tmp}/nowhere"], "cannot redraw from"),
    ],
)
def test_bad_arguments(run_dir, tmp_path, argv, match, one_error_line):
    (tmp_path / "a_file").write_text("not a directory")
    subs = {
        "{file}": str(tmp_path / "a_file"),
        "{run}": str(run_dir),
        "{tmp}": str(tmp_path),
    }
    for key, value in subs.items():
        argv = [a.replace(key, value) for a in argv]
    if argv[0] == "train":
        out = run_dir if "--hidden-size" in argv else tmp_path / "new"
        argv = [*argv, *([] if "--out" in argv else ["--out", str(out)]), "--quiet"]
    elif argv[0] == "evaluate":
        argv = [*argv, "--checkpoint", str(run_dir)]
    one_error_line(argv, match)


@pytest.mark.parametrize(
    "command", [["predict", "1", "2"], ["evaluate", "--samples", "5"]]
)
def test_ctrl_c_exits_130_without_traceback(run_dir, capsys, monkeypatch, command):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("rnn_ref.cli.train.load_classifier", interrupted)
    assert main([command[0], "--checkpoint", str(run_dir), *command[1:]]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_nan_loss_exits_3(tmp_path, one_error_line):
    line = one_error_line(
        [
            "train",
            "--cell",
            "rnn",
            "--lr",
            "1e30",
            "--steps",
            "50",
            *SMOKE,
            "--out",
            str(tmp_path / "nan"),
        ],
        "loss became nan",
        3,
    )
    assert "--clip" in line and line.endswith(
        "no checkpoint was written yet"
    )  # diverges before step 10


def test_ladder_smoke(tmp_path, capsys):
    assert (
        main(
            [
                "ladder",
                "--rungs",
                "short_rnn16x2,gru",
                "--seeds",
                "1",
                "--steps",
                "20",
                "--samples",
                "20",
                "--threads",
                "1",
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    results = json.loads((tmp_path / "ladder.json").read_text())
    assert [r["name"] for r in results["rungs"]] == ["short_rnn16x2", "gru"]
    summary = results["rungs"][1]["summary"]
    assert set(summary["by_length"]) == {"10", "20", "50", "100", "1000"}
    assert (
        summary["final_accuracy"]["of"] == 1
        and 0 <= summary["final_accuracy"]["mean"] <= 1
    )
    assert (tmp_path / "ladder.svg").read_text().lstrip().startswith("<?xml")
    assert "short_rnn16x2" in capsys.readouterr().out


# ---- issue 28 §6: messages that say what happened ----


def test_resume_with_fewer_steps_refuses_and_keeps_the_config(
    run_dir, tmp_path, capsys, one_error_line
):
    run = shutil.copytree(run_dir, tmp_path / "run")  # 20 steps
    config = (run / "config.json").read_bytes()
    argv = ["train", "--resume", "--out", str(run)]
    one_error_line([*argv, "--steps", "10"], "--steps 10 is below the 20 steps")
    assert main([*argv, "--steps", "20"]) == 0
    assert capsys.readouterr().out.startswith(f"nothing to do: {run} already holds 20")
    assert (run / "config.json").read_bytes() == config


def test_a_changed_checksum_says_the_manifest_disagrees(
    run_dir, tmp_path, one_error_line
):
    run = shutil.copytree(run_dir, tmp_path / "run")
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["files"]["model.pt"] = ["0" * 64]
    (run / "manifest.json").write_text(json.dumps(manifest))
    line = one_error_line(
        ["predict", "--checkpoint", str(run), "1"], "model.pt does not match"
    )
    assert "or the manifest was changed" in line and "is corrupt" not in line


@pytest.mark.parametrize(
    "argv",
    [["lm", "sample", "--checkpoint", "{lm}"], ["lm", "train", "--out", "{tmp}/lm"]],
    ids=["lm-sample", "lm-train"],
)
def test_a_huge_seed_names_the_flag_and_its_range(tmp_path, argv, one_error_line):
    argv = [a.format(lm=tmp_path / "none", tmp=tmp_path) for a in argv]
    one_error_line([*argv, "--seed", str(2**64)], "seed must be in 0 .. 2**63 - 1")
    assert not (tmp_path / "lm").exists()


@pytest.mark.parametrize("digits", [["00"], ["01"], ["-0"], ["3", "007"]])
def test_a_digit_is_written_one_way(run_dir, digits, one_error_line):
    one_error_line(["predict", "--checkpoint", str(run_dir), *digits], "not a digit")


@pytest.mark.parametrize("text", ["1 2\r3 4\r", "1 2\r\n3 4\r\n", "1 2\n3 4"])
def test_carriage_returns_end_lines(run_dir, monkeypatch, capsys, text):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["predict", "--checkpoint", str(run_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [x.split(" ->")[0] for x in lines] == ["1 2", "3 4"]
