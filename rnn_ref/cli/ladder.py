"""`rnn-ref ladder`: train the tuning ladder over seeds, or redraw its report."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from rnn_ref.cli import experiment_args, ladder_tutorial
from rnn_ref.errors import InputError
from rnn_ref.experiments.ladder import LENGTHS, run_ladder
from rnn_ref.experiments.ladder_rungs import DEFAULT_RUNGS, RUNGS, check_targets
from rnn_ref.experiments.tutorial import RUNGS as TUTORIAL_RUNGS
from rnn_ref.rundir import write_output
from rnn_ref.site.ladder_report import fmt, redraw, summary_cells

__all__ = ["register"]


def _cmd_ladder(args: argparse.Namespace) -> int:
    if args.seeds is None:
        args.seeds = 5 if args.tutorial else 3
    experiment_args.counts(seeds=args.seeds, steps=args.steps, samples=args.samples)
    experiment_args.output(args.out, "--out", folder=True)
    if args.tutorial:
        return ladder_tutorial.run(args)
    if args.resume:
        raise InputError(
            "--resume works with --tutorial only; add --tutorial or drop --resume"
        )
    json_path = experiment_args.results_path(args.out, "ladder.json")
    if args.redraw:
        with experiment_args.reading(
            json_path,
            "a ladder.json written by `rnn-ref ladder --out DIR`: pass that DIR as "
            "--out",
        ):
            written = redraw(json_path, Path(args.out) if args.out else None)
        print("wrote", ", ".join(str(p) for p in written))
        return 0
    names, unknown = experiment_args.names(args.rungs, RUNGS, DEFAULT_RUNGS)
    if unknown or not names:
        raise InputError(
            f"unknown rungs {unknown}; expected rungs from {', '.join(RUNGS)}"
        )
    torch.set_num_threads(experiment_args.threads(args.threads))
    t0 = time.perf_counter()
    results = run_ladder(
        names,
        args.seeds,
        args.steps,
        args.samples,
        log=(lambda *a: None) if args.quiet else print,
    )
    results["wall_seconds"] = round(time.perf_counter() - t0, 1)
    results["load_average_at_end"] = [
        round(x, 2) for x in os.getloadavg()
    ]  # timings are shared-CPU timings
    write_output(json_path, (json.dumps(results, indent=1) + "\n").encode())
    written = redraw(json_path, Path(args.out) if args.out else None)
    print(
        f"\n{'rung':>16} | final acc | 2-5 (10k) | steps to 99% | s to 99% | "
        "steps to 100% | s to 100% | " + " | ".join(f"len {k}" for k in LENGTHS)
    )
    for rung in results["rungs"]:
        s = rung["summary"]
        print(
            f"{rung['name']:>16} | "
            + " | ".join(
                summary_cells(s) + [fmt(s["by_length"][str(k)], ".2%") for k in LENGTHS]
            )
        )
    print()
    for target, met in check_targets(results):
        print(f"{target}: {', '.join(met) or 'no rung'}")
    print(
        f"\n{results['wall_seconds']:.0f} s in all; wrote {json_path}, "
        + ", ".join(map(str, written))
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `ladder` to the `rnn-ref` command."""
    p = subparsers.add_parser(
        "ladder",
        help="rerun the tuning ladder over seeds",
        description="Train each rung over seeds; write ladder.json, ladder_tables.md, "
        "ladder.svg and extrapolation.svg. With --tutorial: the tutorial's rungs as "
        "its script ran them; tutorial.json, tutorial_tables.md, tutorial_loss.svg and "
        "tutorial_accuracy.svg.",
    )
    p.add_argument(
        "--tutorial",
        action="store_true",
        help="the tutorial's own ladder as its script ran it (--seeds default 5; "
        f"--rungs from: {', '.join(TUTORIAL_RUNGS)})",
    )
    experiment_args.add_seeds(p, None, "rung", said="3; 5 with --tutorial")
    p.add_argument(
        "--steps", type=int, help="step budget for every run (default: each rung's own)"
    )
    p.add_argument(
        "--rungs", help=f"comma-separated, from: {', '.join(RUNGS)} (default: all)"
    )
    p.add_argument(
        "--samples", type=int, default=1000, help="sequences per extrapolation length"
    )
    experiment_args.add_threads(p, 1, "these small models gain nothing from more")
    p.add_argument(
        "--out",
        help="directory for all four files "
        "(default: docs/assets/results/ and docs/assets/figures/)",
    )
    p.add_argument("--quiet", action="store_true", help="only the final table")
    p.add_argument(
        "--resume",
        action="store_true",
        help="with --tutorial: keep the runs already in --out's tutorial.json",
    )
    p.add_argument(
        "--redraw",
        action="store_true",
        help="train nothing: re-render the tables and figures from the ladder.json "
        "(tutorial.json with --tutorial) in --out",
    )
    p.set_defaults(func=_cmd_ladder)
