"""Regenerate the outputs shown on the site, or check them for drift.

Every `snippets/<page>/<name>.py` runs in a fresh Python process, from an empty
temporary folder (so it only works if a reader could copy it into a fresh file), and its
stdout is written next to it as `<name>.out`. The first line of each output file names
the device and torch version that produced it. `--check` writes nothing: it compares
(text exactly, numbers within a tolerance) and exits 1 on drift or a failing snippet. It
checks snippet outputs only; the tests compare figures and tables with fresh drawings.
After rewriting outputs with no failure, regen redraws every figure and re-renders the
ladder and bench tables from their committed JSON (remeasuring those is `rnn-ref ladder`
/ `rnn-ref bench`).

    rnn-ref regen                  # rewrite every .out
    rnn-ref regen --check          # report drift only
    rnn-ref regen --device cuda    # run the snippets where a GPU is visible
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rnn_ref.config import resolve_device
from rnn_ref.errors import InputError
from rnn_ref.site import claims, notebooks, paths

__all__ = [
    "Result",
    "snippet_paths",
    "run_snippet",
    "compare",
    "regen",
    "draw_everything",
]

TOLERANCE = 1e-4
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


def run_snippet(path: Path, device: str = "cpu") -> Result:
    """Run a snippet in a fresh process from an empty folder; capture what it prints."""
    import torch

    root = paths.root()
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(root), MPLBACKEND="Agg")
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = (
            ""  # snippets that pick "cuda if available" get the CPU
        )
    name = path.relative_to(root) if path.is_relative_to(root) else path
    header = f"# {name} · device: {device} · torch {torch.__version__}"
    with tempfile.TemporaryDirectory() as cwd:
        try:
            proc = subprocess.run(
                [sys.executable, str(path)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            return Result(path, header, "", "timed out after 600 s")
    error = (
        proc.stderr.strip() or "(nothing on stderr)"
    ) + f"\nexit code {proc.returncode}"
    return Result(path, header, proc.stdout, error if proc.returncode else "")


def compare(expected: str, actual: str, tol: float = TOLERANCE) -> str:
    """Return "" when the outputs agree, else a unified diff.

    The header line is not compared (it names the machine). Text must match exactly;
    numbers may differ by `tol` (absolute, or relative for large numbers).
    """
    exp_lines, act_lines = expected.splitlines()[1:], actual.splitlines()[1:]
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


def _lines_match(expected: str, actual: str, tol: float) -> bool:
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual):
        return False
    for e, a in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True):
        e, a = float(e), float(a)
        if abs(e - a) > tol * max(1.0, abs(e)):
            return False
    return True


def regen(
    check: bool = False, device: str = "auto", pattern: str = "", jobs: int = 2
) -> int:
    """Rerun the snippets whose path contains `pattern`; rewrite or check their outputs.

    Returns the exit code: 0, or 1 when a snippet failed or (with `check`) drifted.
    """
    device = resolve_device(device).type
    root = paths.root()
    selected = snippet_paths(pattern)
    if not selected:
        raise InputError(f"no snippet path contains {pattern!r}; see `ls snippets/*/`")
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
            compare(out.read_text(), r.text)
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
    if not check and not failed:
        for path in draw_everything():
            print(f"drawn   {Path(path).relative_to(root)}")
    return 1 if failed else 0


def draw_everything() -> list[Path]:
    """Every figure and results table: the drawings made by code, and the ladder and
    bench tables and plots re-rendered from their committed measurements (which
    `rnn-ref ladder` and `rnn-ref bench` take minutes to remeasure)."""
    from rnn_ref.site import bench_report, figures, ladder_report

    return [*figures.draw_all(), *ladder_report.redraw(), *bench_report.redraw()]
