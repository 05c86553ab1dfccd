"""Fault injection on the command line: bad input is one `error:` line and exit 2,
a failure of the machine one line and exit 1, Ctrl-C 130, anywhere (issue 11)."""

import io
import json
import os
import resource  # noqa: F401  (used in the child process below)
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from rnn_ref.cli import main
from rnn_ref.site import paths

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
SMOKE = [
    "--hidden-size", "8", "--batch-size", "16", "--eval-every", "10",
    "--eval-samples", "32", "--device", "cpu", "--quiet",
]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults") / "run"
    assert main(["train", *SMOKE, "--steps", "10", "--out", str(out)]) == 0
    return out


def _cli(*argv, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "rnn_ref.cli", *argv],
        env=ENV,
        capture_output=True,
        **kwargs,
    )


def _stderr_one_line(proc) -> str:
    err = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


# ---- sizes and numbers: refused before anything is allocated ----


@pytest.mark.parametrize(
    "flag",
    [
        "--hidden-size",
        "--embed-dim",
        "--batch-size",
        "--max-len",
        "--num-digits",
        "--modulus",
        "--num-layers",
    ],
)
def test_huge_sizes_are_refused_in_one_line(one_error_line, tmp_path, flag):
    argv = ["train", flag, str(10**12), "--out", str(tmp_path / "r"), "--quiet"]
    one_error_line(argv, "must be at most")
    assert not (tmp_path / "r").exists()


def test_a_run_too_big_for_memory_is_refused(one_error_line, tmp_path):
    argv = ["train", "--hidden-size", "16384", "--num-layers", "64"]
    one_error_line([*argv, "--out", str(tmp_path)], "needs an estimated")


@pytest.mark.parametrize(
    "argv, match",
    [
        (["train", "--weight-decay", "1e308"], "weight_decay must be at most 100"),
        (["bench", "--threads", "0"], "--threads must be 1 .. 1024; got 0"),
        (["bench", "--threads", "-1"], "--threads must be 1 .. 1024; got -1"),
        (["ladder", "--threads", "-1"], "--threads must be 1 .. 1024; got -1"),
        (["ladder", "--tutorial", "--threads", "0"], "--threads must be 1 .. 1024"),
        (["extrapolation", "--threads", "0"], "--threads must be 1 .. 1024; got 0"),
        (["regen", "--jobs", "0"], "--jobs must be 1 .. 64; got 0"),
        (["train", "--steps", "ten"], "invalid int value: 'ten'"),  # argparse's
        (["predict"], "the following arguments are required: --checkpoint"),
    ],
)
def test_bad_numbers_and_usage_are_one_line(one_error_line, tmp_path, argv, match):
    if argv[0] == "train":
        argv = [*argv, "--out", str(tmp_path / "r")]
    one_error_line(argv, match)


def test_evaluate_refuses_a_huge_length_quoting_a_short_excerpt(
    one_error_line, run_dir
):
    line = one_error_line(
        ["evaluate", "--checkpoint", str(run_dir), "--lengths", "1" * 5000],
        "--lengths must be positive integers (at most 100,000)",
    )
    assert len(line) < 200
    one_error_line(
        ["evaluate", "--checkpoint", str(run_dir), "--lengths", "1000000000"],
        "got '1000000000'",
    )


@pytest.mark.parametrize("content", [None, "{not json", '{"parts": {}}'])
def test_bench_redraw_from_a_missing_bad_or_incomplete_json(
    one_error_line, tmp_path, content
):
    out = tmp_path / "bench.json"
    if content is not None:
        out.write_text(content)
    one_error_line(["bench", "--redraw", "--out", str(out)], "cannot redraw")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU refusal")
@pytest.mark.parametrize("command", ["train", "bench", "regen"])
def test_device_cuda_without_a_gpu_is_bad_input(one_error_line, tmp_path, command):
    argv = [command, "--device", "cuda"]
    argv += {"train": ["--out", str(tmp_path / "r")], "bench": ["--quick"]}.get(
        command, []
    )
    one_error_line(argv, "torch sees no CUDA GPU")


# ---- predict: streamed input, bounded memory, short excerpts, any stdout ----


def test_a_long_digit_string_is_quoted_in_excerpt(one_error_line, run_dir):
    line = one_error_line(
        ["predict", "--checkpoint", str(run_dir), "7" * 5000], "not a digit"
    )
    assert "7" * 21 not in line and len(line) < 200


