"""The tutorial's ladder, reproduced: tables and figures from `tutorial.json`.

`render_tables` writes the markdown the training chapter includes
(`tutorial_tables.md`, one named section per table or sentence): the script's settings
(from `rnn_ref.experiments.tutorial`), how the runs were measured, and the verdict table
(the post's figure beside ours, per rung, with the rule that decides it).
`draw_loss` plots the training loss of every seed of every rung (`tutorial_loss.svg`),
`draw_accuracy` the evaluation accuracy (`tutorial_accuracy.svg`). `redraw` does all
three; `rnn-ref ladder --tutorial --redraw` and `rnn-ref regen` call it.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

from rnn_ref.experiments.tutorial import EVAL_SAMPLES, TutorialArgs, build_model
from rnn_ref.experiments.tutorial_verdicts import CONVERGED, RULES, verdict
from rnn_ref.rundir import write_output
from rnn_ref.site import paths
from rnn_ref.site.markdown import section, table
from rnn_ref.site.svg import save_svg

__all__ = ["render_tables", "draw_loss", "draw_accuracy", "redraw"]

SMOOTH = 10  # the loss line: a running mean over 10 points of 50 steps (500 steps)


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


def _flags(flags: str) -> str:
    """The script's flags as code, the rest as words."""
    script, _, extra = flags.partition(" + ")
    text = f"`{script}`" if script.startswith("--") else script
    return text + (f" + {extra}" if extra else "")


def _settings() -> list[str]:
    a = TutorialArgs()
    params = sum(p.numel() for p in build_model(a).parameters())
    return [
        f"Digits 0–{a.max_number}, target the sum mod {a.max_number + 1}, lengths "
        f"{a.min_seq_len}–{a.max_seq_len}; `nn.Embedding({a.max_number + 2}, "
        f"{a.embed_dim}, padding_idx=-1)` (the pad id is {a.max_number + 1}), "
        f"`nn.RNN({a.embed_dim}, {a.hidden_dim}, num_layers={a.num_layers}, "
        f"batch_first=True)` (tanh) on the packed batch, `nn.Linear({a.hidden_dim}, "
        f"{a.max_number + 1})` on `h_n[-1]`: {params} parameters. Adam at lr {a.lr}, "
        f"batch {a.batch_size}, {a.total_steps:,} steps, `CosineAnnealingLR(T_max="
        f"{a.total_steps}, eta_min={a.min_lr})`; `--warmup_step W` puts "
        "`LinearLR(start_factor=0.01, total_iters=W)` before it with `SequentialLR`, "
        "and the cosine then starts at step W but keeps "
        f"`T_max={a.total_steps}`. Every {a.eval_every} steps: accuracy on "
        f"{EVAL_SAMPLES} fresh random samples."
    ]


def render_tables(results: dict) -> str:
    """Markdown for the training chapter, one named section per table or sentence."""
    rungs = {r["name"]: r for r in results["rungs"]}
    n = len(results["rungs"])
    counts = sorted({len(r["runs"]) for r in results["rungs"]})
    seeds = "/".join(map(str, counts))
    lines = section("tutorial_settings", _settings())
    runs = sum(len(r["runs"]) for r in rungs.values())
    threads = f"{results['threads']} thread{'s' * (results['threads'] != 1)}"
    lines += section(
        "tutorial_machine",
        [
            f"Measured by `rnn-ref ladder --tutorial`: {n} rungs, {seeds} "
            f"seed{'s' * (counts != [1])} each "
            f"({runs} runs), "
            f"{results.get('wall_seconds', 0) / 60:.0f} minutes in all on the CPU "
            f"({results['machine']}), torch {results['torch']}, {threads}, shared "
            f"with other work (load average {results.get('load_average_at_end', '?')} "
            "at the end). Each accuracy is the final one (step "
            f"{results['rungs'][0]['args']['total_steps']:,}): the script's own "
            f"evaluation on {results['eval_samples']} fresh samples, and ours on "
            f"{results['test_samples']:,} fixed held-out sequences; mean ± sd in "
            "percent, then every seed."
        ],
    )
    rows = [
        [
            f"`{r['name']}`",
            _flags(TutorialArgs(**r["args"]).flags()),
            r["reported"] or "(not in the post)",
            _pct([x["final_100"] for x in r["runs"]], ".0f"),
            _pct([x["final_10k"] for x in r["runs"]], ".1f"),
            verdict(r, rungs),
        ]
        for r in results["rungs"]
    ]
    used = [rule for rule in RULES if any(r["rule"] == rule for r in rungs.values())]
    lines += section(
        "tutorial_verdicts",
        [
            *table(
                [
                    "rung",
                    "the script's flags",
                    "the post reports",
                    f"{results['eval_samples']}-sample accuracy, %",
                    f"{results['test_samples']:,}-sample accuracy, %",
                    "verdict",
                ],
                rows,
            ),
            "",
            "A seed counts for the post's figure when its "
            f"{results['test_samples']:,}-sample accuracy meets the rung's rule: "
            + "; ".join(
                f"{', '.join(f'`{r}`' for r in rungs if rungs[r]['rule'] == rule)}: "
                f"{RULES[rule]}"
                for rule in used
            )
            + ". Every seed counts: reproduced; none: not reproduced; else reproduced "
            "on k of n seeds, except where the post says every run converged: there a "
            "split is not reproduced. "
            + (
                "A verdict on one seed is one run, marked as such, and a split cannot "
                "be tested on fewer than two. "
                if any(len(r["runs"]) < 2 for r in rungs.values())
                else ""
            )
            + "The controls (no figure in the post) get no verdict.",
        ],
    )
    lines += _lessons(rungs)
    return "\n".join(lines)


