# What pack_padded_sequence accepts as `lengths`, and what it does with the rest.
import torch
from torch.nn.utils.rnn import pack_padded_sequence

x = torch.randn(4, 3, 2)  # (L=4, N=3, H_in=2)
print(
    "list [4, 2, 1]:          batch_sizes",
    pack_padded_sequence(x, [4, 2, 1]).batch_sizes.tolist(),
)
int32 = torch.tensor([4, 2, 1], dtype=torch.int32)
print(
    "int32 tensor:            batch_sizes",
    pack_padded_sequence(x, int32).batch_sizes.tolist(),
)
floats = torch.tensor([4.0, 2.9, 1.0])  # e.g. a mean length, or lengths * scale
packed = pack_padded_sequence(x, floats)  # no error: cast to int64, 2.9 -> 2
print(
    "tensor [4.0, 2.9, 1.0]:  batch_sizes",
    packed.batch_sizes.tolist(),
    "<- 2.9 became 2",
)
packed = pack_padded_sequence(x, [4.0, 2.9, 1.0])  # a list of floats: the same
print(
    "list [4.0, 2.9, 1.0]:    batch_sizes",
    packed.batch_sizes.tolist(),
    "<- 2.9 became 2",
)

for name, lengths in [
    ("wrong count [4, 2]", [4, 2]),
    ("2-D tensor", torch.tensor([[4, 2, 1]])),
]:
    try:
        pack_padded_sequence(x, lengths)
    except RuntimeError as e:
        print(f"{name}: RuntimeError: {e}")

if torch.cuda.is_available():
    try:
        pack_padded_sequence(x.cuda(), torch.tensor([4, 2, 1], device="cuda"))
    except RuntimeError as e:
        print(f"CUDA tensor: RuntimeError: {e}")
