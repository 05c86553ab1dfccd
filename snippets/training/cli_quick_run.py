# A quick run of the three commands, in-process:
# train a GRU, predict, evaluate by length.
import io
import json
import sys
import tempfile
from pathlib import Path

import torch

from rnn_ref.cli import main

torch.set_num_threads(1)
out = Path(tempfile.mkdtemp()) / "quick"
# rnn-ref train ... (--quiet: the summary line would print wall-clock seconds)
main(
    [
        "train",
        "--cell",
        "gru",
        "--hidden-size",
        "64",
        "--lr",
        "0.005",
        "--clip",
        "1",
        "--steps",
        "600",
        "--eval-every",
        "200",
        "--seed",
        "0",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--quiet",
    ]
)
print("run directory:", sorted(p.name for p in out.iterdir()))
for line in (out / "metrics.jsonl").read_text().splitlines():
    m = json.loads(line)
    print(
        f"step {m['step']}: eval accuracy {m['accuracy']:.2%}, "
        f"loss {m['loss']:.4f}, lr {m['lr']:.5f}"
    )

print("$ rnn-ref predict --checkpoint quick 3 7 1 9")
main(["predict", "--checkpoint", str(out), "3", "7", "1", "9"])
print("$ printf '5 5\\n9 9 9 9 9\\n' | rnn-ref predict --checkpoint quick")
sys.stdin = io.StringIO("5 5\n9 9 9 9 9\n")
main(["predict", "--checkpoint", str(out)])
print("$ rnn-ref evaluate --checkpoint quick --lengths 2,5,10,20,50 --samples 1000")
main(
    [
        "evaluate",
        "--checkpoint",
        str(out),
        "--lengths",
        "2,5,10,20,50",
        "--samples",
        "1000",
    ]
)
