"""`rnn-ref regen`: rerun every snippet and rewrite its output, or `--check` for it."""

from __future__ import annotations

import argparse

from rnn_ref.site import regen

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add `regen` to the `rnn-ref` command."""
    p = sub.add_parser(
        "regen",
        help="rerun every snippet and rewrite its output (or --check)",
        description=regen.__doc__.split("\n\n")[0],
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a snippet output drifted or a snippet failed",
    )
    p.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="cpu (default): the record the site shows; cuda: into <name>.cuda.out",
    )
    p.add_argument(
        "--only",
        default="",
        metavar="TEXT",
        help="only snippets whose path contains TEXT (figures and tables are left)",
    )
    p.add_argument(
        "--jobs", type=int, default=2, help="snippets run at once (default 2)"
    )
    p.set_defaults(func=lambda a: regen.regen(a.check, a.device, a.only, a.jobs))
