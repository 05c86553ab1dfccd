"""The `training` part of `rnn-ref bench`: padded vs packed vs length-bucketed batches.

A GRU classifier trains on two length mixes ("uniform" and "heavy_tail"), its batches
drawn at random or bucketed by length, each run on the padded batch or packed; the
result is tokens/s and the padding efficiency (real tokens / computed tokens) of each
plan.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from rnn_ref.data import BucketBatchSampler, collate
from rnn_ref.experiments.timing import measure, ratio
from rnn_ref.model import SumModClassifier, padded_logits

if TYPE_CHECKING:
    from rnn_ref.experiments.bench_config import BenchConfig

__all__ = ["padding_efficiency", "mix_lengths", "bench_training"]


def padding_efficiency(batch_lengths: list[list[int]], packed: bool = False) -> float:
    """Real tokens / computed tokens: a padded batch computes N * max(lengths) steps.

    A packed batch computes exactly its real steps, so its efficiency is 1.

    Examples:
        >>> padding_efficiency([[4, 2], [1]])  # (4 + 2 + 1) / (2*4 + 1*1)
        0.7777777777777778
    """
    real = sum(sum(b) for b in batch_lengths)
    computed = real if packed else sum(len(b) * max(b) for b in batch_lengths)
    return real / computed


def mix_lengths(mix: str, count: int, max_len: int, seed: int = 0) -> list[int]:
    """Sequence lengths: "uniform" on 1..max_len, or "heavy_tail": Pareto(0.8, x_min=4),
    capped at max_len."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(count, generator=g)
    if mix == "uniform":
        lengths = (u * max_len).floor() + 1
    elif mix == "heavy_tail":
        lengths = (4 * u.clamp_min(1e-12) ** (-1 / 0.8)).floor().clamp(1, max_len)
    else:
        raise ValueError(f"mix must be 'uniform' or 'heavy_tail'; got {mix!r}")
    return [int(n) for n in lengths]


def _to(batch, device):
    ids, lengths, targets = batch
    return ids.to(device), lengths, targets.to(device)  # lengths stay on the CPU (pack)


def _training_steps(model, forward, batches) -> Callable[[], None]:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def steps(batches=batches) -> None:
        for ids, n, targets in batches:
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(forward(ids, n), targets).backward()
            opt.step()

    steps(batches[:1])  # warm up on one batch
    return steps


def bench_training(cfg: BenchConfig, device, sync, tick) -> dict:
    N, epoch_batches, timed_batches, max_len, H = cfg.training
    g = torch.Generator().manual_seed(0)
    result = {
        "model": {"cell": "gru", "hidden_size": H, "embed_dim": H, "num_layers": 1},
        "batch_size": N,
        "epoch_batches": epoch_batches,
        "timed_batches": timed_batches,
        "max_len": max_len,
        "mixes": {},
    }
    init = SumModClassifier(num_digits=10, num_classes=10, cell="gru", hidden_size=H)
    for mix in ("uniform", "heavy_tail"):
        lengths = mix_lengths(
            mix, N * epoch_batches, max_len, seed=1 if mix == "uniform" else 2
        )
        seqs = [torch.randint(0, 10, (n,), generator=g).tolist() for n in lengths]
        order = torch.randperm(len(seqs), generator=g).tolist()
        plans = {
            "random": [order[i : i + N] for i in range(0, len(order), N)],
            "bucketed": list(
                BucketBatchSampler(lengths, N, seed=0, pool_batches=epoch_batches)
            ),
        }
        variants, effs, tokens = {}, {}, {}
        for plan, epoch in plans.items():
            # time a random sample of the epoch's batches; padding efficiency is over
            # the epoch
            picked = torch.randperm(len(epoch), generator=g)[:timed_batches].tolist()
            sample = [epoch[i] for i in picked]
            batches = [
                _to(collate([seqs[i] for i in idx], pad_id=10, modulus=10), device)
                for idx in sample
            ]
            for layout in ("padded", "packed"):
                name = f"{plan}_{layout}"
                model = copy.deepcopy(init).to(device)
                forward = (
                    model
                    if layout == "packed"
                    else (lambda i, n, m=model: padded_logits(m, i, n))
                )
                variants[name] = _training_steps(model, forward, batches)
                effs[name] = padding_efficiency(
                    [[lengths[i] for i in b] for b in epoch], packed=layout == "packed"
                )
                tokens[name] = sum(lengths[i] for b in sample for i in b)
        times = measure(variants, cfg.training_repeats, sync, warmup=0)
        tick()
        # tokens/s of each round
        rate = {name: [tokens[name] / t for t in ts] for name, ts in times.items()}
        result["mixes"][mix] = {
            "epoch_tokens": sum(lengths),
            "mean_length": sum(lengths) / len(lengths),
            "variants": {
                name: {
                    "tokens_per_s": statistics.median(rate[name]),
                    "timed_tokens": tokens[name],
                    "median_s": statistics.median(times[name]),
                    "padding_efficiency": effs[name],
                    "speedup_vs_random_padded": ratio(rate, name, "random_padded"),
                }
                for name in variants
            },
        }
    return result
