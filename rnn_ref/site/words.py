"""The rules that pick a word from a number, for the templates' sentences.

Each rule is a small named function a template calls (`{{ compare_word(d) }}`, or as a
filter); the sentence around the word is text in the template. Each is tested at its
thresholds in `tests/site/test_words.py`.
"""

from __future__ import annotations

__all__ = [
    "SAME_ACCURACY",
    "SAME_SPEED",
    "compare_word",
    "SEVERAL",
    "speed_word",
    "time_word",
    "speed_bought",
    "packing_headline",
    "times_word",
    "how_many",
    "after_peak",
    "rise_word",
    "loss_trend",
    "plural",
    "has_have",
    "agree",
    "VANISHED",
    "SAME_SIZE",
    "step_word",
    "size_word",
    "vanish_word",
    "spelled",
]

SAME_ACCURACY = 0.02  # two mean accuracies closer than 2 points are "about the same"
SAME_SPEED = 0.05  # a throughput ratio within 5 % of 1 is "about as fast as"
SAME_SIZE = 0.1  # two norms within 10 % of each other are "about as large as"
# a gradient norm below this has vanished: a change it carries is under float32's
# rounding (about 6e-8) of a state of size 1, and the sum-mod states are of size 1-10
VANISHED = 1e-6
SEVERAL = 3  # a ratio of 3 or more is "several times"


def _three_way(x: float, within: float, above: str, below: str, same: str) -> str:
    """`same` when `|x| < within`, else `above` for a positive `x`, `below` for a
    negative one: the rule under each comparison word below."""
    if abs(x) < within:
        return same
    return above if x > 0 else below


def compare_word(difference: float) -> str:
    """How one mean accuracy compares with another, from `a - b` (fractions).

    Examples:
        >>> compare_word(0.11), compare_word(-0.2), compare_word(0.0199)
        ('above', 'below', 'about the same as')
    """
    return _three_way(difference, SAME_ACCURACY, "above", "below", "about the same as")


def speed_word(ratio: float) -> str:
    """How one throughput compares with another, from their ratio `a / b`: `a` is
    "faster than", "slower than" or "about as fast as" `b`.

    Examples:
        >>> speed_word(1.22), speed_word(0.45), speed_word(1.049)
        ('faster than', 'slower than', 'about as fast as')
    """
    return _three_way(
        ratio - 1, SAME_SPEED, "faster than", "slower than", "about as fast as"
    )


def time_word(ratio: float) -> str:
    """`speed_word` from a ratio of times `a / b` (below 1 is faster): `a` is "faster
    than", "slower than" or "about as fast as" `b`.

    Examples:
        >>> time_word(0.72), time_word(1.06), time_word(1.02)
        ('faster than', 'slower than', 'about as fast as')
    """
    return speed_word(1 / ratio)


def speed_bought(ratios: list[float]) -> str:
    """What a change bought, from throughput ratios after / before (one per
    comparison): "speed" where `speed_word` calls every one faster, "speed only
    sometimes" where some, "no speed" where none.

    Examples:
        >>> speed_bought([1.9, 6.0]), speed_bought([0.45, 1.22]), speed_bought([1.04])
        ('speed', 'speed only sometimes', 'no speed')
    """
    faster = [speed_word(r) == "faster than" for r in ratios]
    if all(faster):
        return "speed"
    return "speed only sometimes" if any(faster) else "no speed"


def packing_headline(ratios: list[float]) -> str:
    """What packing bought, from packed / padded throughput ratios: `speed_bought`,
    after correctness.

    Examples:
        >>> packing_headline([0.45, 0.8]), packing_headline([0.45, 1.22])
        ('correctness, not speed', 'correctness, and speed only sometimes')
        >>> packing_headline([1.1, 1.22])
        'correctness and speed'
    """
    bought = speed_bought(ratios)
    if bought == "no speed":
        return "correctness, not speed"
    return (
        "correctness and speed" if bought == "speed" else f"correctness, and {bought}"
    )


