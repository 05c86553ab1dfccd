# With enforce_sorted=False, hx rows and h_n rows are in YOUR batch order: torch
# sorts the batch by length inside, and permutes hx and h_n to match.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

torch.manual_seed(0)
rnn = nn.GRU(3, 5, batch_first=True)
x = torch.randn(3, 4, 3)  # (N, L, H_in), padded
lengths = torch.tensor([2, 4, 3])  # not sorted
hx = torch.randn(1, 3, 5)  # (layers, N, H_out): row i is sequence i's state

packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
_, h_n = rnn(packed, hx)

for i, n in enumerate(lengths.tolist()):
    _, alone = rnn(x[i : i + 1, :n], hx[:, i : i + 1])  # sequence i by itself
    same = torch.allclose(h_n[:, i], alone[:, 0], atol=1e-6)
    print(f"row {i} (length {n}): h_n[:, {i}] == sequence {i} run alone: {same}")
print("sorted_indices:", packed.sorted_indices.tolist())
