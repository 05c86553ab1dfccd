"""The ladder's report: the training chapter's tables and figures, from `ladder.json`.

`render_tables` writes the markdown the chapter includes (`ladder_tables.md`, one named
section per table or sentence); `draw_curves` draws mean accuracy against training step
(`ladder.svg`) and `draw_extrapolation` accuracy against test length
(`extrapolation.svg`). `redraw` does all three; `rnn-ref ladder --redraw` and `rnn-ref
regen` call it.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from rnn_ref.experiments.ladder import check_targets
from rnn_ref.rundir import write_output
from rnn_ref.site import paths
from rnn_ref.site.markdown import section, table
from rnn_ref.site.svg import save_svg

__all__ = ["fmt", "render_tables", "draw_curves", "draw_extrapolation", "redraw"]

# the chapter's lessons: each compares these rungs' final accuracy (a section of
# ladder_tables.md)
_LESSONS = {
    "lesson_lr": ["short_rnn16x2", "short_batch64", "short_batch64_lr5e-3"],
    "lesson_depth": ["short_rnn16x2", "short_h32x3"],
    "lesson_warmup": ["short_combined", "short_combined_warmup"],
    "lesson_clip": ["short_combined", "short_combined_clip"],
    "lesson_gated": ["short_combined_warmup", "gru", "lstm"],
}


def _styles(n: int) -> list[dict]:
    """`n` series styles, each different from every other in line style and marker
    alone (not only in colour, which a reader may not tell apart), up to 16."""
    import matplotlib

    lines, markers = ["-", "--", ":", "-."], ["o", "s", "^", "D"]
    # tab10 (its 8th is grey) and two more, so a grey line is not easily repeated
    colors = [*matplotlib.colormaps["tab10"].colors, "#000000", "#6a3d9a"]
    if n > len(lines) * len(markers):
        raise ValueError(f"at most {len(lines) * len(markers)} series; got {n}")
    return [
        {
            "ls": lines[i % len(lines)],
            "marker": markers[i // len(lines)],
            "color": colors[i % len(colors)],
        }
        for i in range(n)
    ]


def _legend_below(ax) -> None:
    """The legend under the axes, off every line, in two columns."""
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        handlelength=3,
        frameon=False,
    )


def draw_curves(results: dict, path: Path) -> None:
    """Mean eval accuracy against training step, one line per rung, each in its own
    line style and marker."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 6))
    ax = fig.subplots()
    rungs = results["rungs"]
    for k, (rung, style) in enumerate(zip(rungs, _styles(len(rungs)), strict=True)):
        curves = [r["curve"] for r in rung["runs"]]
        n = min(len(c) for c in curves)
        steps = [c[0] for c in curves[0][:n]]
        mean = [statistics.fmean(c[i][1] for c in curves) for i in range(n)]
        every = max(1, n // 6)
        ax.plot(
            steps,
            mean,
            label=rung["label"],
            lw=1.4,
            ms=4,
            markevery=(k % every, every),  # markers of different rungs apart
            **style,
        )
    ax.set(
        xlabel="training step",
        ylabel=f"eval accuracy (mean of {results['seeds']} seeds)",
        ylim=(0, 1.02),
    )
    _legend_below(ax)
    ax.grid(alpha=0.3)
    save_svg(fig, path)


def fmt(s: dict, spec: str = ".0f") -> str:
    if s["mean"] is None:
        return f"never (0/{s['of']})"
    text = f"{s['mean']:{spec}} ± {s['sd']:{spec}}"
    return text + ("" if s["reached"] == s["of"] else f" ({s['reached']}/{s['of']})")


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _lens(config: dict) -> str:
    return f"{config['min_len']}-{config['max_len']}"


def render_tables(results: dict) -> str:
    """Markdown for the training chapter, one named section per table or sentence, from
    the JSON alone."""
    rungs = {r["name"]: r for r in results["rungs"]}
    n, seeds = len(results["rungs"]), results["seeds"]
    lines = section(
        "machine",
        [
            f"Measured by `rnn-ref ladder`: {n} rungs, each trained with seeds 0 to "
            f"{seeds - 1} ({n * seeds} runs, {results.get('wall_seconds', '?')} s in "
            f"all) on the CPU ({results['machine']}), torch {results['torch']} with "
            f"{results['threads']} thread{'s' * (results['threads'] != 1)}. Each cell "
            "is the mean ± standard deviation over the seeds; a count such as (1/3) "
            "says how many seeds got there at all. Times are training seconds "
            "(evaluation excluded) on a shared machine (load average "
            f"{results.get('load_average_at_end', '?')} at the end)."
        ],
    )
    short = rungs.get("short_rnn16x2")
    if short:
        c = short["config"]
        lines += section(
            "short_settings",
            [
                "The `short_*` rungs are ours, not the tutorial's configuration: our "
                f"`rnn-ref train` loop with a {c['cell']} network of "
                f"{c['hidden_size']} units × {c['num_layers']} layers (the post's "
                "class defaults; the embedding as wide as the hidden state), batch "
                f"{c['batch_size']}, learning rate {c['lr']}, {c['steps']:,} steps, "
                "our schedule (cosine to zero), then each rung changes what the "
                "tutorial's rung of the same name changes."
            ],
        )
    rows = []
    for r in results["rungs"]:
        s, c = r["summary"], r["config"]
        rows.append(
            [
                f"`{r['name']}`",
                r["label"],
                _lens(c),
                f"{c['steps']:,}",
                fmt(s["final_accuracy"], ".2%"),
                fmt(s["accuracy_2_5"], ".2%"),
                fmt(s["steps_to_99"]),
                fmt(s["seconds_to_99"], ".1f"),
                fmt(s["steps_to_100"]),
                fmt(s["seconds_to_100"], ".1f"),
                fmt(s["seconds"], ".1f"),
            ]
        )
    lines += section(
        "ladder",
        table(
            [
                "rung",
                "what changes",
                "trained on lengths",
                "steps",
                "final accuracy",
                "lengths 2-5 (10,000)",
                "steps to 99 %",
                "s to 99 %",
                "steps to 100 %",
                "s to 100 %",
                "training s",
            ],
            rows,
        ),
    )
    keys = list(results["rungs"][0]["summary"]["by_length"])
    rows = [
        [
            f"`{r['name']}`",
            _lens(r["config"]),
            *(fmt(r["summary"]["by_length"][k], ".1%") for k in keys),
        ]
        for r in results["rungs"]
    ]
    lines += section(
        "extrapolation",
        [
            f"Accuracy on {results['eval_samples_per_length']:,} fresh sequences of "
            "each exact length (chance is 10 %).",
            "",
            *table(
                ["rung", "trained on lengths", *(f"length {k}" for k in keys)], rows
            ),
        ],
    )
    rows = [
        [f"`{r['name']}`", *(_pct(x["final_accuracy"]) for x in r["runs"])]
        for r in results["rungs"]
    ]
    lines += section(
        "seeds",
        table(
            ["rung", *(f"seed {x['seed']}" for x in results["rungs"][0]["runs"])], rows
        ),
    )
    short = [r for r in results["rungs"] if r["config"]["max_len"] <= 5]
    best = (
        max(short, key=lambda r: r["summary"]["by_length"]["10"]["mean"])
        if short
        else None
    )
    tut = rungs.get("short_combined_warmup")
    if tut and best:
        t10 = [x["by_length"]["10"] for x in tut["runs"]]
        t100 = tut["summary"]["by_length"]["100"]["mean"]
        b = best["summary"]["by_length"]
        lines += section(
            "claim",
            [
                f"Our {tut['config']['steps']:,}-step version of the tutorial's final "
                "recipe "
                "(`short_combined_warmup`) scores "
                f"{fmt(tut['summary']['by_length']['10'], '.1%')} at length 10 (its "
                f"best seed {_pct(max(t10))}, its worst {_pct(min(t10))}) and "
                f"{_pct(t100)} at length 100, where chance is 10 %. The best model "
                f"trained on lengths 2-5 at length 10, `{best['name']}`, scores "
                f"{_pct(b['10']['mean'])} there, {_pct(b['20']['mean'])} at length 20 "
                f"and {_pct(b['100']['mean'])} at length 100."
            ],
        )
    wide = [r for r in results["rungs"] if r["config"]["max_len"] > 5]
    if wide:
        lines += section(
            "wide",
            [
                " ".join(
                    f"`{r['name']}` (trained on lengths {_lens(r['config'])}) scores "
                    f"{fmt(r['summary']['by_length']['100'], '.2%')} at length 100 and "
                    f"{fmt(r['summary']['by_length']['1000'], '.2%')} at length 1000, "
                    "worst seed "
                    f"{_pct(min(x['by_length']['1000'] for x in r['runs']))}."
                    for r in wide
                )
            ],
        )
    for lesson, names in _LESSONS.items():
        if all(name in rungs for name in names):
            lines += section(
                lesson,
                [
                    "Final accuracy: "
                    + " → ".join(
                        f"`{name}` "
                        f"{fmt(rungs[name]['summary']['final_accuracy'], '.2%')}"
                        for name in names
                    )
                    + "."
                ],
            )
    rows = [
        [t.split(": ")[0], t.split(": ", 1)[1]]
        for t in results.get("targets", check_targets(results))
    ]
    lines += section(
        "targets",
        table(["target (every seed must meet it)", "rungs that meet it"], rows),
    )
    return "\n".join(lines)


def draw_extrapolation(results: dict, path: Path) -> Path:
    """Accuracy (mean over seeds, bars: sd) against the test length, log x, a line per
    rung, each in its own line style and marker."""
    from matplotlib.figure import Figure

    # white panel: readable in dark mode too
    fig = Figure(figsize=(8, 6), facecolor="white")
    ax = fig.subplots()
    rungs = results["rungs"]
    for style, rung in zip(_styles(len(rungs)), rungs, strict=True):
        by = rung["summary"]["by_length"]
        xs = [int(k) for k in by]
        ax.errorbar(
            xs,
            [by[k]["mean"] for k in by],
            yerr=[by[k]["sd"] for k in by],
            capsize=2,
            ms=3,
            label=f"{rung['name']} (trained on {_lens(rung['config'])})",
            **style,
        )
    ax.axhline(0.1, color="0.5", ls=":", label="chance (10 %)")
    ax.set(
        xscale="log",
        xlabel="test sequence length",
        ylim=(0, 1.02),
        ylabel=f"accuracy (mean ± sd of {results['seeds']} seeds)",
    )
    _legend_below(ax)
    ax.grid(alpha=0.3)
    return save_svg(fig, path)


def redraw(json_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-render ladder_tables.md (beside the JSON) and the two figures from a
    ladder.json.

    Args:
        json_path: default: the site's `docs/assets/results/ladder.json`.
        out_dir: where the figures go; default: the site's `docs/assets/figures/`.
    """
    json_path = json_path or paths.results() / "ladder.json"
    results = json.loads(json_path.read_text())
    tables = json_path.with_name("ladder_tables.md")
    write_output(tables, render_tables(results).encode())
    svg_dir = out_dir or paths.figures()
    draw_curves(results, svg_dir / "ladder.svg")
    return [
        tables,
        svg_dir / "ladder.svg",
        draw_extrapolation(results, svg_dir / "extrapolation.svg"),
    ]
