"""The linear recurrence `h_t = a_t * h_{t-1} + b_t`, as a loop and as a parallel scan.

An RNN step `h_t = tanh(x_t W_ih^T + h_{t-1} W_hh^T)` must wait for `h_{t-1}`: T steps,
one after the other. Drop the tanh and make the state transition elementwise (diagonal),
and the step becomes an affine map of the previous state, `h -> a_t * h + b_t`. Affine
maps compose into affine maps, and composition is associative, so the T steps can be
combined in any bracketing: a tree of depth log2(T) instead of a chain of length T (a
"parallel scan"). Linear recurrent models (S4/Mamba-style state-space layers, linear
attention, LRU) are built on exactly this. `tanh` breaks it: the composition of two tanh
steps is not a tanh step (`tests/test_scan.py::test_tanh_steps_do_not_compose`).

`linear_recurrence_loop` is the definition; `linear_recurrence_scan` computes the same
thing with log2(T) rounds of whole-tensor operations (Hillis–Steele doubling: O(T log T)
work, O(log T) depth). `tests/test_scan.py` checks them against each other, gradients
included.

Shape:
    T sequence length, `*` any feature dims (batch, channels, ...), shared by `a` and
    `b`.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["linear_recurrence_loop", "linear_recurrence_scan", "combine"]


def _check(a: Tensor, b: Tensor, h0: Tensor | None) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape (T, *); got {list(a.shape)} and "
            f"{list(b.shape)}; broadcast them first, e.g. a.expand_as(b)"
        )
    if a.dim() == 0 or a.size(0) == 0:
        raise ValueError(
            "a and b need a time dim of length >= 1 first, (T, *); got shape "
            f"{list(a.shape)}"
        )
    if h0 is not None and h0.shape != a.shape[1:]:
        raise ValueError(
            f"h0 must have the shape of one step, {list(a.shape[1:])}; got "
            f"{list(h0.shape)}; pass h0=None for zeros"
        )


# --8<-- [start:loop]
def linear_recurrence_loop(a: Tensor, b: Tensor, h0: Tensor | None = None) -> Tensor:
    """Run `h_t = a_t * h_{t-1} + b_t` one step at a time (the definition).

    Args:
        a: the elementwise (diagonal) state transition of every step.
        b: the input of every step.
        h0: the state before step 0; zeros if None.

    Shape:
        a, b `(T, *)`; h0 `(*)`; returns h `(T, *)`, with h[t] the state after step t.

    Examples:
        >>> import torch
        >>> from rnn_ref.scan import linear_recurrence_loop
        >>> a, b = torch.full((3, 1), 0.5), torch.ones(3, 1)
        >>> linear_recurrence_loop(a, b).flatten().tolist()
        [1.0, 1.5, 1.75]
    """
    _check(a, b, h0)
    h = torch.zeros_like(b[0]) if h0 is None else h0  # (*)
    states = []
    for a_t, b_t in zip(a.unbind(0), b.unbind(0), strict=True):
        h = a_t * h + b_t  # h_t = a_t * h_{t-1} + b_t
        states.append(h)
    return torch.stack(states)  # (T, *)


# --8<-- [end:loop]


# --8<-- [start:scan]
def combine(
    first: tuple[Tensor, Tensor], then: tuple[Tensor, Tensor]
) -> tuple[Tensor, Tensor]:
    """Compose two affine steps: apply `first = (a1, b1)`, then `then = (a2, b2)`.

    a2 * (a1 * h + b1) + b2 = (a1 * a2) * h + (a2 * b1 + b2), again a step of the same
    form.

    Shape:
        All four tensors broadcast together, e.g. `(T, *)` or `(*)`; returns two of that
        shape.
    """
    (a1, b1), (a2, b2) = first, then
    # (a2, b2) after (a1, b1) = (a1 * a2, a2 * b1 + b2)
    return a1 * a2, a2 * b1 + b2


def linear_recurrence_scan(a: Tensor, b: Tensor, h0: Tensor | None = None) -> Tensor:
    """Compute `h_t = a_t * h_{t-1} + b_t` for all t with a log-depth parallel scan.

    Hillis–Steele doubling: after the round with offset d, position t holds the
    composition of steps max(0, t-2d+1) .. t, so after ceil(log2 T) rounds it holds
    steps 0 .. t, i.e. the affine map h0 -> h_t = A_t * h0 + B_t. Each round is a few
    whole-tensor operations.

    Args:
        a: the elementwise (diagonal) state transition of every step.
        b: the input of every step.
        h0: the state before step 0; zeros if None.

    Shape:
        a, b `(T, *)`; h0 `(*)`; returns h `(T, *)`, equal to
        `linear_recurrence_loop(a, b, h0)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.scan import linear_recurrence_scan
        >>> a, b = torch.full((3, 1), 0.5), torch.ones(3, 1)
        >>> linear_recurrence_scan(a, b).flatten().tolist()
        [1.0, 1.5, 1.75]
    """
    _check(a, b, h0)
    A, B = a, b  # (T, *): the map of steps 0..t, built up round by round
    d = 1
    while d < a.size(0):
        # position t >= d combines the earlier block ending at t-d with its own block
        A_new, B_new = combine((A[:-d], B[:-d]), (A[d:], B[d:]))  # (T-d, *)
        A = torch.cat([A[:d], A_new])  # (T, *): positions < d are already complete
        B = torch.cat([B[:d], B_new])
        d *= 2
    return B if h0 is None else A * h0 + B  # h_t = A_t * h0 + B_t


# --8<-- [end:scan]
