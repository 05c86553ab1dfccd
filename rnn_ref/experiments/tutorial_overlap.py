"""How much of our fixed evaluation set a tutorial run also trained on.

Lengths 2-5 over the digits 0-9 allow only 10^2 + 10^3 + 10^4 + 10^5 = 111,100
different sequences, and a run draws hundreds of thousands of training sequences, so
our fixed set of 10,000 (`held_out_set`) is not held out in the sense of disjoint: many
of its sequences also occur in the training stream. `training_overlap` measures how
many, by replaying a run's `random.Random(seed)` exactly as `run_one` consumes it
(`batch_size` sequences per step, and the 100-sample evaluation every `eval_every`
steps, which shares the stream) without building a model: seconds, not a training run.
"""

from __future__ import annotations

import functools
import random
from dataclasses import replace

from rnn_ref.experiments.tutorial import (
    DATA_FIELDS,
    EVAL_SAMPLES,
    TEST_SAMPLES,
    TEST_SEED,
    TutorialArgs,
    draw,
)

__all__ = ["possible_sequences", "training_stream", "training_overlap"]


def possible_sequences(args: TutorialArgs) -> int:
    """How many different sequences the task's lengths and digits allow.

    Examples:
        >>> possible_sequences(TutorialArgs())
        111100
    """
    digits = args.max_number + 1
    return sum(digits**n for n in range(args.min_seq_len, args.max_seq_len + 1))


def training_stream(args: TutorialArgs, seed: int) -> set[tuple[int, ...]]:
    """Every distinct sequence `run_one(args, seed)` trains on, replayed from its seed.

    Examples:
        >>> args = TutorialArgs(total_steps=2, batch_size=3, eval_every=1)
        >>> stream = training_stream(args, 0)
        >>> len(stream), (6, 0, 4, 8, 7) in stream  # the seed's first draw
        (6, True)
    """
    rng = random.Random(seed)  # as run_one: training batches and the evaluations
    seen: set[tuple[int, ...]] = set()
    for step in range(1, args.total_steps + 1):
        seen.update(map(tuple, draw(rng, args, args.batch_size)))
        if step % args.eval_every == 0 or step == args.total_steps:
            draw(rng, args, EVAL_SAMPLES)  # the script's evaluation: not trained on
    return seen


@functools.cache
def training_overlap(
    args: TutorialArgs, seed: int, test_samples: int = TEST_SAMPLES
) -> dict:
    """How much of our evaluation set (`held_out_set(args, test_samples)`) occurs in
    the training stream of `run_one(args, seed)`.

    Returns:
        `samples` (the set's size), `distinct` (its different sequences),
        `possible` (how many the task allows), `draws` (training sequences drawn),
        `in_training` (the fraction of the `samples`, repeats counted, that also occur
        in training) and `distinct_in_training` (the same over `distinct`).
    """
    data = replace(TutorialArgs(), **{k: getattr(args, k) for k in DATA_FIELDS})
    test = [
        tuple(s)
        for s in draw(random.Random(TEST_SEED + data.max_seq_len), data, test_samples)
    ]
    seen = training_stream(args, seed)
    distinct = set(test)
    return {
        "samples": len(test),
        "distinct": len(distinct),
        "possible": possible_sequences(data),
        "draws": args.total_steps * args.batch_size,
        "in_training": sum(s in seen for s in test) / len(test),
        "distinct_in_training": len(distinct & seen) / len(distinct),
    }
