"""Regenerate the outputs shown on the site, or check them for drift.

Every `snippets/<page>/<name>.py` runs in a fresh process (forked from a server that
has only imported torch, with its random generators reseeded), from an empty temporary
folder (so it only works if a reader could copy it into a fresh file), and its
stdout is written next to it as `<name>.out`. The server runs with the kernel pins of
`rnn_ref.site.platform`, so any x86-64 CPU prints the same digits; the first line of
each output names the platform that produced it. `--check` writes nothing: it compares
and exits 1 on drift or a failing snippet. An output is compared as exact text where the
platform running is the recorded one; elsewhere (another architecture, torch or device)
its numbers may differ by `RTOL` (or both be under `ATOL`), and a training run's
output (a snippet with a `# trains:` line) is not compared: the claim tests check it.
With `--device cuda`, outputs go to `<name>.cuda.out`, apart from the CPU record.
After rewriting CPU outputs with no failure, regen redraws every figure and re-renders
the results tables from their committed JSON (remeasuring those is `rnn-ref ladder`,
`rnn-ref bench`, ...) in a pinned process, then writes the package code the pages show
(`rnn_ref.site.regions`), the chapter notebooks (which embed the figures) and the Claims
page; `--check` reports those three when stale, and figures, tables and numbers that
training or drawing would now give otherwise.

    rnn-ref regen                  # rewrite every .out, figure and table
    rnn-ref regen --check          # report drift only
    rnn-ref regen --device cuda    # run the snippets on a GPU, into *.cuda.out
"""

from __future__ import annotations

import atexit
import difflib
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rnn_ref.config import resolve_device
from rnn_ref.errors import InputError
from rnn_ref.rundir import write_output
from rnn_ref.site import claims, notebooks, paths, platform, regions

__all__ = [
    "Result",
    "snippet_paths",
    "snippet_needs",
    "snippet_trains",
    "output_path",
    "recorded_platform",
    "run_snippet",
    "compare",
    "regen",
    "draw_everything",
]

RTOL, ATOL = 1e-4, 1e-6  # where the platform differs from the record
_MADE_ON = " · made on "  # header: "# <snippet> · made on <platform.describe()>"
_TRAINS = re.compile(r"^# trains:", re.M)
_NEEDS = re.compile(r"^# needs: ([\w, ]+)", re.M)
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


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


def recorded_platform(output: str) -> str:
    """The platform an output's header names ("" if none).

    Examples:
        >>> recorded_platform("# s.py · made on cpu x86_64 AVX2 pinned · torch 2\\nx")
        'cpu x86_64 AVX2 pinned · torch 2'
    """
    return output.partition("\n")[0].partition(_MADE_ON)[2]


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


def _env(device: str = "cpu") -> dict[str, str]:
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
    env = _env(device)
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
    header = f"# {name}{_MADE_ON}{made_on}"
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


def compare(expected: str, actual: str) -> str:
    """Return "" when the outputs agree, else a unified diff.

    The header lines are not compared: they name the platforms. Where the platform
    running is the recorded one (`platform.mismatch`), the rest must be the same text,
    byte for byte; elsewhere, the same text except numbers, each within `RTOL` relative
    to the larger of the two, or both under `ATOL` (rounding noise, as in
    `max |diff| = 2.2e-16`).

    Examples:
        >>> head = "# s.py · made on cpu x86_64 AVX2 pinned · torch 2\\n"
        >>> bool(compare(head + "err 0.0e+00\\n", head + "err 9.0e-05\\n"))
        True
        >>> arm = "# s.py · made on cpu aarch64 NEON · torch 2\\n"
        >>> compare(head + "err 2.2e-16\\n", arm + "err 0.0e+00\\n")
        ''
    """
    exp_body, act_body = expected.partition("\n")[2], actual.partition("\n")[2]
    exact = not platform.mismatch(
        recorded_platform(expected), recorded_platform(actual)
    )
    if exp_body == act_body:
        return ""
    exp_lines, act_lines = exp_body.splitlines(), act_body.splitlines()
    if (
        not exact
        and exp_body.endswith("\n") == act_body.endswith("\n")
        and len(exp_lines) == len(act_lines)
        and all(_lines_match(e, a) for e, a in zip(exp_lines, act_lines, strict=True))
    ):
        return ""
    return "".join(
        difflib.unified_diff(
            [repr(line)[1:-1] + "\n" for line in exp_body.splitlines(keepends=True)],
            [repr(line)[1:-1] + "\n" for line in act_body.splitlines(keepends=True)],
            "committed",
            "now",
        )
    )


