"""A sweep of hostile input over every command (issue 28 §4).

Each file a command reads gets deep nesting, the wrong type, huge numbers, NaN, bytes
that are not UTF-8 and nothing; each numeric flag 0, -1, a huge value, NaN and a word;
each path flag a path under a regular file. The command refuses in one `error:` line
with exit 2 naming the file or flag, or, where the value is legitimate, gets as far as
its work, which a stand-in (`WORK`) stops there: the sweep checks the front door of
every command in seconds, not the work. Nothing on disk changes that the command does
not own.

The commands and their flags are read from the parser: a new one is swept as soon as
it is registered (and fails here until `WORK` says where its work starts).
"""

import argparse
import io
import json
import math
import os
import shutil
import sys
from pathlib import Path

import pytest

from rnn_ref.cli import build_parser, main

pytestmark = pytest.mark.slow  # about 20 s of CPU: `make test` runs it, test-fast not

ROOT = Path(__file__).resolve().parents[2]
# where each command's work starts; the sweep replaces it with `_start`
WORK = {
    "regen": ["rnn_ref.site.regen.run_snippet"],
    "train": ["rnn_ref.cli.train.train"],
    "predict": ["rnn_ref.cli.train.predict_stream"],
    "evaluate": ["rnn_ref.cli.train.accuracy_by_length"],
    "ladder": [
        "rnn_ref.cli.ladder.run_ladder",
        "rnn_ref.cli.ladder_tutorial.run_tutorial",
    ],
    "bench": ["rnn_ref.cli.bench.run_bench"],
    "lm train": ["rnn_ref.cli.lm.train_lm"],
    "lm sample": ["rnn_ref.cli.lm.generate"],
    "tbptt": ["rnn_ref.cli.tbptt.run"],
    "extrapolation": ["rnn_ref.cli.extrapolation.run_attempt"],
    "export": ["rnn_ref.cli.export.onnx_bytes"],
}  # fmt: skip

# a cheap, valid command line for each command and mode; {d}: the case's folder
BASE = {
    "regen": ["regen", "--check", "--only", "hello"],
    "train": ["train", "--quiet", "--out", "{d}/new"],
    "predict": ["predict", "--checkpoint", "{d}/run", "1", "2"],
    "evaluate": ["evaluate", "--checkpoint", "{d}/run", "--lengths", "5"],
    "ladder": ["ladder", "--quiet", "--out", "{d}"],
    "ladder --tutorial": ["ladder", "--tutorial", "--quiet", "--out", "{d}"],
    "bench": ["bench", "--device", "cpu", "--out", "{d}/bench.json"],
    "lm train": ["lm", "train", "--quiet", "--out", "{d}/new"],
    "lm sample": ["lm", "sample", "--checkpoint", "{d}/lm", "--length", "5"],
    "tbptt": ["tbptt", "--out", "{d}/tbptt.json"],
    "extrapolation": ["extrapolation", "--out", "{d}"],
    "export": ["export", "--checkpoint", "{d}/run", "--out", "{d}/m.onnx"],
}

