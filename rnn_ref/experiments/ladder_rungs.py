"""The ladder's rungs: what each one trains, and the label that says what it changes.

A rung is a set of `TrainConfig` overrides. Its label (the "what changes" column and
the figure's legend) is generated from the config it recorded, by `describe`, so it
cannot disagree with it: the words of a `Rung` carry no numbers. `SHORT_TEST` is the
separate test of every run on short sequences, and `TARGETS` the benchmark targets a
rung meets when every seed does (`check_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Rung",
    "RUNGS",
    "DEFAULT_RUNGS",
    "SHORT_TEST",
    "TARGETS",
    "rung_config",
    "describe",
    "rung_label",
    "check_targets",
]


@dataclass(frozen=True)
class Rung:
    """A rung of the ladder.

    Args:
        words: who trains it and the idea, in words and without numbers (the label
            takes those from the config).
        overrides: `TrainConfig` overrides (lengths 2-5 and 3,000 steps unless set).
        base: the rung it changes: its label lists only what differs from that rung's
            config (every setting when `None`).
    """

    words: str
    overrides: dict
    base: str | None = None


_S = "short_rnn16x2"  # the short rungs' base
_SHORT = dict(cell="rnn", hidden_size=16, num_layers=2, batch_size=16, lr=1e-3)
_COMBINED = dict(cell="rnn", hidden_size=32, num_layers=3, batch_size=64, lr=5e-3)
# ours: one GRU/LSTM layer, wide enough, clipped; see the findings in the chapter
_OURS = dict(hidden_size=64, num_layers=1, batch_size=64, lr=5e-3, clip=1.0, steps=1200)
_WIDE = dict(_OURS, min_len=1, max_len=20, steps=5000)

RUNGS: dict[str, Rung] = {
    "short_rnn16x2": Rung("ours, short:", _SHORT),
    "short_batch64": Rung("ours, short:", {**_SHORT, "batch_size": 64}, _S),
    "short_batch64_lr5e-3": Rung(
        "ours, short:", {**_SHORT, "batch_size": 64, "lr": 5e-3}, _S
    ),
    "short_h32x3": Rung(
        "ours, short:", {**_SHORT, "hidden_size": 32, "num_layers": 3}, _S
    ),
    "short_combined": Rung("ours, short: all combined,", _COMBINED),
    "short_combined_warmup": Rung(
        "ours, short: combined",
        {**_COMBINED, "warmup_steps": 2000, "steps": 4000},
        "short_combined",
    ),
    "gru": Rung("ours:", {**_OURS, "cell": "gru"}),
    "lstm": Rung("ours:", {**_OURS, "cell": "lstm"}),
    # clip 1.0 never binds for the GRU above (a run without it is bit-identical);
    # the deep tanh RNN is where clipping can matter
    "short_combined_clip": Rung(
        "ours, short: combined", {**_COMBINED, "clip": 1.0}, "short_combined"
    ),
    # batch 256: at batch 128 one seed in three reached only 97.6% at length 1000
    "gru_wide": Rung("ours:", {**_WIDE, "cell": "gru", "batch_size": 256}),
    "lstm_wide": Rung("ours:", {**_WIDE, "cell": "lstm", "batch_size": 128}),
    # the question the tutorial leaves open: does a plain tanh RNN learn from the wider
    # range too?
    "rnn_wide": Rung("ours:", {**_WIDE, "cell": "rnn", "batch_size": 256, "lr": 2e-3}),
}
DEFAULT_RUNGS = list(RUNGS)
_DEFAULT_STEPS = 3000

# every run is also tested on this many fresh sequences of these lengths (seeded)
SHORT_TEST = {"min_len": 2, "max_len": 5, "samples": 10_000, "seed": 777}
# the benchmark targets: every seed must meet one for its rung to count
TARGETS = {
    "fast": {"accuracy": 0.999, "seconds": 10},  # on SHORT_TEST, training seconds
    "far": {"100": 0.999, "1000": 0.99, "max_len": 20},  # trained on lengths <= 20
}


def rung_config(overrides: dict, steps: int | None = None) -> dict:
    """The config a rung records: its overrides on lengths 2-5 and 3,000 steps, and
    `steps` in place of its own when given."""
    return {
        "steps": _DEFAULT_STEPS,
        "min_len": SHORT_TEST["min_len"],
        "max_len": SHORT_TEST["max_len"],
        **overrides,
        **({"steps": steps} if steps else {}),
    }


def _sci(x: float) -> str:
    """`5e-3` for 0.005, `0.1` for 0.1: a learning rate as people write it."""
    if x >= 0.01:
        return f"{x:g}"
    mantissa, exponent = f"{x:e}".split("e")
    return f"{float(mantissa):g}e-{int(exponent[1:])}"


_CELLS = {"rnn": "tanh RNN", "gru": "GRU", "lstm": "LSTM"}


def describe(config: dict, base: dict | None = None) -> str:
    """What a rung's config sets (cell and size, batch, learning rate, clipping, warmup,
    lengths other than 2-5), or with `base` only what it changes from `base`'s. Steps
    are left out: the tables show them in a column of their own.

    Examples:
        >>> short = rung_config(dict(cell="rnn", hidden_size=16, num_layers=2,
        ...                          batch_size=16, lr=1e-3))
        >>> describe(short)
        'tanh RNN 16x2, batch 16, lr 1e-3'
        >>> describe({**short, "hidden_size": 32, "num_layers": 3, "lr": 5e-3}, short)
        '+ hidden 32 x 3 layers, lr 5e-3'
        >>> describe({**short, "cell": "gru", "clip": 1.0, "max_len": 20}, short)
        '+ GRU 16x2, clip 1, lengths 2-20'
    """
    was = base or {"min_len": SHORT_TEST["min_len"], "max_len": SHORT_TEST["max_len"]}

    def changed(*keys: str) -> bool:
        return base is None or any(config.get(k) != base.get(k) for k in keys)

    h, n = config["hidden_size"], config["num_layers"]
    parts = []
    if changed("cell"):
        parts.append(f"{_CELLS[config['cell']]} {h}x{n}")
    elif changed("hidden_size", "num_layers"):
        parts.append(f"hidden {h} x {n} layers")
    if changed("batch_size"):
        parts.append(f"batch {config['batch_size']}")
    if changed("lr"):
        parts.append(f"lr {_sci(config['lr'])}")
    if config.get("clip") and changed("clip"):
        parts.append(f"clip {config['clip']:g}")
    if config.get("warmup_steps") and changed("warmup_steps"):
        parts.append(f"{config['warmup_steps']:,} warmup steps")
    lengths = (config["min_len"], config["max_len"])
    if lengths != (was["min_len"], was["max_len"]):
        parts.append("lengths {}-{}".format(*lengths))
    return ("+ " if base else "") + ", ".join(parts)


def rung_label(name: str, config: dict) -> str:
    """The label of rung `name` as recorded with `config`: its words, then `describe`
    (relative to its base rung's config, at the same steps); a rung no longer in
    `RUNGS` gets `describe` alone.

    Examples:
        >>> rung_label("short_batch64", rung_config(RUNGS["short_batch64"].overrides))
        'ours, short: + batch 64'
    """
    rung = RUNGS.get(name)
    if rung is None:
        return describe(config)
    base = rung_config(RUNGS[rung.base].overrides) if rung.base else None
    return f"{rung.words} {describe(config, base)}"


def check_targets(results: dict) -> list[tuple[str, list[str]]]:
    """Each benchmark target, in words made from `TARGETS` and the results' short
    test, with the rungs that meet it on every seed."""
    fast, far = TARGETS["fast"], TARGETS["far"]
    test = results["short_test"]
    met_fast = [
        r["name"]
        for r in results["rungs"]
        if all(
            x["accuracy_2_5"] >= fast["accuracy"] and x["seconds"] <= fast["seconds"]
            for x in r["runs"]
        )
    ]
    met_far = [
        r["name"]
        for r in results["rungs"]
        if r["config"]["max_len"] <= far["max_len"]
        and all(x["by_length"][k] >= far[k] for x in r["runs"] for k in ("100", "1000"))
    ]
    pct = "{:g}%".format
    return [
        (
            f"target >= {pct(fast['accuracy'] * 100)} on {test['samples']:,} "
            f"length-{test['min_len']}-{test['max_len']} samples within "
            f"{fast['seconds']} s of training",
            met_fast,
        ),
        (
            f"target >= {pct(far['100'] * 100)} at length 100 and >= "
            f"{pct(far['1000'] * 100)} at length 1000 (trained on lengths <= "
            f"{far['max_len']})",
            met_far,
        ),
    ]
