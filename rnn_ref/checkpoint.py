"""Checkpoints of the classifier: what a run directory holds, how it is written, read.

A run directory (`rnn-ref train --out DIR`) holds

* `config.json`: the run's `TrainConfig`;
* `model.pt`: the weights, a plain `state_dict`;
* `state.pt`: everything resuming needs (weights, optimizer, step, RNG states), plain
  tensors and numbers;
* `metrics.jsonl`: one line per evaluation (written by `rnn_ref.train`).

Every file is read with `torch.load(weights_only=True)`, so a downloaded checkpoint
cannot run code, and every failure becomes a `CheckpointError` that says what is wrong
and what to do. `save` writes each file to a temporary name first and renames it into
place.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from rnn_ref.config import TrainConfig
from rnn_ref.errors import CheckpointError
from rnn_ref.model import SumModClassifier, classifier_kwargs

__all__ = ["safe_load", "read_config", "load_classifier", "save", "load_state"]


def safe_load(path: Path) -> dict:
    """`torch.load(path, weights_only=True)`; a failure becomes a `CheckpointError`."""
    if not path.is_file():
        raise CheckpointError(
            f"no checkpoint file at {path}; expected a directory written by "
            f"`rnn-ref train --out DIR` (model.pt + config.json); "
            f"train one or fix the path"
        )
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(e))
        if (
            found
        ):  # a pickled class or function, e.g. torch.save(model), not its state_dict
            raise CheckpointError(
                f"{path} contains pickled Python objects ({found.group(1)}), which "
                f"torch.load(weights_only=True) refuses "
                f"(unpickling can run code); expected a plain state_dict: save it with "
                f"torch.save(model.state_dict(), path)"
            ) from None
        raise CheckpointError(
            f"{path} is corrupt (not a plain state_dict torch can read); "
            f"re-train or re-download it"
        ) from None
    except (
        Exception
    ) as e:  # truncated zip, random bytes, ...: torch raises several types
        raise CheckpointError(
            f"{path} is corrupt ({_first_line(e)}); re-train or re-download it"
        ) from None


def _first_line(e: Exception) -> str:
    line = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    # never pass on torch's "weights_only=False" advice
    return type(e).__name__ if "weights_only" in line else line


def read_config(directory: str | Path) -> dict:
    """A run's `config.json` as a dict, checked like a `TrainConfig`; else a
    `CheckpointError`."""
    path = Path(directory) / "config.json"
    if not path.is_file():
        raise CheckpointError(
            f"no config.json in {directory}; expected a directory written by "
            f"`rnn-ref train --out DIR` (model.pt + config.json); "
            f"train one or fix the path"
        )
    try:
        config = json.loads(path.read_text())
        SumModClassifier(**classifier_kwargs(config))  # types and sizes the model takes
        TrainConfig.from_dict({**config, "out": None})  # and the run's own checks
    except (
        ValueError,
        KeyError,
        TypeError,
        AssertionError,
        RuntimeError,
        AttributeError,
    ) as e:
        raise CheckpointError(
            f"{path} is not a valid run config ({_first_line(e)}); "
            f"re-train or restore the file"
        ) from None
    return config


def load_classifier(
    directory: str | Path, device: str | torch.device = "cpu"
) -> SumModClassifier:
    """Load a trained classifier (in eval mode) from a run directory.

    Args:
        directory: holds `model.pt` (a plain `state_dict`) and `config.json`.
        device: where to put the model.

    Examples:
        >>> model = load_classifier("runs/sota")  # doctest: +SKIP
        >>> model.predict([[3, 7, 1, 9]])  # doctest: +SKIP
        [0]
    """
    directory = Path(directory)
    config = read_config(directory)
    state = safe_load(directory / "model.pt")
    model = SumModClassifier(**classifier_kwargs(config))
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as e:
        raise CheckpointError(
            f"{directory / 'model.pt'} does not fit the model in config.json "
            f"({_first_line(e)}); keep model.pt and config.json from the same "
            f"run"
        ) from None
    return model.to(device).eval()


def save(out: Path, config: TrainConfig, model: nn.Module, state: dict) -> None:
    """Write config.json, model.pt and state.pt, each to a temp file, then rename it.

    `state.pt` also holds the weights and is replaced last, so resuming (which reads
    weights, step and optimizer from it alone) never mixes two steps, whatever moment a
    crash hits.
    """
    out.mkdir(parents=True, exist_ok=True)
    weights = model.state_dict()
    tmp = {
        name: out / f".{name}.tmp" for name in ("config.json", "model.pt", "state.pt")
    }
    tmp["config.json"].write_text(json.dumps(asdict(config), indent=2) + "\n")
    torch.save(weights, tmp["model.pt"])
    torch.save({**state, "model": weights}, tmp["state.pt"])
    for name, path in tmp.items():
        os.replace(path, out / name)


def load_state(out: Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """Load a run's last checkpoint into `model` and `optimizer`; return the rest of it.

    The returned dict holds `step`, `seconds`, `loss_sum`, `loss_count`, `clip_stats`,
    `data_rng` and `torch_rng`, as `save` wrote them.
    """
    read_config(out)
    state = safe_load(out / "state.pt")
    weights = state.get("model") if isinstance(state, dict) else None
    if weights is None:  # checkpoints written before state.pt held the weights
        weights = safe_load(out / "model.pt")
    try:
        model.load_state_dict(weights)
        optimizer.load_state_dict(state["optimizer"])
        rest = {
            k: state[k]
            for k in (
                "step",
                "seconds",
                "loss_sum",
                "loss_count",
                "data_rng",
                "torch_rng",
            )
        }
        # gradient-norm sums since the last evaluation; absent from older checkpoints
        rest["clip_stats"] = list(state.get("clip_stats", [0.0, 0.0, 0]))
    except (RuntimeError, KeyError, ValueError, TypeError) as e:
        raise CheckpointError(
            f"the checkpoint in {out} does not fit this run ({str(e)[:150]!r}); "
            f"resume without changing the model flags, or train afresh"
        ) from None
    return rest