# the files each command reads, and the command line that reads them; a command that
# reads them in its work (resuming a run, streaming stdin) does that work for real
REAL = {"train --resume", "lm train --resume", "predict stdin"}
RUN = ["config.json", "manifest.json", "metrics.jsonl", "model.pt", "state.pt"]
READS = {
    "predict": (BASE["predict"], [f"run/{f}" for f in RUN[:2] + RUN[3:4]]),
    "evaluate": (BASE["evaluate"], [f"run/{f}" for f in RUN[:2] + RUN[3:4]]),
    "export": (BASE["export"], [f"run/{f}" for f in RUN[:2] + RUN[3:4]]),
    "train --resume": (  # model.pt is written, not read: state.pt holds the model
        ["train", "--resume", "--quiet", "--out", "{d}/run"],
        [f"run/{f}" for f in RUN if f != "model.pt"],
    ),
    "lm sample": (BASE["lm sample"], [f"lm/{f}" for f in RUN[:2] + RUN[3:4]]),
    "lm train --resume": (
        ["lm", "train", "--resume", "--quiet", "--out", "{d}/lm"],
        [f"lm/{f}" for f in RUN if f != "model.pt"],
    ),
    "lm train --text": ([*BASE["lm train"], "--text", "{d}/text.txt"], ["text.txt"]),
    "predict stdin": (BASE["predict"][:3], ["<stdin>"]),
    "bench --redraw": ([*BASE["bench"], "--redraw"], ["bench.json"]),
    "bench --only": ([*BASE["bench"], "--only", "scan", "--quick"], ["bench.json"]),
    "tbptt --redraw": ([*BASE["tbptt"], "--redraw"], ["tbptt.json", "lm.json"]),
    "ladder --redraw": ([*BASE["ladder"], "--redraw"], ["ladder.json"]),
    "ladder --tutorial --redraw": (
        [*BASE["ladder --tutorial"], "--redraw"], ["tutorial.json"]
    ),
    "ladder --tutorial --resume": (
        [*BASE["ladder --tutorial"], "--resume"], ["tutorial.json"]
    ),
    "extrapolation": (BASE["extrapolation"], ["extrapolation.json"]),
}  # fmt: skip
RESULTS = ["bench.json", "tbptt.json", "lm.json", "ladder.json", "tutorial.json"]
RESULTS += ["extrapolation.json"]

NESTED = "[" * 100_000 + "]" * 100_000
HOSTILE = {
    "nested": NESTED.encode(),
    "wrong type": b"[1, 2]",
    "huge number": b"1e999",
    "long number": b"9" * 5000,
    "NaN": b"NaN",
    "not UTF-8": b"\xff\xfe{\x80}",
    "empty": b"",
}
# a value for one field of a JSON object
FIELD_VALUES = {
    "nested": NESTED,
    "wrong type": "[1, 2]",
    "huge number": "1e999",
    "long number": "9" * 5000,
    "NaN": "NaN",
}

# flags that take text: paths are swept with a path under a regular file
PATHS = {"--out", "--results", "--plot", "--figures", "--checkpoint", "--text"}
NOT_PATHS = {"--attempts", "--rungs", "--lengths", "--prime", "--run-name", "--only"}


