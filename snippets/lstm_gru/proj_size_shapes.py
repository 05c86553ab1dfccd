# nn.LSTM with proj_size: h is projected down to proj_size, the cell state c is not.
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
lstm = nn.LSTM(input_size=10, hidden_size=20, num_layers=2, proj_size=5)
x = torch.randn(7, 3, 10)  # (L=7, N=3, H_in=10)
output, (h_n, c_n) = lstm(x)
print("output", tuple(output.shape), "= (L, N, proj_size)")
print("h_n   ", tuple(h_n.shape), "= (num_layers, N, proj_size)")
print("c_n   ", tuple(c_n.shape), "= (num_layers, N, hidden_size)")
for name in ("weight_ih_l0", "weight_hh_l0", "weight_hr_l0", "weight_ih_l1"):
    print(f"{name:13}", tuple(getattr(lstm, name).shape))

# The last step of a one-layer LSTM, by hand: h_n = (o * tanh(c_n)) W_hr^T.
one = nn.LSTM(input_size=10, hidden_size=20, proj_size=5)
output, (h_n, c_n) = one(x)
gates = F.linear(x[-1], one.weight_ih_l0, one.bias_ih_l0) + F.linear(
    output[-2], one.weight_hh_l0, one.bias_hh_l0
)  # (N, 4*20): i, f, g, o
o = torch.sigmoid(gates.chunk(4, dim=-1)[3])  # (N, 20)
h_by_hand = F.linear(o * torch.tanh(c_n[0]), one.weight_hr_l0)  # (N, 20) -> (N, 5)
print("h_n == W_hr (o * tanh(c_n)):", torch.allclose(h_n[0], h_by_hand, atol=1e-6))
