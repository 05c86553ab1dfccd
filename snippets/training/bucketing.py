# Bucketing: batch sequences of similar length together, and padding almost disappears.
import torch

from rnn_ref.data import BucketBatchSampler, padding_fraction

g = torch.Generator().manual_seed(0)
lengths = torch.randint(1, 21, (6400,), generator=g).tolist()  # lengths 1..20
batch_size = 64

order = torch.randperm(len(lengths), generator=g).tolist()
random_batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
sampler = BucketBatchSampler(lengths, batch_size=batch_size, seed=0)
bucketed = list(sampler)

print("batches:", len(random_batches), "random,", len(bucketed), "bucketed")
print(
    f"padded slots, random batches:   {padding_fraction(lengths, random_batches):.1%}"
)
print(f"padded slots, bucketed batches: {padding_fraction(lengths, bucketed):.1%}")
print(
    "every index once:",
    sorted(i for b in bucketed for i in b) == list(range(len(lengths))),
)
first = bucketed[0]
print("lengths in one bucketed batch:", sorted({lengths[i] for i in first}))
