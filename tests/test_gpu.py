"""On CUDA: the reference loops against cuDNN, the scan and the bench on the GPU.

Every test is marked `gpu` and skips without CUDA (tests/conftest.py). cuDNN is not
bit-exact (different reduction orders, TF32 possibly enabled for float32), so
comparisons use tolerances.
"""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref import reference_forward
from rnn_ref.scan import linear_recurrence_loop, linear_recurrence_scan

pytestmark = pytest.mark.gpu

TOL = {
    torch.float64: dict(rtol=1e-9, atol=1e-10),
    torch.float32: dict(rtol=1e-3, atol=1e-4),
}


@pytest.fixture(autouse=True)
def _no_tf32():
    """float32 matmuls in full precision, so the float32 tolerance means something."""
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
@pytest.mark.parametrize("hoist", [False, True], ids=["naive", "hoisted"])
def test_reference_matches_cudnn(cls, bidirectional, dtype, hoist):
    rnn = cls(
        6, 8, num_layers=2, bidirectional=bidirectional, device="cuda", dtype=dtype
    )
    x = torch.randn(11, 4, 6, device="cuda", dtype=dtype, requires_grad=True)
    out, h = rnn(x)
    ref_out, ref_h = reference_forward(rnn, x, hoist=hoist)
    torch.testing.assert_close(ref_out, out, **TOL[dtype])
    torch.testing.assert_close(ref_h, h, **TOL[dtype])
    grad = torch.autograd.grad(out.sum(), x)[0]
    ref_grad = torch.autograd.grad(ref_out.sum(), x)[0]
    torch.testing.assert_close(ref_grad, grad, **TOL[dtype])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
def test_packed_reference_matches_cudnn(cls, dtype):
    rnn = cls(5, 7, num_layers=2, bidirectional=True, device="cuda", dtype=dtype)
    x = torch.randn(9, 4, 5, device="cuda", dtype=dtype)
    packed = pack_padded_sequence(x, torch.tensor([9, 3, 6, 1]), enforce_sorted=False)
    out, h = rnn(packed)
    ref_out, ref_h = reference_forward(rnn, packed, hoist=True)
    torch.testing.assert_close(ref_out.data, out.data, **TOL[dtype])
    torch.testing.assert_close(ref_h, h, **TOL[dtype])


def test_scan_matches_loop_on_cuda():
    a = torch.rand(1000, 32, device="cuda", dtype=torch.float64) * 0.9
    b = torch.randn(1000, 32, device="cuda", dtype=torch.float64)
    torch.testing.assert_close(
        linear_recurrence_scan(a, b), linear_recurrence_loop(a, b), rtol=0, atol=1e-10
    )


def test_bench_quick_runs_on_cuda():
    from rnn_ref.experiments.bench import PARTS, run_bench

    results = run_bench("cuda", quick=True)
    assert results["machine"]["device"] == "cuda" and set(PARTS) <= set(results)


@pytest.mark.parametrize("enforce_sorted", [False, True])
@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
@pytest.mark.parametrize("on_cpu", ["h", "c", "none"])
@pytest.mark.parametrize("cls", [nn.GRU, nn.LSTM])
def test_hx_on_the_cpu_is_refused_for_cuda_input(cls, on_cpu, packed, enforce_sorted):
    """The truncated-BPTT page's claim on a real second device: hx is not moved, and
    the error names both devices (for an LSTM, either of h and c on the CPU)."""
    if cls is nn.GRU and on_cpu == "c":
        pytest.skip("a GRU has no c")
    rnn = cls(3, 5, batch_first=True, device="cuda")
    x = torch.randn(2, 4, 3, device="cuda")
    if packed:
        x = pack_padded_sequence(x, [4, 2], True, enforce_sorted=enforce_sorted)

    def state(part):
        return torch.zeros(1, 2, 5, device="cpu" if part == on_cpu else "cuda")

    hx = (state("h"), state("c")) if cls is nn.LSTM else state("h")
    if on_cpu == "none":
        rnn(x, hx)
        return
    with pytest.raises(RuntimeError, match="device") as error:
        rnn(x, hx)
    assert "cpu" in str(error.value) and "cuda" in str(error.value)


def test_padded_logits_on_cuda_with_lengths_on_the_cpu():
    """The export form on the GPU: ids on CUDA, lengths on the CPU (as `collate` and
    `pack_padded_sequence` want them) give the packed model's logits."""
    from rnn_ref.model import SumModClassifier, padded_logits

    model = SumModClassifier(cell="gru", hidden_size=8).cuda().eval()
    ids = torch.tensor([[3, 7, 10], [1, 9, 4]], device="cuda")
    lengths = torch.tensor([2, 3])
    with torch.no_grad():
        torch.testing.assert_close(
            padded_logits(model, ids, lengths), model(ids, lengths)
        )


def test_a_run_trained_on_cuda_loads_on_the_cpu_and_back(tmp_path):
    """A run asked for CUDA trains there, so its model.pt holds CUDA tensors;
    `safe_load` maps them to the CPU (what a machine without a GPU needs), and
    `load_classifier(device="cuda")` puts the model back on the GPU, predicting what
    it predicts on the CPU."""
    from rnn_ref.checkpoint import load_classifier, safe_load
    from rnn_ref.config import TrainConfig
    from rnn_ref.train import train

    train(
        TrainConfig(hidden_size=8, steps=5, eval_every=5, eval_samples=10,
                    device="cuda", out=str(tmp_path))
    )  # fmt: skip
    saved = torch.load(tmp_path / "model.pt", weights_only=True)  # where it was
    assert {t.device.type for t in saved.values()} == {"cuda"}  # trained on the GPU
    state = safe_load(tmp_path / "model.pt")
    assert {t.device.type for t in state.values()} == {"cpu"}
    on_gpu = load_classifier(tmp_path, device="cuda")
    assert {p.device.type for p in on_gpu.parameters()} == {"cuda"}
    sequences = [[1, 2, 3], [4, 5], [9]]
    assert on_gpu.predict(sequences) == load_classifier(tmp_path).predict(sequences)
