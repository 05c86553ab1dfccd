"""The tutorial's ladder, reproduced: tables and figures from `tutorial.json`.

`render_tables` prepares the data of `docs/templates/tutorial_tables.md.j2` (the
training chapter's sentences and verdict table): the script's settings, each rung's
runs, what the post reports (from `rnn_ref.experiments.tutorial.RUNGS`) and the verdict
(`rnn_ref.experiments.tutorial_verdicts`). `draw_loss` plots the training loss of every
seed of every rung (`tutorial_loss.svg`), `draw_accuracy` the evaluation accuracy
(`tutorial_accuracy.svg`). `redraw` does all three; `rnn-ref ladder --tutorial --redraw`
and `rnn-ref regen` call it.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

from rnn_ref.experiments.tutorial import EVAL_SAMPLES, RUNGS, TutorialArgs, build_model
from rnn_ref.experiments.tutorial_overlap import training_overlap
from rnn_ref.experiments.tutorial_verdicts import (
    CHANCE_TOL,
    CONVERGED,
    RULES,
    at_chance,
    verdict,
    with_rules,
)
from rnn_ref.site.svg import save_svg
from rnn_ref.site.templates import redraw_report, render

__all__ = ["LESSONS", "render_tables", "draw_loss", "draw_accuracy", "redraw"]

SMOOTH = 10  # the loss line: a running mean over 10 points of 50 steps (500 steps)

# the lessons of the chapter: each compares these rungs (a section of the tables file)
LESSONS = {
    "tutorial_lesson_batch": ["baseline", "batch64"],
    "tutorial_lesson_lr": ["baseline", "control_lr5e-3", "batch64_lr5e-3"],
    "tutorial_lesson_model": ["baseline", "h32x3"],
    "tutorial_lesson_warmup": ["combined", "combined_warmup"],
    "tutorial_lesson_gated": ["control_rnn64_clip"],
}


def _pct(values: list[float], spec: str) -> str:
    """Mean ± sd in percent, then every value: `75.2 ± 3.1 (71, 78)`; one value has
    no spread to show: `75.2 (one seed)`."""
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0] * 100:.1f} (one seed)"
    sd = statistics.stdev(values)
    each = ", ".join(f"{v * 100:{spec}}" for v in values)
    return f"{statistics.fmean(values) * 100:.1f} ± {sd * 100:.1f} ({each})"


def _flags(args: dict) -> str:
    """The script's flags as code, the rest as words."""
    script, _, extra = TutorialArgs(**args).flags().partition(" + ")
    text = f"`{script}`" if script.startswith("--") else script
    return text + (f" + {extra}" if extra else "")


def _rung(rung: dict, rungs: dict[str, dict]) -> dict:
    """What the verdict table and the lessons say of a rung: its mean final accuracy,
    how many seeds converged, how many ended at chance, its flags, the post's figure,
    both accuracies of every seed, the verdict."""
    runs, args = rung["runs"], TutorialArgs(**rung["args"])
    post = RUNGS.get(rung["name"])
    return {
        "mean": statistics.fmean(x["final_10k"] for x in runs) if runs else None,
        "converged": sum(x["final_10k"] >= CONVERGED for x in runs),
        "at_chance": sum(at_chance(x, args) for x in runs),
        "seeds": len(runs),
        "flags": _flags(rung["args"]),
        "reported": post.reported if post and post.reported else "(not in the post)",
        "a100": _pct([x["final_100"] for x in runs], ".0f"),
        "a10k": _pct([x["final_10k"] for x in runs], ".1f"),
        "verdict": verdict(rung, rungs),
    }


def render_tables(results: dict) -> str:
    """Markdown for the training chapter (`docs/templates/tutorial_tables.md.j2`), one
    named section per table or sentence."""
    rungs = with_rules(results)
    a = TutorialArgs()
    rules = [
        {"rungs": [n for n, r in rungs.items() if r["rule"] == rule], "text": text}
        for rule, text in RULES.items()
        if any(r["rule"] == rule for r in rungs.values())
    ]
    return render(
        "tutorial_tables.md.j2",
        a=a,
        classes=a.max_number + 1,
        params=sum(p.numel() for p in build_model(a).parameters()),
        eval_every_samples=EVAL_SAMPLES,
        results=results,
        seed_counts=sorted({len(r["runs"]) for r in results["rungs"]}),
        runs=sum(len(r["runs"]) for r in results["rungs"]),
        rules=rules,
        one_seed=any(len(r["runs"]) < 2 for r in rungs.values()),
        rungs={n: _rung(r, rungs) for n, r in rungs.items()},
        missing={
            lesson: [n for n in names if not rungs.get(n, {}).get("runs")]
            for lesson, names in LESSONS.items()
        },
        converged=CONVERGED,
        chance_tol=CHANCE_TOL,
        chance_loss=math.log(a.max_number + 1),
        overlap=_overlap(results),
    )


