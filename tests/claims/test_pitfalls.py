"""Claims made on docs/pitfalls.md, asserted against torch.nn and torch.nn.utils.rnn.

Tests marked `gpu` need CUDA and are skipped without it (see tests/conftest.py).
"""

import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn.utils import rnn as tr

from rnn_ref import packing

F64 = torch.float64


def _padded(lengths, features=3, batch_first=False):
    seqs = [torch.randn(n, features, dtype=F64) for n in lengths]
    return seqs, tr.pad_sequence(seqs, batch_first=batch_first)


# ---- lengths: a list or a 1-D CPU int64 tensor ----


def test_lengths_list_and_integer_tensors_are_accepted():
    _, x = _padded([4, 2, 1])
    want = tr.pack_padded_sequence(x, [4, 2, 1])
    for lengths in (
        torch.tensor([4, 2, 1]),
        torch.tensor([4, 2, 1], dtype=torch.int32),
    ):
        got = tr.pack_padded_sequence(x, lengths)
        assert torch.equal(got.data, want.data) and torch.equal(
            got.batch_sizes, want.batch_sizes
        )


def test_float_lengths_are_truncated_silently():
    """A float tensor is not an error: it is cast to int64, so 2.9 becomes 2."""
    _, x = _padded([4, 3, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "without a word": no warning either
        packed = tr.pack_padded_sequence(x, torch.tensor([4.0, 2.9, 1.0]))
    assert packed.batch_sizes.tolist() == [3, 2, 1, 1]  # as if lengths were [4, 2, 1]


def test_float_list_lengths_are_truncated_silently():
    """A Python list of floats is cast the same way: [4.0, 2.9, 1.0] packs as if the
    lengths were [4, 2, 1], with no error and no warning."""
    _, x = _padded([4, 3, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        packed = tr.pack_padded_sequence(x, [4.0, 2.9, 1.0])
    assert packed.batch_sizes.tolist() == [3, 2, 1, 1]
    want = tr.pack_padded_sequence(x, [4, 2, 1])
    assert torch.equal(packed.data, want.data)


def test_lengths_of_wrong_count_or_shape_are_rejected():
    _, x = _padded([4, 2, 1])
    with pytest.raises(
        RuntimeError,
        match=r"Expected `len\(lengths\)` to be equal to batch_size, "
        r"but got 2 \(batch_size=3\)",
    ):
        tr.pack_padded_sequence(x, [4, 2])
    with pytest.raises(
        RuntimeError,
        match="'lengths' argument should be a 1D CPU int64 tensor, "
        "but got 2D cpu Long tensor",
    ):
        tr.pack_padded_sequence(x, torch.tensor([[4, 2, 1]]))


@pytest.mark.gpu
def test_cuda_lengths_are_rejected():
    _, x = _padded([4, 2, 1])
    with pytest.raises(
        RuntimeError, match="'lengths' argument should be a 1D CPU int64 tensor.*cuda"
    ):
        tr.pack_padded_sequence(x.cuda(), torch.tensor([4, 2, 1], device="cuda"))
    packed = tr.pack_padded_sequence(
        x.cuda(), torch.tensor([4, 2, 1])
    )  # CPU lengths: fine
    assert packed.data.is_cuda and packed.batch_sizes.device.type == "cpu"


def test_lengths_longer_than_the_batch_fail_late_in_torch_early_in_rnn_ref():
    """torch does not check lengths against the padded length: it returns a
    PackedSequence whose batch_sizes promise more rows than data has, and the RNN fails
    later. rnn_ref raises at once."""
    _, x = _padded([4, 2, 1])
    packed = tr.pack_padded_sequence(x, [5, 2, 1])
    assert packed.batch_sizes.sum() == 8 and packed.data.size(0) == 7
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        nn.RNN(3, 4, dtype=F64)(packed)
    with pytest.raises(
        RuntimeError, match="lengths can be at most the padded length 4"
    ):
        packing.pack_padded_sequence(x, [5, 2, 1])


# ---- zero-length sequences ----


def test_zero_length_is_rejected():
    _, x = _padded([3, 1, 2])
    with pytest.raises(
        RuntimeError, match="Length of all samples has to be greater than 0"
    ):
        tr.pack_padded_sequence(x, [3, 0, 2], enforce_sorted=False)


def test_clamp_and_mask_workaround():
    """Clamping lengths to 1 packs; masking h_n zeroes the empty
    rows; other rows are exact."""
    rnn = nn.GRU(3, 4, dtype=F64)
    seqs, x = _padded([3, 1, 2])
    lengths = torch.tensor([3, 0, 2])
    _, h_n = rnn(tr.pack_padded_sequence(x, lengths.clamp(min=1), enforce_sorted=False))
    h_n = torch.where((lengths > 0)[None, :, None], h_n, 0.0)
    assert torch.equal(h_n[:, 1], torch.zeros(1, 4, dtype=F64))
    for b in (0, 2):
        _, alone = rnn(seqs[b][: lengths[b]].unsqueeze(1))
        torch.testing.assert_close(h_n[:, b], alone[:, 0], rtol=0, atol=1e-12)


# ---- total_length ----


def test_total_length_keeps_the_padded_width_for_the_loss():
    """Unpacking returns max(lengths) steps; targets padded to the batch
    width need total_length."""
    rnn = nn.RNN(3, 4, batch_first=True, dtype=F64)
    _, x = _padded([3, 2], batch_first=True)
    x = torch.cat(
        [x, torch.zeros(2, 2, 3, dtype=F64)], dim=1
    )  # batch padded to width 5
    targets = torch.zeros(2, 5, 4, dtype=F64)
    packed_out, _ = rnn(tr.pack_padded_sequence(x, [3, 2], batch_first=True))
    narrow, _ = tr.pad_packed_sequence(packed_out, batch_first=True)
    assert narrow.shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="must match the size"):
        narrow - targets
    full, _ = tr.pad_packed_sequence(
        packed_out, batch_first=True, total_length=x.size(1)
    )
    assert full.shape == targets.shape and torch.equal(full[:, :3], narrow)
    assert torch.equal(full[:, 3:], torch.zeros(2, 2, 4, dtype=F64))
    assert "DataParallel" in tr.pad_packed_sequence.__doc__


# ---- batch_first ----


def test_packed_sequence_does_not_remember_batch_first():
    """Packed with batch_first=True, unpacked with the default:
    the result is time-major."""
    _, x = _padded([4, 3, 2, 1], batch_first=True)  # (N, L, H) = (4, 4, 3), square
    packed = tr.pack_padded_sequence(x, [4, 3, 2, 1], batch_first=True)
    assert not hasattr(packed, "batch_first")
    good, _ = tr.pad_packed_sequence(packed, batch_first=True)
    bad, _ = tr.pad_packed_sequence(packed)
    assert (
        torch.equal(good, x) and bad.shape == good.shape and not torch.equal(bad, good)
    )
    assert torch.equal(bad, good.transpose(0, 1))


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_module_batch_first_is_ignored_for_packed_input(mode, bidirectional):
    """nn.RNN's own batch_first does not change how it reads a PackedSequence."""
    a = getattr(nn, mode)(
        3, 4, batch_first=True, bidirectional=bidirectional, dtype=F64
    )
    b = getattr(nn, mode)(
        3, 4, batch_first=False, bidirectional=bidirectional, dtype=F64
    )
    b.load_state_dict(a.state_dict())
    _, x = _padded([4, 2])
    packed = tr.pack_padded_sequence(x, [4, 2])
    (out_a, h_a), (out_b, h_b) = a(packed), b(packed)
    assert torch.equal(out_a.data, out_b.data)
    for u, v in zip(
        h_a if mode == "LSTM" else [h_a], h_b if mode == "LSTM" else [h_b], strict=True
    ):
        assert torch.equal(u, v)


# ---- bidirectional ----


def test_bidirectional_output_last_has_read_one_backward_step():
    """output[-1]'s backward half is the reverse state after ONE step (x[-1] from h0),
    not the final reverse state h_n[-1] = output[0, :, H:]. torch's LSTM docstring calls
    it 'the initial reverse hidden state'; it is the state one step after it."""
    H = 4
    lstm = nn.LSTM(3, H, bidirectional=True, dtype=F64)
    x = torch.randn(6, 2, 3, dtype=F64)
    h0, c0 = torch.randn(2, 2, H, dtype=F64), torch.randn(2, 2, H, dtype=F64)
    output, (h_n, _) = lstm(x, (h0, c0))
    torch.testing.assert_close(h_n[0], output[-1, :, :H], rtol=0, atol=0)
    torch.testing.assert_close(h_n[1], output[0, :, H:], rtol=0, atol=0)
    cell = nn.LSTMCell(3, H, dtype=F64)
    cell.load_state_dict(
        {
            k.removesuffix("_l0_reverse"): v
            for k, v in lstm.state_dict().items()
            if k.endswith("_reverse")
        }
    )
    one_step, _ = cell(x[-1], (h0[1], c0[1]))
    torch.testing.assert_close(output[-1, :, H:], one_step, rtol=0, atol=1e-12)
    assert not torch.allclose(output[-1, :, H:], h0[1])
    assert "initial reverse hidden state" in " ".join(nn.LSTM.__doc__.split())


def test_padded_bidirectional_corrupts_the_backward_direction():
    """Padded but not packed: at a short sequence's real steps the forward half is right
    and the backward half is not; packed, both halves equal the sequence run alone."""
    rnn = nn.LSTM(3, 4, bidirectional=True, dtype=F64)
    seqs, x = _padded([6, 3])
    out, _ = rnn(x)
    alone, _ = rnn(seqs[1].unsqueeze(1))
    torch.testing.assert_close(out[:3, 1, :4], alone[:, 0, :4], rtol=0, atol=1e-12)
    for t in range(3):  # every real step
        assert not torch.allclose(out[t, 1, 4:], alone[t, 0, 4:], atol=1e-3), t
    packed_out, _ = rnn(tr.pack_padded_sequence(x, [6, 3]))
    torch.testing.assert_close(
        tr.pad_packed_sequence(packed_out)[0][:3, 1], alone[:, 0], rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_padded_bidirectional_without_bias_is_right_in_one_layer(mode, num_layers):
    """The exception: bias=False, zero padding and no hx. The backward state stays
    exactly zero through the padding (every cell maps a zero input and a zero state to
    zero), so in one layer the backward half at the real steps equals the sequence run
    alone, to rounding. With two layers it does not: the second layer reads the first
    layer's forward outputs at the padded steps, which are not zero. With a bias, or
    an hx, the backward state leaves zero in the padding."""
    rnn = getattr(nn, mode)(3, 4, num_layers, bidirectional=True, bias=False, dtype=F64)
    seqs, x = _padded([6, 3])
    out, _ = rnn(x)
    alone, _ = rnn(seqs[1].unsqueeze(1))
    if num_layers == 1:
        assert torch.equal(out[3:, 1, 4:], torch.zeros(3, 4, dtype=F64))
        torch.testing.assert_close(out[:3, 1], alone[:, 0], rtol=0, atol=1e-12)
    else:
        for t in range(3):
            assert not torch.allclose(out[t, 1, 4:], alone[t, 0, 4:], atol=1e-4), t
    size = (num_layers * 2, 2, 4)
    hx = torch.randn(size, dtype=F64)
    hx = (hx, torch.randn(size, dtype=F64)) if mode == "LSTM" else hx
    out_hx, _ = rnn(x, hx)
    assert (out_hx[3:, 1, 4:] != 0).all()  # an hx: the padding's state is not zero


# ---- lengths come back on the CPU ----


def test_unpacked_lengths_are_cpu_int64():
    _, x = _padded([3, 2])
    _, lengths = tr.pad_packed_sequence(
        tr.pack_padded_sequence(x, torch.tensor([3, 2]))
    )
    assert lengths.device.type == "cpu" and lengths.dtype == torch.int64


@pytest.mark.gpu
def test_unpacked_lengths_stay_on_cpu_for_cuda_data():
    _, x = _padded([3, 2])
    padded, lengths = tr.pad_packed_sequence(tr.pack_padded_sequence(x.cuda(), [3, 2]))
    assert padded.is_cuda and lengths.device.type == "cpu"
    mask = (
        torch.arange(padded.size(0), device="cuda")[:, None] < lengths.cuda()[None, :]
    )
    assert mask.is_cuda and mask.sum().item() == 5


# ---- cuDNN and determinism ----


def test_rnn_and_lstm_docstrings_include_the_cudnn_determinism_warning():
    """nn.RNN's and nn.LSTM's docstrings include PyTorch's cuDNN determinism warning,
    docs/source/cudnn_rnn_determinism.md (installed torch ships the include line, not
    the file: the page quotes the file and links it); nn.GRU's does not."""
    for module in (nn.RNN, nn.LSTM):
        assert ".. include:: ../cudnn_rnn_determinism.md" in module.__doc__
    assert "cudnn_rnn_determinism" not in nn.GRU.__doc__
    assert "determinism" not in nn.GRU.__doc__.lower()


def _recipe_from_the_page() -> str:
    """The python fence of docs/pitfalls.md that sets the
    determinism flags, verbatim."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "pitfalls.md").read_text()
    fences = re.findall(r"```python\n(.*?)```", page, re.S)
    (recipe,) = [f for f in fences if "CUBLAS_WORKSPACE_CONFIG" in f]
    return recipe


_TWO_RUNS = textwrap.dedent("""
    device = sys.argv[1]
    def grads():
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(32, 64, num_layers=2, bidirectional=True).to(device)
        x = torch.randn(50, 16, 32, device=device)
        out, _ = lstm(x)
        out.square().sum().backward()
        return [p.grad.clone() for p in lstm.parameters()]
    a, b = grads(), grads()
    assert all(torch.equal(g, h) for g, h in zip(a, b))
    print("ok")
""")


@pytest.mark.slow  # trains twice
@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def test_deterministic_flags_make_runs_repeatable(device):
    """The page's recipe, run in a fresh process (the cuBLAS variable only counts before
    CUDA starts): two forward + backward runs of a 2-layer bidirectional LSTM give
    bit-identical gradients. The cuda case runs on GPU machines only."""
    script = "import sys\n" + _recipe_from_the_page() + _TWO_RUNS
    proc = subprocess.run(
        [sys.executable, "-c", script, device],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "CUBLAS_WORKSPACE_CONFIG"},
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.gpu
def test_gpu_agrees_with_cpu_within_tolerance():
    """cuDNN and the CPU kernels agree to rounding in float64, not
    necessarily bit for bit."""
    lstm = nn.LSTM(8, 16, num_layers=2, bidirectional=True, dtype=F64)
    x = torch.randn(20, 4, 8, dtype=F64)
    out_cpu, _ = lstm(x)
    out_gpu, _ = lstm.cuda()(x.cuda())
    torch.testing.assert_close(out_gpu.cpu(), out_cpu, rtol=1e-9, atol=1e-9)


# ---- enforce_sorted ----


TIED_20 = [5] * 6 + [3] * 8 + [1] * 6  # sorted, 20 sequences, many ties
UNTIED_20 = list(range(20, 0, -1))  # sorted, 20 sequences, no ties


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize(
    "lengths",
    [[5, 3, 3, 1], [4] * 16, UNTIED_20, TIED_20],
    ids=["4", "16-tied", "20-untied", "20-tied"],
)
def test_enforce_sorted_true_and_false_compute_identical_results(mode, lengths):
    """On sorted lengths, enforce_sorted=True and False give the same outputs, final
    states and gradients: bit for bit up to 16 sequences (ties included) or without
    ties; with 17+ and ties torch's sort permutes tied rows, so they agree to rounding
    (1e-12 in float64), and here not bit for bit."""
    _, x = _padded(lengths)
    results = []
    for enforce_sorted in (True, False):
        torch.manual_seed(0)
        rnn = getattr(nn, mode)(3, 4, num_layers=2, bidirectional=True, dtype=F64)
        packed = tr.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        out, h = rnn(packed)
        h = h[0] if mode == "LSTM" else h
        (out.data.sum() + h.sum()).backward()
        unpacked, _ = tr.pad_packed_sequence(out)
        results.append([unpacked, h, *(p.grad for p in rnn.parameters())])
    if len(lengths) <= 16 or len(set(lengths)) == len(lengths):
        assert all(torch.equal(a, b) for a, b in zip(*results, strict=True))
    else:
        assert packed.sorted_indices.tolist() != list(range(len(lengths)))
        for a, b in zip(*results, strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
        assert not all(torch.equal(a, b) for a, b in zip(*results, strict=True))


class _Packed(nn.Module):
    """Pack (batch_first), run `mode`; return the unpacked output or h_n's top layer."""

    def __init__(self, mode: str, num_layers: int, enforce_sorted: bool, head: str):
        super().__init__()
        self.rnn = getattr(nn, mode)(3, 8, num_layers, batch_first=True)
        self.enforce_sorted, self.head = enforce_sorted, head

    def forward(self, x, lengths):
        packed = tr.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=self.enforce_sorted
        )
        out, h_n = self.rnn(packed)
        if self.head == "output":
            return tr.pad_packed_sequence(out, batch_first=True)[0]  # (N, L, H)
        return (h_n[0] if isinstance(h_n, tuple) else h_n)[-1]  # (N, H)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("head", ["output", "h_n"])
def test_enforce_sorted_does_not_decide_whether_a_packed_model_exports(
    mode, num_layers, head, tmp_path
):
    """torch's docstring says enforce_sorted=True "is only necessary for ONNX export".
    Here the flag decides nothing about exporting, for every cell, one layer or two,
    returning the unpacked output or h_n: the default exporter fails with either
    value; the TorchScript one (dynamo=False) fails with either value on one layer
    returning h_n alone and exports every other model with either value. With False
    the graph sorts the lengths itself (a TopK node, absent with True), and
    onnxruntime's result on unsorted lengths equals eager torch's with
    enforce_sorted=False, for both files: the True graph does not even require
    sorted lengths."""
    for name in ("onnx", "onnxscript", "onnxruntime"):
        pytest.importorskip(name, reason="the export extra: pip install -e '.[export]'")
    import onnx
    import onnxruntime as ort
    from torch.onnx._internal.exporter._errors import TorchExportError

    x, lengths = torch.randn(3, 5, 3), torch.tensor([5, 3, 2])  # sorted example
    x2, unsorted = torch.randn(4, 6, 3), torch.tensor([2, 6, 1, 4])
    for enforce_sorted in (True, False):
        torch.manual_seed(0)
        model = _Packed(mode, num_layers, enforce_sorted, head).eval()
        with warnings.catch_warnings(), pytest.raises(TorchExportError, match="export"):
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x, lengths), tmp_path / "default.onnx")
        path = tmp_path / f"legacy_{enforce_sorted}.onnx"
        legacy = {
            "dynamo": False,
            "input_names": ["x", "lengths"],
            "dynamic_axes": {"x": {0: "N", 1: "L"}, "lengths": {0: "N"}},
        }
        with warnings.catch_warnings():  # the legacy exporter's deprecation notice
            warnings.simplefilter("ignore")
            if (num_layers, head) == (1, "h_n"):
                with pytest.raises(RuntimeError, match="_M_range_check"):
                    torch.onnx.export(model, (x, lengths), path, **legacy)
                continue
            torch.onnx.export(model, (x, lengths), path, **legacy)
        ops = {node.op_type for node in onnx.load(path).graph.node}
        assert ("TopK" in ops) is (not enforce_sorted), ops
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"x": x2.numpy(), "lengths": unsorted.numpy()})
        model.enforce_sorted = False  # eager torch raises on unsorted lengths with True
        with torch.no_grad():
            want = model(x2, unsorted)
        torch.testing.assert_close(torch.from_numpy(got), want, rtol=0, atol=1e-6)


