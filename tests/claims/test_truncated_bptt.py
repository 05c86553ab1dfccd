"""Claims made on docs/truncated-bptt.md, each asserted against torch.nn (float64 where
values are compared) or read from the committed results through the code that renders
the page's tables (`rnn_ref.site.tbptt_report.verdicts`)."""

import itertools
import json

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref.experiments.tbptt import graph_stats
from rnn_ref.lm import detach_state, load_text
from rnn_ref.site import paths
from rnn_ref.site.tbptt_report import CHANCE_BELOW, LEARNED, verdicts

F64 = torch.float64
CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
RESULTS = json.loads((paths.results() / "tbptt.json").read_text())
VERDICTS = verdicts(RESULTS)


def _rnn(cell: str, num_layers: int = 1, **kw) -> nn.Module:
    torch.manual_seed(0)
    return CELLS[cell](3, 5, num_layers, batch_first=True, **kw).to(F64)


def _chunks(stream: torch.Tensor, k: int):
    return [stream[:, s : s + k] for s in range(0, stream.shape[1], k)]


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", list(CELLS))
def test_carried_state_forward_equals_one_pass_to_rounding(cell, num_layers, dtype):
    """Chunk by chunk with the state carried (and detached), the outputs and the final
    state equal one pass over the whole stream to rounding of the dtype, for every
    cell, one layer or two; not always bit for bit (see the test below)."""
    rnn = _rnn(cell, num_layers).to(dtype)
    stream = torch.randn(2, 12, 3, dtype=dtype)  # (N, T, H_in)
    whole, h_whole = rnn(stream)
    outputs, hx = [], None
    for chunk in _chunks(stream, 5):  # 5, 5, 2 steps
        out, hx = rnn(chunk, hx)
        outputs.append(out)
        hx = detach_state(hx)
    tol = 1e-12 if dtype == F64 else 1e-6
    torch.testing.assert_close(torch.cat(outputs, 1), whole, rtol=0, atol=tol)
    for a, b in zip(
        hx if cell == "lstm" else [hx],
        h_whole if cell == "lstm" else [h_whole],
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=tol)


def test_carried_state_forward_is_not_always_bit_for_bit():
    """The counterexample to "exactly": in float32, among every cell run over 30 steps
    in chunks of 1 or 7 with the state carried (three seeds each), some differ from
    one pass in the last bits (on the pinned x86-64 kernels, the LSTM; unpinned, the
    reviewer's machine found nn.RNN), and all agree to rounding."""
    exact = []
    for cell, seed, k in itertools.product(CELLS.values(), range(3), (1, 7)):
        torch.manual_seed(seed)
        rnn = cell(3, 8, batch_first=True)
        stream = torch.randn(2, 30, 3)  # (N, T, H_in)
        whole, _ = rnn(stream)
        outputs, hx = [], None
        for chunk in _chunks(stream, k):
            out, hx = rnn(chunk, hx)
            outputs.append(out)
        stepped = torch.cat(outputs, 1)
        torch.testing.assert_close(stepped, whole, rtol=0, atol=1e-6)
        exact.append(torch.equal(stepped, whole))
    assert not all(exact)


