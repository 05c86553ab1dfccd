"""rnn_ref.experiments.gradients: the measured norms are the Jacobians' norms."""

import dataclasses

import pytest
import torch
from torch import nn

from rnn_ref.config import TrainConfig
from rnn_ref.experiments.gradients import (
    jacobian_curves,
    scaled_init,
    state_gradient_norms,
    untrained,
)
from rnn_ref.train import train


def _by_autograd(rnn, x, t):
    """σ_max of ∂h_T/∂s_t for each sequence, with torch.autograd.functional."""
    norms = []
    for n in range(x.size(0)):
        prefix = x[n : n + 1, :t]
        state = rnn(prefix)[1] if t > 0 else None
        if state is None:
            zeros = torch.zeros(1, 1, rnn.hidden_size)
            state = (zeros, zeros) if isinstance(rnn, nn.LSTM) else zeros
        parts = state if isinstance(rnn, nn.LSTM) else (state,)

        def last(*s, n=n):
            out = rnn(x[n : n + 1, t:], s if len(s) == 2 else s[0])[1]
            return (out[0] if isinstance(out, tuple) else out).flatten()

        jac = torch.autograd.functional.jacobian(last, tuple(p.detach() for p in parts))
        matrix = torch.cat([j.reshape(rnn.hidden_size, -1) for j in jac], dim=1)
        norms.append(torch.linalg.matrix_norm(matrix, ord=2))
    return torch.stack(norms).mean().item()


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
def test_norms_are_the_jacobians_largest_singular_values(cls):
    torch.manual_seed(0)
    rnn, x = cls(3, 4, batch_first=True), torch.randn(3, 6, 3)
    head, target = nn.Linear(4, 5), torch.tensor([0, 1, 2])
    got = state_gradient_norms(rnn, x, head, target)
    assert got["k"] == [1, 2, 3, 4, 5, 6]
    for t in (0, 2, 5):
        assert got["jacobian"][6 - t - 1] == pytest.approx(_by_autograd(rnn, x, t))
    # ‖∂L/∂s_0‖ (k = T): the gradient of the loss with respect to the initial state
    zeros = [torch.zeros(1, 3, 4, requires_grad=True) for _ in range(2)]
    s0 = tuple(zeros) if cls is nn.LSTM else zeros[0]
    h_n = rnn(x, s0)[1]
    h_T = (h_n[0] if cls is nn.LSTM else h_n)[0]  # (N, H)
    loss = nn.functional.cross_entropy(head(h_T), target)
    wrt = zeros if cls is nn.LSTM else zeros[:1]
    grads = torch.cat(torch.autograd.grad(loss, wrt), dim=-1)[0]  # (N, S*H)
    assert got["loss"][-1] == pytest.approx(grads.norm(dim=-1).mean().item())


def test_refuses_a_stacked_module():
    with pytest.raises(ValueError, match="expected a one-layer, one-direction"):
        state_gradient_norms(
            nn.GRU(3, 4, num_layers=2, batch_first=True), torch.ones(1, 2, 3)
        )


def test_orthogonal_init_sets_every_singular_value_of_each_gate_block():
    gru = scaled_init(nn.GRU(4, 4), "orthogonal", gain=1.5)
    for block in gru.weight_hh_l0.detach().chunk(3):
        torch.testing.assert_close(torch.linalg.svdvals(block), torch.full((4,), 1.5))


def test_untrained_is_the_model_train_starts_from():
    """One step at a learning rate of 1e-30 leaves train's initial weights as they were:
    they are `untrained`'s; another cell gets the same seed."""
    config = TrainConfig(
        cell="gru", hidden_size=8, batch_size=4, steps=1, eval_every=1,
        eval_samples=4, lr=1e-30, seed=3, device="cpu",
    )  # fmt: skip
    after = train(config).model.state_dict()
    start = untrained(config).state_dict()
    assert after.keys() == start.keys()
    for name in after:
        torch.testing.assert_close(after[name], start[name], rtol=0, atol=1e-20)
    rnn = untrained(config, cell="rnn")
    assert isinstance(rnn.rnn, nn.RNN) and torch.equal(
        rnn.embed.weight,
        untrained(dataclasses.replace(config, cell="rnn")).embed.weight,
    )


def test_jacobian_curves_measure_every_model_on_the_same_sequences():
    config = TrainConfig(cell="gru", hidden_size=8, device="cpu")
    models = {"a": untrained(config), "b": untrained(config)}
    curves = jacobian_curves(models, lengths=(3, 6), N=2)
    assert list(curves) == ["a", "b"] and list(curves["a"]) == ["3", "6"]
    assert curves["a"] == curves["b"]  # same weights, same sequences
    assert curves["a"]["6"]["k"] == [1, 2, 3, 4, 5, 6]