def _seeded_train_step(rnn, x, seed):
    torch.manual_seed(seed)
    out, _ = rnn(x)
    rnn.zero_grad()
    out.square().sum().backward()
    return out.detach(), [p.grad.clone() for p in rnn.parameters()]


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_cpu_rnn_dropout_repeats_after_reseeding(mode):
    """On the CPU, an RNN with dropout between layers, in train mode, repeats its
    output and gradients bit for bit after torch.manual_seed; another seed draws
    other masks."""
    rnn = getattr(nn, mode)(4, 8, num_layers=3, dropout=0.5).train()
    x = torch.randn(6, 3, 4)  # (L, N, H_in)
    out_a, grads_a = _seeded_train_step(rnn, x, seed=1)
    out_b, grads_b = _seeded_train_step(rnn, x, seed=1)
    assert torch.equal(out_a, out_b)
    assert all(torch.equal(g, h) for g, h in zip(grads_a, grads_b, strict=True))
    out_c, _ = _seeded_train_step(rnn, x, seed=2)
    assert not torch.equal(out_a, out_c)


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_cudnn_rnn_dropout_repeats_after_reseeding_not_after_set_rng_state(mode):
    """On CUDA, cuDNN's dropout between layers follows torch.manual_seed: reseeding
    rebuilds cuDNN's dropout state (get_dropout_state in
    aten/src/ATen/native/cudnn/RNN.cpp checks the generator's reset_rnn_state(), which
    set_current_seed sets; pytorch#90522), so a reseeded run repeats its masks, and
    another seed draws others. torch.cuda.set_rng_state does not replay them
    (pytorch#104697): it restores the generator, not cuDNN's dropout buffer, which the
    next call rebuilds from a new draw. Outputs are compared with a tolerance (cuDNN
    does not promise the same bits); another mask changes them by far more."""
    assert torch.backends.cudnn.is_available()
    rnn = getattr(nn, mode)(4, 8, num_layers=3, dropout=0.5).cuda().train()
    x = torch.randn(6, 3, 4, device="cuda")  # (L, N, H_in)

    def run():
        with torch.no_grad():
            return rnn(x)[0]

    def same(a, b):
        return torch.allclose(a, b, rtol=1e-4, atol=1e-5)

    torch.manual_seed(1)
    first, saved = run(), torch.cuda.get_rng_state()
    second = run()
    torch.manual_seed(1)
    assert same(run(), first) and same(run(), second)  # reseeded: the same masks
    assert not same(first, second)  # without reseeding: new masks each call
    torch.manual_seed(2)
    assert not same(run(), first)
    torch.cuda.set_rng_state(saved)
    assert not same(run(), second)  # restored generator, not cuDNN's dropout state


