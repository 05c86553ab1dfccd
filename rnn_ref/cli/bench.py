"""`rnn-ref bench`: measure, write the JSON, draw the Performance page's tables, plots.

rnn-ref bench                      # every part, on the site's results file (1-4 min)
rnn-ref bench --quick --out /tmp/b.json
rnn-ref bench --only compile       # one part, merged into the site's results file
rnn-ref bench --redraw             # tables and figures from the committed JSON
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rnn_ref.cli import experiment_args, say
from rnn_ref.errors import InputError
from rnn_ref.experiments.bench import PARTS, THREADS, BenchConfig, run_bench
from rnn_ref.rundir import load_json, write_output
from rnn_ref.site import bench_report, paths

__all__ = ["register"]


def _read_results(out: Path) -> dict:
    with experiment_args.reading(
        out,
        "a JSON file written by `rnn-ref bench --out FILE`: pass that as --out",
    ):
        results = load_json(out.read_text())
        bench_report.render_tables(results)  # every field the report needs is there
    return results


def _merge(previous: dict, results: dict, part: str) -> dict:
    """`previous` with `part` replaced by the one in `results`; where, when and with
    which sizes the part ran is kept under `separate_runs`."""
    merged = {**previous, part: results[part]}
    merged["config"] = {**results["config"], **previous["config"]}  # new keys added
    merged["separate_runs"] = {
        **previous.get("separate_runs", {}),
        part: {k: results[k] for k in ("machine", "config", "elapsed_s")},
    }
    return merged


def _cmd_bench(args: argparse.Namespace) -> int:
    experiment_args.threads(args.threads)
    experiment_args.output(args.out, "--out")
    experiment_args.output(args.figures, "--figures", folder=True)
    site_json = paths.results() / "bench.json"
    out = Path(args.out) if args.out else site_json
    if args.redraw:
        results = _read_results(out)
        elapsed = results.get("elapsed_s", "?")
    else:
        config = BenchConfig.quick() if args.quick else BenchConfig()
        only = [args.only] if args.only else None
        # one part into an existing file replaces that part and keeps the others
        previous = _read_results(out) if only and out.exists() else None
        if previous is not None and previous.get("quick") != args.quick:
            raise InputError(
                f"{out} holds a {'quick' if previous.get('quick') else 'full'} run; "
                f"expected the same kind to merge --only {args.only} into it: "
                f"{'drop' if previous.get('quick') else 'add'} --quick, or pass "
                f"another --out"
            )
        results = run_bench(args.device, config, only, args.threads)
        elapsed = results["elapsed_s"]
        if previous is not None:
            results = _merge(previous, results, args.only)
        write_output(out, (json.dumps(results, indent=1) + "\n").encode())
    tables = bench_report.render_tables(results)
    write_output(bench_report.tables_path(out), tables.encode())
    print(tables)
    if out.resolve() == site_json.resolve() or args.figures:
        for path in bench_report.draw_figures(
            results, Path(args.figures) if args.figures else None
        ):
            say(f"figure  {path}")
    say(f"wrote {out} and {bench_report.tables_path(out)} ({elapsed} s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `bench` to the `rnn-ref` command."""
    p = sub.add_parser(
        "bench",
        help="measure reference vs torch, padded vs packed vs bucketed, loop vs scan",
        description="Side-by-side measurements, written to JSON and rendered "
        "into the site.",
    )
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument(
        "--quick", action="store_true", help="every part, small sizes (under a minute)"
    )
    p.add_argument(
        "--out",
        metavar="JSON",
        help="results file (default: the site's docs/assets/results/bench.json); the "
        "markdown tables are written next to it (*_tables.md)",
    )
    experiment_args.add_threads(p, THREADS)
    p.add_argument(
        "--only",
        choices=PARTS,
        help="measure one part only (merged into --out if it exists)",
    )
    p.add_argument(
        "--redraw",
        action="store_true",
        help="measure nothing: re-render tables and figures from --out",
    )
    p.add_argument(
        "--figures",
        metavar="DIR",
        help="draw the figures here (default: only when --out is the site's results "
        "file, into docs/assets/figures)",
    )
    p.set_defaults(func=_cmd_bench)
