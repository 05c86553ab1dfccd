"""Claims made on docs/bidirectional.md, each asserted against torch.nn."""

import pytest
import torch
from torch import nn

F64 = torch.float64


def _count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_parameters_double_with_reverse_names(num_layers):
    """Every parameter gets a *_reverse twin of the same shape; layers above 0
    read 2*H features, so their weight_ih is (H, 2*H) and the count more than
    doubles when num_layers > 1."""
    H_in, H = 3, 4
    uni = nn.RNN(H_in, H, num_layers=num_layers)
    bi = nn.RNN(H_in, H, num_layers=num_layers, bidirectional=True)
    uni_names = [n for n, _ in uni.named_parameters()]
    bi_shapes = dict((n, tuple(p.shape)) for n, p in bi.named_parameters())
    assert sorted(bi_shapes) == sorted(uni_names + [n + "_reverse" for n in uni_names])
    for name in uni_names:
        assert bi_shapes[name] == bi_shapes[name + "_reverse"]
    for k in range(1, num_layers):
        assert bi_shapes[f"weight_ih_l{k}"] == (H, 2 * H)
    assert _count(bi) == 2 * _count(uni) + 2 * (num_layers - 1) * H * H


def _split(bi):
    """Two one-directional RNNs holding bi's forward and
    *_reverse weights (one layer)."""
    state = bi.state_dict()
    fwd, bwd = (
        nn.RNN(bi.input_size, bi.hidden_size, dtype=F64),
        nn.RNN(bi.input_size, bi.hidden_size, dtype=F64),
    )
    fwd.load_state_dict({k: v for k, v in state.items() if not k.endswith("_reverse")})
    bwd.load_state_dict(
        {
            k.removesuffix("_reverse"): v
            for k, v in state.items()
            if k.endswith("_reverse")
        }
    )
    return fwd, bwd


def test_output_is_forward_then_backward():
    """output[..., :H] is the forward RNN; output[..., H:] is the reverse weights run on
    the flipped sequence, flipped back; h_n[0] and h_n[1] are their final states."""
    H = 4
    bi = nn.RNN(3, H, bidirectional=True, dtype=F64)
    x = torch.randn(6, 2, 3, dtype=F64)
    output, h_n = bi(x)
    fwd, bwd = _split(bi)
    fwd_out, fwd_h = fwd(x)
    bwd_out, bwd_h = bwd(x.flip(0))
    torch.testing.assert_close(output[..., :H], fwd_out, rtol=0, atol=1e-12)
    torch.testing.assert_close(output[..., H:], bwd_out.flip(0), rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n, torch.cat([fwd_h, bwd_h]), rtol=0, atol=1e-12)


def test_h_n_view_is_layer_then_direction():
    """h_n.view(num_layers, 2, N, H)[k, d] is layer k, direction d
    (0 forward, 1 backward): h_n[2k] is layer k forward, ending at the last step;
    h_n[2k+1] backward, ending at step 0."""
    L, N, H, layers = 5, 2, 4, 3
    rnn = nn.RNN(3, H, num_layers=layers, bidirectional=True, dtype=F64)
    x = torch.randn(L, N, 3, dtype=F64)
    output, h_n = rnn(x)
    by_layer = h_n.view(layers, 2, N, H)
    for k in range(layers):
        for d in range(2):
            assert torch.equal(by_layer[k, d], h_n[2 * k + d])
    torch.testing.assert_close(h_n[-2], output[-1, :, :H], rtol=0, atol=0)
    torch.testing.assert_close(h_n[-1], output[0, :, H:], rtol=0, atol=0)
    assert not torch.allclose(h_n[-1], output[-1, :, H:])
    # lower layers: layer k alone, fed the output of the layers below,
    # ends in h_n[2k], h_n[2k+1]
    sub = nn.RNN(3, H, num_layers=1, bidirectional=True, dtype=F64)
    sub.load_state_dict({n: p for n, p in rnn.state_dict().items() if "_l0" in n})
    torch.testing.assert_close(sub(x)[1], h_n[:2], rtol=0, atol=1e-12)


