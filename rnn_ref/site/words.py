"""The rules that pick a word from a number, for the templates' sentences.

Each rule is a small named function a template calls (`{{ compare_word(d) }}`, or as a
filter); the sentence around the word is text in the template. Each is tested at its
thresholds in `tests/site/test_words.py`.
"""

from __future__ import annotations

__all__ = ["SAME_ACCURACY", "compare_word", "plural", "has_have", "agree"]

SAME_ACCURACY = 0.02  # two mean accuracies closer than 2 points are "about the same"


def compare_word(difference: float) -> str:
    """How one mean accuracy compares with another, from `a - b` (fractions).

    Examples:
        >>> compare_word(0.11), compare_word(-0.2), compare_word(0.0199)
        ('above', 'below', 'about the same as')
    """
    if abs(difference) < SAME_ACCURACY:
        return "about the same as"
    return "above" if difference > 0 else "below"


def plural(n: int | float | list, word: str) -> str:
    """`word` with an `s` unless `n` is one (or a list holding only 1).

    Examples:
        >>> plural(1, "thread"), plural(2, "seed"), plural([1], "seed")
        ('thread', 'seeds', 'seed')
    """
    one = n == [1] if isinstance(n, list) else n == 1
    return word if one else word + "s"


def has_have(n: int) -> str:
    """The verb after `n` names: `has` for one, `have` for more.

    Examples:
        >>> has_have(1), has_have(2)
        ('has', 'have')
    """
    return "has" if n == 1 else "have"


def agree(n: int, one: str, many: str) -> str:
    """The verb form that agrees with `n`: `one` for exactly one, else `many`.

    Examples:
        >>> agree(1, "misses", "miss"), agree(0, "misses", "miss")
        ('misses', 'miss')
    """
    return one if n == 1 else many
