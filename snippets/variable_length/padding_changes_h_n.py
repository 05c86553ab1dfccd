# Padding is not free: the RNN keeps stepping through the zeros.
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(0)
long = torch.tensor([[1.0], [2.0], [3.0]])  # (L=3, H_in=1)
short = torch.tensor([[4.0]])  # (L=1, H_in=1)
padded = pad_sequence([long, short])  # (3, 2, 1): short gets two zero steps

rnn = nn.RNN(input_size=1, hidden_size=2)
_, h_n = rnn(padded)
_, h_alone = rnn(short.unsqueeze(1))  # the short sequence on its own, no padding
print("h_n of `short`, padded:", h_n[0, 1].detach().numpy().round(4))
print("h_n of `short`, alone: ", h_alone[0, 0].detach().numpy().round(4))

# Bidirectional: the backward direction starts at the LAST padded step, so it reads the
# zeros before it reaches the real step -- the output at the real step changes too.
birnn = nn.RNN(input_size=1, hidden_size=2, bidirectional=True)
out, _ = birnn(padded)  # (3, 2, 2*2): [forward, backward]
out_alone, _ = birnn(short.unsqueeze(1))
print(
    "output[0] of `short`, padded: forward",
    out[0, 1, :2].detach().numpy().round(4),
    "backward",
    out[0, 1, 2:].detach().numpy().round(4),
)
print(
    "output[0] of `short`, alone:  forward",
    out_alone[0, 0, :2].detach().numpy().round(4),
    "backward",
    out_alone[0, 0, 2:].detach().numpy().round(4),
)
