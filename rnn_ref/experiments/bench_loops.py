"""The parts of `rnn-ref bench` that time loops against torch.

`bench_rnn`, `bench_indexing`, `bench_packed` and `bench_scan` are the parts `rnn`,
`indexing`, `packed` and `scan` that `rnn_ref.experiments.bench` describes. Each takes
the `BenchConfig`, the device, a `sync` to call after each timed call and a `tick` to
call after each measurement, and returns JSON-ready results.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.experiments.bench_config import BenchConfig, RNNShape
from rnn_ref.experiments.bench_training import mix_lengths
from rnn_ref.experiments.timing import measure, medians, ratio
from rnn_ref.loops import reference_forward
from rnn_ref.scan import linear_recurrence_loop, linear_recurrence_scan

__all__ = ["RNNShape", "bench_rnn", "bench_indexing", "bench_packed", "bench_scan"]


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


def bench_rnn(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    rows = []
    for T, N, H_in, H, layers in cfg.rnn_shapes:
        rnn = nn.RNN(H_in, H, num_layers=layers, device=device)
        x = torch.randn(T, N, H_in, device=device)
        impl = {
            "naive": lambda rnn=rnn, x=x: reference_forward(rnn, x),
            "hoisted": lambda rnn=rnn, x=x: reference_forward(rnn, x, hoist=True),
            "torch": lambda rnn=rnn, x=x: rnn(x),
        }
        # the same multiply-adds as one matmul per layer:
        # [x_t, h_{t-1}] (T*N, H_l+H) @ (H_l+H, H)
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
    """One tanh layer, input projection hoisted; step t is `xp[t]` or from `unbind`."""
    xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0)  # (T, N, H)
    # T x (N, H), one autograd node for all of them
    steps = None if index else xp.unbind(0)
    h = x.new_zeros(x.size(1), rnn.hidden_size)
    outs = []
    for t in range(x.size(0)):
        # xp[t]: a select node per step, each backward (T, N, H)
        x_t = xp[t] if index else steps[t]
        h = torch.tanh(x_t + F.linear(h, rnn.weight_hh_l0, rnn.bias_hh_l0))
        outs.append(h)
    return torch.stack(outs)  # (T, N, H)


def bench_indexing(cfg: BenchConfig, device, sync, tick) -> list[dict]:
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


def bench_packed(cfg: BenchConfig, device, sync, tick) -> dict:
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
                # the loss reads the packed data (the padded output's sum is the same):
                # pad_packed_sequence's backward would cost more than the recurrence
                _backward(out.data, h)
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


def bench_scan(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    rows = []
    for T in cfg.scan_T:
        a = torch.rand(T, cfg.scan_features, device=device) * 0.9  # (T, D)
        b = torch.randn(T, cfg.scan_features, device=device)
        variants = {"scan": lambda a=a, b=b: linear_recurrence_scan(a, b)}
        if cfg.scan_loop_max_T >= T:
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
