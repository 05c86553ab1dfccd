"""The Claims page (`rnn_ref.site.claims`): every mark on a page links to an entry that
shows its test, and every entry links back to its mark."""

import re

from rnn_ref.site import claims, paths

ROOT = paths.root()


def test_claims_page_is_current():
    assert (ROOT / "docs" / claims.PAGE).read_text() == claims.render(ROOT), (
        "docs/claims.md is stale: run `rnn-ref regen`"
    )


def test_every_mark_has_an_entry_and_a_unique_id():
    page = (ROOT / "docs" / claims.PAGE).read_text()
    entries = set(re.findall(r"\{ #([\w-]+) \}", page))
    found = claims.claims(ROOT)
    missing = [c.anchor for c in found if c.anchor not in entries]
    assert not missing, f"marks whose Claims entry is missing: {missing}"
    ids = [(c.page, c.mark_id) for c in found]
    assert len(ids) == len(set(ids)), "two marks share an id on one page"
    for c in found:  # the entry links back to the mark, which exists on its page
        assert f"]({c.page}#{c.mark_id})" in page


def test_a_mark_is_read_back_and_stripped_for_notebooks():
    text = "A sentence." + claims.mark("cell.md", "tests/claims/test_cell.py", "test_x")
    m = claims.MARK.search(text)
    assert (m["anchor"], m["path"], m["test"], m["id"]) == (
        "cell-test_x",
        "tests/claims/test_cell.py",
        "test_x",
        "check-cell-test_x",
    )
    assert claims.MARK_WITH_SPACE.sub("", text) == "A sentence."


def test_an_entry_shows_exactly_its_test(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(
        "import pytest\n\n\n@pytest.mark.slow\ndef test_b():\n    assert 1\n"
    )
    (tmp_path / "mkdocs.yml").write_text("nav:\n  - A: a.md\n")
    (tmp_path / "docs" / "a.md").write_text(
        "# Page A\n\nTrue." + claims.mark("a.md", "tests/test_a.py", "test_b") + "\n"
    )
    page = claims.render(tmp_path)
    assert "## Page A" in page
    assert '--8<-- "tests/test_a.py:4:6"' in page
    assert claims.sync(tmp_path, check=True) == [
        "docs/claims.md is stale: run `rnn-ref regen`"
    ]
    assert claims.sync(tmp_path) == [] and claims.sync(tmp_path, check=True) == []


def test_claims_are_marks_not_boxes():
    """The green "Checked by" boxes are retired: every claim is an inline mark."""
    boxes = [
        f"{page.name}:{n}"
        for page in sorted((ROOT / "docs").glob("*.md"))
        for n, line in enumerate(page.read_text().splitlines(), 1)
        if line.strip().startswith('!!! success "Checked by')
    ]
    assert not boxes, f"convert to a mark (rnn_ref.site.claims.mark): {boxes}"
