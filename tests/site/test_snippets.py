"""Every snippet still prints what the site shows, and every snippet
and output is on a page."""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rnn_ref.site import paths, platform
from rnn_ref.site.records import (
    compare,
    mixed_records,
    read_output,
    recorded_platform,
)
from rnn_ref.site.snippets import (
    output_path,
    run_snippet,
    snippet_needs,
    snippet_paths,
    snippet_trains,
)

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
    made_on = recorded_platform(result.text)
    reason = platform.mismatch(recorded_platform(read_output(out)), made_on)
    if reason and snippet_trains(path):
        pytest.skip(f"a training run's digits, {reason}; tests/claims check it")
    diff = compare(read_output(out), result.text)
    assert not diff, (
        f"{out.relative_to(ROOT)} drifted from what the snippet prints now:\n{diff}\n"
        f"If the change is intended: rnn-ref regen --only {path.stem} "
        f"&& git add {out.relative_to(ROOT)}"
    )


HERE = "# s.py · made on cpu x86_64 AVX2 pinned · torch 2.13.0+cpu\n"
ARM = "# s.py · made on cpu aarch64 NEON · torch 2.13.0\n"
GPU = "# s.py · made on cuda NVIDIA H100 · torch 2.13.0\n"


def test_compare_is_exact_on_the_recorded_platform():
    body = "h_n: (2, 3, 20)\nmax |diff| = 1.0e-07\n"
    assert compare(HERE + body, HERE + body) == ""
    for drifted in (
        "h_n: (1, 3, 20)\nmax |diff| = 1.0e-07\n",
        "h_n: (2, 3, 20)\nmax |diff| = 1.1e-07\n",  # the last digit
        "h_n: (2, 3, 20)\nmax |diff| = 1.0e-07",  # no final newline
        "h_n: (2, 3, 20)\r\nmax |diff| = 1.0e-07\r\n",  # CRLF
        "h_n: (2, 3, 20)\n",
    ):
        assert compare(HERE + body, HERE + drifted), repr(drifted)


def test_compare_allows_rounding_noise_elsewhere_and_nothing_more():
    """On another platform: numbers within RTOL (relative) or both under ATOL, the
    words exact; across a torch version too (unpinned by definition)."""
    for other in (ARM, GPU, HERE.replace("2.13.0+cpu", "2.14.0+cpu")):
        assert compare(HERE + "err 1.00000e-01\n", other + "err 1.00001e-01\n") == ""
        assert compare(HERE + "max 2.2e-16\n", other + "max 0.0e+00\n") == ""
        assert compare(HERE + "err 1.0e-01\n", other + "err 1.1e-01\n")
        assert compare(HERE + "err 1.0e-01\n", other + "err 1.0e-01 True\n")
        assert compare(HERE + "acc 21%\n", other + "acc 22%\n")
    unpinned = HERE.replace(" pinned", "")
    assert compare(unpinned + "x 1.0\n", unpinned + "x 1.00001\n") == ""


def test_the_record_is_one_pinned_cpu_platform():
    """Every committed CPU output names the same pinned platform, so no edited header
    (`made on cuda ...`) buys an output the looser comparison."""
    assert mixed_records() == []
    made_on = {recorded_platform(o.read_text()) for o in SNIPPETS.rglob("*.out")}
    (record,) = made_on
    assert record.startswith("cpu x86_64 AVX2 pinned · torch "), record


def test_mixed_records_finds_an_edited_header(tmp_path, monkeypatch):
    for name, head in (("a", HERE), ("b", HERE), ("c", GPU)):
        (tmp_path / f"{name}.out").write_text(head + "x\n")
    monkeypatch.setattr(paths, "snippets", lambda: tmp_path)
    monkeypatch.setattr(paths, "root", lambda: tmp_path)
    (problem,) = mixed_records()
    assert problem.startswith("c.out says it was made on 'cuda NVIDIA H100")


def test_mixed_records_finds_a_record_made_unpinned(tmp_path, monkeypatch):
    """A whole record rewritten on a machine that cannot be pinned agrees with itself
    and is still refused: it would put every output in tolerance mode."""
    unpinned = HERE.replace(" pinned", "")
    for name in "abc":
        (tmp_path / f"{name}.out").write_text(unpinned + "x\n")
    monkeypatch.setattr(paths, "snippets", lambda: tmp_path)
    monkeypatch.setattr(paths, "root", lambda: tmp_path)
    assert len(mixed_records()) == 3


