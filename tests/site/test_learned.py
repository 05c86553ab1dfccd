"""The chapter's "What the model learned": figures and numbers redraw from code."""

import pytest

from rnn_ref.site import learned, paths
from rnn_ref.site.records import drawing_mismatch, file_platform


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("learned")
    return {p.name: p for p in learned.redraw(out, out)}


@pytest.mark.slow
@pytest.mark.parametrize("name", learned.FIGURES)
def test_figure_redraws_byte_for_byte(redrawn, name, assert_same_svg):
    assert_same_svg(redrawn[name], paths.figures() / name, "rnn-ref regen")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["learned.json", "learned_tables.md"])
def test_numbers_are_what_the_code_prints(redrawn, name):
    committed = (paths.results() / name).read_text()
    if reason := drawing_mismatch(committed, redrawn[name].read_text()):
        pytest.skip(f"{name}: {reason}; the claim tests check it")
    assert redrawn[name].read_text() == committed, (
        f"docs/assets/results/{name} is stale: run `rnn-ref regen` and commit it"
    )


def test_what_the_training_gives_says_where_it_was_made():
    for name in [*learned.FIGURES, "learned.json", "learned_tables.md"]:
        home = paths.figures() if name.endswith(".svg") else paths.results()
        assert file_platform((home / name).read_text()).startswith("cpu x86_64 AVX2")
