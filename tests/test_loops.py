"""The reference cells and loops against torch.nn: values, states,
gradients, errors, dropout."""

from __future__ import annotations

import copy
from collections import defaultdict

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from rnn_ref.cells import rnn_cell
from rnn_ref.loops import reference_forward, run_layer, run_layer_packed

H_IN, H, PROJ = 3, 4, 3
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}
MODES = ["rnn_tanh", "rnn_relu", "gru", "lstm", "lstm_proj"]

pytestmark = [
    # torch's own notices about its kernels, not about our code
    pytest.mark.filterwarnings(
        "ignore:LSTM with projections is not supported with oneDNN"
    ),
    pytest.mark.filterwarnings("ignore:dropout option adds dropout after all but last"),
]


def make_module(mode: str, hidden_size: int = H, **kw) -> nn.RNNBase:
    if mode.startswith("rnn"):
        return nn.RNN(H_IN, hidden_size, nonlinearity=mode.split("_")[1], **kw)
    if mode == "gru":
        return nn.GRU(H_IN, hidden_size, **kw)
    if mode == "lstm_proj":
        return nn.LSTM(H_IN, hidden_size, proj_size=min(PROJ, hidden_size - 1), **kw)
    return nn.LSTM(H_IN, hidden_size, **kw)


def make_hx(module: nn.RNNBase, batch: int | None, dtype: torch.dtype):
    """A random initial state of the right shape (batch=None:
    unbatched), requiring grad."""
    layers = module.num_layers * (2 if module.bidirectional else 1)
    h_out = module.proj_size or module.hidden_size
    lead = (layers,) if batch is None else (layers, batch)
    h = torch.randn(*lead, h_out, dtype=dtype, requires_grad=True)
    if isinstance(module, nn.LSTM):
        return h, torch.randn(
            *lead, module.hidden_size, dtype=dtype, requires_grad=True
        )
    return h


def make_input(
    kind: str, L: int, N: int, batch_first: bool, dtype: torch.dtype, lengths=None
):
    """Return (input for the module, the leaf tensor to take grads of)."""
    x = torch.randn(N, L, H_IN) if batch_first else torch.randn(L, N, H_IN)
    x = x.to(dtype).requires_grad_()
    if kind == "padded":
        return x, x
    if lengths is None:
        lengths = torch.randint(1, L + 1, (N,))
        lengths[-1] = L  # at least one sequence at full length
        if kind == "packed_sorted":
            lengths = lengths.sort(descending=True).values
        elif N > 1 and L > 1:
            lengths[0] = 1  # shortest first: really unsorted
    sorted_ = kind == "packed_sorted"
    return pack_padded_sequence(
        x, lengths, batch_first=batch_first, enforce_sorted=sorted_
    ), x


def _tensors(result) -> list[torch.Tensor]:
    """Flatten `(output, h_n)` / `(output, (h_n, c_n))` into a list of tensors."""
    output, hidden = result
    out = output.data if isinstance(output, PackedSequence) else output
    return [out, *(hidden if isinstance(hidden, tuple) else (hidden,))]


def assert_parity(
    module,
    inp,
    hx,
    leaves,
    *,
    hoist=False,
    atol=1e-10,
    record=None,
    reference_module=None,
):
    """Forward and backward through torch and the reference; compare values and grads.

    The reference runs on `reference_module` if given (a copy, to show
    that a change is caught).
    """
    ref_module = module if reference_module is None else reference_module
    expected = module(inp, hx)
    actual = reference_forward(ref_module, inp, hx, hoist=hoist)
    # the same structure as torch's return value
    assert type(actual) is tuple and len(actual) == 2
    assert type(actual[0]) is type(expected[0])
    assert type(actual[1]) is type(expected[1])
    if isinstance(expected[0], PackedSequence):
        for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
            e, a = getattr(expected[0], field), getattr(actual[0], field)
            assert (e is None and a is None) or torch.equal(e, a), field
    exp, act = _tensors(expected), _tensors(actual)
    weights = [torch.randn_like(e) for e in exp]  # a random weighted sum of all outputs
    grads_exp = torch.autograd.grad(
        sum((w * e).sum() for w, e in zip(weights, exp, strict=True)),
        [*module.parameters(), *leaves],
        retain_graph=True,
    )
    grads_act = torch.autograd.grad(
        sum((w * a).sum() for w, a in zip(weights, act, strict=True)),
        [*ref_module.parameters(), *leaves],
        retain_graph=True,
    )
    for kind, pairs in (
        ("value", zip(act, exp, strict=True)),
        ("grad", zip(grads_act, grads_exp, strict=True)),
    ):
        for a, e in pairs:
            assert a.shape == e.shape and a.dtype == e.dtype
            torch.testing.assert_close(a, e, atol=atol, rtol=0)
            if record is not None:
                key = (str(e.dtype).removeprefix("torch."), kind)
                record[key] = max(record[key], (a - e).abs().max().item())


