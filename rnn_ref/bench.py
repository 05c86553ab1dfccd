"""`rnn-ref bench`: side-by-side measurements, written to JSON and rendered into the site.

Every figure is a ratio of variants timed in the same run: each round runs every variant
once, in a rotated order, and a ratio is the median over rounds of the per-round ratio
(absolute medians are kept as context only). Parts (`--only PART`):

* `rnn`: naive reference loop, hoisted reference loop, `nn.RNN`; forward and forward+backward;
  FLOP/s as a fraction of one plain matmul doing the same multiply-adds.
* `indexing`: a hoisted loop reading `xp[t]` vs `xp.unbind(0)`, forward+backward over T.
* `training`: GRU classifier steps in tokens/s, random vs length-bucketed batches, padded vs packed.
* `packed`: `run_layer_packed` (via `reference_forward(hoist=True)`) vs torch's packed path vs padding.
* `scan`: `linear_recurrence_loop` vs `linear_recurrence_scan` over T = 16 .. 65,536.

On CPU it runs with `torch.set_num_threads(2)` (`--threads` to change it: on a machine shared
with other work, two threads that must meet at every op's barrier stall whenever one of them is
descheduled, so one thread measures more steadily there). Tables and figures are rendered by
`rnn_ref.bench_plots` from the JSON (`--redraw` re-renders them without measuring).
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from tqdm import tqdm

from .data import BucketBatchSampler, collate
from .loops import reference_forward
from .model import SumModClassifier
from .scan import linear_recurrence_loop, linear_recurrence_scan

__all__ = ["PARTS", "DEFAULT_OUT", "padding_efficiency", "measure", "run_bench", "register"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "assets" / "results" / "bench.json"
PARTS = ("rnn", "indexing", "training", "packed", "scan")
THREADS = 2
# (T, B, I, H, L): length, batch, input size, hidden size, layers
RNN_SHAPES = [(50, 64, 32, 64, 2), (256, 64, 128, 256, 2), (1000, 8, 16, 32, 1)]


def padding_efficiency(batch_lengths: list[list[int]], packed: bool = False) -> float:
    """Real tokens / computed tokens: a padded batch computes N * max(lengths) steps.

    A packed batch computes exactly its real steps, so its efficiency is 1.

    Example:
        >>> padding_efficiency([[4, 2], [1]])  # (4 + 2 + 1) / (2*4 + 1*1)
        0.7777777777777778
    """
    real = sum(sum(b) for b in batch_lengths)
    computed = real if packed else sum(len(b) * max(b) for b in batch_lengths)
    return real / computed


def measure(variants: dict[str, Callable[[], object]], repeats: int, sync: Callable[[], None],
            warmup: int = 1) -> dict[str, list[float]]:
    """Time every variant `repeats` times, interleaved: round r runs all of them, rotated by r."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            sync()
            start = time.perf_counter()
            variants[name]()
            sync()
            times[name].append(time.perf_counter() - start)
    return times


def _ratio(times: dict[str, list[float]], num: str, den: str) -> float:
    """Median over rounds of time(num) / time(den), each pair timed in the same round."""
    return statistics.median(a / b for a, b in zip(times[num], times[den]))


def _medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(t) for name, t in times.items()}


def _backward(out, h) -> None:
    h = h if isinstance(h, tuple) else (h,)
    (out.sum() + sum(s.sum() for s in h)).backward()


def _bench_rnn(cfg: dict, device, sync, tick) -> list[dict]:
    rows = []
    for T, B, I, H, L in cfg["rnn_shapes"]:
        rnn = nn.RNN(I, H, num_layers=L, device=device)
        x = torch.randn(T, B, I, device=device)
        impl = {"naive": lambda: reference_forward(rnn, x), "hoisted": lambda: reference_forward(rnn, x, hoist=True),
                "torch": lambda: rnn(x)}
        # the same multiply-adds as one matmul per layer: [x_t, h_{t-1}] (T*B, I_l+H) @ (I_l+H, H)
        mats = [(torch.randn(T * B, (I if l == 0 else H) + H, device=device),
                 torch.randn((I if l == 0 else H) + H, H, device=device)) for l in range(L)]
        flops = sum(2 * a.size(0) * a.size(1) * w.size(1) for a, w in mats)

        def forward(fn):
            def run():
                with torch.no_grad():
                    fn()
            return run

        def train(fn):
            def run():
                _backward(*fn())
                rnn.zero_grad(set_to_none=True)
            return run

        fwd = measure({**{k: forward(f) for k, f in impl.items()},
                       "matmul": lambda: [a @ w for a, w in mats]}, cfg["repeats"], sync)
        tick()
        both = measure({k: train(f) for k, f in impl.items()}, cfg["repeats"], sync)
        tick()
        med = _medians(fwd)
        rows.append({
            "shape": {"T": T, "B": B, "I": I, "H": H, "L": L}, "forward_flop": flops,
            "forward": {"median_s": med, "ratio_to_torch": {k: _ratio(fwd, k, "torch") for k in impl},
                        "fraction_of_matmul": {k: _ratio(fwd, "matmul", k) for k in impl},
                        "gflop_per_s": {k: flops / med[k] / 1e9 for k in med}},
            "forward_backward": {"median_s": _medians(both),
                                 "ratio_to_torch": {k: _ratio(both, k, "torch") for k in impl}},
        })
    return rows


