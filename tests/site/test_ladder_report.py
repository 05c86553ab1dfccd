"""The training chapter shows the committed ladder results: tables and
figures redraw from the JSON."""

import json
import re

import pytest

from rnn_ref.cli import main
from rnn_ref.site import ladder_report, paths

JSON = paths.results() / "ladder.json"
RESULTS = json.loads(JSON.read_text())
TABLES = paths.results() / "ladder_tables.md"
FIGURES = paths.figures()
PAGE = paths.docs() / "training.md"


def test_committed_tables_are_rendered_from_the_committed_json():
    assert TABLES.read_text() == ladder_report.render_tables(RESULTS), (
        "docs/assets/results/ladder_tables.md is stale: "
        "run `rnn-ref ladder --redraw` and commit it"
    )


def test_every_table_section_is_on_the_page():
    sections = re.findall(r"\[start:([\w-]+)\]", TABLES.read_text())
    included = set(
        re.findall(
            r'--8<-- "docs/assets/results/ladder_tables\.md:([\w-]+)"', PAGE.read_text()
        )
    )
    assert sections and set(sections) <= included, (
        f"sections the page does not show: {set(sections) - included}"
    )


def test_tables_show_every_rung_and_length():
    text = TABLES.read_text()
    for rung in RESULTS["rungs"]:
        assert text.count(f"`{rung['name']}`") >= 3, rung["name"]
    for length in RESULTS["rungs"][0]["summary"]["by_length"]:
        assert f"length {length} |" in text


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("ladder")
    (out / "ladder.json").write_text(JSON.read_text())
    assert main(["ladder", "--redraw", "--out", str(out)]) == 0
    return out


def test_redraw_writes_the_same_tables(redrawn):
    assert (redrawn / "ladder_tables.md").read_text() == TABLES.read_text()


@pytest.mark.parametrize("name", ["ladder.svg", "extrapolation.svg"])
def test_committed_figure_redraws_byte_for_byte(redrawn, name, assert_same_svg):
    assert_same_svg(redrawn / name, FIGURES / name, "rnn-ref ladder --redraw")


def test_tables_render_without_a_rung_trained_on_lengths_2_5():
    wide_only = {
        **RESULTS,
        "rungs": [r for r in RESULTS["rungs"] if r["config"]["max_len"] > 5],
    }
    text = ladder_report.render_tables(wide_only)
    assert "[start:wide]" in text and "[start:claim]" not in text
