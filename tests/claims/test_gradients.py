"""Claims made on docs/gradients.md, each asserted against torch.nn."""

import json
import math
import re

import pytest
import torch
from torch import nn

from rnn_ref.bptt import manual_backward
from rnn_ref.experiments.gradients import (
    init_curves,
    scaled_init,
    state_gradient_norms,
    untrained,
)
from rnn_ref.site import paths
from rnn_ref.site.words import VANISHED

F64 = torch.float64
CELLS = [nn.RNN, nn.GRU, nn.LSTM]


@pytest.fixture(scope="module")
def at_init():
    return {seed: init_curves(T=40, H=64, N=32, seed=seed) for seed in (0, 1, 2)}


@pytest.mark.parametrize("kind", ["tanh", "relu", "gru", "lstm"])
def test_manual_backward_equals_autograd_for_every_cell(kind):
    """manual_backward gives autograd's gradients (float64, to 1e-12) for every
    parameter, the input and the initial state, stacked and bidirectional."""
    torch.manual_seed(0)
    cls = nn.GRU if kind == "gru" else nn.LSTM if kind == "lstm" else nn.RNN
    extra = {"nonlinearity": kind} if cls is nn.RNN else {}
    m = cls(3, 5, num_layers=2, bidirectional=True, dtype=F64, **extra)
    x = torch.randn(7, 4, 3, dtype=F64, requires_grad=True)
    states = [torch.randn(4, 4, 5, dtype=F64, requires_grad=True)]
    states += [torch.randn(4, 4, 5, dtype=F64, requires_grad=True)] * (cls is nn.LSTM)
    hx = tuple(states) if cls is nn.LSTM else states[0]
    out, h_n = m(x, hx)
    finals = list(h_n) if cls is nn.LSTM else [h_n]
    grads = [torch.randn_like(t) for t in (out, *finals)]
    auto = torch.autograd.grad([out, *finals], [x, *states, *m.parameters()], grads)
    mine = manual_backward(
        m,
        x.detach(),
        tuple(s.detach() for s in states) if cls is nn.LSTM else hx.detach(),
        grads[0],
        tuple(grads[1:]) if cls is nn.LSTM else grads[1],
    )
    mine_hx = list(mine["hx"]) if cls is nn.LSTM else [mine["hx"]]
    names = [n for n, _ in m.named_parameters()]
    assert set(mine) == {"input", "hx", *names}
    ours = [mine["input"], *mine_hx, *(mine[n] for n in names)]
    for a, b in zip(auto, ours, strict=True):
        assert (a - b).abs().max() < 1e-12


@pytest.mark.parametrize("H", [16, 64, 256])
@pytest.mark.parametrize("cls", CELLS)
def test_default_init_is_uniform_within_one_over_sqrt_h(cls, H):
    """Every weight and bias starts in U(-1/sqrt(H), 1/sqrt(H)) whatever the input
    size: within the bound, filling it, with the uniform's standard deviation
    1/sqrt(3H)."""
    bound = H**-0.5
    for input_size in (3, H, 300):
        torch.manual_seed(0)
        for name, p in cls(input_size, H).named_parameters():
            assert p.abs().max() <= bound, (input_size, name)
            if name.startswith("weight_hh"):  # enough values to see the shape
                assert p.abs().max() > 0.99 * bound, name
                assert p.std().item() == pytest.approx((3 * H) ** -0.5, rel=0.05)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize(
    "kind, gain",
    [("default", 1.0), ("orthogonal", 1.0), ("orthogonal", 1.5), ("default", 3.0)],
)
def test_jacobian_norm_is_bounded_by_sigma_max_to_the_k(nonlinearity, kind, gain):
    """‖∂h_T/∂h_t‖₂ ≤ σ_max(W_hh)^k for a tanh (or relu) RNN: each factor
    diag(f'(a)) W_hh has norm at most σ_max(W_hh), since |f'| ≤ 1."""
    for seed in range(3):
        torch.manual_seed(seed)
        rnn = nn.RNN(16, 16, batch_first=True, nonlinearity=nonlinearity)
        scaled_init(rnn, kind, gain)
        sigma = torch.linalg.matrix_norm(rnn.weight_hh_l0, ord=2).item()
        x = 2 * torch.randn(8, 25, 16)
        norms = state_gradient_norms(rnn, x)
        for k, norm in zip(norms["k"], norms["jacobian"], strict=True):
            assert norm <= sigma**k * (1 + 1e-5), (seed, k)


