"""The extrapolation search's report, from `extrapolation.json`.

`render_tables` writes `extrapolation_tables.md` (named sections the training chapter
includes): every attempt with its settings and each seed's accuracy at lengths 100 and
1000, and a sentence on whether `TrainConfig`'s defaults meet the target. `rnn-ref
regen` and `rnn-ref extrapolation` call `redraw`.
"""

from __future__ import annotations

from pathlib import Path

from rnn_ref.experiments.extrapolation import (
    ATTEMPTS,
    CELLS,
    SAMPLES,
    TARGET,
    meets_target,
)
from rnn_ref.site.templates import redraw_report, render

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


def _met(attempt: dict) -> str:
    runs, full = len(attempt["runs"]), len(CELLS) * attempt["seeds"]
    if not attempt["meets_target"]:
        return "no"
    return "yes" if runs == full else f"so far ({runs} of {full} runs)"


def _defaults(defaults: dict) -> dict:
    """What the verdict sentence says of the defaults' runs: the worst seed per cell
    and length, the runs not yet measured, the runs below the target and where."""
    runs, config = defaults["runs"], defaults["config"]
    return {
        "runs": len(runs),
        "lengths": f"{config['min_len']}-{config['max_len']}",
        "worst": [
            (c, k, min(r["accuracy"][k] for r in runs if r["cell"] == c))
            for c in CELLS
            if any(r["cell"] == c for r in runs)
            for k in TARGET
        ],
        "missing": [
            f"{c.upper()} seed {s}"
            for c in CELLS
            for s in range(defaults["seeds"])
            if not any(r["cell"] == c and r["seed"] == s for r in runs)
        ],
        "misses": [
            {
                "cell": r["cell"],
                "seed": r["seed"],
                "below": [
                    (k, r["accuracy"][k])
                    for k, v in TARGET.items()
                    if r["accuracy"][k] < v
                ],
            }
            for r in runs
            if not meets_target([r])
        ],
        "seconds": [r["seconds"] for r in runs],
    }


def render_tables(results: dict) -> str:
    """Markdown for the chapter (`docs/templates/extrapolation_tables.md.j2`), one
    named section per table or sentence."""
    # an attempt recorded before it held its seeds: as many as its runs show
    attempts = [
        {"seeds": 1 + max((r["seed"] for r in a["runs"]), default=-1), **a}
        for a in results["attempts"]
    ]
    names = [a["name"] for a in attempts]
    rows = [
        [
            f"`{a['name']}`",
            ATTEMPTS[a["name"]][0] if a["name"] in ATTEMPTS else "(no longer defined)",
            *(_setting(a["config"], k) for k in _KNOBS),
            *(_seeds(a, cell, k) for cell in CELLS for k in TARGET),
            f"{sum(r['seconds'] for r in a['runs']) / len(a['runs']):.0f}",
            _met(a),
        ]
        for a in attempts
    ]
    defaults = next((a for a in attempts if a["name"] == "defaults"), None)
    return render(
        "extrapolation_tables.md.j2",
        first=attempts[0],
        samples=SAMPLES,
        rows=rows,
        knobs=_KNOBS,
        cell_lengths=[f"{c.upper()} at {k}" for c in CELLS for k in TARGET],
        unmeasured=[(n, ATTEMPTS[n][0]) for n in ATTEMPTS if n not in names],
        defaults=_defaults(defaults) if defaults is not None else None,
    )


def redraw(json_path: Path | None = None) -> Path:
    """Re-render `extrapolation_tables.md` beside `extrapolation.json` (default: the
    site's); return its path."""
    return redraw_report("extrapolation", render_tables, json_path)[0]