def test_backward_half_of_last_output_sees_one_step():
    """output[-1, :, H:] depends on x[-1] only (it is one step from h_0 = 0), while
    cat(h_n[-2], h_n[-1]) depends on every step."""
    L, H = 6, 4
    rnn = nn.RNN(3, H, bidirectional=True, dtype=F64)
    x = torch.randn(L, 2, 3, dtype=F64)
    changed = x.clone()
    changed[:-1] = torch.randn(L - 1, 2, 3, dtype=F64)
    (out_a, h_a), (out_b, _) = rnn(x), rnn(changed)
    torch.testing.assert_close(out_a[-1, :, H:], out_b[-1, :, H:], rtol=0, atol=0)
    assert not torch.allclose(out_a[-1, :, :H], out_b[-1, :, :H])
    for t in range(L):  # every step moves the summary
        moved = x.clone()
        moved[t] += 1
        h_m = rnn(moved)[1]
        assert not torch.allclose(
            torch.cat([h_a[-2], h_a[-1]], -1), torch.cat([h_m[-2], h_m[-1]], -1)
        )
    one_step = torch.tanh(
        x[-1] @ rnn.weight_ih_l0_reverse.T
        + rnn.bias_ih_l0_reverse
        + rnn.bias_hh_l0_reverse
    )
    torch.testing.assert_close(out_a[-1, :, H:], one_step, rtol=0, atol=1e-12)


def test_summary_is_cat_of_last_two_h_n():
    """cat(h_n[-2], h_n[-1]) is the top layer's forward state after the
    last step next to its backward state after the first step:
    output[-1, :, :H] and output[0, :, H:]."""
    H = 4
    rnn = nn.RNN(3, H, num_layers=2, bidirectional=True, dtype=F64)
    output, h_n = rnn(torch.randn(5, 2, 3, dtype=F64))
    summary = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (N, 2*H)
    torch.testing.assert_close(
        summary, torch.cat([output[-1, :, :H], output[0, :, H:]], -1), rtol=0, atol=0
    )
    assert not torch.allclose(summary, output[-1])


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_backward_half_of_last_output_needs_one_layer_and_no_hx(num_layers):
    """The backward half of output[-1] is one step of the top layer's backward
    direction from its initial state on the top layer's input at the last step. It
    depends on x[-1] alone only with one layer and no hx: given hx it is a step from
    hx[-1]; with more layers it moves when any earlier step changes."""
    L, H = 6, 4
    torch.manual_seed(0)
    rnn = nn.RNN(3, H, num_layers=num_layers, bidirectional=True, dtype=F64)
    x = torch.randn(L, 2, 3, dtype=F64)
    changed = x.clone()
    changed[:-1] = torch.randn(L - 1, 2, 3, dtype=F64)
    hx = torch.randn(2 * num_layers, 2, H, dtype=F64)
    top = num_layers - 1
    w = {n: getattr(rnn, f"{n}_l{top}_reverse") for n in ("weight_ih", "weight_hh")}
    b = getattr(rnn, f"bias_ih_l{top}_reverse") + getattr(
        rnn, f"bias_hh_l{top}_reverse"
    )
    for h_0 in (None, hx):
        out = rnn(x, h_0)[0]
        # the top layer's input at the last step: x[-1], or the layer below's output
        below = x if top == 0 else nn.RNN(3, H, top, bidirectional=True, dtype=F64)
        if top:
            below.load_state_dict(
                {
                    n: p
                    for n, p in rnn.state_dict().items()
                    if int(n.split("_l")[1].split("_")[0]) < top
                }
            )
            below = below(x, None if h_0 is None else h_0[: 2 * top])[0]
        h_start = torch.zeros(2, H, dtype=F64) if h_0 is None else h_0[-1]
        one_step = torch.tanh(
            below[-1] @ w["weight_ih"].T + h_start @ w["weight_hh"].T + b
        )
        torch.testing.assert_close(out[-1, :, H:], one_step, rtol=0, atol=1e-12)
        moved = rnn(changed, h_0)[0][-1, :, H:]
        if num_layers == 1:
            torch.testing.assert_close(moved, out[-1, :, H:], rtol=0, atol=0)
        else:
            assert not torch.allclose(moved, out[-1, :, H:])
            for t in range(L - 1):  # "moves with every word": each one on its own
                one_word = x.clone()
                one_word[t] += 1
                assert not torch.allclose(
                    rnn(one_word, h_0)[0][-1, :, H:], out[-1, :, H:]
                ), t
    # given hx, it is not the step from zeros
    assert not torch.allclose(rnn(x, hx)[0][-1, :, H:], rnn(x)[0][-1, :, H:])
