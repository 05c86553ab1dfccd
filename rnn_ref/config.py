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
from rnn_ref.memory import check_memory, step_bytes
from rnn_ref.model import CELLS

__all__ = [
    "TrainConfig",
    "resolve_device",
    "check_fields",
    "estimated_bytes",
    "eval_batch",
    "LIMITS",
]


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
    steps: int = 10000
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
        check_fields(self)
        _check_bounds(self)
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
        if not 0 <= self.dropout <= 1:  # NaN too; torch's own message names no file
            raise ValueError(
                f"dropout must be a probability, 0 .. 1; got {self.dropout}; fix it "
                f"in config.json"
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


# ---- types and sane limits, checked before anything is allocated ----

# the largest value each size may take: far beyond what the task needs, far below what
# makes torch allocate terabytes or loop for hours building layers
LIMITS = {
    "hidden_size": 2**14,
    "num_layers": 64,
    "embed_dim": 2**14,
    "batch_size": 2**16,
    "steps": 10**9,
    "eval_every": 10**9,
    "eval_samples": 10**7,
    "warmup_steps": 10**9,
    "length_curriculum": 10**9,
    "bptt": 10**5,
    "min_len": 10**5,
    "max_len": 10**5,
    "num_digits": 2**16,
    "modulus": 2**16,
}
MAX_WEIGHT_DECAY = 100.0


def check_fields(config) -> None:
    """Each field of a config (a dataclass) has its declared type (a `config.json` can
    hold anything), and those named in `LIMITS` are within them."""
    for f in fields(config):
        value, kind = getattr(config, f.name), str(f.type)
        if value is None and "None" in kind:
            continue
        if kind.startswith("int"):
            ok = type(value) is int  # not bool, not 2.5
        elif kind.startswith("float"):
            ok = type(value) in (int, float)
        elif kind == "bool":
            ok = type(value) is bool
        else:
            ok = isinstance(value, str)
        if not ok:
            expected = kind.replace(" | None", " or null")
            raise ValueError(
                f"{f.name} must be {expected}; got {type(value).__name__} "
                f"{str(value)[:40]!r}; fix it in config.json or on the command line"
            )
        most = LIMITS.get(f.name)
        if most is not None and value is not None and value > most:
            raise ValueError(
                f"{f.name} must be at most {most:,}; got {value:,}; pass a smaller "
                f"--{f.name.replace('_', '-')}"
            )


def _check_bounds(config: TrainConfig) -> None:
    """The weight decay within `MAX_WEIGHT_DECAY`, and the estimated memory of a
    training step and of an evaluation within half of what this process may use."""
    if config.weight_decay > MAX_WEIGHT_DECAY:  # lr is free: divergence is caught
        raise ValueError(
            f"weight_decay must be at most {MAX_WEIGHT_DECAY:g}; got "
            f"{config.weight_decay:g}; pass a smaller --weight-decay"
        )
    training, evaluation = estimated_bytes(config)
    lower = "--hidden-size, --num-layers, --batch-size or --max-len"
    if evaluation > training:
        lower = "--eval-samples, --hidden-size or --max-len"
    check_memory(max(training, evaluation), "this run", lower)


def estimated_bytes(config: TrainConfig) -> tuple[int, int]:
    """Rough upper estimates of the memory of a training step and of an evaluation:
    both hold the weights, gradients and Adam's two moments (4 copies); a step holds
    the activations autograd keeps, an evaluation one forward pass of `eval_batch`
    sequences.

    Examples:
        >>> from rnn_ref.config import TrainConfig, estimated_bytes
        >>> [n < 2**30 for n in estimated_bytes(TrainConfig())]
        [True, True]
    """
    h, d = config.hidden_size, 2 if config.bidirectional else 1
    e = config.embed_dim or h

    def bytes_of(tokens: int) -> int:  # tokens=0: weights, gradients, Adam's moments
        return step_bytes(config.cell, h, config.num_layers, e, config.num_digits + 1,
                          config.modulus, tokens, directions=d)  # fmt: skip

    training, params = bytes_of(config.batch_size * config.max_len), bytes_of(0)
    # without autograd one layer at a time: its input, its output, the next's
    eval_tokens = eval_batch(config.eval_samples, config.max_len) * config.max_len
    return training, params + 4 * eval_tokens * (e + 2 * d * h)


EVAL_TOKENS = 2**20  # digits per evaluation forward pass, at most


def eval_batch(samples: int, longest: int, most: int = 500) -> int:
    """Sequences per evaluation forward pass: at most `most`, and at most `EVAL_TOKENS`
    digits (so its memory is flat in the length).

    Examples:
        >>> from rnn_ref.config import eval_batch
        >>> eval_batch(1000, 5), eval_batch(10, 5), eval_batch(1000, 10**5)
        (500, 10, 10)
    """
    return max(1, min(most, samples, EVAL_TOKENS // max(1, longest)))


def resolve_device(name: str) -> torch.device:
    """`"auto"` -> CUDA when torch sees a GPU, else the CPU; `"cuda"` without one is an
    error.

    Examples:
        >>> from rnn_ref.config import resolve_device
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
