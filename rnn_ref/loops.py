"""Reference forward of `nn.RNN`, `nn.GRU` and `nn.LSTM`, as plain Python loops.

`reference_forward(module, input, hx)` returns what `module(input, hx)` returns,
computed with the cells of `rnn_ref.cells` and three loops a reader can follow: over
time steps (`run_layer` for a padded tensor, `run_layer_packed` for a `PackedSequence`),
over the two directions, and over the stacked layers. The parameters are read from the
module by torch's own names (`weight_ih_l1_reverse`, ...). `tests/test_loops.py` checks
outputs, final states and gradients against torch over the configuration grid, in
float64 and float32.

Dropout between layers (`module.training` and `module.dropout > 0`) is
`F.dropout(layer_output, p, training=True)` on the time-major layer output (the packed
data for a `PackedSequence`), after every layer but the last, as torch's CPU kernels do.
With the same seed the same RNG draws happen in the same order, so the masks are torch's
masks: in train mode the reference agrees with torch on CPU to rounding (float64 ~1e-16,
float32 ~1e-7; another seed differs by ~1e-2), for every mode, padded and packed
(tested). The hoisted variant adds b_hh to the hoisted projection (RNN and LSTM), so
its sums are rounded in another order than torch's: equal to rounding, not to the bit.
Not checked: CUDA. cuDNN draws its dropout masks inside its
own kernels from its own state, so expect only the statistics of the masks (fraction p
zeroed, survivors scaled 1/(1-p)), not the masks themselves, to agree there.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from ._checks import _check_input, _initial_state
from .cells import gru_cell, lstm_cell, rnn_cell

__all__ = ["reference_forward", "run_layer", "run_layer_packed"]

# The recurrent state of one layer and direction: (h,) for RNN and GRU, (h, c) for LSTM.
State = tuple[Tensor, ...]
Step = Callable[[Tensor, State], State]


# --8<-- [start:run_layer]
def run_layer(
    step: Step, x: Tensor, state: State, *, reverse: bool = False
) -> tuple[Tensor, State]:
    """Run one layer in one direction over a padded, time-major sequence.

    Args:
        step: one cell step, `step(x_t, state) -> state`; `state[0]` is the hidden
            state h.
        x: the layer input, time-major.
        state: the initial state, `(h0,)` or `(h0, c0)`.
        reverse: walk from the last time step to the first (the backward direction).

    Shape:
        L length, N batch, H_in input size, H_out hidden (or proj) size.
        x `(L, N, H_in)`; returns output `(L, N, H_out)` and the state after the last
        step walked.

    Examples:
        >>> import torch
        >>> from rnn_ref.cells import rnn_cell
        >>> from rnn_ref.loops import run_layer
        >>> w_ih, w_hh = torch.randn(4, 3), torch.randn(4, 4)
        >>> step = lambda x_t, s: (rnn_cell(x_t, s[0], w_ih, w_hh),)
        >>> out, (h_n,) = run_layer(step, torch.randn(5, 2, 3), (torch.zeros(2, 4),))
        >>> out.shape, torch.equal(out[-1], h_n)
        (torch.Size([5, 2, 4]), True)
    """
    steps = x.unbind(0)  # L x (N, H_in)
    outputs = []
    for x_t in reversed(steps) if reverse else steps:
        state = step(x_t, state)
        outputs.append(state[0])  # the hidden state is the output
    if reverse:
        outputs.reverse()  # output[t] belongs to input step t in both directions
    return torch.stack(outputs), state  # (L, N, H_out)


# --8<-- [end:run_layer]


# --8<-- [start:run_layer_packed]
def run_layer_packed(
    step: Step,
    data: Tensor,
    batch_sizes: Tensor,
    state: State,
    *,
    reverse: bool = False,
) -> tuple[Tensor, State]:
    """Run one layer in one direction directly on the packed layout of a PackedSequence.

    At step t only the first `batch_sizes[t]` sequences (sorted longest first) are
    active. Forward, the state shrinks as sequences end, and each one's final state is
    the state at its own last real step; reverse, t walks from last to first and the
    state grows, a sequence joining with its row of the initial state at its last real
    step.

    Args:
        step: one cell step, `step(x_t, state) -> state`; `state[0]` is the hidden
            state h.
        data, batch_sizes: the fields of a `PackedSequence` (sorted order).
        state: the initial state of all sequences, sorted like the packed batch.
        reverse: the backward direction.

    Shape:
        `B = sum(batch_sizes)`, `N = batch_sizes[0]`. data `(B, H_in)`; state tensors
        `(N, ·)`; returns output data `(B, H_out)` and the final state `(N, ·)`, in
        sorted order.
    """
    sizes = batch_sizes.tolist()
    steps = data.split(sizes)  # L x (batch_sizes[t], H_in)
    outputs = []
    if not reverse:
        ended = []  # final states of the sequences as they end: shortest first
        for x_t, n in zip(steps, sizes, strict=True):
            if n < state[0].size(0):  # rows n.. had their last step at t-1
                ended.append(tuple(s[n:] for s in state))
                state = tuple(s[:n] for s in state)
            state = step(x_t, state)
            outputs.append(state[0])
        # sorted order: the rows that ran to the end, then the others, longest first;
        # one cat per state tensor, after the loop
        state = tuple(
            torch.cat(rows) for rows in zip(state, *reversed(ended), strict=True)
        )
    else:
        initial = state
        state = tuple(s[: sizes[-1]] for s in initial)
        for x_t, n in zip(reversed(steps), reversed(sizes), strict=True):
            if n > state[0].size(0):  # sequences whose last real step is t join,
                # starting from their initial state
                state = tuple(
                    torch.cat([s, s0[s.size(0) : n]])
                    for s, s0 in zip(state, initial, strict=True)
                )
            state = step(x_t, state)
            outputs.append(state[0])
        outputs.reverse()
    return torch.cat(outputs), state  # (B, H_out)


# --8<-- [end:run_layer_packed]


def _make_step(module: nn.RNNBase, w_ih, w_hh, b_ih, b_hh, w_hr) -> Step:
    """Bind one layer's parameters to its cell, as a `step(x_t, state) -> state`."""
    if module.mode == "LSTM":
        return lambda x, s: lstm_cell(x, s, w_ih, w_hh, b_ih, b_hh, w_hr)
    if module.mode == "GRU":
        return lambda x, s: (gru_cell(x, s[0], w_ih, w_hh, b_ih, b_hh),)
    nonlinearity = "tanh" if module.mode == "RNN_TANH" else "relu"
    return lambda x, s: (rnn_cell(x, s[0], w_ih, w_hh, b_ih, b_hh, nonlinearity),)