def _hoisted_rnn_loop(rnn: nn.RNN, x: torch.Tensor, index: bool) -> torch.Tensor:
    """One tanh layer, input projection hoisted; reads step t as `xp[t]` or from `xp.unbind(0)`."""
    xp = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0)  # (T, B, H)
    steps = None if index else xp.unbind(0)  # T x (B, H), one autograd node for all of them
    h = x.new_zeros(x.size(1), rnn.hidden_size)
    outs = []
    for t in range(x.size(0)):
        x_t = xp[t] if index else steps[t]  # xp[t]: one select node per step, each backward (T, B, H)
        h = torch.tanh(x_t + F.linear(h, rnn.weight_hh_l0, rnn.bias_hh_l0))
        outs.append(h)
    return torch.stack(outs)  # (T, B, H)


def _bench_indexing(cfg: dict, device, sync, tick) -> list[dict]:
    B, I, H = cfg["indexing_size"]
    rnn = nn.RNN(I, H, device=device)
    rows = []
    for T in cfg["indexing_T"]:
        x = torch.randn(T, B, I, device=device)

        def train(fn):
            def run():
                fn().sum().backward()
                rnn.zero_grad(set_to_none=True)
            return run

        times = measure({"index": train(lambda: _hoisted_rnn_loop(rnn, x, True)),
                         "unbind": train(lambda: _hoisted_rnn_loop(rnn, x, False)),
                         "torch": train(lambda: rnn(x)[0])}, cfg["repeats"], sync)
        tick()
        rows.append({"T": T, "B": B, "I": I, "H": H, "median_s": _medians(times),
                     "ratio_to_torch": {k: _ratio(times, k, "torch") for k in ("index", "unbind")},
                     "index_over_unbind": _ratio(times, "index", "unbind")})
    return rows


def mix_lengths(mix: str, count: int, max_len: int, seed: int = 0) -> list[int]:
    """Sequence lengths: "uniform" on 1..max_len, or "heavy_tail": Pareto(alpha=0.8, x_min=4), capped."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(count, generator=g)
    if mix == "uniform":
        lengths = (u * max_len).floor() + 1
    elif mix == "heavy_tail":
        lengths = (4 * u.clamp_min(1e-12) ** (-1 / 0.8)).floor().clamp(1, max_len)
    else:
        raise ValueError(f"mix must be 'uniform' or 'heavy_tail'; got {mix!r}")
    return [int(n) for n in lengths]


def _padded_logits(model: SumModClassifier, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The classifier run on the padded batch: the top layer's output at each sequence's last
    real step (equal to the packed h_n[-1] for a unidirectional net, see the claim tests)."""
    out, _ = model.rnn(model.embed(ids))  # (N, L, H): padding is computed, then ignored
    last = out[torch.arange(ids.size(0), device=ids.device), lengths.to(ids.device) - 1]  # (N, H)
    return model.head(last)


