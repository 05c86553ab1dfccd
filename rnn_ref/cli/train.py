r"""`rnn-ref train | predict | evaluate`: the classifier from the command line.

Bad input (a non-digit, an out-of-range digit, an empty sequence, a missing, corrupt or
unsafe checkpoint) gets one `error: ...` line on stderr and exit code 2, never a
traceback. A run whose loss becomes NaN stops with exit code 3.

Examples:

    rnn-ref train --batch_size 64 --lr 0.005 --hidden_dim 32 --num_layers 3 \
        --warmup_step 2000 --run_name sota
    rnn-ref predict --checkpoint runs/sota 3 7 1 9
    rnn-ref evaluate --checkpoint runs/sota --lengths 5,10,20,50,100,1000 \
        --plot lengths.svg
    # 2 processes (rnn_ref.distributed)
    torchrun --nproc_per_node=2 -m rnn_ref.cli train --run_name ddp
"""

from __future__ import annotations

import argparse
import errno
import io
import re
import sys
from dataclasses import fields
from pathlib import Path

from rnn_ref import distributed
from rnn_ref.checkpoint import load_classifier, read_config
from rnn_ref.cli import experiment_args, show_progress
from rnn_ref.cli.predict_stream import EXCERPT, MAX_DIGITS, parse_digit, predict_stream
from rnn_ref.config import TrainConfig
from rnn_ref.errors import InputError
from rnn_ref.model import CELLS
from rnn_ref.rundir import write_output
from rnn_ref.train import accuracy_by_length, train

__all__ = ["register", "parse_sequence"]


def number_or_none(text: str) -> float | str:
    """`--clip`: a number, or `none` (kept as the string: `None` means "not given")."""
    return "none" if text.lower() == "none" else float(text)


# errors that mean "this --out is not a place to write a run" (exit 2); others are
# the machine's (exit 1)
_BAD_OUT = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.ELOOP,
}
MAX_EVAL_LENGTH = 10**5

# flag spellings -> TrainConfig field; the underscore spellings are the original
# tutorial's
_TRAIN_FLAGS = [
    (("--cell",), "cell", dict(choices=list(CELLS))),
    (("--hidden-size", "--hidden_size", "--hidden_dim"), "hidden_size", dict(type=int)),
    (("--num-layers", "--num_layers"), "num_layers", dict(type=int)),
    (("--embed-dim", "--embed_dim"), "embed_dim", dict(type=int)),
    (("--batch-size", "--batch_size"), "batch_size", dict(type=int)),
    (("--lr",), "lr", dict(type=float)),
    (("--optimizer",), "optimizer", dict(choices=["adam", "adamw"])),
    (("--weight-decay", "--weight_decay"), "weight_decay", dict(type=float)),
    (
        ("--warmup-steps", "--warmup_steps", "--warmup_step"),
        "warmup_steps",
        dict(type=int),
    ),
    (
        ("--clip",),
        "clip",
        dict(
            type=number_or_none,
            help="max gradient norm (default 1.0; `none`: no clipping)",
        ),
    ),
    (("--steps",), "steps", dict(type=int)),
    (("--eval-every", "--eval_every"), "eval_every", dict(type=int)),
    (("--eval-samples", "--eval_samples"), "eval_samples", dict(type=int)),
    (("--min-len", "--min_len"), "min_len", dict(type=int)),
    (("--max-len", "--max_len"), "max_len", dict(type=int)),
    (
        ("--length-curriculum",),
        "length_curriculum",
        dict(type=int, help="steps over which the longest length grows to --max-len"),
    ),
    (("--num-digits", "--num_digits"), "num_digits", dict(type=int)),
    (("--modulus",), "modulus", dict(type=int)),
    (("--seed",), "seed", dict(type=int)),
    (("--device",), "device", dict(choices=["auto", "cpu", "cuda"])),
    (("--out",), "out", dict(help="run directory (default: runs/<run_name>)")),
]