# --8<-- [start:hoisted]
def _hoisted_step(module: nn.RNNBase, w_hh, b_hh, w_hr) -> Step:
    """The step once its input `xp_t` is projected: what is left of the cell."""
    if module.mode == "LSTM":
        return lambda xp, s: lstm_cell(xp, s, None, w_hh, None, b_hh, w_hr)
    if module.mode == "GRU":
        return lambda xp, s: (gru_cell(xp, s[0], None, w_hh, None, b_hh),)
    act = torch.tanh if module.mode == "RNN_TANH" else torch.relu
    w_hh_t = w_hh.t()  # (H, H): transposed once, not at every step
    # h' = tanh(xp_t + h W_hh^T), xp_t = x_t W_ih^T + b_ih + b_hh: one addmm, one tanh
    return lambda xp, s: (act(torch.addmm(xp, s[0], w_hh_t)),)


def _run_direction(
    module: nn.RNNBase,
    layer: int,
    direction: int,
    x: Tensor,
    state: State,
    batch_sizes: Tensor | None,
    hoist: bool,
) -> tuple[Tensor, State]:
    """Run `layer` of `module` in one `direction` (0 forward, 1 reverse) over `x`."""
    sfx = "_reverse" if direction == 1 else ""
    # G gates; H_in = D*H_out above layer 0
    w_ih = getattr(module, f"weight_ih_l{layer}{sfx}")  # (G*H, H_in)
    w_hh = getattr(module, f"weight_hh_l{layer}{sfx}")  # (G*H, H_out)
    b_ih = getattr(module, f"bias_ih_l{layer}{sfx}", None)  # (G*H,), None if bias=False
    b_hh = getattr(module, f"bias_hh_l{layer}{sfx}", None)  # (G*H,)
    w_hr = getattr(module, f"weight_hr_l{layer}{sfx}", None)  # (H_out, H) if proj_size
    if hoist:
        # x W_ih^T + b_ih + b_hh does not depend on h: one matmul for all time steps,
        # before the loop (a GRU keeps b_hh in its step: r gates b_hn)
        fold = module.mode != "GRU" and b_hh is not None
        x = F.linear(x, w_ih, b_ih + b_hh if fold else b_ih)  # (L, N, G*H), (B, G*H)
        step = _hoisted_step(module, w_hh, None if fold else b_hh, w_hr)
    else:
        step = _make_step(module, w_ih, w_hh, b_ih, b_hh, w_hr)
    if batch_sizes is None:
        return run_layer(step, x, state, reverse=direction == 1)
    return run_layer_packed(step, x, batch_sizes, state, reverse=direction == 1)


# --8<-- [end:hoisted]