def test_regen_never_writes_the_record_unpinned(monkeypatch):
    from rnn_ref.errors import InputError
    from rnn_ref.site import regen

    monkeypatch.setattr(platform, "pinnable", lambda: False)
    with pytest.raises(InputError, match="cannot compute pinned"):
        regen.regen(pattern="cell_equals_rnncell")


def test_snippets_run_pinned_whatever_the_callers_kernels(monkeypatch, tmp_path):
    """The snippet server takes the pins (this machine can: x86-64 with AVX2), even
    when the caller asks torch for other kernels."""
    if not platform.pinnable():
        pytest.skip("not an x86-64 CPU with AVX2: nothing to pin")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os, torch\nprint(torch.backends.cpu.get_cpu_capability(), "
        "os.environ['MKL_CBWR'], torch.get_num_threads())\n"
    )
    for asked in ("avx512", "default"):
        monkeypatch.setenv("ATEN_CPU_CAPABILITY", asked)
        result = run_snippet(probe, "cpu")
        assert result.stdout == "AVX2 COMPATIBLE,STRICT 1\n", result.error
        assert " · made on cpu x86_64 AVX2 pinned · torch " in result.header


@pytest.mark.gpu
@pytest.mark.parametrize(
    "path", PATHS, ids=[str(p.relative_to(SNIPPETS)) for p in PATHS]
)
def test_snippet_on_cuda_matches_its_record(path):
    """On a GPU: each snippet against the GPU record (`rnn-ref regen --device cuda`
    writes `<name>.cuda.out`), or, where there is none yet, against the CPU record;
    numbers within the stated tolerance, a training run's digits not compared."""
    for module in snippet_needs(path):
        pytest.importorskip(module, reason=f"{path.name} needs {module}")
    if snippet_trains(path):
        pytest.skip("a training run: its digits on a GPU are not the CPU's")
    result = run_snippet(path, "cuda")
    assert not result.error, f"{path.relative_to(ROOT)} failed:\n{result.error}"
    record = output_path(path, "cuda")
    record = record if record.exists() else output_path(path, "cpu")
    assert result.header.endswith(recorded_platform(result.text))
    assert recorded_platform(result.text).startswith("cuda ")
    diff = compare(record.read_text(), result.text)
    assert not diff, f"{path.name} on CUDA against {record.name}:\n{diff}"


def _included() -> set[Path]:
    found = set()
    for doc in DOCS:
        for target in INCLUDE.findall(doc.read_text()):
            found.add((ROOT / target.split(":")[0]).resolve())
    return found


def test_every_snippet_and_output_is_on_a_page():
    files = {
        p.resolve() for p in SNIPPETS.rglob("*") if p.suffixes in ([".py"], [".out"])
    }
    orphans = sorted(str(p.relative_to(ROOT)) for p in files - _included())
    assert not orphans, (
        f"snippet files no page includes (delete them or include them): {orphans}"
    )


def test_every_output_has_its_snippet():
    strays = [
        str(o.relative_to(ROOT))
        for o in SNIPPETS.rglob("*.out")
        if not o.with_name(o.name.split(".")[0] + ".py").exists()
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


def test_regen_on_a_gpu_writes_its_own_record(tmp_path, monkeypatch, capsys):
    """`regen --device cuda` writes `<name>.cuda.out` and leaves the CPU record, the
    figures and tables alone (the run itself is faked: no GPU here)."""
    import torch

    from rnn_ref.site import regen
    from rnn_ref.site.snippets import Result

    (tmp_path / "snippets" / "p").mkdir(parents=True)
    (tmp_path / "rnn_ref").mkdir()
    (tmp_path / "rnn_ref" / "__init__.py").write_text("")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    snippet = tmp_path / "snippets" / "p" / "s.py"
    snippet.write_text("print(1)\n")
    cpu_record = HERE.replace("s.py", "snippets/p/s.py") + "1\n"
    (tmp_path / "snippets" / "p" / "s.out").write_text(cpu_record)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(regen, "resolve_device", lambda _: torch.device("cuda"))
    made = GPU.replace("s.py", "snippets/p/s.py").rstrip("\n")
    monkeypatch.setattr(
        regen, "run_snippet", lambda p, device: Result(p, made, "1.0000001\n")
    )
    monkeypatch.setattr(regen, "_drawings", lambda check: pytest.fail("drew"))
    for sync in (regen.regions, regen.notebooks, regen.claims):
        monkeypatch.setattr(sync, "sync", lambda root, check: [])
    assert regen.regen(device="cuda") == 0
    assert (tmp_path / "snippets/p/s.cuda.out").read_text() == made + "\n1.0000001\n"
    assert (tmp_path / "snippets/p/s.out").read_text() == cpu_record
    assert regen.regen(check=True, device="cuda") == 0
