"""The tutorial's own ladder, run the way its script runs it.

The tutorial this site grew from trains with `train_cls_rnn.py` (repository
`ShaohonChen/tutorial_with_rnn`). Its command-line defaults, not the class defaults its
post quotes, are what ran: digits 0-9, target the sum mod 10, lengths 2-5; an
`Embedding(11, 10)` (the pad id 10), one tanh `nn.RNN` layer of 16, a `Linear(16, 10)`
on `h_n[-1]`, packed with `enforce_sorted=False` (728 parameters); Adam at 1e-3, batch
16, 20,000 steps, `CosineAnnealingLR(T_max=20000, eta_min=1e-4)`, and with
`--warmup_step` a `LinearLR` warmup chained into that same cosine by `SequentialLR`;
every 500 steps the accuracy on 100 fresh random samples. `TutorialArgs` holds those
defaults, `RUNGS` the post's commands; `rnn_ref.experiments.tutorial_run` trains them
over seeds with torch's own schedulers.

Data follow the script: one Python `random` stream per run draws a length with
`randint(min, max)`, then each digit with `randint(0, max_number)`, for training batches
and the 100 evaluation samples alike. Beside the tutorial's 100-sample accuracy we
record accuracy on a fixed set of 10,000 sequences, and the loss at every step
(kept as a mean, min and max per 50 steps).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, fields

import torch

from rnn_ref.model import SumModClassifier

__all__ = [
    "SOURCE",
    "TutorialArgs",
    "Rung",
    "RUNGS",
    "TEST_SAMPLES",
    "LOSS_EVERY",
    "draw",
    "batch_of",
    "batches_of",
    "build_model",
    "build_scheduler",
    "held_out_set",
]

SOURCE = {
    "repository": "https://github.com/ShaohonChen/tutorial_with_rnn",
    "script": "train_cls_rnn.py",
    "post": "README_next.md",
}
EVAL_SAMPLES = 100  # the script's evaluation set: 100 fresh samples each time
TEST_SAMPLES = 10_000  # ours: one fixed set, the same for every run and step
TEST_SEED = 777
LOSS_EVERY = 50  # training loss kept as mean, min and max of each 50 steps
LENGTHS = (10, 20, 50, 100)  # extrapolation, 1,000 sequences of each exact length
DATA_FIELDS = ("min_seq_len", "max_seq_len", "max_number")


@dataclass(frozen=True)
class TutorialArgs:
    """The script's command-line arguments, with its defaults.

    `warmup_step` is a float because the script parses it with `type=float`; its default
    is 0 as in commit 316c386 of the script (the version in the post's appendix says
    100). `clip` is not the script's: only our control rung sets it (gradient-norm
    clipping).
    """

    min_seq_len: int = 2
    max_seq_len: int = 5
    max_number: int = 9
    embed_dim: int = 10
    hidden_dim: int = 16
    num_layers: int = 1
    total_steps: int = 20_000
    batch_size: int = 16
    lr: float = 0.001
    min_lr: float = 0.0001
    warmup_step: float = 0.0
    eval_every: int = 500
    clip: float | None = None

    def flags(self) -> str:
        """The command line that differs from the defaults, as the script spells it
        (clipping, which the script cannot do, in words).

        Examples:
            >>> TutorialArgs(batch_size=64, lr=0.005).flags()
            '--batch_size 64 --lr 0.005'
            >>> TutorialArgs(clip=1.0).flags()
            '(the defaults) + gradient norm clipped at 1 (not in the script)'
        """
        default = TutorialArgs()
        changed = [
            f"--{f.name} {_num(getattr(self, f.name))}"
            for f in fields(self)
            if f.name != "clip" and getattr(self, f.name) != getattr(default, f.name)
        ]
        text = " ".join(changed) or "(the defaults)"
        if self.clip:
            text += f" + gradient norm clipped at {_num(self.clip)} (not in the script)"
        return text


def _num(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() and not isinstance(x, bool) else str(x)


@dataclass(frozen=True)
class Rung:
    """A rung: the script's arguments and what the post reports for them (a quotation
    of the post, kept here: `tutorial.json` records only what ran).

    `rule` says how a seed is judged against the post
    (`rnn_ref.experiments.tutorial_verdicts`):
    `near` (final accuracy within 5 points of `value`), `at_least` (final accuracy at
    least `value`), `below` (final accuracy below the mean of rung `value`), `some` (the
    post saw some runs converge and some not), `all` (every run converged); `None` for
    our controls, which the post did not run.
    """

    label: str
    args: TutorialArgs
    reported: str = ""
    rule: str | None = None
    value: float | str | None = None


# --8<-- [start:tutorial_rungs]
_COMBINED = dict(hidden_dim=32, num_layers=3, batch_size=64, lr=0.005)
RUNGS: dict[str, Rung] = {
    "baseline": Rung(
        label="the script's defaults",
        args=TutorialArgs(),
        reported="about 75 % (an 'aha' near step 4k)",
        rule="near",
        value=0.75,
    ),
    "batch64": Rung(
        label="bigger batch",
        args=TutorialArgs(batch_size=64),
        reported="lower than the baseline",
        rule="below",
        value="baseline",
    ),
    "batch64_lr5e-3": Rung(
        label="bigger batch, higher lr",
        args=TutorialArgs(batch_size=64, lr=0.005),
        reported="91 %",
        rule="near",
        value=0.91,
    ),
    "h32x3": Rung(
        label="bigger model",
        args=TutorialArgs(hidden_dim=32, num_layers=3),
        reported="99 % (97-99 %)",
        rule="at_least",
        value=0.97,
    ),
    "combined": Rung(
        label="all three",
        args=TutorialArgs(**_COMBINED),
        reported="1 of 3 runs converged",
        rule="some",
    ),
    "combined_warmup": Rung(
        label="all three + warmup",
        args=TutorialArgs(**_COMBINED, warmup_step=2000.0),
        reported="3 of 3 runs converged, 100 %",
        rule="all",
    ),
    # ours: not in the post; each changes one thing
    "control_lr5e-3": Rung(label="control: the lr alone", args=TutorialArgs(lr=0.005)),
    "control_rnn64_clip": Rung(
        label="control: wider, bigger batch, higher lr, clipped",
        args=TutorialArgs(hidden_dim=64, batch_size=64, lr=0.005, clip=1.0),
    ),
}
# --8<-- [end:tutorial_rungs]


def draw(rng: random.Random, args: TutorialArgs, n: int) -> list[list[int]]:
    """`n` samples the script's way: a length `randint(min, max)`, then its digits.

    Examples:
        >>> draw(random.Random(0), TutorialArgs(), 2)
        [[6, 0, 4, 8, 7], [4, 7, 5, 9, 3]]
    """
    out = []
    for _ in range(n):
        length = rng.randint(args.min_seq_len, args.max_seq_len)
        out.append([rng.randint(0, args.max_number) for _ in range(length)])
    return out


def batch_of(
    seqs: list[list[int]], args: TutorialArgs
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """What `rnn_ref.data.collate` returns (the script's `pad_sequence` with
    `padding_value=max_number + 1`), built in one tensor call: this runs every step.

    Shape:
        ids `(N, L)` int64, `L` the longest sequence; lengths `(N,)` int64 on the CPU;
        targets `(N,)` int64.
    """
    pad, longest = args.max_number + 1, max(len(s) for s in seqs)
    ids = torch.tensor([s + [pad] * (longest - len(s)) for s in seqs])  # (N, L)
    lengths = torch.tensor([len(s) for s in seqs])  # (N,)
    targets = torch.tensor([sum(s) % (args.max_number + 1) for s in seqs])  # (N,)
    return ids, lengths, targets


def build_model(args: TutorialArgs) -> SumModClassifier:
    """The script's network: `Embedding(max_number + 2, embed_dim)` (last row: padding)
    -> tanh `nn.RNN` on the packed batch -> `Linear` on `h_n[-1]`.

    Examples:
        >>> sum(p.numel() for p in build_model(TutorialArgs()).parameters())
        728
    """
    return SumModClassifier(
        num_digits=args.max_number + 1,
        num_classes=args.max_number + 1,
        cell="rnn",
        hidden_size=args.hidden_dim,
        num_layers=args.num_layers,
        embed_dim=args.embed_dim,
    )


def build_scheduler(optimizer: torch.optim.Optimizer, args: TutorialArgs):
    """The script's schedule: a cosine over all `total_steps`; with a warmup, `LinearLR`
    from 1 % for `warmup_step` steps, then `SequentialLR` restarts that same cosine
    (still `T_max=total_steps`)."""
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.total_steps, eta_min=args.min_lr
    )
    if args.warmup_step > 0:
        warmup = torch.optim.lr_scheduler.LinearLR(
            optimizer, start_factor=0.01, end_factor=1.0, total_iters=args.warmup_step
        )
        sched = torch.optim.lr_scheduler.SequentialLR(
            optimizer, schedulers=[warmup, sched], milestones=[args.warmup_step]
        )
    return sched


def batches_of(seqs: list[list[int]], size: int, args: TutorialArgs) -> list:
    """`seqs` cut into batches of `size` (the last one shorter), each `batch_of`."""
    return [batch_of(seqs[i : i + size], args) for i in range(0, len(seqs), size)]


@functools.cache
def held_out_set(args: TutorialArgs, samples: int = TEST_SAMPLES) -> list:
    """Our fixed test set: `samples` sequences from `random.Random(TEST_SEED +
    max_seq_len)` (each length range its own), in batches of 1,000."""
    seqs = draw(random.Random(TEST_SEED + args.max_seq_len), args, samples)
    return batches_of(seqs, 1000, args)
