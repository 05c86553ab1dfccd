"""Checkpoints of both trainers: what a run directory holds, how it is written, read.

A run directory (`rnn-ref train --out DIR`, `rnn-ref lm train --out DIR`) holds

* `config.json`: the run's `TrainConfig` (or `rnn_ref.lm_train.LMConfig`);
* `model.pt`: the weights, a plain `state_dict`;
* `state.pt`: everything resuming needs (weights, optimizer, step, RNG states or the
  carried state), plain tensors and numbers;
* `metrics.jsonl`: one line per evaluation (`rnn_ref.metrics_file`).

Every file is read with `torch.load(weights_only=True)`, so unpickling a downloaded
checkpoint cannot call a function (a pickled function or class is refused), and every
failure becomes a `CheckpointError` that says what is wrong and what to do. The
directory is claimed, and `save` commits, through `rnn_ref.rundir`: each file is written
whole (temporary file, fsync, rename, fsync of the directory) and its sha256 recorded in
`manifest.json`, which every load checks.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import re
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from rnn_ref import rundir
from rnn_ref.config import TrainConfig
from rnn_ref.errors import CheckpointError, InputError
from rnn_ref.metrics_file import metrics_bytes, resume_metrics
from rnn_ref.model import SumModClassifier, classifier_kwargs

__all__ = [
    "safe_load",
    "read_config",
    "load_classifier",
    "run_files",
    "save",
    "config_bytes",
    "load_state",
    "resume",
]


def safe_load(path: Path) -> dict:
    """`torch.load(path, weights_only=True)` of the file checked against the manifest;
    a failure becomes a `CheckpointError`."""
    if not path.is_file():
        raise CheckpointError(
            f"no checkpoint file at {path}; expected a directory written by "
            f"`rnn-ref train --out DIR` (model.pt + config.json); "
            f"train one or fix the path"
        )
    data = rundir.verify(path)
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(e))
        if found:  # a pickled class or function: torch.save(model), not its state_dict
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
    except Exception as e:  # truncated zip, random bytes: torch raises several types
        raise CheckpointError(
            f"{path} is corrupt ({_first_line(e)}); re-train or re-download it"
        ) from None


def _first_line(e: Exception) -> str:
    line = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    # never pass on torch's "weights_only=False" advice
    return type(e).__name__ if "weights_only" in line else line


def config_data(directory: str | Path, command: str) -> tuple[Path, bytes]:
    """`directory/config.json` and its contents, checked against the manifest; a
    `CheckpointError` naming what is wrong when `directory` is missing or a file, or
    holds no config.json (`command --out DIR` writes run directories)."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise CheckpointError(
            f"{directory} {what}; expected a run directory written by "
            f"`{command} --out DIR` (model.pt + config.json)"
        )
    path = directory / "config.json"
    if not path.is_file():
        raise CheckpointError(
            f"no config.json in {directory}; expected a directory written by "
            f"`{command} --out DIR` (model.pt + config.json); train one or fix the path"
        )
    return path, rundir.verify(path)


# what json, torch and our checks raise for a file that does not fit
_UNFIT = (ValueError, KeyError, TypeError, AssertionError, RuntimeError, AttributeError)


def read_config(directory: str | Path) -> dict:
    """A run's `config.json` as a dict, checked like a `TrainConfig`; else a
    `CheckpointError`."""
    path, data = config_data(directory, "rnn-ref train")
    try:
        config = json.loads(data)
        if not isinstance(config, dict):
            raise TypeError(f"expected a JSON object, got {type(config).__name__}")
        classifier_kwargs(config)  # the keys the model needs are there
        TrainConfig.from_dict(config)  # types, bounds, memory
    except _UNFIT as e:
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


def run_files(config, metrics: list[dict]) -> dict[str, bytes]:
    """`config.json` (a `TrainConfig` or an `LMConfig`) and `metrics.jsonl`: what a run
    commits when it starts, when it resumes, and with each checkpoint."""
    return {
        "config.json": config_bytes(config),
        "metrics.jsonl": metrics_bytes(metrics),
    }


