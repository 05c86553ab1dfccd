"""The benchmarks: side-by-side measurements of the reference loops, packing and the scan.

Every figure is a ratio of variants timed in the same run (`rnn_ref.experiments.timing`).
The parts (`rnn-ref bench --only PART`):

* `rnn`: naive reference loop, hoisted reference loop, `nn.RNN`; forward and forward+backward;
  FLOP/s as a fraction of one plain matmul doing the same multiply-adds.
* `indexing`: a hoisted loop reading `xp[t]` vs `xp.unbind(0)`, forward+backward over T.
* `training`: GRU classifier steps in tokens/s, random vs length-bucketed batches, padded vs
  packed.
* `packed`: `run_layer_packed` (via `reference_forward(hoist=True)`) vs torch's packed path vs
  padding.
* `scan`: `linear_recurrence_loop` vs `linear_recurrence_scan` over T = 16 .. 65,536.

Sizes follow the site's legend: T sequence length, N batch, H_in input size, H hidden size.
`run_bench` returns JSON-ready results; `rnn_ref.site.bench_report` renders them.
"""

from __future__ import annotations

import copy
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from tqdm import tqdm

from rnn_ref.config import resolve_device
from rnn_ref.data import BucketBatchSampler, collate
from rnn_ref.experiments.timing import machine_info, measure, medians, ratio
from rnn_ref.loops import reference_forward
from rnn_ref.model import SumModClassifier
from rnn_ref.scan import linear_recurrence_loop, linear_recurrence_scan

__all__ = [
    "PARTS",
    "THREADS",
    "RNNShape",
    "BenchConfig",
    "padding_efficiency",
    "mix_lengths",
    "run_bench",
]

PARTS = ("rnn", "indexing", "training", "packed", "scan")
THREADS = 2


class RNNShape(NamedTuple):
    """One `nn.RNN` the `rnn` part times: input (T, N, H_in), hidden size H."""

    T: int
    N: int
    H_in: int
    H: int
    layers: int