def _overlap(results: dict) -> list[dict]:
    """The first seed's training stream against our evaluation set, once per batch
    size among the rungs (a stream depends on seed, batch size, steps, evaluations)."""
    seed = min((run["seed"] for r in results["rungs"] for run in r["runs"]), default=0)
    configs = {}
    for rung in results["rungs"]:
        args = TutorialArgs(**rung["args"])
        configs.setdefault((args.batch_size, args.total_steps, args.eval_every), args)
    return [
        {"batch_size": args.batch_size, "seed": seed, **training_overlap(args, seed)}
        for _, args in sorted(configs.items())
    ]


def _panels(results: dict, path: Path, draw_run, ylim, ylabel: str, legend: str):
    """A panel per rung, two across, `draw_run(ax, run, colour)` for each seed in it;
    steps on the shared x axis in thousands."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    rungs = results["rungs"]
    colors = matplotlib.colormaps["tab10"].colors
    total = rungs[0]["args"]["total_steps"]
    with matplotlib.rc_context({"font.size": 11}):
        rows = (len(rungs) + 1) // 2
        fig = Figure(figsize=(8, 2.3 * rows), facecolor="white")
        axes = list(fig.subplots(rows, 2, sharex=True, sharey=True).flat)
        for ax in axes:
            ax.xaxis.set_major_locator(MultipleLocator(max(1, total // 4)))
            ax.xaxis.set_major_formatter(
                FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x else "0")
            )
        for ax, rung in zip(axes, rungs, strict=False):
            for color, run in zip(colors, rung["runs"], strict=False):
                draw_run(ax, run, color)
            ax.set_title(rung["name"], fontsize=11)
            ax.set_ylim(*ylim)
            ax.grid(alpha=0.3)
        for ax in axes:
            if not ax.has_data():
                ax.set_visible(False)
        fig.supxlabel("training step", fontsize=11)
        fig.supylabel(ylabel, fontsize=11)
        fig.axes[0].legend(fontsize=11, ncols=2, loc=legend)
        fig.tight_layout()
    return save_svg(fig, path)


def _loss(ax, run: dict, color) -> None:
    loss = run["loss"]
    steps = [(i + 1) * loss["every"] for i in range(len(loss["mean"]))]
    # every step's loss lies in the band: each 50 steps' min to max
    ax.fill_between(steps, loss["min"], loss["max"], color=color, alpha=0.15, lw=0)
    smooth = [
        statistics.fmean(loss["mean"][max(0, i - SMOOTH + 1) : i + 1])
        for i in range(len(loss["mean"]))
    ]
    ax.plot(steps, smooth, color=color, lw=1.4, label=f"seed {run['seed']}")


def _accuracy(ax, run: dict, color) -> None:
    steps, a100, a10k = zip(*run["evals"], strict=True)
    ax.plot(steps, a100, "o", color=color, ms=2.5, alpha=0.5)
    ax.plot(steps, a10k, color=color, lw=1.4, label=f"seed {run['seed']}")


def draw_loss(results: dict, path: Path) -> Path:
    """Training loss against step, a panel per rung, a colour per seed: faint, the
    band from each 50 steps' lowest to highest loss; solid, a running mean over 500
    steps."""
    ylabel = "training loss (cross-entropy)"
    return _panels(results, path, _loss, (0, 2.6), ylabel, "lower left")


def draw_accuracy(results: dict, path: Path) -> Path:
    """Evaluation accuracy against step, a panel per rung, a colour per seed: the
    script's 100-sample figure as dots, our 10,000-sample one as a line."""
    ylabel = (
        f"accuracy (dots: {results['eval_samples']} fresh samples, line: "
        f"{results['test_samples']:,} fixed)"
    )
    return _panels(results, path, _accuracy, (0, 1.02), ylabel, "upper left")


def redraw(json_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-render `tutorial_tables.md` (beside the JSON, default the site's
    `tutorial.json`) and the two figures (into `out_dir`, default the site's)."""
    figures = {"tutorial_loss.svg": draw_loss, "tutorial_accuracy.svg": draw_accuracy}
    return redraw_report("tutorial", render_tables, json_path, figures, out_dir)