def _mean(rung: dict) -> float:
    return statistics.fmean(x["final_10k"] for x in rung["runs"])


def _said(rung: dict, flags: bool = False) -> str:
    """`name` 71.3 % (3 of 5 seeds ≥ 99 %); with `flags`, its settings after it."""
    k = sum(x["final_10k"] >= CONVERGED for x in rung["runs"])
    how = f" ({_flags(TutorialArgs(**rung['args']).flags())})" if flags else ""
    return (
        f"`{rung['name']}`{how} {_mean(rung):.1%} ({k} of {len(rung['runs'])} seeds "
        f"≥ {CONVERGED:.0%})"
    )


def _compare(a: dict, b: dict) -> str:
    """How `a`'s mean final accuracy compares with `b`'s, in words."""
    d = _mean(a) - _mean(b)
    return "about the same as" if abs(d) < 0.02 else "above" if d > 0 else "below"


CHANCE_TOL = 0.01  # a loss this close to ln 10 is a uniform guess over 10 classes


def at_chance(run: dict) -> bool:
    """Whether a run's loss ends at chance: its last 50 steps' mean within `CHANCE_TOL`
    of ln 10."""
    return abs(run["loss"]["mean"][-1] - math.log(10)) <= CHANCE_TOL


def _lessons(rungs: dict[str, dict]) -> list[str]:
    """One sentence per lesson, its numbers and comparisons computed from the JSON."""
    lines: list[str] = []
    need = {
        "tutorial_lesson_batch": ["baseline", "batch64"],
        "tutorial_lesson_lr": ["baseline", "control_lr5e-3", "batch64_lr5e-3"],
        "tutorial_lesson_model": ["baseline", "h32x3"],
        "tutorial_lesson_warmup": ["combined", "combined_warmup"],
        "tutorial_lesson_gated": ["control_rnn64_clip"],
    }
    have = {
        k
        for k, names in need.items()
        if all(n in rungs and rungs[n]["runs"] for n in names)
    }
    for k in [k for k in need if k not in have]:
        missing = [f"`{n}`" for n in need[k] if not rungs.get(n, {}).get("runs")]
        lines += section(
            k,
            [
                f"Not measured yet: {', '.join(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no runs in tutorial.json."
            ],
        )
    r = rungs.get
    if "tutorial_lesson_batch" in have:
        lines += section(
            "tutorial_lesson_batch",
            [
                f"Final accuracy: {_said(r('batch64'))}, "
                f"{_compare(r('batch64'), r('baseline'))} {_said(r('baseline'))}."
            ],
        )
    if "tutorial_lesson_lr" in have:
        lines += section(
            "tutorial_lesson_lr",
            [
                f"Final accuracy: {_said(r('control_lr5e-3'), True)} with the learning "
                f"rate alone, {_compare(r('control_lr5e-3'), r('batch64_lr5e-3'))} "
                f"{_said(r('batch64_lr5e-3'))} with the bigger batch too; the "
                f"baseline: {_said(r('baseline'))}."
            ],
        )
    if "tutorial_lesson_model" in have:
        lines += section(
            "tutorial_lesson_model",
            [
                f"Final accuracy: {_said(r('h32x3'))}, "
                f"{_compare(r('h32x3'), r('baseline'))} {_said(r('baseline'))}."
            ],
        )
    if "tutorial_lesson_warmup" in have:
        stuck = {n: sum(map(at_chance, rungs[n]["runs"])) for n in rungs}
        lines += section(
            "tutorial_lesson_warmup",
            [
                f"Final accuracy: {_said(r('combined'))}; with warmup "
                f"{_said(r('combined_warmup'))}. Seeds whose loss ends at chance "
                f"(within {CHANCE_TOL} of ln 10 = {math.log(10):.3f}, the loss of a "
                "uniform guess over 10 classes): "
                + ", ".join(
                    f"`{n}` {stuck[n]} of {len(rungs[n]['runs'])}"
                    for n in ("combined", "combined_warmup")
                )
                + "."
            ],
        )
    if "tutorial_lesson_gated" in have:
        lines += section(
            "tutorial_lesson_gated",
            [f"Final accuracy: {_said(r('control_rnn64_clip'), True)}."],
        )
    # the sections in `need`'s order, whichever were measured
    blocks = [lines[i : i + 4] for i in range(0, len(lines), 4)]  # start, text, end, ""
    names = list(need)
    blocks.sort(key=lambda b: names.index(b[0].split("[start:")[1].split("]")[0]))
    return [line for b in blocks for line in b]


