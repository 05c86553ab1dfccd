"""The package's layers, as DESIGN.md draws them, checked by reading every import.

    cli -> site -> experiments -> classifier -> core

A module may import from its own layer and the layers below it, never above: the core
(the equations as code) imports nothing of ours, the classifier never imports the
tooling that produces the site, and nothing imports the command line.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rnn_ref"
CORE = {"cells", "loops", "packing", "_checks", "scan", "bptt", "bptt_cells"}
CLASSIFIER = {
    "errors",
    "data",
    "model",
    "config",
    "checkpoint",
    "metrics_file",
    "train",
    "distributed",
    "lm",
    "lm_train",
    "rundir",
    "atomic",
    "memory",
    "divergence",
    "export",
}
ORDER = ["core", "classifier", "experiments", "site", "cli"]  # low to high


def layer_of(module: str) -> str:
    """`rnn_ref.site.regen` -> "site"; `rnn_ref.cells` ->
    "core"; `rnn_ref` -> "core"."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in CORE:
        return "core"
    if parts[0] in CLASSIFIER:
        return "classifier"
    if parts[0] in ("experiments", "site", "cli"):
        return parts[0]
    raise AssertionError(f"{module}: assign it a layer in tests/test_layers.py")


def ours_imported_by(path: Path, source: str | None = None) -> set[str]:
    """The `rnn_ref` names a file imports, absolute or relative, at
    any depth in the file."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {m.replace(".__init__", "") for m in found if m.split(".")[0] == "rnn_ref"}


def _known(name: str) -> str:
    """Trim `rnn_ref.site.paths.root` (an imported name) back to
    the module it lives in."""
    parts = name.split(".")
    while len(parts) > 1:
        candidate = PACKAGE.parent.joinpath(*parts)
        if (
            candidate.with_suffix(".py").is_file()
            or (candidate / "__init__.py").is_file()
        ):
            return ".".join(parts)
        parts.pop()
    return "rnn_ref"


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES]
)
def test_imports_point_down(path):
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    here = ORDER.index(layer_of(module))
    upward = sorted(
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for target in {_known(n) for n in ours_imported_by(path)}
        if ORDER.index(layer_of(target)) > here
    )
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_nothing_imports_the_cli():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in MODULES
        if "cli" not in p.relative_to(PACKAGE).parts
        and any(_known(n).startswith("rnn_ref.cli") for n in ours_imported_by(p))
    ]
    assert not offenders, offenders


def test_core_imports_nothing_but_torch_and_the_standard_library():
    for path in MODULES:
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if (
            layer_of(module.removesuffix(".__init__")) != "core"
            or path.name == "__init__.py"
        ):
            continue
        tree = ast.parse(path.read_text())
        roots = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        roots |= {
            (n.module or "").split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and not n.level
        }
        third_party = (
            roots - {"torch", "__future__", "rnn_ref"} - set(sys.stdlib_module_names)
        )
        assert not third_party, f"{path.name} imports {third_party}"


def test_a_reversed_arrow_is_caught():
    """The check itself can fail: a core module importing the classifier is reported."""
    cells = PACKAGE / "cells.py"
    source = (
        cells.read_text() + "\nfrom rnn_ref.train import train\nfrom . import model\n"
    )
    found = {_known(n) for n in ours_imported_by(cells, source)}
    assert {"rnn_ref.train", "rnn_ref.model"} <= found
    assert ORDER.index(layer_of("rnn_ref.train")) > ORDER.index(
        layer_of("rnn_ref.cells")
    )


def _edges(path: Path, source: str | None = None) -> set[str]:
    """The modules of ours a file imports (`from pkg import mod` is an arrow to
    `pkg.mod`, not to `pkg`), imports under `if TYPE_CHECKING:` included: a type
    taken from a module that imports you is a circle a reader must untangle too."""
    names = ours_imported_by(path, source)
    targets = {_known(n) for n in names}
    # `from rnn_ref.site import paths` names both the package and the module
    return {
        t
        for t in targets
        if not (
            (PACKAGE.parent.joinpath(*t.split(".")) / "__init__.py").is_file()
            and any(o.startswith(t + ".") for o in targets)
        )
    }


def _module_name(path: Path) -> str:
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return module.removesuffix(".__init__")


def find_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of imports, as the strongly connected components of more than
    one module (or a module importing itself), each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(circles)


def test_no_import_circle():
    """No module imports, directly or through others, a module that imports it back,
    in any layer, type-only imports included: each layer is itself a one-way flow."""
    graph = {_module_name(p): _edges(p) for p in MODULES}
    circles = find_circles(graph)
    assert not circles, "import circles:\n" + "\n".join(
        " <-> ".join(c) for c in circles
    )


def test_a_circle_inside_a_layer_is_caught():
    """The check itself can fail: two experiment modules importing each other."""
    bench = PACKAGE / "experiments" / "bench.py"
    loops = PACKAGE / "experiments" / "bench_loops.py"
    graph = {_module_name(p): _edges(p) for p in MODULES}
    graph[_module_name(loops)] = _edges(
        loops, loops.read_text() + "\nfrom rnn_ref.experiments import bench\n"
    )
    assert ["rnn_ref.experiments.bench", "rnn_ref.experiments.bench_loops"] in (
        find_circles(graph)
    )
    assert "rnn_ref.experiments" not in _edges(
        bench, "from rnn_ref.experiments import bench_loops\n"
    )


MAX_LINES = 300
# modules still over MAX_LINES, each at most the length it has now: shorten one, then
# lower or remove its entry (STYLE.md: modules of at most about 300 lines)
OVER = {
    "_checks.py": 333,
    "cli/train.py": 336,
    "loops.py": 320,
    "packing.py": 346,
    "rundir.py": 319,  # holds both trainers' claim now; its atomic writes are atomic.py
    "train.py": 308,  # grew with the resume refusal (issue 28 §6): split it
}


def test_modules_are_short():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in MODULES
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    grown = {m: n for m, n in long.items() if n > OVER.get(m, MAX_LINES)}
    assert not grown, f"modules over {MAX_LINES} lines (or longer than listed): {grown}"
    shortened = {m: n for m, n in OVER.items() if long.get(m, 0) < n}
    assert not shortened, f"shorter now: lower their entries in OVER: {shortened}"


COPY_LINES = 6  # this many identical lines in two modules are one piece of code twice
# pairs of modules that still share a copy, each to be rebuilt: remove the entry then
COPIES: set[tuple[str, str]] = set()
_PUNCTUATION = set("()[]{},:;")


def _code_lines(source: str) -> list[tuple[int, str]]:
    """The lines that carry code, as (line number, text without indentation): no
    blank or comment lines, no lone brackets, no import statements."""
    imports = {
        n
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for n in range(node.lineno, node.end_lineno + 1)
    }
    return [
        (n, text)
        for n, line in enumerate(source.splitlines(), 1)
        if (text := " ".join(line.split()))
        and not text.startswith("#")
        and not set(text) <= _PUNCTUATION
        and n not in imports
    ]


def find_copies(sources: dict[str, str], size: int = COPY_LINES) -> dict:
    """{(module, module): (line, line)}: the first run of `size` identical code lines
    that two modules share."""
    seen, copies = {}, {}
    for name, source in sorted(sources.items()):
        lines = _code_lines(source)
        for i in range(len(lines) - size + 1):
            window = tuple(text for _, text in lines[i : i + size])
            first = seen.setdefault(window, (name, lines[i][0]))
            if first[0] != name:
                copies.setdefault((first[0], name), (first[1], lines[i][0]))
    return copies


def test_no_two_modules_share_a_copy():
    """No piece of code stands in two modules: one function serves both (STYLE.md 11).
    `duplicates` (where installed) also finds the copies alike but for their names."""
    sources = {str(p.relative_to(PACKAGE)): p.read_text() for p in MODULES}
    copies = find_copies(sources)
    new = {pair: at for pair, at in copies.items() if pair not in COPIES}
    assert not new, f"modules sharing {COPY_LINES}+ identical lines (at): {new}"
    gone = COPIES - set(copies)
    assert not gone, f"no copy left: remove these from COPIES: {gone}"


def test_the_copy_check_sees_a_copy():
    body = "".join(f"    x{i} = f(x{i - 1})\n" for i in range(1, COPY_LINES + 1))
    a = f"import os\n\ndef a(x0):\n{body}    return x6\n"
    b = f"from os import (\n    path,\n)\n\n\ndef b(x0):\n    # the same\n{body}"
    assert find_copies({"a.py": a, "b.py": b}) == {("a.py", "b.py"): (4, 8)}
    assert find_copies({"a.py": a, "b.py": b.replace("x3 = ", "y3 = ")}) == {}
