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
from dataclasses import asdict, dataclass

import torch
from tqdm import tqdm

from rnn_ref.config import resolve_device
from rnn_ref.experiments.bench_classifier import bench_classifier_compile
from rnn_ref.experiments.bench_compile import bench_compile
from rnn_ref.experiments.bench_loops import (
    RNNShape,
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


@dataclass(frozen=True)
class BenchConfig:
    """Sizes and repeats of every part; `BenchConfig.quick()` runs in seconds."""

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
    # N, H_in, H, longest sequence
    packed_size: tuple[int, int, int, int] = (64, 64, 256, 256)
    scan_T: tuple[int, ...] = (16, 64, 256, 1024, 4096, 16384, 65536)
    scan_features: int = 64
    scan_loop_max_T: int = 65536
    # the `rnn` shapes again, under torch.compile; the whole loop only up to this T
    compile_shapes: tuple[RNNShape, ...] = rnn_shapes
    compile_whole_max_T: int = 64
    # the classifier compiled: batch size, batches per epoch, batches timed, longest
    # sequence, hidden size (the uniform mix, bucketed); None skips it
    classifier_compile: tuple[int, int, int, int, int] | None = (64, 32, 8, 32, 64)

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
            compile_shapes=(),
            classifier_compile=None,
        )


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
