"""Claims made on docs/lstm-gru.md, each asserted against torch.nn."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnn_ref import gru_cell, lstm_cell, reference_forward

F64 = torch.float64


def _cell_inputs(cell):
    x = torch.randn(5, cell.input_size, dtype=F64)
    h = torch.randn(5, cell.hidden_size, dtype=F64)
    return x, h


def test_lstm_gates_are_stacked_i_f_g_o():
    """weight_ih / weight_hh stack the four gates in rows, in the order i, f, g, o: the
    equations with that order reproduce nn.LSTMCell; any other order does not."""
    cell = nn.LSTMCell(3, 4, dtype=F64)
    x, h = _cell_inputs(cell)
    c = torch.randn(5, 4, dtype=F64)
    assert cell.weight_ih.shape == (4 * 4, 3) and cell.weight_hh.shape == (4 * 4, 4)
    want_h, want_c = cell(x, (h, c))
    gates = F.linear(x, cell.weight_ih, cell.bias_ih) + F.linear(
        h, cell.weight_hh, cell.bias_hh
    )

    def run(order):
        parts = dict(zip(order, gates.chunk(4, dim=-1), strict=True))
        i, f, g, o = (
            torch.sigmoid(parts["i"]),
            torch.sigmoid(parts["f"]),
            torch.tanh(parts["g"]),
            torch.sigmoid(parts["o"]),
        )
        c1 = f * c + i * g
        return o * torch.tanh(c1), c1

    h1, c1 = run("ifgo")
    torch.testing.assert_close(h1, want_h, rtol=0, atol=1e-12)
    torch.testing.assert_close(c1, want_c, rtol=0, atol=1e-12)
    for order in ("figo", "igfo", "iofg"):
        assert not torch.allclose(run(order)[0], want_h, atol=1e-6)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_lstm_outputs_h_at_every_step_and_c_only_as_c_n(num_layers):
    """The cell state is not in `output`: output[t] is the top layer's h_t. nn.LSTM
    returns the last cell state of every layer as c_n, beside h_n; nn.LSTMCell returns
    c_t with h_t at every call."""
    H, L = 4, 5
    lstm = nn.LSTM(3, H, num_layers, dtype=F64)
    x = torch.randn(L, 2, 3, dtype=F64)  # (L, N, H_in)
    output, (h_n, c_n) = lstm(x)
    cells = []
    for k in range(num_layers):
        cell = nn.LSTMCell(3 if k == 0 else H, H, dtype=F64)
        cell.load_state_dict(
            {
                n.removesuffix(f"_l{k}"): v
                for n, v in lstm.state_dict().items()
                if n.endswith(f"_l{k}")
            }
        )
        cells.append(cell)
    states = [(torch.zeros(2, H, dtype=F64), torch.zeros(2, H, dtype=F64))] * num_layers
    for t in range(L):
        layer_input = x[t]
        for k, cell in enumerate(cells):
            states[k] = h, c = cell(layer_input, states[k])  # LSTMCell returns (h, c)
            layer_input = h
        torch.testing.assert_close(output[t], states[-1][0], rtol=0, atol=1e-12)
        assert not any(torch.allclose(row, c) for row in output)  # c_t is not in output
    for k in range(num_layers):
        torch.testing.assert_close(c_n[k], states[k][1], rtol=0, atol=1e-12)
        torch.testing.assert_close(h_n[k], states[k][0], rtol=0, atol=1e-12)


def test_gru_gates_are_stacked_r_z_n_and_reset_multiplies_w_hn_h_plus_b_hn():
    """GRU: rows r, z, n; the reset gate multiplies (W_hn h + b_hn), bias included, and
    h' = (1 - z) * n + z * h. Resetting h before the matmul (r * h) W_hn^T + b_hn,
    another common form, is a different function."""
    cell = nn.GRUCell(3, 4, dtype=F64)
    x, h = _cell_inputs(cell)
    want = cell(x, h)
    x_r, x_z, x_n = F.linear(x, cell.weight_ih, cell.bias_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, cell.weight_hh, cell.bias_hh).chunk(3, dim=-1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    torch.testing.assert_close((1 - z) * n + z * h, want, rtol=0, atol=1e-12)
    w_hn, b_hn = cell.weight_hh[8:], cell.bias_hh[8:]
    n_other = torch.tanh(x_n + F.linear(r * h, w_hn, b_hn))
    assert not torch.allclose((1 - z) * n_other + z * h, want, atol=1e-6)


def test_reference_cells_equal_torch_cells():
    gru, lstm = nn.GRUCell(3, 4, dtype=F64), nn.LSTMCell(3, 4, dtype=F64)
    x, h = _cell_inputs(gru)
    c = torch.randn(5, 4, dtype=F64)
    torch.testing.assert_close(
        gru_cell(x, h, gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh),
        gru(x, h),
        rtol=0,
        atol=1e-12,
    )
    got = lstm_cell(
        x, (h, c), lstm.weight_ih, lstm.weight_hh, lstm.bias_ih, lstm.bias_hh
    )
    for a, b in zip(got, lstm(x, (h, c)), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True),
        lambda: nn.LSTM(4, 5, num_layers=2, bidirectional=True),
        lambda: nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=3),
    ],
    ids=["gru", "lstm", "lstm-proj"],
)
@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
def test_reference_forward_equals_torch(make, packed):
    module = make().double()
    x = torch.randn(6, 3, 4, dtype=F64)
    inp = (
        torch.nn.utils.rnn.pack_padded_sequence(x, [6, 2, 4], enforce_sorted=False)
        if packed
        else x
    )
    out, state = module(inp)
    ref_out, ref_state = reference_forward(module, inp)
    if packed:
        out, ref_out = out.data, ref_out.data
    torch.testing.assert_close(ref_out, out, rtol=0, atol=1e-12)
    for a, b in zip(
        ref_state if isinstance(state, tuple) else (ref_state,),
        state if isinstance(state, tuple) else (state,),
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


# torch's CPU path warns that it falls back from oneDNN for projections: expected here
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_proj_size_shapes():
    """proj_size shrinks h (output, h_n) but not c (c_n); weight_hr_l{k}
    is (proj_size, hidden); weight_hh reads the projected h; layer 1 reads
    D * proj_size features."""
    lstm = nn.LSTM(10, 20, num_layers=2, proj_size=5, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(7, 3, 10))
    assert output.shape == (7, 3, 2 * 5)
    assert h_n.shape == (2 * 2, 3, 5) and c_n.shape == (2 * 2, 3, 20)
    assert lstm.weight_hr_l0.shape == (5, 20) and lstm.weight_hr_l1_reverse.shape == (
        5,
        20,
    )
    assert lstm.weight_hh_l0.shape == (4 * 20, 5) and lstm.weight_ih_l1.shape == (
        4 * 20,
        2 * 5,
    )


def test_proj_size_h_is_the_projection_of_o_tanh_c():
    """With proj_size, h_t = W_hr (o_t * tanh(c_t)); h_n[-1] ==
    output[-1] still holds."""
    lstm = nn.LSTM(4, 6, proj_size=2, dtype=F64)
    x = torch.randn(5, 3, 4, dtype=F64)
    output, (h_n, c_n) = lstm(x)
    gates = F.linear(x[-1], lstm.weight_ih_l0, lstm.bias_ih_l0) + F.linear(
        output[-2], lstm.weight_hh_l0, lstm.bias_hh_l0
    )
    o = torch.sigmoid(gates.chunk(4, dim=-1)[3])
    torch.testing.assert_close(
        h_n[0], F.linear(o * torch.tanh(c_n[0]), lstm.weight_hr_l0), rtol=0, atol=1e-12
    )
    assert torch.equal(h_n[-1], output[-1])


def test_proj_size_is_lstm_only_and_smaller_than_hidden_size():
    with pytest.raises(
        ValueError, match="proj_size has to be smaller than hidden_size"
    ):
        nn.LSTM(3, 4, proj_size=4)
    for module in (nn.GRU, nn.RNN):
        with pytest.raises(ValueError, match="only supported for LSTM, not RNN or GRU"):
            module(3, 4, proj_size=2)


def _forget_gate_at_rest(lstm, layers):
    """f for a zero input from h_0 = 0, read off the module: c_1 = f * c_0 + i * g,
    so f is c_1(c_0 = 1) - c_1(c_0 = 0), for layer 0."""
    H = lstm.hidden_size
    x, h_0 = (
        torch.zeros(1, 1, lstm.input_size, dtype=F64),
        torch.zeros(layers, 1, H, dtype=F64),
    )
    with torch.no_grad():
        one = lstm(x, (h_0, torch.ones(layers, 1, H, dtype=F64)))[1][1][0, 0]
        zero = lstm(x, (h_0, torch.zeros(layers, 1, H, dtype=F64)))[1][1][0, 0]
    return one - zero


@pytest.mark.parametrize("num_layers", [1, 2])
def test_forget_gate_bias_is_the_sum_of_both_biases(num_layers):
    """The forget gate's bias is bias_ih[H:2H] + bias_hh[H:2H]: with that sum equal
    to b the gate at rest is sigmoid(b) however it is split; setting bias_hh[H:2H] = 1
    alone leaves bias_ih's random initial values in it."""
    torch.manual_seed(0)
    H = 4
    f = slice(H, 2 * H)
    lstm = nn.LSTM(3, H, num_layers=num_layers, dtype=F64)
    with torch.no_grad():
        lstm.bias_hh_l0[f] = 1.0
    naive = _forget_gate_at_rest(lstm, num_layers)
    torch.testing.assert_close(
        naive, torch.sigmoid(1.0 + lstm.bias_ih_l0[f].detach()), rtol=0, atol=1e-12
    )
    assert not torch.allclose(naive, torch.sigmoid(torch.ones(H, dtype=F64)))
    for ih, hh in [(1.0, 0.0), (0.5, 0.5), (3.0, -2.0)]:
        with torch.no_grad():
            lstm.bias_ih_l0[f], lstm.bias_hh_l0[f] = ih, hh
        torch.testing.assert_close(
            _forget_gate_at_rest(lstm, num_layers),
            torch.sigmoid(torch.ones(H, dtype=F64)),
            rtol=0,
            atol=1e-12,
        )


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_lstm_given_a_bare_tensor_as_hx(num_layers):
    """torch's error for an LSTM given one tensor as hx does not mention (h_0, c_0),
    and its type depends on the shapes; reference_forward names the expected pair,
    raising torch's own exception type for the same shapes."""
    lstm = nn.LSTM(3, 4, num_layers=num_layers)
    x, h_0 = torch.randn(5, 2, 3), torch.zeros(num_layers, 2, 4)
    with pytest.raises((IndexError, RuntimeError)) as raised:
        lstm(x, h_0)
    assert "c_0" not in str(raised.value) and "tuple" not in str(raised.value)
    with pytest.raises(raised.type, match=r"LSTM expects hx=\(h_0, c_0\)"):
        reference_forward(lstm, x, h_0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gates_lie_in_0_1_in_exact_arithmetic_and_saturate_in_float32(dtype):
    """The sigmoid is in (0, 1) in exact arithmetic; in float32 it rounds to exactly 1
    at 17 and exactly 0 at -104, where float64 still lies inside. In an nn.LSTM with
    the forget gate's bias at 30 and the input gate's at -120, float32 gates of
    exactly 1 and 0 keep c exactly c_0 over 6 steps; in float64 c moves."""
    gate = torch.sigmoid(torch.tensor([17.0, -104.0], dtype=dtype))
    if dtype == torch.float32:
        assert gate.tolist() == [1.0, 0.0]
    else:
        assert 0 < gate[1] < gate[0] < 1
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, dtype=dtype)
    with torch.no_grad():
        lstm.bias_ih_l0[4:8] = 30.0  # f: rows H..2H (gates stacked i, f, g, o)
        lstm.bias_ih_l0[:4] = -120.0  # i: rows 0..H
    c0 = torch.randn(1, 2, 4, dtype=dtype)
    h0 = torch.randn(1, 2, 4, dtype=dtype)
    _, (_, c_n) = lstm(torch.randn(6, 2, 3, dtype=dtype), (h0, c0))
    assert torch.equal(c_n, c0) is (dtype == torch.float32)
