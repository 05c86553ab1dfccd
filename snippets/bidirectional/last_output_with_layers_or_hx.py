# "The backward half of output[-1] sees x[-1] alone" holds for one layer
# without hx only. Change every step but the last and watch that half.
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H = 6, 1, 3, 4
x = torch.randn(L, N, H_in)  # (L, N, H_in)
changed = x.clone()
changed[:-1] = torch.randn(L - 1, N, H_in)  # same last step


def backward_half_moves(num_layers, hx=None, hx_changed=None):
    rnn = nn.RNN(H_in, H, num_layers=num_layers, bidirectional=True)
    a = rnn(x, hx)[0][-1, :, H:]  # (N, H): backward half of output[-1]
    b = rnn(changed, hx_changed if hx_changed is not None else hx)[0][-1, :, H:]
    return not torch.allclose(a, b)


print("1 layer, no hx:        moves:", backward_half_moves(1))
print("2 layers, no hx:       moves:", backward_half_moves(2))
hx = torch.randn(2, N, H)  # (D * num_layers, N, H)
print("1 layer, hx given:     moves:", backward_half_moves(1, hx))
print("1 layer, hx changed:   moves:", backward_half_moves(1, hx, hx + 1))
