# Packing rejects empty sequences; clamp their length to 1 and mask the result.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

torch.manual_seed(0)
rnn = nn.GRU(input_size=2, hidden_size=3)
x = torch.randn(3, 3, 2)  # (L, N, H_in); sequence 1 is empty
lengths = torch.tensor([3, 0, 2])
try:
    pack_padded_sequence(x, lengths, enforce_sorted=False)
except RuntimeError as e:
    print("RuntimeError:", e)

# Workaround: pretend every empty sequence has one (padding) step ...
packed = pack_padded_sequence(x, lengths.clamp(min=1), enforce_sorted=False)
_, h_n = rnn(packed)  # (1, N, H)
# ... then zero its state, as if it had never run (use whatever "empty" means for you).
h_n = torch.where((lengths > 0)[None, :, None], h_n, 0.0)
print("h_n:", h_n[0].detach().numpy().round(4))

_, h_alone = rnn(x[:2, 2:3])  # sequence 2 alone: the others are untouched
print("sequence 2 equals running it alone:", torch.allclose(h_n[0, 2], h_alone[0, 0]))