@pytest.fixture(scope="module")
def max_errors(request):
    """Largest absolute error per (dtype, value|grad) over the parity
    tests; printed at the end."""
    record = defaultdict(float)
    yield record
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None and record:
        with capture.global_and_fixture_disabled():  # shown even when the tests pass
            print()
            for (dtype, kind), err in sorted(record.items()):
                print(f"max abs error vs torch.nn, {dtype} {kind}: {err:.3e}")


# ---------------------------------------------------------------- parity grid


# both variants in float64; float32 (same code path, looser
# tolerance) with the plain loop
@pytest.mark.parametrize(
    "dtype,hoist",
    [(torch.float64, False), (torch.float64, True), (torch.float32, False)],
    ids=["f64", "f64-hoist", "f32"],
)
@pytest.mark.parametrize("given_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("kind", ["padded", "packed_sorted", "packed_unsorted"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["tm", "bf"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("mode", MODES)
def test_parity_grid(
    mode,
    num_layers,
    bidirectional,
    batch_first,
    bias,
    kind,
    given_hx,
    hoist,
    dtype,
    max_errors,
):
    L, N = 5, 4
    module = make_module(
        mode,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
        dtype=dtype,
    )
    inp, x = make_input(kind, L, N, batch_first, dtype)
    hx = make_hx(module, N, dtype) if given_hx else None
    leaves = [x, *(() if hx is None else hx if isinstance(hx, tuple) else (hx,))]
    assert_parity(
        module, inp, hx, leaves, hoist=hoist, atol=TOL[dtype], record=max_errors
    )


EDGES = {  # name: (L, N, hidden_size, kind, lengths)
    "batch_1": (4, 1, H, "padded", None),
    "batch_1_packed": (4, 1, H, "packed_sorted", None),
    "length_1": (1, 3, H, "padded", None),
    "length_1_packed": (1, 3, H, "packed_unsorted", None),
    "hidden_1": (4, 3, 1, "padded", None),
    "hidden_1_packed": (4, 3, 1, "packed_unsorted", None),
    "same_lengths_packed": (4, 3, H, "packed_sorted", torch.tensor([4, 4, 4])),
    "same_lengths_unsorted": (4, 3, H, "packed_unsorted", torch.tensor([4, 4, 4])),
}


@pytest.mark.parametrize("hoist", [False, True], ids=["loop", "hoist"])
@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("mode", MODES)
def test_parity_edge_cases(mode, edge, hoist, max_errors):
    L, N, hidden, kind, lengths = EDGES[edge]
    dtype = torch.float64
    module = make_module(
        mode,
        hidden_size=max(hidden, 2) if mode == "lstm_proj" else hidden,
        num_layers=2,
        bidirectional=True,
        dtype=dtype,
    )
    inp, x = make_input(kind, L, N, False, dtype, lengths)
    hx = make_hx(module, N, dtype)
    leaves = [x, *(hx if isinstance(hx, tuple) else (hx,))]
    assert_parity(module, inp, hx, leaves, hoist=hoist, record=max_errors)


@pytest.mark.parametrize("given_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["tm", "bf"])
@pytest.mark.parametrize("mode", MODES)
def test_parity_unbatched(mode, batch_first, given_hx, max_errors):
    dtype = torch.float64
    module = make_module(
        mode, num_layers=2, bidirectional=True, batch_first=batch_first, dtype=dtype
    )
    x = torch.randn(5, H_IN, dtype=dtype, requires_grad=True)  # (L, H_in): no batch dim
    hx = make_hx(module, None, dtype) if given_hx else None
    leaves = [x, *(() if hx is None else hx if isinstance(hx, tuple) else (hx,))]
    assert_parity(module, x, hx, leaves, hoist=batch_first, record=max_errors)
    out, hidden = reference_forward(module, x, hx)
    assert out.shape == (5, 2 * (module.proj_size or H))
    assert (hidden[0] if isinstance(hidden, tuple) else hidden).dim() == 2


@pytest.mark.parametrize("name", ["weight_hh_l1_reverse", "bias_ih_l0", "weight_ih_l1"])
def test_parity_detects_a_perturbed_weight(name):
    """The comparison can fail: a copy with one weight nudged by
    1e-6 no longer matches."""
    module = make_module(
        "lstm_proj", num_layers=2, bidirectional=True, dtype=torch.float64
    )
    inp, x = make_input("packed_unsorted", 5, 4, False, torch.float64)
    assert_parity(module, inp, None, [x])  # the unperturbed copy passes
    nudged = copy.deepcopy(module)
    with torch.no_grad():
        getattr(nudged, name).view(-1)[0] += 1e-6
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_parity(module, inp, None, [x], reference_module=nudged)


def test_run_layer_reverse_aligns_outputs_with_inputs():
    """Reverse: output[t] belongs to step t and the returned state
    is the one after step 0."""
    w_ih, w_hh = torch.randn(H, H_IN), torch.randn(H, H)
    step = lambda x_t, s: (rnn_cell(x_t, s[0], w_ih, w_hh),)  # noqa: E731
    x, h0 = torch.randn(5, 2, H_IN), torch.zeros(2, H)
    out, (h_n,) = run_layer(step, x, (h0,), reverse=True)
    flipped, (h_flip,) = run_layer(step, x.flip(0), (h0,))
    torch.testing.assert_close(out, flipped.flip(0))
    assert torch.equal(out[0], h_n) and torch.equal(h_n, h_flip)
    # packed, all lengths equal: the same thing on the packed layout
    data = x.reshape(-1, H_IN)  # (L*N, H_in)
    batch_sizes = torch.tensor([2] * 5)
    packed_out, (packed_h,) = run_layer_packed(
        step, data, batch_sizes, (h0,), reverse=True
    )
    torch.testing.assert_close(packed_out, out.reshape(-1, H))
    torch.testing.assert_close(packed_h, h_n)


def test_the_naive_loop_is_the_default(monkeypatch):
    """`hoist=False` unless asked: the cell equation step by step, bit for bit; the
    hoisted step (one input projection for every step) runs only when asked. (Whether
    it rounds differently depends on the matmul kernels: on the pinned path it may not.)
    """
    import rnn_ref.loops as loops

    hoisted_steps = []
    real = loops._hoisted_step
    monkeypatch.setattr(
        loops, "_hoisted_step", lambda *a: hoisted_steps.append(1) or real(*a)
    )
    torch.manual_seed(0)
    rnn = nn.GRU(H_IN, H, num_layers=2)
    x = torch.randn(6, 3, H_IN)
    default, naive = reference_forward(rnn, x), reference_forward(rnn, x, hoist=False)
    assert torch.equal(default[0], naive[0]) and torch.equal(default[1], naive[1])
    assert hoisted_steps == []
    reference_forward(rnn, x, hoist=True)
    assert hoisted_steps == [1, 1]  # one per layer


def test_forward_is_the_default_direction():
    """Without `reverse`, both loops start at step 0: the first output is the step
    from the initial state on x[0]."""
    w_ih, w_hh = torch.randn(H, H_IN), torch.randn(H, H)
    step = lambda x_t, s: (rnn_cell(x_t, s[0], w_ih, w_hh),)  # noqa: E731
    x, h0 = torch.randn(5, 2, H_IN), torch.randn(2, H)
    out, (h_n,) = run_layer(step, x, (h0,))
    torch.testing.assert_close(out[0], step(x[0], (h0,))[0])
    assert torch.equal(out[-1], h_n)
    packed_out, (packed_h,) = run_layer_packed(
        step, x.reshape(-1, H_IN), torch.tensor([2] * 5), (h0,)
    )
    torch.testing.assert_close(packed_out, out.reshape(-1, H))
    torch.testing.assert_close(packed_h, h_n)


# ---------------------------------------------------------------- errors


def _both_raise(module, inp, hx, exc, match):
    """torch and the reference raise the same exception type; ours
    says expected/got/fix."""
    with pytest.raises(exc):
        module(inp, hx)
    with pytest.raises(exc, match=match):
        reference_forward(module, inp, hx)


@pytest.mark.parametrize(
    "shape", [(2, 0, H_IN), (0, H_IN)], ids=["batched", "unbatched"]
)
def test_an_empty_sequence_is_refused_with_batch_first(shape):
    """With batch_first the time dim of a batched input is dim 1, of an unbatched one
    dim 0 (a batch of 2 sequences of length 0 is still empty)."""
    gru = nn.GRU(H_IN, H, batch_first=True)
    _both_raise(gru, torch.zeros(shape), None, RuntimeError, "larger than 0 in RNN")


def test_lstm_state_errors_name_the_tensor_at_fault():
    lstm = nn.LSTM(H_IN, H)
    x, h, c = torch.randn(4, 2, H_IN), torch.zeros(1, 2, H), torch.zeros(1, 2, H)
    _both_raise(lstm, x, (h[:, :1], c), RuntimeError, r"Expected h_0 size \(1, 2, 4\)")
    _both_raise(lstm, x, (h, c[:, :1]), RuntimeError, r"Expected c_0 size \(1, 2, 4\)")
    for hx, exc in [([h], IndexError), ((), IndexError), ((h, c, c), RuntimeError)]:
        _both_raise(lstm, x, hx, exc, rf"expects hx=\(h_0, c_0\).*of {len(hx)}$")
    _both_raise(lstm, x, 3, TypeError, r"expects hx=\(h_0, c_0\).*got int$")


def test_forward_pre_hooks_that_change_the_arguments_run_as_in_the_module():
    """A hook may return new (input, hx), or one tensor: the input alone, hx dropped
    (torch then calls forward(input))."""
    torch.manual_seed(0)
    rnn = nn.GRU(H_IN, H)
    x, h0 = torch.randn(5, 2, H_IN), torch.randn(1, 2, H)
    handle = rnn.register_forward_pre_hook(lambda m, args: (args[0].flip(0), args[1]))
    for hx in (None, h0):
        for got, want in zip(reference_forward(rnn, x, hx), rnn(x, hx), strict=True):
            torch.testing.assert_close(got, want)
    handle.remove()
    rnn.register_forward_pre_hook(lambda m, args: args[0] * 2)
    for got, want in zip(reference_forward(rnn, x, h0), rnn(x, h0), strict=True):
        torch.testing.assert_close(got, want)


def test_error_input_dims():
    rnn = nn.GRU(H_IN, H)
    for shape in [(2, 5, 3, H_IN), (H_IN,)]:
        _both_raise(
            rnn,
            torch.randn(shape),
            None,
            ValueError,
            rf"Expected input to be 2D \(L, H_in\) unbatched or 3D .* got {len(shape)}D"
            r".*reshape it, or pack",
        )


def test_error_input_size():
    _both_raise(
        nn.RNN(H_IN, H),
        torch.randn(5, 2, 7),
        None,
        RuntimeError,
        r"input.size\(-1\) must be equal to input_size. Expected 3, got 7; "
        r"build the module",
    )


def test_error_dtype():
    _both_raise(
        nn.RNN(H_IN, H),
        torch.randn(5, 2, H_IN, dtype=torch.float64),
        None,
        ValueError,
        r"input dtype \(torch.float64\) does not match weight dtype \(torch.float32\)",
    )


def test_error_hx_dims():
    rnn = nn.RNN(H_IN, H, num_layers=2)
    _both_raise(
        rnn,
        torch.randn(5, 2, H_IN),
        torch.randn(2, H),
        RuntimeError,
        r"For batched 3-D input, hx should also be 3-D: expected shape \(2, 2, 4\) .* "
        r"got 2-D .* add the batch dim",
    )
    _both_raise(
        rnn,
        torch.randn(5, H_IN),
        torch.randn(2, 1, H),
        RuntimeError,
        r"For unbatched 2-D input, hx should also be 2-D: expected shape \(2, 4\) .* "
        r"got 3-D .* drop the batch dim",
    )
    lstm = nn.LSTM(H_IN, H)
    _both_raise(
        lstm,
        torch.randn(5, 2, H_IN),
        (torch.randn(1, 2, H), torch.randn(2, H)),
        RuntimeError,
        r"batched 3-D input, c_0 should also be 3-D",
    )


def test_error_hx_shape():
    rnn = nn.GRU(H_IN, H, num_layers=2, bidirectional=True)
    _both_raise(
        rnn,
        torch.randn(5, 3, H_IN),
        torch.randn(2, 3, H),
        RuntimeError,
        r"Expected hx size \(4, 3, 4\) \(num_layers \* num_directions, N, H_out\), "
        r"got \[2, 3, 4\]; build it with that shape \(or pass hx=None",
    )
    lstm = nn.LSTM(H_IN, H, proj_size=2)
    _both_raise(
        lstm,
        torch.randn(5, 3, H_IN),
        (torch.randn(1, 3, 2), torch.randn(1, 3, 2)),
        RuntimeError,
        r"Expected c_0 size \(1, 3, 4\)",
    )
    packed = pack_padded_sequence(torch.randn(5, 3, H_IN), [5, 3, 2])
    _both_raise(
        nn.RNN(H_IN, H),
        packed,
        torch.randn(1, 2, H),
        RuntimeError,
        r"Expected hx size \(1, 3, 4\)",
    )


@pytest.mark.parametrize("num_layers", [1, 2])
def test_error_lstm_hx_not_a_pair(num_layers):
    """A bare tensor as hx: torch's exception type (IndexError for one row, else
    RuntimeError), our message."""
    lstm, x = nn.LSTM(H_IN, H, num_layers=num_layers), torch.randn(5, 2, H_IN)
    hx = torch.randn(num_layers, 2, H)
    with pytest.raises(Exception) as torch_error:
        lstm(x, hx)
    with pytest.raises(
        torch_error.type,
        match=r"LSTM expects hx=\(h_0, c_0\), a tuple of two tensors; got Tensor",
    ):
        reference_forward(lstm, x, hx)


def test_old_weight_norm_hooks_are_run():
    """The old `weight_norm` API recomputes the weight in a forward pre-hook: the loops
    must see the weight the module's forward sees, not a stale one."""
    rnn = nn.utils.weight_norm(nn.GRU(H_IN, H), "weight_hh_l0")
    with torch.no_grad():
        rnn.weight_hh_l0_g.mul_(3.0)  # the stored weight_hh_l0 is now stale
    x = torch.randn(5, 2, H_IN)
    out, h_n = reference_forward(rnn, x)
    expected, expected_h = rnn(x)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(h_n, expected_h)


def test_error_not_a_recurrent_module():
    with pytest.raises(
        TypeError, match="module must be an nn.RNN, nn.GRU or nn.LSTM; got Linear"
    ):
        reference_forward(nn.Linear(H_IN, H), torch.randn(5, 2, H_IN))


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("kind", ["padded", "packed_unsorted"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["tm", "bf"])
@pytest.mark.parametrize("mode", MODES)
def test_dropout_same_seed_same_masks_as_torch(mode, batch_first, kind, dtype):
    """Train mode, same seed: the same masks as torch, so the same
    results up to rounding."""
    module = make_module(
        mode,
        num_layers=3,
        bidirectional=True,
        batch_first=batch_first,
        dropout=0.4,
        dtype=dtype,
    ).train()
    inp, _ = make_input(kind, 5, 4, batch_first, dtype)
    torch.manual_seed(1)
    expected = _tensors(module(inp))
    for hoist in (True, False):
        torch.manual_seed(1)
        actual = _tensors(reference_forward(module, inp, hoist=hoist))
        for a, e in zip(actual, expected, strict=True):
            torch.testing.assert_close(a, e, atol=TOL[dtype] / 10, rtol=0)
    torch.manual_seed(
        2
    )  # other masks differ by far more than rounding: the check can fail
    other = _tensors(reference_forward(module, inp, hoist=True))
    assert (other[0] - expected[0]).abs().max() > 1e-3


@pytest.mark.parametrize("mode", MODES)
def test_no_dropout_after_the_last_layer(mode):
    """num_layers=1 with dropout: train mode equals eval mode,
    for torch and for ours."""
    module = make_module(
        mode, num_layers=1, bidirectional=True, dropout=0.5, dtype=torch.float64
    )
    x = torch.randn(5, 3, H_IN, dtype=torch.float64)
    ours_eval, torch_eval = (
        _tensors(reference_forward(module.eval(), x)),
        _tensors(module(x)),
    )
    module.train()
    for a, e in zip(_tensors(reference_forward(module, x)), ours_eval, strict=True):
        assert torch.equal(a, e)
    for a, e in zip(_tensors(module(x)), torch_eval, strict=True):
        assert torch.equal(a, e)


def test_dropout_masks_between_layers(monkeypatch):
    """Observe each layer's dropped input: p zeroed, survivors scaled
    1/(1-p); top layer kept."""
    p, num_layers = 0.3, 3
    module = nn.GRU(
        H_IN,
        32,
        num_layers=num_layers,
        bidirectional=True,
        dropout=p,
        dtype=torch.float64,
    ).train()
    x = torch.randn(20, 16, H_IN, dtype=torch.float64)
    calls = []
    original = F.dropout

    def recording_dropout(inp, *args, **kwargs):
        out = original(inp, *args, **kwargs)
        calls.append((inp, out))
        return out

    monkeypatch.setattr(F, "dropout", recording_dropout)
    torch.manual_seed(3)
    out, h_n = reference_forward(module, x, hoist=True)
    monkeypatch.undo()
    torch.manual_seed(3)
    torch_out, torch_h_n = module(x)
    # equal to torch (a different mask would differ by ~1e-2), so these
    # are the masks torch used
    torch.testing.assert_close(out, torch_out, atol=1e-12, rtol=0)
    torch.testing.assert_close(h_n, torch_h_n, atol=1e-12, rtol=0)
    assert len(calls) == num_layers - 1  # between layers only
    for inp, dropped in calls:
        assert inp.shape == (20, 16, 64)  # (L, N, D*H): one mask over both directions
        zeroed = dropped == 0
        n = zeroed.numel()
        assert abs(zeroed.double().mean().item() - p) < 4 * (p * (1 - p) / n) ** 0.5
        torch.testing.assert_close(
            dropped[~zeroed], inp[~zeroed] / (1 - p), rtol=1e-12, atol=0
        )
    # the output of the top layer is not dropped: torch's output has no zeroed entries
    assert not (torch_out == 0).any()


def test_error_empty_sequence():
    _both_raise(
        nn.RNN(H_IN, H),
        torch.randn(0, 2, H_IN),
        None,
        RuntimeError,
        r"sequence length to be larger than 0.*got input of shape \[0, 2, 3\]",
    )


def test_error_c0_shape_names_its_own_legend():
    lstm = nn.LSTM(H_IN, 4, proj_size=2)
    hx = (
        torch.zeros(1, 2),
        torch.zeros(1, 2),
    )  # unbatched; c_0 must have hidden_size 4, not 2
    _both_raise(
        lstm,
        torch.randn(5, H_IN),
        hx,
        RuntimeError,
        r"Expected c_0 size \(1, 4\) \(num_layers \* num_directions, H\), got \[1, 2\]",
    )
