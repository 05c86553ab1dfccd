"""Every snippet still prints what the site shows, and every snippet
and output is on a page."""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rnn_ref.site import paths
from rnn_ref.site.regen import compare, run_snippet, snippet_needs, snippet_paths

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = paths.root()
SNIPPETS = paths.snippets()

PATHS = snippet_paths()
DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
INCLUDE = re.compile(r'--8<--\s+"([^"]+)"')


@pytest.fixture(scope="session")
def results(request):
    """Run the selected snippets once, two at a time, each in a fresh
    process (as `rnn-ref regen`)."""
    selected = [
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_snippet_output_matches_committed"
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(
            zip(
                selected,
                pool.map(lambda p: run_snippet(p, "cpu"), selected),
                strict=True,
            )
        )


@pytest.mark.parametrize(
    "path", PATHS, ids=[str(p.relative_to(SNIPPETS)) for p in PATHS]
)
def test_snippet_output_matches_committed(results, path):
    for module in snippet_needs(path):  # an optional extra, e.g. onnxruntime
        pytest.importorskip(module, reason=f"{path.name} needs {module}")
    result = results[path]
    assert not result.error, f"{path.relative_to(ROOT)} failed:\n{result.error}"
    out = path.with_suffix(".out")
    assert out.exists(), f"no committed output; run `rnn-ref regen --only {path.name}`"
    diff = compare(out.read_text(), result.text)
    assert not diff, (
        f"{out.relative_to(ROOT)} drifted from what the snippet prints now:\n{diff}\n"
        f"If the change is intended: rnn-ref regen --only {path.stem} "
        f"&& git add {out.relative_to(ROOT)}"
    )


def test_compare_catches_drift():
    committed = "# header\nh_n: (2, 3, 20)\nmax |diff| = 1.0e-07\n"
    assert compare(committed, "# header\nh_n: (2, 3, 20)\nmax |diff| = 1.0e-07\n") == ""
    # the same device: exact text, so 0.0e+00 cannot drift to 9.0e-05
    cpu, gpu = "# s.py · device: cpu · torch 2\n", "# s.py · device: cuda · torch 2\n"
    assert compare(cpu + "err 0.0e+00\n", cpu + "err 9.0e-05\n")
    assert compare(cpu + "err 1.00000e-07\n", cpu + "err 1.00001e-07\n")
    # across devices: numbers within CROSS_DEVICE_RTOL (relative), text exact
    assert compare(cpu + "err 1.00000e-07\n", gpu + "err 1.00001e-07\n") == ""
    assert compare(cpu + "err 1.0e-07\n", gpu + "err 3.0e-07\n")
    assert compare(cpu + "err 0.0e+00\n", gpu + "err 9.0e-05\n")
    assert compare(committed, "# header\nh_n: (1, 3, 20)\nmax |diff| = 1.0e-07\n")
    assert compare(committed, "# header\nh_n: (2, 3, 20)\nmax |diff| = 0.5\n")
    assert compare(committed, "# header\nh_n: (2, 3, 20)\n")


def _included() -> set[Path]:
    found = set()
    for doc in DOCS:
        for target in INCLUDE.findall(doc.read_text()):
            found.add((ROOT / target.split(":")[0]).resolve())
    return found


def test_every_snippet_and_output_is_on_a_page():
    files = {p.resolve() for p in SNIPPETS.rglob("*") if p.suffix in {".py", ".out"}}
    orphans = sorted(str(p.relative_to(ROOT)) for p in files - _included())
    assert not orphans, (
        f"snippet files no page includes (delete them or include them): {orphans}"
    )


def test_every_output_has_its_snippet():
    strays = [
        str(o.relative_to(ROOT))
        for o in SNIPPETS.rglob("*.out")
        if not o.with_suffix(".py").exists()
    ]
    assert not strays, f"outputs without a snippet: {strays}"


def test_a_silently_failing_snippet_is_a_failure(tmp_path):
    """A snippet that exits non-zero without a word on stderr
    must not count as passing."""
    silent = tmp_path / "silent.py"
    silent.write_text("import sys\nprint('half an output')\nsys.exit(3)\n")
    assert "exit code 3" in run_snippet(silent, "cpu").error
    fine = tmp_path / "fine.py"
    fine.write_text("print('ok')\n")
    assert run_snippet(fine, "cpu").error == ""


def test_each_snippet_runs_alone_from_an_empty_folder(tmp_path):
    """Snippets share a server that has imported torch, but each runs in its own
    process: from an empty folder, with no stdin, and a hang is cut off."""
    first = tmp_path / "first.py"
    first.write_text(
        "import os, sys, torch\nprint(sorted(os.listdir()), sys.stdin.read() == '')\n"
        "torch.manual_seed(5)\nx = 1\nsys.exit('a message')\n"
    )
    result = run_snippet(first, "cpu")
    assert result.stdout == "[] True\n" and "a message\nexit code 1" in result.error
    second = tmp_path / "second.py"
    second.write_text(
        "import random, torch\n"
        "print('x' in globals(), torch.initial_seed(), random.random())\n"
    )
    a, b = run_snippet(second, "cpu").stdout, run_snippet(second, "cpu").stdout
    assert a.startswith("False ") and b.startswith("False ")
    assert a.split()[1] != b.split()[1] and a.split()[2] != b.split()[2]  # unseeded
    hang = tmp_path / "hang.py"
    hang.write_text("import time\ntime.sleep(60)\n")
    assert run_snippet(hang, "cpu", timeout=2).error == "timed out after 2 s"
    assert run_snippet(second, "cpu").error == ""  # a new server takes over


def test_each_snippet_gets_the_environment_of_its_call(tmp_path, monkeypatch):
    """Servers are reused only for the same environment: a snippet run after the
    environment changed (another checkout's root, as the regen tests use) never runs
    in a server started for the old one."""
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nprint(os.environ.get('RNN_REF_PROBE'))\n")
    for value in ("a", "b", "a"):
        monkeypatch.setenv("RNN_REF_PROBE", value)
        assert run_snippet(probe, "cpu").stdout == f"{value}\n"
