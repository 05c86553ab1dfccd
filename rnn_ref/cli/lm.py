"""`rnn-ref lm train | sample`: the character-level language model, from the shell.

Bad input (a flag out of range, an unreadable text, a character the model never saw, a
missing or corrupt checkpoint) gets one `error: ...` line on stderr and exit code 2. A
run whose loss becomes NaN stops with exit code 3.

Examples:

    rnn-ref lm train --out runs/lm                  # Paradise Lost, GRU 256, k = 64
    rnn-ref lm train --resume --out runs/lm --steps 4000
    rnn-ref lm sample --checkpoint runs/lm --temperature 0.8 --prime "Of Man"
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from dataclasses import asdict, fields
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from rnn_ref.cli import show_progress
from rnn_ref.cli.experiment_args import output
from rnn_ref.errors import InputError
from rnn_ref.lm import LM_CELLS, generate, load_text
from rnn_ref.lm_train import LMConfig, load_lm, read_lm_config, train_lm
from rnn_ref.rundir import write_output

__all__ = ["register"]

_FLAGS = [
    (("--text",), "text", dict(help="a UTF-8 text file (default: Paradise Lost)")),
    (("--cell",), "cell", dict(choices=list(LM_CELLS))),
    (("--embed-dim",), "embed_dim", dict(type=int)),
    (("--hidden-size",), "hidden_size", dict(type=int)),
    (("--num-layers",), "num_layers", dict(type=int)),
    (("--batch-size",), "batch_size", dict(type=int)),
    (("--bptt",), "bptt", dict(type=int, help="k, steps per chunk (default: 64)")),
    (("--lr",), "lr", dict(type=float)),
    (("--clip",), "clip", dict(type=float)),
    (("--steps",), "steps", dict(type=int)),
    (("--eval-every",), "eval_every", dict(type=int)),
    (("--seed",), "seed", dict(type=int)),
]
# below it sampling is greedy already, and logits / temperature may overflow to inf
MIN_TEMPERATURE = 1e-4
# characters: `sample` streams them, but at some 10,000 a second on a CPU this many
# take three years; more is a typing error, refused before the model is loaded
MAX_LENGTH = 10**12


def _cmd_train(args: argparse.Namespace) -> int:
    given = {f: getattr(args, f) for _, f, _ in _FLAGS if getattr(args, f) is not None}
    out = args.out
    output(out, "--out", folder=True)  # before any work: where it writes
    output(args.results, "--results")
    # the saved run, with only the flags given here changed (`--out ""`: LMConfig
    # refuses it)
    if args.resume and out:
        saved = (Path(out) / "config.json").exists()  # else train_lm says so
        base = asdict(read_lm_config(Path(out))) if saved else {}
        config = LMConfig.from_dict({**base, **given, "out": out})
    else:
        config = LMConfig(**given, out=out)
    if config.text:  # read here too: a text it cannot train on is refused before
        load_text(config.text)  # the run directory is claimed
    try:
        result = train_lm(
            config, resume=args.resume, progress=show_progress(args.quiet)
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(
            f"continue from the last checkpoint with `rnn-ref lm train --resume "
            f"--out {out}`"
        ) from None
    last = result.metrics[-1] if result.metrics else None
    if last is None:
        print(f"nothing to do: {out} already holds {config.steps} steps")
        return 0
    if not args.quiet:
        print(
            f"step {last['step']}: validation loss {last['val_loss']:.3f} nats/char "
            f"({last['val_bpc']:.3f} bits), {last['cpu_seconds']:.0f} s of CPU; "
            f"checkpoint in {out}"
        )
    if args.results:
        from rnn_ref.experiments.lm_results import summarize

        summary = summarize(result, config, _command(config))
        write_output(args.results, (json.dumps(summary, indent=1) + "\n").encode())
        print(f"results written to {args.results}")
    return 0


def _command(config: LMConfig) -> str:
    """The `rnn-ref lm train` command line that trains `config` from scratch."""
    defaults = LMConfig()
    words = ["rnn-ref", "lm", "train"]
    for flags, field, _ in _FLAGS:
        if getattr(config, field) != getattr(defaults, field):
            words += [flags[0], str(getattr(config, field))]
    return shlex.join(words)


def _cmd_sample(args: argparse.Namespace) -> int:
    if not 1 <= args.length <= MAX_LENGTH:
        raise InputError(
            f"--length must be 1 .. {MAX_LENGTH:,} characters (10**12); got "
            f"{args.length}"
        )
    if not 0 <= args.seed < 2**63:  # torch.Generator().manual_seed's range
        raise InputError(f"--seed must be in 0 .. 2**63 - 1; got {args.seed}")
    # 0 and below: `sample` refuses them
    if not (args.temperature <= 0 or MIN_TEMPERATURE <= args.temperature < math.inf):
        raise InputError(
            f"--temperature must be a finite number of at least {MIN_TEMPERATURE:g} "
            f"(below it logits / temperature can overflow to inf; "
            f"{MIN_TEMPERATURE:g} samples almost greedily already); got "
            f"{args.temperature:g}"
        )
    model, vocab, _ = load_lm(args.checkpoint)
    prime = args.prime.replace("\\n", "\n")
    chars = generate(model, vocab, prime, args.temperature, args.seed)
    # streamed as drawn, a line at a time: any --length runs in constant memory;
    # a bar on stderr when the text goes to a file, not to the terminal
    bar = tqdm(
        total=args.length,
        disable=not show_progress(False) or sys.stdout.isatty(),
        file=sys.stderr,
        unit="char",
        leave=False,
    )
    sys.stdout.write(prime)
    for char in islice(chars, args.length):
        sys.stdout.write(char)
        if char == "\n":
            sys.stdout.flush()
        bar.update(1)
    bar.close()
    print()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lm train` and `lm sample` to the `rnn-ref` command."""
    defaults = {f.name: f.default for f in fields(LMConfig)}
    lm = subparsers.add_parser("lm", help="the character-level language model")
    sub = lm.add_subparsers(dest="lm_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "train",
        help="train it with truncated BPTT",
        description="Train the character-level language model; checkpoints go to "
        "--out.",
    )
    for flags, field, extra in _FLAGS:
        extra = dict(extra)
        help_text = extra.pop("help", None) or f"default: {defaults[field]}"
        p.add_argument(*flags, dest=field, default=None, help=help_text, **extra)
    p.add_argument("--out", default="runs/lm", help="run directory (default: runs/lm)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    p.add_argument(
        "--results", help="also write a JSON summary with samples (for the site)"
    )
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("sample", help="generate text from a trained model")
    p.add_argument("--checkpoint", required=True, help="a run directory of `lm train`")
    p.add_argument("--prime", default="\\n", help="text to start from (default: \\n)")
    p.add_argument(
        "--length",
        type=int,
        default=300,
        help="characters to generate, written as they are drawn (default: 300)",
    )
    p.add_argument(
        "--temperature",
        type=float,
        default=0.8,
        help=f">= {MIN_TEMPERATURE:g} (default 0.8)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_sample)