def rise_word(values: list[float], over: str = "step") -> str:
    """How a series moved over its points, in order: "rose at every <over>" when each
    value is above the one before, "did not rise at every <over>" otherwise.

    Examples:
        >>> rise_word([1.36, 1.53, 2.99], "length"), rise_word([1.5, 1.4, 3.0])
        ('rose at every length', 'did not rise at every step')
    """
    steady = all(b > a for a, b in zip(values, values[1:], strict=False))
    return f"rose at every {over}" if steady else f"did not rise at every {over}"


def loss_trend(values: list[float]) -> str:
    """How a loss moved after its lowest point: "fell to the end" when the lowest is the
    last, else "rose after it" when the last is above the lowest.

    Examples:
        >>> loss_trend([2.0, 1.5, 1.4]), loss_trend([2.0, 1.5, 1.6])
        ('fell to the end', 'rose after it')
    """
    return "fell to the end" if min(values) == values[-1] else "rose after it"


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


def step_word(factor: float) -> str:
    """What a norm does going back one step, from its mean factor per step: "shrinks"
    below 1, "grows" above 1, "keeps its size" within 1 % of 1.

    Examples:
        >>> step_word(0.72), step_word(1.3), step_word(0.995)
        ('shrinks', 'grows', 'keeps its size')
    """
    return _three_way(factor - 1, 0.01, "grows", "shrinks", "keeps its size")


def size_word(ratio: float) -> str:
    """How one positive quantity compares with another, from `a / b`: "larger than",
    "smaller than", or "about as large as" within `SAME_SIZE`.

    Examples:
        >>> size_word(73.0), size_word(0.01), size_word(1.09)
        ('larger than', 'smaller than', 'about as large as')
    """
    return _three_way(
        ratio - 1, SAME_SIZE, "larger than", "smaller than", "about as large as"
    )


def vanish_word(norm: float) -> str:
    """Whether a gradient norm has vanished: "vanished" below `VANISHED`, "not
    vanished" from it up.

    Examples:
        >>> vanish_word(8.6e-13), vanish_word(1e-6), vanish_word(0.034)
        ('vanished', 'not vanished', 'not vanished')
    """
    return "vanished" if norm < VANISHED else "not vanished"


def times_word(ratio: float) -> str:
    """How many times one quantity is another, from their ratio (at least 1):
    "several times" from `SEVERAL`, "more than twice" from 2, else the number.

    Examples:
        >>> times_word(3.0), times_word(2.99), times_word(1.94)
        ('several times', 'more than twice', '1.9 times')
    """
    if ratio >= SEVERAL:
        return "several times"
    return "more than twice" if ratio >= 2 else f"{ratio:.1f} times"


def how_many(n: int, total: int, noun: str) -> str:
    """How many of `total` things hold, with the noun: "every shape", "no shape",
    "2 of 3 shapes".

    Examples:
        >>> how_many(3, 3, "cell"), how_many(0, 3, "cell"), how_many(1, 2, "shape")
        ('every cell', 'no cell', '1 of 2 shapes')
    """
    if n == total:
        return f"every {noun}"
    return f"no {noun}" if n == 0 else f"{n} of {total} {noun}s"


def after_peak(values: list[float]) -> str:
    """How a series moved after its highest point: "was highest at the end" when the
    highest is the last, else "fell after it".

    Examples:
        >>> after_peak([1.0, 5.9, 2.6]), after_peak([1.0, 2.3, 4.0])
        ('fell after it', 'was highest at the end')
    """
    return "was highest at the end" if max(values) == values[-1] else "fell after it"


_SMALL = str.split("zero one two three four five six seven eight nine ten")


def spelled(n: int) -> str:
    """`n` as prose writes it: in words up to ten, in digits above.

    Examples:
        >>> spelled(10), spelled(0), spelled(11)
        ('ten', 'zero', '11')
    """
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"
