"""What a run will allocate, estimated before anything is: `step_bytes` (a training
step of a recurrent model) and `check_memory`, which refuses an estimate above half of
what this process may use (the machine's memory, `ulimit -v`, a cgroup's memory.max).
Both trainers (`rnn_ref.config`, `rnn_ref.lm_train`) and `rnn-ref export` use them.
"""

from __future__ import annotations

import contextlib
import os
import resource
from pathlib import Path

from rnn_ref.errors import InputError

__all__ = ["step_bytes", "check_memory"]


def step_bytes(
    cell: str,
    hidden_size: int,
    num_layers: int,
    embed_dim: int,
    inputs: int,
    outputs: int,
    tokens: int,
    directions: int = 1,
    logits: int = 0,
) -> int:
    """A rough upper estimate of a training step's memory: weights, gradients and
    Adam's two moments (4 copies), and the activations autograd keeps (`logits`: the
    outputs of a model that predicts at every step).

    Args:
        inputs: the embedding's rows; outputs: the head's.
        tokens: the steps of a batch, `N * L`.
    """
    gates = {"rnn": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}.get(cell, 4)
    h, d, e = hidden_size, directions, embed_dim
    # per direction and layer: gates * H * (input + H + 2 biases)
    rnn = d * gates * h * (e + h + 2)  # the first layer reads the embedding
    rnn += (num_layers - 1) * d * gates * h * (d * h + h + 2)
    params = inputs * e + rnn + d * h * outputs
    activations = tokens * (e + num_layers * d * h * (gates + 2)) + logits
    return 4 * (4 * params + 3 * activations)


def check_memory(need: int, what: str, lower: str) -> None:
    """An `InputError` when `need` bytes (an estimate, made before anything is
    allocated) exceed half of the memory this process may use; `lower`: the flags
    that shrink it."""
    have = _memory_bytes() // 2
    if need > have:
        raise InputError(
            f"{what} needs an estimated {need / 2**30:,.1f} GiB but half of the "
            f"memory this process may use is {have / 2**30:,.1f} GiB; lower {lower}"
        )


def _memory_bytes() -> int:
    """The machine's memory, or less where a limit (`ulimit -v`, a cgroup's
    memory.max) says so."""
    limits = [os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")]
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft)
    with contextlib.suppress(OSError, ValueError):  # no cgroup v2, or "max"
        limits.append(int(Path("/sys/fs/cgroup/memory.max").read_text()))
    return min(limits)
