# h_n is (num_layers * 2, N, H): view it as (num_layers, 2, N, H)
# to index layer and direction.
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H, num_layers = 5, 2, 3, 4, 3
rnn = nn.RNN(H_in, H, num_layers=num_layers, bidirectional=True)
# output (L, N, 2*H), h_n (2*num_layers, N, H)
output, h_n = rnn(torch.randn(L, N, H_in))
print("h_n", tuple(h_n.shape), "-> view", tuple(h_n.view(num_layers, 2, N, H).shape))
by_layer = h_n.view(num_layers, 2, N, H)  # [layer, direction]: 0 forward, 1 backward
top_forward, top_backward = by_layer[-1, 0], by_layer[-1, 1]
print(
    "by_layer[-1, 0] is h_n[-2]:",
    torch.equal(top_forward, h_n[-2]),
    "| by_layer[-1, 1] is h_n[-1]:",
    torch.equal(top_backward, h_n[-1]),
)
# The forward direction ends at the last step, the backward one at the FIRST step.
print(
    "h_n[-2] == output[-1, :, :H] (forward, last step): ",
    torch.allclose(h_n[-2], output[-1, :, :H]),
)
print(
    "h_n[-1] == output[0, :, H:]  (backward, first step):",
    torch.allclose(h_n[-1], output[0, :, H:]),
)
print(
    "h_n[-1] == output[-1, :, H:]:                       ",
    torch.allclose(h_n[-1], output[-1, :, H:]),
)