def parse_sequence(text: str, num_digits: int, where: str = "") -> list[int]:
    """Digits separated by spaces or commas -> a list of ints, or a `ValueError` saying
    why not.

    Examples:

        >>> parse_sequence("3, 7 1,9", num_digits=10)
        [3, 7, 1, 9]
    """
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not tokens:
        raise ValueError(
            f"empty sequence{where}: expected at least one digit 0..{num_digits - 1}, "
            f"e.g. `3 7 1 9`"
        )
    return [parse_digit(t.encode(), num_digits, where) for t in tokens]


def _cmd_train(args: argparse.Namespace) -> int:
    given = {
        field: getattr(args, field)
        for _, field, _ in _TRAIN_FLAGS
        if getattr(args, field) is not None
    }
    if given.get("clip") == "none":
        given["clip"] = None
    out = given.pop("out", None) or str(Path("runs") / args.run_name)
    try:
        if (
            args.resume
        ):  # the saved run, with only the flags given on this command line changed
            saved = (Path(out) / "config.json").exists()  # else train() says so
            base = read_config(out) if saved else {}
            config = TrainConfig.from_dict({**base, **given, "out": out})
        else:
            config = TrainConfig(**given, out=out)
        result = train(config, resume=args.resume, progress=show_progress(args.quiet))
        reports = distributed.is_main()  # under torchrun, only rank 0 prints it
    except OSError as e:
        if e.errno not in _BAD_OUT:  # a full disk, an I/O error: the machine's
            raise
        raise InputError(
            f"cannot write the run to {out} ({e.strerror or e}: {e.filename or out}); "
            f"expected a directory you can write to: pass another --out"
        ) from None
    except KeyboardInterrupt:
        if (Path(out) / "config.json").is_file():
            raise KeyboardInterrupt(
                f"continue with `rnn-ref train --resume --out {out}` (from the last "
                f"checkpoint, or from step 0 if none was written)"
            ) from None
        raise KeyboardInterrupt("nothing was written yet") from None
    finally:
        distributed.teardown()
    if not reports:
        return 0
    last = result.metrics[-1] if result.metrics else None
    if last is None:
        print(
            f"nothing to do: {out} already holds {config.steps} steps; raise "
            "--steps to train on"
        )
    elif not args.quiet:
        print(
            f"step {last['step']}: accuracy {last['accuracy']:.2%}, "
            f"loss {last['loss']:.4f}, {last['seconds']:.1f} s of training; "
            f"checkpoint in {out}"
        )
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    model = load_classifier(args.checkpoint)
    config = read_config(args.checkpoint)
    if args.digits:  # one sequence on the command line
        stream = io.BytesIO(" ".join(args.digits).replace("\n", " ").encode())
    elif sys.stdin is None:
        raise InputError(
            "stdin is closed and no digits were given: pass digits (`rnn-ref predict "
            "--checkpoint DIR 3 7 1 9`) or pipe one sequence per line on stdin"
        )
    else:  # streamed: an endless line costs no more memory than a short one
        stream = getattr(sys.stdin, "buffer", None) or io.BytesIO(
            sys.stdin.read().encode()
        )
    done = predict_stream(
        model,
        config["num_digits"],
        config["modulus"],
        stream,
        print,
        name_lines=not args.digits,
    )
    if not done and args.digits:
        raise InputError(
            f"empty sequence: expected at least one digit 0..{config['num_digits'] - 1}"
            f", e.g. `3 7 1 9`"
        )
    if not done:
        raise InputError(
            "no sequences given: pass digits (`rnn-ref predict --checkpoint DIR 3 7 1 "
            "9`) or pipe one sequence per line on stdin"
        )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        parts = [t.strip() for t in args.lengths.split(",") if t.strip()]
        if not all(re.fullmatch(r"[0-9]{1,7}", t) for t in parts):
            raise ValueError
        lengths = [int(t) for t in parts]
        if not lengths or not 1 <= min(lengths) <= max(lengths) <= MAX_EVAL_LENGTH:
            raise ValueError
    except ValueError:
        raise InputError(
            f"--lengths must be positive integers (at most {MAX_EVAL_LENGTH:,}) "
            f"separated by commas, "
            f"e.g. 5,10,100; got {args.lengths[:EXCERPT]!r}"
            + ("..." if len(args.lengths) > EXCERPT else "")
        ) from None
    experiment_args.counts(samples=args.samples)
    if not 0 <= args.seed < 2**63 - max(lengths):
        raise InputError(
            f"--seed must be in 0 .. 2**63 - 1 - (the longest length); got {args.seed}"
        )
    if args.plot:
        experiment_args.output(args.plot, "--plot")
        from matplotlib.backend_bases import FigureCanvasBase

        kinds = sorted(FigureCanvasBase.get_supported_filetypes())
        suffix = Path(args.plot).suffix.lower().lstrip(".")
        if suffix not in kinds:
            got = f"{suffix!r}" if suffix else "no extension"
            raise InputError(
                f"--plot needs a file name ending in one of .{', .'.join(kinds)} "
                f"(e.g. lengths.svg); got {got} in {args.plot!r}"
            )
    model = load_classifier(args.checkpoint)
    config = TrainConfig.from_dict(
        {**read_config(args.checkpoint), "out": None, "device": "cpu"}
    )
    rows = accuracy_by_length(model, config.task, lengths, args.samples, args.seed)
    print(f"{'length':>8} {'accuracy':>9} {'n':>7}")
    for r in rows:
        print(f"{r['length']:>8} {r['accuracy']:>9.2%} {r['n']:>7}")
    if args.plot:
        try:
            _plot_lengths(rows, config, args.plot)
        except OSError as e:
            raise InputError(
                f"cannot write the plot to {args.plot} ({e.strerror or e}); "
                f"expected a writable path: pass another --plot"
            ) from None
        print(f"plot written to {args.plot}")
    return 0


