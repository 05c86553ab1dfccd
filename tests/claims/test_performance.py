"""Claims made on docs/performance.md, each asserted against torch."""

import json
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnn_ref import reference_forward
from rnn_ref.model import SumModClassifier, padded_logits

F64 = torch.float64


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
def test_hoisting_changes_no_result(cls):
    """Projecting every input step before the loop gives what
    torch gives, step for step."""
    rnn = cls(5, 7, num_layers=2, bidirectional=True, dtype=F64)
    x = torch.randn(9, 3, 5, dtype=F64)
    out, h = rnn(x)
    for hoist in (False, True):
        ref_out, ref_h = reference_forward(rnn, x, hoist=hoist)
        torch.testing.assert_close(ref_out, out, rtol=0, atol=1e-12)
        torch.testing.assert_close(ref_h, h, rtol=0, atol=1e-12)


def test_padded_output_at_last_real_step_equals_packed_h_n():
    """One direction: a padded run read at each sequence's own last step is the packed
    h_n; the padded h_n is not (it has run over the padding). So the bench's padded
    classifier is correct."""
    gru = nn.GRU(4, 6, num_layers=2, batch_first=True, dtype=F64)
    lengths = torch.tensor([5, 2, 4])
    x = torch.randn(3, 5, 4, dtype=F64)
    out, h_padded = gru(x)
    _, h_packed = gru(
        pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    )
    last = out[torch.arange(3), lengths - 1]  # (N, H)
    torch.testing.assert_close(last, h_packed[-1], rtol=0, atol=1e-12)
    assert not torch.allclose(
        h_padded[-1], h_packed[-1]
    )  # rows 1 and 2 ran over padding

    model = SumModClassifier(
        num_digits=10, num_classes=10, cell="gru", hidden_size=8
    ).double()
    ids = torch.tensor([[3, 1, 4, 1, 5], [9, 2, 10, 10, 10], [6, 5, 3, 10, 10]])
    n = torch.tensor([5, 2, 3])
    torch.testing.assert_close(
        padded_logits(model, ids, n), model(ids, n), rtol=0, atol=1e-12
    )


def test_packed_batch_computes_only_real_steps():
    """A PackedSequence holds sum(lengths) rows; the padded batch
    computes N * max(lengths)."""
    lengths = torch.tensor([7, 1, 3, 3])
    packed = pack_padded_sequence(torch.randn(7, 4, 2), lengths, enforce_sorted=False)
    assert (
        packed.data.shape[0]
        == int(packed.batch_sizes.sum())
        == int(lengths.sum())
        == 14
    )
    assert packed.batch_sizes.tolist() == [
        4,
        3,
        3,
        1,
        1,
        1,
        1,
    ]  # rows computed at each step
    assert 4 * 7 == 28  # the padded batch: twice the work for the same 14 real tokens


def test_indexing_each_step_costs_a_full_size_backward():
    """`xp[t]` adds one autograd node per step whose backward returns a gradient as
    large as all of `xp` (zeros but for step t), so backward does T full-size additions:
    quadratic in T. `xp.unbind(0)` is a single node for all steps."""
    xp = torch.randn(6, 2, 3, requires_grad=True)
    step = xp[2]
    assert step.grad_fn.name() == "SelectBackward0"
    grad = step.grad_fn(torch.ones(2, 3))
    assert (
        grad.shape == xp.shape and grad.count_nonzero() == 6
    )  # full (T, N, H), one step filled
    steps = xp.unbind(0)
    assert (
        steps[0].grad_fn is steps[5].grad_fn
        and steps[0].grad_fn.name() == "UnbindBackward0"
    )
    # the packed loop's data.split(batch_sizes): one node for all steps too
    parts = xp.reshape(12, 3).split([3, 3, 2, 2, 1, 1])
    assert (
        parts[0].grad_fn is parts[5].grad_fn
        and parts[0].grad_fn.name() == "SplitWithSizesBackward0"
    )


