"""`rnn-ref export`, run in-process through `rnn_ref.cli.main`: the happy path, and one
error line with exit code 2 for each kind of bad input."""

import sys

import pytest

from rnn_ref.cli import main

for _name in ("onnx", "onnxscript", "onnxruntime"):
    pytest.importorskip(_name, reason="the export extra: pip install -e '.[export]'")

SMOKE = [
    "--hidden-size", "8", "--batch-size", "16", "--eval-every", "10",
    "--eval-samples", "32", "--device", "cpu", "--quiet", "--steps", "10",
]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "run"
    assert main(["train", *SMOKE, "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_export_writes_and_checks(run_dir, tmp_path, capsys):
    out = tmp_path / "model.onnx"
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(out)]
    assert main([*argv, "--check-length", "20"]) == 0
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert lines[0].startswith(f"exporting {run_dir} (GRU, 1 layer(s), hidden 8)")
    assert lines[1].startswith(f"wrote {out} (") and out.is_file()
    assert "on one batch of lengths 1..20: max |logit difference|" in lines[2]
    assert float(lines[2].rsplit(" ", 1)[1]) < 1e-5
    assert printed.err == ""  # the exporters' notes are silenced


def test_bad_checkpoints(run_dir, tmp_path, one_error_line):
    out = str(tmp_path / "m.onnx")
    missing = tmp_path / "no"
    one_error_line(
        ["export", "--checkpoint", str(missing), "--out", out],
        f"{missing} does not exist",
    )
    (tmp_path / "file").write_text("")
    one_error_line(
        ["export", "--checkpoint", str(tmp_path / "file"), "--out", out],
        "is not a directory",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    one_error_line(
        ["export", "--checkpoint", str(empty), "--out", out], "no config.json"
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_bytes((run_dir / "config.json").read_bytes())
    (bad / "model.pt").write_bytes(b"\x00garbage" * 10)
    one_error_line(["export", "--checkpoint", str(bad), "--out", out], "is corrupt")


@pytest.mark.parametrize(
    "out, match",
    [("dir", "is a directory"), ("file/m.onnx", "file is not a directory")],
)
def test_unwritable_output(run_dir, tmp_path, out, match, one_error_line):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("")
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(tmp_path / out)]
    one_error_line(argv, match)


def test_missing_extra(run_dir, tmp_path, monkeypatch, one_error_line):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(tmp_path / "m.onnx")]
    one_error_line(argv, "pip install onnx onnxscript onnxruntime")


@pytest.mark.parametrize(
    "argv, match",
    [
        (["export", "--checkpoint", "x", "--out", "m.onnx", "--check-length", "0"],
         "--check-length must be at least 1"),
        (["export", "--out", "m.onnx"], "the following arguments are required"),
    ],
)  # fmt: skip
def test_bad_flags(argv, match, one_error_line):
    one_error_line(argv, match)


@pytest.mark.parametrize(
    "name", ["model.pt", "config.json", "manifest.json", "state.pt"]
)
def test_refuses_to_overwrite_the_run(run_dir, capsys, name):
    """--out naming one of the run's own files: one error line before anything is
    loaded or printed, and the file untouched."""
    before = (run_dir / name).read_bytes()
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(run_dir / name)]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith("error: --out") and f"run's own {name}" in printed.err
    assert len(printed.err.strip().splitlines()) == 1
    assert (run_dir / name).read_bytes() == before


# ---- issue 28 §2: an export never replaces what it does not own ----


def test_refuses_an_existing_file_without_force(run_dir, tmp_path, one_error_line):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("four years of work\n")
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(thesis)]
    one_error_line(argv, f"--out {thesis} already exists; pass --force to replace it")
    assert thesis.read_text() == "four years of work\n"
    link = tmp_path / "latest.onnx"  # a link to a regular file is that file
    link.symlink_to(thesis)
    one_error_line([*argv[:-1], str(link)], "already exists; pass --force")
    assert thesis.read_text() == "four years of work\n"


def test_never_writes_into_another_runs_directory(run_dir, tmp_path, one_error_line):
    import shutil

    other = shutil.copytree(run_dir, tmp_path / "base_copy")
    before = {p.name: p.read_bytes() for p in other.iterdir()}
    for name in ("model.pt", "new.onnx"):
        out = other / name
        argv = ["export", "--checkpoint", str(run_dir), "--out", str(out), "--force"]
        one_error_line(argv, f"--out {out} is in another run's directory ({other}")
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before


@pytest.mark.slow
def test_force_replaces_an_existing_file(run_dir, tmp_path, capsys):
    out = tmp_path / "old.onnx"
    out.write_text("an older export")
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(out)]
    assert main([*argv, "--check-length", "3", "--force"]) == 0
    assert f"wrote {out} (" in capsys.readouterr().out
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("length, memory", [(10**8, None), (10**5, 6 * 2**30)])
def test_a_check_too_big_for_memory_is_refused_before_export(
    run_dir, tmp_path, monkeypatch, one_error_line, length, memory
):
    """Issue 28 §3: 10**8 reached the out-of-memory killer, 10**5 under a 6 GB limit
    a MemoryError traceback; each is refused before anything is exported."""
    if memory:
        monkeypatch.setattr("rnn_ref.memory._memory_bytes", lambda: memory)
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(tmp_path / "m.onnx")]
    one_error_line([*argv, "--check-length", str(length)], "lower --check-length")
    assert not (tmp_path / "m.onnx").exists()