@dataclass(frozen=True)
class BenchConfig:
    """Sizes and repeats of every part; `BenchConfig.quick()` shrinks them to run in seconds."""

    repeats: int = 7  # rounds per measurement
    training_repeats: int = 3
    rnn_shapes: tuple[RNNShape, ...] = (
        RNNShape(50, 64, 32, 64, 2),
        RNNShape(256, 64, 128, 256, 2),
        RNNShape(1000, 8, 16, 32, 1),
    )
    indexing_size: tuple[int, int, int] = (8, 16, 64)  # N, H_in, H
    indexing_T: tuple[int, ...] = (64, 128, 256, 512, 1024)
    # batch size, batches per epoch, batches timed, longest sequence, hidden size
    training: tuple[int, int, int, int, int] = (64, 96, 16, 256, 64)
    packed_size: tuple[int, int, int, int] = (
        64,
        64,
        256,
        256,
    )  # N, H_in, H, longest sequence
    scan_T: tuple[int, ...] = (16, 64, 256, 1024, 4096, 16384, 65536)
    scan_features: int = 64
    scan_loop_max_T: int = 65536

    @classmethod
    def quick(cls) -> BenchConfig:
        """Every part, small sizes: well under a minute."""
        return cls(
            repeats=2,
            training_repeats=1,
            rnn_shapes=(
                RNNShape(50, 64, 32, 64, 2),
                RNNShape(64, 64, 128, 256, 2),
                RNNShape(200, 8, 16, 32, 1),
            ),
            indexing_size=(16, 16, 64),
            indexing_T=(32, 128),
            training=(32, 8, 3, 64, 32),
            packed_size=(32, 32, 64, 64),
            scan_T=(16, 256, 4096, 65536),
            scan_loop_max_T=4096,
        )


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
    """Sequence lengths: "uniform" on 1..max_len, or "heavy_tail": Pareto(0.8, x_min=4), capped."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(count, generator=g)
    if mix == "uniform":
        lengths = (u * max_len).floor() + 1
    elif mix == "heavy_tail":
        lengths = (4 * u.clamp_min(1e-12) ** (-1 / 0.8)).floor().clamp(1, max_len)
    else:
        raise ValueError(f"mix must be 'uniform' or 'heavy_tail'; got {mix!r}")
    return [int(n) for n in lengths]


def _backward(out, h) -> None:
    h = h if isinstance(h, tuple) else (h,)
    (out.sum() + sum(s.sum() for s in h)).backward()


def _no_grad(fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with torch.no_grad():
            fn()

    return run


def _with_backward(fn: Callable[[], tuple], module: nn.Module) -> Callable[[], None]:
    def run() -> None:
        _backward(*fn())
        module.zero_grad(set_to_none=True)

    return run


def _bench_rnn(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    rows = []
    for T, N, H_in, H, layers in cfg.rnn_shapes:
        rnn = nn.RNN(H_in, H, num_layers=layers, device=device)
        x = torch.randn(T, N, H_in, device=device)
        impl = {
            "naive": lambda rnn=rnn, x=x: reference_forward(rnn, x),
            "hoisted": lambda rnn=rnn, x=x: reference_forward(rnn, x, hoist=True),
            "torch": lambda rnn=rnn, x=x: rnn(x),
        }
        # the same multiply-adds as one matmul per layer: [x_t, h_{t-1}] (T*N, H_l+H) @ (H_l+H, H)
        sizes = [(H_in if layer == 0 else H) + H for layer in range(layers)]
        mats = [
            (torch.randn(T * N, k, device=device), torch.randn(k, H, device=device))
            for k in sizes
        ]
        flops = sum(2 * a.size(0) * a.size(1) * w.size(1) for a, w in mats)
        fwd = measure(
            {
                **{k: _no_grad(f) for k, f in impl.items()},
                "matmul": lambda mats=mats: [a @ w for a, w in mats],
            },
            cfg.repeats,
            sync,
        )
        tick()
        both = measure(
            {k: _with_backward(f, rnn) for k, f in impl.items()}, cfg.repeats, sync
        )
        tick()
        med = medians(fwd)
        rows.append(
            {
                "shape": RNNShape(T, N, H_in, H, layers)._asdict(),
                "forward_flop": flops,
                "forward": {
                    "median_s": med,
                    "ratio_to_torch": {k: ratio(fwd, k, "torch") for k in impl},
                    "fraction_of_matmul": {k: ratio(fwd, "matmul", k) for k in impl},
                    "gflop_per_s": {k: flops / med[k] / 1e9 for k in med},
                },
                "forward_backward": {
                    "median_s": medians(both),
                    "ratio_to_torch": {k: ratio(both, k, "torch") for k in impl},
                },
            }
        )
    return rows


def _hoisted_rnn_loop(rnn: nn.RNN, x: torch.Tensor, index: bool) -> torch.Tensor:
    """One tanh layer, input projection hoisted; step t is `xp[t]` or from `xp.unbind(0)`."""
    xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0)  # (T, N, H)
    steps = (
        None if index else xp.unbind(0)
    )  # T x (N, H), one autograd node for all of them
    h = x.new_zeros(x.size(1), rnn.hidden_size)
    outs = []
    for t in range(x.size(0)):
        x_t = (
            xp[t] if index else steps[t]
        )  # xp[t]: a select node per step, each backward (T, N, H)
        h = torch.tanh(x_t + F.linear(h, rnn.weight_hh_l0, rnn.bias_hh_l0))
        outs.append(h)
    return torch.stack(outs)  # (T, N, H)


def _bench_indexing(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    N, H_in, H = cfg.indexing_size
    rnn = nn.RNN(H_in, H, device=device)
    rows = []
    for T in cfg.indexing_T:
        x = torch.randn(T, N, H_in, device=device)

        def train(fn: Callable[[], torch.Tensor]) -> Callable[[], None]:
            def run() -> None:
                fn().sum().backward()
                rnn.zero_grad(set_to_none=True)

            return run

        times = measure(
            {
                "index": train(lambda x=x: _hoisted_rnn_loop(rnn, x, True)),
                "unbind": train(lambda x=x: _hoisted_rnn_loop(rnn, x, False)),
                "torch": train(lambda x=x: rnn(x)[0]),
            },
            cfg.repeats,
            sync,
        )
        tick()
        rows.append(
            {
                "T": T,
                "N": N,
                "H_in": H_in,
                "H": H,
                "median_s": medians(times),
                "ratio_to_torch": {
                    k: ratio(times, k, "torch") for k in ("index", "unbind")
                },
                "index_over_unbind": ratio(times, "index", "unbind"),
            }
        )
    return rows


def _padded_logits(
    model: SumModClassifier, ids: torch.Tensor, lengths: torch.Tensor
) -> torch.Tensor:
    """The classifier run on the padded batch: the top layer's output at each sequence's last
    real step (equal to the packed h_n[-1] for a unidirectional net, see the claim tests)."""
    out, _ = model.rnn(model.embed(ids))  # (N, L, H): padding is computed, then ignored
    rows = torch.arange(ids.size(0), device=ids.device)
    last = out[rows, lengths.to(ids.device) - 1]  # (N, H)
    return model.head(last)


def _to(batch, device):
    ids, lengths, targets = batch
    return (
        ids.to(device),
        lengths,
        targets.to(device),
    )  # lengths stay on the CPU (pack wants them)


def _training_steps(model, forward, batches) -> Callable[[], None]:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def steps(batches=batches) -> None:
        for ids, n, targets in batches:
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(forward(ids, n), targets).backward()
            opt.step()

    steps(batches[:1])  # warm up on one batch
    return steps


def _bench_training(cfg: BenchConfig, device, sync, tick) -> dict:
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
            # time a random sample of the epoch's batches; padding efficiency is over the epoch
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
                    else (lambda i, n, m=model: _padded_logits(m, i, n))
                )
                variants[name] = _training_steps(model, forward, batches)
                effs[name] = padding_efficiency(
                    [[lengths[i] for i in b] for b in epoch], packed=layout == "packed"
                )
                tokens[name] = sum(lengths[i] for b in sample for i in b)
        times = measure(variants, cfg.training_repeats, sync, warmup=0)
        tick()
        rate = {
            name: [tokens[name] / t for t in ts] for name, ts in times.items()
        }  # per round
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


def _bench_packed(cfg: BenchConfig, device, sync, tick) -> dict:
    N, H_in, H, max_len = cfg.packed_size
    lengths = torch.tensor(mix_lengths("uniform", N, max_len, seed=3))  # (N,) CPU
    x = torch.randn(int(lengths.max()), N, H_in, device=device)  # (T, N, H_in) padded
    result = {
        "N": N,
        "H_in": H_in,
        "H": H,
        "max_len": max_len,
        "mix": "uniform",
        "modes": {},
    }
    for mode, cls in (("RNN", nn.RNN), ("GRU", nn.GRU), ("LSTM", nn.LSTM)):
        rnn = cls(H_in, H, device=device)

        def packed(forward, rnn=rnn) -> Callable[[], None]:
            def run() -> None:
                p = pack_padded_sequence(x, lengths, enforce_sorted=False)  # unpad
                out, h = forward(p)
                _backward(pad_packed_sequence(out)[0], h)  # pad again
                rnn.zero_grad(set_to_none=True)

            return run

        times = measure(
            {
                "padded": _with_backward(lambda rnn=rnn: rnn(x), rnn),
                "torch_packed": packed(rnn),
                "ours_packed": packed(
                    lambda p, rnn=rnn: reference_forward(rnn, p, hoist=True)
                ),
            },
            cfg.repeats,
            sync,
        )
        tick()
        result["modes"][mode] = {
            "median_s": medians(times),
            "ours_over_torch_packed": ratio(times, "ours_packed", "torch_packed"),
            "ours_over_padded": ratio(times, "ours_packed", "padded"),
            "torch_packed_over_padded": ratio(times, "torch_packed", "padded"),
        }
    return result


def _bench_scan(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    rows = []
    for T in cfg.scan_T:
        a = torch.rand(T, cfg.scan_features, device=device) * 0.9  # (T, D)
        b = torch.randn(T, cfg.scan_features, device=device)
        variants = {"scan": lambda a=a, b=b: linear_recurrence_scan(a, b)}
        if T <= cfg.scan_loop_max_T:
            variants["loop"] = lambda a=a, b=b: linear_recurrence_loop(a, b)
        with torch.no_grad():
            times = measure(
                variants, cfg.repeats if T <= 4096 else min(3, cfg.repeats), sync
            )
        tick()
        row = {"T": T, "D": cfg.scan_features, "median_s": medians(times)}
        if "loop" in times:
            row["loop_over_scan"] = ratio(times, "loop", "scan")
        rows.append(row)
    return rows


_RUNNERS = {
    "rnn": _bench_rnn,
    "indexing": _bench_indexing,
    "training": _bench_training,
    "packed": _bench_packed,
    "scan": _bench_scan,
}
_TICKS = {
    "rnn": lambda c: 2 * len(c.rnn_shapes),
    "indexing": lambda c: len(c.indexing_T),
    "training": lambda c: 2,
    "packed": lambda c: 3,
    "scan": lambda c: len(c.scan_T),
}


def run_bench(
    device: str = "auto",
    config: BenchConfig | None = None,
    only: list[str] | None = None,
    threads: int = THREADS,
) -> dict:
    """Run the parts (all by default) and return the results as a JSON-ready dict.

    Args:
        device: "auto", "cpu" or "cuda".
        config: sizes and repeats; default `BenchConfig()`, the full run.
        only: the parts to run, from `PARTS`.
        threads: torch's intra-op CPU threads while measuring.
    """
    dev = resolve_device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    cfg, parts = config or BenchConfig(), only or list(PARTS)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(threads)
    results = {
        "machine": machine_info(dev),
        "quick": cfg == BenchConfig.quick(),
        "config": asdict(cfg),
    }
    start = time.perf_counter()
    try:
        total = sum(_TICKS[p](cfg) for p in parts)
        with tqdm(total=total, desc="bench", file=sys.stderr) as bar:
            for part in parts:
                bar.set_postfix_str(part)
                torch.manual_seed(0)
                results[part] = _RUNNERS[part](cfg, dev, sync, lambda: bar.update(1))
    finally:
        torch.set_num_threads(
            threads_before
        )  # in-process callers (tests) get their setting back
    results["elapsed_s"] = round(time.perf_counter() - start, 1)
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return results
