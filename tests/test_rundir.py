"""`rnn_ref.rundir.write_output`: what each kind of file at the output path gets (issue
31: an atomic write renamed a regular file over /dev/null). The run directory's locks,
checksums and kills are tests/test_faults.py."""

import os
import socket
import stat

import pytest

from rnn_ref import rundir
from rnn_ref.errors import InputError


def test_a_special_file_is_written_into_never_replaced(special_file):
    node = special_file("out")
    assert rundir.write_output(node.path, b"data\n") == node.path
    assert node.intact()
    assert node.drain() in (None, b"data\n")  # a FIFO delivers the bytes


def test_a_special_file_in_a_run_directory_is_refused(special_file, tmp_path):
    """`commit` never renames over a file of another kind a run directory holds."""
    node = special_file("model.pt")
    with pytest.raises(InputError, match=r"model\.pt is not a regular file"):
        rundir.commit(tmp_path, {"model.pt": b"weights"})
    assert node.intact()


@pytest.mark.parametrize("kind", ["directory", "socket", "block device", "link"])
def test_a_target_that_makes_no_sense_is_refused(tmp_path, kind):
    path = tmp_path / "out"
    if kind == "directory":
        path.mkdir()
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
    elif kind == "block device":
        try:  # device 0:0: nothing behind it, were it ever opened
            os.mknod(path, 0o600 | stat.S_IFBLK, os.makedev(0, 0))
        except PermissionError:
            pytest.skip("making a device node needs root")
    else:
        path.symlink_to(tmp_path / "missing")
    before = os.lstat(path)
    match = "symbolic link" if kind == "link" else kind
    with pytest.raises(InputError, match=rf"out is a {match}; expected a file"):
        rundir.write_output(path, b"data")
    assert (os.lstat(path).st_ino, os.lstat(path).st_mode) == (
        before.st_ino,
        before.st_mode,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary


def test_a_link_to_a_regular_file_writes_its_target_and_stays_a_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    rundir.write_output(link, b"new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_file_under_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="file is a file, not a directory"):
        rundir.write_output(tmp_path / "file" / "x" / "out.json", b"{}")


def test_a_new_file_gets_the_umask_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = rundir.write_output(tmp_path / "new" / "out.json", b"{}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0o600
