"""Render `rnn-ref bench` results: the tables the Performance page includes, figures.

Both are drawn from the JSON alone, so the committed `docs/assets/results/bench.json`
fixes every number on the page (`tests/site/test_bench_report.py` checks the committed
tables against it). The tables (`rnn_ref.site.bench_tables`) have named sections
(`<!-- --8<-- [start:rnn] -->`) that the page includes one by one.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from rnn_ref.rundir import load_json, write_output
from rnn_ref.site import paths
from rnn_ref.site.bench_tables import LABELS, LAYOUTS, MIXES, render_tables, targets
from rnn_ref.site.svg import save_svg

__all__ = ["tables_path", "render_tables", "targets", "draw_figures", "redraw"]


def tables_path(json_path: Path) -> Path:
    """`bench.json` -> `bench_tables.md`, next to it."""
    return json_path.with_name(json_path.stem + "_tables.md")


def _figure(width: float, height: float, ncols: int = 1):
    # white panel: readable in dark mode too
    fig = Figure(figsize=(width, height), facecolor="white")
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
        for ax, (mix, label) in zip(axes, MIXES.items(), strict=True):
            variants = results["training"]["mixes"][mix]["variants"]
            values = [variants[n]["tokens_per_s"] for n in LAYOUTS]
            bars = ax.bar(range(4), values, color=colors)
            for bar, n in zip(bars, LAYOUTS, strict=True):
                ax.annotate(
                    f"eff {variants[n]['padding_efficiency']:.2f}",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
            ax.set_xticks(
                range(4), [LABELS[n].replace(", ", "\n") for n in LAYOUTS], fontsize=8
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
    """Re-render the tables (beside the JSON) and the figures from a bench.json; measure
    nothing."""
    json_path = json_path or paths.results() / "bench.json"
    results = load_json(json_path.read_text())
    tables = tables_path(json_path)
    write_output(tables, render_tables(results).encode())
    return [tables, *draw_figures(results, out_dir)]
