"""Multi-process training with `torchrun`: the process group, rank helpers, rank data.

`torchrun --nproc_per_node=N -m rnn_ref.cli train ...` starts `N` copies of the command
and tells each one its place through environment variables (`RANK`, `LOCAL_RANK`,
`WORLD_SIZE`, `MASTER_ADDR`, `MASTER_PORT`). `setup` joins them into one process group
(gloo on the CPU, NCCL on CUDA) when, and only when, `WORLD_SIZE` > 1. Without it every
helper here is the identity, so a plain single-process run is exactly what it was.

What `rnn_ref.train.train` does with `N` ranks, each step:

* every rank draws the same global batch of `N * batch_size` sequences from the shared
  seeded stream;
* `shard` sorts it by length with `BucketBatchSampler` and deals one bucket of
  `batch_size` sequences to each rank: disjoint, equally large, little padding;
* `DistributedDataParallel` averages the gradients. Equal shards make the mean of the
  ranks' mean losses the mean loss of the global batch, so `N` ranks at `batch_size` B
  take the step that one process takes at `batch_size` N*B, and all ranks keep identical
  parameters;
* only rank 0 evaluates, writes `metrics.jsonl` and checkpoints, and shows the progress
  bar.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from rnn_ref.data import BucketBatchSampler

__all__ = [
    "launched",
    "setup",
    "teardown",
    "get_rank",
    "get_world_size",
    "is_main",
    "wrap",
    "mean",
    "shard",
]


def launched() -> bool:
    """True in a process `torchrun` started as one of several (`WORLD_SIZE` > 1)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def _initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def setup(device: torch.device) -> torch.device:
    """Join the `torchrun` process group (if launched by it); return the rank's device.

    gloo on the CPU, NCCL on CUDA, where rank `LOCAL_RANK` takes GPU `LOCAL_RANK`.
    Calling it again, or outside `torchrun`, changes nothing. `teardown` leaves the
    group.
    """
    if not launched():
        return device
    if device.type == "cuda":
        local_rank, gpus = (
            int(os.environ.get("LOCAL_RANK", "0")),
            torch.cuda.device_count(),
        )
        if local_rank >= gpus:
            raise ValueError(
                f"torchrun started more processes on this machine than it has GPUs "
                f"(local rank {local_rank}, {gpus} GPUs); pass "
                f"--nproc_per_node={gpus}, or --device cpu"
            )
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not _initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def teardown() -> None:
    """Leave the process group, if this process is in one."""
    if _initialized():
        dist.destroy_process_group()


def get_rank() -> int:
    """This process's rank: 0 .. get_world_size() - 1 (0 without a process group)."""
    return dist.get_rank() if _initialized() else 0


def get_world_size() -> int:
    """How many processes train together (1 without a process group)."""
    return dist.get_world_size() if _initialized() else 1


def is_main() -> bool:
    """True on rank 0, the one that evaluates, logs and saves."""
    return get_rank() == 0


def wrap(model: nn.Module, device: torch.device) -> nn.Module:
    """`DistributedDataParallel(model)` in a process group, else `model` itself.

    The wrapper broadcasts rank 0's weights and averages gradients in `backward`.
    Constructing it is a collective, so it returns only once every rank has reached it.
    """
    if get_world_size() == 1:
        return model
    return DistributedDataParallel(
        model, device_ids=[device.index] if device.type == "cuda" else None
    )


def mean(value: torch.Tensor) -> torch.Tensor:
    """The mean of `value` over all ranks (`value` itself in one process), on each rank.

    Shape:
        any; the mean has `value`'s shape.
    """
    if get_world_size() == 1:
        return value
    total = value.clone()
    dist.all_reduce(total)  # sum (gloo has no ReduceOp.AVG)
    return total / get_world_size()


def shard(
    ids: torch.Tensor,
    lengths: torch.Tensor,
    targets: torch.Tensor,
    step: int,
    seed: int,
    rank: int | None = None,
    world_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """This rank's share of a global batch: a bucket of `M / world_size` sequences.

    The length-bucketing sampler sorts the `M` sequences by length, cuts them into
    `world_size` buckets and shuffles which rank gets which (seeded by `seed` and
    `step`, so every rank computes the same deal and takes its own bucket).

    Args:
        ids, lengths, targets: the global batch, as `rnn_ref.data.SumModTask.batch`
            returns it; `M` must be a multiple of `world_size`.
        step: the training step (the sampler's epoch).
        seed: the run's seed.
        rank, world_size: default to this process's (0 and 1 without a process group:
            the whole batch).

    Shape:
        ids `(M, L)`, lengths `(M,)`, targets `(M,)` -> ids `(B, L_r)`, lengths
        `(B,)`, targets `(B,)` with `B = M / world_size` and `L_r` the longest sequence
        in the bucket.

    Examples:

        >>> import torch
        >>> from rnn_ref.distributed import shard
        >>> ids = torch.zeros(4, 5, dtype=torch.long)
        >>> lengths = torch.tensor([5, 1, 4, 2])
        >>> [
        ...     shard(ids, lengths, lengths, step=0, seed=0, rank=r, world_size=2)[1]
        ...     for r in (0, 1)
        ... ]
        [tensor([1, 2]), tensor([4, 5])]
    """
    rank = get_rank() if rank is None else rank
    world_size = get_world_size() if world_size is None else world_size
    if world_size == 1:
        return ids, lengths, targets
    if len(lengths) % world_size:
        raise ValueError(
            f"a global batch of {len(lengths)} sequences does not split evenly over "
            f"{world_size} ranks; draw a multiple of {world_size}"
        )
    sampler = BucketBatchSampler(
        lengths.tolist(),
        len(lengths) // world_size,
        seed=seed,
        pool_batches=world_size,
        rank=rank,
        world_size=world_size,
    )
    sampler.set_epoch(step)
    [mine] = list(sampler)  # one pool, world_size buckets: exactly one per rank
    index = torch.tensor(mine)  # (B,)
    n = lengths[index]  # (B,)
    return ids[index, : int(n.max())], n, targets[index]  # (B, L_r), (B,), (B,)
