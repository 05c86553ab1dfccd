"""`rnn-ref extrapolation`: train attempts at the extrapolation target, record them."""

from __future__ import annotations

import argparse
import json

import torch

from rnn_ref.cli import experiment_args
from rnn_ref.errors import InputError
from rnn_ref.experiments.extrapolation import ATTEMPTS, run_attempt
from rnn_ref.rundir import load_json, write_output
from rnn_ref.site import extrapolation_report

__all__ = ["register"]


def _cmd_extrapolation(args: argparse.Namespace) -> int:
    names, unknown = experiment_args.names(args.attempts, ATTEMPTS)
    if unknown or not names:
        raise InputError(
            f"got attempts {names}; expected attempts from {', '.join(ATTEMPTS)}"
        )
    experiment_args.counts(seeds=args.seeds)
    experiment_args.output(args.out, "--out", folder=True)
    torch.set_num_threads(experiment_args.threads(args.threads))
    json_path = experiment_args.results_path(args.out, "extrapolation.json")
    results = {"attempts": []}
    if json_path.exists():  # checked whole before anything trains
        with experiment_args.reading(
            json_path, "an extrapolation.json written by `rnn-ref extrapolation`"
        ):
            results = load_json(json_path.read_text())
            extrapolation_report.render_tables(results)
    for name in names:
        previous = next((a for a in results["attempts"] if a["name"] == name), None)

        def save(attempt: dict, results: dict = results) -> None:
            """Merge `attempt` into the JSON (replacing its namesake), in ATTEMPTS'
            order; after every run, so a long sweep keeps what it has measured."""
            kept = [a for a in results["attempts"] if a["name"] != attempt["name"]]
            order = list(ATTEMPTS)
            results["attempts"] = sorted(
                [*kept, attempt], key=lambda a: order.index(a["name"])
            )
            write_output(json_path, (json.dumps(results, indent=1) + "\n").encode())

        attempt = run_attempt(name, args.seeds, print, previous, save)
        save(attempt)
        print(f"{name}: target {'met' if attempt['meets_target'] else 'missed'}")
    if not args.out:
        print("wrote", extrapolation_report.redraw())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `extrapolation` to the `rnn-ref` command."""
    p = subparsers.add_parser(
        "extrapolation",
        help="train attempts at the length-100/1000 target, record them",
        description="Train each attempt (both cells, seeds 0 .. seeds-1, lengths "
        "1-20), measure accuracy at lengths 100 and 1000, and merge the results into "
        "extrapolation.json (replacing attempts of the same name).",
    )
    p.add_argument(
        "--attempts",
        default="defaults",
        help=f"comma-separated, from: {', '.join(ATTEMPTS)} (default: defaults)",
    )
    experiment_args.add_seeds(p, 3, "cell")
    experiment_args.add_threads(p, 1)
    p.add_argument(
        "--out",
        help="folder for extrapolation.json (default: the site's results; "
        "then the chapter's table is re-rendered too)",
    )
    p.set_defaults(func=_cmd_extrapolation)