def _commands(parser: argparse.ArgumentParser, path: tuple = ()):
    """(command words, its parser) for every command, subcommands included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))
            return
    yield " ".join(path), parser


COMMANDS = dict(_commands(build_parser()))


def _flags(command: str, numeric: bool):
    return [
        a.option_strings[0]
        for a in COMMANDS[command]._actions
        if a.option_strings
        and a.choices is None
        and (a.type not in (None, str)) == numeric
        and a.nargs != 0
        and a.option_strings[0] != "--help"
    ]


for _target in (t for targets in WORK.values() for t in targets):
    _module, _name = _target.rsplit(".", 1)
    __import__(_module)  # each command's module, and the original of its work
    setattr(
        sys.modules[_module], f"_real_{_name}", getattr(sys.modules[_module], _name)
    )


class Started(BaseException):
    """Raised where a command's work would start (not an Exception: no handler of the
    command catches it)."""


def _start(*args, **kwargs):
    raise Started


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A checkout to stand in (the commands find their site there), with a trained
    classifier run, a trained language-model run and the site's results files."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "snippets" / "page").mkdir(parents=True)
    (root / "snippets" / "page" / "hello.py").write_text("print('hello')\n")
    (root / "rnn_ref").mkdir()
    (root / "rnn_ref" / "__init__.py").write_text("")
    (root / "mkdocs.yml").write_text("site_name: x\n")
    shutil.copytree(ROOT / "docs" / "templates", root / "docs" / "templates")
    made = tmp_path_factory.mktemp("made")
    tiny = ["--steps", "2", "--eval-every", "2", "--batch-size", "4", "--quiet"]
    argv = ["train", *tiny, "--hidden-size", "8", "--eval-samples", "8"]
    assert main([*argv, "--device", "cpu", "--out", str(made / "run")]) == 0
    argv = ["lm", "train", *tiny, "--hidden-size", "8", "--embed-dim", "4"]
    assert main([*argv, "--bptt", "4", "--out", str(made / "lm")]) == 0
    for name in RESULTS:
        shutil.copy(ROOT / "docs" / "assets" / "results" / name, made / name)
    (made / "text.txt").write_text("Of Man's first disobedience, and the fruit\n" * 9)
    return root, made


@pytest.fixture
def case(checkout, tmp_path, monkeypatch):
    """The case's folder, with a copy of the runs made (the results files are copied
    by the cases that read them); the work of every command stopped where it starts;
    standing in the checkout."""
    root, made = checkout
    for path in made.iterdir():
        if path.is_dir():
            shutil.copytree(path, tmp_path / path.name)
    (tmp_path / "file").write_text("a regular file\n")
    for targets in WORK.values():
        for target in targets:
            monkeypatch.setattr(target, _start)
    monkeypatch.chdir(root)
    return tmp_path


def _for_real(monkeypatch, command: str) -> None:
    """Let `command` do its work (tiny here: the runs made are)."""
    for target in WORK[command]:
        module, name = target.rsplit(".", 1)
        monkeypatch.setattr(target, getattr(sys.modules[module], f"_real_{name}"))


def _snapshot(*folders: Path) -> dict:
    """Every path under `folders`: a file's kind, size, time and inode, a folder's
    kind and inode (its time changes with any entry's, its entries are listed)."""
    return {
        p: (s.st_mode, s.st_ino) + (() if p.is_dir() else (s.st_size, s.st_mtime_ns))
        for folder in folders
        for p in folder.rglob("*")
        if (s := os.lstat(p))
    }


def _sweep(one_error_line, case, checkout, argv, match, may_start, owns=()):
    """Run `argv` (`{d}`: `case`): one error line holding `match`, exit 2; or (when
    `may_start`) it reached its work. Either way nothing changed but what it `owns`
    (relative to `case`)."""
    argv = [a.format(d=case) for a in argv]
    before = _snapshot(case, checkout[0])
    try:
        line = one_error_line(argv, match)
    except Started:
        assert may_start, f"{argv} started its work"
        line = "started"
    after = _snapshot(case, checkout[0])
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    changed -= {case / p for p in owns}
    assert not changed, f"{argv} changed {sorted(map(str, changed))}"
    return line


# ---- every file a command reads ----

FILE_CASES = [
    pytest.param(command, name, kind, id=f"{command}: {name}: {kind}")
    for command, (_, names) in READS.items()
    for name in names
    for kind in HOSTILE
]


@pytest.mark.parametrize("command, name, kind", FILE_CASES)
def test_a_hostile_file_is_one_line(
    one_error_line, case, checkout, monkeypatch, command, name, kind
):
    argv, names = READS[command]
    for results in set(names) & {*RESULTS, "text.txt"}:
        shutil.copy(checkout[1] / results, case / results)
    if command in REAL:
        _for_real(monkeypatch, command.split(" --")[0].replace(" stdin", ""))
    if name == "<stdin>":
        stdin = io.TextIOWrapper(io.BytesIO(HOSTILE[kind]), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stdin)
    else:
        path = case / name
        if path.parent != case and path.name != "manifest.json":
            (path.parent / "manifest.json").unlink()  # by hand: read, not checksummed
        path.write_bytes(HOSTILE[kind])
    legit = name == "text.txt" and kind not in ("not UTF-8", "empty")  # a tiny text
    match = "" if name == "<stdin>" else Path(name).name
    owns = [f"{name.split('/')[0]}/.lock"] if command in REAL else []  # its run's
    _sweep(one_error_line, case, checkout, argv, match, legit, owns)


def test_the_run_files_are_those_swept(checkout):
    _, made = checkout
    for run in ("run", "lm"):
        files = {p.name for p in (made / run).iterdir()} - {".lock"}
        assert files == set(RUN), run


@pytest.mark.parametrize(
    "kind, command, name",
    [
        pytest.param(kind, command, name, id=f"{kind}-{command}-{name}")
        for command, name in (
            ("predict", "run/config.json"),
            ("lm sample", "lm/config.json"),
        )
        for kind in FIELD_VALUES
    ],
)
def test_a_hostile_field_is_one_line(
    one_error_line, case, checkout, command, name, kind
):
    """Each field of a run's config.json in turn: one line naming the file."""
    path = case / name
    (path.parent / "manifest.json").unlink()
    config = json.loads(path.read_text())
    failed = []
    for field in config:
        text = json.dumps({**config, field: "@"}).replace('"@"', FIELD_VALUES[kind])
        path.write_text(text)
        try:
            _sweep(one_error_line, case, checkout, READS[command][0], "config.json", 0)
        except AssertionError as e:
            failed.append(f"{field}: {str(e).splitlines()[0]}")
    assert not failed, failed


# ---- every numeric flag ----

EDGES = ["0", "-1", "huge", "nan", "x"]
FLAG_CASES = [
    pytest.param(mode, flag, edge, id=f"{mode} {flag}={edge}")
    for mode in BASE
    for flag in _flags(mode.split(" --")[0], numeric=True)
    for edge in EDGES
]


@pytest.mark.parametrize("mode, flag, edge", FLAG_CASES)
def test_a_numeric_flag_at_its_edges(one_error_line, case, checkout, mode, flag, edge):
    """0 and -1 may be legitimate, a huge float too (a learning rate), never NaN,
    a word, or an integer of 31 digits."""
    command = COMMANDS[mode.split(" --")[0]]
    kind = next(a.type for a in command._actions if flag in a.option_strings)
    value = {"huge": "1e308" if kind is not int else str(10**30)}.get(edge, edge)
    may_start = edge in ("0", "-1") or value == "1e308"
    dest = flag.lstrip("-")
    line = _sweep(one_error_line, case, checkout, [*BASE[mode], f"{flag}={value}"],
                  "", may_start)  # fmt: skip
    assert line == "started" or dest in line or dest.replace("-", "_") in line, line
    if line == "started" and edge != "x":
        assert math.isfinite(float(value)) and value != str(10**30)


# ---- every path flag: under a regular file, under a device ----

PATH_CASES = [
    pytest.param(mode, flag, under, id=f"{mode} {flag} under {under}")
    for mode in BASE
    for flag in _flags(mode.split(" --")[0], numeric=False)
    if flag in PATHS
    for under in ("a file", "a device")
]


@pytest.mark.parametrize("mode, flag, under", PATH_CASES)
def test_a_path_under_a_file_is_one_line(
    one_error_line, case, checkout, monkeypatch, mode, flag, under
):
    parent = "{d}/file" if under == "a file" else "/dev/null"
    argv = [*BASE[mode], flag, f"{parent}/x.svg"]
    if flag == "--out" and mode in ("train", "lm train"):  # a run directory: claimed
        _for_real(monkeypatch, mode)  # in the work; tiny, if it were accepted
        argv += ["--steps", "1", "--hidden-size", "8", "--batch-size", "2"]
    if flag == "--figures":
        argv.append("--redraw")
    line = _sweep(one_error_line, case, checkout, argv, "", False)
    if flag not in ("--checkpoint", "--text"):  # an output: where it cannot go
        assert "not a directory" in line.lower(), line


def test_every_flag_is_swept():
    """A command without a stand-in for its work, or a text flag not sorted into
    paths and not-paths, fails here: sort it, and the sweep takes it."""
    assert {m.split(" --")[0] for m in BASE} == set(COMMANDS) == set(WORK)
    text = {f for c in COMMANDS for f in _flags(c, numeric=False)}
    assert text <= PATHS | NOT_PATHS, text - PATHS - NOT_PATHS
