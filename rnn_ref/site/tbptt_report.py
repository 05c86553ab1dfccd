"""The truncated-BPTT page's tables, from `tbptt.json` and `lm.json`.

`render_tables` writes `tbptt_tables.md` (one named section per table or sentence, which
`docs/truncated-bptt.md` includes); `verdicts` is what the sentences claim, read from
the same JSON by the same code, so the claim tests check exactly what the page prints.
`redraw` does both files; `rnn-ref tbptt --redraw` and `rnn-ref regen` call it.
"""

from __future__ import annotations

import functools
import statistics
from pathlib import Path

from rnn_ref.experiments.tbptt import DELAY_SYMBOLS
from rnn_ref.rundir import load_json
from rnn_ref.site import paths
from rnn_ref.site.templates import redraw_report, render

__all__ = [
    "LEARNED",
    "CHANCE_BELOW",
    "verdicts",
    "render_tables",
    "lm_tables",
    "redraw",
]

LEARNED = 0.9  # accuracy every seed must reach for "learned"
CHANCE_BELOW = 0.4  # and stay under for "not learned" (chance: 1 / DELAY_SYMBOLS)
PARITY_CHANCE = 0.5  # the carry task answers a bit: a guess is right half the time
NEAR_CHANCE = 0.05  # within this of chance, every seed: "no better than a guess"


def verdicts(results: dict) -> dict:
    """What the page says, computed from the results: per (d, k) pair the accuracies
    and whether every seed learned (`True`), none did (`False`) or neither (`None`)."""
    pairs: dict[tuple[int, int], list[float]] = {}
    for r in results["delay"]:
        pairs.setdefault((r["d"], r["k"]), []).append(r["accuracy"])
    delay = {}
    for (d, k), accs in pairs.items():
        learned = (
            True
            if min(accs) >= LEARNED
            else False
            if max(accs) < CHANCE_BELOW
            else None
        )
        delay[(d, k)] = {"accuracies": accs, "learned": learned}
    growth = results["growth"]
    carry = {c: [r for r in results["carry"] if r["carry"] == c] for c in (False, True)}
    return {
        "delay": delay,
        "learned_iff_k_above_d": all(
            v["learned"] is (k > d) for (d, k), v in delay.items()
        ),
        "nodes_constant_with_detach": len({r["nodes"] for r in growth["detach"]}) == 1,
        "nodes_grow_without_detach": all(
            b["nodes"] > a["nodes"]
            for a, b in zip(growth["no_detach"], growth["no_detach"][1:], strict=False)
        ),
        "k_equals_d": [max(v["accuracies"]) for (d, k), v in delay.items() if k == d],
        "reset": {
            "from_zeros": [r["from_zeros"] for r in carry[False]],
            "from_carried": [r["from_carried"] for r in carry[False]],
        },
        "carry": {
            "from_zeros": [r["from_zeros"] for r in carry[True]],
            "from_carried": [r["from_carried"] for r in carry[True]],
        },
    }


def accuracy_word(accuracies: list[float], chance: float) -> str:
    """What a model's accuracies (one per seed) say of it, after "it is".

    Examples:
        >>> accuracy_word([1.0, 1.0], 0.5), accuracy_word([0.95, 1.0], 0.5)
        ('right at every step', 'right at least 90% of the time')
        >>> accuracy_word([0.51, 0.53], 0.5), accuracy_word([0.42, 0.58], 0.5)
        ('no better than a guess', 'far from the task')
    """
    if min(accuracies) == 1.0:
        return "right at every step"
    if min(accuracies) >= LEARNED:
        return f"right at least {LEARNED:.0%} of the time"
    if max(abs(a - chance) for a in accuracies) <= NEAR_CHANCE:
        return "no better than a guess"
    return "far from the task"


def _train_chars(lm: dict) -> int:
    """Characters the committed language model trained on: the text less its held-out
    end, split as `rnn_ref.lm_train` splits it (the text shipped with the package)."""
    from rnn_ref.lm import load_text

    text = load_text(lm["config"]["text"])
    return int(len(text) * (1 - lm["config"]["val_fraction"]))


_WORD = {True: "learned", False: "not learned", None: "unclear"}


def render_tables(results: dict, lm: dict | None = None) -> str:
    """Markdown for the page (`docs/templates/tbptt_tables.md.j2`), one named section
    per table or sentence."""
    v = verdicts(results)
    delay = [
        {
            "d": d,
            "k": k,
            "accuracies": p["accuracies"],
            "mean": statistics.fmean(p["accuracies"]),
            "word": _WORD[p["learned"]],
        }
        for (d, k), p in sorted(v["delay"].items())
    ]
    lm_parts = (
        lm_tables(lm) if lm is not None else {"best": None, "lm_train_chars": None}
    )
    return render(
        "tbptt_tables.md.j2",
        results=results,
        v=v,
        delay=delay,
        learned=LEARNED,
        chance_below=CHANCE_BELOW,
        chance=1 / DELAY_SYMBOLS,
        parity_chance=PARITY_CHANCE,
        said=accuracy_word,
        no=results["growth"]["no_detach"],
        yes=results["growth"]["detach"],
        lm=lm,
        **lm_parts,
    )


def lm_tables(lm: dict) -> dict:
    """What the page shows of `lm.json` (a language model's run): its learning curve's
    rows, its best evaluation, the characters it trained on."""
    curve = [
        [
            f"{x['step']:,}",
            f"{x['train_loss']:.3f}",
            f"{x['val_loss']:.3f}",
            f"{x['val_bpc']:.2f}",
            f"{x['cpu_seconds']:.0f}",
        ]
        for x in lm["metrics"]
    ]
    best = min(lm["metrics"], key=lambda x: x["val_loss"])
    return {"lm_curve": curve, "best": best, "lm_train_chars": _train_chars(lm)}


def redraw(
    json_path: Path | None = None,
    lm_path: Path | None = None,
    results: dict | None = None,
) -> list[Path]:
    """Re-render tbptt_tables.md (beside the JSON, default the site's) from tbptt.json
    (or `results`, what it holds) and lm.json (default: beside it)."""
    json_path = json_path or paths.results() / "tbptt.json"
    lm_path = lm_path or json_path.with_name("lm.json")
    lm = load_json(lm_path.read_text()) if lm_path.is_file() else None
    tables = functools.partial(render_tables, lm=lm)
    return redraw_report("tbptt", tables, json_path, results=results)
