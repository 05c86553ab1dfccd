"""The `compile` part of `rnn-ref bench`: the hoisted reference under torch.compile.

Two ways to compile the same loop, each against `nn.RNN` and the eager hoisted
reference, forward+backward, in the same rounds:

* `whole`: `torch.compile` of `reference_forward(rnn, x, hoist=True)`, with dynamo's
  `allow_rnn` (without it dynamo runs any frame holding an `nn.RNN` eagerly). Dynamo
  unrolls the Python loops into one graph of all layers and T steps, forward and
  backward, so compile time grows with T; run only where T <= `compile_whole_max_T`.
* `step`: the loop stays in Python (`run_layer`), only its step
  `tanh(xp_t + h W_hh^T)` is compiled: one small graph, called T times per layer.

Compile time is the first forward+backward, timed alone into a fresh inductor cache (a
warm cache would hide the C++ compiler); the steady state is measured afterwards. What
inductor generated is summarised from its code (`run_and_get_code`): the fused C++
kernels (`cpp_fused_*`) and the calls it left to library kernels (`extern_kernels.*`).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections import Counter
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnn_ref.experiments.timing import measure, medians, ratio
from rnn_ref.loops import reference_forward, run_layer

if TYPE_CHECKING:
    from rnn_ref.experiments.bench_config import BenchConfig

__all__ = ["bench_compile", "summarise_code"]


def _rnn_step(xp_t: Tensor, h: Tensor, w_hh_t: Tensor) -> Tensor:
    # h' = tanh(xp_t + h W_hh^T), xp_t = x_t W_ih^T + b_ih + b_hh hoisted
    return torch.tanh(torch.addmm(xp_t, h, w_hh_t))


def _step_loop(rnn: nn.RNN, x: Tensor, step) -> tuple[Tensor, Tensor]:
    """The hoisted reference of a one-direction tanh `nn.RNN`, with `step` per step."""
    h_n = []
    for layer in range(rnn.num_layers):
        w_ih, w_hh, b_ih, b_hh = (
            getattr(rnn, f"{name}_l{layer}")
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )
        xp = F.linear(x, w_ih, b_ih + b_hh)  # (T, N, H)
        h0 = x.new_zeros(x.size(1), rnn.hidden_size)  # (N, H)
        w_hh_t = w_hh.t()  # (H, H)
        x, (h,) = run_layer(lambda xp_t, s, w=w_hh_t: (step(xp_t, s[0], w),), xp, (h0,))
        h_n.append(h)
    return x, torch.stack(h_n)  # (T, N, H), (layers, N, H)


def _allow_rnn(compiled, x: Tensor):
    # dynamo refuses a frame that holds an nn.RNN (even one that only reads its
    # weights) and runs it eagerly, compiling only the frames below it (run_layer);
    # allow_rnn lets it trace reference_forward whole
    with torch._dynamo.config.patch(allow_rnn=True):
        return compiled(x)


def summarise_code(codes: list[str]) -> dict:
    """Count inductor's fused kernels and library calls in its generated modules.

    Args:
        codes: the Python modules inductor wrote (from `run_and_get_code`): the forward
            graph first, then the backward.

    Returns:
        `{"graphs": [{"pass": "forward", "fused": {name: count}, "extern":
        {call: count}}, ...]}`, one entry per module in compile order (a backward
        graph is the one that takes gradients, `tangents_*`), kernel names without
        their trailing index.
    """
    graphs = []
    for code in codes:
        fused = re.findall(r"^(cpp_fused_\w+?)(?:_\d+)? = async_compile", code, re.M)
        extern = re.findall(r"extern_kernels\.(\w+)\(", code)
        graphs.append(
            {
                "pass": "backward" if "tangents_" in code else "forward",
                "fused": dict(Counter(fused)),
                "extern": dict(Counter(extern)),
            }
        )
    return {"graphs": graphs}


def _first_call(fn) -> tuple[float, list[str]]:
    """Run fn once (it compiles) into a fresh inductor cache: seconds and the code."""
    from torch._inductor.utils import run_and_get_code

    before = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        try:
            start = time.perf_counter()
            _, codes = run_and_get_code(fn)
            seconds = time.perf_counter() - start
        finally:
            if before is None:
                del os.environ["TORCHINDUCTOR_CACHE_DIR"]
            else:
                os.environ["TORCHINDUCTOR_CACHE_DIR"] = before
    return seconds, codes


def bench_compile(cfg: BenchConfig, device, sync, tick) -> list[dict]:
    rows = []
    for T, N, H_in, H, layers in cfg.compile_shapes:
        torch._dynamo.reset()
        rnn = nn.RNN(H_in, H, num_layers=layers, device=device)
        x = torch.randn(T, N, H_in, device=device)

        def train(forward, rnn=rnn):
            def run() -> None:
                out, h_n = forward()
                (out.sum() + h_n.sum()).backward()
                rnn.zero_grad(set_to_none=True)

            return run

        step = torch.compile(_rnn_step)
        variants = {
            "torch": train(lambda rnn=rnn, x=x: rnn(x)),
            "eager": train(lambda rnn=rnn, x=x: reference_forward(rnn, x, hoist=True)),
            "step": train(lambda rnn=rnn, x=x, step=step: _step_loop(rnn, x, step)),
        }
        if cfg.compile_whole_max_T >= T:
            whole = torch.compile(
                lambda x, rnn=rnn: reference_forward(rnn, x, hoist=True)
            )
            variants["whole"] = train(lambda x=x, whole=whole: _allow_rnn(whole, x))
        row = {"shape": dict(T=T, N=N, H_in=H_in, H=H, layers=layers), "compile": {}}
        for name in ("step", "whole"):
            if name in variants:
                seconds, codes = _first_call(variants[name])
                summary = summarise_code(codes)
                row["compile"][name] = {"first_call_s": seconds, **summary}
        times = measure(variants, cfg.repeats, sync)
        tick()
        med = medians(times)
        row["median_s"] = med
        row["ratio_to_torch"] = {k: ratio(times, k, "torch") for k in variants}
        for name, c in row["compile"].items():
            # how many steady-state forward+backward passes the compile time would buy
            c["first_call_over_steady"] = c["first_call_s"] / med[name]
        rows.append(row)
    torch._dynamo.reset()
    return rows
