"""The word rules the templates call, at their thresholds, and the rendering helper."""

import jinja2
import pytest

from rnn_ref.site import templates, words


@pytest.mark.parametrize(
    ("difference", "word"),
    [
        (0.0, "about the same as"),
        (0.0199, "about the same as"),
        (-0.0199, "about the same as"),
        (0.02, "above"),
        (0.11, "above"),
        (-0.02, "below"),
        (-0.2, "below"),
    ],
)
def test_compare_word_at_its_threshold(difference, word):
    assert words.SAME_ACCURACY == 0.02
    assert words.compare_word(difference) == word


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "seeds"), (1, "seed"), (2, "seeds"), ([1], "seed"), ([1, 5], "seeds")],
)
def test_plural(n, word):
    assert words.plural(n, "seed") == word


def test_has_have():
    assert [words.has_have(n) for n in (1, 2, 3)] == ["has", "have", "have"]


def test_every_rule_is_callable_from_a_template():
    env = templates.environment()
    for name in words.__all__:
        if callable(getattr(words, name)):
            assert name in env.globals and name in env.filters


def test_unwrap_joins_a_paragraph_and_keeps_tables_and_raw_blocks():
    assert templates.unwrap("  A\n  sentence.\n\n| a |\n| 1 |\n") == (
        "A sentence.\n\n| a |\n| 1 |"
    )


def test_an_undefined_name_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        templates.environment().from_string("{{ nothing }}").render()
