# Lengths that do not match the data: torch packs what you say, not what is there.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.packing import check_lengths

torch.manual_seed(0)
rows = [
    [[1, 1.1], [2, 2.2]],  # true length 2
    [[1, 1.1], [2, 2.2], [3, 3.3], [4, 4.4]],  # true length 4
    [[1, 1.1]],  # true length 1
]
batch = torch.zeros(3, 4, 2, dtype=torch.float64)  # (N, L, H_in), zero padding
for b, r in enumerate(rows):
    batch[b, : len(r)] = torch.tensor(r)

wrong = pack_padded_sequence(batch, [4, 2, 1], batch_first=True, enforce_sorted=False)
right = pack_padded_sequence(batch, [2, 4, 1], batch_first=True, enforce_sorted=False)
print("packed with [4, 2, 1]:", wrong.data[:, 0].tolist())  # first feature of each row
print("packed with [2, 4, 1]:", right.data[:, 0].tolist())

rnn = nn.RNN(2, 3, batch_first=True, dtype=torch.float64)
_, h_wrong = rnn(wrong)
_, h_right = rnn(right)
for b in range(3):
    print(
        f"sequence {b}: "
        f"h_n with wrong lengths {h_wrong[0, b].detach().numpy().round(4)}, "
        f"with true lengths {h_right[0, b].detach().numpy().round(4)}"
    )

try:
    check_lengths(batch, [4, 2, 1], batch_first=True)
except ValueError as e:
    print("check_lengths:", str(e).split(": the data")[0])
check_lengths(batch, [2, 4, 1], batch_first=True)  # the true lengths pass
print("check_lengths with [2, 4, 1]: ok")
