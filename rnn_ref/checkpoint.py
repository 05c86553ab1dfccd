"""Checkpoints of the classifier: what a run directory holds, how it is written, read.

A run directory (`rnn-ref train --out DIR`) holds

* `config.json`: the run's `TrainConfig`;
* `model.pt`: the weights, a plain `state_dict`;
* `state.pt`: everything resuming needs (weights, optimizer, step, RNG states), plain
  tensors and numbers;
* `metrics.jsonl`: one line per evaluation (written by `rnn_ref.train`).

Every file is read with `torch.load(weights_only=True)`, so unpickling a downloaded
checkpoint cannot call a function (a pickled function or class is refused), and every
failure becomes a `CheckpointError` that says what is wrong
and what to do. `save` goes through `rnn_ref.rundir.commit`: each file is written
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
from rnn_ref.model import SumModClassifier, classifier_kwargs

__all__ = [
    "safe_load",
    "read_config",
    "load_classifier",
    "save",
    "config_bytes",
    "load_state",
    "claim",
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


def config_path(directory: str | Path, command: str) -> Path:
    """`directory/config.json`; a `CheckpointError` naming what is wrong when
    `directory` is missing or a file (`command --out DIR` writes run directories)."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise CheckpointError(
            f"{directory} {what}; expected a run directory written by "
            f"`{command} --out DIR` (model.pt + config.json)"
        )
    return directory / "config.json"


def read_config(directory: str | Path) -> dict:
    """A run's `config.json` as a dict, checked like a `TrainConfig`; else a
    `CheckpointError`."""
    path = config_path(directory, "rnn-ref train")
    if not path.is_file():
        raise CheckpointError(
            f"no config.json in {directory}; expected a directory written by "
            f"`rnn-ref train --out DIR` (model.pt + config.json); "
            f"train one or fix the path"
        )
    data = rundir.verify(path)
    try:
        config = json.loads(data)
        if not isinstance(config, dict):
            raise TypeError(f"expected a JSON object, got {type(config).__name__}")
        classifier_kwargs(config)  # the keys the model needs are there
        TrainConfig.from_dict(config)  # types, bounds, memory
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
    """Commit config.json, model.pt and state.pt (`rnn_ref.rundir.commit`).

    `state.pt` also holds the weights and is replaced last, so resuming (which reads
    weights, step and optimizer from it alone) never mixes two steps, whatever moment a
    crash hits; `manifest.json` records every file's sha256.
    """
    weights = model.state_dict()
    rundir.commit(
        out,
        {
            "config.json": config_bytes(config),
            "model.pt": _torch_bytes(weights),
            "state.pt": _torch_bytes({**state, "model": weights}),
        },
    )


def config_bytes(config: TrainConfig) -> bytes:
    """`config.json`'s contents for `config`."""
    return (json.dumps(asdict(config), indent=2) + "\n").encode()


def _torch_bytes(obj: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def load_state(
    out: Path, model: nn.Module, optimizer: torch.optim.Optimizer
) -> dict | None:
    """Load a run's last checkpoint into `model` and `optimizer`; return the rest of it.

    The returned dict holds `step`, `seconds`, `loss_sum`, `loss_count`, `clip_stats`,
    `data_rng` and `torch_rng`, as `save` wrote them; `None` when the run has no
    checkpoint yet (it was stopped before or inside its first save).
    """
    read_config(out)
    if not (out / "state.pt").exists():
        return None
    state = safe_load(out / "state.pt")
    weights = state.get("model") if isinstance(state, dict) else None
    if weights is None:  # checkpoints written before state.pt held the weights
        weights = safe_load(out / "model.pt")
    try:
        model.load_state_dict(weights)
        optimizer.load_state_dict(state["optimizer"])
        rest = {k: state[k] for k in _STATE_TYPES}
        # gradient-norm sums since the last evaluation; absent from older checkpoints
        rest["clip_stats"] = list(state.get("clip_stats", [0.0, 0.0, 0]))
    except (RuntimeError, KeyError, ValueError, TypeError, AttributeError) as e:
        raise CheckpointError(
            f"the checkpoint in {out} does not fit this run ({str(e)[:150]!r}); "
            f"resume without changing the model flags, or train afresh"
        ) from None
    for key, ok in _STATE_TYPES.items():
        if not ok(rest[key]):
            raise CheckpointError(
                f"{out / 'state.pt'} holds a bad {key!r} "
                f"({type(rest[key]).__name__} {str(rest[key])[:40]!r}); expected "
                f"what `rnn-ref train` writes: restore the file, or train afresh"
            )
    return rest


def _count(x) -> bool:
    return type(x) is int and x >= 0


def _amount(x) -> bool:
    return type(x) in (int, float) and math.isfinite(x) and x >= 0


def _rng(x) -> bool:
    return isinstance(x, torch.Tensor) and x.dtype == torch.uint8 and x.dim() == 1


_STATE_TYPES = {
    "step": _count,
    "seconds": _amount,
    "loss_sum": _amount,
    "loss_count": _count,
    "data_rng": _rng,
    "torch_rng": _rng,
}


# what `save` and `rnn_ref.train` write into a run directory, besides the bookkeeping
# of `rnn_ref.rundir` (manifest.json, .lock)
RUN_FILES = ("config.json", "model.pt", "state.pt", "metrics.jsonl")


def claim(out: Path, config: TrainConfig, resume: bool) -> rundir.RunLock:
    """Lock `out` for this process; a fresh run also checks it is new and saves its
    config first, so a run stopped at any later moment resumes with `--resume`.

    Whether `out` is ours to write is checked before anything is created in it (a
    refusal leaves it as it was: no `.lock`, no directory), and again once it is
    locked; only then are the temporary files of a killed save removed.
    """
    _check_ours(out, resume)
    lock = rundir.RunLock(out)
    try:
        _check_ours(out, resume)  # another run may have started here meanwhile
        for leftover in out.iterdir():  # of a run killed inside a save
            if leftover.name.endswith(".tmp") and rundir.ours(leftover, RUN_FILES):
                leftover.unlink()
        if not resume:  # a resumed run's config is saved once its checkpoint fits
            rundir.commit(out, {"config.json": config_bytes(config)})
    except BaseException:
        lock.release()
        raise
    return lock


def _check_ours(out: Path, resume: bool) -> None:
    """An `InputError` unless `out` is a run to resume (`resume`), or a place for a
    fresh run: missing, or a directory holding nothing but our bookkeeping."""
    if resume:
        if not out.is_dir():
            what = "is not a directory" if out.exists() else "does not exist"
            raise InputError(
                f"nothing to resume in {out}: it {what}; pass the --out of the run "
                f"to continue"
            )
        if not (out / "config.json").is_file():
            raise InputError(
                f"nothing to resume in {out}: it holds no config.json (the run "
                f"stopped before it saved its config, or this is another "
                f"directory); run the original command again, without --resume"
            )
        read_config(out)
        return
    if not out.is_dir():  # missing; or a file, which creating the lock reports
        return
    if (out / "config.json").exists():
        raise InputError(
            f"{out} already holds a run; pass --resume to continue it or "
            f"choose another --out (expected a new or empty directory for a "
            f"fresh run)"
        )
    others = sorted(p.name for p in out.iterdir() if not rundir.ours(p, RUN_FILES))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise InputError(
            f"{out} is not empty ({shown}) and rnn-ref did not write it; "
            f"expected a new or empty directory for a fresh run: pass another "
            f"--out"
        )