def test_stdin_predictions_match_the_model(run_dir, capsys, monkeypatch):
    from rnn_ref.checkpoint import load_classifier
    from rnn_ref.cli import predict_stream

    monkeypatch.setattr(predict_stream, "CHUNK", 7)  # several chunks per line
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(0, 10, (int(n),), generator=g).tolist() for n in (1, 30, 50)]
    text = "\n".join(" ".join(map(str, s)) for s in seqs)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["predict", "--checkpoint", str(run_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    predicted = load_classifier(run_dir).predict(seqs)
    assert [int(x.split("predicted ")[1].split(",")[0]) for x in lines] == predicted
    assert "... (30 digits)" in lines[1]


@pytest.mark.slow  # starts a process
def test_stdin_closed(run_dir):
    proc = _cli("predict", "--checkpoint", str(run_dir), stdin=None, close_fds=True,
                preexec_fn=lambda: os.close(0))  # fmt: skip
    assert proc.returncode == 2 and "stdin is closed" in _stderr_one_line(proc)


@pytest.mark.slow  # starts a process
def test_stdout_full(run_dir):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "rnn_ref.cli", "predict", "--checkpoint",
             str(run_dir), "1", "2"],
            env=ENV, stdout=full, stderr=subprocess.PIPE,
        )  # fmt: skip
    assert proc.returncode == 1
    assert _stderr_one_line(proc) == "error: No space left on device"


@pytest.mark.slow  # starts a process
def test_stdout_a_broken_pipe(run_dir):
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnn_ref.cli", "predict", "--checkpoint", str(run_dir)],
        env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.close()  # the reader went away (`| head -1`)
    _, err = proc.communicate(b"1 2 3\n" * 50_000)
    assert proc.returncode == 1
    assert _stderr_one_line(subprocess.CompletedProcess([], 1, b"", err)) == (
        "error: Broken pipe"
    )


@pytest.mark.slow  # starts a process
def test_an_endless_line_of_zeros_is_refused_at_once(run_dir):
    with open("/dev/zero", "rb") as zero:
        proc = _cli("predict", "--checkpoint", str(run_dir), stdin=zero, timeout=120)
    assert proc.returncode == 2
    line = _stderr_one_line(proc)
    assert "is not a digit" in line and len(line) < 250


@pytest.mark.slow
def test_a_million_digits_in_bounded_memory(tmp_path):
    """Peak RSS (getrusage, in a child) after 10**6 digits is within 30 MiB of the
    peak after 10**3: memory is flat in the length."""
    child = """
import io, resource, sys, torch
from rnn_ref.cli.predict_stream import predict_stream
from rnn_ref.model import SumModClassifier
torch.set_num_threads(1)
class Digits(io.RawIOBase):  # n digits on one line, generated as they are read
    def __init__(self, n): self.left = n
    def readable(self): return True
    def read(self, size=-1):
        k = min(self.left, 1 << 15); self.left -= k
        return b"7 " * k + (b"\\n" if k and not self.left else b"")
model = SumModClassifier(hidden_size=16).eval()
peaks = []
for n in (10**3, 10**6):
    out = []
    assert predict_stream(model, 10, 10, Digits(n), out.append) == 1
    assert f"({n:,} digits)" in out[0], out
    peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(peaks[1] - peaks[0])
"""
    proc = subprocess.run(
        [sys.executable, "-c", child], env=ENV, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) < 30 * 1024  # KiB


def test_a_too_long_line_is_refused(monkeypatch, run_dir, one_error_line):
    from rnn_ref.cli import predict_stream

    monkeypatch.setattr(predict_stream, "MAX_DIGITS", 100)
    monkeypatch.setattr("sys.stdin", io.StringIO("1 " * 101))
    one_error_line(
        ["predict", "--checkpoint", str(run_dir)],
        "the sequence on line 1 is longer than 100 digits",
    )


# ---- Ctrl-C, a full disk, divergence ----


@pytest.mark.slow  # starts a process
def test_ctrl_c_during_start_up_is_130_without_a_traceback(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnn_ref.cli", "train", "--out", str(tmp_path / "r")],
        env=ENV,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.3)  # importing torch takes seconds: this lands inside start-up
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().startswith("interrupted"), err


