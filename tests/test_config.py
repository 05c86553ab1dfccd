"""`rnn_ref.config` and `rnn_ref.memory`: a run is refused before anything is allocated
when its estimated memory, training or evaluating, exceeds half of what this process may
use."""

import resource

import pytest

from rnn_ref import memory
from rnn_ref.config import TrainConfig, estimated_bytes
from rnn_ref.errors import InputError

# issue 28 §3: its training step is small, its first evaluation allocated 4.2 GB
BIG_EVALUATION = dict(
    batch_size=1, hidden_size=2048, min_len=1024, max_len=1024, eval_samples=500,
    eval_every=1, steps=1,
)  # fmt: skip


def test_the_estimate_includes_evaluation(monkeypatch):
    monkeypatch.setattr(memory, "_memory_bytes", lambda: 16 * 2**30)
    with pytest.raises(InputError, match="lower --eval-samples, --hidden-size"):
        TrainConfig(**BIG_EVALUATION)
    small = TrainConfig(**{**BIG_EVALUATION, "eval_samples": 10})  # 10 at a time
    training, evaluation = estimated_bytes(small)
    assert training < evaluation < 2**30


def test_a_memory_limit_counts_as_the_machine(monkeypatch):
    monkeypatch.setattr(
        resource, "getrlimit", lambda what: (6 * 2**30, resource.RLIM_INFINITY)
    )
    assert memory._memory_bytes() <= 6 * 2**30
