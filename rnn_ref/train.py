"""Training the sum-mod classifier: config, schedule, loop, evaluation, checkpoints.

One function, `train`, runs a whole (or resumed) run from a `TrainConfig`:

* seeds: `torch.manual_seed(seed)` fixes the initial weights, a private
  `torch.Generator` fixes the training stream, and each evaluation draws its own fresh
  samples from `seed` and `step` -- so the same seed gives the same loss curve on the
  CPU;
* Adam or AdamW, linear warmup then cosine decay to zero at `steps`, optional gradient
  clipping;
* every `eval_every` steps: a line in `metrics.jsonl` and a checkpoint in `out`:
  `model.pt` (a plain `state_dict`), `state.pt` (optimizer, step, RNG states: plain
  tensors and numbers) and `config.json` -- all loadable with
  `torch.load(weights_only=True)`;
* resuming reloads all of that, so an interrupted run continues the very same curve
  (with the same `steps`; see `lr_at` for a larger one);
* a NaN or infinite loss, gradient, weight or optimizer state stops the run with
  `TrainingDiverged`; a checkpoint is only written after a finite evaluation;
* the run directory is locked and written crash-safely (`rnn_ref.rundir`).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from rnn_ref import checkpoint, distributed, rundir
from rnn_ref.config import TrainConfig, eval_batch, resolve_device
from rnn_ref.data import SumModTask, curriculum_lengths
from rnn_ref.divergence import last_good, stop_if_diverged
from rnn_ref.errors import InputError, TrainingDiverged
from rnn_ref.model import SumModClassifier, classifier_kwargs

__all__ = [
    "TrainResult",
    "lr_at",
    "evaluate",
    "accuracy_by_length",
    "train",
    "read_metrics",
]


@dataclass
class TrainResult:
    """What `train` returns: the trained model (in eval mode) and its metrics."""

    model: SumModClassifier
    metrics: list[dict]


# --8<-- [start:lr_at]
def lr_at(config: TrainConfig, step: int) -> float:
    """Learning rate at optimizer step `step` (0-based): linear warmup, cosine to 0."""
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    # lr * (1 + cos(pi * progress)) / 2
    return config.lr * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


# --8<-- [end:lr_at]


@torch.no_grad()
def evaluate(
    model: nn.Module,
    task: SumModTask,
    samples: int,
    seed: int,
    lengths: tuple[int, int] | None = None,
    chunk: int = 500,
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on `samples` fresh sequences drawn from `seed`.

    Args:
        lengths: `(lo, hi)`; `None` means the task's `(min_len, max_len)`.
        chunk: sequences per forward pass (bounds the memory for long sequences).
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    loss_sum, correct = 0.0, 0
    longest = lengths[1] if lengths is not None else task.max_len
    chunk = eval_batch(samples, longest, chunk)  # memory flat in the length
    for start in range(0, samples, chunk):
        ids, n, y = task.batch(min(chunk, samples - start), g, lengths)
        logits = model(ids.to(device), n)  # (N, C)
        y = y.to(device)
        loss_sum += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
    model.train(was_training)
    return loss_sum / samples, correct / samples


def accuracy_by_length(
    model: nn.Module,
    task: SumModTask,
    lengths: list[int],
    samples: int = 1000,
    seed: int = 12345,
) -> list[dict]:
    """Accuracy on `samples` sequences of each exact length `k`, drawn from the seed
    `seed + k` (as `evaluate(model, task, samples, seed + k, (k, k))`):
    `[{length, accuracy, n}]`."""
    return [
        {
            "length": k,
            "accuracy": evaluate(model, task, samples, seed + k, (k, k))[1],
            "n": samples,
        }
        for k in lengths
    ]


def read_metrics(out: str | Path) -> list[dict]:
    """The evaluation lines of a run's `metrics.jsonl`."""
    path = Path(out) / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def train(
    config: TrainConfig,
    resume: bool = False,
    stop_at: int | None = None,
    progress: bool = False,
) -> TrainResult:
    """Run (or resume) training; return the model and its metrics, one per evaluation
    (none when a resumed run already holds `config.steps` steps: nothing is written).

    Args:
        config: the run; `config.out` receives checkpoints and `metrics.jsonl` when set.
        resume: continue from the checkpoint in `config.out` (its optimizer, step and
            RNG states).
        stop_at: stop after this many steps, as if interrupted (the schedule still ends
            at `steps`).
        progress: show a tqdm bar (loss, accuracy) on stderr.

    Under `torchrun` (`WORLD_SIZE` > 1) it trains with `DistributedDataParallel`, each
    rank on its own length bucket of every global batch; only rank 0 evaluates and
    saves, and only rank 0 gets the metrics (see `rnn_ref.distributed`).

    Each metrics dict has `step`, `seconds` (training time, evaluation excluded), `loss`
    and `accuracy` (on `eval_samples` fresh sequences), `train_loss` (mean since the
    last evaluation), `lr`, and the gradient's total norm before clipping since the
    last evaluation: `grad_norm` (mean), `grad_norm_max`, and `clipped` (the fraction
    of steps whose norm exceeded `clip`; 0 without clipping).
    """
    out = Path(config.out) if config.out else None
    # joins the torchrun process group, if any
    device = distributed.setup(resolve_device(config.device))
    lock = (
        rundir.claim(
            out, resume, checkpoint.read_config, checkpoint.run_files(config, [])
        )
        if out is not None and distributed.is_main()
        else None
    )
    try:
        return _train(config, resume, stop_at, progress, out, device)
    finally:
        if lock is not None:
            lock.release()


