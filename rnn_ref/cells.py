"""One time step of PyTorch's recurrent cells, written as the equations.

Each function computes what `nn.RNNCell`, `nn.GRUCell` and `nn.LSTMCell` compute, with
torch's own weight layout: the gates are stacked along the rows of `w_ih` / `w_hh` in
torch's order (GRU: r, z, n; LSTM: i, f, g, o). `tests/test_loops.py` checks each one
against the `nn.*Cell` module in float64.

Every cell starts with the input projection `x W_ih^T + b_ih`. It does not depend on the
hidden state, so a layer can compute it for all time steps at once before the time loop
("hoisting", what cuDNN does). Pass `w_ih=None` to say that `x` *is* that projection
already; the rest of the cell is the same code.

Shape:
    N batch (the batch dim may be absent: 1-D `x` and `h` work too), H_in input size,
    H hidden size, H_out = proj_size for an LSTM with projection, else H.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["rnn_cell", "gru_gates", "gru_cell", "lstm_cell"]


def _input_projection(x: Tensor, w_ih: Tensor | None, b_ih: Tensor | None) -> Tensor:
    """`x W_ih^T + b_ih`, or `x` itself when the caller hoisted it (`w_ih=None`)."""
    return x if w_ih is None else F.linear(x, w_ih, b_ih)


# --8<-- [start:rnn_cell]
def rnn_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor | None,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One step of an Elman RNN, equal to `nn.RNNCell`.

    Args:
        x: input at this step, or its projection `x W_ih^T + b_ih` when `w_ih` is None.
        h: hidden state from the previous step.
        w_ih, w_hh, b_ih, b_hh: torch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
        nonlinearity: "tanh" or "relu".

    Shape:
        x `(N, H_in)` or `(N, H)` if hoisted; h `(N, H)`; w_ih `(H, H_in)`;
        w_hh `(H, H)`; returns `(N, H)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.cells import rnn_cell
        >>> cell = torch.nn.RNNCell(3, 4)
        >>> x, h = torch.randn(2, 3), torch.randn(2, 4)
        >>> w = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        >>> torch.allclose(rnn_cell(x, h, *w), cell(x, h))
        True
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    # h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)      (relu instead of tanh if asked)
    return act(_input_projection(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


# --8<-- [end:rnn_cell]


# --8<-- [start:gru_cell]
def gru_gates(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor | None,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """The reset gate `r`, update gate `z` and candidate `n` of one GRU step.

    `nn.GRU` computes them but never returns them; `gru_cell` combines them into `h'`.
    Arguments as in `gru_cell`.

    Shape:
        x `(N, H_in)` or `(N, 3*H)` if hoisted; h `(N, H)`; returns r, z, n, each
        `(N, H)`.
    """
    # each gate's input part (W_i* x + b_i*) and hidden part (W_h* h + b_h*)
    r_x, z_x, n_x = _input_projection(x, w_ih, b_ih).chunk(3, dim=-1)  # 3 x (N, H)
    r_h, z_h, n_h = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)  # 3 x (N, H)
    # r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
    r = torch.sigmoid(r_x + r_h)
    # z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
    z = torch.sigmoid(z_x + z_h)
    # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate: r gates b_hn too
    n = torch.tanh(n_x + r * n_h)
    return r, z, n


def gru_cell(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor | None,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One step of a GRU, equal to `nn.GRUCell` (gate order r, z, n).

    Args:
        x: input at this step, or its projection `x W_ih^T + b_ih` when `w_ih` is None.
        h: hidden state from the previous step.
        w_ih, w_hh, b_ih, b_hh: torch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.

    Shape:
        x `(N, H_in)` or `(N, 3*H)` if hoisted; h `(N, H)`; w_ih `(3*H, H_in)`;
        w_hh `(3*H, H)`; returns `(N, H)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.cells import gru_cell
        >>> cell = torch.nn.GRUCell(3, 4)
        >>> x, h = torch.randn(2, 3), torch.randn(2, 4)
        >>> w = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        >>> torch.allclose(gru_cell(x, h, *w), cell(x, h))
        True
    """
    r, z, n = gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)  # 3 x (N, H)
    # h' = (1 - z) * n + z * h  =  n + z * (h - n)      (the second form is torch's)
    return n + z * (h - n)


# --8<-- [end:gru_cell]


# --8<-- [start:lstm_cell]
def lstm_cell(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    w_ih: Tensor | None,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One step of an LSTM, equal to `nn.LSTMCell` (gate order i, f, g, o).

    Args:
        x: input at this step, or its projection `x W_ih^T + b_ih` when `w_ih` is None.
        state: (h, c) from the previous step.
        w_ih, w_hh, b_ih, b_hh: torch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
        w_hr: torch's `weight_hr` of an `nn.LSTM` with `proj_size > 0`, else None.

    Shape:
        x `(N, H_in)` or `(N, 4*H)` if hoisted; h `(N, H_out)`; c `(N, H)`;
        w_ih `(4*H, H_in)`; w_hh `(4*H, H_out)`; w_hr `(H_out, H)`; returns
        h' `(N, H_out)`, c' `(N, H)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.cells import lstm_cell
        >>> cell = torch.nn.LSTMCell(3, 4)
        >>> x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
        >>> w = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        >>> h1, c1 = lstm_cell(x, (h, c), *w)
        >>> h2, c2 = cell(x, (h, c))
        >>> torch.allclose(h1, h2) and torch.allclose(c1, c2)
        True
    """
    h, c = state
    gates = _input_projection(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (N, 4*H)
    i, f, g, o = gates.chunk(4, dim=-1)  # 4 x (N, H)
    # i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)          input gate
    i = torch.sigmoid(i)
    # f = sigmoid(W_if x + b_if + W_hf h + b_hf)          forget gate
    f = torch.sigmoid(f)
    # g = tanh(W_ig x + b_ig + W_hg h + b_hg)             candidate cell
    g = torch.tanh(g)
    # o = sigmoid(W_io x + b_io + W_ho h + b_ho)          output gate
    o = torch.sigmoid(o)
    # c' = f * c + i * g
    c = f * c + i * g
    # h' = o * tanh(c')
    h = o * torch.tanh(c)
    if w_hr is not None:
        # h' = W_hr h'                                    proj: (N, H) -> (N, H_out)
        h = F.linear(h, w_hr)
    return h, c


# --8<-- [end:lstm_cell]