def _bench_training(cfg: dict, device, sync, tick) -> dict:
    B, epoch_batches, timed_batches, max_len, H = cfg["training"]
    g = torch.Generator().manual_seed(0)
    result = {"model": {"cell": "gru", "hidden_size": H, "embed_dim": H, "num_layers": 1},
              "batch_size": B, "epoch_batches": epoch_batches, "timed_batches": timed_batches,
              "max_len": max_len, "mixes": {}}
    init = SumModClassifier(num_digits=10, num_classes=10, cell="gru", hidden_size=H)
    for mix in ("uniform", "heavy_tail"):
        lengths = mix_lengths(mix, B * epoch_batches, max_len, seed=1 if mix == "uniform" else 2)
        seqs = [torch.randint(0, 10, (n,), generator=g).tolist() for n in lengths]
        order = torch.randperm(len(seqs), generator=g).tolist()
        plans = {"random": [order[i:i + B] for i in range(0, len(order), B)],
                 "bucketed": list(BucketBatchSampler(lengths, B, seed=0, pool_batches=epoch_batches))}
        variants, effs, tokens = {}, {}, {}
        for plan, epoch in plans.items():
            # time a random sample of the epoch's batches; padding efficiency is over the whole epoch
            sample = [epoch[i] for i in torch.randperm(len(epoch), generator=g)[:timed_batches].tolist()]
            batches = [_to(collate([seqs[i] for i in idx], pad_id=10, modulus=10), device) for idx in sample]
            for layout in ("padded", "packed"):
                name = f"{plan}_{layout}"
                model = copy.deepcopy(init).to(device)
                opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                forward = model if layout == "packed" else (lambda i, n, m=model: _padded_logits(m, i, n))

                def steps(batches=batches, forward=forward, opt=opt):
                    for ids, n, targets in batches:
                        opt.zero_grad(set_to_none=True)
                        F.cross_entropy(forward(ids, n), targets).backward()
                        opt.step()
                steps(batches[:1])  # warm up on one batch
                variants[name] = steps
                effs[name] = padding_efficiency([[lengths[i] for i in b] for b in epoch], packed=layout == "packed")
                tokens[name] = sum(lengths[i] for b in sample for i in b)
        times = measure(variants, cfg["training_repeats"], sync, warmup=0)
        tick()
        rate = {name: [tokens[name] / t for t in ts] for name, ts in times.items()}  # tokens/s per round
        result["mixes"][mix] = {
            "epoch_tokens": sum(lengths), "mean_length": sum(lengths) / len(lengths),
            "variants": {name: {"tokens_per_s": statistics.median(rate[name]), "timed_tokens": tokens[name],
                                "median_s": statistics.median(times[name]), "padding_efficiency": effs[name],
                                "speedup_vs_random_padded": _ratio(rate, name, "random_padded")}
                         for name in variants}}
    return result


def _to(batch, device):
    ids, lengths, targets = batch
    return ids.to(device), lengths, targets.to(device)  # lengths stay on the CPU (pack wants them there)


def _bench_packed(cfg: dict, device, sync, tick) -> dict:
    B, I, H, max_len = cfg["packed_size"]
    lengths = torch.tensor(mix_lengths("uniform", B, max_len, seed=3))  # (B,) CPU
    x = torch.randn(int(lengths.max()), B, I, device=device)  # (T, B, I) padded
    result = {"B": B, "I": I, "H": H, "max_len": max_len, "mix": "uniform", "modes": {}}
    for mode, cls in (("RNN", nn.RNN), ("GRU", nn.GRU), ("LSTM", nn.LSTM)):
        rnn = cls(I, H, device=device)

        def packed(forward):
            def run():
                p = pack_padded_sequence(x, lengths, enforce_sorted=False)  # unpad
                out, h = forward(p)
                _backward(pad_packed_sequence(out)[0], h)  # pad again
                rnn.zero_grad(set_to_none=True)
            return run

        def padded():
            _backward(*rnn(x))
            rnn.zero_grad(set_to_none=True)

        times = measure({"padded": padded, "torch_packed": packed(rnn),
                         "ours_packed": packed(lambda p: reference_forward(rnn, p, hoist=True))},
                        cfg["repeats"], sync)
        tick()
        result["modes"][mode] = {
            "median_s": _medians(times),
            "ours_over_torch_packed": _ratio(times, "ours_packed", "torch_packed"),
            "ours_over_padded": _ratio(times, "ours_packed", "padded"),
            "torch_packed_over_padded": _ratio(times, "torch_packed", "padded")}
    return result


def _bench_scan(cfg: dict, device, sync, tick) -> list[dict]:
    rows = []
    for T in cfg["scan_T"]:
        a = torch.rand(T, cfg["scan_features"], device=device) * 0.9  # (T, D)
        b = torch.randn(T, cfg["scan_features"], device=device)
        variants = {"scan": lambda: linear_recurrence_scan(a, b)}
        if T <= cfg["scan_loop_max_T"]:
            variants["loop"] = lambda: linear_recurrence_loop(a, b)
        with torch.no_grad():
            times = measure(variants, cfg["repeats"] if T <= 4096 else min(3, cfg["repeats"]), sync)
        tick()
        row = {"T": T, "D": cfg["scan_features"], "median_s": _medians(times)}
        if "loop" in times:
            row["loop_over_scan"] = _ratio(times, "loop", "scan")
        rows.append(row)
    return rows