def _panels(results: dict, height: float):
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    with matplotlib.rc_context({"font.size": 11}):
        fig = Figure(figsize=(8, height), facecolor="white")
        axes = fig.subplots(
            (len(results["rungs"]) + 1) // 2, 2, sharex=True, sharey=True
        )
    total = results["rungs"][0]["args"]["total_steps"]
    for ax in axes.flat:
        ax.xaxis.set_major_locator(MultipleLocator(max(1, total // 4)))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _: f"{x / 1000:g}k" if x else "0")
        )
    return fig, axes.flat


def _colors() -> list:
    import matplotlib

    return list(matplotlib.colormaps["tab10"].colors)


def draw_loss(results: dict, path: Path) -> Path:
    """Training loss against step, a panel per rung, a colour per seed: faint, the
    band from each 50 steps' lowest to highest loss; solid, a running mean over 500
    steps."""
    import matplotlib

    with matplotlib.rc_context({"font.size": 11}):
        fig, axes = _panels(results, 2.3 * ((len(results["rungs"]) + 1) // 2))
        for ax, rung in zip(axes, results["rungs"], strict=False):
            for color, run in zip(_colors(), rung["runs"], strict=False):
                loss = run["loss"]
                steps = [(i + 1) * loss["every"] for i in range(len(loss["mean"]))]
                # every step's loss lies in the band: each 50 steps' min to max
                ax.fill_between(
                    steps, loss["min"], loss["max"], color=color, alpha=0.15, lw=0
                )
                smooth = [
                    statistics.fmean(loss["mean"][max(0, i - SMOOTH + 1) : i + 1])
                    for i in range(len(loss["mean"]))
                ]
                ax.plot(steps, smooth, color=color, lw=1.4, label=f"seed {run['seed']}")
            ax.set_title(rung["name"], fontsize=11)
            ax.set_ylim(0, 2.6)
            ax.grid(alpha=0.3)
        for ax in axes:
            if not ax.has_data():
                ax.set_visible(False)
        fig.supxlabel("training step", fontsize=11)
        fig.supylabel("training loss (cross-entropy)", fontsize=11)
        fig.axes[0].legend(fontsize=11, ncols=2, loc="lower left")
        fig.tight_layout()
    return save_svg(fig, path)


def draw_accuracy(results: dict, path: Path) -> Path:
    """Evaluation accuracy against step, a panel per rung, a colour per seed: the
    script's 100-sample figure as dots, our 10,000-sample one as a line."""
    import matplotlib

    with matplotlib.rc_context({"font.size": 11}):
        fig, axes = _panels(results, 2.3 * ((len(results["rungs"]) + 1) // 2))
        for ax, rung in zip(axes, results["rungs"], strict=False):
            for color, run in zip(_colors(), rung["runs"], strict=False):
                steps, a100, a10k = zip(*run["evals"], strict=True)
                ax.plot(steps, a100, "o", color=color, ms=2.5, alpha=0.5)
                ax.plot(steps, a10k, color=color, lw=1.4, label=f"seed {run['seed']}")
            ax.set_title(rung["name"], fontsize=11)
            ax.set_ylim(0, 1.02)
            ax.grid(alpha=0.3)
        for ax in axes:
            if not ax.has_data():
                ax.set_visible(False)
        fig.supxlabel("training step", fontsize=11)
        fig.supylabel(
            f"accuracy (dots: {results['eval_samples']} fresh samples, line: "
            f"{results['test_samples']:,} held out)",
            fontsize=11,
        )
        fig.axes[0].legend(fontsize=11, ncols=2, loc="upper left")
        fig.tight_layout()
    return save_svg(fig, path)


def redraw(json_path: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    """Re-render `tutorial_tables.md` (beside the JSON) and the two figures.

    Args:
        json_path: default: the site's `docs/assets/results/tutorial.json`.
        out_dir: where the figures go; default: the site's `docs/assets/figures/`.
    """
    json_path = json_path or paths.results() / "tutorial.json"
    results = json.loads(json_path.read_text())
    tables = json_path.with_name("tutorial_tables.md")
    write_output(tables, render_tables(results).encode())
    svg_dir = out_dir or paths.figures()
    return [
        tables,
        draw_loss(results, svg_dir / "tutorial_loss.svg"),
        draw_accuracy(results, svg_dir / "tutorial_accuracy.svg"),
    ]
