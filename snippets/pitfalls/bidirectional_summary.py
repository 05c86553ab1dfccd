# Bidirectional: output[-1] is NOT a summary of the sequence; cat(h_n[-2], h_n[-1]) is.
import torch
from torch import nn

torch.manual_seed(0)
H = 4
rnn = nn.GRU(input_size=3, hidden_size=H, bidirectional=True)
x = torch.randn(6, 2, 3)  # (L=6, N=2, H_in=3)
output, h_n = rnn(x)  # (L, N, 2*H), (2, N, H): [forward, backward]

forward_last = h_n[-2]  # forward: has read steps 0..5
backward_last = h_n[-1]  # backward: has read steps 5..0
print(
    "h_n[-2] == output[-1, :, :H] (forward, last step): ",
    torch.equal(forward_last, output[-1, :, :H]),
)
print(
    "h_n[-1] == output[0, :, H:]  (backward, first step):",
    torch.equal(backward_last, output[0, :, H:]),
)
print(
    "h_n[-1] == output[-1, :, H:]:                       ",
    torch.equal(backward_last, output[-1, :, H:]),
)

# The backward half of output[-1] has read ONE step:
# change the other five and it stays put.
x2 = x.clone()
x2[:-1] = torch.randn(5, 2, 3)
output2, _ = rnn(x2)
print(
    "backward half of output[-1] after changing steps 0..4:",
    "unchanged" if torch.equal(output[-1, :, H:], output2[-1, :, H:]) else "changed",
)
summary = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (N, 2*H): use this for many-to-one
print("summary", tuple(summary.shape))
