"""Training behaviour that mutation testing found unpinned (see mutation/RESULTS.md).

Each test states one behaviour of `rnn_ref.train` that a mutant changed while every
other test still passed.
"""

import torch

from rnn_ref.config import TrainConfig
from rnn_ref.train import train

SHORT = dict(
    cell="gru",
    hidden_size=16,
    batch_size=32,
    steps=6,
    eval_every=6,
    eval_samples=32,
    device="cpu",
    seed=0,
)


def _grad_norms_seen_by_adam(monkeypatch, **overrides):
    """Train SHORT and return the total gradient norm the optimizer stepped with,
    one per step."""
    norms = []
    step = torch.optim.Adam.step

    def recording_step(self, *args, **kwargs):
        grads = [p.grad for g in self.param_groups for p in g["params"]]
        norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", recording_step)
    train(TrainConfig(**{**SHORT, **overrides}))
    return torch.stack(norms)


def test_clip_bounds_the_gradient_norm_of_every_step(monkeypatch):
    """With `clip=c` every optimizer step sees gradients of total norm at most c;
    without it the same run's gradients are larger: clipping is applied, not only
    validated."""
    free = _grad_norms_seen_by_adam(monkeypatch, clip=None)
    clip = float(free.min()) / 2  # below every step's raw norm, so every step clips
    clipped = _grad_norms_seen_by_adam(monkeypatch, clip=clip)
    assert len(free) == len(clipped) == SHORT["steps"]
    assert (free > clip).all()
    assert torch.allclose(clipped, torch.full_like(clipped, clip), rtol=1e-5)
