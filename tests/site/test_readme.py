"""The README's two commands do what it says."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parents[2]


def test_quick_start_is_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make serve", "make test"]


def test_ci_runs_make_test():
    """CI runs `make test` from a fresh clone; `make test` sets up
    .venv and runs pytest."""
    assert "make test" in (ROOT / ".ci/run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    test_rule = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "setup" in test_rule.splitlines()[0] and "pytest" in test_rule


def test_make_serve_serves_the_site():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        ["make", "serve", f"ADDR=127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/", timeout=5
                ) as r:
                    assert r.status == 200 and b"rnn_ref" in r.read()
                    break
            except OSError:
                assert proc.poll() is None, "make serve exited"
                assert time.monotonic() < deadline, (
                    "make serve did not answer within 120 s"
                )
                time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
