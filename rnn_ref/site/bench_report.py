"""Render `rnn-ref bench` results: the markdown tables the Performance page includes, and figures.

Both are drawn from the JSON alone, so the committed `docs/assets/results/bench.json` fixes
every number on the page (`tests/site/test_bench_report.py` checks the committed tables against it). The
tables file has named sections (`<!-- --8<-- [start:rnn] -->`) that the page includes one by one.
"""

from __future__ import annotations

import json
from pathlib import Path

from matplotlib.figure import Figure

from rnn_ref.site import paths
from rnn_ref.site.markdown import section, table
from rnn_ref.site.svg import save_svg

__all__ = ["tables_path", "render_tables", "targets", "draw_figures", "redraw"]

_LAYOUTS = ["random_padded", "random_packed", "bucketed_padded", "bucketed_packed"]
_LABELS = {
    "random_padded": "random, padded",
    "random_packed": "random, packed",
    "bucketed_padded": "bucketed, padded",
    "bucketed_packed": "bucketed, packed",
}
_MIXES = {"uniform": "uniform lengths", "heavy_tail": "heavy-tailed lengths"}


def tables_path(json_path: Path) -> Path:
    """`bench.json` -> `bench_tables.md`, next to it."""
    return json_path.with_name(json_path.stem + "_tables.md")


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
                "target": "hoisted reference forward+backward <= 1.0× torch (all three shapes)",
                "measured": ", ".join(_x(v) for v in r),
                "met": all(v <= 1.0 for v in r),
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
                    "target": f"our packed loop forward+backward <= {limit}× {what} (uniform mix)",
                    "measured": ", ".join(f"{m} {_x(v)}" for m, v in r.items()),
                    "met": all(v <= limit for v in r.values()),
                }
            )
    if "training" in results:
        v = results["training"]["mixes"]["heavy_tail"]["variants"]["bucketed_padded"]
        out.append(
            {
                "target": "bucketed (padded) training >= 4× tokens/s of random padded (heavy tail)",
                "measured": _x(v["speedup_vs_random_padded"]),
                "met": v["speedup_vs_random_padded"] >= 4,
            }
        )
        out.append(
            {
                "target": "bucketed padding efficiency >= 0.95 (heavy tail)",
                "measured": f"{v['padding_efficiency']:.3f}",
                "met": v["padding_efficiency"] >= 0.95,
            }
        )
    return out


def render_tables(results: dict) -> str:
    """Markdown for every part present in `results`, one named section per part."""
    m = results["machine"]
    run = "a quick run with small sizes" if results.get("quick") else "the full run"
    threads = f"{m['torch_threads']} thread{'' if m['torch_threads'] == 1 else 's'}"
    lines = section(
        "machine",
        [
            f"Measured by `rnn-ref bench`, {run} ({results.get('elapsed_s', '?')} s), on {m['date']}: "
            f"{m['device_name']}, device `{m['device']}`, {m['cpu_count']} logical cores, torch {m['torch']} "
            f"with {threads}, Python {m['python']}. The machine was shared with other work: load average "
            f"{m['load_average_at_start']} at the start, {m.get('load_average_at_end', '?')} at the end."
        ],
    )
    if "rnn" in results:
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
        lines += section(
            "rnn",
            [
                "Ratios to `nn.RNN` (below 1.00× is faster than torch), torch's median time for context, "
                "and the plain matmul's time divided by each variant's (forward only).",
                "",
                *table(
                    [
                        "(T, N, H_in, H, layers)",
                        "pass",
                        "naive / torch",
                        "hoisted / torch",
                        "torch (ms)",
                        "fraction of matmul FLOP/s: naive / hoisted / torch",
                    ],
                    rows,
                ),
            ],
        )
    if "indexing" in results:
        rows = [
            [
                str(r["T"]),
                _x(r["ratio_to_torch"]["index"]),
                _x(r["ratio_to_torch"]["unbind"]),
                _x(r["index_over_unbind"]),
                _ms(r["median_s"]["torch"]),
            ]
            for r in results["indexing"]
        ]
        r0 = results["indexing"][0]
        lines += section(
            "indexing",
            [
                f"One tanh layer, batch {r0['N']}, input size {r0['H_in']}, hidden size {r0['H']}, forward+backward.",
                "",
                *table(
                    [
                        "T",
                        "`xp[t]` / torch",
                        "`unbind` / torch",
                        "`xp[t]` / `unbind`",
                        "torch (ms)",
                    ],
                    rows,
                ),
            ],
        )
    if "training" in results:
        t, rows = results["training"], []
        for mix, label in _MIXES.items():
            mx = t["mixes"][mix]
            for name in _LAYOUTS:
                v = mx["variants"][name]
                rows.append(
                    [
                        f"{label} (mean {mx['mean_length']:.1f})",
                        _LABELS[name],
                        f"{v['padding_efficiency']:.2f}",
                        f"{v['tokens_per_s']:,.0f}",
                        _x(v["speedup_vs_random_padded"]),
                    ]
                )
        lines += section(
            "training",
            [
                f"GRU, hidden size {t['model']['hidden_size']}, batches of {t['batch_size']}, lengths up to "
                f"{t['max_len']}; an epoch of {t['epoch_batches']} batches per mix, {t['timed_batches']} of them "
                f"timed per plan.",
                "",
                *table(
                    [
                        "length mix",
                        "batches",
                        "padding efficiency",
                        "tokens/s",
                        "speedup vs random padded",
                    ],
                    rows,
                ),
            ],
        )
    if "packed" in results:
        p = results["packed"]
        rows = [
            [
                mode,
                _x(v["ours_over_torch_packed"]),
                _x(v["ours_over_padded"]),
                _x(v["torch_packed_over_padded"]),
                _ms(v["median_s"]["padded"]),
            ]
            for mode, v in p["modes"].items()
        ]
        lines += section(
            "packed",
            [
                f"One batch of {p['N']} sequences, uniform lengths 1..{p['max_len']}, input size {p['H_in']}, hidden "
                f"size {p['H']}, forward+backward.",
                "",
                *table(
                    [
                        "mode",
                        "ours / torch packed",
                        "ours / padded",
                        "torch packed / padded",
                        "padded (ms)",
                    ],
                    rows,
                ),
            ],
        )
    if "scan" in results:
        rows = [
            [
                f"{r['T']:,}",
                _ms(r["median_s"]["loop"]) if "loop" in r["median_s"] else "not run",
                _ms(r["median_s"]["scan"]),
                _x(r["loop_over_scan"]) if "loop_over_scan" in r else "",
            ]
            for r in results["scan"]
        ]
        lines += section(
            "scan",
            [
                f"{results['scan'][0]['D']} channels, float32, forward.",
                "",
                *table(["T", "loop (ms)", "scan (ms)", "loop / scan"], rows),
            ],
        )
    rows = [
        [t["target"], t["measured"], "met" if t["met"] else "**not met**"]
        for t in targets(results)
    ]
    lines += section("targets", table(["target", "measured", ""], rows))
    return "\n".join(lines)