@pytest.mark.slow  # its fixture trains (about 25 s)
def test_default_init_sigma_max_exceeds_one_but_the_gradient_still_vanishes(at_init):
    """At torch's default init (H = 64) σ_max(W_hh) is above 1, so the bound allows
    growth, yet the tanh RNN's ‖∂h_T/∂h_t‖ falls below 1e-2 within 10 steps and below
    1e-10 by 40."""
    for curves in at_init.values():
        c = curves["tanh RNN, default init"]
        assert c["sigma_max"] > 1
        assert c["jacobian"][9] < 1e-2 and c["jacobian"][39] < 1e-10


def test_gated_cells_vanish_too_at_initialization(at_init):
    """At initialization the GRU and the LSTM vanish as well: below 1e-3 by k = 20."""
    for curves in at_init.values():
        for label in ("GRU, default init", "LSTM, default init"):
            assert curves[label]["jacobian"][19] < 1e-3, label


def test_orthogonal_init_slows_the_vanishing_but_does_not_stop_it(at_init):
    """Orthogonal W_hh (every singular value 1) keeps ‖∂h_T/∂h_t‖ more than 1000x
    larger at k = 20 than the default init, but it still falls below 1e-3 by k = 40."""
    for curves in at_init.values():
        ortho, default = (
            curves["tanh RNN, orthogonal W_hh"],
            curves["tanh RNN, default init"],
        )
        assert ortho["sigma_max"] == pytest.approx(1.0, abs=1e-5)
        assert ortho["jacobian"][19] > 1000 * default["jacobian"][19]
        assert ortho["jacobian"][39] < 1e-3


def test_scaled_weights_explode_with_relu_and_saturate_with_tanh(at_init):
    """Orthogonal W_hh times 1.5: the relu RNN's gradient grows past 10 by k = 40
    (exploding); the tanh RNN's stays between 0.5 and 5 (tanh saturates: its
    derivative shrinks as |h| approaches 1)."""
    for curves in at_init.values():
        relu = curves["relu RNN, orthogonal x 1.5"]["jacobian"]
        tanh = curves["tanh RNN, orthogonal x 1.5"]["jacobian"]
        assert relu[39] > 10 and relu[39] > relu[9]
        assert all(0.5 < v < 5 for v in tanh)


# After training: the training page's two GRUs (rnn_ref.site.learned, trained once per
# process and shared with tests/claims/test_training.py), measured by
# rnn_ref.site.gradient_figures.training_jacobians as the page's figure and snippet are.


def _trained_curves() -> dict:
    """The norms by model and T, and what rnn_ref.site.learned measured of states."""
    from rnn_ref.site import gradient_figures as g
    from rnn_ref.site import learned

    c = {n: {T: v["jacobian"] for T, v in by.items()}
         for n, by in g.training_jacobians().items()}  # fmt: skip
    return c, {g.WIDE: learned.measure()["lengths 1-20"],
               g.SHORT: learned.measure()["lengths 2-5"]}  # fmt: skip


