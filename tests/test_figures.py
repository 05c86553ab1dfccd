"""rnn_ref.figures: every figure is drawn, committed, on a page, and redraws byte for byte.

docs/assets/figures/ is shared: other modules (e.g. rnn_ref.bench_plots, from measured results)
write figures there too. Those must name their file in their source and be shown on a page;
only the figures of `figures.draw_all()` are redrawn here.
"""

import re
from pathlib import Path

import matplotlib
import pytest

from rnn_ref import figures

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted(figures.OUT_DIR.glob("*.svg"))
DOCS = sorted((ROOT / "docs").rglob("*.md"))
CREATOR = re.compile(r"Matplotlib v([\w.+-]+), https://matplotlib\.org")
DRAWERS = [f.__name__ for f in figures.FIGURES]


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


def test_every_drawn_figure_is_committed(redrawn):
    missing = sorted(p.name for p in redrawn if not (figures.OUT_DIR / p.name).exists())
    assert not missing, f"run `rnn-ref regen` and commit docs/assets/figures/: {missing}"


def test_every_committed_figure_is_drawn_by_code(redrawn):
    sources = "\n".join(p.read_text() for p in (ROOT / "rnn_ref").glob("*.py"))
    drawn = {p.name for p in redrawn}
    orphans = [p.name for p in COMMITTED if p.name not in drawn and p.name not in sources]
    assert not orphans, f"figures no code in rnn_ref/ draws (delete them, or draw them): {orphans}"


@pytest.mark.parametrize("svg", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_figure_is_on_a_page_with_alt_text(svg):
    embed = re.compile(r"!\[([^\]]*)\]\((?:\.\./)*assets/figures/" + re.escape(svg.name) + r"\)")
    alts = [alt for doc in DOCS for alt in embed.findall(doc.read_text())]
    assert alts, f"no page shows {svg.name}: embed it as ![alt text](assets/figures/{svg.name})"
    assert all(len(alt.split()) >= 4 for alt in alts), f"{svg.name}: write a real alt text: {alts}"


@pytest.mark.parametrize("index", range(len(DRAWERS)), ids=DRAWERS)
def test_redraw_is_byte_identical(redrawn, index):
    new = redrawn[index]
    committed = figures.OUT_DIR / new.name
    if not committed.exists():
        pytest.fail(f"{new.name} is not committed: run `rnn-ref regen`")
    drawn_with = CREATOR.search(committed.read_text())
    assert drawn_with, f"{new.name} does not say which matplotlib drew it"
    if drawn_with[1] != matplotlib.__version__:
        pytest.skip(f"{new.name} was drawn with matplotlib {drawn_with[1]}, this is "
                    f"{matplotlib.__version__}: output may differ between versions")
    assert new.read_bytes() == committed.read_bytes(), (
        f"{new.name} changed: run `rnn-ref regen` and commit it if the change is intended")
