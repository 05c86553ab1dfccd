"""The API reference page documents every public name of every module it lists.

``docs/reference.md`` lists modules (``::: rnn_ref.loops``); mkdocstrings renders
them from their docstrings at build time. Here: every name in each listed module's
``__all__`` has an anchor on the built page, every public function and class has
its own docstring, and those that take tensors describe their shapes (a ``Shape``
block, as STYLE.md asks).
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference.md"
LISTED = re.findall(
    r"^:::\s+(rnn_ref[\w.]*)\s*$", REFERENCE.read_text(encoding="utf-8"), re.M
)
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


def test_reference_lists_the_modules_that_exist():
    assert LISTED, "docs/reference.md lists no module"
    for name in LISTED:
        importlib.import_module(name)


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
