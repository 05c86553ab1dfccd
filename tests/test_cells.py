"""The reference cells (`rnn_ref.cells`) against torch's `nn.RNNCell`, `nn.GRUCell` and
`nn.LSTMCell` in float64, with the input projection computed inside and hoisted."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnn_ref.cells import gru_cell, lstm_cell, rnn_cell

H_IN, H = 3, 4


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("cell_type", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
def test_cells_match_torch_cells(cell_type, bias, batched):
    lead = (3,) if batched else ()
    x = torch.randn(*lead, H_IN, dtype=torch.float64)
    h, c = torch.randn(2, *lead, H, dtype=torch.float64)
    if cell_type.startswith("rnn"):
        nl = cell_type.split("_")[1]
        cell = nn.RNNCell(H_IN, H, bias=bias, nonlinearity=nl, dtype=torch.float64)

        def ours(x, w_ih, b_ih):
            return rnn_cell(x, h, w_ih, cell.weight_hh, b_ih, cell.bias_hh, nl)

        expected = cell(x, h)
    elif cell_type == "gru":
        cell = nn.GRUCell(H_IN, H, bias=bias, dtype=torch.float64)

        def ours(x, w_ih, b_ih):
            return gru_cell(x, h, w_ih, cell.weight_hh, b_ih, cell.bias_hh)

        expected = cell(x, h)
    else:
        cell = nn.LSTMCell(H_IN, H, bias=bias, dtype=torch.float64)

        def ours(x, w_ih, b_ih):
            return torch.cat(
                lstm_cell(x, (h, c), w_ih, cell.weight_hh, b_ih, cell.bias_hh), -1
            )

        expected = torch.cat(cell(x, (h, c)), dim=-1)
    torch.testing.assert_close(
        ours(x, cell.weight_ih, cell.bias_ih), expected, atol=1e-12, rtol=0
    )
    # the hoisted form: x already projected, w_ih=None
    projected = F.linear(x, cell.weight_ih, cell.bias_ih)
    torch.testing.assert_close(
        ours(projected, None, None), expected, atol=1e-12, rtol=0
    )


def test_error_cell_nonlinearity():
    with pytest.raises(
        ValueError, match="nonlinearity must be 'tanh' or 'relu', got 'gelu'"
    ):
        rnn_cell(
            torch.randn(H_IN),
            torch.randn(H),
            torch.randn(H, H_IN),
            torch.randn(H, H),
            nonlinearity="gelu",
        )