@pytest.mark.slow  # trains the two GRUs, unless this process already has
def test_the_gru_that_holds_the_running_sum_has_a_vanishing_gradient():
    """The GRU trained on lengths 1-20 reads the running sum right at >= 97.5 % of the
    states at every step from 100 to 1000 (as on the training page), yet its
    ‖∂h_T/∂h_t‖ at T = 100 shrinks going back (a mean factor below 0.99 per step) and
    has vanished (< 1e-6) at k = 100; at T = 20, inside its training lengths, it has
    not vanished at k = 20. A small change
    to h_50 is pulled back: at step 100 less than 1/1000 of it is left, and the head
    reads the same sums."""
    from rnn_ref.site import gradient_figures as g
    from rnn_ref.site import learned

    c, states = _trained_curves()
    w = c[g.WIDE]["100"]
    assert min(states[g.WIDE]["head_accuracy"][99:]) >= 0.975
    assert (w[99] / w[0]) ** (1 / 99) < 0.99 and w[99] < VANISHED
    assert c[g.WIDE]["20"][19] >= VANISHED
    model = learned.trained("lengths 1-20")
    ids = torch.randint(0, 10, (16, 100), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        x = model.embed(ids)  # (N, 100, E)
        _, h50 = model.rnn(x[:, :50])  # (1, N, H)
        delta = 1e-3 * torch.randn(
            h50.shape, generator=torch.Generator().manual_seed(6)
        )
        _, h = model.rnn(x[:, 50:], h50)
        _, moved = model.rnn(x[:, 50:], h50 + delta)
    left = (moved - h).norm(dim=-1) / delta.norm(dim=-1)  # (1, N)
    assert left.max() < 1e-3
    assert torch.equal(model.head(h[0]).argmax(-1), model.head(moved[0]).argmax(-1))


@pytest.mark.slow
def test_the_gru_that_drifts_has_a_norm_above_one_past_its_lengths():
    """The GRU trained on lengths 2-5: its ‖∂h_T/∂h_t‖ is above 1 at every k, at T = 5
    and at T = 100, where its largest is above the automaton's largest; by step 100 its
    states are more than twice as far from their own sum's centroid as at step 5, and
    its head reads the running sum right at under half of them."""
    from rnn_ref.site import gradient_figures as g

    c, states = _trained_curves()
    s = c[g.SHORT]
    assert min(s["5"]) > 1 and min(s["100"]) > 1
    assert max(s["100"]) > max(c[g.WIDE]["100"])
    drift = states[g.SHORT]["drift"]
    assert drift[99] > 2 * drift[4] and states[g.SHORT]["head_accuracy"][99] < 0.5


@pytest.mark.slow
def test_training_slows_the_vanishing_over_the_training_lengths_without_stopping_it():
    """Both GRUs start from the same weights (one seed, one architecture); training on
    lengths 1-20 made ‖∂h_T/∂h_t‖ at k = 20 (T = 100) more than 10x larger than at
    those weights, and at k = 100 both have vanished (< 1e-6)."""
    from rnn_ref.site import gradient_figures as g
    from rnn_ref.site import learned

    a, b = (untrained(learned.MODELS[n]).state_dict() for n in learned.MODELS)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    c, _ = _trained_curves()
    w, i = c[g.WIDE]["100"], c["GRU, at init"]["100"]
    assert w[19] > 10 * i[19]
    assert max(w[99], i[99]) < VANISHED


@pytest.mark.slow
def test_gated_cells_start_with_more_gradient_and_learned_more_reliably():
    """At the starting weights, ‖∂h_20/∂h_0‖ (T = 20, k = 20) of the GRU is more than
    10x the tanh RNN's from the same seed. ladder.json: trained on lengths 1-20 with
    the same settings but the learning rate, gru_wide ends at 100 % on all three seeds
    and rnn_wide on one."""
    c, _ = _trained_curves()
    assert c["GRU, at init"]["20"][19] > 10 * c["tanh RNN, at init"]["20"][19]
    rungs = {
        r["name"]: r
        for r in json.loads((paths.results() / "ladder.json").read_text())["rungs"]
    }
    gru, rnn = rungs["gru_wide"], rungs["rnn_wide"]
    differ = {k for k in gru["config"] if gru["config"][k] != rnn["config"][k]}
    assert differ == {"cell", "lr"}
    assert [r["final_accuracy"] == 1.0 for r in gru["runs"]] == [True] * 3
    assert sum(r["final_accuracy"] == 1.0 for r in rnn["runs"]) == 1


def _gradient():
    a, b = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2))
    g = torch.tensor([8.0, 0.5, -0.1, -3.0, 0.2])
    a.grad, b.grad = g[:3].clone(), g[3:].clone()
    return [a, b], g


