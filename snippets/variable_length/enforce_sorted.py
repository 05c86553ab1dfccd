# enforce_sorted=False sorts for you; the results come back in your batch order.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

torch.manual_seed(0)
rnn = nn.GRU(input_size=3, hidden_size=4, dtype=torch.float64)
x = torch.randn(5, 3, 3, dtype=torch.float64)  # (L, N, H_in)
lengths = [2, 5, 3]  # not sorted

try:
    pack_padded_sequence(x, lengths)  # enforce_sorted=True is the default
except RuntimeError as e:
    print("RuntimeError:", e)

_, h_unsorted = rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))

# The same batch sorted by hand (longest first), packed with enforce_sorted=True.
order = torch.tensor([1, 2, 0])
_, h_sorted = rnn(pack_padded_sequence(x[:, order], [5, 3, 2]))
print("h_n rows in the caller's order:", torch.equal(h_unsorted[:, order], h_sorted))
