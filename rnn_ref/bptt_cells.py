"""One step of backpropagation through each recurrent cell, written as the equations.

Each `*_step_backward` takes the gradient of the loss with respect to what the step
produced (its new state), and the step's input and previous state as the forward saw
them; it returns the gradients with respect to the step's input, its previous state and
its weights. `rnn_ref.bptt` walks these steps backwards through time. Notation as on the
cell pages: row vectors, so `h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`, and
for any pre-activation `a = x W^T + b` the gradients are `dL/dW = da^T x`,
`dL/db = sum over the batch of da`, `dL/dx = da W`.

The forward of `rnn_ref.bptt` runs the functions of `rnn_ref.cells`; the gated cells'
backward steps recompute the gate activations from the saved step input and state (one
extra forward of the step, no autograd) instead of keeping them.

Shape:
    N batch, H_in input size, H hidden size, G gates (1 RNN, 3 GRU, 4 LSTM).
    x `(N, H_in)`; h, c, dh, dc `(N, H)`; w_ih `(G*H, H_in)`; w_hh `(G*H, H)`.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["Weights", "rnn_step_backward", "gru_step_backward", "lstm_step_backward"]

# one layer and direction's (w_ih, w_hh, b_ih, b_hh); the biases are None if bias=False
Weights = tuple[Tensor, Tensor, Tensor | None, Tensor | None]


def _weight_grads(da_x: Tensor, da_h: Tensor, x: Tensor, h: Tensor, biased: bool):
    """dW_ih, dW_hh, db_ih, db_hh of one step from its pre-activation gradients."""
    # dL/dW_ih = da_x^T x_t;  dL/dW_hh = da_h^T h_{t-1};  dL/db = sum_n da
    grads = [da_x.T @ x, da_h.T @ h]  # (G*H, H_in), (G*H, H)
    return grads + ([da_x.sum(0), da_h.sum(0)] if biased else [None, None])


# --8<-- [start:rnn_step_backward]
def rnn_step_backward(
    dh: Tensor, x: Tensor, h_prev: Tensor, h: Tensor, w: Weights, nonlinearity: str
) -> tuple[Tensor, Tensor, list]:
    """Backward through one step `h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)`.

    Args:
        dh: dL/dh_t, everything that reaches h_t: from above (the output at t) and
            from the next step.
        x, h_prev, h: the step's input x_t, its previous state h_{t-1} and its new
            state h_t.
        w: (w_ih, w_hh, b_ih, b_hh).
        nonlinearity: "tanh" or "relu".

    Returns:
        dL/dx_t, dL/dh_{t-1} and the list [dW_ih, dW_hh, db_ih, db_hh] of this step.

    Shape:
        x, dx `(N, H_in)`; h_prev, h, dh `(N, H)`; w_ih `(H, H_in)`; w_hh `(H, H)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.bptt_cells import rnn_step_backward
        >>> w = (torch.randn(4, 3), torch.randn(4, 4), None, None)
        >>> x, h0 = torch.randn(2, 3), torch.randn(2, 4)
        >>> h1 = torch.tanh(x @ w[0].T + h0 @ w[1].T)
        >>> dx, dh0, grads = rnn_step_backward(torch.ones(2, 4), x, h0, h1, w, "tanh")
        >>> dx.shape, dh0.shape, grads[1].shape
        (torch.Size([2, 3]), torch.Size([2, 4]), torch.Size([4, 4]))
    """
    w_ih, w_hh, b_ih, _ = w
    # tanh'(a_t) = 1 − h_t²            (relu'(a_t) = 1 where h_t > 0, else 0)
    slope = 1 - h * h if nonlinearity == "tanh" else (h > 0).to(h.dtype)
    # δ_t = dL/dh_t ⊙ (1 − h_t²)         the gradient at the pre-activation a_t
    delta = dh * slope  # (N, H)
    # dL/dW_ih += δ_tᵀ x_t,  dL/dW_hh += δ_tᵀ h_{t−1},  dL/db_ih = dL/db_hh += Σ_n δ_t
    grads = _weight_grads(delta, delta, x, h_prev, b_ih is not None)
    # dL/dx_t = δ_t W_ih                      (what the layer below receives)
    dx = delta @ w_ih  # (N, H_in)
    # dL/dh_{t−1} = δ_t W_hh                  (added to the output's gradient at t − 1)
    dh_prev = delta @ w_hh  # (N, H)
    return dx, dh_prev, grads


# --8<-- [end:rnn_step_backward]


def gru_step_backward(
    dh: Tensor, x: Tensor, h_prev: Tensor, w: Weights
) -> tuple[Tensor, Tensor, list]:
    """Backward through one GRU step (gate order r, z, n, as `rnn_ref.cells.gru_cell`).

    Args:
        dh: dL/dh_t. x, h_prev: the step's input and previous state. w: the weights.

    Returns:
        dL/dx_t, dL/dh_{t-1} and [dW_ih, dW_hh, db_ih, db_hh] of this step.

    Shape:
        x, dx `(N, H_in)`; h_prev, dh `(N, H)`; w_ih `(3*H, H_in)`; w_hh `(3*H, H)`.
    """
    w_ih, w_hh, b_ih, b_hh = w
    gx = x @ w_ih.T + (0 if b_ih is None else b_ih)  # (N, 3*H)
    gh = h_prev @ w_hh.T + (0 if b_hh is None else b_hh)  # (N, 3*H)
    r_x, z_x, n_x = gx.chunk(3, dim=-1)  # 3 x (N, H)
    r_h, z_h, n_h = gh.chunk(3, dim=-1)  # 3 x (N, H)
    r, z = torch.sigmoid(r_x + r_h), torch.sigmoid(z_x + z_h)
    n = torch.tanh(n_x + r * n_h)
    # h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    dn, dz, dh_prev = dh * (1 - z), dh * (h_prev - n), dh * z
    # n = tanh(a_n),  a_n = n_x + r ⊙ n_h
    da_n = dn * (1 - n * n)
    # σ'(a) = σ(a)(1 − σ(a))
    da_r, da_z = da_n * n_h * r * (1 - r), dz * z * (1 - z)
    da_x = torch.cat([da_r, da_z, da_n], dim=-1)  # (N, 3*H)
    da_h = torch.cat([da_r, da_z, da_n * r], dim=-1)  # (N, 3*H): r gates n_h
    grads = _weight_grads(da_x, da_h, x, h_prev, b_ih is not None)
    return da_x @ w_ih, dh_prev + da_h @ w_hh, grads


def lstm_step_backward(
    dh: Tensor, dc: Tensor, x: Tensor, h_prev: Tensor, c_prev: Tensor, w: Weights
) -> tuple[Tensor, tuple[Tensor, Tensor], list]:
    """Backward through one LSTM step (gate order i, f, g, o, as `lstm_cell`).

    Args:
        dh, dc: dL/dh_t and dL/dc_t. x, h_prev, c_prev: the step's input and previous
            state. w: the weights.

    Returns:
        dL/dx_t, (dL/dh_{t-1}, dL/dc_{t-1}) and [dW_ih, dW_hh, db_ih, db_hh].

    Shape:
        x, dx `(N, H_in)`; h_prev, c_prev, dh, dc `(N, H)`; w_ih `(4*H, H_in)`;
        w_hh `(4*H, H)` (no projection).
    """
    w_ih, w_hh, b_ih, b_hh = w
    a = x @ w_ih.T + h_prev @ w_hh.T  # (N, 4*H)
    a = a + (0 if b_ih is None else b_ih + b_hh)
    i, f, g, o = a.chunk(4, dim=-1)  # 4 x (N, H)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    tanh_c = torch.tanh(f * c_prev + i * g)
    # h_t = o ⊙ tanh(c_t): both o and c_t receive gradient
    do = dh * tanh_c
    dc = dc + dh * o * (1 - tanh_c * tanh_c)
    # c_t = f ⊙ c_{t−1} + i ⊙ g
    di, df, dg, dc_prev = dc * g, dc * c_prev, dc * i, dc * f
    da = torch.cat(  # (N, 4*H)
        [di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)], -1
    )
    grads = _weight_grads(da, da, x, h_prev, b_ih is not None)
    return da @ w_ih, (da @ w_hh, dc_prev), grads
