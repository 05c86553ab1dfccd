"""The `rnn-ref` command: one entry point, a subcommand per job, one place for errors.

Each module named in `_COMMAND_MODULES` exposes `register(subparsers)`, which adds its
subcommands and sets `func(args) -> int` on each. Commands raise; `main` alone turns an
exception into one `error: ...` line on stderr and an exit code (see `rnn_ref.errors`):

| exception                                    | exit code |
| -------------------------------------------- | --------- |
| bad usage (argparse), `ValueError`, `InputError`, `CheckpointError` | 2 |
| `TrainingDiverged`                           | 3         |
| `OSError` (a disk, a pipe, a permission)     | 1         |
| `MemoryError` (past the estimates: a limit)  | 1         |
| `KeyboardInterrupt` (Ctrl-C)                 | 130       |
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading

from rnn_ref.errors import InputError, TrainingDiverged

__all__ = ["build_parser", "main", "say", "show_progress"]

_COMMAND_MODULES = [
    "rnn_ref.cli.regen",
    "rnn_ref.cli.train",
    "rnn_ref.cli.ladder",
    "rnn_ref.cli.bench",
    "rnn_ref.cli.lm",
    "rnn_ref.cli.tbptt",
    "rnn_ref.cli.extrapolation",
    "rnn_ref.cli.export",
]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is an `InputError` (one line), not a usage block."""

    def error(self, message: str):
        raise InputError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The `rnn-ref` parser with every subcommand registered."""
    parser = _Parser(
        prog="rnn-ref", description="How PyTorch's RNNs compute, and how to train them."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def show_progress(quiet: bool) -> bool:
    """Whether a command draws a progress bar: not `--quiet`, and stderr a terminal
    (`2>&-` closes it: Python's `sys.stderr` is then None)."""
    return not quiet and sys.stderr is not None and sys.stderr.isatty()


def say(line: str) -> None:
    """`line` on stderr; nowhere when it is closed (`print(file=None)` would write it
    to stdout, among a command's results)."""
    if sys.stderr is not None:
        print(line, file=sys.stderr)


def _exit_code(error: BaseException) -> int:
    """Print one line for `error` on stderr and return its exit code; re-raise a bug."""
    if isinstance(error, KeyboardInterrupt):
        say("interrupted" + (f"; {error.args[0]}" if error.args else ""))
        return 130
    if isinstance(error, TrainingDiverged):
        code = 3
    elif isinstance(error, ValueError):
        code = 2
    elif isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        if isinstance(error, BrokenPipeError) or error.filename is None:
            _drop_stdout()  # it may be what failed; so would the flush at exit
        error, code = f"{error.strerror or error}{where}", 1
    elif isinstance(error, MemoryError):  # each command estimates, but roughly
        error, code = "out of memory; lower the sizes or lengths you asked for", 1
    else:
        raise error
    say("error: " + " ".join(str(error).split()))  # one line, whatever it quoted
    return code


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so nothing more is written to a broken or full one."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (tests, closed)
        pass


def _interrupted_at_start_up(signum, frame) -> None:
    say("interrupted")
    os._exit(130)


def main(argv: list[str] | None = None) -> int:
    """Run `rnn-ref` with `argv` (default: the command line); return the exit code.

    Ctrl-C is 130 from the first line on: the imports of torch and of the commands
    happen inside (`rnn_ref` itself imports nothing until used).
    """
    try:
        # a Ctrl-C inside an import (torch's takes seconds) can surface as another
        # exception from the half-imported module: during start-up it exits at once
        main_thread = threading.current_thread() is threading.main_thread()
        if main_thread:
            previous = signal.signal(signal.SIGINT, _interrupted_at_start_up)
        try:
            args = build_parser().parse_args(argv)
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)
        if sys.stdout is None:  # `>&-`: every command prints its result there
            raise InputError("stdout is closed; redirect it to a file or a pipe")
        code = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # a full disk or a closed pipe is reported here
        return code
    except (KeyboardInterrupt, ValueError, TrainingDiverged, OSError, MemoryError) as e:
        return _exit_code(e)
