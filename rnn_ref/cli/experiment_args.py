"""What the experiment commands (`ladder`, `extrapolation`, `bench`, `tbptt`) share:
their `--seeds`, `--threads` and `--out` arguments, and reading them back.

Each command still words its own help and its own error for a bad combination; this
module checks the values every command checks the same way.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rnn_ref.errors import InputError
from rnn_ref.site import paths

__all__ = [
    "add_seeds",
    "add_threads",
    "names",
    "too_small",
    "threads",
    "results_path",
    "reading",
]


def add_seeds(
    p: argparse.ArgumentParser, default: int | None, per: str, said: str = ""
) -> None:
    """`--seeds N`: every run over seeds 0 .. N-1 (`said`: the default in words)."""
    help = f"seeds per {per}, 0 .. N-1 (default {said or default})"
    p.add_argument("--seeds", type=int, default=default, help=help)


def add_threads(p: argparse.ArgumentParser, default: int, why: str = "") -> None:
    """`--threads N`: torch's intra-op CPU threads, checked by `threads`."""
    help = (
        f"torch CPU threads, 1 .. 1024 (default {default}{': ' + why if why else ''})"
    )
    p.add_argument("--threads", type=int, default=default, help=help)


def names(
    text: str | None, known: Iterable[str], default: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """The comma-separated names in `text` (`default` when it is empty), and those of
    them that are not `known`.

    Examples:
        >>> names(" a, b,,c ", ["a", "b"])
        (['a', 'b', 'c'], ['c'])
        >>> names(None, ["a", "b"], default=["a"])
        (['a'], [])
    """
    chosen = (
        [n.strip() for n in text.split(",") if n.strip()] if text else list(default)
    )
    return chosen, [n for n in chosen if n not in set(known)]


def too_small(**counts: int | None) -> bool:
    """Whether a given count (`None`: not given) is below 1.

    Examples:
        >>> too_small(seeds=3, steps=None), too_small(seeds=3, samples=0)
        (False, True)
    """
    return any(n is not None and n < 1 for n in counts.values())


def threads(n: int) -> int:
    """`n`, checked as a `--threads` value.

    Examples:
        >>> threads(0)
        Traceback (most recent call last):
        ...
        rnn_ref.errors.InputError: --threads must be 1 .. 1024; got 0
    """
    if not 1 <= n <= 1024:
        raise InputError(f"--threads must be 1 .. 1024; got {n}")
    return n


def results_path(out: str | None, name: str) -> Path:
    """`name` in the `--out` folder, or in the site's results without one."""
    return Path(out or paths.results()) / name


@contextmanager
def reading(
    json_path: Path,
    expected: str,
    verb: str = "redraw from",
) -> Iterator[None]:
    """Inside: a report read from `json_path` (with `rnn_ref.rundir.load_json`) and
    rendered; what a file of another shape raises there (a missing key, a list for a
    dict, a string for a number) becomes an `InputError` that names it and says what
    was `expected`."""
    try:
        yield
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
        why = (str(e).splitlines() or [""])[0][:120]
        raise InputError(
            f"cannot {verb} {json_path} ({type(e).__name__}: {why}); expected "
            f"{expected}"
        ) from None
