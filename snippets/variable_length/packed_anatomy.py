# What a PackedSequence holds, on a batch whose values name their place:
# 10*(b+1) + (t+1).
import torch
from torch.nn.utils.rnn import pack_padded_sequence

lengths = [2, 4, 3]  # sequence b has lengths[b] real steps
L, N = max(lengths), len(lengths)
padded = torch.zeros(L, N, dtype=torch.long)  # (L, N), 0 = padding
for b, n in enumerate(lengths):
    # 11 12 | 21 22 23 24 | 31 32 33
    padded[:n, b] = 10 * (b + 1) + torch.arange(1, n + 1)

print("padded (L, N):")
print(padded)
packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)
print("data:            ", packed.data.tolist())
print(f"rows of data:     {packed.data.size(0)} = sum(lengths), not L * N = {L * N}")
print(
    "batch_sizes:     ",
    packed.batch_sizes.tolist(),
    "(sequences still running at each step)",
)
print(
    "sorted_indices:  ",
    packed.sorted_indices.tolist(),
    "(batch index of the longest, next, ...)",
)
print(
    "unsorted_indices:",
    packed.unsorted_indices.tolist(),
    "(where each original sequence went)",
)
