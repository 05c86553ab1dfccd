"""`rnn-ref export`: a trained classifier to an ONNX file, checked with onnxruntime.

The file holds the padded form of the classifier (`rnn_ref.export`): padded ids and
lengths in, logits out, any batch size and length. After writing it, the command runs
it with onnxruntime on one batch holding every length 1..`--check-length` and prints
the largest difference from the PyTorch model.

Bad input (a missing or corrupt checkpoint, a bidirectional model, an output that
cannot be written, an existing file without `--force`, a file in another run's
directory or one of this run's own files, the export extra not installed) gets one
`error: ...` line on stderr and exit code 2; nothing is written.

Examples:

    rnn-ref export --checkpoint runs/sota --out sota.onnx
"""

from __future__ import annotations

import argparse
import os
import stat
import time
from pathlib import Path

from rnn_ref import rundir
from rnn_ref.checkpoint import load_classifier
from rnn_ref.cli import experiment_args
from rnn_ref.errors import InputError
from rnn_ref.export import onnx_bytes, parity, parity_bytes, require_extras
from rnn_ref.memory import check_memory
from rnn_ref.rundir import write_output

__all__ = ["register"]


def _cmd_export(args: argparse.Namespace) -> int:
    if args.check_length < 1:
        raise InputError(f"--check-length must be at least 1; got {args.check_length}")
    experiment_args.output(args.out, "--out")
    require_extras()  # before loading anything: the fix is an install
    model = load_classifier(args.checkpoint)  # a missing or broken run: one line
    need = parity_bytes(model, args.check_length)
    check_memory(need, f"--check-length {args.check_length:,}", "--check-length")
    _check_out(Path(args.checkpoint), Path(args.out), args.force)  # before any line
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


def _check_out(checkpoint: Path, out: Path, force: bool) -> None:
    """An `InputError` for an `--out` the export must not write: a file in another
    run's directory (one holding rnn-ref's manifest), one of this run's own files,
    or any existing file without `--force`. A character device or a FIFO
    (`/dev/null`) is written into, and so allowed."""
    try:
        mode = os.stat(out).st_mode  # through links: what a write would reach
    except OSError:
        mode = None  # missing, or under a file: write_output says which
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        return
    where = out.resolve().parent  # the folder the file lands in, links followed
    if rundir.ours(where / rundir.MANIFEST):
        if where != checkpoint.resolve():
            raise InputError(
                f"--out {out} is in another run's directory ({where} holds rnn-ref's "
                f"manifest.json), whose files an export must not replace; expected a "
                f"path outside it, such as {checkpoint / 'model.onnx'}"
            )
        if mode is not None and out.suffix != ".onnx":
            raise InputError(
                f"--out {out} is the run's own {out.name}, which the export would "
                f"overwrite; expected a new .onnx path such as "
                f"{checkpoint / 'model.onnx'}"
            )
    if mode is not None and stat.S_ISREG(mode) and not force:
        raise InputError(
            f"--out {out} already exists; pass --force to replace it, or choose "
            f"another path"
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
    p.add_argument(
        "--out",
        required=True,
        help="the .onnx file to write (a new one; never in another run's directory)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace --out if it is a file already"
    )
    p.add_argument(
        "--check-length",
        type=int,
        default=100,
        help="check lengths 1..this against PyTorch (default: 100)",
    )
    p.set_defaults(func=_cmd_export)
