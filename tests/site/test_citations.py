"""Drift guards: what the pages and the package cite still exists.

- every `--8<-- [start:name]` section marked in the package is included by some page (a
  marker no page includes is a claim that a page shows the code, which no longer holds);
- every `tests/...py` path (and `::test_name`) cited in the pages, the README,
  CONTRIBUTING.md, mutation/'s record or the package's docstrings and comments exists
  (a test, or a name a test file defines).
"""

import ast
import re

from rnn_ref.site import paths

ROOT = paths.root()
PAGES = [
    *sorted((ROOT / "docs").rglob("*.md")),
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "mutation").glob("*.md")),
    ROOT / "mutation" / "survivors.toml",  # the tests that kill each survivor
]
# they cite made-up paths on purpose
CHECKERS = {"test_citations.py", "test_fences.py", "test_claims.py"}
SOURCES = [
    p
    for p in [
        *sorted((ROOT / "rnn_ref").rglob("*.py")),
        *sorted((ROOT / "tests").rglob("*.py")),
    ]
    if p.name not in CHECKERS
]
MARKER = re.compile(r"^\s*# --8<-- \[start:([\w-]+)\]", re.M)
# pages include package code from its generated copy (rnn_ref.site.regions)
INCLUDE = re.compile(r'--8<--\s+"docs/assets/code/(rnn_ref/[^":]+):([\w-]+)"')
CITED = re.compile(r"(?<![\w/])(tests/[\w/]+\.py)(?:::(\w+))?")


def _sections_in_package() -> set[tuple[str, str]]:
    return {
        (path.relative_to(ROOT).as_posix(), name)
        for path in (ROOT / "rnn_ref").rglob("*.py")
        for name in MARKER.findall(path.read_text())
    }


def _included() -> set[tuple[str, str]]:
    return {
        m for page in PAGES if page.exists() for m in INCLUDE.findall(page.read_text())
    }


def _missing(path: str, name: str | None) -> str | None:
    file = ROOT / path
    if not file.is_file():
        return f"{path} does not exist"
    if name:
        tree = ast.parse(file.read_text())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        defined |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if name not in defined:
            return f"{path} has no {name}"
    return None


def test_every_section_marker_is_included_by_a_page():
    unused = sorted(f"{p}:{n}" for p, n in _sections_in_package() - _included())
    assert not unused, (
        "section markers no page includes (include them, or delete the markers): "
        f"{unused}"
    )


def test_every_cited_test_exists():
    problems = []
    for source in [p for p in PAGES if p.exists()] + SOURCES:
        for path, name in set(CITED.findall(source.read_text())):
            problem = _missing(path, name or None)
            if problem:
                problems.append(f"{source.relative_to(ROOT)} cites {path}: {problem}")
    assert not problems, "\n".join(sorted(problems))


def test_the_guards_can_fail():
    assert _missing("tests/no_such_file.py", None)
    assert _missing("tests/site/test_citations.py", "no_such_test")
    assert _missing("tests/site/test_citations.py", "test_the_guards_can_fail") is None
    assert CITED.findall("see `tests/claims/test_cell.py::test_x`") == [
        ("tests/claims/test_cell.py", "test_x")
    ]
    assert MARKER.findall("    # --8<-- [start:step]\n") == ["step"]
