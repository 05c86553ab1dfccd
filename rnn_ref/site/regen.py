"""Regenerate the outputs shown on the site, or check them for drift.

Every `snippets/<page>/<name>.py` runs in a fresh process (forked from a server that
has only imported torch, with its random generators reseeded), from an empty temporary
folder (so it only works if a reader could copy it into a fresh file), and its
stdout is written next to it as `<name>.out`. The first line of each output file names
the device and torch version that produced it. `--check` writes nothing: it compares
and exits 1 on drift or a failing snippet. An output made on the same device must match
its committed text exactly; only one made on another device (a GPU's against the
CPU's) may differ in its numbers, by `CROSS_DEVICE_RTOL` relative to each number. It
checks snippet outputs only; the tests compare figures and tables with fresh drawings.
After rewriting outputs with no failure, regen redraws every figure and re-renders the
results tables from their committed JSON (remeasuring those is `rnn-ref ladder`,
`rnn-ref bench`, ...), then writes the package code the pages show
(`rnn_ref.site.regions`), the chapter notebooks (which embed the figures) and the Claims
page; `--check` reports those three when stale.

    rnn-ref regen                  # rewrite every .out
    rnn-ref regen --check          # report drift only
    rnn-ref regen --device cuda    # run the snippets where a GPU is visible
"""

from __future__ import annotations

import atexit
import difflib
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rnn_ref.config import resolve_device
from rnn_ref.errors import InputError
from rnn_ref.site import claims, notebooks, paths, regions

__all__ = [
    "Result",
    "snippet_paths",
    "snippet_needs",
    "run_snippet",
    "compare",
    "regen",
    "draw_everything",
]

CROSS_DEVICE_RTOL = 1e-4
_DEVICE = re.compile(r" · device: (\S+) · ")
_NEEDS = re.compile(r"^# needs: ([\w, ]+)", re.M)
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Result:
    path: Path  # the snippet
    header: str  # first line of the output file
    stdout: str  # what the snippet printed
    error: str = ""  # stderr, if the snippet failed

    @property
    def text(self) -> str:
        return self.header + "\n" + self.stdout


def snippet_paths(pattern: str = "") -> list[Path]:
    """Every snippet, sorted; `pattern` keeps the ones whose path contains it."""
    root = paths.root()
    return [
        p
        for p in sorted(paths.snippets().rglob("*.py"))
        if pattern in str(p.relative_to(root))
    ]


def snippet_needs(path: Path) -> list[str]:
    """The optional modules a snippet declares on a `# needs: a, b (...)` line.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "s.py"
        >>> _ = p.write_text("# needs: onnx, onnxruntime (pip install x)")
        >>> snippet_needs(p)
        ['onnx', 'onnxruntime']
    """
    found = _NEEDS.search(path.read_text(encoding="utf-8"))
    return found[1].replace(" ", "").split(",") if found else []