def _cosine(u, v):
    return (torch.dot(u, v) / (u.norm() * v.norm())).item()


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 5.0, 100.0])
def test_clip_grad_norm_rescales_keeping_the_direction_and_returns_the_norm_before(
    max_norm,
):
    """clip_grad_norm_ returns the total norm before clipping and multiplies every
    gradient by min(1, max_norm / (norm + 1e-6)): the direction is kept, and a norm
    above max_norm becomes max_norm * norm / (norm + 1e-6), a hair under max_norm.
    Well below max_norm nothing changes."""
    params, g = _gradient()
    total = nn.utils.clip_grad_norm_(params, max_norm)
    new = torch.cat([p.grad for p in params])
    norm = g.norm()
    assert total.item() == pytest.approx(norm.item())
    if norm > max_norm:
        torch.testing.assert_close(new, g * max_norm / (norm + 1e-6))
        assert _cosine(new, g) == pytest.approx(1.0)
        want = max_norm * norm / (norm + 1e-6)
        torch.testing.assert_close(new.norm(), want)
        assert new.norm() < max_norm
    else:
        assert torch.equal(new, g)


@pytest.mark.parametrize(
    "norm, rescaled", [(0.99999995, True), (1 - 2e-6, False), (1 + 1e-3, True)]
)
def test_clip_grad_norm_starts_rescaling_just_below_max_norm(norm, rescaled):
    """The edge: because of the 1e-6, a norm just under max_norm (0.99999995 with
    max_norm=1) is rescaled too, to max_norm * norm / (norm + 1e-6); a norm 2e-6
    under it comes back unchanged. In float64, so that the norms are what they say."""
    g = torch.tensor([0.6, 0.8], dtype=torch.float64) * norm  # norm `norm`
    p = nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = g.clone()
    total = nn.utils.clip_grad_norm_([p], 1.0)
    torch.testing.assert_close(total, g.norm())
    if rescaled:
        assert not torch.equal(p.grad, g)
        torch.testing.assert_close(p.grad.norm(), 1.0 * g.norm() / (g.norm() + 1e-6))
        torch.testing.assert_close(p.grad, g / (g.norm() + 1e-6))
    else:
        assert torch.equal(p.grad, g)


def test_clip_grad_norm_turns_an_infinite_gradient_into_nan_unless_asked_to_raise():
    """An inf entry: the returned norm is inf, the scale max_norm / inf is 0, so the
    inf entry becomes NaN and every other entry 0, with no error;
    error_if_nonfinite=True raises instead."""
    params, g = _gradient()
    params[0].grad[0] = math.inf
    total = nn.utils.clip_grad_norm_(params, 1.0)
    new = torch.cat([p.grad for p in params])
    assert math.isinf(total.item())
    assert new[0].isnan() and (new[1:] == 0).all()
    params, _ = _gradient()
    params[0].grad[0] = math.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_cuts_each_entry_and_turns_the_gradient():
    """clip_grad_value_ clamps each entry to [-c, c]: the large entries shrink, the
    small ones stay, so the direction changes (cosine 0.87 here) and the result's
    norm is not c."""
    params, g = _gradient()
    assert nn.utils.clip_grad_value_(params, 1.0) is None
    new = torch.cat([p.grad for p in params])
    assert torch.equal(new, g.clamp(-1.0, 1.0))
    assert _cosine(new, g) == pytest.approx(0.8703, abs=1e-4)
    assert new.norm().item() == pytest.approx(1.5166, abs=1e-4)