def _train(
    config: TrainConfig,
    resume: bool,
    stop_at: int | None,
    progress: bool,
    out: Path | None,
    device: torch.device,
) -> TrainResult:
    torch.manual_seed(config.seed)
    model = SumModClassifier(**classifier_kwargs(asdict(config))).to(device)
    opt_class = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    optimizer = opt_class(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    data_rng = torch.Generator().manual_seed(config.seed)
    step, seconds, loss_sum, loss_count, metrics = 0, 0.0, 0.0, 0, []
    clip_stats = [0.0, 0.0, 0]  # gradient norm: sum, max, steps clipped
    saved = False  # whether out holds a checkpoint of this run

    if resume:
        if out is None:
            raise InputError(
                "resume needs the run directory; pass --out DIR (or the same "
                "--run_name)"
            )
        state, metrics = checkpoint.resume(out, model, optimizer, config.steps)
        if metrics is None:  # nothing to train, and nothing rewritten
            return TrainResult(model.eval(), [])
        if state is not None:  # else: stopped before its first checkpoint, from 0
            data_rng.set_state(state["data_rng"])
            torch.set_rng_state(state["torch_rng"])
            step, seconds = state["step"], state["seconds"]
            loss_sum, loss_count = state["loss_sum"], state["loss_count"]
            # gradient-norm sums since the last evaluation; absent from older ones
            clip_stats = list(state.get("clip_stats", [0.0, 0.0, 0]))
            saved = True
    # DDP under torchrun (once every rank is here), else model
    net = distributed.wrap(model, device)
    if not distributed.is_main():
        out = None  # only rank 0 writes metrics and checkpoints
    if out is not None and resume:  # the metrics of the checkpoint's steps, nothing
        # after, and the flags changed on this command line (e.g. --steps)
        rundir.commit(out, checkpoint.run_files(config, metrics))

    end = min(config.steps, stop_at) if stop_at is not None else config.steps
    task = config.task
    bar = tqdm(
        total=config.steps,
        initial=step,
        disable=not progress or not distributed.is_main(),
        file=sys.stderr,
        dynamic_ncols=True,
        leave=False,
    )
    model.train()
    while step < end:
        t0 = time.perf_counter()
        # --8<-- [start:step]
        ids, lengths, targets = task.batch(
            config.batch_size * distributed.get_world_size(),
            data_rng,
            curriculum_lengths(task, step, config.length_curriculum),
        )
        # this rank's bucket
        ids, lengths, targets = distributed.shard(
            ids, lengths, targets, step, config.seed
        )
        lr = lr_at(config, step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = nn.functional.cross_entropy(
            net(ids.to(device), lengths), targets.to(device)
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.clip is not None:  # rescale g to norm clip if ‖g‖ > clip
            norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        else:  # ‖g‖ over all parameters, as clip_grad_norm_ returns it
            grads = [p.grad for p in model.parameters() if p.grad is not None]
            norm = nn.utils.get_total_norm(grads)
        stop_if_diverged(
            loss, model, optimizer, "before", step, lr, out, saved, bar, grad_norm=norm
        )
        optimizer.step()
        stop_if_diverged(loss, model, optimizer, "after", step, lr, out, saved, bar)
        # --8<-- [end:step]
        step += 1
        seconds += time.perf_counter() - t0
        loss_sum, loss_count = (
            loss_sum + distributed.mean(loss.detach()).item(),
            loss_count + 1,
        )
        norm = norm.item()  # [sum, max, steps clipped] since the last evaluation
        clip_stats = [clip_stats[0] + norm, max(clip_stats[1], norm), clip_stats[2]]
        clip_stats[2] += config.clip is not None and norm > config.clip
        bar.update(1)
        if distributed.is_main() and (
            step % config.eval_every == 0 or step == config.steps
        ):
            eval_seed = (
                config.seed * 1_000_003 + step
            ) % 2**63  # the same as before for seeds < 2**43
            eval_loss, acc = evaluate(model, task, config.eval_samples, seed=eval_seed)
            if not math.isfinite(eval_loss):
                bar.close()
                raise TrainingDiverged(
                    f"the evaluation loss became {eval_loss} at step {step}, so "
                    f"training stopped; lower --lr or clip gradients with --clip 1.0"
                    f"{last_good(out, saved)}"
                )
            line = {
                "step": step,
                "seconds": round(seconds, 4),
                "loss": eval_loss,
                "accuracy": acc,
                "train_loss": loss_sum / loss_count,
                "lr": lr,
                "grad_norm": clip_stats[0] / loss_count,  # mean, before clipping
                "grad_norm_max": clip_stats[1],
                "clipped": clip_stats[2] / loss_count,  # fraction of steps
            }
            metrics.append(line)
            loss_sum, loss_count, clip_stats = 0.0, 0, [0.0, 0.0, 0]
            bar.set_postfix(loss=f"{eval_loss:.4f}", acc=f"{acc:.2%}")
        if out is not None and (step % config.eval_every == 0 or step == end):
            checkpoint.save(
                out, config, model, optimizer, metrics,
                step=step, seconds=seconds, loss_sum=loss_sum, loss_count=loss_count,
                clip_stats=clip_stats, data_rng=data_rng.get_state(),
                torch_rng=torch.get_rng_state(),
            )  # fmt: skip
            saved = True
    bar.close()
    return TrainResult(model.eval(), metrics)
