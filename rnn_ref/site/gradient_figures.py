"""The gradients page's figures: gradient norms against distance in time, log scale.

Both are drawn from tensors measured when the figure is drawn, by
`rnn_ref.experiments.gradients`: `draw_gradient_decay` at initialization (default,
orthogonal and scaled `weight_hh`), `draw_gradient_training` for the sum-mod classifier
before and after a short deterministic training run. `rnn_ref.site.figures` lists both
in `FIGURES`, so `rnn-ref regen` redraws them and the tests compare the redraw byte for
byte. Every text is at least 11 px.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from rnn_ref.experiments.gradients import init_curves, training_curves
from rnn_ref.site import platform
from rnn_ref.site.svg import save_svg

__all__ = ["draw_gradient_decay", "draw_gradient_training"]

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


def draw_gradient_training(out_dir: Path) -> Path:
    """‖∂h_T/∂s_t‖ and ‖∂L/∂s_t‖ of the classifier, before and after training."""
    curves = training_curves(T=30, N=64, seed=1)  # as the page's snippet
    fig = Figure(figsize=(10, 4.8))
    left, right = fig.subplots(1, 2)
    for cell, c in curves.items():
        for when, ls in (("init", "--"), ("trained", "-")):
            name = f"{_NAMES[cell]}, {'at init' if when == 'init' else 'trained'}"
            if when == "trained":
                name += f" (acc {c['accuracy']:.0%})"
            for ax, key in ((left, "jacobian"), (right, "loss")):
                ax.plot(c[when]["k"], c[when][key], ls=ls, color=_COLORS[cell],
                        lw=2, label=name)  # fmt: skip
    _style(left, "‖∂h_T / ∂h_t‖₂")
    _style(right, "‖∂L / ∂h_t‖")
    left.set_title("last hidden state", fontsize=_FONT + 1)
    right.set_title("cross-entropy loss", fontsize=_FONT + 1)
    right.legend(fontsize=_FONT, loc="lower left")
    fig.suptitle("Sum-mod classifier, H = 64, sequences of length T = 30",
                 fontsize=_FONT + 2)  # fmt: skip
    fig.tight_layout()
    return save_svg(fig, out_dir / "gradient_training.svg", platform.describe())
