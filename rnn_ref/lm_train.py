"""Training the character-level language model (`rnn_ref.lm`) with truncated BPTT.

The training text is cut into `batch_size` streams (`stream_batches`); each step takes
the next `bptt` characters of every stream, starts from the state the previous step
ended in, and detaches that state afterwards. At the end of the text every stream
starts again from zeros. A run directory (`--out`) is the classifier's, claimed and
written by the same code (`rnn_ref.rundir`, `rnn_ref.checkpoint`): `config.json` (an
`LMConfig`, with the vocabulary), `model.pt`, `state.pt` (weights, optimizer, step, the
carried state) and `metrics.jsonl`, one line per evaluation on the held-out end of the
text; locked, checksummed, resumable after a kill at any moment.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from rnn_ref import checkpoint, rundir
from rnn_ref.config import check_fields
from rnn_ref.errors import CheckpointError, InputError, TrainingDiverged
from rnn_ref.lm import LM_CELLS, CharLM, Vocab, detach_state, load_text, stream_batches
from rnn_ref.memory import check_memory, step_bytes

__all__ = [
    "LMConfig",
    "LMResult",
    "train_lm",
    "evaluate_lm",
    "read_lm_config",
    "load_lm",
]

_VAL_STREAMS = 8  # streams the held-out text is cut into for evaluation


@dataclass
class LMConfig:
    """Everything that defines a language-model run; saved as `config.json`."""

    text: str | None = None  # a UTF-8 file; None: the bundled Paradise Lost
    cell: str = "gru"  # gru | lstm
    embed_dim: int = 32
    hidden_size: int = 256
    num_layers: int = 1
    batch_size: int = 32
    bptt: int = 64  # k: steps per chunk; a gradient flows back k - 1 steps at most
    lr: float = 3e-3
    clip: float | None = 1.0  # max gradient norm; None: no clipping
    steps: int = 2000
    eval_every: int = 200
    val_fraction: float = 0.05  # the end of the text, held out
    seed: int = 0
    chars: str | None = None  # the vocabulary, filled in from the text
    out: str | None = None

    def __post_init__(self) -> None:
        check_fields(self)  # types, and sizes within rnn_ref.config.LIMITS
        if self.cell not in LM_CELLS:
            raise InputError(
                f"cell must be one of {', '.join(LM_CELLS)}; got {self.cell!r}"
            )
        for name in ("embed_dim", "hidden_size", "num_layers", "batch_size", "bptt"):
            value = getattr(self, name)
            if value < 1:
                raise InputError(f"{name} must be a positive integer; got {value!r}")
        for name in ("steps", "eval_every"):
            value = getattr(self, name)
            if value < 1:
                raise InputError(f"{name} must be a positive integer; got {value!r}")
        if not 0 < self.lr < math.inf:
            raise InputError(f"lr must be a positive number; got {self.lr!r}")
        if self.clip is not None and not 0 < self.clip < math.inf:
            raise InputError(f"clip must be a positive number or None; got {self.clip}")
        if not 0 <= self.seed < 2**63:
            raise InputError(f"seed must be in 0 .. 2**63 - 1; got {self.seed!r}")
        if not 0 < self.val_fraction < 1:
            raise InputError(
                f"val_fraction must be between 0 and 1; got {self.val_fraction}"
            )
        if self.chars is not None and self.chars != "".join(sorted(set(self.chars))):
            raise InputError(
                f"chars must be the vocabulary's distinct characters, sorted; got "
                f"{self.chars[:40]!r}"
            )
        if self.out == "":
            raise InputError(
                "--out is empty; expected the run directory, e.g. --out runs/lm"
            )
        vocab = len(self.chars) if self.chars else 2  # checked again once known
        tokens = max(self.batch_size, _VAL_STREAMS) * self.bptt
        need = step_bytes(
            self.cell, self.hidden_size, self.num_layers, self.embed_dim,
            inputs=vocab, outputs=vocab, tokens=tokens, logits=tokens * vocab,
        )  # fmt: skip
        lower = "--hidden-size, --num-layers, --batch-size or --bptt"
        check_memory(need, "this run", lower)

    @classmethod
    def from_dict(cls, d: dict) -> LMConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise InputError(f"unknown LMConfig fields {unknown}; expected {known}")
        return cls(**d)


@dataclass
class LMResult:
    """What `train_lm` returns: the model (eval mode), its vocabulary, its metrics."""

    model: CharLM
    vocab: Vocab
    metrics: list[dict]


def _model(config: LMConfig) -> CharLM:
    return CharLM(
        len(config.chars),
        config.embed_dim,
        config.hidden_size,
        config.num_layers,
        config.cell,
    )


@torch.no_grad()
def evaluate_lm(model: CharLM, ids: torch.Tensor, bptt: int) -> float:
    """Mean cross-entropy (nats per character) of predicting each next character of
    `ids`, read as `_VAL_STREAMS` streams with the state carried across chunks.

    Shape:
        ids: `(T,)` character ids, cut into at most `_VAL_STREAMS` streams of equal
        length and read `bptt` steps at a time. Returns a Python float.
    """
    model.eval()
    streams = stream_batches(ids, min(_VAL_STREAMS, ids.numel() // 2))  # (N, T)
    total, count, hx = 0.0, 0, None
    for start in range(0, streams.shape[1] - 1, bptt):
        x = streams[:, start : start + bptt]  # (N, k)
        y = streams[:, start + 1 : start + 1 + bptt]
        x = x[:, : y.shape[1]]
        logits, hx = model(x, hx)  # (N, k, V)
        total += nn.functional.cross_entropy(
            logits.flatten(0, 1), y.flatten(), reduction="sum"
        ).item()
        count += y.numel()
    model.train()
    return total / count


def train_lm(
    config: LMConfig, resume: bool = False, progress: bool = False
) -> LMResult:
    """Run (or resume) truncated-BPTT training; return the model and its metrics.

    Each metrics dict has `step`, `cpu_seconds` and `seconds` (training only, evaluation
    excluded), `train_loss` (mean since the last evaluation) and `val_loss` (nats per
    character on the held-out text) with `val_bpc` (the same in bits).
    """
    out = Path(config.out) if config.out is not None else None
    if resume and out is None:
        raise InputError("resume needs the run directory: pass --out DIR")
    text = load_text(config.text)
    vocab = Vocab(config.chars or text)
    config.chars = vocab.chars
    config.__post_init__()  # checked again: the memory estimate knows the vocabulary
    ids = vocab.encode(text)
    # (N, T): a text too short for the batch is refused before the run is claimed
    streams = stream_batches(ids[: _split(ids, config)], config.batch_size)
    lock = None
    if out is not None:
        files = checkpoint.run_files(config, [])
        lock = rundir.claim(out, resume, read_lm_config, files)
    try:
        return _train_lm(config, resume, progress, out, vocab, ids, streams)
    finally:
        if lock is not None:
            lock.release()


def _split(ids: torch.Tensor, config: LMConfig) -> int:
    return int(len(ids) * (1 - config.val_fraction))  # the rest is held out


def _train_lm(config, resume, progress, out, vocab, ids, streams) -> LMResult:
    split = _split(ids, config)
    starts = list(range(0, streams.shape[1] - 1, config.bptt))
    torch.manual_seed(config.seed)
    model = _model(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    step, cpu, wall, loss_sum, metrics, hx = 0, 0.0, 0.0, 0.0, [], None
    if resume:
        state, metrics = checkpoint.resume(
            out, model, optimizer, config.steps, "lm train"
        )
        if metrics is None:  # nothing to train, and nothing rewritten
            return LMResult(model.eval(), vocab, [])
        if state is not None:  # else: stopped before its first checkpoint, from 0
            step, cpu, wall = state["step"], state["cpu_seconds"], state["seconds"]
            hx = tuple(state["hx"]) if config.cell == "lstm" else state["hx"][0]
        # the metrics of the checkpoint's steps, and the flags of this command line
        rundir.commit(out, checkpoint.run_files(config, metrics))
    bar = tqdm(total=config.steps, initial=step, disable=not progress, file=sys.stderr)
    model.train()
    while step < config.steps:
        t0, c0 = time.perf_counter(), time.process_time()
        start = starts[step % len(starts)]
        if start == 0:
            hx = None  # a new pass over the text: every stream starts from zeros
        # --8<-- [start:tbptt_step]
        x = streams[:, start : start + config.bptt]  # (N, k)
        y = streams[:, start + 1 : start + 1 + config.bptt]  # the next characters
        x = x[:, : y.shape[1]]  # the last chunk may be shorter
        logits, hx = model(x, hx)  # starts where the previous chunk ended
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # through this chunk's k steps only
        if config.clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        optimizer.step()
        hx = detach_state(hx)  # carry the values, drop the graph
        # --8<-- [end:tbptt_step]
        if not torch.isfinite(loss):
            bar.close()
            raise TrainingDiverged(
                f"loss became {loss.item()} at step {step + 1}; lower --lr or keep "
                "--clip"
            )
        step += 1
        cpu += time.process_time() - c0
        wall += time.perf_counter() - t0
        loss_sum += loss.item()
        bar.update(1)
        if step % config.eval_every == 0 or step == config.steps:
            val = evaluate_lm(model, ids[split:], config.bptt)
            if not math.isfinite(val):  # so no checkpoint holds a diverged model
                bar.close()
                raise TrainingDiverged(
                    f"the validation loss became {val} at step {step}; lower --lr"
                )
            since = step - (metrics[-1]["step"] if metrics else 0)
            line = {
                "step": step,
                "cpu_seconds": round(cpu, 2),
                "seconds": round(wall, 2),
                "train_loss": loss_sum / since,
                "val_loss": val,
                "val_bpc": val / math.log(2),
            }
            metrics.append(line)
            loss_sum = 0.0
            bar.set_postfix(val_loss=f"{val:.3f}")
            if out is not None:
                carried = list(hx) if isinstance(hx, tuple) else [hx]
                checkpoint.save(
                    out, config, model, optimizer, metrics,
                    step=step, cpu_seconds=cpu, seconds=wall, hx=carried,
                )  # fmt: skip
    bar.close()
    return LMResult(model.eval(), vocab, metrics)


def read_lm_config(directory: Path) -> LMConfig:
    """A run's `config.json` as an `LMConfig`; else a `CheckpointError`."""
    path, data = checkpoint.config_data(directory, "rnn-ref lm train")
    try:
        config = LMConfig.from_dict(rundir.load_json(data))
        if not config.chars:
            raise ValueError("no vocabulary (chars)")
    except (ValueError, TypeError, AttributeError) as e:
        raise CheckpointError(
            f"{path} is not a language-model config ({str(e)[:150]}); expected one "
            "written by `rnn-ref lm train`: re-train or restore the file"
        ) from None
    return config


def load_lm(directory: str | Path) -> tuple[CharLM, Vocab, LMConfig]:
    """A trained language model (eval mode), its vocabulary and config, from a run
    directory written by `train_lm`."""
    directory = Path(directory)
    config = read_lm_config(directory)
    model = _model(config)
    try:
        model.load_state_dict(checkpoint.safe_load(directory / "model.pt"))
    except (RuntimeError, TypeError, AttributeError) as e:
        raise CheckpointError(
            f"{directory / 'model.pt'} does not fit the model in config.json "
            f"({str(e)[:150]}); keep model.pt and config.json from the same run"
        ) from None
    return model.eval(), Vocab(config.chars), config
