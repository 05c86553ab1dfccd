"""Fault injection on the library: run directories, checkpoints and divergence.

Each test reproduces one way a user could lose work or get a wrong result (issue 11):
two runs in one directory, a directory of someone else's files, a planted symlink, a
flipped byte, a kill inside a save (a real SIGKILL, through `RNN_REF_FAULT`), a torn
metrics line, a bad `config.json` or `state.pt`, non-finite values while training.
"""

import io
import json
import math
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from rnn_ref import rundir
from rnn_ref.checkpoint import config_bytes, load_classifier, read_config, safe_load
from rnn_ref.cli import main
from rnn_ref.config import TrainConfig
from rnn_ref.divergence import stop_if_diverged
from rnn_ref.errors import CheckpointError, InputError, TrainingDiverged
from rnn_ref.lm_train import load_lm
from rnn_ref.train import lr_at, read_metrics, train

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(
    hidden_size=8,
    batch_size=16,
    steps=20,
    eval_every=10,
    eval_samples=32,
    device="cpu",
)


def _strict(path: Path) -> list[dict]:
    """metrics.jsonl parsed as strict JSON (NaN and Infinity refused)."""

    def refuse(name):
        raise ValueError(f"non-strict JSON constant {name}")

    lines = path.read_text().splitlines()
    return [json.loads(line, parse_constant=refuse) for line in lines]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """An uninterrupted run: what every interrupted one must reproduce."""
    out = tmp_path_factory.mktemp("straight") / "run"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as every test runs (conftest), and the subprocesses
    try:
        result = train(TrainConfig(**TINY, out=str(out)))
    finally:
        torch.set_num_threads(threads)
    return out, result


# ---- one owner, and only our own files ----


def test_a_second_run_is_locked_out_and_told_who_holds_it(tmp_path):
    with (
        rundir.RunLock(tmp_path),
        pytest.raises(
            InputError, match=rf"pid {os.getpid()} on {socket.gethostname()}"
        ),
    ):
        train(TrainConfig(**TINY, out=str(tmp_path)))
    assert not (tmp_path / "metrics.jsonl").exists()
    train(
        TrainConfig(**{**TINY, "steps": 2}, out=str(tmp_path))
    )  # released: it runs now


def test_two_processes_cannot_share_a_run_directory(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from rnn_ref.rundir import RunLock; "
            f"lock = RunLock({str(tmp_path)!r}); print('held', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            InputError, match=rf"in use by another run \(pid {holder.pid}"
        ):
            train(TrainConfig(**TINY, out=str(tmp_path)))
    finally:
        holder.communicate("")
    assert [p.name for p in tmp_path.iterdir()] == [".lock"]


def test_a_fresh_run_refuses_a_directory_of_other_files(tmp_path):
    notes = tmp_path / "metrics.jsonl"
    notes.write_text("my notes\n")
    with pytest.raises(
        InputError, match=r"not empty \(metrics.jsonl\) and rnn-ref did"
    ):
        train(TrainConfig(**TINY, out=str(tmp_path)))
    assert notes.read_text() == "my notes\n"
    assert not (tmp_path / "config.json").exists()


@pytest.mark.parametrize(
    "names, shown",
    [(["c", "a", "b"], "a, b, c"), (["d", "c", "a", "b"], "a, b, c, ...")],
)
def test_the_refusal_names_the_first_three_other_files(tmp_path, names, shown):
    for name in names:
        (tmp_path / name).write_text("")
    with pytest.raises(InputError, match=rf"not empty \({re.escape(shown)}\) and"):
        train(TrainConfig(**TINY, out=str(tmp_path)))


def test_resuming_removes_what_a_killed_save_left(straight, tmp_path):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    (run / ".model.pt.0123abcd.tmp").write_bytes(b"half a file")  # write_atomic's
    (run / ".draft.tmp").write_bytes(b"the user's")  # not a name of ours
    rundir.claim(run, True, read_config, {}).release()
    assert [p.name for p in run.glob(".*.tmp")] == [".draft.tmp"]


def test_a_fresh_run_refuses_a_directory_holding_a_run(straight):
    with pytest.raises(InputError, match="already holds a run; pass --resume"):
        train(TrainConfig(**TINY, out=str(straight[0])))


def _listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def test_a_refused_directory_keeps_its_temporary_files_and_gets_no_lock(tmp_path):
    """issue 28 §5: `.*.tmp` files were deleted, and `.lock` written, before the
    refusal; a `.draft.tmp` is the user's, not a save's."""
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / ".draft.tmp").write_text("half a thesis\n")
    (tmp_path / ".model.pt.tmp").write_text("not from a save of ours\n")
    before = _listing(tmp_path)
    with pytest.raises(InputError, match=r"not empty \(\.draft\.tmp, \.model"):
        train(TrainConfig(**TINY, out=str(tmp_path)))
    assert _listing(tmp_path) == before


