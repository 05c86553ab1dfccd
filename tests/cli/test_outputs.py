"""Every output flag of every command, pointed at a special file (issue 31: `export
--out /dev/null` renamed a regular file over the machine's /dev/null). The null device
(made with mknod in a temporary folder, as root) and a FIFO are written into, and stay
the same file; a folder flag naming one is one error line and exit 2. The experiments'
training is replaced by their committed results: only the writing is under test."""

import json
import shutil

import pytest

from rnn_ref.cli import main
from rnn_ref.site import paths

SMOKE = [
    "--hidden-size", "8", "--batch-size", "16", "--eval-every", "10",
    "--eval-samples", "32", "--device", "cpu", "--quiet", "--steps", "10",
]  # fmt: skip
LM_TINY = [
    "--embed-dim", "8", "--hidden-size", "16", "--batch-size", "4", "--bptt", "8",
    "--eval-every", "2", "--steps", "2", "--quiet",
]  # fmt: skip


def _committed(name: str) -> dict:
    return json.loads((paths.results() / name).read_text())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs") / "run"
    assert main(["train", *SMOKE, "--out", str(out)]) == 0
    return out


def test_export_out(run_dir, special_file, capsys):
    pytest.importorskip("onnxruntime", reason="the export extra")
    node = special_file("model.onnx")
    argv = ["export", "--checkpoint", str(run_dir), "--out", str(node.path)]
    assert main([*argv, "--check-length", "3"]) == 0
    assert f"wrote {node.path} (" in capsys.readouterr().out
    data = node.drain()
    assert data is None or len(data) > 1000  # a FIFO got the whole file


def test_evaluate_plot(run_dir, special_file):
    node = special_file("lengths.svg")
    argv = ["evaluate", "--checkpoint", str(run_dir), "--lengths", "2,3"]
    assert main([*argv, "--samples", "8", "--plot", str(node.path)]) == 0
    data = node.drain()
    assert data is None or data.startswith(b"<?xml")


def test_lm_results(special_file, tmp_path):
    node = special_file("lm.json")
    argv = ["lm", "train", *LM_TINY, "--out", str(tmp_path / "lm")]
    assert main([*argv, "--results", str(node.path)]) == 0
    data = node.drain()
    assert data is None or json.loads(data)["final"]["step"] == 2


def test_tbptt_out(special_file, monkeypatch):
    monkeypatch.setattr("rnn_ref.cli.tbptt.run", lambda seeds: _committed("tbptt.json"))
    node = special_file("tbptt.json")
    assert main(["tbptt", "--seeds", "1", "--out", str(node.path)]) == 0
    data = node.drain()
    assert data is None or "wall_seconds" in json.loads(data)


def test_bench_out(special_file, monkeypatch):
    results = _committed("bench.json")
    monkeypatch.setattr("rnn_ref.cli.bench.run_bench", lambda *a: results)
    node = special_file("bench.json")
    assert main(["bench", "--out", str(node.path)]) == 0
    data = node.drain()
    assert data is None or json.loads(data) == results


def test_ladder_redraw_writes_its_tables_and_figures_into_them(special_file, tmp_path):
    """The report writers (tables and figures, as `regen` draws them): into the
    special files they find."""
    shutil.copy(paths.results() / "ladder.json", tmp_path / "ladder.json")
    nodes = [
        special_file(n) for n in ("ladder_tables.md", "ladder.svg", "extrapolation.svg")
    ]
    assert main(["ladder", "--redraw", "--out", str(tmp_path)]) == 0
    for node in nodes:
        data = node.drain()
        assert data is None or data.startswith((b"<?xml", b"<!--", b"#", b"|"))


def _fake_attempt(name, seeds, log, previous, save):
    return next(a for a in _committed("extrapolation.json")["attempts"])


@pytest.mark.parametrize(
    "argv",
    [
        ["train", *SMOKE, "--out"],
        ["lm", "train", *LM_TINY, "--out"],
        ["ladder", "--rungs", "gru", "--seeds", "1", "--out"],
        ["ladder", "--tutorial", "--seeds", "1", "--out"],
        ["extrapolation", "--seeds", "1", "--out"],
        ["bench", "--figures"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_folder_flag_naming_one_is_refused(
    argv, special_file, monkeypatch, one_error_line, tmp_path
):
    results = {n: _committed(f"{n}.json") for n in ("ladder", "tutorial", "bench")}
    monkeypatch.setattr(
        "rnn_ref.cli.ladder.run_ladder", lambda *a, **k: results["ladder"]
    )
    monkeypatch.setattr(
        "rnn_ref.cli.ladder_tutorial.run_tutorial", lambda *a, **k: results["tutorial"]
    )
    monkeypatch.setattr("rnn_ref.cli.extrapolation.run_attempt", _fake_attempt)
    monkeypatch.setattr("rnn_ref.cli.bench.run_bench", lambda *a: results["bench"])
    node = special_file("out")
    if argv[0] == "bench":
        argv = ["bench", "--out", str(tmp_path / "b.json"), "--figures"]
    one_error_line([*argv, str(node.path)], str(node.path))