# --8<-- [start:stacked]
def _run_stacked(
    module: nn.RNNBase, x: Tensor, hx: State, batch_sizes: Tensor | None, hoist: bool
) -> tuple[Tensor, State]:
    """All layers and directions; hx and h_n are indexed `layer * D + direction`."""
    num_directions = 2 if module.bidirectional else 1
    last_states = []
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(num_directions):
            k = layer * num_directions + direction
            out, state = _run_direction(
                module, layer, direction, x, tuple(s[k] for s in hx), batch_sizes, hoist
            )
            outputs.append(out)
            last_states.append(state)
        # [forward, backward] side by side
        x = torch.cat(outputs, dim=-1)  # (L, N, D*H_out), or (B, D*H_out) packed
        # the next layer's input is this layer's output, dropped out, except after the
        # last layer
        if module.training and module.dropout > 0 and layer < module.num_layers - 1:
            x = F.dropout(x, module.dropout, training=True)
    # h (and c for an LSTM), each (num_layers*D, N, ·)
    h_n = tuple(torch.stack(s) for s in zip(*last_states, strict=True))
    return x, h_n


# --8<-- [end:stacked]


def reference_forward(
    module: nn.RNNBase, input: Tensor | PackedSequence, hx=None, *, hoist: bool = False
):
    """Compute `module(input, hx)` of an `nn.RNN`, `nn.GRU` or `nn.LSTM` with loops.

    Args:
        module: the torch module whose parameters (by name) and settings are used.
        input: padded tensor, batched or unbatched, or a `PackedSequence`.
        hx: initial state like torch's: a tensor, `(h_0, c_0)` for an LSTM, or None
            for zeros.
        hoist: compute each layer's input projection for all time steps before the
            time loop.

    Returns:
        Exactly what torch returns: `(output, h_n)`, or `(output, (h_n, c_n))` for an
        LSTM; `output` is a `PackedSequence` when `input` is one.

    Shape:
        L length, N batch, D directions (2 if bidirectional), H_in input size, H_out
        hidden size (proj_size for an LSTM with projection), H cell size.
        input `(L, N, H_in)`, or `(N, L, H_in)` with batch_first, or `(L, H_in)`
        unbatched;
        output `(L, N, D*H_out)` (batch_first: `(N, L, D*H_out)`);
        h_n `(num_layers*D, N, H_out)`; c_n `(num_layers*D, N, H)`.
        Unbatched: the N dim is absent from all of them.

    Examples:
        >>> import torch
        >>> from rnn_ref.loops import reference_forward
        >>> rnn = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)
        >>> x = torch.randn(5, 2, 3)
        >>> out, h_n = reference_forward(rnn, x)
        >>> out.shape, h_n.shape, torch.allclose(out, rnn(x)[0], atol=1e-6)
        (torch.Size([5, 2, 8]), torch.Size([4, 2, 4]), True)
    """
    input, hx = _run_pre_hooks(module, input, hx)
    _check_input(module, input)
    packed = isinstance(input, PackedSequence)
    if packed:
        x, batch_sizes, sorted_indices, unsorted_indices = input  # x (B, H_in)
        unbatched = False
        batch = int(batch_sizes[0])
    else:
        unbatched = input.dim() == 2
        batch_dim = 0 if module.batch_first else 1
        x = input.unsqueeze(batch_dim) if unbatched else input
        if module.batch_first:
            x = x.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
        batch_sizes = sorted_indices = unsorted_indices = None
        batch = x.size(1)
    hx = _initial_state(module, hx, x, batch, unbatched)
    if sorted_indices is not None:  # the user's row i is sequence i: to sorted order
        hx = tuple(s.index_select(1, sorted_indices) for s in hx)

    output, h_n = _run_stacked(module, x, hx, batch_sizes, hoist)

    if unsorted_indices is not None:  # back to the user's order
        h_n = tuple(s.index_select(1, unsorted_indices) for s in h_n)
    if packed:
        output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
    else:
        if module.batch_first:
            output = output.transpose(0, 1)  # (N, L, D*H_out)
        if unbatched:
            output = output.squeeze(batch_dim)  # (L, D*H_out)
            h_n = tuple(s.squeeze(1) for s in h_n)  # (num_layers*D, H_out)
    return output, (h_n if module.mode == "LSTM" else h_n[0])


def _run_pre_hooks(module: nn.RNNBase, input, hx):
    """Run the module's forward pre-hooks as `module(input, hx)` would: the old
    `torch.nn.utils.weight_norm` recomputes `weight` from `weight_g` and `weight_v`
    in one, so without this the loops would read a stale weight."""
    args = (input, hx)
    for key, hook in list(module._forward_pre_hooks.items()):
        if key in module._forward_pre_hooks_with_kwargs:
            raise TypeError(
                f"reference_forward runs a module's forward pre-hooks, but not one "
                f"registered with_kwargs=True ({hook!r:.60}); remove it or call the "
                f"module itself"
            )
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    if len(args) == 1:
        args = (args[0], None)
    return args
