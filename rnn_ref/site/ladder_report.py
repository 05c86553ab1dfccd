"""The ladder's report: the training chapter's tables and figures, from `ladder.json`.

`render_tables` writes the markdown the chapter includes (`ladder_tables.md`, one named
section per table or sentence); `draw_curves` draws mean accuracy against training step
(`ladder.svg`) and `draw_extrapolation` accuracy against test length
(`extrapolation.svg`). `redraw` does all three; `rnn-ref ladder --redraw` and `rnn-ref
regen` call it.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from rnn_ref.config import TrainConfig
from rnn_ref.experiments.ladder_rungs import check_targets, rung_label
from rnn_ref.site.svg import save_svg
from rnn_ref.site.templates import redraw_report, render

__all__ = [
    "fmt",
    "summary_cells",
    "render_tables",
    "draw_curves",
    "draw_extrapolation",
    "redraw",
]

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


def _rung_figure(results: dict, path: Path, plot, chance_line=False, **axes) -> Path:
    """A line per rung, `plot(ax, k, rung, style)` each in its own style and labelled
    with its name, accuracy from 0 to 1 up the side, the legend under the axes (off
    every line)."""
    from matplotlib.figure import Figure

    # white panel: readable in dark mode too
    fig = Figure(figsize=(8, 6), facecolor="white")
    ax = fig.subplots()
    rungs = results["rungs"]
    for k, (rung, style) in enumerate(zip(rungs, _styles(len(rungs)), strict=True)):
        # the rung's name, as the tables call it (they say what it changes)
        label = f"{rung['name']} (trained on {_lens(rung['config'])})"
        plot(ax, k, rung, {**style, "label": label})
    if chance_line:
        p = chance(results)
        ax.axhline(p, color="0.5", ls=":", label=f"chance ({p * 100:.0f} %)")
    ax.set(ylim=(0, 1.02), **axes)
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        handlelength=3,
        frameon=False,
    )
    ax.grid(alpha=0.3)
    return save_svg(fig, path)


def _curve(ax, k: int, rung: dict, style: dict) -> None:
    curves = [r["curve"] for r in rung["runs"]]
    n = min(len(c) for c in curves)
    steps = [c[0] for c in curves[0][:n]]
    mean = [statistics.fmean(c[i][1] for c in curves) for i in range(n)]
    every = max(1, n // 6)
    # markers of different rungs apart
    ax.plot(steps, mean, lw=1.4, ms=4, markevery=(k % every, every), **style)


def draw_curves(results: dict, path: Path) -> Path:
    """Mean eval accuracy against training step, one line per rung, each in its own
    line style and marker."""
    ylabel = f"eval accuracy (mean of {results['seeds']} seeds)"
    return _rung_figure(results, path, _curve, xlabel="training step", ylabel=ylabel)


def _by_length(ax, k: int, rung: dict, style: dict) -> None:
    by = rung["summary"]["by_length"]
    ax.errorbar(
        [int(n) for n in by],
        [by[n]["mean"] for n in by],
        yerr=[by[n]["sd"] for n in by],
        capsize=2,
        ms=3,
        **style,
    )


def draw_extrapolation(results: dict, path: Path) -> Path:
    """Accuracy (mean over seeds, bars: sd) against the test length, log x, a line per
    rung, each in its own line style and marker."""
    ylabel = f"accuracy (mean ± sd of {results['seeds']} seeds)"
    xlabel = "test sequence length"
    return _rung_figure(
        results, path, _by_length, True, xscale="log", xlabel=xlabel, ylabel=ylabel
    )


def fmt(s: dict, spec: str = ".0f") -> str:
    if s["mean"] is None:
        return f"never (0/{s['of']})"
    text = f"{s['mean']:{spec}} ± {s['sd']:{spec}}"
    return text + ("" if s["reached"] == s["of"] else f" ({s['reached']}/{s['of']})")


def _lens(config: dict) -> str:
    return f"{config['min_len']}-{config['max_len']}"


def _task(results: dict) -> dict:
    """The task's digits and modulus (the rungs' own, else `TrainConfig`'s)."""
    config = results["rungs"][0]["config"]
    return {
        "digits": config.get("num_digits", TrainConfig.num_digits),
        "modulus": config.get("modulus", TrainConfig.modulus),
    }


def chance(results: dict) -> float:
    """Accuracy of a uniform guess: one over the task's modulus."""
    return 1 / _task(results)["modulus"]


def render_tables(results: dict) -> str:
    """Markdown for the training chapter (`docs/templates/ladder_tables.md.j2`), one
    named section per table or sentence, from the JSON alone."""
    rungs = {r["name"]: r for r in results["rungs"]}
    test = results["short_test"]
    short = [r for r in results["rungs"] if r["config"]["max_len"] <= test["max_len"]]
    return render(
        "ladder_tables.md.j2",
        results=results,
        rungs=rungs,
        length_keys=list(results["rungs"][0]["summary"]["by_length"]),
        test=test,
        task=_task(results),
        possible=sum(
            _task(results)["digits"] ** n
            for n in range(test["min_len"], test["max_len"] + 1)
        ),
        chance=chance(results),
        short=rungs["short_rnn16x2"]["config"] if "short_rnn16x2" in rungs else None,
        tut=rungs.get("short_combined_warmup"),
        best=max(short, key=lambda r: r["summary"]["by_length"]["10"]["mean"])
        if short
        else None,
        wide=[r for r in results["rungs"] if r["config"]["max_len"] > test["max_len"]],
        lessons={
            lesson: names
            for lesson, names in _LESSONS.items()
            if all(name in rungs for name in names)
        },
        targets=check_targets(results),
        label=rung_label,
        fmt=fmt,
        summary_cells=summary_cells,
        lens=_lens,
    )


def summary_cells(s: dict) -> list[str]:
    """A rung summary's accuracies and the steps and seconds to 99 % and 100 %, as the
    ladder table and `rnn-ref ladder`'s printout show them."""
    return [
        fmt(s["final_accuracy"], ".2%"),
        fmt(s["accuracy_2_5"], ".2%"),
        fmt(s["steps_to_99"]),
        fmt(s["seconds_to_99"], ".1f"),
        fmt(s["steps_to_100"]),
        fmt(s["seconds_to_100"], ".1f"),
    ]


def redraw(json_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-render ladder_tables.md (beside the JSON, default the site's ladder.json)
    and the two figures (into `out_dir`, default the site's)."""
    figures = {"ladder.svg": draw_curves, "extrapolation.svg": draw_extrapolation}
    return redraw_report("ladder", render_tables, json_path, figures, out_dir)
