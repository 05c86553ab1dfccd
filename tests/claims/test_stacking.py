"""Claims made on docs/stacking.md, each asserted against torch.nn."""

import ast
import textwrap
import warnings

import pytest
import torch
from torch import nn

from rnn_ref import reference_forward
from rnn_ref.site import paths

F64 = torch.float64


def test_h_n_holds_last_step_of_every_layer():
    """h_n[k] is layer k's state after the last step; only h_n[-1] equals output[-1],
    and output is the top layer at every step."""
    num_layers = 3
    rnn = nn.RNN(4, 6, num_layers=num_layers, dtype=F64)
    x = torch.randn(5, 2, 4, dtype=F64)
    output, h_n = rnn(x)
    assert h_n.shape == (num_layers, 2, 6)
    assert rnn.weight_ih_l0.shape == (6, 4) and rnn.weight_ih_l1.shape == (
        6,
        6,
    )  # (H_out, H_out)
    layer_input = x  # run the layers one at a time, as separate one-layer RNNs
    for k in range(num_layers):
        single = nn.RNN(layer_input.shape[-1], 6, dtype=F64)
        single.load_state_dict(
            {
                n.replace(f"_l{k}", "_l0"): p
                for n, p in rnn.state_dict().items()
                if n.endswith(f"_l{k}")
            }
        )
        layer_input, _ = single(layer_input)
        torch.testing.assert_close(h_n[k], layer_input[-1], rtol=0, atol=1e-12)
    torch.testing.assert_close(layer_input, output, rtol=0, atol=1e-12)
    assert not torch.allclose(h_n[0], output[-1])


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_reference_equals_nn_rnn(num_layers):
    """rnn_ref.reference_forward returns what nn.RNN returns (float64)."""
    rnn = nn.RNN(4, 6, num_layers=num_layers, dtype=F64)
    x = torch.randn(7, 2, 4, dtype=F64)
    out, h_n = rnn(x)
    ref_out, ref_h_n = reference_forward(rnn, x)
    torch.testing.assert_close(ref_out, out, rtol=0, atol=1e-12)
    torch.testing.assert_close(ref_h_n, h_n, rtol=0, atol=1e-12)


def test_dropout_acts_between_layers_only():
    """One layer: dropout has nothing to act on (torch warns; train == eval). Two
    layers: train differs from eval, yet output has no dropped zeros: the mask hit layer
    0's output. Our loop, which drops out after every layer but the last, reproduces
    train mode with the same seed."""
    x = torch.randn(6, 3, 4, dtype=F64)
    with pytest.warns(UserWarning, match="dropout after all but last recurrent layer"):
        one = nn.RNN(4, 8, num_layers=1, dropout=0.5, dtype=F64)
    torch.testing.assert_close(one.train()(x)[0], one.eval()(x)[0], rtol=0, atol=0)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning with two layers
        two = nn.RNN(4, 8, num_layers=2, dropout=0.5, dtype=F64)
    eval_out, _ = two.eval()(x)
    train_out, _ = two.train()(x)
    assert not torch.allclose(train_out, eval_out)
    assert (train_out != 0).all()
    torch.manual_seed(1)
    theirs, theirs_h = two(x)
    torch.manual_seed(1)
    ours, ours_h = reference_forward(two, x)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)
    torch.testing.assert_close(ours_h, theirs_h, rtol=0, atol=1e-12)
    # h_n[0] is layer 0's own last state, before dropout: the same as in eval mode
    torch.testing.assert_close(theirs_h[0], two.eval()(x)[1][0], rtol=0, atol=1e-12)
    # every lower layer's h_n is taken before dropout: in a three-layer stack in
    # train mode (p=0.5), neither h_n[0] nor h_n[1] has a dropped (zero) entry
    three = nn.RNN(4, 8, num_layers=3, dropout=0.5, dtype=F64).train()
    torch.manual_seed(2)
    _, h_n = three(x)
    torch.manual_seed(2)
    _, ours_h = reference_forward(three, x)
    torch.testing.assert_close(ours_h, h_n, rtol=0, atol=1e-12)
    assert (h_n[:2] != 0).all()