def test_adams_first_step_ignores_a_rescaled_gradient_sgds_does_not():
    """Adam (and AdamW) divide by the gradient's own running scale: scaling the gradient
    by 1/100 (as clipping does) leaves the first step the same while the scaled
    entries stay far above eps (1e-8); SGD's shrinks 100x. Entries of 1e-5, scaled to
    1e-7, are not far above eps: their first step shrinks to about 0.91 of the
    unscaled one, as lr * g / (|g| + eps) says. And clipping one step and not the next
    changes Adam's step after it."""
    torch.manual_seed(0)
    g = torch.randn(50)
    steps = {}
    for opt_class in (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD):
        for size in (1.0, 1e-5):
            for scale in (1.0, 0.01):
                p = nn.Parameter(torch.zeros(50))
                opt = opt_class([p], lr=1e-3)
                p.grad = g.sign() * size * scale if size != 1.0 else g * scale
                opt.step()
                steps[opt_class.__name__, size, scale] = p.detach().clone()
    for name in ("Adam", "AdamW"):
        torch.testing.assert_close(
            steps[name, 1.0, 0.01], steps[name, 1.0, 1.0], rtol=1e-4, atol=0
        )
        ratio = steps[name, 1e-5, 0.01] / steps[name, 1e-5, 1.0]
        want = (1e-7 / (1e-7 + 1e-8)) / (1e-5 / (1e-5 + 1e-8))  # 0.910
        torch.testing.assert_close(
            ratio, torch.full_like(ratio, want), rtol=1e-4, atol=0
        )
        assert ratio.max() < 0.92
    torch.testing.assert_close(steps["SGD", 1.0, 0.01], steps["SGD", 1.0, 1.0] / 100)
    # clipping one step but not the next changes Adam's second step
    second = []
    for scale in (1.0, 0.01):
        p = nn.Parameter(torch.zeros(50))
        opt = torch.optim.Adam([p], lr=1e-3)
        for grad in (10 * g * scale, torch.randn(50)):
            p.grad = grad
            opt.step()
        second.append(p.detach().clone())
    assert (second[0] - second[1]).abs().max() > 1e-4


def test_clipping_at_one_rarely_fires_on_the_sum_mod_task():
    """With --clip 1 the training page's GRU never clips (its norm stays below 1); the
    deep tanh RNN of short_combined_clip (seed 1) never clips in its first 1000 steps,
    then more and more often as it starts to learn, on more than 5% of its last 500
    steps. Read from the output the page shows, which tests/site/test_snippets.py
    holds equal to what the snippet prints when run."""
    out = paths.snippets() / "gradients" / "clipping_during_training.out"
    runs = {}  # name: [(max norm, fraction clipped) per interval]
    for line in out.read_text().splitlines()[1:]:
        if not line.startswith(" "):
            runs[line.split(",")[0]] = rows = []
            continue
        peak, clipped = re.fullmatch(
            r"\s*\d+-\s*\d+ +[\d.]+ +([\d.]+) +([\d.]+)%.*", line
        ).groups()
        rows.append((float(peak), float(clipped) / 100))
    # printed to 3 decimals and 0.1 %: 0.999 is below 1, and 0.0 % of 100 or 500 steps
    # (one step is 1 % or 0.2 %) is none
    assert [len(r) for r in runs.values()] == [6, 6]
    assert all(peak <= 0.999 and clipped == 0 for peak, clipped in runs["GRU 64x1"])
    fired = [clipped for _, clipped in runs["tanh RNN 32x3"]]
    assert fired[:2] == [0, 0] and fired[-1] > 0.05
    assert fired[1:] == sorted(fired[1:])


def test_on_the_ladder_clipping_left_the_deep_tanh_rnns_accuracy_where_it_was():
    """ladder.json: the deep tanh RNN (`short_combined`) with and without clip 1 ends
    within 0.3 percentage points on every seed."""
    rungs = {
        r["name"]: r
        for r in json.loads((paths.results() / "ladder.json").read_text())["rungs"]
    }
    assert rungs["short_combined_clip"]["config"] == {
        **rungs["short_combined"]["config"],
        "clip": 1.0,
    }
    without = rungs["short_combined"]["runs"]
    clipped = rungs["short_combined_clip"]["runs"]
    assert [r["seed"] for r in without] == [r["seed"] for r in clipped] == [0, 1, 2]
    for a, b in zip(without, clipped, strict=True):
        assert abs(a["final_accuracy"] - b["final_accuracy"]) <= 0.003
