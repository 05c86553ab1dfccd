"""Claims made on docs/shapes.md, each asserted against torch.nn
(and the page's snippets)."""

import runpy

import pytest
import torch
from torch import nn

from rnn_ref.site import paths

F64 = torch.float64


def _run(name: str) -> dict:
    """Run snippets/shapes/<name>.py and return its globals."""
    return runpy.run_path(str(paths.snippets() / "shapes" / f"{name}.py"))


@pytest.mark.parametrize(
    "name, result, shape",
    [
        ("one_to_many", "tokens", ("N", "steps")),
        ("many_to_one", "logits", ("N", "C")),
        ("many_to_many_aligned", "logits", ("N", "L", "tags")),
        ("encoder_decoder", "logits", ("N", "T", "vocab")),
    ],
)
def test_each_model_returns_the_shape_its_page_states(name, result, shape, capsys):
    g = _run(name)
    assert tuple(g[result].shape) == tuple(g[s] for s in shape)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_many_to_one_h_n_top_layer_is_the_last_output_step(mode, num_layers):
    """batch_first=True: output (N, L, H), but h_n stays (num_layers, N, H); h_n[-1]
    equals output[:, -1] value for value for a one-directional RNN, GRU or LSTM, yet it
    is a separate tensor: it shares no storage with output, and writing into one leaves
    the other unchanged."""
    rnn = getattr(nn, mode)(5, 16, num_layers=num_layers, batch_first=True, dtype=F64)
    output, h_n = rnn(torch.randn(3, 7, 5, dtype=F64))
    h_n = h_n[0] if mode == "LSTM" else h_n
    assert output.shape == (3, 7, 16) and h_n.shape == (num_layers, 3, 16)
    assert torch.equal(h_n[-1], output[:, -1])
    assert h_n.untyped_storage().data_ptr() != output.untyped_storage().data_ptr()
    with torch.no_grad():
        before = output[:, -1].clone()
        h_n[-1].zero_()
        assert torch.equal(output[:, -1], before)


def test_linear_acts_on_every_step_independently():
    """nn.Linear on (N, L, 2*H) maps the last dim: step t of the result
    is head(output[:, t])."""
    head = nn.Linear(8, 5, dtype=F64)
    output = torch.randn(2, 6, 8, dtype=F64)
    logits = head(output)
    for t in range(6):
        torch.testing.assert_close(logits[:, t], head(output[:, t]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_stepping_with_carried_state_equals_one_call(num_layers, mode, dtype):
    """Generating one step at a time, passing h back in, computes what one call on
    the whole (teacher-forced) sequence computes, to rounding of the dtype: the loop
    in one_to_many.py is the same RNN. Any cell, any number of layers."""
    rnn = getattr(nn, mode)(6, 16, num_layers=num_layers, batch_first=True, dtype=dtype)
    x = torch.randn(2, 5, 6, dtype=dtype)
    h0 = torch.randn(num_layers, 2, 16, dtype=dtype)
    h0 = (h0, torch.randn_like(h0)) if mode == "LSTM" else h0
    whole, h_whole = rnn(x, h0)
    h, steps = h0, []
    for t in range(5):
        out, h = rnn(x[:, t : t + 1], h)
        steps.append(out)
    tol = 1e-12 if dtype == F64 else 1e-6
    torch.testing.assert_close(torch.cat(steps, dim=1), whole, rtol=0, atol=tol)
    torch.testing.assert_close(h, h_whole, rtol=0, atol=tol)


def test_encoder_decoder_source_reaches_the_decoder_only_through_h_n():
    """Rerunning the decoder from the encoder's h_n alone (and the target input)
    reproduces the logits exactly; a source of another length S gives logits of the
    same (N, T, vocab) shape."""
    g = _run("encoder_decoder")
    model, source, target_in = g["Seq2Seq"](), g["source"], g["target_in"]
    logits = model(source, target_in)
    longer = torch.randint(g["vocab"], (g["N"], 11))
    assert model(longer, target_in).shape == logits.shape
    assert not torch.allclose(model(longer, target_in), logits)
    _, h_n = model.encoder(model.embed(source))
    output, _ = model.decoder(model.embed(target_in), h_n)
    torch.testing.assert_close(model.head(output), logits, rtol=0, atol=0)