def test_a_disk_that_fills_during_a_save_is_a_machine_failure(
    one_error_line, tmp_path, monkeypatch
):
    from rnn_ref import rundir

    def full(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(rundir, "write_atomic", full)
    line = one_error_line(
        ["train", *SMOKE, "--steps", "10", "--out", str(tmp_path)],
        "No space left on device",
        1,
    )
    assert "manifest.json" in line


def test_an_exploding_loss_exits_3_with_strict_metrics(one_error_line, tmp_path):
    argv = ["train", "--cell", "rnn_relu", "--lr", "3000", "--steps", "200"]
    argv += ["--eval-every", "1", "--eval-samples", "16", "--device", "cpu"]
    one_error_line([*argv, "--quiet", "--out", str(tmp_path)], "became", 3)
    for line in (tmp_path / "metrics.jsonl").read_text().splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in metrics"))


# ---- regen: the checkout you stand in, exact text ----


def _fake_checkout(root: Path) -> Path:
    (root / "snippets" / "page").mkdir(parents=True)
    (root / "rnn_ref").mkdir()
    (root / "rnn_ref" / "__init__.py").write_text("")
    (root / "mkdocs.yml").write_text("site_name: x\n")
    (root / "snippets" / "page" / "hello.py").write_text("print('hello')\n")
    return root


def test_regen_works_on_the_checkout_you_stand_in(
    tmp_path, monkeypatch, one_error_line
):
    here = _fake_checkout(tmp_path / "clone")
    monkeypatch.chdir(here / "snippets")
    assert paths.root() == here.resolve()
    monkeypatch.chdir(tmp_path)
    one_error_line(["regen", "--check"], "not inside an rnn_ref checkout")


def test_regen_refuses_an_output_that_is_a_directory(
    tmp_path, monkeypatch, one_error_line
):
    here = _fake_checkout(tmp_path / "clone")
    (here / "snippets" / "page" / "hello.out").mkdir()
    monkeypatch.chdir(here)
    one_error_line(["regen", "--check"], "hello.out is not a regular file")


def test_regen_check_reports_an_output_with_bad_utf8_as_drift(
    tmp_path, monkeypatch, capsys
):
    here = _fake_checkout(tmp_path / "clone")
    (here / "snippets" / "page" / "hello.out").write_bytes(b"# header\n\xff\xfe\n")
    monkeypatch.chdir(here)
    assert main(["regen", "--check", "--device", "cpu", "--only", "hello"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "DRIFT   snippets/page/hello.py" in err


@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling"])
def test_regen_refuses_an_output_that_is_not_a_regular_file(
    tmp_path, monkeypatch, one_error_line, kind
):
    """A FIFO would hang the run, a link would write where it points (outside the
    checkout, say): each is refused before anything runs, and left as it was."""
    here = _fake_checkout(tmp_path / "clone")
    out, victim = here / "snippets" / "page" / "hello.out", tmp_path / "victim.txt"
    victim.write_text("mine\n")
    if kind == "fifo":
        os.mkfifo(out)
    else:
        out.symlink_to(victim if kind == "symlink" else tmp_path / "nothing")
    monkeypatch.chdir(here)
    for check in ([], ["--check"]):
        one_error_line(["regen", *check], "hello.out is not a regular file")
    assert victim.read_text() == "mine\n" and os.path.lexists(out)


def test_regen_keeps_crlf_an_output_apart(tmp_path, monkeypatch, capsys):
    """A CRLF copy of an output is not the output (read as bytes, not as text)."""
    from rnn_ref.site.records import read_output

    crlf = tmp_path / "x.out"
    crlf.write_bytes(b"# h\r\n1\r\n")
    assert read_output(crlf) == "# h\r\n1\r\n"


# ---- issue 28 §4: every exception is one line ----

LM_TINY = [
    "--embed-dim", "8", "--hidden-size", "16", "--batch-size", "4", "--bptt", "8",
    "--eval-every", "5", "--steps", "5",
]  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["train", *SMOKE[:-1], "--steps", "10"],  # without --quiet: a progress bar?
        ["lm", "train", *LM_TINY],
    ],
    ids=["train", "lm-train"],
)
def test_a_closed_stderr_trains_without_a_bar(tmp_path, monkeypatch, argv):
    monkeypatch.setattr(sys, "stderr", None)  # `2>&-`: Python sets it to None
    assert main([*argv, "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "model.pt").is_file()


def test_an_error_with_stderr_closed_writes_nothing_to_stdout(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["predict", "--checkpoint", str(tmp_path / "none"), "1"]) == 2
    assert capsys.readouterr().out == ""


def test_lm_sample_at_a_vanishing_temperature_is_one_line(one_error_line, tmp_path):
    out = tmp_path / "lm"
    assert main(["lm", "train", *LM_TINY, "--quiet", "--out", str(out)]) == 0
    argv = ["lm", "sample", "--checkpoint", str(out), "--length", "5"]
    one_error_line([*argv, "--temperature", "1e-300"], "--temperature must be")
    assert main([*argv, "--temperature", "1e-4"]) == 0  # as low as it goes: greedy


NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("name", ["manifest.json", "config.json"])
@pytest.mark.parametrize("command", ["predict", "evaluate", "train --resume"])
def test_deeply_nested_json_in_a_run_is_one_line(
    one_error_line, run_dir, tmp_path, name, command
):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    if name == "config.json":  # unverified: as in a run written by hand
        (run / "manifest.json").unlink()
    (run / name).write_text(NESTED)
    argv = {
        "predict": ["predict", "--checkpoint", str(run), "1", "2"],
        "evaluate": ["evaluate", "--checkpoint", str(run), "--lengths", "5"],
        "train --resume": ["train", "--resume", "--quiet", "--out", str(run)],
    }[command]
    one_error_line(argv, f"{run / name}")
    assert (run / name).read_text() == NESTED  # left as it was


def test_deeply_nested_json_as_an_lm_config_is_one_line(one_error_line, tmp_path):
    out = tmp_path / "lm"
    assert main(["lm", "train", *LM_TINY, "--quiet", "--out", str(out)]) == 0
    (out / "manifest.json").unlink()
    (out / "config.json").write_text(NESTED)
    one_error_line(["lm", "sample", "--checkpoint", str(out)], "config.json")
    argv = ["lm", "train", "--resume", "--quiet", "--out", str(out)]
    one_error_line(argv, "config.json")


@pytest.mark.parametrize(
    "argv, name, content",
    [
        (["bench", "--redraw", "--out", "{d}/bench.json"], "bench.json", NESTED),
        (["tbptt", "--redraw", "--out", "{d}/tbptt.json"], "tbptt.json", NESTED),
        (["ladder", "--redraw", "--out", "{d}"], "ladder.json", "[1, 2]"),
        (["ladder", "--tutorial", "--redraw", "--out", "{d}"], "tutorial.json", "[1]"),
        (["ladder", "--tutorial", "--resume", "--out", "{d}"], "tutorial.json", "[1]"),
        (["extrapolation", "--out", "{d}"], "extrapolation.json", '{"attempts": "x"}'),
    ],
    ids=["bench", "tbptt", "ladder", "tutorial", "tutorial-resume", "extrapolation"],
)
def test_a_results_file_of_another_shape_is_one_line(
    one_error_line, tmp_path, argv, name, content
):
    """Refused before anything trains or is drawn, naming the file."""
    (tmp_path / name).write_text(content)
    one_error_line([a.format(d=tmp_path) for a in argv], f"{tmp_path / name} (")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_bench_with_stderr_closed_prints_only_its_tables(capsys, tmp_path, monkeypatch):
    out = tmp_path / "bench.json"
    out.write_bytes((paths.results() / "bench.json").read_bytes())
    monkeypatch.setattr(sys, "stderr", None)  # `2>&-`
    assert main(["bench", "--redraw", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed == (tmp_path / "bench_tables.md").read_text() + "\n"


def test_a_memory_error_past_the_estimates_is_one_line(one_error_line, monkeypatch):
    """Each command estimates its memory before it starts, roughly: what slips past
    (a limit lower than it knows) is one line, a failure of the machine."""

    def out_of_memory(args):
        raise MemoryError

    monkeypatch.setattr("rnn_ref.cli.tbptt._cmd_tbptt", out_of_memory)
    one_error_line(["tbptt"], "out of memory; lower the sizes", 1)


# ---- issue 28 §1: both trainers, one run directory ----

RUNS = {  # two checkpoints each
    "classifier": ["train", *SMOKE, "--steps", "20"],
    "lm": ["lm", "train", "--embed-dim", "8", "--hidden-size", "16", "--batch-size",
           "4", "--bptt", "32", "--eval-every", "5", "--steps", "10", "--quiet"],
}  # fmt: skip
SAMPLE = {  # a command that loads the trained model
    "classifier": ["predict", "1", "2", "--checkpoint"],
    "lm": ["lm", "sample", "--length", "5", "--checkpoint"],
}


def _resume(trainer: str, out: Path, *more: str) -> list[str]:
    command = RUNS[trainer][: RUNS[trainer].index("train") + 1]
    return [*command, "--resume", "--quiet", "--out", str(out), *more]


def _listing(directory: Path) -> dict[str, bytes]:
    """Every file but the lock (which holds the pid of the run that last took it)."""
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.name != ".lock"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """`trained(trainer)`: a copy of a finished run of `RUNS[trainer]` (trained
    once)."""
    import shutil

    made = {}

    def copy(trainer: str) -> Path:
        if trainer not in made:
            made[trainer] = tmp_path_factory.mktemp(trainer) / "run"
            torch.set_num_threads(1)
            assert main([*RUNS[trainer], "--out", str(made[trainer])]) == 0
        return shutil.copytree(made[trainer], tmp_path_factory.mktemp("copy") / "run")

    return copy


@pytest.mark.parametrize("trainer", RUNS)
def test_a_directory_of_the_users_files_is_refused_and_left_as_it_was(
    one_error_line, tmp_path, trainer
):
    (tmp_path / "model.pt").write_bytes(b"the user's weights")
    (tmp_path / "metrics.jsonl").write_text("the user's notes\n")
    before = _listing(tmp_path)
    argv = [*RUNS[trainer], "--out", str(tmp_path)]
    one_error_line(argv, "not empty (metrics.jsonl, model.pt) and rnn-ref did not")
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("trainer", RUNS)
def test_a_metrics_jsonl_that_links_elsewhere_is_never_written_through(
    one_error_line, trained, tmp_path, trainer
):
    victim = tmp_path / "victim.jsonl"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "metrics.jsonl").symlink_to(victim)
    one_error_line([*RUNS[trainer], "--out", str(fresh)], "not empty (metrics.jsonl)")
    run = trained(trainer)  # a link to the very same lines: the checksum holds
    victim.write_bytes((run / "metrics.jsonl").read_bytes())
    before = victim.read_bytes()
    (run / "metrics.jsonl").unlink()
    (run / "metrics.jsonl").symlink_to(victim)
    one_error_line(_resume(trainer, run, "--steps", "30"), "is a symbolic link")
    assert victim.read_bytes() == before and (run / "metrics.jsonl").is_symlink()


@pytest.mark.parametrize("trainer", RUNS)
def test_a_second_run_in_the_same_directory_is_locked_out(
    one_error_line, tmp_path, trainer
):
    from rnn_ref.rundir import RunLock

    with RunLock(tmp_path):  # the first run, still going
        one_error_line(
            [*RUNS[trainer], "--out", str(tmp_path)],
            f"in use by another run (pid {os.getpid()}",
        )
    assert [p.name for p in tmp_path.iterdir()] == [".lock"]


def _chars_h_to_i(data: bytes) -> bytes:
    """config.json with the first `h` of its vocabulary made an `i` (issue 28: every
    sampled `h` came out as `i`)."""
    config = json.loads(data)
    config["chars"] = config["chars"].replace("h", "i", 1)
    return json.dumps(config, indent=2).encode()


DAMAGE = {
    "flip": lambda data: data[:40] + bytes([data[40] ^ 1]) + data[41:],
    "torn": lambda data: data[:-5],  # inside the last line
    "half": lambda data: data[: data.index(b"\n") + 1],  # whole lines, but fewer
    "chars": _chars_h_to_i,
}


@pytest.mark.parametrize(
    "trainer, name, damage, command",
    [
        *[(t, "config.json", "flip", c) for t in RUNS for c in ("resume", "load")],
        ("lm", "config.json", "chars", "load"),
        ("lm", "config.json", "chars", "resume"),
        *[(t, "model.pt", "flip", "load") for t in RUNS],
        *[(t, "state.pt", "flip", "resume") for t in RUNS],
        *[(t, "metrics.jsonl", d, "resume") for t in RUNS for d in
          ("flip", "torn", "half")],
    ],
)  # fmt: skip
def test_a_damaged_file_is_refused_naming_it_and_the_manifest(
    one_error_line, trained, trainer, name, damage, command
):
    """Never a silent wrong result (lm sample printing every `h` as `i`), a traceback,
    a resume that drops a torn line or the steps of a cut file."""
    run = trained(trainer)
    (run / name).write_bytes(DAMAGE[damage]((run / name).read_bytes()))
    before = _listing(run)
    argv = (
        [*SAMPLE[trainer], str(run)]
        if command == "load"
        else _resume(trainer, run, "--steps", "30")
    )
    line = one_error_line(argv, f"{run / name} does not match {run / 'manifest.json'}")
    assert "restore whichever changed" in line
    assert _listing(run) == before


@pytest.mark.parametrize("trainer", RUNS)
def test_a_disk_that_fills_during_the_first_save_leaves_a_run_that_resumes(
    one_error_line, tmp_path, monkeypatch, trainer
):
    """No stuck run: a fresh run that failed inside its first save resumes from step 0
    (it does not say 'already holds a run' nor 'no checkpoint'), and no temporary file
    is left behind."""
    from rnn_ref import atomic

    def full(stage: str, name: str) -> None:
        if (stage, name) == ("written", "state.pt"):
            raise OSError(28, "No space left on device")

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(atomic, "_fault", full)
        one_error_line([*RUNS[trainer], "--out", str(out)], "No space left", 1)
    assert not (out / "state.pt").exists() and not list(out.glob(".*.tmp"))
    assert main(_resume(trainer, out)) == 0
    assert [json.loads(x)["step"] for x in (out / "metrics.jsonl").open()] == (
        [10, 20] if trainer == "classifier" else [5, 10]
    )
    assert not list(out.glob(".*.tmp"))


# ---- the attacker's read of issue 28's work: each failure it found, as a test ----

LM_RUN = RUNS["lm"]


@pytest.mark.parametrize(
    "argv, match",
    [
        ([*LM_RUN, "--out", "{d}/zz", "--results", "/"], "--results / is a directory"),
        (["tbptt", "--redraw", "--out", "/"], "--out / is a directory"),
    ],
    ids=["lm --results /", "tbptt --redraw --out /"],
)
def test_the_root_folder_as_an_output_is_one_line(
    one_error_line, tmp_path, argv, match
):
    """`/` has no parent: the check that looks for one raised StopIteration."""
    one_error_line([a.format(d=tmp_path) for a in argv], match)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["/dev/zero", "{d}"], ids=["a device", "a folder"])
def test_a_text_that_is_no_regular_file_is_refused_before_it_is_read(
    one_error_line, tmp_path, text
):
    """`--text /dev/zero` read until memory ran out."""
    argv = [*LM_RUN, "--text", text.format(d=tmp_path), "--out", f"{tmp_path}/run"]
    one_error_line(argv, "is not a regular file of at most")
    assert list(tmp_path.iterdir()) == []


def test_a_text_too_short_for_the_batch_leaves_no_run_behind(one_error_line, tmp_path):
    """The refusal came after the run directory was claimed: a second try said the
    directory already held a run."""
    (tmp_path / "two.txt").write_text("ab")
    argv = [*LM_RUN, "--text", str(tmp_path / "two.txt"), "--out", f"{tmp_path}/run"]
    one_error_line(argv, "cannot fill 4 streams")
    assert not (tmp_path / "run").exists()


def test_an_error_that_quotes_several_lines_is_one_line(one_error_line, monkeypatch):
    """torch's state_dict errors span lines (`size mismatch` on the second, after a
    tab): the message keeps them, on one line."""
    from rnn_ref.errors import CheckpointError

    def mismatch(args):
        raise CheckpointError("does not fit (Error(s) in loading:\n\tsize mismatch)")

    monkeypatch.setattr("rnn_ref.cli.tbptt._cmd_tbptt", mismatch)
    line = one_error_line(["tbptt"], "(Error(s) in loading: size mismatch)")
    assert "\t" not in line


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_a_closed_stdout_is_refused_before_any_work(
    one_error_line, monkeypatch, tmp_path, command
):
    """`>&-`: evaluate's result and train's summary were lost, with exit 0."""
    argv = {
        "evaluate": ["evaluate", "--checkpoint", str(tmp_path / "none")],
        "train": ["train", *SMOKE, "--out", str(tmp_path / "run")],
    }[command]
    monkeypatch.setattr(sys, "stdout", None)
    one_error_line(argv, "stdout is closed")
    assert list(tmp_path.iterdir()) == []
