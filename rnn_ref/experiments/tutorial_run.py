"""Train the tutorial's rungs (`rnn_ref.experiments.tutorial`) over seeds.

`run_one` is one run of the script's training loop: Adam, torch's schedulers, the
script's batches from one Python `random` stream, and every `eval_every` steps the
script's evaluation on 100 fresh samples beside ours on a fixed 10,000. `run_tutorial`
runs rungs over seeds and returns the JSON-ready results `rnn-ref ladder --tutorial`
writes to `tutorial.json`.
"""

from __future__ import annotations

import json
import platform
import random
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, replace

import torch
from torch import nn

from rnn_ref.experiments.tutorial import (
    DATA_FIELDS,
    EVAL_SAMPLES,
    LENGTHS,
    LOSS_EVERY,
    RUNGS,
    SOURCE,
    TEST_SAMPLES,
    TEST_SEED,
    TutorialArgs,
    batch_of,
    batches_of,
    build_model,
    build_scheduler,
    draw,
    held_out_set,
)

__all__ = ["run_one", "run_tutorial", "kept_runs"]


@torch.no_grad()
def _accuracy(model: nn.Module, batches: list) -> float:
    model.eval()
    correct = total = 0
    for ids, lengths, targets in batches:
        correct += (model(ids, lengths).argmax(dim=1) == targets).sum().item()
        total += len(targets)
    model.train()
    return correct / total


def _loss_summary(losses: list[float]) -> dict:
    groups = [losses[i : i + LOSS_EVERY] for i in range(0, len(losses), LOSS_EVERY)]
    return {
        "every": LOSS_EVERY,
        "mean": [round(sum(g) / len(g), 4) for g in groups],
        "min": [round(min(g), 4) for g in groups],
        "max": [round(max(g), 4) for g in groups],
    }


def run_one(
    args: TutorialArgs,
    seed: int,
    log: Callable[[str], None] = print,
    test_samples: int = TEST_SAMPLES,
    lengths: tuple[int, ...] = LENGTHS,
) -> dict:
    """Train one run as the script does; return its record (JSON-ready).

    Args:
        test_samples: size of our fixed evaluation set (the tests use fewer).
        lengths: the lengths of the extrapolation check, 1,000 sequences each.
    """
    torch.manual_seed(seed)  # the initial weights
    rng = random.Random(seed)  # training batches and the 100-sample evaluations
    data = replace(TutorialArgs(), **{k: getattr(args, k) for k in DATA_FIELDS})
    test = held_out_set(data, test_samples)
    model = build_model(args)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    with warnings.catch_warnings():  # SequentialLR calls step(0): a deprecation note
        warnings.simplefilter("ignore", UserWarning)
        scheduler = build_scheduler(optimizer, args)
    criterion = nn.CrossEntropyLoss()
    losses, evals, seconds = [], [], 0.0
    model.train()
    for step in range(1, args.total_steps + 1):
        t0 = time.perf_counter()
        ids, seq_lengths, targets = batch_of(draw(rng, args, args.batch_size), args)
        optimizer.zero_grad()
        loss = criterion(model(ids, seq_lengths), targets)
        loss.backward()
        if args.clip:
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            scheduler.step()
        seconds += time.perf_counter() - t0
        losses.append(loss.item())
        if step % args.eval_every == 0 or step == args.total_steps:
            fresh = batches_of(draw(rng, args, EVAL_SAMPLES), args.batch_size, args)
            evals.append([step, _accuracy(model, fresh), _accuracy(model, test)])
            log(
                f"  seed {seed} step {step:>6,}/{args.total_steps:,}: loss "
                f"{sum(losses[-50:]) / len(losses[-50:]):.3f}, 100-sample "
                f"{evals[-1][1]:.0%}, 10,000-sample {evals[-1][2]:.2%}"
            )
    by_length = {}
    for k in lengths:
        long = replace(data, min_seq_len=k, max_seq_len=k)
        by_length[str(k)] = _accuracy(model, held_out_set(long, 1000))
    return {
        "seed": seed,
        "seconds": round(seconds, 1),
        "final_100": evals[-1][1],
        "final_10k": evals[-1][2],
        "evals": evals,
        "by_length": by_length,
        "loss": _loss_summary(losses),
    }


def kept_runs(previous: dict) -> dict[tuple[str, str], dict[int, dict]]:
    """The runs of earlier results (a `tutorial.json`) by (rung, its arguments as
    JSON) and seed: those `run_tutorial` keeps rather than trains again."""
    return {
        (r["name"], json.dumps(r["args"], sort_keys=True)): {
            x["seed"]: x for x in r["runs"]
        }
        for r in previous.get("rungs", [])
    }


def run_tutorial(
    names: list[str],
    seeds: int = 5,
    steps: int | None = None,
    log: Callable[[str], None] = print,
    on_run: Callable[[dict], None] | None = None,
    previous: dict | None = None,
    test_samples: int = TEST_SAMPLES,
    lengths: tuple[int, ...] = LENGTHS,
) -> dict:
    """Train each named rung with seeds `0 .. seeds - 1`; return JSON-ready results.

    Seeds run in the outer loop, so an interrupted sweep leaves every rung with about
    the same number of seeds.

    Args:
        steps: replace every rung's 20,000 steps (quick checks; the cosine's `T_max`
            follows, as the script's `--total_steps` would).
        on_run: called with the results so far after each run (to save progress).
        previous: earlier results: a run of the same rung, arguments and seed is kept,
            not trained again.
        test_samples, lengths: as in `run_one`.
    """
    old = kept_runs(previous or {})
    rungs = []
    for name in names:
        args = RUNGS[name].args
        args = replace(args, total_steps=steps) if steps else args
        rungs.append(
            {
                "name": name,
                "args": asdict(args),
                "params": sum(p.numel() for p in build_model(args).parameters()),
                "runs": [],
            }
        )
    results = {
        "source": SOURCE,
        "seeds": seeds,
        "eval_samples": EVAL_SAMPLES,
        "test_samples": test_samples,
        "test_seed": TEST_SEED,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "rungs": rungs,
    }
    for seed in range(seeds):
        for rung in rungs:
            key = (rung["name"], json.dumps(rung["args"], sort_keys=True))
            run = old.get(key, {}).get(seed)
            if run is None:
                args = TutorialArgs(**rung["args"])
                log(f"{rung['name']} seed {seed}: {args.flags()}")
                run = run_one(args, seed, log, test_samples, lengths)
                log(
                    f"{rung['name']} seed {seed}: 100-sample {run['final_100']:.0%}, "
                    f"10,000-sample {run['final_10k']:.2%}, {run['seconds']:.0f} s"
                )
            rung["runs"].append(run)
            if on_run:
                on_run(results)
    return results
