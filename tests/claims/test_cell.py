"""Claims made on docs/cell.md, each asserted against torch.nn."""

import pytest
import torch
from torch import nn

from rnn_ref import rnn_cell

F64 = torch.float64


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_cell_equals_nn_rnncell(nonlinearity, bias):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh) is what nn.RNNCell computes."""
    cell = nn.RNNCell(3, 4, bias=bias, nonlinearity=nonlinearity, dtype=F64)
    x, h = torch.randn(5, 3, dtype=F64), torch.randn(5, 4, dtype=F64)
    ours = rnn_cell(
        x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh, nonlinearity
    )
    torch.testing.assert_close(ours, cell(x, h), rtol=0, atol=1e-12)
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    by_hand = act(
        x @ cell.weight_ih.T
        + h @ cell.weight_hh.T
        + (cell.bias_ih + cell.bias_hh if bias else 0)
    )
    torch.testing.assert_close(by_hand, cell(x, h), rtol=0, atol=1e-12)


def test_output_is_the_hidden_state():
    """output[t] is the state after step t: feeding the sequence one step at a
    time, carrying h_n forward as hx, reproduces output step by step;
    nn.RNNCell in a loop does too."""
    rnn = nn.RNN(3, 5, dtype=F64)
    cell = nn.RNNCell(3, 5, dtype=F64)
    cell.load_state_dict(
        {k.removesuffix("_l0"): v for k, v in rnn.state_dict().items()}
    )
    x = torch.randn(6, 2, 3, dtype=F64)
    output, h_n = rnn(x)
    h, h_cell = None, torch.zeros(2, 5, dtype=F64)
    for t in range(6):
        step_out, h = rnn(x[t : t + 1], h)
        h_cell = cell(x[t], h_cell)
        torch.testing.assert_close(step_out[0], output[t], rtol=0, atol=1e-12)
        torch.testing.assert_close(h[0], output[t], rtol=0, atol=1e-12)
        torch.testing.assert_close(h_cell, output[t], rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[0], output[-1], rtol=0, atol=0)


def test_shapes_legend():
    """input (L, N, H_in); output (L, N, D*H_out); h_n
    (D*num_layers, N, H_out); batch_first moves N first in input and output
    only; unbatched input drops N everywhere."""
    L, N, H_in, H_out, layers = 7, 2, 3, 5, 2
    for D in (1, 2):
        rnn = nn.RNN(H_in, H_out, num_layers=layers, bidirectional=D == 2)
        output, h_n = rnn(torch.randn(L, N, H_in))
        assert output.shape == (L, N, D * H_out) and h_n.shape == (D * layers, N, H_out)
        rnn.batch_first = True
        hx = torch.zeros(
            D * layers, N, H_out
        )  # hx keeps N in the middle with batch_first too
        output, h_n = rnn(torch.randn(N, L, H_in), hx)
        assert output.shape == (N, L, D * H_out) and h_n.shape == (D * layers, N, H_out)
        output, h_n = rnn(torch.randn(L, H_in))
        assert output.shape == (L, D * H_out) and h_n.shape == (D * layers, H_out)
        # unbatched, hx drops N too: (D * num_layers, H_out); a batched hx is refused
        output, h_n = rnn(torch.randn(L, H_in), torch.zeros(D * layers, H_out))
        assert output.shape == (L, D * H_out) and h_n.shape == (D * layers, H_out)
        with pytest.raises(RuntimeError, match="hx should also be 2-D"):
            rnn(torch.randn(L, H_in), torch.zeros(D * layers, 1, H_out))


def test_relu_replaces_tanh():
    """nonlinearity="relu": outputs are max(0, ·) of the same
    pre-activation, so never negative."""
    tanh_rnn = nn.RNN(3, 4, dtype=F64)
    relu_rnn = nn.RNN(3, 4, nonlinearity="relu", dtype=F64)
    relu_rnn.load_state_dict(tanh_rnn.state_dict())
    x = torch.randn(
        1, 8, 3, dtype=F64
    )  # one step from h_0 = 0: output = act(pre-activation)
    pre = torch.atanh(tanh_rnn(x)[0])
    torch.testing.assert_close(relu_rnn(x)[0], torch.relu(pre), rtol=0, atol=1e-10)
    output, _ = relu_rnn(torch.randn(6, 2, 3, dtype=F64))
    assert (output >= 0).all() and (output == 0).any()
    big, _ = relu_rnn(1e3 * torch.randn(6, 2, 3, dtype=F64))  # not bounded above
    assert big.max() > 1e2 and tanh_rnn(1e3 * x)[0].abs().max() <= 1
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")


def test_last_input_dimension_must_be_input_size():
    """nn.RNN(10, 20) on torch.randn(5, 3, 10): L=5, N=3, H_in=10; a
    last dim of 5 is rejected."""
    rnn = nn.RNN(10, 20, 1)
    output, h_n = rnn(torch.randn(5, 3, 10))
    assert output.shape == (5, 3, 20) and h_n.shape == (1, 3, 20)
    with pytest.raises(
        RuntimeError, match="input.size\\(-1\\) must be equal to input_size"
    ):
        rnn(torch.randn(5, 3, 5))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_bias_false_removes_both_biases(nonlinearity, bidirectional):
    """bias=False: no bias_ih/bias_hh parameters in any layer or direction, and a
    zero input from h_0 = 0 stays zero, for both nonlinearities."""
    rnn = nn.RNN(
        3,
        4,
        num_layers=2,
        bias=False,
        nonlinearity=nonlinearity,
        bidirectional=bidirectional,
    )
    suffixes = ["", "_reverse"] if bidirectional else [""]
    assert [n for n, _ in rnn.named_parameters()] == [
        f"{w}_l{k}{s}"
        for k in range(2)
        for s in suffixes
        for w in ("weight_ih", "weight_hh")
    ]
    output, h_n = rnn(torch.zeros(6, 2, 3))
    assert (output == 0).all() and (h_n == 0).all()


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_the_two_biases_only_appear_as_their_sum(nonlinearity, bidirectional):
    """Moving any amount from bias_hh to bias_ih leaves output, h_n and every
    gradient unchanged to rounding (so training follows the same path), and the two
    biases always get the same gradient."""
    rnn = nn.RNN(
        3,
        4,
        num_layers=2,
        nonlinearity=nonlinearity,
        bidirectional=bidirectional,
        dtype=F64,
    )
    x = torch.randn(5, 2, 3, dtype=F64)

    def run():
        rnn.zero_grad()
        out, h_n = rnn(x)
        (out.square().sum() + h_n.sum()).backward()
        return (
            out.detach(),
            h_n.detach(),
            {n: p.grad.clone() for n, p in rnn.named_parameters()},
        )

    before, h_before, grads = run()
    for name in grads:
        if name.startswith("bias_ih"):
            twin = name.replace("bias_ih", "bias_hh")
            torch.testing.assert_close(grads[name], grads[twin], rtol=0, atol=1e-12)
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if name.startswith("bias_ih"):
                shift = torch.randn(4, dtype=F64)
                p.add_(shift)
                getattr(rnn, name.replace("bias_ih", "bias_hh")).sub_(shift)
    after, h_after, grads_after = run()
    torch.testing.assert_close(after, before, rtol=0, atol=1e-12)
    torch.testing.assert_close(h_after, h_before, rtol=0, atol=1e-12)
    for name in grads:
        torch.testing.assert_close(grads_after[name], grads[name], rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_moving_bias_changes_outputs_by_rounding_that_grows_with_the_amount(
    dtype, seed
):
    """Exact in real arithmetic, not in floating point: moving s from bias_hh to
    bias_ih changes the output by rounding error, and the error grows with s: for s
    of 1, 100 and 10^4 it is between half and ten times s * u (u the unit roundoff,
    2^-24 in float32, 2^-53 in float64), so 10^4 moves it far more than 1 does."""
    torch.manual_seed(seed)
    rnn = nn.RNN(3, 4, num_layers=2, dtype=dtype)
    x = torch.randn(5, 2, 3, dtype=dtype)
    before, _ = rnn(x)
    u = torch.finfo(dtype).eps / 2
    change = {}
    for shift in (1.0, 100.0, 1e4):
        moved = nn.RNN(3, 4, num_layers=2, dtype=dtype)
        moved.load_state_dict(rnn.state_dict())
        with torch.no_grad():
            for k in range(2):
                getattr(moved, f"bias_ih_l{k}").add_(shift)
                getattr(moved, f"bias_hh_l{k}").sub_(shift)
        change[shift] = (moved(x)[0] - before).abs().max().item()
        assert 0.5 * shift * u <= change[shift] <= 10 * shift * u, (shift, change)
    assert change[1e4] > 100 * change[1.0]


def _cells(rnn, suffix=""):
    """One nn.RNNCell per layer of `rnn`, loaded with that layer's weights."""
    cells = []
    for k in range(rnn.num_layers):
        tail = f"_l{k}{suffix}"
        weights = {
            n.removesuffix(tail): v
            for n, v in rnn.state_dict().items()
            if n.endswith(tail)
        }
        cell = nn.RNNCell(weights["weight_ih"].size(1), rnn.hidden_size, dtype=F64)
        cell.load_state_dict(weights)
        cells.append(cell)
    return cells


