"""The sum-mod data: batches, evaluation sets, collate, and the
length-bucketing sampler."""

import pytest
import torch

from rnn_ref.data import (
    BucketBatchSampler,
    SumModTask,
    collate,
    curriculum_lengths,
    padding_fraction,
)


def test_batch_shapes_dtypes_padding_and_targets():
    task = SumModTask(num_digits=5, modulus=5, min_len=2, max_len=7)
    ids, lengths, targets = task.batch(256, torch.Generator().manual_seed(1))
    assert ids.dtype == lengths.dtype == targets.dtype == torch.int64
    assert lengths.device.type == "cpu"
    assert ids.shape == (
        256,
        int(lengths.max()),
    ) and lengths.shape == targets.shape == (256,)
    for row, n, y in zip(ids.tolist(), lengths.tolist(), targets.tolist(), strict=True):
        assert all(0 <= d < 5 for d in row[:n])
        assert all(p == task.pad_id == 5 for p in row[n:])
        assert y == sum(row[:n]) % 5 == task.target(row[:n])


def test_distribution_covers_the_ranges():
    task = SumModTask(num_digits=10, modulus=10, min_len=2, max_len=5)
    ids, lengths, targets = task.batch(20_000, torch.Generator().manual_seed(0))
    assert set(lengths.tolist()) == {2, 3, 4, 5}
    assert set(ids[ids != task.pad_id].tolist()) == set(range(10))
    assert set(targets.tolist()) == set(range(10))
    counts = (
        torch.bincount(lengths, minlength=6)[2:].float() / 20_000
    )  # uniform: 0.25 each
    assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.02)


def test_stream_is_seeded_and_fresh():
    task = SumModTask()
    a = task.stream(8, torch.Generator().manual_seed(3))
    b = task.stream(8, torch.Generator().manual_seed(3))
    first_a, first_b = next(a), next(b)
    assert all(torch.equal(x, y) for x, y in zip(first_a, first_b, strict=True))
    assert not torch.equal(next(a)[0], first_a[0])


def test_fixed_evaluation_sets():
    task = SumModTask()
    assert task.sequences(50, seed=4) == task.sequences(50, seed=4)
    assert task.sequences(50, seed=4) != task.sequences(50, seed=5)
    assert {len(s) for s in task.sequences(30, seed=0, lengths=100)} == {100}
    assert {len(s) for s in task.sequences(300, seed=0, lengths=(7, 9))} == {7, 8, 9}


def test_collate():
    ids, lengths, targets = collate([[3, 7], [1, 9, 4], [2]], pad_id=10, modulus=10)
    assert ids.tolist() == [[3, 7, 10], [1, 9, 4], [2, 10, 10]]
    assert lengths.tolist() == [2, 3, 1] and lengths.dtype == torch.int64
    assert targets.tolist() == [0, 4, 2]
    assert collate([[1]], pad_id=10)[2] is None
    with pytest.raises(ValueError, match="at least one digit"):
        collate([[1], []], pad_id=10)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(min_len=5, max_len=2), "min_len <= max_len"),
        (dict(min_len=0), "1 <= min_len"),
        (dict(num_digits=1), "num_digits"),
        (dict(modulus=1), "modulus"),
    ],
)
def test_task_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SumModTask(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(num_digits=2),
        dict(modulus=2),
        dict(min_len=1, max_len=1),
        dict(min_len=7, max_len=7),
    ],  # fmt: skip
)
def test_task_accepts_the_smallest_values_each_check_allows(kwargs):
    """Binary digits, sums mod 2, and one fixed length are tasks like any other."""
    task = SumModTask(**kwargs)
    ids, lengths, targets = task.batch(64, torch.Generator().manual_seed(0))
    assert ids.max() <= task.pad_id and targets.max() < task.modulus
    assert lengths.min() >= task.min_len and lengths.max() <= task.max_len


def _lengths(n=1000, seed=0):
    return torch.randint(
        1, 60, (n,), generator=torch.Generator().manual_seed(seed)
    ).tolist()


