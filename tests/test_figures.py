"""rnn_ref.figures: every figure is drawn, committed, on a page, and redraws byte for byte."""

import re
from pathlib import Path

import matplotlib
import pytest

from rnn_ref import figures

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted(figures.OUT_DIR.glob("*.svg"))
DOCS = sorted((ROOT / "docs").rglob("*.md"))
CREATOR = re.compile(r"Matplotlib v([\w.+-]+), https://matplotlib\.org")


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> list[Path]:
    return figures.draw_all(tmp_path_factory.mktemp("figures"))


def test_draw_all_writes_every_figure(redrawn):
    assert len(redrawn) == len(figures.FIGURES)
    assert len({p.name for p in redrawn}) == len(redrawn), "two figures share a file name"
    for path in redrawn:
        text = path.read_text()
        assert path.suffix == ".svg" and text.startswith("<?xml") and "</svg>" in text
        assert "<dc:date>" not in text, f"{path.name} embeds a date: not reproducible"


def test_every_figure_is_committed_and_every_committed_figure_is_drawn(redrawn):
    assert sorted(p.name for p in redrawn) == [p.name for p in COMMITTED], (
        "run `rnn-ref regen` (or figures.draw_all()) and commit docs/assets/figures/, "
        "or delete figures nothing draws any more")


@pytest.mark.parametrize("svg", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_figure_is_on_a_page_with_alt_text(svg):
    embed = re.compile(r"!\[([^\]]*)\]\((?:\.\./)*assets/figures/" + re.escape(svg.name) + r"\)")
    alts = [alt for doc in DOCS for alt in embed.findall(doc.read_text())]
    assert alts, f"no page shows {svg.name}: embed it as ![alt text](assets/figures/{svg.name})"
    assert all(len(alt.split()) >= 4 for alt in alts), f"{svg.name}: write a real alt text: {alts}"


@pytest.mark.parametrize("svg", COMMITTED, ids=[p.name for p in COMMITTED])
def test_redraw_is_byte_identical(redrawn, svg):
    drawn_with = CREATOR.search(svg.read_text())
    assert drawn_with, f"{svg.name} does not say which matplotlib drew it"
    if drawn_with[1] != matplotlib.__version__:
        pytest.skip(f"{svg.name} was drawn with matplotlib {drawn_with[1]}, this is "
                    f"{matplotlib.__version__}: output may differ between versions")
    new = next(p for p in redrawn if p.name == svg.name)
    assert new.read_bytes() == svg.read_bytes(), (
        f"{svg.name} changed: run `rnn-ref regen` and commit it if the change is intended")
