"""The gradients page's figures and generated sentences: gradient norms against
distance in time, log scale.

The figures are drawn from tensors measured when they are drawn, by
`rnn_ref.experiments.gradients`: `draw_gradient_decay` at initialization (default,
orthogonal and scaled `weight_hh`), `draw_gradient_training` for the two GRU
classifiers of the training page (`rnn_ref.site.learned.MODELS`, one an automaton to
length 1000, one that drifts past its lengths) and the weights they start from, at and
past their training lengths (`training_jacobians`). `rnn_ref.site.figures` lists both
in `FIGURES`, so `rnn-ref regen` redraws them and the tests compare the redraw byte for
byte. Every text is at least 11 px. `redraw_tables` writes `gradients.json` and the
sentences of `docs/templates/gradients_tables.md.j2` (`gradients_tables.md`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from matplotlib.figure import Figure

from rnn_ref.experiments.gradients import init_curves, jacobian_curves, untrained
from rnn_ref.rundir import write_output
from rnn_ref.site import learned, paths, platform
from rnn_ref.site.svg import save_svg
from rnn_ref.site.templates import render

__all__ = [
    "WIDE",
    "SHORT",
    "training_jacobians",
    "draw_gradient_decay",
    "draw_gradient_training",
    "redraw_tables",
]

WIDE, SHORT = "GRU, trained on lengths 1-20", "GRU, trained on lengths 2-5"
_LEARNED = {WIDE: "lengths 1-20", SHORT: "lengths 2-5"}  # their `learned.MODELS` names
_INIT, _RNN = "GRU, at init", "tanh RNN, at init"
_LENGTHS = (5, 20, 100)  # T: in both training ranges, in one, in neither

_FONT = 11  # the smallest text, in px
_COLORS = {"rnn": "#0969da", "gru": "#1a7f37", "lstm": "#bc4c00"}
_NAMES = {"rnn": "tanh RNN", "gru": "GRU", "lstm": "LSTM"}


def _style(ax, ylabel: str) -> None:
    ax.set_yscale("log")
    ax.set_xlabel("steps back, k = T − t", fontsize=_FONT + 1)
    ax.set_ylabel(ylabel, fontsize=_FONT + 1)
    ax.tick_params(labelsize=_FONT)
    ax.grid(alpha=0.3, which="major")


def draw_gradient_decay(out_dir: Path) -> Path:
    """‖∂h_T/∂s_t‖₂ against k at initialization, for the inits of `init_curves`."""
    curves = init_curves()
    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    styles = ["-", "-", "-", "--", ":", ":"]
    colors = ["#0969da", "#1a7f37", "#bc4c00", "#0969da", "#8250df", "#cf222e"]
    for (label, c), ls, color in zip(curves.items(), styles, colors, strict=True):
        sigma = c["sigma_max"]
        text = label if sigma is None else f"{label} (σ_max(W_hh) = {sigma:.2f})"
        ax.plot(c["k"], c["jacobian"], ls=ls, color=color, lw=2, label=text)
    _style(ax, "‖∂h_T / ∂h_t‖₂ (mean over 32 sequences)")
    ax.set_title("Gradient norm going back in time, at initialization (H = 64)",
                 fontsize=_FONT + 2)  # fmt: skip
    ax.legend(fontsize=_FONT, loc="lower left")
    fig.tight_layout()
    return save_svg(fig, out_dir / "gradient_decay.svg", platform.describe())


@functools.cache  # the figure, the sentences and the snippet share one measurement
def training_jacobians() -> dict:
    """‖∂h_T/∂h_t‖ at T = 5, 20 and 100 (`jacobian_curves`, 16 sequences) for the two
    trained GRUs of `learned.MODELS`, the weights both start from (the same seed),
    and a tanh RNN from that seed: `{name: {T: {"k": [...], "jacobian": [...]}}}`."""
    models = {key: learned.trained(name) for key, name in _LEARNED.items()}
    models[_INIT] = untrained(learned.MODELS["lengths 1-20"])
    models[_RNN] = untrained(learned.MODELS["lengths 1-20"], cell="rnn")
    return jacobian_curves(models, lengths=_LENGTHS)


def draw_gradient_training(out_dir: Path) -> Path:
    """‖∂h_T/∂h_t‖ of the training page's two GRUs and their initial weights, at
    T = 20 and T = 100."""
    curves = training_jacobians()
    styles = {WIDE: ("#1a7f37", "-"), SHORT: ("#bc4c00", "-"),
              _INIT: ("#1a7f37", "--"), _RNN: ("#0969da", ":")}  # fmt: skip
    names = {WIDE: "GRU trained on lengths 1-20", SHORT: "GRU trained on lengths 2-5",
             _INIT: "GRU at init (where both started)",
             _RNN: "tanh RNN at init (the same seed)"}  # fmt: skip
    fig = Figure(figsize=(10, 4.8))
    axes = fig.subplots(1, 2)
    for ax, T in zip(axes, ("20", "100"), strict=True):
        for name, (color, ls) in styles.items():
            c = curves[name][T]
            ax.plot(c["k"], c["jacobian"], ls=ls, color=color, lw=2, label=names[name])
        ax.axhline(1, color="0.5", lw=1)
        _style(ax, "‖∂h_T / ∂h_t‖₂")
        ax.set_title(f"T = {T}", fontsize=_FONT + 1)
    axes[0].set_xticks([1, 5, 10, 15, 20])
    axes[1].legend(fontsize=_FONT, loc="lower left")
    title = "Sum-mod classifiers, H = 64, mean over 16 digit sequences of length T"
    fig.suptitle(title, fontsize=_FONT + 2)
    fig.tight_layout()
    return save_svg(fig, out_dir / "gradient_training.svg", platform.describe())


def _sig(x: float) -> float:
    """Four significant digits: the norms span 1e-27 to 1e2."""
    return float(f"{x:.4g}")


def redraw_tables(results_dir: Path | None = None) -> list[Path]:
    """Write `gradients.json` (the curves, and what `learned.measure` says of the two
    GRUs' states) and `gradients_tables.md` (rendered with `ladder.json`'s wide rungs)
    into `results_dir`."""
    results_dir = results_dir or paths.results()
    states = learned.measure()
    record = {
        "made on": platform.describe(),  # trained here: the numbers follow the platform
        "curves": {
            name: {
                T: {"k": c["k"], "jacobian": [_sig(v) for v in c["jacobian"]]}
                for T, c in by_length.items()
            }
            for name, by_length in training_jacobians().items()
        },  # fmt: skip
        "states": {
            key: {
                "head_accuracy": {
                    str(t): round(states[name]["head_accuracy"][t - 1], 4)
                    for t in (100, 1000)
                },
                "drift": {
                    str(t): round(states[name]["drift"][t - 1], 4) for t in (5, 20, 100)
                },
            }
            for key, name in _LEARNED.items()
        },  # fmt: skip
    }
    numbers = write_output(
        results_dir / "gradients.json", (json.dumps(record, indent=1) + "\n").encode()
    )
    tables = results_dir / "gradients_tables.md"
    write_output(tables, render_tables(record, results_dir / "ladder.json").encode())
    return [numbers, tables]


def render_tables(record: dict, ladder_json: Path) -> str:
    """The page's sentences (`gradients_tables.md.j2`) from `record` (gradients.json)
    and the ladder's `gru_wide` and `rnn_wide` rungs."""
    rungs = {r["name"]: r for r in json.loads(ladder_json.read_text())["rungs"]}
    c = {name: {T: v["jacobian"] for T, v in by.items()}
         for name, by in record["curves"].items()}  # fmt: skip
    wide = c[WIDE]["100"]
    return render(
        "gradients_tables.md.j2",
        made_on=record["made on"],
        c=c,
        names={"wide": WIDE, "short": SHORT, "init": _INIT, "rnn": _RNN},
        states=record["states"],
        rate=(wide[99] / wide[0]) ** (1 / 99),  # mean factor per step back
        gru=rungs["gru_wide"],
        rnn=rungs["rnn_wide"],
    )
