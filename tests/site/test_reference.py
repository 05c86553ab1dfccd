"""The API reference page documents every public name of every module it lists.

``docs/reference.md`` lists modules (``::: rnn_ref.loops``); mkdocstrings renders
them from their docstrings at build time. Here: every module of the package that
defines ``__all__`` is listed, or named with its reason under the page's "Not on this
page" (a package named there covers its modules); every name in each listed module's
``__all__`` has an anchor on the built page, every public function and class has
its own docstring, and those that take tensors describe their shapes (a ``Shape``
block, as STYLE.md asks).
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference.md"
PAGE = REFERENCE.read_text(encoding="utf-8")
LISTED = re.findall(r"^:::\s+(rnn_ref[\w.]*)\s*$", PAGE, re.M)
# "- `rnn_ref.site`: why", in the section "Not on this page"
NOT_HERE = PAGE.partition("\n## Not on this page\n")[2]
DECLARED = re.findall(r"^- `(rnn_ref[\w.]*)`: \S", NOT_HERE, re.M)
TENSORS = re.compile(r"\b(Tensor|PackedSequence)\b")


def _public(module_name: str) -> list[tuple[str, object]]:
    """The module's ``__all__``, minus names it re-exports from torch
    (documented by torch)."""
    module = importlib.import_module(module_name)
    names = [(name, getattr(module, name)) for name in getattr(module, "__all__", [])]
    return [
        (name, obj)
        for name, obj in names
        if getattr(obj, "__module__", module_name).split(".")[0] != "torch"
    ]


def _own_doc(obj) -> str:
    """The object's own docstring (not one inherited from nn.Module, not a
    dataclass's signature)."""
    doc = (
        obj.__dict__.get("__doc__")
        if inspect.isclass(obj)
        else getattr(obj, "__doc__", None)
    )
    doc = doc or ""
    if inspect.isclass(obj) and doc.startswith(f"{obj.__name__}("):
        return ""  # dataclass default: just the signature
    return inspect.cleandoc(doc)


def _takes_tensors(obj) -> bool:
    target = obj.forward if inspect.isclass(obj) and hasattr(obj, "forward") else obj
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return False
    return any(TENSORS.search(str(p.annotation)) for p in sig.parameters.values())


def _assigns_all(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    else:
        return False
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _modules_with_all(package: Path) -> list[str]:
    """Every module under ``package`` whose source assigns ``__all__`` (read, not
    imported)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(_assigns_all(node) for node in tree.body):
            parts = path.relative_to(package.parent).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _declared(module_name: str, declared: list[str]) -> bool:
    return any(
        module_name == d or module_name.startswith(f"{d}.") and d != "rnn_ref"
        for d in declared
    )


def test_reference_lists_the_modules_that_exist():
    assert LISTED, "docs/reference.md lists no module"
    for name in LISTED + DECLARED:
        importlib.import_module(name)


def test_every_module_with_all_is_listed_or_said_to_be_internal():
    """A module that defines ``__all__`` offers an API: the page documents it, or says
    why not (a bullet ``- `rnn_ref.x`: why`` under "Not on this page")."""
    modules = _modules_with_all(ROOT / "rnn_ref")
    assert "rnn_ref.loops" in modules and "rnn_ref.site.paths" in modules, modules
    missing = [m for m in modules if m not in LISTED and not _declared(m, DECLARED)]
    assert not missing, (
        f"modules with __all__ neither listed in docs/reference.md (::: {missing[0]}) "
        f"nor named under its 'Not on this page' with a reason: {missing}"
    )
    both = [m for m in LISTED if _declared(m, DECLARED)]
    assert not both, f"listed and also said not to be on the page: {both}"


def test_a_module_neither_listed_nor_declared_is_caught():
    assert not _declared("rnn_ref.lm", ["rnn_ref", "rnn_ref.site"])
    assert _declared("rnn_ref.site.paths", ["rnn_ref", "rnn_ref.site"])
    assert not _declared("rnn_ref.sitemap", ["rnn_ref.site"])


def test_the_package_re_exports_only_names_documented_here():
    """`rnn_ref` is not listed: its names are documented under their own modules."""
    import rnn_ref

    elsewhere = {
        name: getattr(rnn_ref, name).__module__
        for name in rnn_ref.__all__
        if getattr(rnn_ref, name).__module__ not in LISTED
    }
    assert not elsewhere, f"re-exported from modules not on the page: {elsewhere}"


@pytest.mark.parametrize("module_name", LISTED)
def test_every_public_name_is_on_the_reference_page(site, module_name):
    page = (site / "reference" / "index.html").read_text(encoding="utf-8")
    public = _public(module_name)
    assert public, f"{module_name} has no __all__"
    missing = [name for name, _ in public if f'id="{module_name}.{name}"' not in page]
    assert not missing, f"{module_name}: not on the reference page: {missing}"


@pytest.mark.parametrize("module_name", LISTED)
def test_public_callables_are_documented_with_shapes(module_name):
    undocumented, shapeless = [], []
    for name, obj in _public(module_name):
        if not callable(obj):
            continue  # constants: listed, see the test above
        doc = _own_doc(obj)
        if not doc:
            undocumented.append(name)
        elif _takes_tensors(obj) and "Shape" not in doc:
            shapeless.append(name)
    assert not undocumented, (
        f"{module_name}: public names without a docstring: {undocumented}"
    )
    assert not shapeless, (
        f"{module_name}: take tensors but their docstring has no Shape block: "
        f"{shapeless}"
    )
