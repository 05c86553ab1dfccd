"""`rnn_ref.export`: what it refuses, and what it leaves behind. (Parity with PyTorch
and the exporters' behaviour are claims: tests/claims/test_deployment.py.)"""

import sys

import pytest
import torch

from rnn_ref.errors import InputError
from rnn_ref.model import SumModClassifier, padded_logits

onnx_extra = pytest.mark.skipif(
    any(
        __import__("importlib").util.find_spec(name) is None
        for name in ("onnx", "onnxscript", "onnxruntime")
    ),
    reason="the export extra: pip install -e '.[export]'",
)


def test_padded_logits_refuses_a_bidirectional_model():
    model = SumModClassifier(hidden_size=4, bidirectional=True)
    with pytest.raises(ValueError, match="needs a one-direction classifier"):
        padded_logits(model, torch.tensor([[1, 2]]), torch.tensor([2]))


def test_padded_logits_under_a_default_device():
    """torch.set_default_device("cuda") must not move the row index ("meta" stands in
    for the GPU: a tensor made there cannot index a CPU one)."""
    torch.manual_seed(0)
    model = SumModClassifier(cell="gru", hidden_size=8).eval()
    ids, lengths = torch.tensor([[3, 7, 10], [1, 9, 4]]), torch.tensor([2, 3])
    want = model(ids, lengths)
    with torch.device("meta"):
        got = padded_logits(model, ids, lengths)
    torch.testing.assert_close(got, want)


def test_missing_extra_names_the_install(monkeypatch):
    from rnn_ref.export import export_onnx

    for name in ("onnx", "onnxscript", "onnxruntime"):
        monkeypatch.setitem(sys.modules, name, None)  # `import name` fails
    with pytest.raises(
        InputError, match=r"no module 'onnx'.*pip install onnx onnxscript onnxruntime"
    ):
        export_onnx(SumModClassifier(hidden_size=4), "never.onnx")


@onnx_extra
@pytest.mark.parametrize("missing", ["onnxscript", "onnxruntime"])
def test_each_missing_extra_is_named(monkeypatch, missing):
    from rnn_ref.export import run_onnx

    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(InputError, match=rf"no module '{missing}'"):
        run_onnx("never.onnx", torch.zeros(1, 1, dtype=torch.long), torch.tensor([1]))


@onnx_extra
def test_refuses_a_bidirectional_model(tmp_path):
    from rnn_ref.export import export_onnx

    model = SumModClassifier(hidden_size=4, bidirectional=True)
    with pytest.raises(InputError, match="only one-direction classifiers export"):
        export_onnx(model, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


@onnx_extra
@pytest.mark.parametrize(
    "where, match",
    [("dir", "is a directory"), ("under_a_file", "cannot write")],
)
def test_refuses_an_unwritable_path(tmp_path, where, match):
    from rnn_ref.export import export_onnx

    (tmp_path / "file").write_text("")
    path = tmp_path if where == "dir" else tmp_path / "file" / "m.onnx"
    with pytest.raises(InputError, match=match):
        export_onnx(SumModClassifier(hidden_size=4), path)


@onnx_extra
@pytest.mark.parametrize("lengths", [[0, 2], [2, 3]])
def test_run_refuses_lengths_outside_the_batch(lengths):
    from rnn_ref.export import run_onnx

    with pytest.raises(InputError, match=r"lengths must lie in 1\.\.2"):
        run_onnx(
            "never.onnx", torch.zeros(2, 2, dtype=torch.long), torch.tensor(lengths)
        )


@onnx_extra
@pytest.mark.parametrize("content", [None, b"", b"\x08garbage" * 9])
def test_run_refuses_a_file_that_is_not_onnx(tmp_path, content):
    from rnn_ref.export import run_onnx

    path = tmp_path / "m.onnx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match="not an ONNX file onnxruntime can load"):
        run_onnx(path, torch.zeros(1, 1, dtype=torch.long), torch.tensor([1]))


@onnx_extra
@pytest.mark.slow
def test_writes_the_file_whole_and_nothing_else(tmp_path):
    from rnn_ref.export import export_onnx, parity

    model = SumModClassifier(cell="gru", hidden_size=4).eval()
    path = export_onnx(model, tmp_path / "sub" / "m.onnx")
    assert path == tmp_path / "sub" / "m.onnx"
    assert [p.name for p in path.parent.iterdir()] == ["m.onnx"]  # no temporary
    assert parity(model, path, max_length=5) < 1e-5
    with pytest.raises(InputError, match="at least 1"):
        parity(model, path, max_length=0)


@onnx_extra
@pytest.mark.parametrize(
    "fixed, dims",
    [("ids", (["batch", 3], ["batch"], ["batch", 10])),
     ("logits", (["batch", "length"], ["batch"], [2, 10]))],
)  # fmt: skip
def test_check_dynamic_refuses_a_fixed_axis(fixed, dims):
    """A graph with an input or output axis fixed (as the default exporter fixes
    nn.RNN's length) fails the check, naming the value."""
    from onnx import TensorProto, helper

    from rnn_ref.export import _check_dynamic

    ids, lengths, logits = (
        helper.make_tensor_value_info(name, kind, shape)
        for name, kind, shape in zip(
            ("ids", "lengths", "logits"),
            (TensorProto.INT64, TensorProto.INT64, TensorProto.FLOAT),
            dims,
            strict=True,
        )
    )
    node = helper.make_node("Cast", ["ids"], ["logits"], to=TensorProto.FLOAT)
    graph = helper.make_graph([node], "g", [ids, lengths], [logits])
    with pytest.raises(RuntimeError, match=f"fixed the shape of '{fixed}'"):
        _check_dynamic(helper.make_model(graph).SerializeToString())
