# With enforce_sorted=False, pass hx in YOUR batch order: the RNN permutes it
# with sorted_indices itself, and hands h_n back in your order.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

torch.manual_seed(0)
lstm = nn.LSTM(input_size=3, hidden_size=4, num_layers=2, dtype=torch.float64)
x = torch.randn(5, 3, 3, dtype=torch.float64)  # (L, N, H_in)
lengths = [2, 5, 3]  # not sorted: sorted_indices = [1, 2, 0]
h_0 = torch.randn(2, 3, 4, dtype=torch.float64)  # (num_layers, N, H), row i: sequence i
c_0 = torch.randn(2, 3, 4, dtype=torch.float64)

packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
print("sorted_indices:", packed.sorted_indices.tolist())
_, (h_n, c_n) = lstm(packed, (h_0, c_0))  # hx in the caller's order

for i, n in enumerate(lengths):  # each sequence alone, with its own initial state
    _, (h_i, c_i) = lstm(x[:n, i : i + 1], (h_0[:, i : i + 1], c_0[:, i : i + 1]))
    same = torch.allclose(h_n[:, i : i + 1], h_i) and torch.allclose(
        c_n[:, i : i + 1], c_i
    )
    print(f"sequence {i} (length {n}): h_n, c_n equal to running it alone: {same}")

# Sorting hx yourself as well permutes it twice: sequence i gets another row's state.
order = packed.sorted_indices
_, (h_wrong, _) = lstm(packed, (h_0[:, order], c_0[:, order]))
print("hx pre-sorted by you as well, h_n still right:", torch.allclose(h_wrong, h_n))
