"""Run a snippet as a reader would: in a fresh process, from an empty folder.

Every `snippets/<page>/<name>.py` runs in a process forked from a server that has only
imported torch (with its random generators reseeded), from an empty temporary folder
(so it only works if a reader could copy it into a fresh file). The server runs with
the kernel pins of `rnn_ref.site.platform`, so any x86-64 CPU prints the same digits;
the first line of each output names the platform that produced it
(`rnn_ref.site.records`). A snippet declares optional modules on a `# needs:` line and
a training run on a `# trains:` line.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rnn_ref.site import paths, platform
from rnn_ref.site.records import output_header

__all__ = [
    "Result",
    "snippet_paths",
    "snippet_needs",
    "snippet_trains",
    "output_path",
    "site_env",
    "run_snippet",
]

_TRAINS = re.compile(r"^# trains:", re.M)
_NEEDS = re.compile(r"^# needs: ([\w, ]+)", re.M)


@dataclass
class Result:
    path: Path  # the snippet
    header: str  # first line of the output file
    stdout: str  # what the snippet printed
    error: str = ""  # stderr, if the snippet failed

    @property
    def text(self) -> str:
        return self.header + "\n" + self.stdout


def snippet_paths(pattern: str = "") -> list[Path]:
    """Every snippet, sorted; `pattern` keeps the ones whose path contains it."""
    root = paths.root()
    return [
        p
        for p in sorted(paths.snippets().rglob("*.py"))
        if pattern in str(p.relative_to(root))
    ]


def snippet_needs(path: Path) -> list[str]:
    """The optional modules a snippet declares on a `# needs: a, b (...)` line.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "s.py"
        >>> _ = p.write_text("# needs: onnx, onnxruntime (pip install x)")
        >>> snippet_needs(p)
        ['onnx', 'onnxruntime']
    """
    found = _NEEDS.search(path.read_text(encoding="utf-8"))
    return found[1].replace(" ", "").split(",") if found else []


def snippet_trains(path: Path) -> bool:
    """Whether a snippet is a training run (a `# trains: ...` line says so): its
    printed numbers follow the platform's last bits, amplified."""
    return bool(_TRAINS.search(path.read_text(encoding="utf-8")))


def output_path(path: Path, device: str = "cpu") -> Path:
    """Where a snippet's output is recorded: `<name>.out` for the CPU record the site
    shows, `<name>.cuda.out` for a GPU's."""
    return path.with_suffix(".out" if device == "cpu" else f".{device}.out")


# Starting Python and importing torch takes about 2 s, longer than most snippets run. A
# server process does both once, then forks a fresh child per snippet (one request per
# line on stdin: path, folder, stdout file, stderr file; one exit code per line back).
# Its first line back is the platform it computes on.
_SERVER = """
import importlib.util, json, os, random, runpy, sys, traceback
import torch
spec = importlib.util.spec_from_file_location("platform_of_regen", sys.argv[2])
platform = importlib.util.module_from_spec(spec)
spec.loader.exec_module(platform)  # this regen's, not the checkout's: it may be older
print(platform.describe(sys.argv[1]), flush=True)
for line in sys.stdin:
    path, cwd, out, err = json.loads(line)
    pid = os.fork()
    if pid == 0:  # unseeded random numbers differ per run, as in a new process
        torch.seed()
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        os.chdir(cwd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdin = open(os.devnull)
        for fd, name in ((1, out), (2, err)):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv, code = [path], 0
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) or e.code is None else 1
            if not isinstance(e.code, int) and e.code is not None:
                print(e.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""
_servers: dict[tuple, queue.SimpleQueue] = {}  # idle servers, by their environment


def site_env(device: str = "cpu") -> dict[str, str]:
    """The environment code for the site runs in: the kernel pins, this checkout's
    root on PYTHONPATH, no display."""
    env = platform.pinned_env()
    env.update(PYTHONHASHSEED="0", PYTHONPATH=str(paths.root()), MPLBACKEND="Agg")
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""  # snippets that pick "cuda if available"
    return env


def _server(device: str) -> tuple[tuple, subprocess.Popen, str]:
    """An idle snippet server started with the environment a snippet for `device`
    gets now, started if none is free; the key to give it back under; and the
    platform it computes on."""
    env = site_env(device)
    key = tuple(sorted(env.items()))
    idle = _servers.setdefault(key, queue.SimpleQueue())
    try:
        return key, *idle.get_nowait()
    except queue.Empty:
        pass
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, device, platform.__file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        start_new_session=True,  # a timed-out snippet is killed with its server
    )
    atexit.register(server.kill)
    return key, server, server.stdout.readline().strip()


def run_snippet(path: Path, device: str = "cpu", timeout: float = 600) -> Result:
    """Run a snippet in a fresh process (forked from one that has imported torch and
    nothing else) from an empty folder; capture what it prints."""
    root = paths.root()
    name = path.relative_to(root) if path.is_relative_to(root) else path
    key, server, made_on = _server(device)
    header = output_header(name, made_on)
    if not made_on:  # the server itself failed (e.g. torch does not import)
        return Result(path, header, "", "the snippet server exited at its start")
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryDirectory() as cap:
        out, err = Path(cap, "stdout"), Path(cap, "stderr")
        request = [str(path.resolve()), cwd, str(out), str(err)]
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        if not select.select([server.stdout], [], [], timeout)[0]:
            os.killpg(server.pid, signal.SIGKILL)
            return Result(path, header, "", f"timed out after {timeout:g} s")
        line = server.stdout.readline()
        if not line:  # the server itself failed (e.g. torch does not import)
            return Result(path, header, "", f"the snippet server exited ({line!r})")
        code = int(line)
        _servers[key].put((server, made_on))
        stdout, stderr = out.read_text(), err.read_text().strip()
    error = (stderr or "(nothing on stderr)") + f"\nexit code {code}"
    return Result(path, header, stdout, error if code else "")
