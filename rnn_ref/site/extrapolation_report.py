"""The extrapolation search's report, from `extrapolation.json`.

`render_tables` writes `extrapolation_tables.md` (named sections the training chapter
includes): every attempt with its settings and each seed's accuracy at lengths 100 and
1000, and a sentence on whether `TrainConfig`'s defaults meet the target. `rnn-ref
regen` and `rnn-ref extrapolation` call `redraw`.
"""

from __future__ import annotations

import json
from pathlib import Path

from rnn_ref.experiments.extrapolation import ATTEMPTS, CELLS, TARGET, meets_target
from rnn_ref.rundir import write_output
from rnn_ref.site import paths
from rnn_ref.site.markdown import section, table

__all__ = ["render_tables", "redraw"]

# the settings the attempts vary, in the table's order
_KNOBS = ["batch_size", "lr", "clip", "steps", "warmup_steps", "length_curriculum"]


def _setting(config: dict, key: str) -> str:
    value = config.get(key)
    if value is None or (key == "length_curriculum" and value == 0):
        return "none"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _seeds(attempt: dict, cell: str, length: str) -> str:
    """Each seed's accuracy, a miss in bold: `100.00 / **98.70** / 99.35`."""
    cells = []
    for r in attempt["runs"]:
        if r["cell"] == cell:
            acc = r["accuracy"][length]
            text = f"{acc:.2%}"
            cells.append(text if acc >= TARGET[length] else f"**{text}**")
    return " / ".join(cells) or "not run"


def _met(attempt: dict, seeds: int = 3) -> str:
    runs, full = len(attempt["runs"]), len(CELLS) * seeds
    if not attempt["meets_target"]:
        return "no"
    return "yes" if runs == full else f"so far ({runs} of {full} runs)"


def _verdict(defaults: dict, seeds: int = 3) -> str:
    """One sentence: do the defaults meet the target, on how many of the runs."""
    runs = defaults["runs"]
    worst = "; ".join(
        f"{c.upper()} {min(r['accuracy'][k] for r in runs if r['cell'] == c):.2%} "
        f"at length {k}"
        for c in CELLS
        if any(r["cell"] == c for r in runs)
        for k in TARGET
    )
    missing = [
        f"{c.upper()} seed {s}"
        for c in CELLS
        for s in range(seeds)
        if not any(r["cell"] == c and r["seed"] == s for r in runs)
    ]
    misses = [r for r in runs if not meets_target([r])]
    where = ", ".join(
        f"{r['cell'].upper()} seed {r['seed']} ("
        + " and ".join(
            f"{r['accuracy'][k]:.2%} at length {k}"
            for k, v in TARGET.items()
            if r["accuracy"][k] < v
        )
        + ")"
        for r in misses
    )
    if not missing:
        head = (
            "both cells meet the target on every seed"
            if not misses
            else f"{len(misses)} of the {len(runs)} runs "
            f"miss{'es' * (len(misses) == 1)} the target: {where}"
        )
    else:
        head = (
            f"{len(runs)} of the {len(runs) + len(missing)} runs are measured (not "
            f"yet: {', '.join(missing)}), and {len(misses) or 'none'} of them "
            f"miss{'es' * (len(misses) == 1)} the target{': ' * bool(misses)}{where}"
        )
    seconds = [r["seconds"] for r in runs]
    return (
        f"With `TrainConfig`'s defaults (only the lengths given) {head}. The worst "
        f"seed scores {worst}. A default run on lengths 1-20 took {min(seconds):.0f} "
        f"to {max(seconds):.0f} s of wall time here."
    )


def render_tables(results: dict) -> str:
    """Markdown for the chapter, one named section per table or sentence."""
    attempts = results["attempts"]
    names = [a["name"] for a in attempts]
    rows = []
    for a in attempts:
        runs = a["runs"]
        rows.append(
            [
                f"`{a['name']}`",
                a["note"],
                *(_setting(a["config"], k) for k in _KNOBS),
                *(_seeds(a, cell, k) for cell in CELLS for k in TARGET),
                f"{sum(r['seconds'] for r in runs) / len(runs):.0f}",
                _met(a),
            ]
        )
    first = attempts[0]
    lines = section(
        "attempts",
        [
            f"Each attempt trains both cells on lengths {first['config']['min_len']}-"
            f"{first['config']['max_len']} with seeds 0 to 2 (a row lists the seeds in "
            "order, a miss in bold) and tests each model on 2,000 fresh sequences of "
            "each exact length. Seconds are wall seconds per run (training with its "
            f"periodic evaluation) on {first['threads']} CPU thread of a shared "
            f"machine, torch {first['torch']}.",
            "",
            *table(
                [
                    "attempt",
                    "what it tries",
                    *(k.replace("_", " ") for k in _KNOBS),
                    *(f"{c.upper()} at {k}" for c in CELLS for k in TARGET),
                    "s per run",
                    "target met",
                ],
                rows,
            ),
        ],
    )
    unmeasured = [f"`{n}` ({ATTEMPTS[n][0]})" for n in ATTEMPTS if n not in names]
    lines += section(
        "unmeasured",
        [
            "Defined in `ATTEMPTS` but not measured yet (each is six runs of "
            "`rnn-ref extrapolation --attempts NAME`): " + "; ".join(unmeasured) + "."
            if unmeasured
            else "Every attempt defined in `ATTEMPTS` is measured above."
        ],
    )
    defaults = next((a for a in attempts if a["name"] == "defaults"), None)
    if defaults is not None:
        lines += section("verdict", [_verdict(defaults)])
    return "\n".join(lines)


def redraw(json_path: Path | None = None) -> Path:
    """Re-render `extrapolation_tables.md` beside `extrapolation.json`; return its
    path."""
    json_path = json_path or paths.results() / "extrapolation.json"
    tables = json_path.with_name("extrapolation_tables.md")
    write_output(tables, render_tables(json.loads(json_path.read_text())).encode())
    return tables
