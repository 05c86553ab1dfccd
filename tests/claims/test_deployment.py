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
    """torch.onnx.export of the one-layer packing classifier fails: with the default
    exporter (torch.export underneath) and with the legacy TorchScript one
    (dynamo=False), with dynamic axes or without; no file is written. Stacked (two
    layers), the default exporter still fails, but the TorchScript one exports it,
    length dynamic, and its file gives the packed model's logits."""
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
    # stacked: the default exporter fails, the TorchScript one writes a dynamic file
    from rnn_ref.export import run_onnx

    stacked = SumModClassifier(cell=cell, hidden_size=8, num_layers=2).eval()
    out = tmp_path / "stacked.onnx"
    with pytest.raises(TorchExportError, match="torch.export"):
        torch.onnx.export(stacked, (ids, lengths), out, dynamic_shapes=dynamic)
    assert not out.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            stacked,
            (ids, lengths),
            out,
            dynamo=False,
            input_names=["ids", "lengths"],
            output_names=["logits"],
            dynamic_axes={**axes, "logits": {0: "batch"}},
        )
    assert _input_dims(out)["ids"] == ["batch", "length"]
    for batch in ((ids, lengths), _every_length(12, seed=1)):
        with torch.no_grad():
            torch.testing.assert_close(run_onnx(out, *batch), stacked(*batch))


@pytest.mark.slow
@pytest.mark.parametrize(
    "cell, num_layers",
    [
        ("rnn", 1), ("rnn", 2), ("rnn_relu", 1), ("gru", 1), ("gru", 3), ("lstm", 1),
        ("lstm", 2),
    ],
)  # fmt: skip
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


def _export_default(model, path):
    """The default exporter on the padded form, batch and length asked dynamic."""
    from rnn_ref.export import PaddedClassifier

    ids, lengths = torch.tensor([[1, 2, 3], [4, 5, 10]]), torch.tensor([3, 2])
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
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
    return path


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "gru", "lstm"])
def test_default_exporter_fixes_the_length_of_nn_rnn_only(cell, tmp_path):
    """The default exporter, given the padded form and dynamic batch and length, fixes
    nn.RNN's length to the example's without an error: its file refuses any other
    length. For GRU and LSTM it keeps both axes dynamic (ONNX's GRU and LSTM
    operators) the first time a process exports that cell, and fixes the length too
    the second time (a second model of the same cell, same process)."""
    _onnx()
    import onnx
    import onnxruntime

    from rnn_ref.export import run_onnx

    model = SumModClassifier(cell=cell, hidden_size=8, num_layers=2).eval()
    path = _export_default(model, tmp_path / "default.onnx")
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
    again = SumModClassifier(cell=cell, hidden_size=8, num_layers=2).eval()
    path = _export_default(again, tmp_path / "again.onnx")
    assert _input_dims(path)["ids"] == ["batch", 3]  # fixed, for every cell
    with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument):
        run_onnx(path, ids, lengths)


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
    """The padded variant: by default dynamo compiles no graph at all (padded_logits
    reads model.rnn before anything else, and dynamo stops at that access); with
    torch._dynamo.config.allow_rnn it is one graph, recurrent layer included, with no
    break."""
    model = SumModClassifier(cell=cell, hidden_size=8)
    e, ops = _explain(lambda i, n: padded_logits(model, i, n))
    assert e.graph_count == 0 and not e.break_reasons
    e, ops = _explain(lambda i, n: padded_logits(model, i, n), allow_rnn=True)
    assert e.graph_count == 1 and not e.break_reasons
    assert RNN_OPS & set(ops) == {cell if cell != "rnn" else "rnn_tanh"}


def _ops(explained) -> list[list[str]]:
    return [
        [getattr(op, "__name__", str(op)) for op in g] for g in explained.ops_per_graph
    ]


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_dynamo_compiles_what_precedes_the_first_rnn_access(cell):
    """By default dynamo stops tracing a frame at its first access to an nn.RNN, nn.GRU
    or nn.LSTM module (break reason step_unsupported): it compiles what came before
    (here the embedding and a product), runs the rest of the frame eagerly (the sum
    and product after the RNN are in no graph) and traces a function that rest calls
    as a frame of its own. A frame whose first access is the module, or any attribute
    of it, captures nothing: padded_logits reads model.rnn.bidirectional first."""
    model = SumModClassifier(cell=cell, hidden_size=8)

    def tail(y):
        return torch.tanh(y) + 1

    def embed_then_rnn(ids, lengths):
        x = model.embed(ids) * 2  # (N, L, E)
        out, _ = model.rnn(x)  # (N, L, H)
        return tail(out.sum() * 3)

    def attribute_first(ids, lengths):
        assert model.rnn.hidden_size == 8
        return model.embed(ids) * 2

    e, _ = _explain(embed_then_rnn)
    assert _ops(e) == [["embedding", "mul"], ["tanh", "add"]]
    assert [r.reason for r in e.break_reasons] == ["step_unsupported"]
    e, _ = _explain(attribute_first)
    assert e.graph_count == 0
    e, _ = _explain(lambda i, n: padded_logits(model, i, n))
    assert e.graph_count == 0


