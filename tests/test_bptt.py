"""rnn_ref.bptt.manual_backward equals torch.autograd.grad through the module, in
float64, on the configuration grid and under hypothesis; every gradient is compared."""

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_sequence

from rnn_ref.bptt import manual_backward

F64 = torch.float64
KINDS = {
    "tanh": (nn.RNN, {}),
    "relu": (nn.RNN, {"nonlinearity": "relu"}),
    "gru": (nn.GRU, {}),
    "lstm": (nn.LSTM, {}),
}
TOL = 1e-12  # absolute, on values of order 1


def _both(kind, *, num_layers=1, bidirectional=False, batch_first=False, bias=True,
          unbatched=False, L=5, N=3, H_in=3, H=4, hx=True, seed=0):  # fmt: skip
    """(autograd's gradients, manual_backward's), each a dict by the same keys."""
    torch.manual_seed(seed)
    cls, kw = KINDS[kind]
    m = cls(H_in, H, num_layers, bias=bias, batch_first=batch_first,
            bidirectional=bidirectional, dtype=F64, **kw)  # fmt: skip
    shape = (L, H_in) if unbatched else (N, L, H_in) if batch_first else (L, N, H_in)
    x = torch.randn(shape, dtype=F64, requires_grad=True)
    K = num_layers * (2 if bidirectional else 1)
    h_shape = (K, H) if unbatched else (K, N, H)
    n_states = 2 if kind == "lstm" else 1
    states = [
        torch.randn(h_shape, dtype=F64, requires_grad=True) for _ in range(n_states)
    ]
    h0 = (tuple(states) if kind == "lstm" else states[0]) if hx else None
    out, h_n = m(x, h0)
    finals = list(h_n) if kind == "lstm" else [h_n]
    g_out = torch.randn_like(out)
    g_n = [torch.randn_like(t) for t in finals]
    names = [n for n, _ in m.named_parameters()]
    wrt = [x, *(states if hx else []), *m.parameters()]
    got = torch.autograd.grad([out, *finals], wrt, [g_out, *g_n])
    state_keys = ["hx_h", "hx_c"] if kind == "lstm" else ["hx"]
    auto = dict(zip(["input", *(state_keys if hx else []), *names], got, strict=True))
    mine = manual_backward(
        m,
        x.detach(),
        None
        if h0 is None
        else tuple(s.detach() for s in states)
        if kind == "lstm"
        else states[0].detach(),
        g_out,
        tuple(g_n) if kind == "lstm" else g_n[0],
    )
    if kind == "lstm":
        mine["hx_h"], mine["hx_c"] = mine.pop("hx")
        if not hx:
            del mine["hx_h"], mine["hx_c"]
    elif not hx:
        del mine["hx"]
    return auto, mine


def _max_error(auto, mine) -> float:
    assert set(mine) == set(auto), f"keys differ: {set(mine) ^ set(auto)}"
    for k in auto:
        assert mine[k].shape == auto[k].shape, k
    return max((auto[k] - mine[k]).abs().max().item() for k in auto)


GRID = list(
    itertools.product(KINDS, (1, 2, 3), (False, True), (False, True), (True, False))
)


@pytest.mark.parametrize(
    "kind, num_layers, bidirectional, batch_first, bias",
    GRID,
    ids=[f"{k}-l{n}-bi{int(b)}-bf{int(f)}-bias{int(s)}" for k, n, b, f, s in GRID],
)
def test_equals_autograd_on_the_grid(
    kind, num_layers, bidirectional, batch_first, bias
):
    auto, mine = _both(
        kind,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
    )
    assert _max_error(auto, mine) < TOL


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hx", [True, False], ids=["hx", "zeros"])
def test_unbatched_input_and_default_state(kind, hx):
    auto, mine = _both(kind, num_layers=2, bidirectional=True, unbatched=True, hx=hx)
    assert _max_error(auto, mine) < TOL


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    unbatched=st.booleans(),
    L=st.integers(1, 7),
    N=st.integers(1, 4),
    H_in=st.integers(1, 5),
    H=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_equals_autograd_for_any_configuration(**config):
    auto, mine = _both(**config)
    assert _max_error(auto, mine) < TOL


@pytest.mark.parametrize("kind", KINDS)
def test_every_parameter_gradient_is_checked(kind):
    """Each returned gradient, nudged alone, breaks the comparison: none unchecked."""
    auto, mine = _both(kind, num_layers=2, bidirectional=True)
    named = {
        n for n, _ in KINDS[kind][0](3, 4, 2, bidirectional=True).named_parameters()
    }
    assert named <= set(mine) and len(named) == 16  # 4 per layer and direction
    for key in mine:
        nudged = dict(mine, **{key: mine[key] + 1e-9 * torch.rand_like(mine[key])})
        assert _max_error(auto, nudged) > TOL, key


def test_refuses_dropout_in_training_mode_but_runs_in_eval():
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64)
    with pytest.raises(ValueError, match=r"dropout=0.5 .* call module.eval\(\)"):
        manual_backward(gru, x)
    grads = manual_backward(gru.eval(), x, None, torch.ones(5, 2, 4, dtype=F64))
    assert grads["input"].shape == x.shape


def test_one_layer_with_dropout_runs_in_training_mode():
    """torch applies `dropout` only between layers: one layer has nothing to replay."""
    with pytest.warns(UserWarning, match="dropout"):
        gru = nn.GRU(3, 4, num_layers=1, dropout=0.5, dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64, requires_grad=True)
    g = torch.randn(5, 2, 4, dtype=F64)
    (auto,) = torch.autograd.grad(gru(x)[0], x, g)
    torch.testing.assert_close(manual_backward(gru, x.detach(), None, g)["input"], auto)


@pytest.mark.parametrize("kind", KINDS)
def test_the_gradient_of_h_n_alone(kind):
    """No `grad_output` (the loss reads only `h_n`, as a many-to-one classifier's):
    `output` contributes nothing. L, N and H_in differ, so a zero gradient of the wrong
    shape cannot pass."""
    torch.manual_seed(0)
    cls, kw = KINDS[kind]
    m = cls(3, 4, num_layers=2, bidirectional=True, batch_first=True, dtype=F64, **kw)
    x = torch.randn(2, 5, 3, dtype=F64, requires_grad=True)  # (N, L, H_in)
    _, h_n = m(x)
    finals = list(h_n) if kind == "lstm" else [h_n]
    g_n = [torch.randn_like(t) for t in finals]
    (auto,) = torch.autograd.grad(finals, x, g_n)
    g = tuple(g_n) if kind == "lstm" else g_n[0]
    torch.testing.assert_close(
        manual_backward(m, x.detach(), None, None, g)["input"], auto
    )


@pytest.mark.parametrize("proj_size", [1, 2])
def test_refuses_proj_size_and_packed_input(proj_size):
    lstm = nn.LSTM(3, 4, proj_size=proj_size, dtype=F64)
    with pytest.raises(ValueError, match=f"proj_size={proj_size} is not covered"):
        manual_backward(lstm, torch.randn(5, 2, 3, dtype=F64))
    packed = pack_sequence([torch.randn(3, 3, dtype=F64), torch.randn(2, 3, dtype=F64)])
    with pytest.raises(TypeError, match="got a PackedSequence; pad it"):
        manual_backward(nn.GRU(3, 4, dtype=F64), packed)


def test_bad_input_gets_the_forward_checks():
    with pytest.raises(
        RuntimeError, match="input.size.-1. must be equal to input_size"
    ):
        manual_backward(nn.RNN(3, 4), torch.randn(5, 2, 7))
