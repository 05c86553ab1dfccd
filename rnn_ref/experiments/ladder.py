"""Our tuning ladder: short rungs after the tutorial's ideas, and ours, over seeds.

Each rung is a set of `TrainConfig` overrides that differs from the one before it in one
idea. None of them is the tutorial's own configuration (that is
`rnn_ref.experiments.tutorial`): the `short_*` rungs take the tutorial's ideas (bigger
batch, higher learning rate, bigger model, warmup) to our `train` loop, a 2-layer tanh
RNN of 16 (the post's class defaults) for 3,000 steps. The rungs, their labels and the
targets are in `rnn_ref.experiments.ladder_rungs`. `run_ladder` trains every rung once
per seed; for each run it records the final accuracy, the steps and seconds until
evaluation accuracy first reached 99 % and 100 %, accuracy on the short test
(`SHORT_TEST`: fresh length-2-5 sequences), and accuracy at longer lengths
(extrapolation). The result is a JSON-ready dict: `rnn-ref ladder` writes it to
`ladder.json`, and `rnn_ref.site.ladder_report` renders the chapter's tables and
figures from it.
"""

from __future__ import annotations

import platform
import statistics
import time

import torch

from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask
from rnn_ref.experiments.ladder_rungs import RUNGS, SHORT_TEST, rung_config
from rnn_ref.train import accuracy_by_length, evaluate, train

__all__ = ["LENGTHS", "run_ladder"]

LENGTHS = [10, 20, 50, 100, 1000]


def _first(metrics: list[dict], threshold: float, key: str) -> float | None:
    return next((m[key] for m in metrics if m["accuracy"] >= threshold), None)


def _run_one(
    name: str, overrides: dict, seed: int, steps: int | None, samples: int
) -> dict:
    config = TrainConfig(
        **{
            "eval_every": 100,
            # the rungs were measured before TrainConfig clipped by default: a rung
            # clips only where it says so
            "clip": None,
            **rung_config(overrides, steps),
            "seed": seed,
            "device": "cpu",
            "out": None,
        }
    )
    config.eval_every = min(config.eval_every, config.steps)
    t0 = time.perf_counter()
    result = train(config)
    m = result.metrics
    t = SHORT_TEST
    short = SumModTask(config.num_digits, config.modulus, t["min_len"], t["max_len"])
    return {
        "seed": seed,
        "final_accuracy": m[-1]["accuracy"],
        "seconds": m[-1]["seconds"],
        "wall_seconds": round(time.perf_counter() - t0, 2),
        "steps_to_99": _first(m, 0.99, "step"),
        "seconds_to_99": _first(m, 0.99, "seconds"),
        "steps_to_100": _first(m, 1.0, "step"),
        "seconds_to_100": _first(m, 1.0, "seconds"),
        "accuracy_2_5": evaluate(result.model, short, t["samples"], seed=t["seed"])[1],
        "by_length": {
            str(r["length"]): r["accuracy"]
            for r in accuracy_by_length(result.model, short, LENGTHS, samples)
        },
        "curve": [[x["step"], x["accuracy"]] for x in m],
    }


def _stats(values: list[float | None]) -> dict:
    got = [v for v in values if v is not None]
    return {
        "mean": statistics.fmean(got) if got else None,
        "sd": statistics.stdev(got) if len(got) > 1 else 0.0 if got else None,
        "reached": len(got),
        "of": len(values),
    }


def run_ladder(
    rungs: list[str],
    seeds: int = 3,
    steps: int | None = None,
    samples: int = 1000,
    log=print,
) -> dict:
    """Train every rung over `seeds` seeds; return the results as a JSON-ready dict."""
    results = []
    for name in rungs:
        overrides = RUNGS[name].overrides
        runs = []
        for seed in range(seeds):
            runs.append(_run_one(name, overrides, seed, steps, samples))
            r = runs[-1]
            log(
                f"{name:>16} seed {seed}: final {r['final_accuracy']:.2%}, 2-5 "
                f"{r['accuracy_2_5']:.2%}, len 100 {r['by_length']['100']:.2%}, 1000 "
                f"{r['by_length']['1000']:.2%}, {r['seconds']:.1f} s training, "
                f"{r['wall_seconds']:.1f} s wall"
            )
        summary = {
            key: _stats([r[key] for r in runs])
            for key in (
                "final_accuracy",
                "accuracy_2_5",
                "seconds",
                "steps_to_99",
                "seconds_to_99",
                "steps_to_100",
                "seconds_to_100",
            )
        }
        summary["by_length"] = {
            k: _stats([r["by_length"][k] for r in runs]) for k in runs[0]["by_length"]
        }
        results.append(
            {
                "name": name,
                "config": rung_config(overrides, steps),
                "summary": summary,
                "runs": runs,
            }
        )
    return {
        "seeds": seeds,
        "eval_samples_per_length": samples,
        "short_test": SHORT_TEST,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "rungs": results,
    }