# Starting Python and importing torch takes about 2 s, longer than most snippets run. A
# server process does both once, then forks a fresh child per snippet (one request per
# line on stdin: path, folder, stdout file, stderr file; one exit code per line back).
_SERVER = """
import json, os, random, runpy, sys, traceback
import torch
for line in sys.stdin:
    path, cwd, out, err = json.loads(line)
    pid = os.fork()
    if pid == 0:  # unseeded random numbers differ per run, as in a new process
        torch.seed()
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        os.chdir(cwd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdin = open(os.devnull)
        for fd, name in ((1, out), (2, err)):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv, code = [path], 0
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) or e.code is None else 1
            if not isinstance(e.code, int) and e.code is not None:
                print(e.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""
_servers: dict[tuple, queue.SimpleQueue] = {}  # idle servers, by their environment


def _server(device: str) -> tuple[tuple, subprocess.Popen]:
    """An idle snippet server started with the environment a snippet for `device`
    gets now (this checkout's root on PYTHONPATH), started if none is free; and the
    key to give it back under."""
    env = dict(
        os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(paths.root()), MPLBACKEND="Agg"
    )
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""  # snippets that pick "cuda if available"
    key = tuple(sorted(env.items()))
    idle = _servers.setdefault(key, queue.SimpleQueue())
    try:
        return key, idle.get_nowait()
    except queue.Empty:
        pass
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        start_new_session=True,  # a timed-out snippet is killed with its server
    )
    atexit.register(server.kill)
    return key, server


def run_snippet(path: Path, device: str = "cpu", timeout: float = 600) -> Result:
    """Run a snippet in a fresh process (forked from one that has imported torch and
    nothing else) from an empty folder; capture what it prints."""
    import torch

    root = paths.root()
    name = path.relative_to(root) if path.is_relative_to(root) else path
    header = f"# {name} · device: {device} · torch {torch.__version__}"
    key, server = _server(device)
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryDirectory() as cap:
        out, err = Path(cap, "stdout"), Path(cap, "stderr")
        request = [str(path.resolve()), cwd, str(out), str(err)]
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        if not select.select([server.stdout], [], [], timeout)[0]:
            os.killpg(server.pid, signal.SIGKILL)
            return Result(path, header, "", f"timed out after {timeout:g} s")
        line = server.stdout.readline()
        if not line:  # the server itself failed (e.g. torch does not import)
            return Result(path, header, "", f"the snippet server exited ({line!r})")
        code = int(line)
        _servers[key].put(server)
        stdout, stderr = out.read_text(), err.read_text().strip()
    error = (stderr or "(nothing on stderr)") + f"\nexit code {code}"
    return Result(path, header, stdout, error if code else "")


def compare(expected: str, actual: str, rtol: float = CROSS_DEVICE_RTOL) -> str:
    """Return "" when the outputs agree, else a unified diff.

    The header line is not compared (it names the machine). Outputs made on the same
    device (as their headers say) must be the same text; across devices, numbers may
    differ by `rtol` relative to the larger of the two, and everything else not at all.

    Examples:
        >>> head = "# s.py · device: cpu · torch 2"
        >>> bool(compare(head + "\\nerr 0.0e+00", head + "\\nerr 9.0e-05"))
        True
    """
    exp_lines, act_lines = expected.splitlines()[1:], actual.splitlines()[1:]
    devices = {_device_of(expected), _device_of(actual)}
    tol = rtol if len(devices) > 1 else 0.0
    if len(exp_lines) == len(act_lines) and all(
        _lines_match(e, a, tol) for e, a in zip(exp_lines, act_lines, strict=True)
    ):
        return ""
    return "".join(
        difflib.unified_diff(
            [line + "\n" for line in exp_lines],
            [line + "\n" for line in act_lines],
            "committed",
            "now",
        )
    )


def _device_of(output: str) -> str:
    found = _DEVICE.search(output.partition("\n")[0])
    return found.group(1) if found else "?"


def _lines_match(expected: str, actual: str, tol: float) -> bool:
    if expected == actual:
        return True
    if not tol or _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual):
        return False
    for e, a in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True):
        e, a = float(e), float(a)
        if abs(e - a) > tol * max(abs(e), abs(a)):
            return False
    return True


def regen(
    check: bool = False, device: str = "auto", pattern: str = "", jobs: int = 2
) -> int:
    """Rerun the snippets whose path contains `pattern`; rewrite or check their outputs.

    Returns the exit code: 0, or 1 when a snippet failed or (with `check`) drifted.
    """
    if not 1 <= jobs <= 64:
        raise InputError(f"--jobs must be 1 .. 64; got {jobs}")
    device = resolve_device(device).type
    root = paths.root()
    selected = snippet_paths(pattern)
    if not selected:
        raise InputError(
            f"no snippet path contains {pattern[:40]!r}; see `ls snippets/*/`"
        )
    for p in selected:
        if p.with_suffix(".out").is_dir():
            raise InputError(
                f"{p.with_suffix('.out')} is a directory; expected the output file of "
                f"{p.name}: remove the directory and run regen again"
            )
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda p: run_snippet(p, device), selected))
    failed = 0
    for r in results:
        out = r.path.with_suffix(".out")
        name = r.path.relative_to(root)
        if r.error:
            failed += 1
            print(f"FAILED  {name}\n{r.error}", file=sys.stderr)
            continue
        diff = (
            compare(out.read_text(errors="replace"), r.text)  # bad UTF-8 drifts
            if out.exists()
            else "(no committed output)"
        )
        if check:
            if diff:
                failed += 1
                print(f"DRIFT   {name}\n{diff}", file=sys.stderr)
            else:
                print(f"ok      {name}")
        else:
            out.write_text(r.text)
            print(f"{'changed' if diff else 'same':7} {out.relative_to(root)}")
    if not check and not failed:  # figures first: the notebooks embed them
        for path in draw_everything():
            print(f"drawn   {Path(path).relative_to(root)}")
    for problem in regions.sync(root, check):  # before the notebooks: they show it
        failed += 1
        print(f"CODE    {problem}", file=sys.stderr)
    for problem in notebooks.sync(root, check):
        failed += 1
        print(f"NOTEBOOK {problem}", file=sys.stderr)
    for problem in claims.sync(root, check):
        failed += 1
        print(f"CLAIMS  {problem}", file=sys.stderr)
    if failed:
        fix = "fix the failing snippets" + (
            ", then run `rnn-ref regen` for intended drift" if check else ""
        )
        print(
            f"error: {failed} snippets or notebooks drifted or failed; {fix}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def draw_everything() -> list[Path]:
    """Every figure and results table: the drawings made by code (the learned-state
    figures train two small GRUs, about 20 s), and the tables and plots re-rendered
    from committed measurements (which `rnn-ref ladder [--tutorial]`, `rnn-ref
    extrapolation`, `rnn-ref bench` and `rnn-ref tbptt` take minutes to hours to
    remeasure)."""
    from rnn_ref.site import (
        bench_report,
        extrapolation_report,
        figures,
        ladder_report,
        learned,
        tbptt_report,
        tutorial_report,
    )

    return [
        *figures.draw_all(),
        *ladder_report.redraw(),
        *tutorial_report.redraw(),
        *bench_report.redraw(),
        *tbptt_report.redraw(),
        extrapolation_report.redraw(),
        *learned.redraw(),  # trains two small GRUs: about 20 s
    ]
