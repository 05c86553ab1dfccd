# rnn_ref.rnn_cell against nn.RNNCell, in float64,
# for each nonlinearity, with and without bias.
import torch
from torch import nn

from rnn_ref import rnn_cell

torch.manual_seed(0)
x = torch.randn(2, 3, dtype=torch.float64)  # (N, H_in): one time step of a batch of 2
h = torch.randn(2, 4, dtype=torch.float64)  # (N, H_out): the previous hidden state
for nonlinearity in ("tanh", "relu"):
    for bias in (True, False):
        cell = nn.RNNCell(
            3, 4, bias=bias, nonlinearity=nonlinearity, dtype=torch.float64
        )
        theirs = cell(x, h)  # (N, H_out)
        ours = rnn_cell(
            x,
            h,
            cell.weight_ih,
            cell.weight_hh,
            cell.bias_ih,
            cell.bias_hh,
            nonlinearity,
        )  # biases are None if bias=False
        print(
            f"{nonlinearity:4} bias={bias!s:5}: max |ours - nn.RNNCell| = "
            f"{(ours - theirs).abs().max():.1e}"
        )
