"""One deterministic SVG writer for every figure of the site."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files: no display needed
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["save_svg"]


def save_svg(fig, path: Path) -> Path:
    """Write `fig` as a deterministic SVG and close it; return `path`.

    Deterministic: a fixed hash salt, no date, text kept as text, on white. A redraw
    with the same matplotlib is byte-identical, which is how the tests catch a stale
    figure.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": "rnn_ref", "svg.fonttype": "none"}):
        fig.savefig(path, format="svg", metadata={"Date": None}, facecolor="white")
    plt.close(fig)
    return path
