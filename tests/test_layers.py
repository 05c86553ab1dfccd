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
    "train",
    "distributed",
    "lm",
    "lm_train",
    "rundir",
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
