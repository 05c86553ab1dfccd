# rnn_ref.packing (plain tensor ops) against torch.nn.utils.rnn: bit for bit.
import torch
from torch.nn.utils import rnn as torch_rnn

from rnn_ref import packing as ours

torch.manual_seed(0)
seqs = [torch.randn(n, 3) for n in (4, 7, 1, 7, 2)]  # unsorted, with a tie

for name, lib in (("torch  ", torch_rnn), ("rnn_ref", ours)):
    padded = lib.pad_sequence(seqs, batch_first=True)  # (N, L, 3)
    packed = lib.pack_padded_sequence(
        padded, [len(s) for s in seqs], batch_first=True, enforce_sorted=False
    )
    unpacked, lengths = lib.pad_packed_sequence(
        packed, batch_first=True, total_length=9
    )
    print(
        name,
        "batch_sizes",
        packed.batch_sizes.tolist(),
        "sorted_indices",
        packed.sorted_indices.tolist(),
    )
    if name == "torch  ":
        want = (padded, packed, unpacked, lengths)

same = [
    torch.equal(padded, want[0]),
    # data, batch_sizes, sorted_indices, unsorted_indices
    all(torch.equal(a, b) for a, b in zip(packed, want[1], strict=True)),
    torch.equal(unpacked, want[2]),
    torch.equal(lengths, want[3]),
]
print("padded, packed (all four fields), unpacked, lengths identical:", same)