class _StackWithDropout(nn.Module):
    """num_layers one-layer RNNs with nn.Dropout(p) between them, holding the
    weights of `stacked`."""

    def __init__(self, stacked):
        super().__init__()
        kind, state = type(stacked), stacked.state_dict()
        self.layers = nn.ModuleList()
        for k in range(stacked.num_layers):
            size = stacked.input_size if k == 0 else stacked.hidden_size
            layer = kind(size, stacked.hidden_size, dtype=F64)
            layer.load_state_dict(
                {
                    n.replace(f"_l{k}", "_l0"): v
                    for n, v in state.items()
                    if f"_l{k}" in n
                }
            )
            self.layers.append(layer)
        self.dropout = nn.Dropout(stacked.dropout)

    def forward(self, x):
        finals = []
        for k, layer in enumerate(self.layers):
            if k:
                x = self.dropout(x)
            x, h = layer(x)
            finals.append(h)
        if isinstance(finals[0], tuple):
            return x, tuple(torch.cat(parts) for parts in zip(*finals, strict=True))
        return x, torch.cat(finals)


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_nn_dropout_stack_replays_after_set_rng_state_on_cuda(mode):
    """On CUDA, one-layer RNNs with nn.Dropout between them draw their masks from the
    CUDA generator, so restoring a saved state with torch.cuda.set_rng_state replays
    the run that followed the save (to cuDNN's rounding)."""
    stacked = getattr(nn, mode)(4, 8, num_layers=3, dropout=0.5, dtype=F64)
    stack = _StackWithDropout(stacked).cuda().train()
    x = torch.randn(6, 3, 4, dtype=F64, device="cuda")  # (L, N, H_in)
    torch.manual_seed(1)
    with torch.no_grad():
        stack(x)
        saved = torch.cuda.get_rng_state()
        second, _ = stack(x)
        torch.cuda.set_rng_state(saved)
        replayed, _ = stack(x)
        other, _ = stack(x)
    torch.testing.assert_close(replayed, second, rtol=1e-9, atol=1e-9)
    assert not torch.allclose(other, second, atol=1e-3)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [2, 3])
def test_one_layer_rnns_with_nn_dropout_equal_rnn_dropout_on_cpu(mode, num_layers):
    """On the CPU, one-layer RNNs with nn.Dropout(p) between them compute what
    RNN(num_layers, dropout=p) computes in train mode with the same seed: output,
    final states and gradients."""
    stacked = getattr(nn, mode)(3, 5, num_layers=num_layers, dropout=0.5, dtype=F64)
    ours = _StackWithDropout(stacked)
    x = torch.randn(6, 2, 3, dtype=F64)  # (L, N, H_in)
    torch.manual_seed(7)
    out, h_n = stacked(x)
    torch.manual_seed(7)
    our_out, our_h_n = ours(x)
    torch.testing.assert_close(our_out, out, rtol=0, atol=0)
    torch.testing.assert_close(our_h_n, h_n, rtol=0, atol=0)
    out.square().sum().backward()
    our_out.square().sum().backward()
    for k, layer in enumerate(ours.layers):
        for name, p in layer.named_parameters():
            theirs = getattr(stacked, name.replace("_l0", f"_l{k}")).grad
            torch.testing.assert_close(p.grad, theirs, rtol=1e-12, atol=1e-12)