def save(out: Path, config, model: nn.Module, optimizer, metrics, **state) -> None:
    """Commit config.json, metrics.jsonl, model.pt and state.pt (`rundir.commit`).

    `state.pt` (`state`, the optimizer's and the weights) is replaced last, so resuming
    (which reads weights, step and optimizer from it alone) never mixes two steps,
    whatever moment a crash hits; `manifest.json` records every file's sha256.
    """
    weights = model.state_dict()
    state = {**state, "optimizer": optimizer.state_dict(), "model": weights}
    files = {"model.pt": _torch_bytes(weights), "state.pt": _torch_bytes(state)}
    rundir.commit(out, {**run_files(config, metrics), **files})


def config_bytes(config) -> bytes:
    """`config.json`'s contents for `config` (a dataclass)."""
    return (json.dumps(asdict(config), indent=2) + "\n").encode()


def _torch_bytes(obj: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _count(x) -> bool:
    return type(x) is int and x >= 0


def _amount(x) -> bool:
    return type(x) in (int, float) and math.isfinite(x) and x >= 0


def _rng(x) -> bool:
    return isinstance(x, torch.Tensor) and x.dtype == torch.uint8 and x.dim() == 1


def _tensors(x) -> bool:  # the carried state: [h] (GRU) or [h, c] (LSTM)
    tensors = type(x) is list and all(isinstance(t, torch.Tensor) for t in x)
    return tensors and len(x) in (1, 2) and all(t.is_floating_point() for t in x)


# what each command's state.pt holds besides the weights and the optimizer
STATE_TYPES = {
    "train": dict(step=_count, seconds=_amount, loss_sum=_amount, loss_count=_count,
                  data_rng=_rng, torch_rng=_rng),
    "lm train": dict(step=_count, cpu_seconds=_amount, seconds=_amount, hx=_tensors),
}  # fmt: skip


def load_state(
    out: Path, model: nn.Module, optimizer: torch.optim.Optimizer, command="train"
) -> dict | None:
    """Load a run's last checkpoint into `model` and `optimizer`; return the rest of it.

    The returned dict holds what `save` was given (`STATE_TYPES[command]`, checked);
    `None` when the run has no checkpoint yet (it was stopped before or inside its
    first save).
    """
    if not (out / "state.pt").exists():
        return None
    state = safe_load(out / "state.pt")
    weights = state.get("model") if isinstance(state, dict) else None
    if weights is None:  # checkpoints written before state.pt held the weights
        weights = safe_load(out / "model.pt")
    try:
        model.load_state_dict(weights)
        optimizer.load_state_dict(state["optimizer"])
        rest = {k: v for k, v in state.items() if k not in ("model", "optimizer")}
        bad = [k for k, ok in STATE_TYPES[command].items() if not ok(rest[k])]
    except _UNFIT as e:
        raise CheckpointError(
            f"the checkpoint in {out} does not fit this run ({str(e)[:150]!r}); "
            f"resume without changing the model flags, or train afresh"
        ) from None
    if bad:
        value = rest[bad[0]]
        raise CheckpointError(
            f"{out / 'state.pt'} holds a bad {bad[0]!r} ({type(value).__name__} "
            f"{str(value)[:40]!r}); expected what `rnn-ref {command}` writes: restore "
            f"the file, or train afresh"
        )
    return rest


def resume(
    out: Path, model: nn.Module, optimizer, steps: int, command="train"
) -> tuple[dict | None, list[dict] | None]:
    """`load_state`, then the metrics up to its step (`resume_metrics`, checked even
    with nothing to train): None when the run already holds `steps` steps (nothing to
    train, nothing to rewrite)."""
    state = load_state(out, model, optimizer, command)
    step = state["step"] if state is not None else 0
    if step > steps:  # never cut a run's config back below its steps
        raise InputError(
            f"--steps {steps} is below the {step} steps {out} already holds; pass a "
            f"larger --steps to train on, or leave it out"
        )
    # the classifier may checkpoint between two evaluations (`stop_at`): loss_count
    # steps after the last one; the language model only right after one
    metrics = resume_metrics(out, step, (state or {}).get("loss_count", 0))
    return state, metrics if step < steps else None