def _lines_match(expected: str, actual: str) -> bool:
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual):
        return False
    for e, a in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True):
        e, a = float(e), float(a)
        if abs(e - a) > RTOL * max(abs(e), abs(a)) and max(abs(e), abs(a)) >= ATOL:
            return False
    return True


def regen(
    check: bool = False, device: str = "auto", pattern: str = "", jobs: int = 2
) -> int:
    """Rerun the snippets whose path contains `pattern`; rewrite or check their outputs,
    then (on the CPU, with no `pattern`) every figure and table, and the generated
    page sources.

    Returns the exit code: 0, or 1 when a snippet failed or (with `check`) drifted.
    """
    if not 1 <= jobs <= 64:
        raise InputError(f"--jobs must be 1 .. 64; got {jobs}")
    device = resolve_device(device).type
    root = paths.root()
    selected = snippet_paths(pattern)
    if not selected:
        raise InputError(
            f"no snippet path contains {pattern[:40]!r}; see `ls snippets/*/`"
        )
    for p in selected:
        if output_path(p, device).is_dir():
            raise InputError(
                f"{output_path(p, device)} is a directory; expected the output file "
                f"of {p.name}: remove the directory and run regen again"
            )
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda p: run_snippet(p, device), selected))
    problems = [f"RECORD  {p}" for p in mixed_records()] if check else []
    for r in results:
        out, name = output_path(r.path, device), r.path.relative_to(root)
        committed = out.read_text(errors="replace") if out.exists() else ""
        reason = platform.mismatch(
            recorded_platform(committed), recorded_platform(r.text)
        )
        if r.error:
            problems.append(f"FAILED  {name}\n{r.error}")
        elif not check:
            write_output(out, r.text.encode())
            print(f"{'same' if committed == r.text else 'changed':7} {out.name}")
        elif not committed:
            problems.append(f"DRIFT   {name}: no committed output {out.name}")
        elif reason and snippet_trains(r.path):
            print(f"skip    {name}: a training run, {reason}")
        elif diff := compare(committed, r.text):
            problems.append(f"DRIFT   {name}\n{diff}")
        else:
            print(f"ok      {name}")
    if device == "cpu" and not pattern and (check or not problems):
        problems += _drawings(check)  # figures first: the notebooks embed them
    for kind, module in (
        ("CODE", regions),
        ("NOTEBOOK", notebooks),
        ("CLAIMS", claims),
    ):
        problems += [f"{kind:7} {p}" for p in module.sync(root, check)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        fix = "fix what failed" + (
            "; for intended drift, run `rnn-ref regen` and commit" if check else ""
        )
        print(
            f"error: {len(problems)} outputs drifted or failed; {fix}", file=sys.stderr
        )
    return 1 if problems else 0


def mixed_records() -> list[str]:
    """The CPU outputs whose header names another platform than most do: the record is
    one platform (an edited header must not buy an output a tolerance)."""
    outs = {o: recorded_platform(o.read_text(errors="replace")) for o in _cpu_outputs()}
    common = max(set(outs.values()), key=list(outs.values()).count, default="")
    return [
        f"{o.relative_to(paths.root())} says it was made on {made!r}, the record on "
        f"{common!r}: run `rnn-ref regen`"
        for o, made in outs.items()
        if made != common or not made.startswith("cpu ")
    ]


def _cpu_outputs() -> list[Path]:
    return [
        o for o in sorted(paths.snippets().rglob("*.out")) if o.suffixes == [".out"]
    ]


_MADE_ON_IN_FILE = re.compile(
    r'made on(?:": "| )(c(?:pu|uda) [^<"\n]*?)(?=</|"| -->|\n)'
)
_MATPLOTLIB = re.compile(r"Matplotlib v([\w.+-]+), https://matplotlib\.org")


def file_platform(text: str) -> str:
    """The platform a generated file says it was made on ("" where its values do not
    depend on one: it says nothing).

    Examples:
        >>> file_platform('{"made on": "cpu x86_64 AVX2 pinned · torch 2"}')
        'cpu x86_64 AVX2 pinned · torch 2'
        >>> file_platform("<dc:description>made on cpu x86_64 · torch 2</dc:")
        'cpu x86_64 · torch 2'
        >>> file_platform("<!-- made on cpu x86_64 · torch 2 -->")
        'cpu x86_64 · torch 2'
    """
    found = _MADE_ON_IN_FILE.search(text)
    return found[1] if found else ""


def drawing_mismatch(committed: str, fresh: str) -> str:
    """ "" when a fresh drawing or table can be compared exactly with the committed one
    (neither depends on the platform, or both were made on this one); else why not."""
    made, now = file_platform(committed), file_platform(fresh)
    return platform.mismatch(made, now) if made or now else ""


def _drawings(check: bool) -> list[str]:
    """Redraw every figure and table in a pinned process: in place, or (`check`) into
    a temporary folder, then compare with what is committed."""
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            "import sys\nfrom pathlib import Path\n"
            "from rnn_ref.site.regen import draw_everything\n"
            "tmp = Path(sys.argv[1]) if sys.argv[1:] else None\n"
            "for p in draw_everything(tmp): print(p)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, *([tmp] if check else [])],
            env=_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            return [f"DRAWING failed:\n{proc.stderr.strip()[-3000:]}"]
        drawn = [Path(line) for line in proc.stdout.split("\n") if line]
        if not check:
            for path in drawn:
                print(f"drawn   {path.relative_to(paths.root())}")
            return []
        return [p for p in map(_compare_drawing, drawn) if p]


def _compare_drawing(new: Path) -> str:
    """ "" if a fresh drawing or table matches the committed one (or cannot be compared
    here: the reason is printed), else the problem."""
    import matplotlib

    home = paths.figures() if new.suffix == ".svg" else paths.results()
    committed = home / new.name
    name = committed.relative_to(paths.root())
    if not committed.exists():
        return f"DRAWN   {name} is not committed"
    old, fresh = committed.read_text(errors="replace"), new.read_text()
    drawn_with = _MATPLOTLIB.search(old)
    if drawn_with and drawn_with[1] != matplotlib.__version__:
        print(
            f"skip    {name}: drawn with matplotlib {drawn_with[1]}, this is "
            f"{matplotlib.__version__}"
        )
        return ""
    if reason := drawing_mismatch(old, fresh):
        print(f"skip    {name}: {reason}")
        return ""
    if old != fresh:
        return f"DRAWN   {name} is stale"
    print(f"ok      {name}")
    return ""


def draw_everything(tmp: Path | None = None) -> list[Path]:
    """Every figure and results table: the drawings made by code (the learned-state
    figures train two small GRUs, about 20 s), and the tables and plots re-rendered
    from committed measurements (which `rnn-ref ladder [--tutorial]`, `rnn-ref
    extrapolation`, `rnn-ref bench` and `rnn-ref tbptt` take minutes to hours to
    remeasure). Into the site, or into `tmp` (the committed JSON copied there first).
    """
    import shutil

    from rnn_ref.site import (
        bench_report,
        extrapolation_report,
        figures,
        ladder_report,
        learned,
        tbptt_report,
        tutorial_report,
    )

    results, figs = paths.results(), None
    if tmp is not None:
        results, figs = tmp / "results", tmp / "figures"
        shutil.copytree(paths.results(), results, ignore=shutil.ignore_patterns("*.md"))
    return [
        *figures.draw_all(figs),
        *ladder_report.redraw(results / "ladder.json", figs),
        *tutorial_report.redraw(results / "tutorial.json", figs),
        *bench_report.redraw(results / "bench.json", figs),
        *tbptt_report.redraw(results / "tbptt.json"),
        extrapolation_report.redraw(results / "extrapolation.json"),
        *learned.redraw(figs, results),  # trains two small GRUs: about 20 s
    ]