# graphs compiled after each padded length 3, 4, 3, 5: one per new length
LENGTHS, ONE_PER_LENGTH = (3, 4, 3, 5), [1, 2, 2, 3]


@pytest.mark.slow
@pytest.mark.parametrize("dynamic", [None, True])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("cell", CELLS)
def test_compiled_padded_classifier_graphs_per_padded_length(cell, train, dynamic):
    """Compiled with allow_rnn, the padded variant of an RNN or GRU classifier compiles
    a new graph for every new padded length, and a length seen before reuses its
    graph (dynamo specializes on the padded length), when training and under no_grad,
    with dynamic=True or without. An LSTM's does so when training, not under no_grad:
    there its second graph leaves the length dynamic and serves every later length,
    and with dynamic=True its first graph does. Training runs the aot_eager backend
    (dynamo and AOTAutograd, the front end inductor also uses, without its C++
    compile); no_grad the plain eager backend (nothing compiled at all)."""
    from torch._dynamo.utils import counters

    torch.manual_seed(0)
    model = SumModClassifier(cell=cell, hidden_size=8)
    compiled = torch.compile(
        lambda i, n: padded_logits(model, i, n),
        backend="aot_eager" if train else "eager",
        dynamic=dynamic,
    )
    torch._dynamo.reset()
    counters.clear()
    seen = []
    for length in LENGTHS:
        ids = torch.randint(0, 10, (4, length))  # (N, L)
        lengths = torch.tensor([length, 1, 2, length])
        with torch._dynamo.config.patch(allow_rnn=True), torch.set_grad_enabled(train):
            logits = compiled(ids, lengths)
        if train:
            targets = torch.tensor([0, 1, 2, 3])
            torch.nn.functional.cross_entropy(logits, targets).backward()
        seen.append(counters["stats"]["unique_graphs"])
    torch._dynamo.reset()
    if cell != "lstm" or train:
        assert seen == ONE_PER_LENGTH
    elif dynamic:
        assert seen == [1] * len(LENGTHS)  # one graph, length dynamic from the start
    else:
        assert seen == [1, 2, 2, 2]  # the recompile makes the length dynamic


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("num_layers, dropout", [(1, 0.0), (2, 0.0), (2, 0.5)])
def test_padded_variant_gives_the_packed_models_logits_and_gradients(
    cell, num_layers, dropout
):
    """On the same weights, the padded variant (the top layer's output gathered at each
    sequence's last step) gives the packed model's logits and gradients to float32
    rounding, for every cell and stacked layers, autograd on: a training step from
    those weights follows the same gradients. Without dropout between the layers in
    training mode; with it (0.5), in eval mode, where dropout is off (in training
    mode the two draw different masks)."""
    model = SumModClassifier(
        cell=cell, hidden_size=16, num_layers=num_layers, dropout=dropout
    )
    model.train(dropout == 0.0)
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


@pytest.mark.slow
@pytest.mark.parametrize(
    "shapes, graphs",
    [
        ([(2, 3), (3, 5), (4, 7)], [1, 2, 2]),
        ([(64, 5), (64, 9), (64, 12), (32, 12)], [1, 2, 2, 3]),
    ],
    ids=["both-change", "length-first"],
)
def test_compiled_packed_classifier_makes_dynamic_only_the_sizes_that_changed(
    shapes, graphs
):
    """Trained compiled, the packed classifier compiles its one graph (the embedding)
    for the first batch's shape, then once more, when a batch of another shape arrives,
    with the sizes that changed made dynamic. A later shape reuses that second graph
    only if it differs in those sizes alone: after (2, 3) and (3, 5) both are dynamic
    and (4, 7) reuses it; after (64, 5) and (64, 9) only the length is, (64, 12)
    reuses it and (32, 12) compiles a third graph."""
    from torch._dynamo.utils import counters

    model = SumModClassifier(cell="gru", hidden_size=8)
    compiled = torch.compile(model, backend="aot_eager")
    torch._dynamo.reset()
    counters.clear()
    g = torch.Generator().manual_seed(0)
    seen = []
    for n, length in shapes:
        ids = torch.randint(0, 10, (n, length), generator=g)  # (N, L)
        lengths = torch.randint(1, length + 1, (n,), generator=g)  # (N,)
        lengths[0] = length
        compiled(ids, lengths).sum().backward()
        seen.append(counters["stats"]["unique_graphs"])
    torch._dynamo.reset()
    assert seen == graphs
