"""The data of the `rnn-ref bench` tables and sentences, which the Performance page
includes.

`render_tables` fills `docs/templates/bench_tables.md.j2` (one named section per table
or sentence, `<!-- --8<-- [start:rnn] -->`) from the results JSON alone: the cells of
the larger tables and the issue's targets, each with whether it was met. The template
writes the rest. `rnn_ref.site.bench_report` writes the file and draws the figures.
"""

from __future__ import annotations

from rnn_ref.site.templates import render

__all__ = ["LAYOUTS", "LABELS", "MIXES", "targets", "render_tables"]

# the training part's variants, in the order tables and figures show them
LAYOUTS = ["random_padded", "random_packed", "bucketed_padded", "bucketed_packed"]
LABELS = {
    "random_padded": "random, padded",
    "random_packed": "random, packed",
    "bucketed_padded": "bucketed, padded",
    "bucketed_packed": "bucketed, packed",
}
MIXES = {"uniform": "uniform lengths", "heavy_tail": "heavy-tailed lengths"}


def _x(r: float) -> str:
    return f"{r:.2f}×"


def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def targets(results: dict) -> list[dict]:
    """The issue's targets, each with what was measured and whether it was met."""
    out = []
    if "rnn" in results:
        r = [
            row["forward_backward"]["ratio_to_torch"]["hoisted"]
            for row in results["rnn"]
        ]
        out.append(
            {
                "target": (
                    "hoisted reference forward+backward <= 1.0× torch "
                    "(all three shapes)"
                ),
                "measured": ", ".join(_x(v) for v in r),
                "met": all(v <= 1.0 for v in r),
                "part": "rnn",
            }
        )
    if "packed" in results:
        modes = results["packed"]["modes"]
        for key, limit, what in (
            ("ours_over_torch_packed", 0.5, "torch's packed path"),
            ("ours_over_padded", 1.0, "padded"),
        ):
            r = {m: v[key] for m, v in modes.items()}
            out.append(
                {
                    "target": (
                        f"our packed loop forward+backward <= {limit}× {what} "
                        "(uniform mix)"
                    ),
                    "measured": ", ".join(f"{m} {_x(v)}" for m, v in r.items()),
                    "met": all(v <= limit for v in r.values()),
                    "part": "packed",
                }
            )
    if results.get("compile"):
        out.append(_compile_target(results["compile"]))
    if "training" in results:
        v = results["training"]["mixes"]["heavy_tail"]["variants"]["bucketed_padded"]
        out.append(
            {
                "target": (
                    "bucketed (padded) training >= 4× tokens/s of random padded "
                    "(heavy tail)"
                ),
                "measured": _x(v["speedup_vs_random_padded"]),
                "met": v["speedup_vs_random_padded"] >= 4,
                "part": "training",
            }
        )
        out.append(
            {
                "target": "bucketed padding efficiency >= 0.95 (heavy tail)",
                "measured": f"{v['padding_efficiency']:.3f}",
                "met": v["padding_efficiency"] >= 0.95,
                "part": "training",
            }
        )
    return out


def _compile_target(rows: list[dict]) -> dict:
    """Compiled forward+backward <= 0.8× `nn.RNN` on 2 of 3 shapes, taking the faster
    of the two compiled variants of each shape."""
    names = {"step": "step only", "whole": "whole loop"}
    best = [
        min((r[k], names[k]) for k in names if k in r)
        for r in (row["ratio_to_torch"] for row in rows)
    ]
    return {
        "target": (
            "compiled reference forward+backward <= 0.8× torch (at least 2 of the "
            "3 shapes, the faster of whole loop and step only)"
        ),
        "measured": ", ".join(f"{v:.2f}× ({name})" for v, name in best),
        "met": sum(v <= 0.8 for v, _ in best) >= 2,
        "part": "compile",
    }


def _rnn_rows(results: dict) -> list[list[str]]:
    rows = []
    for row in results["rnn"]:
        s = row["shape"]
        shape = f"({s['T']}, {s['N']}, {s['H_in']}, {s['H']}, {s['layers']})"
        f, fb = row["forward"], row["forward_backward"]
        rows.append(
            [
                shape,
                "forward",
                _x(f["ratio_to_torch"]["naive"]),
                _x(f["ratio_to_torch"]["hoisted"]),
                _ms(f["median_s"]["torch"]),
                " / ".join(
                    f"{f['fraction_of_matmul'][k]:.2f}"
                    for k in ("naive", "hoisted", "torch")
                ),
            ]
        )
        rows.append(
            [
                shape,
                "forward+backward",
                _x(fb["ratio_to_torch"]["naive"]),
                _x(fb["ratio_to_torch"]["hoisted"]),
                _ms(fb["median_s"]["torch"]),
                "",
            ]
        )
    return rows


def _training_rows(t: dict) -> list[list[str]]:
    rows = []
    for mix, label in MIXES.items():
        mx = t["mixes"][mix]
        for name in LAYOUTS:
            v = mx["variants"][name]
            rows.append(
                [
                    f"{label} (mean {mx['mean_length']:.1f})",
                    LABELS[name],
                    f"{v['padding_efficiency']:.2f}",
                    f"{v['tokens_per_s']:,.0f}",
                    _x(v["speedup_vs_random_padded"]),
                ]
            )
    return rows


_ROWS = {
    "rnn": _rnn_rows,
    "indexing": lambda results: [
        [
            str(r["T"]),
            _x(r["ratio_to_torch"]["index"]),
            _x(r["ratio_to_torch"]["unbind"]),
            _x(r["index_over_unbind"]),
            _ms(r["median_s"]["torch"]),
        ]
        for r in results["indexing"]
    ],
    "training": lambda results: _training_rows(results["training"]),
    "packed": lambda results: [
        [
            mode,
            _x(v["ours_over_torch_packed"]),
            _x(v["ours_over_padded"]),
            _x(v["torch_packed_over_padded"]),
            _ms(v["median_s"]["padded"]),
        ]
        for mode, v in results["packed"]["modes"].items()
    ],
    "scan": lambda results: [
        [
            f"{r['T']:,}",
            _ms(r["median_s"]["loop"]) if "loop" in r["median_s"] else "not run",
            _ms(r["median_s"]["scan"]),
            _x(r["loop_over_scan"]) if "loop_over_scan" in r else "",
        ]
        for r in results["scan"]
    ],
}


def render_tables(results: dict) -> str:
    """Markdown for every part present in `results`, one named section per table or
    sentence (`docs/templates/bench_tables.md.j2`)."""
    return render(
        "bench_tables.md.j2",
        results=results,
        m=results["machine"],
        rows={part: make(results) for part, make in _ROWS.items() if part in results},
        targets=targets(results),
        labels=LABELS,
    )
