"""ONNX export of a trained classifier, and running the exported file.

The classifier packs its batch (`pack_padded_sequence`), and packing does not export
reliably: `torch.onnx.export` of a one-layer `SumModClassifier` fails, with the
default exporter (built on `torch.export`) and with the TorchScript one
(`dynamo=False`); only the TorchScript exporter exports it, and only with two or more
layers. The export form is the padded forward, `padded_logits`: padded ids and lengths
in, logits out, batch and length dynamic. For a one-direction net it equals the packed
forward, so the file classifies exactly as the checkpoint does; onnxruntime runs it.

It is exported with the TorchScript exporter, which writes ONNX's own `RNN`, `GRU` and
`LSTM` operators and keeps both axes dynamic for every cell. The default exporter
silently fixes `nn.RNN`'s length to the example's, so its file refuses every other
length, and does the same to GRU and LSTM from the second export of that cell in a
process on. (The claim tests of the Deploying page check all of this.)

Needs the `export` extra: `pip install -e '.[export]'` in a checkout (onnx, onnxscript,
onnxruntime).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import logging
import warnings
from pathlib import Path

import torch
from torch import nn

from rnn_ref.data import collate
from rnn_ref.errors import InputError
from rnn_ref.model import SumModClassifier, padded_logits
from rnn_ref.rundir import write_output

__all__ = [
    "PaddedClassifier",
    "require_extras",
    "export_onnx",
    "onnx_bytes",
    "run_onnx",
    "parity",
    "parity_bytes",
]

EXTRAS = ("onnx", "onnxscript", "onnxruntime")
INSTALL = (
    "pip install onnx onnxscript onnxruntime (a checkout: pip install -e '.[export]')"
)


class PaddedClassifier(nn.Module):
    """A classifier in its export form: `padded_logits(model, ids, lengths)`.

    Shape:
        ids `(N, L)` int64, lengths `(N,)` int64 -> logits `(N, C)`.
    """

    def __init__(self, model: SumModClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return padded_logits(self.model, ids, lengths)


def require_extras() -> None:
    """Import the export extra's packages; an `InputError` naming the fix if one is
    missing."""
    for name in EXTRAS:
        try:
            importlib.import_module(name)
        except ImportError as e:
            raise InputError(
                f"ONNX export needs {', '.join(EXTRAS)}; got no module {name!r} "
                f"({e.__class__.__name__}); install them: {INSTALL}"
            ) from None


# --8<-- [start:export_onnx]
def export_onnx(model: SumModClassifier, path: str | Path) -> Path:
    """Export a one-direction classifier to an ONNX file in its padded form.

    Args:
        model: the classifier (exported in eval mode, on the CPU, float32).
        path: the `.onnx` file to write; written whole or not at all (through
            `rnn_ref.rundir.write_output`: `/dev/null` or a FIFO is written into).

    Returns:
        The path written. The graph's inputs are `ids` `(batch, length)` and `lengths`
        `(batch,)`, both int64, its output `logits` `(batch, C)`; batch and length are
        dynamic.

    Examples:
        >>> from rnn_ref.export import export_onnx
        >>> from rnn_ref.model import SumModClassifier
        >>> model = SumModClassifier(cell="gru", hidden_size=8)
        >>> export_onnx(model, "model.onnx")  # doctest: +SKIP
        PosixPath('model.onnx')
    """
    return write_output(path, onnx_bytes(model))


def onnx_bytes(model: SumModClassifier) -> bytes:
    """The ONNX file `export_onnx` writes, as bytes."""
    require_extras()
    if model.rnn.bidirectional:
        raise InputError(
            "only one-direction classifiers export: a bidirectional one has no "
            "padded form (its backward direction would start in the padding), and "
            "its packed forward, known to export only with stacked layers, is not "
            "supported here; got bidirectional=True: train with bidirectional off "
            "to deploy with ONNX"
        )
    padded = PaddedClassifier(copy.deepcopy(model)).to("cpu", torch.float32)
    ids = torch.tensor([[1, 2, 3], [4, 5, model.pad_id]])  # (N, L): any example
    lengths = torch.tensor([3, 2])  # (N,)
    f = io.BytesIO()
    with _quiet_exporter():
        # the TorchScript exporter (dynamo=False): it writes ONNX's own RNN, GRU
        # and LSTM operators and keeps both axes dynamic for all three cells
        torch.onnx.export(
            padded.eval(),
            (ids, lengths),
            f,
            dynamo=False,
            input_names=["ids", "lengths"],
            output_names=["logits"],
            dynamic_axes={
                "ids": {0: "batch", 1: "length"},
                "lengths": {0: "batch"},
                "logits": {0: "batch"},
            },
        )
    _check_dynamic(f.getvalue())
    return f.getvalue()


# --8<-- [end:export_onnx]


@contextlib.contextmanager
def _quiet_exporter():
    """Silence the exporter's notes on torch internals (warnings, and log lines such as
    "torchvision is not installed"): a reader can do nothing about them."""
    log = logging.getLogger("torch.onnx")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


def _check_dynamic(data: bytes) -> None:
    """Fail if the exported graph fixed an input or output axis to the example's size
    (it would refuse every other batch size or length): the batch and length of `ids`,
    the batch of `lengths` and of `logits`."""
    import onnx

    graph = onnx.load_from_string(data).graph
    leading = {"ids": 2, "lengths": 1, "logits": 1}  # axes that must stay dynamic
    for value in (*graph.input, *graph.output):
        dims = value.type.tensor_type.shape.dim[: leading.get(value.name, 0)]
        if any(not d.dim_param for d in dims):
            raise RuntimeError(
                f"the exported graph fixed the shape of {value.name!r} "
                f"({[d.dim_value or d.dim_param for d in dims]}); expected dynamic "
                f"axes: torch.onnx changed, report it"
            )


# --8<-- [start:run_onnx]
def run_onnx(path: str | Path | bytes, ids: torch.Tensor, lengths: torch.Tensor):
    """Run an exported classifier with onnxruntime on a padded batch.

    Args:
        path: a file written by `export_onnx` (or its bytes, from `onnx_bytes`).
        ids: padded digit ids.
        lengths: each sequence's length, `1 .. L` (the graph gathers at `lengths - 1`
            and cannot check them itself).

    Returns:
        The logits, a float32 tensor.

    Shape:
        ids `(N, L)` int64, lengths `(N,)` int64 -> logits `(N, C)`.
    """
    require_extras()
    import onnxruntime

    if lengths.numel() and not 1 <= int(lengths.min()) <= int(lengths.max()) <= (
        ids.size(1)
    ):
        raise InputError(
            f"lengths must lie in 1..{ids.size(1)} (the padded length); got "
            f"{int(lengths.min())}..{int(lengths.max())}"
        )
    try:
        session = onnxruntime.InferenceSession(
            path if isinstance(path, bytes) else str(path),
            providers=["CPUExecutionProvider"],
        )
    except Exception as e:  # missing, truncated, not ONNX: onnxruntime's own types
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        name = "the bytes" if isinstance(path, bytes) else path
        raise InputError(
            f"{name} is not an ONNX file onnxruntime can load ({first}); export it "
            f"again with `rnn-ref export`"
        ) from None
    feeds = {"ids": ids.long().numpy(), "lengths": lengths.long().numpy()}
    (logits,) = session.run(["logits"], feeds)
    return torch.from_numpy(logits)  # (N, C)


# --8<-- [end:run_onnx]


def parity_bytes(model: SumModClassifier, max_length: int) -> int:
    """A rough upper estimate of `parity`'s memory: its batch (`max_length` sequences,
    padded to `max_length`) as Python lists and int64 ids, and one layer's input,
    gates and output in the packed forward and in onnxruntime's padded one.

    Examples:
        >>> from rnn_ref.export import parity_bytes
        >>> from rnn_ref.model import SumModClassifier
        >>> parity_bytes(SumModClassifier(hidden_size=64), 100) < 2**30
        True
    """
    rnn = model.rnn  # weight_ih_l0: (gates * H, H_in)
    per_step = rnn.input_size + rnn.weight_ih_l0.size(0) + 2 * rnn.hidden_size
    return max_length**2 * (8 + 8 + 2 * 4 * per_step)


def parity(
    model: SumModClassifier,
    path: str | Path | bytes,
    max_length: int = 100,
    seed: int = 0,
) -> float:
    """The largest |logit difference| between onnxruntime running `path` and the
    packed PyTorch model, on one batch holding every length `1 .. max_length`.

    Args:
        model: the classifier the file was exported from, in eval mode.
        path: the exported file, or its bytes.
        max_length: the longest sequence; the batch has one sequence per length.
        seed: seeds the random digits.
    """
    if max_length < 1:
        raise InputError(f"the longest length must be at least 1; got {max_length}")
    g = torch.Generator().manual_seed(seed)
    digits = model.embed.num_embeddings - 1
    seqs = [
        torch.randint(0, digits, (n,), generator=g).tolist()
        for n in range(1, max_length + 1)
    ]
    ids, lengths, _ = collate(seqs, model.pad_id)  # (N, L), (N,)
    with torch.no_grad():
        expected = model(ids, lengths)  # (N, C)
    return float((run_onnx(path, ids, lengths) - expected).abs().max())
