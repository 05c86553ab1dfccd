"""`rnn-ref tbptt`: measure truncated BPTT (graph growth, what k learns, state between
batches) over seeds, or redraw the page's tables from the committed results."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from rnn_ref.cli import experiment_args
from rnn_ref.experiments.tbptt import run
from rnn_ref.experiments.timing import machine_info, torch_threads
from rnn_ref.rundir import load_json, write_output
from rnn_ref.site import paths
from rnn_ref.site.tbptt_report import lm_tables, redraw

__all__ = ["register"]


def _cmd_tbptt(args: argparse.Namespace) -> int:
    json_path = Path(args.out) if args.out else paths.results() / "tbptt.json"
    experiment_args.output(args.out, "--out")
    lm_path = json_path.with_name("lm.json")
    if lm_path.is_file():  # read with the results: checked before anything runs
        with experiment_args.reading(lm_path, "an lm.json of `rnn-ref lm train`"):
            lm_tables(load_json(lm_path.read_text()))
    if not args.redraw:
        experiment_args.counts(seeds=args.seeds)
        with torch_threads(1):  # small models: one thread, steadier on a busy machine
            t0 = time.perf_counter()
            results = run(args.seeds)
            results["machine"] = machine_info(torch.device("cpu"))
            results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
            results["wall_seconds"] = round(time.perf_counter() - t0, 1)
        write_output(json_path, (json.dumps(results, indent=1) + "\n").encode())
        print(f"wrote {json_path}")
    with experiment_args.reading(
        json_path,
        "a tbptt.json written by `rnn-ref tbptt --out FILE`: pass that FILE as --out",
    ):  # from the results, not re-read: --out may be /dev/null or a FIFO
        written = redraw(json_path, results=None if args.redraw else results)
    print("wrote", ", ".join(str(p) for p in written))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tbptt` to the `rnn-ref` command."""
    p = subparsers.add_parser(
        "tbptt",
        help="measure truncated BPTT over seeds (about 3 min on one core)",
        description=__doc__.split("\n\n")[0],
    )
    experiment_args.add_seeds(p, 3, "pair (d, k)")
    p.add_argument(
        "--out", help="the JSON to write (default: docs/assets/results/tbptt.json)"
    )
    p.add_argument(
        "--redraw", action="store_true", help="only re-render the tables from --out"
    )
    p.set_defaults(func=_cmd_tbptt)
