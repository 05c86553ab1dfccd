"""A run directory on disk: one owner at a time, files committed whole, checksums.

`rnn_ref.checkpoint` decides *what* a run directory holds; this module decides *how*
it reaches the disk, for both trainers (the classifier's and the language model's), so
that nothing is lost whatever moment a crash, a kill or a power cut hits:

* `claim`: a directory is checked to be ours before anything is created in it, locked
  (`RunLock`: an advisory `fcntl.flock` on `<out>/.lock`, held for the whole run; a
  second process gets an `InputError` naming the holder's pid and host), cleared of
  the temporary files of a killed save, and given its config first.
* `commit`: each file is written whole (`rnn_ref.atomic.write_atomic`).
  `manifest.json` holds the sha256 of each file; during a commit it lists both the old
  and the new checksum, so every state a crash can leave verifies.
* `verify`: a file whose checksum is not in the manifest is a `CheckpointError` naming
  it and the manifest (which of the two changed, nothing on disk can tell); torch does
  not check its zip's CRC: a flipped byte would load silently.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import socket
from collections.abc import Callable, Collection
from pathlib import Path

from rnn_ref.atomic import write_atomic, write_output
from rnn_ref.errors import CheckpointError, InputError

__all__ = [
    "RunLock",
    "claim",
    "commit",
    "verify",
    "write_atomic",
    "write_output",
    "ours",
    "load_json",
    "MANIFEST",
    "MANIFEST_FORMAT",
    "LOCK",
    "RUN_FILES",
]

MANIFEST = "manifest.json"
# the marker of a manifest of ours (manifests written before it are recognised by
# their exact structure: see `_manifest_files`)
MANIFEST_FORMAT = "rnn-ref run directory manifest, version 1"
LOCK = ".lock"


def load_json(data: bytes | str):
    """`json.loads(data)`, with JSON nested too deeply for Python's recursion limit
    (`[[[...]]]`, a RecursionError) raised as the `ValueError` of any bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def ours(path: Path, files: Collection[str] = ()) -> bool:
    """Whether `path` is bookkeeping this module leaves behind: the lock, a temporary
    file of a save of the manifest or of one of `files`, or a manifest of ours.

    Each is recognised by what a user's file will not carry: the lock by its
    `pid N on HOST` line, a temporary file by `write_atomic`'s name for it
    (`.<name>.<8 random characters>.tmp`: a user's `.draft.tmp` is not one), the
    manifest by its structure (`_manifest_files`).
    """
    name = path.name
    if name == LOCK:
        try:
            return _LOCK_LINE.fullmatch(path.read_bytes()) is not None
        except OSError:
            return False
    found = _TEMPORARY.fullmatch(name)
    if found:
        return found.group(1) in {MANIFEST, *files}
    if name != MANIFEST:
        return False
    try:
        return _manifest_files(path.read_bytes()) is not None
    except OSError:
        return False


# the names of write_atomic's temporary files; mkstemp's (before it) had [a-z0-9_]
_TEMPORARY = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")
_LOCK_LINE = re.compile(rb"(pid [0-9]+ on [^\n]*\n)?")


