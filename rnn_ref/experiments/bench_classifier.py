"""The `classifier_compile` part of `rnn-ref bench`: the classifier under torch.compile.

Two things are recorded. First, what dynamo makes of the classifier's forward
(`torch._dynamo.explain`): the packed forward, the padded one (`padded_logits`), and the
padded one with dynamo's `allow_rnn` (without it dynamo runs any frame that calls an
`nn.RNN`/`GRU`/`LSTM` eagerly). Second, training steps (Adam, forward+backward) in
tokens/s on the bucketed uniform mix of the `training` part, every variant in the same
rounds:

* `eager_packed`: the classifier as it trains (the baseline);
* `compiled_packed`: `torch.compile(model)`, as a reader would first try it;
* `eager_padded`: `padded_logits`, each batch padded to its own longest sequence;
* `compiled_padded`: `torch.compile(padded_logits)` with `allow_rnn`, every batch padded
  to the mix's longest length: the time loop is unrolled into the graph, so each new
  length would compile a new graph (minutes each); one fixed length compiles one.

Compile time is the first pass over the timed batches, timed apart from the steady
state; the graphs dynamo compiled are counted.
"""

from __future__ import annotations

import copy
import statistics
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch._dynamo.utils import counters

from rnn_ref.data import BucketBatchSampler, collate
from rnn_ref.experiments.bench_compile import _first_call
from rnn_ref.experiments.bench_training import (
    _to,
    _training_steps,
    mix_lengths,
    padding_efficiency,
)
from rnn_ref.experiments.timing import measure, ratio
from rnn_ref.model import SumModClassifier, padded_logits

if TYPE_CHECKING:
    from rnn_ref.experiments.bench_config import BenchConfig

__all__ = ["explain_classifier", "bench_classifier_compile"]

VARIANTS = ("eager_packed", "compiled_packed", "eager_padded", "compiled_padded")


def explain_classifier(model: SumModClassifier, ids, lengths) -> dict:
    """`torch._dynamo.explain` of the packed forward, the padded one, and the padded one
    with `allow_rnn`.

    Returns:
        `{name: {"graph_ops": [ops in each graph], "break_reasons": [first line of
        each]}}`: the graph count is `len(graph_ops)`, the break count
        `len(break_reasons)` (lists, so that no count is a bare zero).
    """
    forwards = {
        "packed": (model, False),
        "padded": (lambda i, n: padded_logits(model, i, n), False),
        "padded_allow_rnn": (lambda i, n: padded_logits(model, i, n), True),
    }
    out = {}
    for name, (forward, allow_rnn) in forwards.items():
        torch._dynamo.reset()
        with torch._dynamo.config.patch(allow_rnn=allow_rnn):
            e = torch._dynamo.explain(forward)(ids, lengths)
        out[name] = {
            "graph_ops": [len(ops) for ops in e.ops_per_graph],
            "break_reasons": [str(r.reason).splitlines()[0] for r in e.break_reasons],
        }
    torch._dynamo.reset()
    return out


def _compiled_padded(model: SumModClassifier, max_len: int):
    compiled = torch.compile(lambda i, n: padded_logits(model, i, n))

    def forward(ids, lengths):
        ids = F.pad(ids, (0, max_len - ids.size(1)), value=model.pad_id)  # (N, max_len)
        with torch._dynamo.config.patch(allow_rnn=True):
            return compiled(ids, lengths)

    return forward


def bench_classifier_compile(cfg: BenchConfig, device, sync, tick) -> dict:
    if cfg.classifier_compile is None:  # the quick run: compiling takes minutes
        return {}
    N, epoch_batches, timed_batches, max_len, H = cfg.classifier_compile
    g = torch.Generator().manual_seed(0)
    init = SumModClassifier(num_digits=10, num_classes=10, cell="gru", hidden_size=H)
    ids, lengths, _ = collate([[3, 1, 4], [1, 5], [9, 2, 6, 5]], pad_id=10)
    result = {
        "model": {"cell": "gru", "hidden_size": H, "embed_dim": H, "num_layers": 1},
        "batch_size": N,
        "timed_batches": timed_batches,
        "max_len": max_len,
        "explain": explain_classifier(copy.deepcopy(init), ids, lengths),
    }
    lengths = mix_lengths("uniform", N * epoch_batches, max_len, seed=1)
    seqs = [torch.randint(0, 10, (n,), generator=g).tolist() for n in lengths]
    epoch = list(BucketBatchSampler(lengths, N, seed=0, pool_batches=epoch_batches))
    picked = torch.randperm(len(epoch), generator=g)[:timed_batches].tolist()
    sample = [epoch[i] for i in picked]
    batches = [
        _to(collate([seqs[i] for i in idx], pad_id=10, modulus=10), device)
        for idx in sample
    ]
    tokens = sum(lengths[i] for b in sample for i in b)
    real = [[lengths[i] for i in b] for b in sample]
    effs = {
        "eager_packed": 1.0,
        "compiled_packed": 1.0,
        "eager_padded": padding_efficiency(real),
        "compiled_padded": tokens / (len(real) * N * max_len),
    }
    variants, compile_info = {}, {}
    torch._dynamo.reset()  # once: a reset would make the earlier variants recompile
    for name in VARIANTS:
        graphs_before = counters["stats"]["unique_graphs"]
        model = copy.deepcopy(init).to(device)
        forward = {
            "eager_packed": lambda m=model: m,
            "compiled_packed": lambda m=model: torch.compile(m),
            "eager_padded": lambda m=model: lambda i, n: padded_logits(m, i, n),
            "compiled_padded": lambda m=model: _compiled_padded(m, max_len),
        }[name]()
        made = []

        def first_pass(model=model, forward=forward, made=made) -> None:
            made.append(_training_steps(model, forward, batches))  # one batch
            made[0]()  # then all: every new shape compiles

        seconds, _ = _first_call(first_pass)  # into a fresh inductor cache
        steps = made[0]
        if name.startswith("compiled"):
            compile_info[name] = {
                "first_pass_s": seconds,
                "graphs_compiled": counters["stats"]["unique_graphs"] - graphs_before,
            }
        variants[name] = steps
    tick()
    # one untimed round: the first call after other variants compiled is slow
    times = measure(variants, cfg.training_repeats, sync, warmup=1)
    tick()
    rate = {name: [tokens / t for t in ts] for name, ts in times.items()}
    result["training"] = {
        name: {
            "tokens_per_s": statistics.median(rate[name]),
            "median_s": statistics.median(times[name]),
            "padding_efficiency": effs[name],
            "speedup_vs_eager_packed": ratio(rate, name, "eager_packed"),
            **compile_info.get(name, {}),
        }
        for name in VARIANTS
    }
    for layout in ("packed", "padded"):
        compiled = result["training"][f"compiled_{layout}"]
        compiled["speedup_vs_eager"] = ratio(
            rate, f"compiled_{layout}", f"eager_{layout}"
        )
        # how many steady-state passes the compile time would buy
        compiled["first_pass_over_steady"] = (
            compiled["first_pass_s"] / compiled["median_s"]
        )
    torch._dynamo.reset()
    return result
