"""What the experiment commands (`ladder`, `extrapolation`, `bench`, `tbptt`) share:
their `--seeds`, `--threads` and `--out` arguments, and reading them back; and what
every command checks before its work starts: counts in range, outputs it can write.

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
    "counts",
    "output",
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


# the most each count may be: far beyond any run of the site, far below endless
MOST = {"seeds": 1000, "steps": 10**9, "samples": 10**7}


def counts(**given: int | None) -> None:
    """An `InputError` for a given count (`None`: not given) outside 1 .. `MOST`.

    Examples:
        >>> counts(seeds=3, steps=None)
        >>> counts(seeds=3, samples=0)
        Traceback (most recent call last):
        ...
        rnn_ref.errors.InputError: --samples must be 1 .. 10,000,000; got 0
    """
    for name, n in given.items():
        if n is not None and not 1 <= n <= MOST[name]:
            raise InputError(f"--{name} must be 1 .. {MOST[name]:,}; got {n}")


def output(path: str | None, flag: str, folder: bool = False) -> None:
    """An `InputError`, before any work, for a `flag` that cannot be written: a path
    under something that is not a directory (`notes.txt/r.json`, `/dev/null/r.json`),
    a folder that is a file or a file that is a folder.

    Examples:
        >>> output("/dev/null/r.json", "--out")
        Traceback (most recent call last):
        ...
        rnn_ref.errors.InputError: --out /dev/null/r.json: /dev/null is not a dir...
    """
    if not path:
        return
    path = Path(path)
    # the nearest that exists: "." or "/" at the least, or "/" itself
    parent = next((p for p in path.parents if p.exists()), path)
    if not parent.is_dir():
        raise InputError(
            f"{flag} {path}: {parent} is not a directory; pass a path under a directory"
        )
    if path.exists() and path.is_dir() != folder:
        raise InputError(
            f"{flag} {path} is {'not ' if folder else ''}a directory; pass "
            f"{'a folder' if folder else 'a file path'}"
        )


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