def test_matmul_does_the_same_multiply_adds_as_the_recurrence():
    """The bench's matmul baseline: one (T*N, H_in+H) @ (H_in+H, H) product equals the T
    step products [x_t, h_{t-1}] @ [W_ih; W_hh]^T stacked, so both do the same FLOPs."""
    rnn = nn.RNN(3, 4, bias=False, dtype=F64)
    x = torch.randn(5, 2, 3, dtype=F64)
    out, _ = rnn(x)
    h_prev = torch.cat([torch.zeros(1, 2, 4, dtype=F64), out[:-1]])  # (T, N, H)
    stacked = torch.cat([x, h_prev], dim=-1).reshape(10, 7)  # (T*N, H_in+H)
    w = torch.cat([rnn.weight_ih_l0, rnn.weight_hh_l0], dim=1).T  # (H_in+H, H)
    torch.testing.assert_close(
        torch.tanh(stacked @ w).reshape(5, 2, 4), out, rtol=0, atol=1e-12
    )
    assert F.linear(x, rnn.weight_ih_l0).shape == (
        5,
        2,
        4,
    )  # the hoisted part: all T steps at once


def _graph(t: torch.Tensor) -> list:
    """Every autograd node behind `t`."""
    seen, stack = {}, [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and id(node) not in seen:
            seen[id(node)] = node
            stack += [f for f, _ in node.next_functions]
    return list(seen.values())


def test_torch_packed_path_hoists_then_slices_every_step():
    """torch's CPU packed path also projects all inputs first, then takes each step with
    a slice of the projected data, and each slice's backward is a gradient the size of
    all of it, as with `xp[t]`; the padded path reads the steps with one `unbind`."""
    gru = nn.GRU(4, 8)
    lengths = torch.tensor([6, 4, 2])
    x = torch.randn(6, 3, 4)
    out, _ = gru(pack_padded_sequence(x, lengths))
    slices = [n for n in _graph(out.data) if n.name() == "SliceBackward0"]
    of_data = [
        n
        for n in slices
        if tuple(n._saved_self_sym_sizes) == (int(lengths.sum()), 3 * 8)
    ]
    assert (
        len(of_data) == 6
    )  # one per step, each slicing the (sum(lengths), 3H) projection
    names = [n.name() for n in _graph(gru(x)[0])]
    assert names.count("UnbindBackward0") == 1 and "SliceBackward0" not in names
    # both paths: one matmul projecting every step's input, then one h W_hh^T per step
    for graph in (_graph(out.data), _graph(gru(x)[0])):
        assert [n.name() for n in graph].count("AddmmBackward0") == 6 + 1


@pytest.mark.skipif(
    not torch.backends.mkldnn.is_available(), reason="torch built without oneDNN"
)
def test_float32_lstm_on_padded_input_runs_one_fused_onednn_kernel():
    """On CPU a float32 `nn.LSTM` on a padded batch is one oneDNN (mkldnn) RNN kernel
    for the whole layer (one per layer and direction); on a
    PackedSequence it is torch's step loop with slices."""
    for layers, bidirectional in [(1, False), (2, False), (2, True)]:
        deep = nn.LSTM(4, 8, num_layers=layers, bidirectional=bidirectional)
        names = [n.name() for n in _graph(deep(torch.randn(6, 3, 4))[0])]
        directions = 2 if bidirectional else 1
        assert names.count("MkldnnRnnLayerBackward0") == layers * directions
    lstm = nn.LSTM(4, 8)
    x = torch.randn(6, 3, 4)
    packed_names = [
        n.name()
        for n in _graph(lstm(pack_padded_sequence(x, torch.tensor([6, 4, 2])))[0].data)
    ]
    assert (
        "MkldnnRnnLayerBackward0" not in packed_names
        and "SliceBackward0" in packed_names
    )


def _tanh_per_graph(explained) -> list[int]:
    return [
        sum(n.target is torch.tanh for n in g.graph.nodes) for g in explained.graphs
    ]


def test_dynamo_traces_the_reference_loop_whole_only_with_allow_rnn():
    """torch.compile's tracer (dynamo) stops tracing a frame at its first access to an
    nn.RNN, even one that only reads its weights: by default it compiles nothing of
    reference_forward (which reads the module first), runs it eagerly, and compiles
    only the frame below it, one layer's time loop (reused for the second layer).
    With allow_rnn=True it turns the hoisted reference of a 2-layer RNN, Python
    loops and all, into one graph without a graph break, the time loop unrolled: one
    tanh per step and layer."""
    rnn = nn.RNN(3, 4, num_layers=2)
    x = torch.randn(5, 2, 3)

    def forward(x):
        return reference_forward(rnn, x, hoist=True)

    torch._dynamo.reset()
    assert _tanh_per_graph(torch._dynamo.explain(forward)(x)) == [5]  # one layer
    torch._dynamo.reset()
    with torch._dynamo.config.patch(allow_rnn=True):
        whole = torch._dynamo.explain(forward)(x)
    torch._dynamo.reset()
    assert whole.graph_count == 1 and whole.graph_break_count == 0
    assert _tanh_per_graph(whole) == [5 * 2]  # T steps x layers


def _nodes_per_step(forward) -> Counter:
    """The autograd nodes one more time step adds to forward's graph, by type."""

    def count(T: int) -> Counter:
        torch.manual_seed(0)
        out, h_n = forward(torch.randn(T, 2, 3))
        seen, todo = set(), [out.grad_fn, h_n.grad_fn]
        while todo:
            node = todo.pop()
            if node is not None and node not in seen:
                seen.add(node)
                todo += [n for n, _ in node.next_functions]
        return Counter(type(n).__name__ for n in seen)

    return count(6) - count(5)


def test_an_rnn_step_is_two_operations_here_and_four_in_torch():
    """With x W_ih^T + b_ih + b_hh hoisted, a reference RNN step is one addmm and one
    tanh; a step of torch's CPU nn.RNN is a transpose of W_hh, an addmm with b_hh, an
    add of the hoisted input and a tanh (forward+backward: the autograd graphs)."""
    rnn = nn.RNN(3, 4)
    ours = _nodes_per_step(lambda x: reference_forward(rnn, x, hoist=True))
    theirs = _nodes_per_step(rnn)
    assert ours == Counter({"AddmmBackward0": 1, "TanhBackward0": 1})
    assert theirs == Counter(
        {"TBackward0": 1, "AddmmBackward0": 1, "AddBackward0": 1, "TanhBackward0": 1}
    )


def test_pad_packed_sequence_backward_copies_the_whole_gradient_per_batch_size():
    """pad_packed_sequence writes the padded output one run of equal batch sizes at a
    time, in place (one CopySlices node each), and the backward of each of those
    copies the whole padded gradient."""
    lengths = torch.tensor([6, 6, 4, 3, 3, 1])  # batch sizes 6 5 5 3 2 2: 4 runs
    x = torch.randn(6, 6, 8)  # (L, N, H), padded
    packed = pack_padded_sequence(x.requires_grad_(), lengths)
    out, _ = pad_packed_sequence(packed)  # (L, N, H)
    seen, todo = set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in seen:
            seen.add(node)
            todo += [n for n, _ in node.next_functions]
    assert sum(type(n).__name__ == "CopySlices" for n in seen) == 4
    with torch.profiler.profile(record_shapes=True) as prof:
        out.sum().backward()
    whole = [
        e
        for e in prof.events()
        if e.name in ("aten::copy_", "aten::clone") and [6, 6, 8] in e.input_shapes
    ]
    assert len(whole) >= 4


def test_the_compiled_step_is_compiled_again_when_h_starts_to_require_grad():
    """The bench's step-only variant: dynamo compiles `_rnn_step` twice, first with `h`
    the zero initial state (no gradient), then with `h` requiring one; two layers
    reuse the two. The committed bench shows those two forward graphs and their two
    backward graphs, the first compiled computing the gradient of `h` too."""
    from rnn_ref.experiments.bench_compile import _rnn_step, _step_loop
    from rnn_ref.site import paths

    graphs = []

    def record(gm, example_inputs):
        names = [n.name for n in gm.graph.nodes if n.op == "placeholder"]
        graphs.append(
            {n: t.requires_grad for n, t in zip(names, example_inputs, strict=True)}
        )
        return gm.forward

    torch._dynamo.reset()
    rnn = nn.RNN(3, 4, num_layers=2)
    step = torch.compile(_rnn_step, backend=record)
    out, h_n = _step_loop(rnn, torch.randn(5, 2, 3), step)
    (out.sum() + h_n.sum()).backward()
    torch._dynamo.reset()
    assert [g["l_h_"] for g in graphs] == [False, True]
    bench = json.loads((paths.results() / "bench.json").read_text())
    committed = bench["compile"][0]["compile"]["step"]["graphs"]
    assert [g["pass"] for g in committed] == ["forward"] * 2 + ["backward"] * 2
    assert [g["extern"] for g in committed[2:]] == [{"mm": 2}, {"mm": 1}]
    tables = (paths.results() / "bench_tables.md").read_text()
    assert "compiled it 2 times" in tables and "requires_grad mismatch" in tables
