"""Docstrings render in the API reference as written: a `*` in a `Shape:` section
outside a code span would turn into italics there."""

import re

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
