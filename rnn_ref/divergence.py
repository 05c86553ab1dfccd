"""Divergence: stop training on the first NaN or infinity, and say what to do.

`stop_if_diverged` checks the loss and every gradient before the optimizer step, and
every weight and the optimizer's state after it (Adam's second moment can overflow to
infinity while the loss is still finite); the `TrainingDiverged` it raises names the
step, the learning rate, the fixes to try, and the last good checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from rnn_ref.errors import TrainingDiverged

__all__ = ["stop_if_diverged", "last_good"]


def last_good(out: Path | None, saved: bool) -> str:
    """The end of a divergence message: where the last good checkpoint is and how to
    resume from it (`saved`), that none was written yet, or nothing without `out`."""
    if out is None:
        return ""
    if saved:
        return (
            f"; the last good checkpoint (finite evaluation) is in {out}: "
            f"`rnn-ref train --resume --out {out}` with other flags continues it"
        )
    return "; no checkpoint was written yet"


def stop_if_diverged(
    loss: torch.Tensor,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    when: str,
    step: int,
    lr: float,
    out: Path | None,
    saved: bool,
    bar,
    grad_norm: torch.Tensor | None = None,
) -> None:
    """`TrainingDiverged` when the loss, a gradient or the gradients' total norm
    (`when="before"` the optimizer step; the norm of finite gradients can overflow) or
    a weight or the optimizer's state (`"after"`) is NaN or infinite.

    Shape:
        loss: a scalar. grad_norm: a scalar or None. Every parameter, gradient and
        optimizer state is checked whatever its shape.
    """
    if when == "before":
        tensors = {"loss": [loss.detach()]}
        tensors["a gradient"] = [
            p.grad for p in model.parameters() if p.grad is not None
        ]
        if grad_norm is not None:
            tensors["the gradients' norm"] = [grad_norm]
    else:
        tensors = {"a weight": list(model.parameters())}
        tensors["the optimizer's state"] = [
            v
            for s in optimizer.state.values()
            for v in s.values()
            if isinstance(v, torch.Tensor) and v.is_floating_point()
        ]
    for what, group in tensors.items():
        # amax propagates NaN and inf: one number per tensor, one sync per group
        if (
            group
            and not torch.isfinite(
                torch.stack([t.detach().abs().amax().float() for t in group])
            ).all()
        ):
            bar.close()
            value = f"{loss.item()}" if what == "loss" else "non-finite"
            raise TrainingDiverged(
                f"{what} became {value} at step {step + 1} (loss {loss.item():.3g}, "
                f"lr {lr:.3g}), so training stopped; lower --lr, add --warmup-steps, "
                f"or clip gradients with --clip 1.0{last_good(out, saved)}"
            )
