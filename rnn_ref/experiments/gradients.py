"""How gradients shrink or grow going back in time: measured on real modules.

`state_gradient_norms(rnn, x)` runs a one-layer `nn.RNN`, `nn.GRU` or `nn.LSTM` one step
at a time and returns, for every distance `k = T - t`, the mean over the batch of
`‖∂h_T/∂s_t‖₂` (the largest singular value of the Jacobian of the last hidden state with
respect to the state `s_t` that step `t + 1` reads: `h_t`, or `(h_t, c_t)` for an
LSTM), and, given a classifier head and targets, `‖∂L/∂s_t‖` for the cross-entropy `L`
of the head on `h_T`. `jacobian_curves` makes the measurement on sum-mod classifiers
(trained ones come from `rnn_ref.site.learned`; `untrained` gives the weights a training
run starts from) on digit sequences of several lengths. The gradients page draws them
(`rnn_ref.site.gradient_figures`) and its snippets print them.
"""

from __future__ import annotations

from dataclasses import asdict

import torch
from torch import Tensor, nn

from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask
from rnn_ref.experiments.timing import torch_threads
from rnn_ref.model import SumModClassifier, classifier_kwargs

__all__ = [
    "state_gradient_norms",
    "untrained",
    "jacobian_curves",
    "scaled_init",
    "init_curves",
]


def state_gradient_norms(
    rnn: nn.RNNBase,
    x: Tensor,
    head: nn.Module | None = None,
    target: Tensor | None = None,
) -> dict[str, list[float]]:
    """‖∂h_T/∂s_t‖₂ (and ‖∂L/∂s_t‖) for k = T − t = 1 .. T, averaged over the batch.

    Args:
        rnn: a one-layer, one-direction `nn.RNN`, `nn.GRU` or `nn.LSTM`, batch_first.
        x: its input, `(N, T, H_in)`; the initial state is zeros.
        head: maps `h_T` to logits; with `target`, also measure ‖∂L/∂s_t‖.
        target: class indices `(N,)` for the cross-entropy `L`.

    Returns:
        `{"k": [1, ..., T], "jacobian": [...], "loss": [...]}` (`"loss"` only with a
        head), entry `i` at distance `k[i]`.

    Shape:
        N batch, T length, H hidden size; the Jacobian of one sequence is `(H, H)`, or
        `(H, 2H)` for an LSTM whose state is `(h_t, c_t)`.
    """
    if rnn.num_layers != 1 or rnn.bidirectional or not rnn.batch_first:
        raise ValueError(
            "state_gradient_norms: expected a one-layer, one-direction, batch_first "
            f"module; got num_layers={rnn.num_layers}, bidirectional="
            f"{rnn.bidirectional}, batch_first={rnn.batch_first}"
        )
    N, T, _ = x.shape
    H = rnn.hidden_size
    # the Jacobian in one backward pass: copy each sequence H times, and let copy j
    # send back the gradient of its own h_T[j] only
    x = x.repeat_interleave(H, dim=0)  # (N*H, T, H_in)
    zeros = x.new_zeros(1, N * H, H)  # (1, N*H, H)
    state = (zeros, zeros.clone()) if isinstance(rnn, nn.LSTM) else (zeros,)
    S = len(state)  # state tensors: 1, or 2 for an LSTM
    inputs = []  # the state each step reads, as graph nodes of their own
    for t in range(T):
        state = tuple(
            s.clone().requires_grad_() if t == 0 else s.clone() for s in state
        )
        inputs += state
        _, out = rnn(x[:, t : t + 1], state if S == 2 else state[0])
        state = out if S == 2 else (out,)
    h_T = state[0][0].view(N, H, H)  # (N, copy j, H)

    def per_step(grads) -> Tensor:  # the gradients of inputs, one tensor per t
        return torch.stack(
            [torch.cat(grads[i : i + S], dim=-1)[0] for i in range(0, len(inputs), S)]
        ).view(T, N, H, S * H)  # (T, N, copy j, S*H)

    # copy j's row: ∂h_T[j]/∂s_t, for every t and sequence
    own = h_T.diagonal(dim1=1, dim2=2).sum()
    jacobian = per_step(torch.autograd.grad(own, inputs, retain_graph=True))
    # ‖J‖₂ = σ_max(J), averaged over the batch; flipped so that index 0 is k = 1
    norms = torch.linalg.matrix_norm(jacobian, ord=2).mean(dim=1).flip(0)  # (T,)
    result = {"k": list(range(1, T + 1)), "jacobian": norms.tolist()}
    if head is not None:
        # every copy of a sequence has the same h_T: the loss of copy 0
        loss = nn.functional.cross_entropy(head(h_T[:, 0]), target)
        grads = per_step(torch.autograd.grad(loss, inputs))[:, :, 0]  # (T, N, S*H)
        result["loss"] = grads.norm(dim=-1).mean(dim=1).flip(0).tolist()
    return result


