# A PackedSequence does not remember batch_first: say it again when unpacking.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(0)
x = torch.randn(2, 5, 3)  # (N=2, L=5, H_in=3): batch-first
rnn = nn.GRU(3, 4, batch_first=True)
packed_out, _ = rnn(pack_padded_sequence(x, [5, 3], batch_first=True))

right, _ = pad_packed_sequence(packed_out, batch_first=True)
wrong, _ = pad_packed_sequence(packed_out)  # default batch_first=False
print("batch_first=True on both: ", tuple(right.shape), "(N, L, H_out)")
print("forgotten when unpacking: ", tuple(wrong.shape), "(L, N, H_out)")
# With a square batch (N == L) the shape looks right and every row is wrong:
sq = torch.randn(4, 4, 3)
packed_out, _ = rnn(pack_padded_sequence(sq, [4, 3, 2, 1], batch_first=True))
good, bad = (
    pad_packed_sequence(packed_out, batch_first=True)[0],
    pad_packed_sequence(packed_out)[0],
)
print(
    "square batch:",
    tuple(good.shape),
    "vs",
    tuple(bad.shape),
    "| same contents:",
    torch.equal(good, bad),
    "| bad == good transposed:",
    torch.equal(bad, good.transpose(0, 1)),
)