class RunLock:
    """Own the run directory `out` (created if missing) until `release`.

    Examples:
        >>> import tempfile
        >>> from rnn_ref.rundir import RunLock
        >>> with RunLock(tempfile.mkdtemp()) as lock:
        ...     lock.out.joinpath(".lock").is_file()
        True
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / LOCK
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(self._fd, 200).decode(errors="replace").strip()
            os.close(self._fd)
            raise InputError(
                f"{self.out} is in use by another run ({holder or 'unknown holder'}, "
                f"lock {path}); wait for it to finish, or pass another --out"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())

    def release(self) -> None:
        """Let another process own the directory (closing the file drops the lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _manifest_files(data: bytes) -> dict[str, list[str]] | None:
    """The checksums (name -> sha256s) a manifest of ours holds; None if `data` is not
    one (a user's `manifest.json`, or one damaged).

    Ours is `{"format": MANIFEST_FORMAT, "sha256": "of each file", "files": {name:
    [hex digest, ...]}}`; one written before the marker has the same keys but
    `format`.
    """
    try:
        manifest = load_json(data)
    except ValueError:
        return None
    if not isinstance(manifest, dict) or set(manifest) - {"format"} != {
        "sha256",
        "files",
    }:
        return None
    files = manifest["files"]
    if (
        manifest.get("format", MANIFEST_FORMAT) != MANIFEST_FORMAT
        or manifest["sha256"] != "of each file"
        or not isinstance(files, dict)
    ):
        return None
    for digests in files.values():
        if not isinstance(digests, list) or not all(
            isinstance(h, str) and _SHA256.fullmatch(h) for h in digests
        ):
            return None
    return files


def _read_manifest(out: Path) -> dict[str, list[str]]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    files = _manifest_files(path.read_bytes())
    if files is None:
        raise CheckpointError(
            f"{path} is corrupt (not a manifest rnn-ref wrote); restore it, or delete "
            f"it to load the run unverified"
        )
    return files


def commit(out: str | Path, files: dict[str, bytes]) -> None:
    """Write `files` (name -> contents) into `out` so that a crash at any moment leaves
    every file either old or new, and each one verifiable against `manifest.json`."""
    out = Path(out)
    manifest = _read_manifest(out)
    new = {name: _sha256(data) for name, data in files.items()}
    # 1. the manifest accepts the old and the new version of every file
    both = {k: list(v) for k, v in manifest.items()}
    for name, digest in new.items():
        both[name] = [*both.get(name, []), digest]
    write_atomic(out / MANIFEST, _manifest_bytes(both))
    # 2. the files, in the order given (the caller puts the one resuming reads last)
    for name, data in files.items():
        write_atomic(out / name, data)
    # 3. only the new versions
    write_atomic(
        out / MANIFEST, _manifest_bytes({**both, **{k: [v] for k, v in new.items()}})
    )


def _manifest_bytes(files: dict[str, list[str]]) -> bytes:
    return (
        json.dumps(
            {"format": MANIFEST_FORMAT, "sha256": "of each file", "files": files},
            indent=1,
        )
        + "\n"
    ).encode()


def verify(path: str | Path) -> bytes:
    """The contents of `path`, checked against its directory's `manifest.json`.

    A file the manifest does not list (or a directory without one, e.g. written by
    hand) is returned unverified; a listed file whose sha256 differs is a
    `CheckpointError` naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
            raise CheckpointError(f"cannot read {path} ({e.strerror})") from None
        raise
    allowed = _read_manifest(path.parent).get(path.name)
    if allowed is not None and _sha256(data) not in allowed:
        raise CheckpointError(
            f"{path} does not match {path.parent / MANIFEST}: its sha256 is not the "
            f"one listed there, so the file was damaged (a flipped byte, a partial "
            f"copy) or the manifest was changed; restore whichever changed, or "
            f"re-train"
        )
    return data


# ---- claiming a directory for a run: ownership first, then the lock ----

# what the trainers write into a run directory, besides this module's bookkeeping
# (manifest.json, .lock)
RUN_FILES = ("config.json", "model.pt", "state.pt", "metrics.jsonl")


def claim(
    out: Path,
    resume: bool,
    read_config: Callable[[Path], object],
    first: dict[str, bytes],
) -> RunLock:
    """Lock `out` for this process; a fresh run also checks it is new and commits
    `first` (its config.json and an empty metrics.jsonl), so a run stopped at any later
    moment resumes with `--resume`.

    Whether `out` is ours to write is checked before anything is created in it (a
    refusal leaves it as it was: no `.lock`, no directory), and again once it is
    locked; only then are the temporary files of a killed save removed. To resume,
    `read_config(out)` must accept the run's config.json (else its `CheckpointError`).
    """
    _check_ours(out, resume, read_config)
    lock = RunLock(out)
    try:
        _check_ours(out, resume, read_config)  # another run may have started meanwhile
        for leftover in out.iterdir():  # of a run killed inside a save
            if leftover.name.endswith(".tmp") and ours(leftover, RUN_FILES):
                leftover.unlink()
        if not resume:  # a resumed run's config is saved once its checkpoint fits
            commit(out, first)
    except BaseException:
        lock.release()
        raise
    return lock


def _check_ours(out: Path, resume: bool, read_config: Callable[[Path], object]) -> None:
    """An `InputError` unless `out` is a run to resume (`resume`), or a place for a
    fresh run: missing, or a directory holding nothing but our bookkeeping."""
    if resume:
        if not out.is_dir():
            what = "is not a directory" if out.exists() else "does not exist"
            raise InputError(
                f"nothing to resume in {out}: it {what}; pass the --out of the run "
                f"to continue"
            )
        if not (out / "config.json").is_file():
            raise InputError(
                f"nothing to resume in {out}: it holds no config.json (the run "
                f"stopped before it saved its config, or this is another "
                f"directory); run the original command again, without --resume"
            )
        read_config(out)
        return
    if out.exists() and not out.is_dir():
        raise InputError(
            f"cannot write the run to {out}: it is not a directory; expected a new "
            f"or empty directory for a fresh run: pass another --out"
        )
    if not out.exists():
        return
    if (out / "config.json").exists():
        raise InputError(
            f"{out} already holds a run; pass --resume to continue it or "
            f"choose another --out (expected a new or empty directory for a "
            f"fresh run)"
        )
    others = sorted(p.name for p in out.iterdir() if not ours(p, RUN_FILES))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise InputError(
            f"{out} is not empty ({shown}) and rnn-ref did not write it; "
            f"expected a new or empty directory for a fresh run: pass another "
            f"--out"
        )