@pytest.mark.parametrize("cell", list(CELLS))
def test_detached_chunk_gradient_is_the_chunk_alone_from_a_constant_state(cell):
    """With the carried state detached, chunk 2's parameter gradients equal those of
    chunk 2 run by itself from the same values given as a constant h_0; and they
    differ from backpropagating through both chunks."""
    rnn = _rnn(cell)
    stream = torch.randn(2, 8, 3, dtype=F64)
    first, second = _chunks(stream, 4)

    def grads(loss):
        return torch.autograd.grad(loss, list(rnn.parameters()))

    _, hx = rnn(first)
    out, _ = rnn(second, detach_state(hx))
    truncated = grads(out.pow(2).sum())
    with torch.no_grad():
        _, h_const = rnn(first)
    out, _ = rnn(second, h_const)
    alone = grads(out.pow(2).sum())
    for a, b in zip(truncated, alone, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    _, hx = rnn(first)
    out, _ = rnn(second, hx)  # not detached: the gradient also runs into chunk 1
    full = grads(out.pow(2).sum())
    assert any(not torch.allclose(a, b) for a, b in zip(truncated, full, strict=True))


def _train_two_chunks(cell: str, detach: bool, retain_graph: bool = False):
    rnn = _rnn(cell, num_layers=2)
    opt = torch.optim.SGD(rnn.parameters(), lr=0.1)
    hx = None
    for chunk in _chunks(torch.randn(2, 8, 3, dtype=F64), 4):
        out, hx = rnn(chunk, hx)
        opt.zero_grad()
        out.pow(2).mean().backward(retain_graph=retain_graph)
        opt.step()
        if detach:
            hx = detach_state(hx)


@pytest.mark.parametrize("cell", list(CELLS))
def test_second_backward_without_detach_raises(cell):
    """Carrying the state without detaching it makes the second chunk's backward fail
    with the message the page shows; detaching fixes it."""
    with pytest.raises(
        RuntimeError, match="Trying to backward through the graph a second time"
    ):
        _train_two_chunks(cell, detach=False)
    _train_two_chunks(cell, detach=True)


@pytest.mark.parametrize("cell", list(CELLS))
def test_retain_graph_with_optimizer_step_raises_inplace_error(cell):
    """retain_graph=True plus optimizer.step() between chunks: the next backward fails
    because the weights saved in the earlier chunk's graph were modified in place."""
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _train_two_chunks(cell, detach=False, retain_graph=True)


@pytest.mark.parametrize("cell", list(CELLS))
def test_graph_grows_by_one_chunk_per_step_without_detach(cell):
    """Without detach (retain_graph=True, no update) the graph a loss reaches, in nodes
    and saved bytes, grows by the same amount every chunk; with detach it stays the
    size of the first chunk."""
    rnn = _rnn(cell)
    stats = {}
    for detach in (True, False):
        hx, rows = None, []
        for chunk in _chunks(torch.randn(2, 20, 3, dtype=F64), 4):
            out, hx = rnn(chunk, hx)
            loss = out.pow(2).mean()
            rows.append(graph_stats(loss))
            loss.backward(retain_graph=not detach)
            hx = detach_state(hx) if detach else hx
        stats[detach] = rows
    assert all(r == stats[True][0] for r in stats[True])
    for key in ("nodes", "saved_bytes"):
        sizes = [r[key] for r in stats[False]]
        steps = {b - a for a, b in zip(sizes, sizes[1:], strict=False)}
        assert sizes[0] == stats[True][0][key] and len(steps) == 1 and steps.pop() > 0


def test_growth_table_shows_constant_and_growing_graphs():
    assert VERDICTS["nodes_constant_with_detach"]
    assert VERDICTS["nodes_grow_without_detach"]


def test_delay_task_is_learned_exactly_when_k_exceeds_d():
    """Every (d, k) pair of the committed results: every seed learned when k > d, no
    seed above CHANCE_BELOW when k <= d; at least two d, each with k on both sides."""
    delay = VERDICTS["delay"]
    assert RESULTS["seeds"] >= 3
    for (d, k), v in delay.items():
        assert len(v["accuracies"]) == RESULTS["seeds"]
        if k > d:
            assert min(v["accuracies"]) >= LEARNED, (d, k, v)
        else:
            assert max(v["accuracies"]) < CHANCE_BELOW, (d, k, v)
    ds = {d for d, _ in delay}
    assert len(ds) >= 2
    for d in ds:
        ks = [k for dd, k in delay if dd == d]
        assert min(ks) <= d < max(ks) and d in ks and d + 1 in ks
    assert VERDICTS["learned_iff_k_above_d"]


def test_lower_temperature_sharpens_the_distribution():
    """softmax(logits / T): the lower T, the lower the entropy and the higher the
    probability of the likeliest character (which never changes); a large T tends to
    uniform."""
    torch.manual_seed(0)
    logits = torch.randn(50, 65, dtype=F64)

    def entropy(t):
        p = torch.softmax(logits / t, -1)
        return -(p * p.log()).sum(-1)

    temps = [0.05, 0.5, 0.8, 1.0, 1.2, 5.0, 100.0]
    ents = [entropy(t) for t in temps]
    for a, b in zip(ents, ents[1:], strict=False):
        assert (a < b).all()
    for t in temps:
        assert torch.equal(torch.softmax(logits / t, -1).argmax(-1), logits.argmax(-1))
    tops = [torch.softmax(logits / t, -1).max(-1).values for t in temps]
    for a, b in zip(tops, tops[1:], strict=False):
        assert (a > b).all()
    assert (ents[-1] > torch.log(torch.tensor(65.0, dtype=F64)) - 0.01).all()


def test_carrying_state_between_independent_sequences_stops_learning():
    """Reset between batches: every seed right at every step from zeros, at chance
    from another batch's state. Carried: every seed near chance either way."""
    reset, carry = VERDICTS["reset"], VERDICTS["carry"]
    assert min(reset["from_zeros"]) >= 0.99
    assert max(reset["from_carried"]) < 0.6
    assert max(carry["from_zeros"] + carry["from_carried"]) < 0.65
    assert len(reset["from_zeros"]) == len(carry["from_zeros"]) == RESULTS["seeds"]


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", list(CELLS))
def test_hx_and_h_n_are_in_callers_order_with_enforce_sorted_false(
    cell, num_layers, bidirectional
):
    """Row i of hx starts the caller's sequence i and row i of h_n is its final state,
    for unsorted lengths packed with enforce_sorted=False."""
    rnn = _rnn(cell, num_layers, bidirectional=bidirectional)
    x = torch.randn(4, 5, 3, dtype=F64)
    lengths = torch.tensor([2, 5, 1, 3])
    shape = (num_layers * (1 + bidirectional), 4, 5)
    h0 = torch.randn(shape, dtype=F64)
    hx = (h0, torch.randn(shape, dtype=F64)) if cell == "lstm" else h0
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, h_n = rnn(packed, hx)
    for i, n in enumerate(lengths.tolist()):
        row = tuple(h[:, i : i + 1] for h in hx) if cell == "lstm" else hx[:, i : i + 1]
        _, alone = rnn(x[i : i + 1, :n], row)
        for a, b in zip(
            h_n if cell == "lstm" else [h_n],
            alone if cell == "lstm" else [alone],
            strict=True,
        ):
            torch.testing.assert_close(a[:, i], b[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("enforce_sorted", [False, True])
@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_hx_on_another_device_is_refused_not_moved(cell, packed, enforce_sorted):
    """hx on a different device from the input raises RuntimeError, for padded and
    packed input, sorted or not, and for either tensor of an LSTM's (h, c). The
    "meta" device stands in for a second device on a CPU-only machine; the real CUDA
    case is tests/test_gpu.py::test_hx_on_the_cpu_is_refused_for_cuda_input."""
    rnn = _rnn(cell, 2, bidirectional=True)
    x = torch.randn(2, 5, 3, dtype=F64)
    if packed:
        x = pack_padded_sequence(x, [5, 3], True, enforce_sorted=enforce_sorted)

    def state(device):
        return torch.zeros(4, 2, 5, dtype=F64, device=device)

    hxs = (
        [(state("meta"), state("cpu")), (state("cpu"), state("meta"))]
        if cell == "lstm"
        else [state("meta")]
    )
    for hx in hxs:
        with pytest.raises(RuntimeError, match="device") as error:
            rnn(x, hx)
        assert "cpu" in str(error.value) and "meta" in str(error.value)  # names both
    rnn(x, (state("cpu"), state("cpu")) if cell == "lstm" else state("cpu"))


def test_lm_validation_loss_rose_after_its_best_while_training_loss_fell():
    """The committed language model: validation loss lowest before the end and higher
    at the end, while the training loss fell at every evaluation after that best one
    (it fit its training text better and held-out text worse), after many passes over
    the training text; the page says so, from lm.json."""
    lm = json.loads((paths.results() / "lm.json").read_text())
    metrics = lm["metrics"]
    best = min(metrics, key=lambda m: m["val_loss"])
    last = metrics[-1]
    assert best is not last and last["val_loss"] > best["val_loss"]
    after = [m["train_loss"] for m in metrics if m["step"] >= best["step"]]
    assert all(b < a for a, b in zip(after, after[1:], strict=False))
    c = lm["config"]
    train_chars = int(len(load_text()) * (1 - c["val_fraction"]))
    assert c["steps"] * c["batch_size"] * c["bptt"] / train_chars > 10  # many passes
    tables = (paths.results() / "tbptt_tables.md").read_text()
    assert (
        f"lowest at step {best['step']:,} ({best['val_loss']:.3f}) and rose after it, "
        f"ending at {last['val_loss']:.3f}"
    ) in tables
    assert "That is overfitting" in tables
