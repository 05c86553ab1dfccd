"""The benchmarks: side-by-side measurements of the reference loops, packing, the scan.

Every figure is a ratio of variants timed in the same run
(`rnn_ref.experiments.timing`). The parts (`rnn-ref bench --only PART`), written in
`bench_loops` and `bench_training`:

* `rnn`: naive reference loop, hoisted reference loop, `nn.RNN`; forward and
  forward+backward; FLOP/s as a fraction of one plain matmul doing the same
  multiply-adds.
* `indexing`: a hoisted loop reading `xp[t]` vs `xp.unbind(0)`, forward+backward over T.
* `training`: GRU classifier steps in tokens/s, random vs length-bucketed batches,
  padded vs packed.
* `packed`: `run_layer_packed` (via `reference_forward(hoist=True)`) vs torch's packed
  path vs padding.
* `scan`: `linear_recurrence_loop` vs `linear_recurrence_scan` over T = 16 .. 65,536.
* `compile`: the hoisted reference loop under `torch.compile`, whole loop and step
  only, vs eager and `nn.RNN`; compile time apart (`bench_compile`; minutes: the quick
  run skips it).
* `classifier_compile`: the classifier under `torch.compile`, packed and padded: graph
  breaks, training tokens/s vs eager, compile time apart (`bench_classifier`; minutes:
  the quick run skips it).

Sizes follow the site's legend: T sequence length, N batch, H_in input size, H hidden
size. This module holds the sizes (`BenchConfig`) and `run_bench`, which runs the parts
and returns JSON-ready results; `rnn_ref.site.bench_report` renders them.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict

import torch
from tqdm import tqdm

from rnn_ref.config import resolve_device
from rnn_ref.experiments.bench_classifier import bench_classifier_compile
from rnn_ref.experiments.bench_compile import bench_compile
from rnn_ref.experiments.bench_config import BenchConfig, RNNShape
from rnn_ref.experiments.bench_loops import (
    bench_indexing,
    bench_packed,
    bench_rnn,
    bench_scan,
)
from rnn_ref.experiments.bench_training import (
    bench_training,
    mix_lengths,
    padding_efficiency,
)
from rnn_ref.experiments.timing import machine_info

__all__ = [
    "PARTS",
    "THREADS",
    "RNNShape",
    "BenchConfig",
    "padding_efficiency",
    "mix_lengths",
    "run_bench",
]

PARTS = (
    "rnn",
    "indexing",
    "training",
    "packed",
    "scan",
    "compile",
    "classifier_compile",
)
THREADS = 2


_RUNNERS = {
    "rnn": bench_rnn,
    "indexing": bench_indexing,
    "training": bench_training,
    "packed": bench_packed,
    "scan": bench_scan,
    "compile": bench_compile,
    "classifier_compile": bench_classifier_compile,
}
_TICKS = {
    "rnn": lambda c: 2 * len(c.rnn_shapes),
    "indexing": lambda c: len(c.indexing_T),
    "training": lambda c: 2,
    "packed": lambda c: 3,
    "scan": lambda c: len(c.scan_T),
    "compile": lambda c: len(c.compile_shapes),
    "classifier_compile": lambda c: 2 if c.classifier_compile else 0,
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
        # in-process callers (tests) get their setting back
        torch.set_num_threads(threads_before)
    results["elapsed_s"] = round(time.perf_counter() - start, 1)
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return results
