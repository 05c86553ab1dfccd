"""`rnn-ref export`: a trained classifier to an ONNX file, checked with onnxruntime.

The file holds the padded form of the classifier (`rnn_ref.export`): padded ids and
lengths in, logits out, any batch size and length. After writing it, the command runs
it with onnxruntime on one batch holding every length 1..`--check-length` and prints
the largest difference from the PyTorch model.

Bad input (a missing or corrupt checkpoint, a bidirectional model, an output that
cannot be written or would overwrite one of the run's own files, the export extra not
installed) gets one `error: ...` line on stderr
and exit code 2.

Examples:

    rnn-ref export --checkpoint runs/sota --out sota.onnx
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rnn_ref.checkpoint import load_classifier
from rnn_ref.errors import InputError
from rnn_ref.export import onnx_bytes, parity, require_extras
from rnn_ref.rundir import write_output

__all__ = ["register"]


def _cmd_export(args: argparse.Namespace) -> int:
    if args.check_length < 1:
        raise InputError(f"--check-length must be at least 1; got {args.check_length}")
    require_extras()  # before loading anything: the fix is an install
    model = load_classifier(args.checkpoint)  # a missing or broken run: one line
    _check_out(Path(args.checkpoint), Path(args.out))  # before the first line
    rnn = model.rnn
    print(
        f"exporting {args.checkpoint} ({type(rnn).__name__}, {rnn.num_layers} "
        f"layer(s), hidden {rnn.hidden_size}) to {args.out} ...",
        flush=True,
    )
    start = time.perf_counter()
    onnx = onnx_bytes(model)
    path = write_output(args.out, onnx)  # /dev/null or a FIFO: written into
    seconds = time.perf_counter() - start
    print(f"wrote {path} ({len(onnx) / 1024:.0f} KiB) in {seconds:.1f} s")
    diff = parity(model, onnx, max_length=args.check_length)  # what was written
    print(
        f"onnxruntime vs PyTorch on one batch of lengths 1..{args.check_length}: "
        f"max |logit difference| {diff:.2e}"
    )
    return 0


def _check_out(checkpoint: Path, out: Path) -> None:
    """An `InputError` for an `--out` that would overwrite one of the run's own
    files (model.pt, config.json, ...)."""
    own = out.is_file() and out.resolve().parent == checkpoint.resolve()
    if own and out.suffix != ".onnx":  # an earlier export's file may be replaced
        raise InputError(
            f"--out {out} is the run's own {out.name}, which the export would "
            f"overwrite; expected a new .onnx path such as {checkpoint / 'model.onnx'}"
        )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `export` to the `rnn-ref` command."""
    p = subparsers.add_parser(
        "export",
        help="export a trained classifier to ONNX",
        description="Export a trained classifier to ONNX (padded ids + lengths in, "
        "logits out) and check it with onnxruntime. Needs onnx, onnxscript and "
        "onnxruntime: pip install -e '.[export]' in a checkout.",
    )
    p.add_argument(
        "--checkpoint", required=True, help="a run directory (model.pt + config.json)"
    )
    p.add_argument("--out", required=True, help="the .onnx file to write")
    p.add_argument(
        "--check-length",
        type=int,
        default=100,
        help="check lengths 1..this against PyTorch (default: 100)",
    )
    p.set_defaults(func=_cmd_export)
