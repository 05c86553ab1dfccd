"""The training chapter shows the committed tutorial results: the tables and figures
redraw from tutorial.json, and every section is on the page."""

import copy
import json
import re

import pytest

from rnn_ref.cli import main
from rnn_ref.site import paths, tutorial_report

JSON = paths.results() / "tutorial.json"
RESULTS = json.loads(JSON.read_text())
TABLES = paths.results() / "tutorial_tables.md"
PAGE = paths.docs() / "training.md"


def test_committed_tables_are_rendered_from_the_committed_json():
    assert TABLES.read_text() == tutorial_report.render_tables(RESULTS), (
        "docs/assets/results/tutorial_tables.md is stale: "
        "run `rnn-ref ladder --tutorial --redraw` and commit it"
    )


def test_every_table_section_is_on_the_page():
    sections = re.findall(r"\[start:([\w-]+)\]", TABLES.read_text())
    included = set(
        re.findall(
            r'--8<-- "docs/assets/results/tutorial_tables\.md:([\w-]+)"',
            PAGE.read_text(),
        )
    )
    assert sections and set(sections) <= included, (
        f"sections the page does not show: {set(sections) - included}"
    )


def test_the_verdict_table_has_a_row_per_rung_with_every_seed():
    text = TABLES.read_text()
    for rung in RESULTS["rungs"]:
        row = next(
            x for x in text.splitlines() if x.startswith(f"| `{rung['name']}` |")
        )
        for run in rung["runs"]:
            assert f"{run['final_10k'] * 100:.1f}" in row, (rung["name"], run["seed"])


def test_a_rung_not_yet_trained_renders_as_such():
    partial = copy.deepcopy(RESULTS)
    partial["rungs"][-1]["runs"] = []
    row = tutorial_report.render_tables(partial).split(
        f"| `{partial['rungs'][-1]['name']}` |"
    )[1]
    assert "not run yet" in row.splitlines()[0]


def test_every_section_renders_before_any_run():
    """The page includes every section, so each exists even with no runs at all."""
    empty = copy.deepcopy(RESULTS)
    for rung in empty["rungs"]:
        rung["runs"] = []
    names = re.findall(r"\[start:([\w-]+)\]", tutorial_report.render_tables(empty))
    assert names == re.findall(r"\[start:([\w-]+)\]", TABLES.read_text())


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("tutorial")
    (out / "tutorial.json").write_text(JSON.read_text())
    assert main(["ladder", "--tutorial", "--redraw", "--out", str(out)]) == 0
    return out


@pytest.mark.slow  # redraws the tutorial's figures
def test_redraw_writes_the_same_tables(redrawn):
    assert (redrawn / "tutorial_tables.md").read_text() == TABLES.read_text()


@pytest.mark.parametrize("name", ["tutorial_loss.svg", "tutorial_accuracy.svg"])
def test_committed_figure_redraws_byte_for_byte(redrawn, name, assert_same_svg):
    assert_same_svg(
        redrawn / name, paths.figures() / name, "rnn-ref ladder --tutorial --redraw"
    )


def test_no_template_is_left_unfilled():
    assert "{" not in TABLES.read_text() and "}" not in TABLES.read_text()