def _old_docstring_forward(**free_variables):
    """The `forward` transcribed in
    snippets/stacking/docstring_loop_before_the_fix.py."""
    source = (
        paths.snippets() / "stacking/docstring_loop_before_the_fix.py"
    ).read_text()
    func = next(
        n
        for n in ast.parse(source).body
        if isinstance(n, ast.FunctionDef) and n.name == "forward"
    )
    namespace = {"torch": torch, **free_variables}
    exec(ast.get_source_segment(source, func), namespace)
    return namespace["forward"]


def _free_variables(rnn):
    names = ("weight_ih", "bias_ih", "weight_hh", "bias_hh")
    return dict(
        batch_first=False,
        num_layers=rnn.num_layers,
        hidden_size=rnn.hidden_size,
        **{
            n: [getattr(rnn, f"{n}_l{k}").detach() for k in range(rnn.num_layers)]
            for n in names
        },
    )


def test_docstring_loop_before_the_fix_is_wrong():
    """The old docstring loop: one layer gets h_n right but every output[t] is the last
    state (it appends views of h_t); two layers get h_n wrong too (layer 1 reads x[t]);
    and with input_size != hidden_size layer 1's matmul fails."""
    one = nn.RNN(4, 4, 1)
    x = torch.randn(5, 2, 4)
    out, h_n = one(x)
    doc_out, doc_h_n = _old_docstring_forward(**_free_variables(one))(x)
    torch.testing.assert_close(doc_h_n, h_n.detach(), rtol=0, atol=1e-6)
    assert (doc_out == doc_out[-1]).all() and not torch.allclose(doc_out, out)

    two = nn.RNN(4, 4, 2)
    out, h_n = two(x)
    doc_out, doc_h_n = _old_docstring_forward(**_free_variables(two))(x)
    torch.testing.assert_close(
        doc_h_n[0], h_n[0].detach(), rtol=0, atol=1e-6
    )  # layer 0 is right
    assert not torch.allclose(doc_h_n[1], h_n[1]) and not torch.allclose(
        doc_out[-1], out[-1]
    )

    wide = nn.RNN(3, 4, 2)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        _old_docstring_forward(**_free_variables(wide))(torch.randn(5, 2, 3))


def test_docstring_loop_in_installed_torch_is_right():
    """The loop in this torch's nn.RNN docstring feeds layer k the layer below
    and, run as it stands, equals nn.RNN (float64) for 1-3 layers and
    input_size != hidden_size."""
    code = textwrap.dedent(
        nn.RNN.__doc__.split(".. code-block:: python")[1].split("Args:")[0]
    )
    assert "h_t[layer - 1]" in code and "x[t] @ weight_ih[layer]" not in code
    for input_size, hidden_size, num_layers in [(4, 4, 1), (4, 4, 2), (3, 6, 3)]:
        namespace = dict(
            torch=torch,
            nn=nn,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
        )
        exec(code, namespace)
        rnn = namespace["rnn"].double()
        x = torch.randn(5, 2, input_size, dtype=F64)
        hx = torch.zeros(num_layers, 2, hidden_size, dtype=F64)
        with torch.no_grad():
            out, h_n = rnn(x)
            doc_out, doc_h_n = namespace["forward"](x, hx)
        torch.testing.assert_close(doc_out, out, rtol=0, atol=1e-12)
        torch.testing.assert_close(doc_h_n, h_n, rtol=0, atol=1e-12)
    # it covers the default case only: it ignores
    # nonlinearity="relu" and needs the biases
    for kwargs in ({"nonlinearity": "relu"}, {"bias": False}):
        namespace["rnn"] = rnn = nn.RNN(
            input_size, hidden_size, num_layers, dtype=F64, **kwargs
        )
        namespace["params"] = dict(rnn.named_parameters())
        with torch.no_grad():
            if "bias" in kwargs:
                with pytest.raises(KeyError, match="bias_hh_l0"):
                    namespace["forward"](x, hx)
            else:
                assert not torch.allclose(namespace["forward"](x, hx)[0], rnn(x)[0])
    # ... dropout (train mode draws masks; the loop has none) ...
    namespace["rnn"] = rnn = nn.RNN(
        input_size, hidden_size, num_layers, dropout=0.5, dtype=F64
    ).train()
    namespace["params"] = dict(rnn.named_parameters())
    with torch.no_grad():
        torch.manual_seed(0)
        assert not torch.allclose(namespace["forward"](x, hx)[0], rnn(x)[0])
    # ... and bidirectional=True: one layer runs the forward direction only; with
    # more, layer 1's weight_ih expects both directions and the matmul fails
    for layers in (1, num_layers):
        namespace["rnn"] = rnn = nn.RNN(
            input_size, hidden_size, layers, bidirectional=True, dtype=F64
        )
        namespace["params"] = dict(rnn.named_parameters())
        h0 = torch.zeros(layers, 2, hidden_size, dtype=F64)
        with torch.no_grad():
            if layers == 1:
                assert namespace["forward"](x, h0)[0].shape[-1] == hidden_size
                assert rnn(x)[0].shape[-1] == 2 * hidden_size
            else:
                with pytest.raises(RuntimeError, match="cannot be multiplied"):
                    namespace["forward"](x, h0)


