"""rnn_ref.site.figures: every figure is drawn, committed, on a page,
and redraws byte for byte.

docs/assets/figures/ is shared: the ladder and bench plots (drawn from measured results)
live there too; they are redrawn and compared in tests/site/test_ladder_report.py and
tests/site/test_bench_report.py.
"""

import json
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from rnn_ref.site import (
    bench_report,
    figures,
    ladder_report,
    learned,
    paths,
    tutorial_report,
)
from rnn_ref.site import svg as svg_module

COMMITTED = sorted(paths.figures().glob("*.svg"))
DOCS = sorted(paths.docs().rglob("*.md"))
DRAWERS = [f.__name__ for f in figures.FIGURES]


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> list[Path]:
    """Every figure drawn afresh: it trains the models of the gradients page (about
    25 s), so the tests that use it are slow (`make test-fast` leaves them out)."""
    return figures.draw_all(tmp_path_factory.mktemp("figures"))


@pytest.mark.slow
def test_draw_all_writes_every_figure(redrawn):
    assert len(redrawn) == len(figures.FIGURES)
    assert len({p.name for p in redrawn}) == len(redrawn), (
        "two figures share a file name"
    )
    for path in redrawn:
        text = path.read_text()
        assert path.suffix == ".svg" and text.startswith("<?xml") and "</svg>" in text
        assert "<dc:date>" not in text, f"{path.name} embeds a date: not reproducible"


@pytest.mark.slow
def test_every_drawn_figure_is_committed(redrawn):
    missing = sorted(p.name for p in redrawn if not (paths.figures() / p.name).exists())
    assert not missing, (
        f"run `rnn-ref regen` and commit docs/assets/figures/: {missing}"
    )


@pytest.mark.slow
def test_every_committed_figure_is_drawn_by_code(redrawn, tmp_path):
    """Every committed SVG is an output of a drawer regen calls: figures.draw_all, or
    the ladder and bench plots drawn from their committed JSON."""
    shutil.copy(paths.results() / "ladder.json", tmp_path / "ladder.json")
    shutil.copy(paths.results() / "tutorial.json", tmp_path / "tutorial.json")
    bench = json.loads((paths.results() / "bench.json").read_text())
    drawn = {
        p.name
        for p in [
            *redrawn,
            *ladder_report.redraw(tmp_path / "ladder.json", tmp_path),
            *tutorial_report.redraw(tmp_path / "tutorial.json", tmp_path),
            *bench_report.draw_figures(bench, tmp_path),
        ]
    }
    drawn |= set(learned.FIGURES)  # trained, so redrawn in tests/site/test_learned.py
    orphans = [p.name for p in COMMITTED if p.name not in drawn]
    assert not orphans, (
        f"figures no code in rnn_ref/ draws (delete them, or draw them): {orphans}"
    )


@pytest.mark.parametrize("svg", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_figure_is_on_a_page_with_alt_text(svg):
    embed = re.compile(
        r"!\[([^\]]*)\]\((?:\.\./)*assets/figures/" + re.escape(svg.name) + r"\)"
    )
    alts = [alt for doc in DOCS for alt in embed.findall(doc.read_text())]
    assert alts, (
        f"no page shows {svg.name}: embed it as ![alt text](assets/figures/{svg.name})"
    )
    # the alt text says what the figure shows (its axes, its series, what they do), not
    # that there is a figure: at least 10 words once words such as "figure" are dropped
    assert all(len(_telling_words(alt)) >= 10 for alt in alts), (
        f"{svg.name}: write an alt text that says what the figure shows "
        f"(axes, series, what the reader should see): {alts}"
    )


_SAYS_NOTHING = {"a", "an", "the", "of", "figure", "image", "picture", "plot", "chart"}


def _telling_words(alt: str) -> list[str]:
    return [w for w in alt.split() if w.lower().strip(",.:;") not in _SAYS_NOTHING]


def test_alt_text_rule_rejects_placeholders():
    assert len(_telling_words("Figure: a plot of the loss")) < 10
    assert len(_telling_words("Loop vs scan time over T, log-log")) < 10


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(DRAWERS)), ids=DRAWERS)
def test_redraw_is_byte_identical(redrawn, index, assert_same_svg):
    new = redrawn[index]
    assert_same_svg(new, paths.figures() / new.name, "rnn-ref regen")


def _smallest_shown_px(svg: str) -> float:
    """The smallest text of an SVG figure, in px, as the 688 px column shows it."""
    width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)[1])
    view = float(re.search(r'viewBox="0 0 ([\d.]+)', svg)[1])
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:[^;\"]*?([\d.]+)px", svg)]
    shown = min(width_pt * 4 / 3, svg_module.COLUMN * 96)  # px on the page
    return min(sizes) * shown / view


def test_committed_figures_are_legible_in_the_column():
    figures = sorted((paths.root() / "docs" / "assets" / "figures").glob("*.svg"))
    small = {
        f.name: round(px, 1)
        for f in figures
        if (px := _smallest_shown_px(f.read_text())) < svg_module.SMALLEST_PX
    }
    assert figures and not small, f"text under 11 px as shown at 1280 px: {small}"


def test_save_svg_enlarges_text_too_small_for_the_column(tmp_path):
    fig = plt.figure(figsize=(10, 3))
    fig.text(0.5, 0.5, "tiny", fontsize=4)
    path = svg_module.save_svg(fig, tmp_path / "f.svg")
    assert _smallest_shown_px(path.read_text()) >= svg_module.SMALLEST_PX - 0.01
