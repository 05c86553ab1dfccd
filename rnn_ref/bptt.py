"""Backpropagation through time for `nn.RNN`, `nn.GRU` and `nn.LSTM`, walked by hand.

`manual_backward(module, input, hx, grad_output, grad_h_n)` returns the gradients that
`torch.autograd.grad` computes through `module(input, hx)` for the given output
gradients, without autograd: it runs the forward with the cells of `rnn_ref.cells`
under `torch.no_grad()`, keeping every step's input and state, then walks the steps
backwards, layer by layer from the top, with the step backwards of
`rnn_ref.bptt_cells`. `tests/test_bptt.py` checks it against autograd in float64 over
the configuration grid and under hypothesis.

Covered: tanh and relu `nn.RNN`, `nn.GRU`, `nn.LSTM`; any `num_layers`,
`bidirectional`, `batch_first`, `bias`; padded (batched or unbatched) input. Refused
with a message: a `PackedSequence`, `proj_size > 0`, and dropout between layers in
training mode (its masks are random: call `module.eval()`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from ._checks import _check_input, _initial_state
from .bptt_cells import (
    Weights,
    gru_step_backward,
    lstm_step_backward,
    rnn_step_backward,
)
from .cells import gru_cell, lstm_cell, rnn_cell

__all__ = ["manual_backward"]

State = tuple[Tensor, ...]  # (h,) or (h, c)
# step_backward(d_state, x_t, state before the step, state after) -> dx, d_state, grads
StepBackward = Callable[[State, Tensor, State, State], tuple[Tensor, State, list]]


def _weights(module: nn.RNNBase, layer: int, direction: int) -> Weights:
    sfx = "_reverse" if direction == 1 else ""
    return tuple(
        getattr(module, f"{kind}_l{layer}{sfx}", None)
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )


def _cell(module: nn.RNNBase, w: Weights) -> tuple[Callable, StepBackward]:
    """One layer's forward step and backward step, bound to its weights."""
    if module.mode == "LSTM":
        return (
            lambda x, s: lstm_cell(x, s, *w),
            lambda d, x, s, _: lstm_step_backward(*d, x, *s, w),
        )
    if module.mode == "GRU":
        return (
            lambda x, s: (gru_cell(x, s[0], *w),),
            lambda d, x, s, _: _as_state(gru_step_backward(d[0], x, s[0], w)),
        )
    act = "tanh" if module.mode == "RNN_TANH" else "relu"
    return (
        lambda x, s: (rnn_cell(x, s[0], *w, nonlinearity=act),),
        lambda d, x, s, s1: _as_state(rnn_step_backward(d[0], x, s[0], s1[0], w, act)),
    )


def _as_state(result):
    dx, dh, grads = result
    return dx, (dh,), grads


def _forward(step, x: Tensor, state: State, reverse: bool):
    """Run one direction; return the state before and after each step, by time."""
    steps = range(x.size(0) - 1, -1, -1) if reverse else range(x.size(0))
    before, after = [None] * x.size(0), [None] * x.size(0)
    for t in steps:
        before[t], state = state, step(x[t], state)
        after[t] = state
    return before, after


# --8<-- [start:backward_through_time]
def _backward(step_backward, x, before, after, d_out, d_state, reverse):
    """Walk one direction's steps in the opposite order of its forward."""
    steps = range(x.size(0)) if reverse else range(x.size(0) - 1, -1, -1)
    dx, totals = [None] * x.size(0), [0, 0, 0, 0]
    for t in steps:
        # dL/dh_t = dL/doutput_t (from above)  +  dL/dh_t through step t + 1
        d_state = (d_out[t] + d_state[0], *d_state[1:])
        dx[t], d_state, grads = step_backward(d_state, x[t], before[t], after[t])
        # the same weights at every step: dL/dW = Σ_t (step t's share)
        totals = [
            s + g if g is not None else None for s, g in zip(totals, grads, strict=True)
        ]
    # dL/dx (L, N, H_in), dL/d(initial state), [dW_ih, dW_hh, db_ih, db_hh]
    return torch.stack(dx), d_state, totals


# --8<-- [end:backward_through_time]


def _check(module: nn.RNNBase, input) -> None:
    if isinstance(input, PackedSequence):
        raise TypeError(
            "manual_backward: expected a padded tensor, got a PackedSequence; pad it "
            "with pad_packed_sequence (gradients reach the padding steps too then)"
        )
    _check_input(module, input)
    if getattr(module, "proj_size", 0) > 0:
        raise ValueError(
            f"manual_backward: LSTM with proj_size={module.proj_size} is not "
            "covered; expected proj_size=0"
        )
    if module.training and module.dropout > 0 and module.num_layers > 1:
        raise ValueError(
            f"manual_backward: dropout={module.dropout} between layers draws random "
            "masks in training mode, which a by-hand backward cannot replay; call "
            "module.eval() first (or build the module with dropout=0)"
        )


def _time_major(t: Tensor, batch_first: bool, unbatched: bool) -> Tensor:
    t = t.unsqueeze(0 if batch_first else 1) if unbatched else t
    return t.transpose(0, 1) if batch_first else t  # (L, N, ·)


