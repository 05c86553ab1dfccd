# With packed input, h_n holds each sequence's state at ITS last real step.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(0)
rnn = nn.LSTM(input_size=3, hidden_size=4, dtype=torch.float64)
lengths = torch.tensor([2, 5, 3])
x = torch.randn(5, 3, 3, dtype=torch.float64)  # (L, N, H_in), padded
packed_out, (h_n, c_n) = rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
output, _ = pad_packed_sequence(packed_out)  # (L, N, H_out), zeros after each length

last = output[lengths - 1, torch.arange(3)]  # (N, H_out): output at step lengths[b]-1
print("h_n[0] == output at each last real step:", torch.equal(h_n[0], last))
print("h_n[0] == output[-1] (the padded end):   ", torch.equal(h_n[0], output[-1]))
print(
    "output[-1] per sequence:",
    output[-1].abs().sum(dim=1).detach().numpy().round(4),
    "<- zero rows where the sequence had ended",
)