def _installed_docstring_loop(input_size, hidden_size, num_layers):
    """The docstring's `rnn` and `forward`, run from this torch's nn.RNN.__doc__."""
    code = textwrap.dedent(
        nn.RNN.__doc__.split(".. code-block:: python")[1].split("Args:")[0]
    )
    namespace = dict(
        torch=torch,
        nn=nn,
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
    )
    exec(code, namespace)
    return namespace["rnn"], namespace["forward"]


@pytest.mark.parametrize("seq_len", [1, 5])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_docstring_loop_in_installed_torch_fails_under_backward(num_layers, seq_len):
    """Trained as a reader would train it (loss.backward()), this torch's docstring
    loop raises autograd's in-place error for num_layers > 1 (pytorch#165621), with a
    sequence of one step too: within a step, layer k's `h_t[layer] = ...` writes into
    h_t, of which layer k reads the view h_t[layer - 1]. With one layer backward runs
    and its gradients equal nn.RNN's."""
    torch.manual_seed(0)
    rnn, forward = _installed_docstring_loop(4, 4, num_layers)
    x = torch.randn(seq_len, 2, 4)  # (L, N, H_in)
    doc_out, doc_h_n = forward(x)
    loss = doc_out.sum() + doc_h_n.sum()
    if num_layers == 1:
        loss.backward()
        doc_grads = [p.grad.clone() for p in rnn.parameters()]
        rnn.zero_grad()
        out, h_n = rnn(x)
        (out.sum() + h_n.sum()).backward()
        for doc_grad, p in zip(doc_grads, rnn.parameters(), strict=True):
            torch.testing.assert_close(doc_grad, p.grad, rtol=1e-5, atol=1e-5)
    else:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_docstring_prose_calls_h_t_minus_1_the_previous_layer():
    """This torch's nn.RNN docstring still calls h_{t-1} "the hidden state of the
    previous layer at time t-1" (pytorch#109443), while nn.RNN feeds each layer its
    own state from step t-1: changing layer 0's initial state changes layer 0's
    output, and layer 1's initial state does not reach layer 1's input."""
    prose = " ".join(nn.RNN.__doc__.split())
    assert (
        "is the hidden state of the previous layer at time `t-1` or the initial "
        "hidden state at time `0`" in prose
    )
    torch.manual_seed(0)
    rnn = nn.RNN(4, 4, num_layers=2, dtype=F64)
    x = torch.randn(3, 1, 4, dtype=F64)
    hx = torch.zeros(2, 1, 4, dtype=F64)
    bumped = hx.clone()
    bumped[1] += 1.0  # layer 1's own initial state
    _, h_n = rnn(x, hx)
    _, h_n_bumped = rnn(x, bumped)
    # layer 0 never sees layer 1's state (its h_{t-1} is its own) ...
    torch.testing.assert_close(h_n_bumped[0], h_n[0], rtol=0, atol=0)
    # ... and layer 1 does see its own h_{t-1}
    assert not torch.allclose(h_n_bumped[1], h_n[1])