def test_resuming_a_missing_directory_creates_nothing(tmp_path):
    out = tmp_path / "nope" / "nope"
    with pytest.raises(InputError, match="nothing to resume in .*nope: it does not"):
        train(TrainConfig(**TINY, out=str(out)), resume=True)
    assert list(tmp_path.iterdir()) == []


def test_resuming_a_directory_without_a_run_creates_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    with pytest.raises(InputError, match="nothing to resume"):
        train(TrainConfig(**TINY, out=str(tmp_path)), resume=True)
    assert _listing(tmp_path) == {"notes.txt": b"mine\n"}


def test_a_users_manifest_json_is_not_taken_for_ours(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"files": ["chapter1.tex", "chapter2.tex"]}\n')
    with pytest.raises(InputError, match=r"not empty \(manifest\.json\)"):
        train(TrainConfig(**TINY, out=str(tmp_path)))
    assert _listing(tmp_path) == {"manifest.json": manifest.read_bytes()}
    assert not rundir.ours(manifest)


def test_our_manifest_carries_a_marker_and_old_ones_are_still_ours(straight, tmp_path):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["format"] == rundir.MANIFEST_FORMAT and rundir.ours(
        run / "manifest.json"
    )
    del manifest["format"]  # as written before the marker: still ours, still checked
    (run / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    assert rundir.ours(run / "manifest.json")
    load_classifier(run)
    (run / "config.json").write_bytes((run / "config.json").read_bytes() + b" ")
    with pytest.raises(CheckpointError, match="config.json does not match"):
        load_classifier(run)
    # a fresh run may use a directory holding only our bookkeeping (a run killed
    # before it saved its config)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(run / "manifest.json", fresh)
    (fresh / ".config.json.0123abcd.tmp").write_text("half a save")
    train(TrainConfig(**{**TINY, "steps": 2}, out=str(fresh)))
    assert not list(fresh.glob("*.tmp")) and (fresh / "model.pt").is_file()


def test_planted_symlinks_are_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "run"
    out.mkdir()
    for name in (
        "config.json",
        "model.pt",
        "state.pt",
        "manifest.json",
        "metrics.jsonl",
    ):
        (out / f".{name}.5eed5eed.tmp").symlink_to(victim)  # names a save uses
    train(TrainConfig(**{**TINY, "steps": 10}, out=str(out)))
    assert victim.read_text() == "precious\n"
    for name in ("config.json", "model.pt", "state.pt", "manifest.json"):
        assert (out / name).is_file() and not (out / name).is_symlink()
    # a planted lock link is refused, not followed
    other = tmp_path / "run2"
    other.mkdir()
    (other / ".lock").symlink_to(victim)
    with pytest.raises(OSError):
        rundir.RunLock(other)
    assert victim.read_text() == "precious\n"


def test_every_save_fsyncs_the_file_then_renames_then_fsyncs_the_directory(
    tmp_path, monkeypatch
):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file"
        calls.append(("fsync", kind))
        real_fsync(fd)

    def replace(a, b):
        calls.append(("replace", Path(b).name))
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    rundir.write_atomic(tmp_path / "x.pt", b"data")
    assert calls == [("fsync", "file"), ("replace", "x.pt"), ("fsync", "dir")]


# ---- checksums ----


@pytest.mark.parametrize("name", ["model.pt", "state.pt", "config.json"])
def test_a_flipped_byte_is_an_error_naming_the_file(straight, tmp_path, name):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    data = bytearray((run / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (run / name).write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=rf"{name} does not match .*: its sha256"):
        if name == "state.pt":
            safe_load(run / name)
        else:
            load_classifier(run)


# ---- a kill at any moment resumes with one command, for both trainers ----

# every moment of every write of a run of 2 checkpoints: stage:file:occurrence
START = ["written:manifest.json:1", "replaced:manifest.json:1", "written:config.json:1"]
MOMENTS = [
    *START,  # before config.json exists: the run never started
    "replaced:config.json:1",
    "written:metrics.jsonl:1",  # config.json, but no metrics.jsonl yet
    *[f"{s}:manifest.json:{n}" for n in (2, 3, 4) for s in ("written", "replaced")],
    "replaced:metrics.jsonl:2",  # step 10's line, but not its checkpoint
    *[f"{s}:{f}:{n}" for n in (1, 2) for f in ("model.pt", "state.pt")
      for s in ("written", "replaced")],
    "written:config.json:2",
    "replaced:config.json:2",
    "written:manifest.json:6",
]  # fmt: skip
# inside the very first checkpoint; and between the second model.pt and state.pt
# (resuming from model.pt's weights there would mix step 20's weights with step 10's
# optimizer)
FAST = {"written:state.pt:1", "replaced:model.pt:2"}


FLAGS = [
    "--hidden-size", "8", "--batch-size", "16", "--steps", "20",
    "--eval-every", "10", "--eval-samples", "32", "--device", "cpu",
]  # fmt: skip
LM_FLAGS = [
    "--embed-dim", "8", "--hidden-size", "16", "--batch-size", "4", "--bptt", "32",
    "--steps", "20", "--eval-every", "10",
]  # fmt: skip
# the command of each trainer, as TINY (the classifier's) runs it
COMMANDS = {"classifier": ["train", *FLAGS], "lm": ["lm", "train", *LM_FLAGS]}


def _weights(trainer: str, out: Path) -> dict:
    model = load_classifier(out) if trainer == "classifier" else load_lm(out)[0]
    return model.state_dict()


@pytest.fixture(scope="module")
def straight_run(tmp_path_factory):
    """`straight_run(trainer)`: the run directory of an uninterrupted run of
    `COMMANDS[trainer]` (made once)."""
    made = {}

    def get(trainer: str) -> Path:
        if trainer not in made:
            out = tmp_path_factory.mktemp(trainer) / "run"
            assert main([*COMMANDS[trainer], "--out", str(out), "--quiet"]) == 0
            made[trainer] = out
        return made[trainer]

    return get


def _same_run(trainer: str, a: Path, b: Path) -> None:
    """Runs `a` and `b` hold the same weights and metrics, bit for bit."""
    wa, wb = _weights(trainer, a), _weights(trainer, b)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert _timeless(_strict(a / "metrics.jsonl")) == _timeless(
        _strict(b / "metrics.jsonl")
    )


# Each killed run is a process of its own, forked from one server process that has
# imported torch and the training code and run nothing (a fresh interpreter spends
# seconds on those imports, 21 times). A line on its stdin, `out<TAB>moment<TAB>argv`
# (JSON), starts a run; the server answers with the run's exit code. The run's stderr
# goes to out.stderr.
FORK_SERVER = """
import json, os, sys, torch
import rnn_ref.train, rnn_ref.lm_train
from rnn_ref.cli import main
for line in sys.stdin:
    out, fault, argv = line.rstrip("\\n").split("\\t")
    pid = os.fork()
    if pid == 0:  # the run: stdout stays off the server's answers
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(os.open(out + ".stderr", os.O_WRONLY | os.O_CREAT, 0o644), 2)
        os.environ["RNN_REF_FAULT"] = fault
        torch.set_num_threads(1)
        os._exit(main([*json.loads(argv), "--out", out, "--quiet"]))
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


@pytest.fixture(scope="module")
def killed_run():
    """`killed_run(argv, out, moment)`: `rnn-ref *argv` in its own process, SIGKILLed
    at the moment `RNN_REF_FAULT` names; returns the process's exit code and its
    stderr."""
    server = subprocess.Popen(
        [sys.executable, "-c", FORK_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1"),
    )

    def run(argv: list[str], out: Path, moment: str) -> tuple[int, str]:
        server.stdin.write(f"{out}\t{moment}\t{json.dumps(argv)}\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        assert answer, "the fork server died: its traceback is in the captured stderr"
        return int(answer), Path(f"{out}.stderr").read_text()

    yield run
    server.stdin.close()
    server.wait()


# the language model's run directory is the same code: a few moments are enough
LM_MOMENTS = {*FAST, "written:config.json:1", "replaced:metrics.jsonl:2"}


@pytest.mark.parametrize(
    "trainer, moment",
    [
        *[("classifier", m) if m in FAST else
          pytest.param("classifier", m, marks=pytest.mark.slow) for m in MOMENTS],
        *[("lm", m) if m == "written:state.pt:1" else
          pytest.param("lm", m, marks=pytest.mark.slow) for m in MOMENTS
          if m in LM_MOMENTS],
    ],
)  # fmt: skip
def test_a_kill_inside_any_save_resumes_to_the_same_run(
    straight_run, killed_run, tmp_path, capsys, moment, trainer
):
    out, command = tmp_path / "run", COMMANDS[trainer]
    code, stderr = killed_run(command, out, moment)
    assert code == -9, stderr  # the SIGKILL landed
    # the command that follows, in this process (the same code a new process runs)
    code = main([*command[: command.index("train") + 1], "--out", str(out), "--quiet",
                 "--resume"])  # fmt: skip
    if moment in START:  # nothing to resume, and the original command starts afresh
        assert code == 2 and "nothing to resume" in capsys.readouterr().err
        code = main([*command, "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert not list(out.glob(".*.tmp"))
    _same_run(trainer, straight_run(trainer), out)


def test_a_state_pt_that_is_not_a_dict_is_refused(straight, tmp_path):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    buffer = io.BytesIO()
    torch.save([1, 2, 3], buffer)
    rundir.commit(run, {"state.pt": buffer.getvalue()})
    with pytest.raises(CheckpointError, match="does not fit this run"):
        train(TrainConfig(**{**TINY, "steps": 30}, out=str(run)), resume=True)


def test_a_checkpoint_from_before_state_pt_held_the_weights_resumes(straight, tmp_path):
    """Older state.pt files had neither the weights (resuming read model.pt) nor the
    gradient-norm sums (zero at a checkpoint, which follows an evaluation)."""
    out = tmp_path / "run"
    config = TrainConfig(**TINY, out=str(out))
    train(config, stop_at=10)
    state = torch.load(out / "state.pt", weights_only=True)
    assert state["clip_stats"] == [0.0, 0.0, 0]
    old = {k: v for k, v in state.items() if k not in ("model", "clip_stats")}
    buffer = io.BytesIO()
    torch.save(old, buffer)
    rundir.commit(out, {"state.pt": buffer.getvalue()})
    train(config, resume=True)
    a, b = load_classifier(straight[0]).state_dict(), load_classifier(out).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert _timeless(_strict(out / "metrics.jsonl")) == _timeless(straight[1].metrics)


def _timeless(metrics: list[dict]) -> list[dict]:
    """Metrics lines without their times (`seconds`, `cpu_seconds`)."""
    return [{k: v for k, v in m.items() if "seconds" not in k} for m in metrics]


def test_a_run_stopped_before_its_first_checkpoint_resumes_from_step_0(
    straight, tmp_path
):
    out = tmp_path / "run"
    config = TrainConfig(**TINY, out=str(out))
    out.mkdir()
    rundir.commit(out, {"config.json": config_bytes(config)})  # as a fresh run starts
    train(config, resume=True)
    a, b = load_classifier(straight[0]).state_dict(), load_classifier(out).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def _unlist(out: Path, name: str) -> None:
    """Drop `name` from the run's manifest.json (as runs before it listed it)."""
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["files"][name]
    (out / "manifest.json").write_text(json.dumps(manifest))


def test_a_torn_metrics_tail_of_an_unlisted_file_is_repaired_on_resume(
    straight, tmp_path
):
    """A metrics.jsonl that manifest.json does not list (runs from before it did, when
    lines were appended, so a kill could tear one) loses its torn tail on resume."""
    import shutil

    out = shutil.copytree(straight[0], tmp_path / "run")
    _unlist(out, "metrics.jsonl")
    text = (out / "metrics.jsonl").read_text()
    (out / "metrics.jsonl").write_text(text + '{"step": 30, "loss": 0.')  # torn
    config = TrainConfig(**{**TINY, "steps": 30}, out=str(out))
    train(config, resume=True)
    assert [m["step"] for m in _strict(out / "metrics.jsonl")] == [10, 20, 30]
    _unlist(out, "metrics.jsonl")
    (out / "metrics.jsonl").write_text("garbage\n" + text)  # not a tail: refused
    with pytest.raises(CheckpointError, match="line 1 of .*metrics.jsonl"):
        train(TrainConfig(**{**TINY, "steps": 40}, out=str(out)), resume=True)


# ---- what a checkpoint may hold ----


@pytest.mark.parametrize(
    "change, match",
    [
        ({"num_layers": True}, "num_layers must be int; got bool"),
        ({"min_len": 2.5}, "min_len must be int; got float"),
        ({"hidden_size": 10**12}, "hidden_size must be at most"),
        ({"cell": 3}, "cell must be str"),
    ],
)
def test_a_bad_config_json_is_refused_at_load(straight, tmp_path, change, match):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    config = {**json.loads((run / "config.json").read_text()), **change}
    rundir.commit(run, {"config.json": json.dumps(config).encode()})  # valid checksum
    with pytest.raises(CheckpointError, match=f"not a valid run config.*{match}"):
        load_classifier(run)


@pytest.mark.parametrize(
    "key, bad",
    [
        *[("step", v) for v in ["10", torch.tensor(10), -1, 1.5, True]],
        ("loss_count", -1),
        *[("seconds", v) for v in [-1.0, math.inf, math.nan, "1"]],
        ("loss_sum", -0.5),
        ("data_rng", torch.zeros(8, dtype=torch.float32)),  # 1-D, but not bytes
        ("data_rng", torch.zeros(2, 8, dtype=torch.uint8)),  # bytes, but not 1-D
        ("torch_rng", [0, 1, 2]),  # not a tensor
    ],
)
def test_a_bad_value_in_state_pt_is_refused(straight, tmp_path, key, bad):
    import io
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    state = torch.load(run / "state.pt", weights_only=True)
    buffer = io.BytesIO()
    torch.save({**state, key: bad}, buffer)
    rundir.commit(run, {"state.pt": buffer.getvalue()})
    with pytest.raises(CheckpointError, match=f"holds a bad '{key}'"):
        train(TrainConfig(**{**TINY, "steps": 30}, out=str(run)), resume=True)


# ---- divergence ----


def test_a_finite_but_exploding_run_stops_and_keeps_only_good_checkpoints(tmp_path):
    config = TrainConfig(
        cell="rnn_relu", lr=3e3, steps=200, eval_every=1, eval_samples=32,
        hidden_size=16, batch_size=32, device="cpu", out=str(tmp_path),
    )  # fmt: skip
    with pytest.raises(TrainingDiverged, match="became (nan|inf|non-finite)"):
        train(config)
    metrics = _strict(tmp_path / "metrics.jsonl")  # strict JSON: no NaN, no Infinity
    if (tmp_path / "state.pt").exists():  # the last good checkpoint
        step = safe_load(tmp_path / "state.pt")["step"]
        assert metrics[-1]["step"] == step and all(
            isinstance(m["loss"], float) for m in metrics
        )


@pytest.mark.parametrize("where", ["gradient", "optimizer"])
def test_non_finite_gradients_or_optimizer_state_stop_the_run(where):
    from tqdm import tqdm

    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    if where == "gradient":
        model.weight.grad[0, 0] = float("inf")
        when, match = "before", "a gradient became non-finite"
    else:
        optimizer.state[model.weight]["exp_avg_sq"][0, 0] = float("inf")
        when, match = "after", "the optimizer's state became non-finite"
    loss = torch.tensor(1.0)
    with pytest.raises(TrainingDiverged, match=match):
        stop_if_diverged(
            loss, model, optimizer, when, 0, 1e-3, None, False, tqdm(disable=True)
        )


# ---- resume with a larger --steps: what it does, exactly ----


def test_resume_with_more_steps_follows_the_longer_schedule_from_the_checkpoint(
    straight, tmp_path
):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    longer = TrainConfig(**{**TINY, "steps": 30}, out=str(run))
    train(longer, resume=True)
    lrs = {m["step"]: m["lr"] for m in read_metrics(run)}
    assert lrs[20] == lr_at(TrainConfig(**TINY), 19)  # the first run, unchanged
    assert lrs[30] == lr_at(longer, 29)  # then the 30-step schedule from step 20 on
    assert lr_at(longer, 20) > 10 * lr_at(TrainConfig(**TINY), 19)  # not a continuation


def test_a_resumed_runs_new_flags_are_recorded_before_its_first_step(
    straight, tmp_path, monkeypatch
):
    """Resumed with --steps 30 and interrupted before its next checkpoint, the run's
    config.json already says 30: a plain --resume keeps the flags last asked for."""
    import shutil

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    run = shutil.copytree(straight[0], tmp_path / "run")
    monkeypatch.setattr("rnn_ref.checkpoint.save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(TrainConfig(**{**TINY, "steps": 30}, out=str(run)), resume=True)
    assert json.loads((run / "config.json").read_text())["steps"] == 30


def test_a_failed_resume_leaves_the_run_as_it_was(straight, tmp_path):
    import shutil

    run = shutil.copytree(straight[0], tmp_path / "run")
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    with pytest.raises(CheckpointError, match="does not fit this run"):
        train(TrainConfig(**{**TINY, "hidden_size": 16}, out=str(run)), resume=True)
    after = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    assert after == before
