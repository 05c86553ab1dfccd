"""Regenerate the outputs shown on the site, or check them for drift.

Every `snippets/<page>/<name>.py` runs in a fresh process from an empty folder
(`rnn_ref.site.snippets`), with the kernel pins of `rnn_ref.site.platform`, and its
stdout is written next to it as `<name>.out`, headed by the platform that produced it.
`--check` writes nothing: it compares (`rnn_ref.site.records`: exact text where the
platform running is the recorded one, numbers within a tolerance elsewhere, a training
run's output not at all) and exits 1 on drift or a failing snippet. With
`--device cuda`, outputs go to `<name>.cuda.out`, apart from the CPU record.
After rewriting CPU outputs with no failure, regen redraws every figure and re-renders
the results tables from their committed JSON (remeasuring those is `rnn-ref ladder`,
`rnn-ref bench`, ...) in a pinned process, then writes the package code the pages show
(`rnn_ref.site.regions`), the chapter notebooks (which embed the figures) and the Claims
page; `--check` reports those three when stale, and figures, tables and numbers that
training or drawing would now give otherwise.

    rnn-ref regen                  # rewrite every .out, figure and table
    rnn-ref regen --check          # report drift only
    rnn-ref regen --device cuda    # run the snippets on a GPU, into *.cuda.out
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rnn_ref.config import resolve_device
from rnn_ref.errors import InputError
from rnn_ref.rundir import write_output
from rnn_ref.site import claims, notebooks, paths, platform, regions
from rnn_ref.site.records import (
    compare,
    drawing_mismatch,
    drawn_with,
    mixed_records,
    read_output,
    recorded_platform,
)
from rnn_ref.site.snippets import (
    output_path,
    run_snippet,
    site_env,
    snippet_paths,
    snippet_trains,
)

__all__ = ["regen", "draw_everything"]


def regen(
    check: bool = False, device: str = "cpu", pattern: str = "", jobs: int = 2
) -> int:
    """Rerun the snippets whose path contains `pattern`; rewrite or check their outputs,
    then (on the CPU, with no `pattern`) every figure and table, and the generated
    page sources.

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
        out = output_path(p, device)
        if out.is_symlink() or (out.exists() and not out.is_file()):
            raise InputError(
                f"{out} is not a regular file; expected the output file of {p.name}"
                ": remove it and run regen again"
            )
    if device == "cpu" and not check and not platform.pinnable():
        raise InputError(
            "this machine cannot compute pinned (an x86-64 CPU with AVX2 under "
            "Linux), so it would rewrite the CPU record with other digits; run "
            "`rnn-ref regen --check` here, or regen on such a machine"
        )
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        results = list(pool.map(lambda p: run_snippet(p, device), selected))
    finally:  # Ctrl-C: no waiting for the queued snippets
        pool.shutdown(wait=False, cancel_futures=True)
    problems = [f"RECORD  {p}" for p in mixed_records()] if check else []
    for r in results:
        out, name = output_path(r.path, device), r.path.relative_to(root)
        committed = read_output(out) if out.exists() else ""
        reason = platform.mismatch(
            recorded_platform(committed), recorded_platform(r.text)
        )
        if r.error:
            problems.append(f"FAILED  {name}\n{r.error}")
        elif not check:
            write_output(out, r.text.encode())
            print(f"{'same' if committed == r.text else 'changed':7} {out.name}")
        elif not committed:
            problems.append(f"DRIFT   {name}: no committed output {out.name}")
        elif reason and snippet_trains(r.path):
            print(f"skip    {name}: a training run, {reason}")
        elif diff := compare(committed, r.text):
            problems.append(f"DRIFT   {name}\n{diff}")
        else:
            print(f"ok      {name}")
    if device == "cpu" and not pattern and (check or not problems):
        problems += _drawings(check)  # figures first: the notebooks embed them
    for kind, module in (
        ("CODE", regions),
        ("NOTEBOOK", notebooks),
        ("CLAIMS", claims),
    ):
        problems += [f"{kind:7} {p}" for p in module.sync(root, check)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        fix = "fix what failed" + (
            "; for intended drift, run `rnn-ref regen` and commit" if check else ""
        )
        print(
            f"error: {len(problems)} outputs drifted or failed; {fix}", file=sys.stderr
        )
    return 1 if problems else 0


def _drawings(check: bool) -> list[str]:
    """Redraw every figure and table in a pinned process: in place, or (`check`) into
    a temporary folder, then compare with what is committed."""
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            "import sys\nfrom pathlib import Path\n"
            "from rnn_ref.site.regen import draw_everything\n"
            "tmp = Path(sys.argv[1]) if sys.argv[1:] else None\n"
            "for p in draw_everything(tmp): print(p)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, *([tmp] if check else [])],
            env=site_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            return [f"DRAWING failed:\n{proc.stderr.strip()[-3000:]}"]
        drawn = [Path(line) for line in proc.stdout.split("\n") if line]
        if not check:
            for path in drawn:
                print(f"drawn   {path.relative_to(paths.root())}")
            return []
        return [p for p in map(_compare_drawing, drawn) if p]


def _compare_drawing(new: Path) -> str:
    """ "" if a fresh drawing or table matches the committed one (or cannot be compared
    here: the reason is printed), else the problem."""
    import matplotlib

    home = paths.figures() if new.suffix == ".svg" else paths.results()
    committed = home / new.name
    name = committed.relative_to(paths.root())
    if not committed.exists():
        return f"DRAWN   {name} is not committed"
    old, fresh = read_output(committed), new.read_text()
    drawn = drawn_with(old)
    if drawn and drawn != matplotlib.__version__:
        print(
            f"skip    {name}: drawn with matplotlib {drawn}, this is "
            f"{matplotlib.__version__}"
        )
        return ""
    if reason := drawing_mismatch(old, fresh):
        print(f"skip    {name}: {reason}")
        return ""
    if old != fresh:
        return f"DRAWN   {name} is stale"
    print(f"ok      {name}")
    return ""


def draw_everything(tmp: Path | None = None) -> list[Path]:
    """Every figure and results table: the drawings made by code (the learned-state
    figures and the gradients page's trained curves share two small GRUs, about 20 s
    of training), and the tables and plots re-rendered
    from committed measurements (which `rnn-ref ladder [--tutorial]`, `rnn-ref
    extrapolation`, `rnn-ref bench` and `rnn-ref tbptt` take minutes to hours to
    remeasure). Into the site, or into `tmp` (the committed JSON copied there first).
    """
    import shutil

    from rnn_ref.site import (
        bench_report,
        extrapolation_report,
        figures,
        gradient_figures,
        ladder_report,
        learned,
        tbptt_report,
        tutorial_report,
    )

    results, figs = paths.results(), None
    if tmp is not None:
        results, figs = tmp / "results", tmp / "figures"
        shutil.copytree(paths.results(), results, ignore=shutil.ignore_patterns("*.md"))
    return [
        *figures.draw_all(figs),
        *gradient_figures.redraw_tables(results),  # the GRUs figures.draw_all trained
        *ladder_report.redraw(results / "ladder.json", figs),
        *tutorial_report.redraw(results / "tutorial.json", figs),
        *bench_report.redraw(results / "bench.json", figs),
        *tbptt_report.redraw(results / "tbptt.json"),
        extrapolation_report.redraw(results / "extrapolation.json"),
        *learned.redraw(figs, results),  # trains two small GRUs: about 20 s
    ]