def bench_config(quick: bool) -> dict:
    """Sizes and repeats; `quick` keeps every part but shrinks it to run in well under a minute."""
    if quick:
        return {"repeats": 2, "training_repeats": 1,
                "rnn_shapes": [(50, 64, 32, 64, 2), (64, 64, 128, 256, 2), (200, 8, 16, 32, 1)],
                "indexing_size": (16, 16, 64), "indexing_T": [32, 128],
                "training": (32, 8, 3, 64, 32), "packed_size": (32, 32, 64, 64),
                "scan_T": [16, 256, 4096, 65536], "scan_features": 64, "scan_loop_max_T": 4096}
    return {"repeats": 7, "training_repeats": 3, "rnn_shapes": RNN_SHAPES,
            "indexing_size": (8, 16, 64), "indexing_T": [64, 128, 256, 512, 1024],
            "training": (64, 96, 16, 256, 64), "packed_size": (64, 64, 256, 256),
            "scan_T": [16, 64, 256, 1024, 4096, 16384, 65536], "scan_features": 64,
            "scan_loop_max_T": 65536}


def machine_info(device: torch.device) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(), "device": device.type,
            "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average_at_start": round(os.getloadavg()[0], 2)}


_RUNNERS = {"rnn": _bench_rnn, "indexing": _bench_indexing, "training": _bench_training,
            "packed": _bench_packed, "scan": _bench_scan}
_STEPS = {"rnn": lambda c: 2 * len(c["rnn_shapes"]), "indexing": lambda c: len(c["indexing_T"]),
          "training": lambda c: 2, "packed": lambda c: 3, "scan": lambda c: len(c["scan_T"])}


def run_bench(device: str = "auto", quick: bool = False, only: list[str] | None = None,
              threads: int = THREADS) -> dict:
    """Run the parts (all by default) and return the results as a JSON-ready dict."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("error: --device cuda, but torch sees no CUDA device; use --device cpu")
    dev = torch.device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    cfg, parts = bench_config(quick), only or list(PARTS)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(threads)
    results = {"machine": machine_info(dev), "quick": quick, "config": cfg}
    start = time.perf_counter()
    try:
        with tqdm(total=sum(_STEPS[p](cfg) for p in parts), desc="bench", file=sys.stderr) as bar:
            for part in parts:
                bar.set_postfix_str(part)
                torch.manual_seed(0)
                results[part] = _RUNNERS[part](cfg, dev, sync, lambda: bar.update(1))
    finally:
        torch.set_num_threads(threads_before)  # in-process callers (tests) get their setting back
    results["elapsed_s"] = round(time.perf_counter() - start, 1)
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return results


def _main(args) -> int:
    from . import bench_plots

    out = Path(args.out)
    if args.redraw:
        results = json.loads(out.read_text())
    else:
        results = run_bench(args.device, args.quick, [args.only] if args.only else None, args.threads)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n")
    tables = bench_plots.render_tables(results)
    bench_plots.tables_path(out).write_text(tables)
    print(tables)
    if out.resolve() == DEFAULT_OUT.resolve() or args.figures:
        for path in bench_plots.draw_figures(results, Path(args.figures or bench_plots.FIGURES)):
            print(f"figure  {path}", file=sys.stderr)
    print(f"wrote {out} and {bench_plots.tables_path(out)} ({results.get('elapsed_s', '?')} s)", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure reference vs torch, padded vs packed vs bucketed, loop vs scan",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--quick", action="store_true", help="every part, small sizes (under a minute)")
    p.add_argument("--out", default=str(DEFAULT_OUT), metavar="JSON",
                   help="results file; the markdown tables are written next to it (*_tables.md)")
    p.add_argument("--threads", type=int, default=THREADS, help=f"torch CPU threads (default {THREADS})")
    p.add_argument("--only", choices=PARTS, help="measure one part only")
    p.add_argument("--redraw", action="store_true", help="measure nothing: re-render tables and figures from --out")
    p.add_argument("--figures", metavar="DIR", help="draw the figures here (default: only when --out is the "
                   "site's results file, into docs/assets/figures)")
    p.set_defaults(func=_main)
