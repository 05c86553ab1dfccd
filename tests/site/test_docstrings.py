"""Docstrings render in the API reference as written: a `*` in a `Shape:` section
outside a code span would turn into italics there; and each `Examples:` block of a
module on the API reference page runs on its own, as a reader copies it (its imports
in the block, not in the module around it)."""

import doctest
import importlib
import re

import pytest

from rnn_ref.site import paths

SHAPE = re.compile(r"\n(\s*)Shape:\n((?:\1    .*\n|[ \t]*\n)+)")


def _stray_stars(source: str) -> list[str]:
    return [
        line.strip()
        for m in SHAPE.finditer(source)
        for line in m.group(2).splitlines()
        if "*" in re.sub(r"`[^`]*`", "", line)
    ]


def test_shapes_keep_their_stars_in_code_spans():
    bad = {
        str(p.relative_to(paths.root())): lines
        for p in sorted((paths.root() / "rnn_ref").rglob("*.py"))
        if (lines := _stray_stars(p.read_text()))
    }
    assert not bad, f"put these shapes in backticks: {bad}"


def test_the_check_sees_a_bare_star():
    assert _stray_stars('"""\n    Shape:\n        x (N, 3*H).\n"""') == ["x (N, 3*H)."]
    assert _stray_stars('"""\n    Shape:\n        x `(N, 3*H)`.\n"""') == []


REFERENCE = paths.root() / "docs" / "reference.md"
ON_THE_REFERENCE_PAGE = re.findall(
    r"^:::\s+(rnn_ref[\w.]*)\s*$", REFERENCE.read_text(), re.M
)


def _examples_run_alone(module_name: str) -> list[str]:
    """Run every `Examples:` block of a module with nothing defined beforehand (as a
    reader runs the block copied from the API reference); report those that fail."""
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    failed = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, globs={}):
        report: list[str] = []
        if runner.run(test, out=report.append).failed:
            failed.append(f"{test.name}:\n{''.join(report)[-600:]}")
    return failed


@pytest.mark.parametrize("module_name", ON_THE_REFERENCE_PAGE)
def test_every_api_example_carries_its_imports(module_name):
    """A copied example runs on its own: it imports torch and the names it uses."""
    failed = _examples_run_alone(module_name)
    assert not failed, "examples that need names they do not import:\n" + "\n".join(
        failed
    )
