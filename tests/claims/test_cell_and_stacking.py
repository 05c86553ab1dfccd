"""Claims made on docs/cell-and-stacking.md, each asserted against torch.nn."""

import torch
from torch import nn


def test_output_is_the_hidden_state():
    """output[t] is the state after step t: feeding the sequence one step at a time, carrying
    h_n forward as hx, reproduces output step by step."""
    rnn = nn.RNN(3, 5, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    output, h_n = rnn(x)
    h = None
    for t in range(6):
        step_out, h = rnn(x[t : t + 1], h)
        torch.testing.assert_close(step_out[0], output[t], rtol=0, atol=1e-12)
        torch.testing.assert_close(h[0], output[t], rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n[0], output[-1], rtol=0, atol=0)


def test_h_n_holds_last_step_of_every_layer():
    """h_n[k] is layer k's state after the last step; only h_n[-1] equals output[-1]."""
    num_layers = 3
    rnn = nn.RNN(4, 6, num_layers=num_layers, dtype=torch.float64)
    x = torch.randn(5, 2, 4, dtype=torch.float64)
    output, h_n = rnn(x)
    assert h_n.shape == (num_layers, 2, 6)
    # Run the layers one at a time as separate one-layer RNNs.
    layer_input = x
    for k in range(num_layers):
        single = nn.RNN(layer_input.shape[-1], 6, dtype=torch.float64)
        single.load_state_dict({n.replace(f"_l{k}", "_l0"): p
                                for n, p in rnn.state_dict().items() if n.endswith(f"_l{k}")})
        layer_input, _ = single(layer_input)
        torch.testing.assert_close(h_n[k], layer_input[-1], rtol=0, atol=1e-12)
    torch.testing.assert_close(layer_input, output, rtol=0, atol=1e-12)
    assert not torch.allclose(h_n[0], output[-1])