@pytest.mark.parametrize(
    "batch_size, pool_batches", [(16, 50), (7, 3), (1000, 2), (33, 1), (1, 4)]
)
def test_bucketing_covers_every_index_once_per_epoch(batch_size, pool_batches):
    lengths = _lengths()
    sampler = BucketBatchSampler(lengths, batch_size, seed=0, pool_batches=pool_batches)
    for epoch in range(2):
        sampler.set_epoch(epoch)
        batches = list(sampler)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        assert len(batches) == len(sampler)
        assert all(1 <= len(b) <= batch_size for b in batches)


def test_bucketing_reduces_padding_and_is_seeded():
    lengths = _lengths()
    sampler = BucketBatchSampler(lengths, batch_size=32, seed=0)
    bucketed = list(sampler)
    order = torch.randperm(
        len(lengths), generator=torch.Generator().manual_seed(0)
    ).tolist()
    shuffled = [order[i : i + 32] for i in range(0, len(order), 32)]
    assert (
        padding_fraction(lengths, bucketed)
        < 0.1
        < 0.4
        < padding_fraction(lengths, shuffled)
    )
    assert list(BucketBatchSampler(lengths, 32, seed=0)) == bucketed
    assert list(BucketBatchSampler(lengths, 32, seed=1)) != bucketed
    sampler.set_epoch(1)
    assert list(sampler) != bucketed


@pytest.mark.parametrize("world_size", [2, 3])
def test_sharding_is_disjoint_and_even(world_size):
    lengths = _lengths(1003)  # 101 batches of 10: a remainder for 2 and for 3 ranks
    shards = [
        list(BucketBatchSampler(lengths, 10, seed=2, rank=r, world_size=world_size))
        for r in range(world_size)
    ]
    seen = [{i for b in shard for i in b} for shard in shards]
    assert {len(s) for s in shards} == {101 // world_size}  # the remainder is dropped
    assert all(
        len(shard)
        == len(BucketBatchSampler(lengths, 10, rank=r, world_size=world_size))
        for r, shard in enumerate(shards)
    )
    assert sum(len(s) for s in seen) == len(set().union(*seen))  # disjoint
    with pytest.raises(ValueError, match="rank < world_size"):
        BucketBatchSampler(lengths, 10, rank=3, world_size=3)


def test_sampler_drives_a_dataloader():
    task = SumModTask()
    seqs = task.sequences(200, seed=0, lengths=(1, 20))
    loader = torch.utils.data.DataLoader(
        seqs,
        batch_sampler=BucketBatchSampler([len(s) for s in seqs], 16, seed=0),
        collate_fn=lambda b: collate(b, task.pad_id, task.modulus),
    )
    total = 0
    for ids, lengths, targets in loader:
        assert ids.shape[1] == int(lengths.max())
        total += len(targets)
    assert total == 200


def test_sampler_defaults_are_seed_0_and_pools_of_50_batches():
    lengths = _lengths()
    assert list(BucketBatchSampler(lengths, 8)) == list(
        BucketBatchSampler(lengths, 8, seed=0, pool_batches=50)
    )


def test_curriculum_grows_the_longest_length_linearly_then_holds():
    """A ramp of 10 steps from 1 to 20: step s draws lengths 1 to
    1 + round((s + 1) / 10 * 19), 20 from the ramp's last step on (round halves to
    even: 9.5 -> 10)."""
    task = SumModTask(min_len=1, max_len=20)
    schedule = [curriculum_lengths(task, s, 10) for s in range(12)]
    assert {lo for lo, _ in schedule} == {1}
    assert [hi for _, hi in schedule] == [3, 5, 7, 9, 11, 12, 14, 16, 18, 20, 20, 20]
    assert curriculum_lengths(task, 5, 0) is None  # no curriculum: the task's range
    short = SumModTask(min_len=4, max_len=6)
    assert [curriculum_lengths(short, s, 4) for s in range(5)] == [
        (4, 4), (4, 5), (4, 6), (4, 6), (4, 6)
    ]  # fmt: skip
