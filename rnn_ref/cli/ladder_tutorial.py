"""`rnn-ref ladder --tutorial`: the tutorial's ladder as its script ran it, over seeds.

Writes `tutorial.json` after every run (so an interrupted sweep keeps what it trained;
`--resume` continues it), then `tutorial_tables.md` and the two figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from rnn_ref.cli import experiment_args
from rnn_ref.errors import InputError
from rnn_ref.experiments.tutorial import RUNGS
from rnn_ref.experiments.tutorial_run import kept_runs, run_tutorial
from rnn_ref.experiments.tutorial_verdicts import verdict, with_rules
from rnn_ref.rundir import load_json, write_output
from rnn_ref.site.tutorial_report import redraw

__all__ = ["run"]


def _json_path(args: argparse.Namespace) -> Path:
    return experiment_args.results_path(args.out, "tutorial.json")


def _redraw(args: argparse.Namespace) -> list[Path]:
    json_path = _json_path(args)
    with experiment_args.reading(
        json_path,
        "a tutorial.json written by `rnn-ref ladder --tutorial --out DIR`: pass that "
        "DIR as --out",
    ):
        return redraw(json_path, Path(args.out) if args.out else None)


def run(args: argparse.Namespace) -> int:
    """Train (or with `--redraw` only re-render) the tutorial's rungs; return 0."""
    if args.redraw:
        print("wrote", ", ".join(map(str, _redraw(args))))
        return 0
    names, unknown = experiment_args.names(args.rungs, RUNGS, RUNGS)
    if unknown or not names:
        raise InputError(
            f"unknown rungs {unknown}; expected --tutorial rungs from "
            f"{', '.join(RUNGS)}"
        )
    json_path = _json_path(args)
    previous = None
    if args.resume and json_path.exists():
        with experiment_args.reading(
            json_path,
            "the tutorial.json of an earlier run: delete it or drop --resume",
            verb="resume from",
        ):
            previous = load_json(json_path.read_text())
            kept_runs(previous)  # the runs it keeps: read before anything trains
    torch.set_num_threads(experiment_args.threads(args.threads))
    t0 = time.perf_counter()
    spent = (previous or {}).get("wall_seconds", 0.0)

    def save(results: dict) -> None:
        results["wall_seconds"] = round(spent + time.perf_counter() - t0, 1)
        # timings are shared-CPU timings: say how shared
        results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        write_output(json_path, (json.dumps(results, indent=1) + "\n").encode())

    def log(line: str) -> None:
        if not args.quiet or not line.startswith("  "):
            print(line, flush=True)

    results = run_tutorial(
        names, args.seeds, args.steps, log=log, on_run=save, previous=previous
    )
    save(results)
    written = _redraw(args)
    rungs = with_rules(results)
    print(f"\n{'rung':>20} | 100-sample | 10,000-sample | verdict")
    for name, r in rungs.items():
        a100 = sum(x["final_100"] for x in r["runs"]) / len(r["runs"])
        a10k = sum(x["final_10k"] for x in r["runs"]) / len(r["runs"])
        print(f"{name:>20} | {a100:10.1%} | {a10k:13.2%} | {verdict(r, rungs)}")
    print(
        f"\n{results['wall_seconds']:.0f} s in all; wrote {json_path}, "
        + ", ".join(map(str, written))
    )
    return 0