def _figure(width: float, height: float, ncols: int = 1):
    fig = Figure(
        figsize=(width, height), facecolor="white"
    )  # white panel: readable in dark mode too
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def draw_figures(results: dict, out_dir: Path | None = None) -> list[Path]:
    """Draw bench_padding.svg and scan_sweep.svg (where those parts are present).

    `out_dir` defaults to the site's `docs/assets/figures/`.
    """
    out_dir = out_dir or paths.figures()
    written = []
    if "training" in results:
        fig, axes = _figure(8.0, 3.4, ncols=2)
        colors = ["#cf222e", "#bc4c00", "#0969da", "#1a7f37"]
        for ax, (mix, label) in zip(axes, _MIXES.items()):
            variants = results["training"]["mixes"][mix]["variants"]
            values = [variants[n]["tokens_per_s"] for n in _LAYOUTS]
            bars = ax.bar(range(4), values, color=colors)
            for bar, n in zip(bars, _LAYOUTS):
                ax.annotate(
                    f"eff {variants[n]['padding_efficiency']:.2f}",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
            ax.set_xticks(
                range(4), [_LABELS[n].replace(", ", "\n") for n in _LAYOUTS], fontsize=8
            )
            ax.set_title(label, fontsize=10)
            ax.set_ylim(0, max(values) * 1.15)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].set_ylabel("training tokens/s (higher is better)")
        fig.suptitle(
            "GRU classifier training step: padded vs packed vs bucketed", fontsize=11
        )
        fig.tight_layout()
        written.append(save_svg(fig, out_dir / "bench_padding.svg"))
    if "scan" in results:
        fig, (ax,) = _figure(5.5, 3.6)
        rows = results["scan"]
        loop = [
            (r["T"], r["median_s"]["loop"]) for r in rows if "loop" in r["median_s"]
        ]
        ax.loglog(
            [T for T, _ in loop],
            [s * 1e3 for _, s in loop],
            "o-",
            color="#cf222e",
            label="loop (T steps)",
        )
        ax.loglog(
            [r["T"] for r in rows],
            [r["median_s"]["scan"] * 1e3 for r in rows],
            "s-",
            color="#0969da",
            label="parallel scan (log2 T rounds)",
        )
        ax.set_xlabel("sequence length T")
        ax.set_ylabel("forward time (ms)")
        ax.set_title(f"h_t = a_t * h_(t-1) + b_t, {rows[0]['D']} channels", fontsize=10)
        ax.grid(True, which="major", color="#d0d7de", linewidth=0.6)
        ax.legend(frameon=False)
        fig.tight_layout()
        written.append(save_svg(fig, out_dir / "scan_sweep.svg"))
    return written


def redraw(json_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-render the tables (beside the JSON) and the figures from a bench.json; measure nothing."""
    json_path = json_path or paths.results() / "bench.json"
    results = json.loads(json_path.read_text())
    tables = tables_path(json_path)
    tables.write_text(render_tables(results))
    return [tables, *draw_figures(results, out_dir)]
