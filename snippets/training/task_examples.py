# The sum-mod task: digits in, (sum of the digits) mod 10 out;
# lengths vary within a batch.
import torch

from rnn_ref.data import SumModTask, collate

task = SumModTask(num_digits=10, modulus=10, min_len=2, max_len=5)
seqs = task.sequences(5, seed=0)  # a fixed, seeded evaluation set
for s in seqs:
    print(f"{str(s):<16} sum {sum(s):>2} -> target {task.target(s)}")

ids, lengths, targets = collate(seqs[:3], pad_id=task.pad_id, modulus=task.modulus)
print("ids (N, L), padded with", task.pad_id, ":")
print(ids)
print("lengths:", lengths, lengths.dtype, lengths.device)
print("targets:", targets)

# training draws fresh batches from a private generator: same seed, same batches
a = task.batch(4, torch.Generator().manual_seed(0))
b = task.batch(4, torch.Generator().manual_seed(0))
same = all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
print("same seed, same batch:", same)
