# bidirectional=True adds a second set of weights per layer, named *_reverse.
import torch
from torch import nn

torch.manual_seed(0)
H_in, H = 3, 4
total = {}
for bidirectional in (False, True):
    rnn = nn.RNN(H_in, H, num_layers=2, bidirectional=bidirectional)
    total[bidirectional] = sum(p.numel() for p in rnn.parameters())
    print(f"bidirectional={bidirectional}: {total[bidirectional]} parameters")
    for name, p in rnn.named_parameters():
        print(f"    {name:22} {tuple(p.shape)}")
# weight_ih_l1 is (H, 2*H): layer 1 reads [forward, backward] of layer 0,
# 2*H features per step: H*H more columns in each direction.
print(f"2 * {total[False]} + 2 * (H * H) = {2 * total[False] + 2 * H * H}")
assert total[True] == 2 * total[False] + 2 * H * H
