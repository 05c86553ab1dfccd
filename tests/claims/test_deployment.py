"""Claims made on docs/deployment.md, each asserted against torch (and, for ONNX,
against torch.onnx and onnxruntime, skipped without the `export` extra)."""

import warnings

import pytest
import torch

from rnn_ref.data import collate
from rnn_ref.model import SumModClassifier, padded_logits

CELLS = ["rnn", "gru", "lstm"]


def _every_length(max_length: int = 100, seed: int = 0):
    """One padded batch holding one sequence of each length 1..max_length, shuffled."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(max_length, generator=g).tolist()
    seqs = [torch.randint(0, 10, (n + 1,), generator=g).tolist() for n in order]
    return collate(seqs, pad_id=10)[:2]  # ids (N, L), lengths (N,)


def _onnx():
    for name in ("onnx", "onnxscript", "onnxruntime"):
        pytest.importorskip(name, reason="the export extra: pip install -e '.[export]'")


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_packed_classifier_does_not_export(cell, tmp_path):
    """torch.onnx.export of the packing classifier fails: with the default exporter
    (torch.export underneath) and with the legacy TorchScript one (dynamo=False), with
    dynamic axes or without; no file is written."""
    _onnx()
    from torch.onnx._internal.exporter._errors import TorchExportError

    model = SumModClassifier(cell=cell, hidden_size=8).eval()
    ids, lengths = _every_length(7)
    dims = torch.export.Dim("batch"), torch.export.Dim("length")
    dynamic = ({0: dims[0], 1: dims[1]}, {0: dims[0]})
    for n, dynamic_shapes in enumerate((None, dynamic)):
        out = tmp_path / f"packed{n}.onnx"
        with pytest.raises(TorchExportError, match="torch.export"):
            torch.onnx.export(model, (ids, lengths), out, dynamic_shapes=dynamic_shapes)
        assert not out.exists()
    axes = {"ids": {0: "batch", 1: "length"}, "lengths": {0: "batch"}}
    for n, dynamic_axes in enumerate((None, axes)):
        out = tmp_path / f"legacy{n}.onnx"
        with warnings.catch_warnings():  # the legacy exporter's deprecation notice
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="_M_range_check"):
                torch.onnx.export(
                    model,
                    (ids, lengths),
                    out,
                    dynamo=False,
                    input_names=["ids", "lengths"],
                    dynamic_axes=dynamic_axes,
                )
        assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "cell, num_layers", [("rnn", 1), ("gru", 1), ("lstm", 1), ("lstm", 2), ("gru", 3)]
)
def test_onnx_matches_pytorch_for_every_length_in_one_batch(cell, num_layers, tmp_path):
    """The exported padded form, run by onnxruntime on one batch holding every length
    1..100, gives the packed PyTorch model's logits to float32 precision; and a batch of
    one sequence of length 1 (smaller than the example it was exported with) too."""
    _onnx()
    from rnn_ref.export import export_onnx, run_onnx

    model = SumModClassifier(cell=cell, hidden_size=32, num_layers=num_layers).eval()
    path = export_onnx(model, tmp_path / "model.onnx")
    ids, lengths = _every_length(100)
    assert ids.shape == (100, 100) and sorted(lengths.tolist()) == list(range(1, 101))
    with torch.no_grad():
        expected = model(ids, lengths)  # (N, C), packed
    torch.testing.assert_close(run_onnx(path, ids, lengths), expected)  # float32 tol.
    one = torch.tensor([[7]]), torch.tensor([1])
    with torch.no_grad():
        torch.testing.assert_close(run_onnx(path, *one), model(*one))


def _input_dims(path) -> dict:
    import onnx

    graph = onnx.load(str(path)).graph
    return {
        v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        for v in graph.input
    }


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "gru", "lstm"])
def test_default_exporter_fixes_the_length_of_nn_rnn_only(cell, tmp_path):
    """The default exporter, given the padded form and dynamic batch and length, keeps
    both axes dynamic for GRU and LSTM (ONNX's GRU and LSTM operators) but fixes
    nn.RNN's length to the example's without an error: its file refuses any other
    length."""
    _onnx()
    import onnx
    import onnxruntime

    from rnn_ref.export import PaddedClassifier, run_onnx

    model = SumModClassifier(cell=cell, hidden_size=8, num_layers=2).eval()
    ids, lengths = torch.tensor([[1, 2, 3], [4, 5, 10]]), torch.tensor([3, 2])
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
    path = tmp_path / "default.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            PaddedClassifier(model).eval(),
            (ids, lengths),
            path,
            input_names=["ids", "lengths"],
            output_names=["logits"],
            dynamic_shapes=({0: batch, 1: length}, {0: batch}),
        )
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    ids, lengths = _every_length(100)
    if cell.startswith("rnn"):
        assert _input_dims(path)["ids"] == ["batch", 3]  # the example's length
        with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument):
            run_onnx(path, ids, lengths)
    else:
        assert _input_dims(path)["ids"] == ["batch", "length"]
        assert cell.upper() in ops
        with torch.no_grad():
            torch.testing.assert_close(
                run_onnx(path, ids, lengths), model(ids, lengths)
            )


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "gru", "lstm"])
def test_torchscript_exporter_writes_onnx_recurrent_operators(cell, tmp_path):
    """`export_onnx` (the TorchScript exporter, dynamo=False) writes ONNX's own RNN,
    GRU or LSTM operator, one per layer, with batch and length dynamic, for every
    cell; torch warns that this exporter is deprecated."""
    _onnx()
    import onnx

    from rnn_ref.export import PaddedClassifier, export_onnx

    model = SumModClassifier(cell=cell, hidden_size=8, num_layers=2)
    with pytest.warns(DeprecationWarning, match="legacy TorchScript-based ONNX export"):
        torch.onnx.export(
            PaddedClassifier(model).eval(),
            (torch.tensor([[1, 2]]), torch.tensor([2])),
            tmp_path / "warned.onnx",
            dynamo=False,
        )
    path = export_onnx(model, tmp_path / "model.onnx")
    ops = [node.op_type for node in onnx.load(str(path)).graph.node]
    op = {"rnn": "RNN", "rnn_relu": "RNN", "gru": "GRU", "lstm": "LSTM"}[cell]
    assert ops.count(op) == 2 and "Loop" not in ops
    assert _input_dims(path) == {"ids": ["batch", "length"], "lengths": ["batch"]}


# torch.compile and the classifier


def _batch():
    """Unsorted lengths; the longest is 6."""
    return collate([[3, 1, 4], [1, 5, 9, 2, 6, 5], [3], [5, 8, 9, 7]], pad_id=10)[:2]


def _explain(forward, allow_rnn=False):
    torch._dynamo.reset()
    with torch._dynamo.config.patch(allow_rnn=allow_rnn):
        e = torch._dynamo.explain(forward)(*_batch())
    torch._dynamo.reset()
    ops = [getattr(op, "__name__", str(op)) for g in e.ops_per_graph for op in g]
    return e, ops


RNN_OPS = {"rnn_tanh", "rnn_relu", "gru", "lstm"}


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_packed_classifier_breaks_the_graph_at_packing(cell):
    """torch.compile of the packing classifier: dynamo captures only the embedding,
    breaks the graph at pack_padded_sequence (a function it skips) and runs the rest,
    the recurrent layer included, outside any graph."""
    e, ops = _explain(SumModClassifier(cell=cell, hidden_size=8))
    assert e.graph_count == 1 and ops == ["embedding"]
    (reason,) = e.break_reasons
    assert "marked as skipped" in reason.reason
    assert "pack_padded_sequence" in reason.reason


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_padded_classifier_is_one_graph_only_with_allow_rnn(cell):
    """The padded variant: by default dynamo compiles no graph at all (it runs a frame
    that calls nn.RNN, nn.GRU or nn.LSTM eagerly); with
    torch._dynamo.config.allow_rnn it is one graph, recurrent layer included, with no
    break."""
    model = SumModClassifier(cell=cell, hidden_size=8)
    e, ops = _explain(lambda i, n: padded_logits(model, i, n))
    assert e.graph_count == 0 and not e.break_reasons
    e, ops = _explain(lambda i, n: padded_logits(model, i, n), allow_rnn=True)
    assert e.graph_count == 1 and not e.break_reasons
    assert RNN_OPS & set(ops) == {cell if cell != "rnn" else "rnn_tanh"}


@pytest.mark.slow
def test_compiled_padded_classifier_compiles_a_graph_per_length():
    """Trained compiled with allow_rnn, the padded variant compiles a new graph for
    every new padded length (the time loop is unrolled into the graph); a length seen
    before reuses its graph. (The aot_eager backend: dynamo and AOTAutograd, the front
    end inductor also uses, without its C++ compile.)"""
    from torch._dynamo.utils import counters

    model = SumModClassifier(cell="gru", hidden_size=8)
    compiled = torch.compile(
        lambda i, n: padded_logits(model, i, n), backend="aot_eager"
    )
    torch._dynamo.reset()
    counters.clear()
    seen = []
    for length in (3, 4, 5, 4, 3):
        ids = torch.randint(0, 10, (4, length))  # (N, L)
        lengths = torch.tensor([length, 1, 2, length])
        with torch._dynamo.config.patch(allow_rnn=True):
            loss = torch.nn.functional.cross_entropy(
                compiled(ids, lengths), torch.tensor([0, 1, 2, 3])
            )
        loss.backward()
        seen.append(counters["stats"]["unique_graphs"])
    torch._dynamo.reset()
    assert seen == [1, 2, 3, 3, 3]


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_padded_variant_trains_like_the_packed_model(cell, num_layers):
    """On the same weights, the padded variant (the top layer's output gathered at each
    sequence's last step) gives the packed model's logits and gradients to float32
    precision, for every cell and stacked layers, autograd on: it trains to the same
    accuracy."""
    model = SumModClassifier(cell=cell, hidden_size=16, num_layers=num_layers)
    ids, lengths = _every_length(40)
    targets = torch.randint(0, 10, (40,))
    grads = []
    for forward in (model, lambda i, n: padded_logits(model, i, n)):
        model.zero_grad()
        logits = forward(ids, lengths)
        torch.nn.functional.cross_entropy(logits, targets).backward()
        grads.append((logits.detach(), [p.grad.clone() for p in model.parameters()]))
    (packed, g_packed), (padded, g_padded) = grads
    torch.testing.assert_close(padded, packed)
    for a, b in zip(g_padded, g_packed, strict=True):
        torch.testing.assert_close(a, b)
