"""Training shared by the processes of one test run: `trained_once(config)`.

The training page's two GRUs (`rnn_ref.site.learned.MODELS`) are trained by the tests
of that page and of the gradients page, by the snippet that prints their Jacobians and
by that page's notebook: several processes, one set of weights (under the pinned
kernels training is deterministic, and the tests check the figures it draws byte for
byte). With `RNN_REF_MODEL_CACHE` naming a folder (tests/conftest.py makes one per test
run), the first process to train a config saves its weights there and the others load
them. Without it (a reader's run, `rnn-ref regen`), every process trains.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import io
import os
from pathlib import Path

import torch

from rnn_ref.atomic import write_atomic
from rnn_ref.config import TrainConfig
from rnn_ref.model import SumModClassifier, classifier_kwargs
from rnn_ref.train import train

__all__ = ["trained_once", "CACHE"]

CACHE = "RNN_REF_MODEL_CACHE"


def trained_once(config: TrainConfig) -> SumModClassifier:
    """`train(config).model`, trained once per `RNN_REF_MODEL_CACHE` folder."""
    folder = os.environ.get(CACHE)
    if not folder:
        return train(config).model
    key = hashlib.sha256(repr(config).encode()).hexdigest()[:16]
    weights = Path(folder) / f"{key}.pt"
    with open(Path(folder) / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be training it
        if not weights.exists():
            model = train(config).model
            buffer = io.BytesIO()
            torch.save(model.state_dict(), buffer)
            write_atomic(weights, buffer.getvalue())
            return model
    model = SumModClassifier(**classifier_kwargs(dataclasses.asdict(config)))
    model.load_state_dict(torch.load(weights, weights_only=True))
    return model.eval()
