"""The overlap between our fixed evaluation set and a tutorial run's training stream,
replayed from the seed (`rnn_ref.experiments.tutorial_overlap`)."""

import random

from rnn_ref.experiments import tutorial_run
from rnn_ref.experiments.tutorial import TEST_SEED, TutorialArgs, draw
from rnn_ref.experiments.tutorial_overlap import (
    possible_sequences,
    training_overlap,
    training_stream,
)


def test_replay_draws_what_run_one_trains_on(monkeypatch):
    """The replay and a real (tiny) run consume the same stream: every batch run_one
    trains on is in the replay, and nothing else is."""
    args = TutorialArgs(total_steps=7, batch_size=5, eval_every=3)
    trained = set()
    real_batch_of = tutorial_run.batch_of

    def batch_of(seqs, a):
        if len(seqs) == args.batch_size:  # a training batch (evaluations are 100)
            trained.update(map(tuple, seqs))
        return real_batch_of(seqs, a)

    monkeypatch.setattr(tutorial_run, "batch_of", batch_of)
    tutorial_run.run_one(args, 3, log=lambda _: None, test_samples=20, lengths=())
    assert trained == training_stream(args, 3)


def test_overlap_counts_the_evaluation_set_against_the_stream():
    args = TutorialArgs(total_steps=40, batch_size=16, eval_every=10)
    got = training_overlap(args, 0, test_samples=300)
    test = [tuple(s) for s in draw(random.Random(TEST_SEED + 5), args, 300)]
    seen = training_stream(args, 0)
    assert got["samples"] == 300 and got["distinct"] == len(set(test))
    assert got["draws"] == 640 and got["possible"] == 111_100
    assert got["in_training"] == sum(s in seen for s in test) / 300
    assert got["distinct_in_training"] == len(set(test) & seen) / len(set(test))
    assert 0 < got["in_training"] < 1


def test_possible_sequences():
    assert possible_sequences(TutorialArgs()) == 111_100
    assert possible_sequences(TutorialArgs(min_seq_len=1, max_seq_len=1)) == 10