def _plot_lengths(rows: list[dict], config: TrainConfig, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.axvspan(config.min_len, config.max_len, color="0.9", label="training lengths")
    ax.plot(
        [r["length"] for r in rows],
        [r["accuracy"] for r in rows],
        "o-",
        label=config.cell,
    )
    ax.axhline(1 / config.modulus, ls=":", color="0.5", label="chance")
    ax.set(xscale="log", xlabel="sequence length", ylabel="accuracy", ylim=(0, 1.02))
    ax.legend(loc="lower left")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=Path(path).suffix.lower().lstrip("."))
    plt.close(fig)
    write_output(path, buffer.getvalue())


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `train`, `predict` and `evaluate` to the `rnn-ref` command."""
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    p = subparsers.add_parser(
        "train",
        help="train the sum-mod classifier",
        description="Train the sum-mod classifier; checkpoints go to --out.",
    )
    for flags, field, extra in _TRAIN_FLAGS:
        extra = dict(extra)
        help_text = extra.pop("help", None) or f"default: {defaults[field]}"
        p.add_argument(*flags, dest=field, default=None, help=help_text, **extra)
    p.add_argument(
        "--run-name",
        "--run_name",
        default="run",
        help="names the default --out (runs/<name>)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its checkpoint",
    )
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar, no summary line"
    )
    p.set_defaults(func=_cmd_train)

    p = subparsers.add_parser("predict", help="predict the class of digit sequences")
    p.add_argument(
        "--checkpoint", required=True, help="a run directory (model.pt + config.json)"
    )
    p.add_argument(
        "digits",
        nargs="*",
        help="one sequence; without digits, one sequence per stdin line (streamed; "
        f"at most {MAX_DIGITS:,} digits a line); each digit one character 0-9",
    )
    p.set_defaults(func=_cmd_predict)

    p = subparsers.add_parser("evaluate", help="accuracy by sequence length")
    p.add_argument(
        "--checkpoint", required=True, help="a run directory (model.pt + config.json)"
    )
    p.add_argument(
        "--lengths", default="5,10,20,50,100,1000", help="comma-separated lengths"
    )
    p.add_argument(
        "--samples", type=int, default=1000, help="fresh sequences per length"
    )
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--plot", help="save accuracy vs length to this file (.svg, .png)")
    p.set_defaults(func=_cmd_evaluate)
