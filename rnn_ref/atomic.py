"""Files written whole: whatever moment a crash, a kill or a power cut hits, a file is
either its old version or its new one, never a mix.

* `write_atomic`: the data goes to a fresh temporary name (`O_CREAT | O_EXCL`: a planted
  symlink is never followed), is fsynced, renamed into place with `os.replace`, and the
  directory is fsynced.
* `write_output`: every file a command writes goes through it: a missing or regular
  file is written whole as above; `/dev/null`, `/dev/stdout` or a FIFO is written into,
  never renamed over; a directory, block device, socket or dangling link is refused.

`RNN_REF_FAULT=<stage>:<name>[:<n>]` (stage `written` or `replaced`) kills the process
with SIGKILL at that moment of (the n-th) writing of `name`; `tests/test_faults.py` uses
it.
"""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

from rnn_ref.errors import InputError

__all__ = ["write_atomic", "write_output"]


_seen: dict[str, int] = {}


def _fault(stage: str, name: str) -> None:
    """The fault-injection hook: SIGKILL here when `RNN_REF_FAULT` names this moment
    (`stage:name`, or `stage:name:n` for its n-th occurrence in this process)."""
    fault = os.environ.get("RNN_REF_FAULT")
    if not fault:
        return
    moment = f"{stage}:{name}"
    _seen[moment] = _seen.get(moment, 0) + 1
    if fault in (moment, f"{moment}:{_seen[moment]}"):
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole: a fresh temp file, fsync, rename, fsync the dir.

    Only a missing or regular file is renamed over; anything else at `path` (a link, a
    device, a FIFO, a directory) is an `InputError`, left as it was.
    """
    _refuse_special(os.lstat(path).st_mode if os.path.lexists(path) else None, path)
    while True:  # a fresh name (O_EXCL: a planted file or link is never opened)
        tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:  # 0o666 less the umask, as any file the user writes
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _fault("written", path.name)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    _fault("replaced", path.name)


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}


def _refuse_special(mode: int | None, path: Path) -> None:
    """An `InputError` unless `mode` (None: nothing there) is a regular file's."""
    if mode is not None and not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise InputError(
            f"{path} is {kind}; expected a file to write, or a character device or "
            f"FIFO to write into (such as /dev/null): pass another path"
        )


def write_output(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` the one way its kind allows; return `path`.

    * missing or a regular file: written whole (`write_atomic`), parents created; a
      symbolic link to a regular file has its target written so, the link kept;
    * a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe): opened
      and written into, never renamed over (a FIFO waits for its reader);
    * anything else (a directory, a block device, a socket, a dangling link): an
      `InputError`, nothing written.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from rnn_ref.atomic import write_output
        >>> write_output(Path(tempfile.mkdtemp()) / "new" / "a.txt", b"hi").read_bytes()
        b'hi'
        >>> write_output("/dev/null", b"hi")
        PosixPath('/dev/null')
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # through links: what a write would reach
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        blocking = next(p for p in path.parents if p.exists())
        raise InputError(
            f"cannot write {path}: {blocking} is a file, not a directory; expected "
            f"a file path under a directory: choose another output"
        ) from None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        with open(path, "wb") as f:
            f.write(data)
        return path
    _refuse_special(mode, path)
    target = path
    if mode is not None and path.is_symlink():
        real = Path(os.path.realpath(path))
        if real.is_file() and os.path.samefile(real, path):
            target = real  # else write_atomic refuses the link
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)
    return path
