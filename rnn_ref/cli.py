"""The `rnn-ref` command: one entry point, a subcommand per job.

Each module named in `_COMMAND_MODULES` exposes `register(subparsers)`, which adds its
subcommands and sets `func(args) -> int` on each.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["build_parser", "main"]

_COMMAND_MODULES = ["rnn_ref.regen", "rnn_ref.train_cli", "rnn_ref.ladder", "rnn_ref.bench"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnn-ref", description="How PyTorch's RNNs compute, and how to train them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # predict, evaluate, ...: no traceback (train says more itself)
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
