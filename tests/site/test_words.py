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


@pytest.mark.parametrize(
    ("ratio", "word"),
    [
        (1.0, "about as fast as"),
        (1.0499, "about as fast as"),
        (0.9501, "about as fast as"),
        (1.05, "faster than"),
        (1.22, "faster than"),
        (0.95, "slower than"),
        (0.45, "slower than"),
    ],
)
def test_speed_word_at_its_threshold(ratio, word):
    assert words.SAME_SPEED == 0.05
    assert words.speed_word(ratio) == word


@pytest.mark.parametrize(
    ("ratios", "headline"),
    [
        ([0.45, 0.54, 1.0499, 0.81], "correctness, not speed"),
        ([0.45, 0.54, 1.22, 0.81], "correctness, and speed only sometimes"),
        ([0.45, 0.54, 1.05, 0.81], "correctness, and speed only sometimes"),
        ([1.05, 1.22], "correctness and speed"),
    ],
)
def test_packing_headline_counts_only_faster_as_speed(ratios, headline):
    assert words.packing_headline(ratios) == headline


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ([1.364, 1.534, 1.822, 2.241, 2.988], "rose at every length"),
        ([1.0, 2.0, 2.0], "did not rise at every length"),  # equal is not a rise
        ([1.0, 0.9, 3.0], "did not rise at every length"),
        ([1.0], "rose at every length"),
    ],
)
def test_rise_word(values, word):
    assert words.rise_word(values, "length") == word


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ([2.0, 1.5, 1.4], "fell to the end"),
        ([2.0, 1.4, 1.4], "fell to the end"),  # a tie at the end is still the lowest
        ([2.0, 1.5, 1.5001], "rose after it"),
    ],
)
def test_loss_trend(values, word):
    assert words.loss_trend(values) == word


@pytest.mark.parametrize(
    ("factor", "word"),
    [(0.72, "shrinks"), (0.989, "shrinks"), (0.991, "keeps its size"),
     (1.009, "keeps its size"), (1.011, "grows"), (1.3, "grows")],
)  # fmt: skip
def test_step_word_at_its_threshold(factor, word):
    assert words.step_word(factor) == word


@pytest.mark.parametrize(
    ("ratio", "word"),
    [(73.0, "larger than"), (1.101, "larger than"), (1.09, "about as large as"),
     (0.91, "about as large as"), (0.899, "smaller than"), (0.01, "smaller than")],
)  # fmt: skip
def test_size_word_at_its_threshold(ratio, word):
    assert words.SAME_SIZE == 0.1
    assert words.size_word(ratio) == word


@pytest.mark.parametrize(
    ("norm", "word"),
    [(8.6e-13, "vanished"), (9.99e-7, "vanished"), (1e-6, "not vanished"),
     (0.034, "not vanished")],
)  # fmt: skip
def test_vanish_word_at_its_threshold(norm, word):
    assert words.VANISHED == 1e-6
    assert words.vanish_word(norm) == word


@pytest.mark.parametrize(
    ("ratio", "word"),
    [
        (1.0, "about as fast as"),
        (1 / 1.0499, "about as fast as"),
        (1 / 0.9501, "about as fast as"),
        (1 / 1.0501, "faster than"),
        (0.72, "faster than"),
        (1 / 0.9499, "slower than"),
        (1.06, "slower than"),
    ],
)
def test_time_word_is_speed_word_of_the_inverse(ratio, word):
    assert words.time_word(ratio) == word


@pytest.mark.parametrize(
    ("ratios", "bought"),
    [
        ([1.05, 6.05], "speed"),
        ([1.05, 1.0499], "speed only sometimes"),
        ([1.0499, 0.5], "no speed"),
        ([0.45], "no speed"),
    ],
)
def test_speed_bought_counts_only_faster(ratios, bought):
    assert words.speed_bought(ratios) == bought


@pytest.mark.parametrize(
    ("ratio", "word"),
    [
        (3.0, "several times"),
        (6.05, "several times"),
        (2.999, "more than twice"),
        (2.0, "more than twice"),
        (1.999, "2.0 times"),
        (1.94, "1.9 times"),
    ],
)
def test_times_word_at_its_thresholds(ratio, word):
    assert words.SEVERAL == 3
    assert words.times_word(ratio) == word


@pytest.mark.parametrize(
    ("n", "total", "said"),
    [
        (3, 3, "every cell"),
        (1, 1, "every cell"),
        (0, 3, "no cell"),
        (2, 3, "2 of 3 cells"),
        (1, 3, "1 of 3 cells"),
    ],
)
def test_how_many(n, total, said):
    assert words.how_many(n, total, "cell") == said


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ([1.0, 5.9, 3.5, 2.6], "fell after it"),
        ([1.0, 5.9, 5.8999], "fell after it"),
        ([1.0, 5.9, 5.9], "was highest at the end"),  # a tie at the end is the peak
        ([1.0, 2.3, 4.0], "was highest at the end"),
        ([4.0], "was highest at the end"),
    ],
)
def test_after_peak(values, word):
    assert words.after_peak(values) == word


@pytest.mark.parametrize(
    ("n", "text"), [(0, "zero"), (10, "ten"), (11, "11"), (1200, "1,200"), (-1, "-1")]
)
def test_spelled_in_words_up_to_ten(n, text):
    assert words.spelled(n) == text
