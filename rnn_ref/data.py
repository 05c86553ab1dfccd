"""The sum-mod task: digits in, their sum modulo `modulus` out.

An input is a sequence of digits `x_1 .. x_n`, each uniform in `0 .. num_digits - 1`,
with the length `n` uniform in `[min_len, max_len]`; its target is
`(x_1 + ... + x_n) mod modulus`. The original tutorial's classes default to digits 0-4
mod 5, but its script runs digits 0-9 mod 10, our default too.

Three pieces, one job each:

* `SumModTask` draws batches: an endless seeded training stream, and fixed evaluation
  sets.
* `collate` pads a list of sequences into one batch: ids, CPU int64 lengths, targets.
* `BucketBatchSampler` groups sequences of similar length so a batch carries little
  padding.

Shape legend: `N` batch size, `L` longest sequence in the batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

__all__ = [
    "SumModTask",
    "curriculum_lengths",
    "collate",
    "padding_fraction",
    "BucketBatchSampler",
]


@dataclass(frozen=True)
class SumModTask:
    """The task's parameters, and seeded samplers for it.

    Args:
        num_digits: digits are `0 .. num_digits - 1`; the padding id is `num_digits`.
        modulus: the target is the digit sum modulo this (also the number of classes).
        min_len: shortest sequence drawn.
        max_len: longest sequence drawn.

    Examples:

        >>> import torch
        >>> from rnn_ref.data import SumModTask
        >>> task = SumModTask(num_digits=10, modulus=10, min_len=2, max_len=5)
        >>> ids, lengths, targets = task.batch(4, torch.Generator().manual_seed(0))
        >>> ids.shape[0], lengths.dtype, targets.shape
        (4, torch.int64, torch.Size([4]))
    """

    num_digits: int = 10
    modulus: int = 10
    min_len: int = 2
    max_len: int = 5

    def __post_init__(self) -> None:
        if self.num_digits < 2:
            raise ValueError(f"num_digits must be at least 2; got {self.num_digits}")
        if self.modulus < 2:
            raise ValueError(f"modulus must be at least 2; got {self.modulus}")
        if not 1 <= self.min_len <= self.max_len:
            raise ValueError(
                "lengths must satisfy 1 <= min_len <= max_len; got "
                f"min_len={self.min_len}, max_len={self.max_len}; "
                "pass e.g. --min-len 2 --max-len 5"
            )

    @property
    def pad_id(self) -> int:
        """The padding id: one past the last digit, so it never collides with one."""
        return self.num_digits

    def target(self, digits: Sequence[int]) -> int:
        """The right answer for one sequence: `sum(digits) % modulus`."""
        return sum(digits) % self.modulus

    def batch(
        self,
        batch_size: int,
        generator: torch.Generator,
        lengths: tuple[int, int] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Draw one padded batch, vectorised (no Python loop over sequences).

        Args:
            batch_size: number of sequences `N`.
            generator: the only source of randomness, so a seed fixes the batch.
            lengths: `(lo, hi)` to draw lengths from instead of `(min_len, max_len)`.

        Shape:
            ids `(N, L)` int64, padded with `pad_id`; lengths `(N,)` int64 on the CPU;
            targets `(N,)` int64.
        """
        lo, hi = lengths if lengths is not None else (self.min_len, self.max_len)
        n = torch.randint(lo, hi + 1, (batch_size,), generator=generator)  # (N,)
        longest = int(n.max())
        digits = torch.randint(
            0, self.num_digits, (batch_size, longest), generator=generator
        )  # (N, L)
        real = torch.arange(longest).unsqueeze(0) < n.unsqueeze(1)  # (N, L) bool
        targets = (digits * real).sum(dim=1) % self.modulus  # (N,)
        ids = digits.masked_fill(~real, self.pad_id)  # (N, L)
        return ids, n, targets

    def stream(
        self, batch_size: int, generator: torch.Generator
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        """An endless training stream of fresh batches; see `batch`."""
        while True:
            yield self.batch(batch_size, generator)

    def sequences(
        self, count: int, seed: int, lengths: int | tuple[int, int] | None = None
    ) -> list[list[int]]:
        """A fixed evaluation set: `count` sequences, the same for the same seed.

        Args:
            count: how many sequences.
            seed: seeds a private generator (the global RNG is left alone).
            lengths: one length, a `(lo, hi)` range, or `None` for `(min_len, max_len)`.
        """
        span = (lengths, lengths) if isinstance(lengths, int) else lengths
        ids, n, _ = self.batch(count, torch.Generator().manual_seed(seed), span)
        return [row[:k].tolist() for row, k in zip(ids, n.tolist(), strict=True)]


def curriculum_lengths(
    task: SumModTask, step: int, ramp_steps: int
) -> tuple[int, int] | None:
    """The lengths to draw at training step `step` (0-based) under a length curriculum.

    The longest length grows linearly from `min_len` to `max_len` over the first
    `ramp_steps` steps, then stays there; `ramp_steps=0` (no curriculum) gives `None`,
    which `SumModTask.batch` reads as the task's own range.

    Examples:

        >>> from rnn_ref.data import SumModTask, curriculum_lengths
        >>> task = SumModTask(min_len=1, max_len=20)
        >>> [curriculum_lengths(task, s, 100) for s in (0, 49, 99, 500)]
        [(1, 1), (1, 11), (1, 20), (1, 20)]
        >>> curriculum_lengths(task, 0, 0) is None
        True
    """
    if ramp_steps == 0:
        return None
    progress = min(1.0, (step + 1) / ramp_steps)
    # longest = min_len + progress * (max_len - min_len), rounded
    longest = task.min_len + round(progress * (task.max_len - task.min_len))
    return task.min_len, longest


# --8<-- [start:collate]
def collate(
    seqs: Sequence[Sequence[int]], pad_id: int, modulus: int | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Pad a list of digit sequences into one batch.

    Args:
        seqs: `N` non-empty sequences of digit ids.
        pad_id: the id written after each sequence's end.
        modulus: when given, the targets `sum % modulus` are computed too; else `None`.

    Shape:
        ids `(N, L)` int64 with `L = max(len(s))`; lengths `(N,)` int64 on the CPU (what
        `pack_padded_sequence` wants); targets `(N,)` int64.

    Examples:

        >>> from rnn_ref.data import collate
        >>> collate([[3, 7], [1, 9, 4]], pad_id=10, modulus=10)[0]
        tensor([[ 3,  7, 10],
                [ 1,  9,  4]])
    """
    if any(len(s) == 0 for s in seqs):
        raise ValueError("every sequence needs at least one digit; got an empty one")
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    ids = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.as_tensor(s, dtype=torch.int64)
    targets = (
        None if modulus is None else torch.tensor([sum(s) % modulus for s in seqs])
    )
    return ids, lengths, targets


# --8<-- [end:collate]


def padding_fraction(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """Fraction of padded slots when each batch is padded to its longest member."""
    total = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    return 1.0 - sum(lengths) / total


class BucketBatchSampler(torch.utils.data.Sampler[list[int]]):
    """Batches of indices whose sequences have similar lengths, reshuffled every epoch.

    Each epoch: shuffle the indices, cut them into pools of `batch_size * pool_batches`,
    sort each pool by length, cut the pool into batches, and shuffle the batches. Every
    index appears exactly once per epoch (on one rank). With `world_size > 1` each rank
    gets a disjoint, equally long share of the batches (for `DistributedDataParallel`).

    Args:
        lengths: the length of every sequence in the dataset.
        batch_size: indices per batch (the last batch of a pool may be smaller).
        seed: with `set_epoch`, fixes the order.
        pool_batches: how many batches' worth of indices are sorted together.
        rank, world_size: this process's shard.

    Examples:

        >>> from rnn_ref.data import BucketBatchSampler
        >>> sampler = BucketBatchSampler([5, 2, 4, 2], batch_size=2, seed=0)
        >>> sorted(sorted(b) for b in sampler)
        [[0, 2], [1, 3]]
    """

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        seed: int = 0,
        pool_batches: int = 50,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1; got {batch_size}")
        if not 0 <= rank < world_size:
            raise ValueError(
                f"need 0 <= rank < world_size; got rank={rank}, world_size={world_size}"
            )
        self.lengths = list(lengths)
        self.batch_size, self.seed, self.pool_batches = batch_size, seed, pool_batches
        self.rank, self.world_size, self.epoch = rank, world_size, 0

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch; each epoch has its own (seeded) order."""
        self.epoch = epoch

    def _all_batches(self) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(len(self.lengths), generator=g).tolist()
        pool = self.batch_size * self.pool_batches
        batches = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=self.lengths.__getitem__)
            batches += [
                chunk[i : i + self.batch_size]
                for i in range(0, len(chunk), self.batch_size)
            ]
        return [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]

    def __iter__(self) -> Iterator[list[int]]:
        batches = self._all_batches()
        if (
            self.world_size > 1
        ):  # every rank takes the same number of batches: drop the remainder
            per_rank = len(batches) // self.world_size
            batches = batches[self.rank * per_rank : (self.rank + 1) * per_rank]
        return iter(batches)

    def __len__(self) -> int:
        pool = self.batch_size * self.pool_batches
        full, rest = divmod(len(self.lengths), pool)
        count = full * math.ceil(pool / self.batch_size) + math.ceil(
            rest / self.batch_size
        )
        return count // self.world_size if self.world_size > 1 else count
