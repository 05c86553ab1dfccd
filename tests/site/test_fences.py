"""Every code fence on the site is tested; every "checked by" link names a real test.

A fence is tested when it is either
  - an include (`--8<-- "snippets/..."` or `"docs/assets/code/rnn_ref/...:section"`,
    package code as `rnn_ref.site.regions` generates it): the file is run by
    the snippet tests or unit-tested; or
  - tagged exactly `python`, `sh` or `bash`, so pytest-codeblocks executes it
    (`make test` runs pytest with --codeblocks over docs/ and README.md); a fence it
    must skip (e.g. `make serve`) names the test that covers it instead:
    <!--pytest.mark.skip(reason="tested by tests/x.py::test_y")-->.
Anything else (```py, a title, ~~~ fences) would silently escape both, so it fails here.
"""

import ast
import re
from pathlib import Path

import pytest
from pytest_codeblocks.main import extract_from_file

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
IDS = [str(p.relative_to(ROOT)) for p in DOCS]
EXECUTED = {"python", "sh", "bash"}
INCLUDE_LINE = re.compile(
    r'^--8<--\s+"(snippets|docs/assets/code/rnn_ref|tests)/[^"]+"$'
)
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
CHECKED_BY = re.compile(r"[Cc]hecked by `?(tests/[\w/]+\.py::\w+)")


def test_exists(ref: str) -> bool:
    """True if `tests/x.py::test_name` names a test function that exists."""
    match = TEST_REF.fullmatch(ref)
    path = ROOT / match[1] if match else None
    if path is None or not path.exists():
        return False
    names = {
        n.name
        for n in ast.walk(ast.parse(path.read_text()))
        if isinstance(n, ast.FunctionDef)
    }
    return match[2] in names


test_exists.__test__ = False  # a helper, not a test


def _fence_problems(doc: Path) -> list[str]:
    problems = []
    if "~~~" in doc.read_text():
        problems.append(f"{doc.name}: use ``` fences (~~~ escapes pytest-codeblocks)")
    for block in extract_from_file(doc):
        where = f"{doc.name}:{block.lineno}"
        lines = [line.strip() for line in block.code.splitlines() if line.strip()]
        is_include = lines and all(INCLUDE_LINE.match(line) for line in lines)
        if block.syntax in EXECUTED and is_include:
            problems.append(
                f"{where}: an include fence tagged {block.syntax!r} would be executed; "
                "tag it py or text"
            )
        elif block.syntax in EXECUTED:
            skips = [m for m in block.marks if "skip" in m]
            refs = [r for m in skips for r in TEST_REF.findall(m)]
            if (
                skips
                and not all(test_exists(f"{p}::{n}") for p, n in refs)
                or skips
                and not refs
            ):
                problems.append(
                    f"{where}: a skipped fence must say which existing test covers it: "
                    f"{skips}"
                )
        elif not is_include:
            problems.append(
                f"{where}: fence ```{block.syntax} is neither an include nor executed; "
                "tag it exactly python/sh/bash (no title) or include a tested file"
            )
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_every_fence_is_tested(doc):
    problems = _fence_problems(doc)
    assert not problems, "\n".join(problems)


def test_checked_by_links_point_at_real_tests():
    refs = {
        (doc.name, ref) for doc in DOCS for ref in CHECKED_BY.findall(doc.read_text())
    }
    missing = sorted(f"{doc}: {ref}" for doc, ref in refs if not test_exists(ref))
    assert not missing, f"pages cite tests that do not exist: {missing}"


def test_every_claim_test_is_cited_by_a_page():
    cited = {ref for doc in DOCS for ref in CHECKED_BY.findall(doc.read_text())}
    claims = [
        f"tests/claims/{p.name}::{n.name}"
        for p in sorted((ROOT / "tests" / "claims").glob("test_*.py"))
        for n in ast.parse(p.read_text()).body
        if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    ]
    uncited = [c for c in claims if c not in cited]
    assert not uncited, (
        f"claim tests no page cites (cite them with 'Checked by `...`'): {uncited}"
    )


def test_checker_rejects_an_untested_fence(tmp_path):
    page = tmp_path / "page.md"
    page.write_text('```py title="x.py"\nprint(1)\n```\n')
    assert "neither an include nor executed" in _fence_problems(page)[0]
    assert not test_exists("tests/site/test_fences.py::no_such_test")
    assert test_exists(
        "tests/site/test_fences.py::test_checker_rejects_an_untested_fence"
    )


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_fenced_code_fits_the_column(doc):
    """88 columns of code fit the page at 1280 px (docs/assets/stylesheets/site.css);
    snippets and the package are held to it by ruff, fences written in a page here."""
    long = [
        f"{doc.name}:{block.lineno}: {line[:60]!r}... ({len(line)} chars)"
        for block in extract_from_file(doc)
        if block.syntax in EXECUTED
        for line in block.code.splitlines()
        if len(line) > 88
    ]
    assert not long, "wrap these lines at 88 columns:\n" + "\n".join(long)