def manual_backward(
    module: nn.RNNBase,
    input: Tensor,
    hx=None,
    grad_output: Tensor | None = None,
    grad_h_n=None,
) -> dict:
    """Gradients of `module(input, hx)` for given output gradients, by hand.

    Args:
        module: an `nn.RNN`, `nn.GRU` or `nn.LSTM` (no `proj_size`; in eval mode if
            it has dropout between layers).
        input: padded input, as `module` takes it.
        hx: initial state as `module` takes it (`(h_0, c_0)` for an LSTM), or None
            for zeros.
        grad_output: dL/doutput, shaped like `output`; None for zeros.
        grad_h_n: dL/dh_n shaped like `h_n` (`(dL/dh_n, dL/dc_n)` for an LSTM); None
            for zeros.

    Returns:
        A dict keyed by torch's parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`,
        ...) plus `"input"` (shaped like `input`) and `"hx"` (shaped like `h_0`, or
        `(dL/dh_0, dL/dc_0)` for an LSTM), equal to what `torch.autograd.grad` gives.

    Shape:
        L length, N batch, D directions, H_in input size, H_out hidden size.
        input `(L, N, H_in)`, `(N, L, H_in)` with batch_first, or `(L, H_in)`;
        grad_output `(L, N, D*H_out)` or as `output`; grad_h_n and the "hx" entry
        `(num_layers*D, N, H_out)`, without N for unbatched input.

    Examples:
        >>> import torch
        >>> from rnn_ref.bptt import manual_backward
        >>> rnn = torch.nn.GRU(3, 4, num_layers=2, dtype=torch.float64)
        >>> x = torch.randn(5, 2, 3, dtype=torch.float64, requires_grad=True)
        >>> out, h_n = rnn(x)
        >>> g = torch.randn_like(out)
        >>> grads = manual_backward(rnn, x.detach(), None, g)
        >>> auto = torch.autograd.grad(out, [x, rnn.weight_hh_l1], g)
        >>> torch.allclose(grads["input"], auto[0]), torch.allclose(
        ...     grads["weight_hh_l1"], auto[1])
        (True, True)
    """
    _check(module, input)
    unbatched, bf = input.dim() == 2, module.batch_first and input.dim() == 3
    x = _time_major(input, bf, unbatched)  # (L, N, H_in)
    state0 = _initial_state(module, hx, x, x.size(1), unbatched)  # (K, N, ·) each
    num_dirs, layers = 2 if module.bidirectional else 1, module.num_layers
    K, H = num_dirs * layers, module.hidden_size
    d_out = (
        x.new_zeros(x.size(0), x.size(1), num_dirs * H)
        if grad_output is None
        else _time_major(grad_output, bf, unbatched)
    )  # (L, N, D*H)
    if grad_h_n is None:
        d_n = tuple(torch.zeros_like(s) for s in state0)
    else:
        d_n = tuple(grad_h_n) if module.mode == "LSTM" else (grad_h_n,)
        d_n = tuple(d.unsqueeze(1) if unbatched else d for d in d_n)  # (K, N, ·)

    # forward, no autograd: every layer's input and every step's states
    saved = []
    with torch.no_grad():
        for layer in range(layers):
            outs = []
            for d in range(num_dirs):
                step, _ = _cell(module, _weights(module, layer, d))
                init = tuple(s[layer * num_dirs + d] for s in state0)
                before, after = _forward(step, x, init, reverse=d == 1)
                saved.append((x, before, after))
                outs.append(torch.stack([s[0] for s in after]))  # (L, N, H)
            x = torch.cat(outs, dim=-1)  # (L, N, D*H): the next layer's input

    # backward, from the top layer down
    grads, d_hx = {}, [None] * K
    for layer in reversed(range(layers)):
        d_in = 0
        for d in range(num_dirs):
            k, sfx = layer * num_dirs + d, "_reverse" if d == 1 else ""
            w = _weights(module, layer, d)
            x, before, after = saved[k]
            dx, d_hx[k], totals = _backward(
                _cell(module, w)[1],
                x,
                before,
                after,
                d_out[..., d * H : (d + 1) * H],  # (L, N, H): this direction's half
                tuple(s[k] for s in d_n),
                reverse=d == 1,
            )
            d_in = d_in + dx  # both directions read the same input
            kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            for name, g in zip(kinds, totals, strict=True):
                if g is not None:
                    grads[f"{name}_l{layer}{sfx}"] = g
        d_out = d_in  # (L, N, H_in of this layer): the gradient of the layer below

    if bf:
        d_out = d_out.transpose(0, 1)  # (N, L, H_in)
    grads["input"] = d_out.squeeze(0 if bf else 1) if unbatched else d_out
    d_hx = tuple(torch.stack(s) for s in zip(*d_hx, strict=True))  # (K, N, ·) each
    d_hx = tuple(s.squeeze(1) for s in d_hx) if unbatched else d_hx
    grads["hx"] = d_hx if module.mode == "LSTM" else d_hx[0]
    return grads