@pytest.mark.parametrize(
    "num_layers, bidirectional", [(2, False), (3, False), (1, True)]
)
def test_output_is_the_top_layer_state_only(num_layers, bidirectional):
    """ "output[t] is h_t" is the one-layer, one-direction case. With more layers,
    output[t] is the top layer's h_t at every step and no lower layer's state is in
    output; bidirectional, output[t] is [forward h_t, backward state after reading
    steps L-1..t] side by side."""
    H, L = 5, 6
    rnn = nn.RNN(3, H, num_layers, bidirectional=bidirectional, dtype=F64)
    x = torch.randn(L, 2, 3, dtype=F64)
    output, h_n = rnn(x)
    if bidirectional:
        (forward,), (backward,) = _cells(rnn), _cells(rnn, "_reverse")
        h, h_back = torch.zeros(2, H, dtype=F64), torch.zeros(2, H, dtype=F64)
        for t in range(L):
            h = forward(x[t], h)
            h_back = backward(x[L - 1 - t], h_back)  # has read steps L-1..L-1-t
            assert output[t].shape == (2, 2 * H)
            torch.testing.assert_close(output[t, :, :H], h, rtol=0, atol=1e-12)
            torch.testing.assert_close(
                output[L - 1 - t, :, H:], h_back, rtol=0, atol=1e-12
            )
        return
    cells = _cells(rnn)
    states = [torch.zeros(2, H, dtype=F64) for _ in cells]
    for t in range(L):
        layer_input = x[t]
        for k, cell in enumerate(cells):
            states[k] = cell(layer_input, states[k])  # layer k's h_t
            layer_input = states[k]
        torch.testing.assert_close(output[t], states[-1], rtol=0, atol=1e-12)
        for lower in states[:-1]:  # no lower layer's state is any row of output
            assert not any(torch.allclose(row, lower) for row in output)
    for k in range(num_layers):  # the lower layers' states are in h_n instead
        torch.testing.assert_close(h_n[k], states[k], rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[-1], output[-1], rtol=0, atol=0)


@pytest.mark.parametrize("gate, rows", [("r", slice(0, 4)), ("z", slice(4, 8))])
def test_in_the_gru_only_the_candidate_biases_are_not_a_sum(gate, rows):
    """GRU: moving an amount from bias_hh to bias_ih in the reset or update gate's rows
    changes nothing; in the candidate's rows (b_in, b_hn) it changes the output."""
    gru = nn.GRU(3, 4, dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64)
    before, _ = gru(x)
    for block, changes in ((rows, False), (slice(8, 12), True)):
        shifted = nn.GRU(3, 4, dtype=F64)
        shifted.load_state_dict(gru.state_dict())
        with torch.no_grad():
            shift = torch.randn(4, dtype=F64)
            shifted.bias_ih_l0[block] += shift
            shifted.bias_hh_l0[block] -= shift
        after, _ = shifted(x)
        if changes:
            assert not torch.allclose(after, before, atol=1e-6)
        else:
            torch.testing.assert_close(after, before, rtol=0, atol=1e-12)