def untrained(config: TrainConfig, cell: str | None = None) -> SumModClassifier:
    """The classifier `train(config)` starts from: its seed's initial weights (with
    `cell`, the same seed's weights for another cell)."""
    torch.manual_seed(config.seed)  # as train does, first thing
    kwargs = {**asdict(config), **({"cell": cell} if cell else {})}
    return SumModClassifier(**classifier_kwargs(kwargs))


@torch.no_grad()
def scaled_init(rnn: nn.RNNBase, kind: str, gain: float = 1.0) -> nn.RNNBase:
    """Re-initialise every `weight_hh` of `rnn`: "orthogonal" (all singular values
    `gain`) or "default" times `gain`."""
    for name, w in rnn.named_parameters():
        if name.startswith("weight_hh"):
            if kind == "orthogonal":
                for block in w.chunk(w.size(0) // w.size(1)):  # one gate at a time
                    nn.init.orthogonal_(block, gain=gain)
            else:
                w.mul_(gain)
    return rnn


@torch_threads(1)  # the same sums in the same order on any machine
def init_curves(T: int = 40, H: int = 64, N: int = 32, seed: int = 0) -> dict:
    """‖∂h_T/∂s_t‖ against k at initialization: torch's default init for the three
    cells, a tanh RNN with orthogonal `weight_hh`, and two exploding cases.

    Returns `{label: {"k": [...], "jacobian": [...], "sigma_max": float | None}}`
    (`sigma_max` of `weight_hh_l0`, RNNs only), the same random input `(N, T, H)` for
    every network.
    """
    x = torch.randn(N, T, H, generator=torch.Generator().manual_seed(seed))
    nets = {
        "tanh RNN, default init": (nn.RNN, {}, "default", 1.0),
        "GRU, default init": (nn.GRU, {}, "default", 1.0),
        "LSTM, default init": (nn.LSTM, {}, "default", 1.0),
        "tanh RNN, orthogonal W_hh": (nn.RNN, {}, "orthogonal", 1.0),
        "tanh RNN, orthogonal x 1.5": (nn.RNN, {}, "orthogonal", 1.5),
        "relu RNN, orthogonal x 1.5": (
            nn.RNN,
            {"nonlinearity": "relu"},
            "orthogonal",
            1.5,
        ),
    }
    curves = {}
    for label, (cls, extra, kind, gain) in nets.items():
        torch.manual_seed(seed)
        rnn = scaled_init(cls(H, H, batch_first=True, **extra), kind, gain)
        curves[label] = state_gradient_norms(rnn, x)
        w_hh = rnn.weight_hh_l0.detach()  # (H, H) for an RNN
        sigma = torch.linalg.matrix_norm(w_hh, ord=2).item() if cls is nn.RNN else None
        curves[label]["sigma_max"] = sigma  # gated cells: no single W_hh to bound
    return curves


@torch_threads(1)  # the same sums in the same order on any machine
def jacobian_curves(
    models: dict[str, SumModClassifier],
    lengths: tuple[int, ...] = (5, 20, 100),
    N: int = 16,
    seed: int = 1,
) -> dict:
    """‖∂h_T/∂s_t‖ of each classifier's recurrent layer on `N` digit sequences of each
    length T, the same sequences for every model.

    Args:
        models: one-layer classifiers, by the name the results use.
        lengths: the sequence lengths T to measure at.
        N: sequences per length, drawn from `seed`.

    Returns:
        `{name: {T: {"k": [1, ..., T], "jacobian": [...]}}}`, T as a string (JSON's
        keys).
    """
    result = {name: {} for name in models}
    for T in lengths:
        g = torch.Generator().manual_seed(seed)
        ids, _, _ = SumModTask().batch(N, g, (T, T))  # (N, T), no padding
        for name, model in models.items():
            x = model.embed(ids).detach()  # (N, T, E)
            result[name][str(T)] = state_gradient_norms(model.rnn, x)
    return result
