# needs: onnx, onnxscript, onnxruntime (pip install -e '.[export]')
import tempfile
from pathlib import Path

import torch

from rnn_ref.data import collate
from rnn_ref.export import export_onnx, run_onnx
from rnn_ref.model import SumModClassifier

torch.manual_seed(0)
model = SumModClassifier(cell="lstm", hidden_size=32, num_layers=2).eval()
path = export_onnx(model, Path(tempfile.mkdtemp()) / "classifier.onnx")

# one batch holding every length 1 .. 100
seqs = [torch.randint(0, 10, (n,)).tolist() for n in range(1, 101)]
ids, lengths, _ = collate(seqs, pad_id=10)  # (100, 100), (100,)
got = run_onnx(path, ids, lengths)  # onnxruntime
with torch.no_grad():
    expected = model(ids, lengths)  # PyTorch, packed
print("ids", tuple(ids.shape), "-> logits", tuple(got.shape))
print(f"max |onnxruntime - torch|: {(got - expected).abs().max():.0e}")
print(
    "same predicted class for all 100:", torch.equal(got.argmax(1), expected.argmax(1))
)
