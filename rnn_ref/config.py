"""`TrainConfig`: everything that defines a training run of the sum-mod classifier.

A run's config is saved as `config.json` next to its checkpoint (`rnn_ref.checkpoint`)
and read back to resume it or to load the trained model. `resolve_device` turns the
`device` setting into a `torch.device`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch

from rnn_ref.data import SumModTask
from rnn_ref.errors import InputError
from rnn_ref.model import CELLS

__all__ = ["TrainConfig", "resolve_device"]


@dataclass
class TrainConfig:
    """Everything that defines a run; saved as `config.json` next to the checkpoint."""

    cell: str = "gru"  # rnn (tanh) | rnn_relu | gru | lstm
    hidden_size: int = 64
    num_layers: int = 1
    embed_dim: int | None = None  # None: same as hidden_size
    bidirectional: bool = False
    dropout: float = 0.0
    batch_size: int = 256
    lr: float = 5e-3
    optimizer: str = "adam"  # adam | adamw
    weight_decay: float = 0.0
    warmup_steps: int = 0  # linear warmup, then cosine decay to 0 at `steps`
    clip: float | None = 1.0  # max gradient norm; None: no clipping
    steps: int = 5000
    eval_every: int = 100
    eval_samples: int = 1000
    min_len: int = 2
    max_len: int = 5
    length_curriculum: int = 0  # steps over which the longest training length grows
    # from min_len to max_len (rnn_ref.data.curriculum_lengths); 0: none
    num_digits: int = 10
    modulus: int = 10
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    out: str | None = None  # where checkpoints and metrics go; None: keep nothing

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(
                f"cell must be one of {', '.join(CELLS)}; got {self.cell!r}"
            )
        if self.optimizer not in ("adam", "adamw"):
            raise ValueError(f"optimizer must be adam or adamw; got {self.optimizer!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be auto, cpu or cuda; got {self.device!r}")
        for name in (
            "hidden_size",
            "num_layers",
            "batch_size",
            "steps",
            "eval_every",
            "eval_samples",
        ):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"{name} must be at least 1; got {getattr(self, name)}"
                )
        if self.embed_dim is not None and self.embed_dim < 1:
            raise ValueError(
                f"embed_dim must be at least 1 (or unset: same as hidden_size); "
                f"got {self.embed_dim}"
            )
        if (
            not (math.isfinite(self.lr) and self.lr > 0)
            or self.warmup_steps < 0
            or self.length_curriculum < 0
            or (
                self.clip is not None
                and not (math.isfinite(self.clip) and self.clip > 0)
            )
        ):
            raise ValueError(
                f"need a finite lr > 0, warmup_steps >= 0, length_curriculum >= 0 "
                f"and a finite clip > 0 (or None); got lr={self.lr}, "
                f"warmup_steps={self.warmup_steps}, "
                f"length_curriculum={self.length_curriculum}, clip={self.clip}"
            )
        if not (math.isfinite(self.weight_decay) and self.weight_decay >= 0):
            raise ValueError(
                f"weight_decay must be a finite number >= 0; got {self.weight_decay}"
            )
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be in 0 .. 2**63 - 1; got {self.seed}")
        _ = self.task  # validates digits, modulus and lengths

    @property
    def task(self) -> SumModTask:
        """The task this run trains on."""
        return SumModTask(self.num_digits, self.modulus, self.min_len, self.max_len)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """A config from a dict such as `config.json`'s; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def resolve_device(name: str) -> torch.device:
    """`"auto"` -> CUDA when torch sees a GPU, else the CPU; `"cuda"` without one is an
    error.

    Examples:
        >>> resolve_device("cpu")
        device(type='cpu')
    """
    if name not in ("auto", "cpu", "cuda"):
        raise InputError(f"device must be auto, cpu or cuda; got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError(
            "device cuda was asked for but torch sees no CUDA GPU; "
            "pass --device cpu or auto"
        )
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
