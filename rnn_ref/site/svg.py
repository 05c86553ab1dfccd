"""One deterministic SVG writer for every figure of the site."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from rnn_ref.rundir import write_output  # noqa: E402

__all__ = ["COLUMN", "SMALLEST_PX", "save_svg"]

COLUMN = 7.15  # inches: 688 px, the content column at 1280 px, where figures are shown
SMALLEST_PX = 11  # no text smaller than this as shown in that column


def save_svg(fig, path: Path, made_on: str = "") -> Path:
    """Write `fig` as a deterministic SVG and close it; return `path`.

    `made_on`: the platform (`rnn_ref.site.platform.describe()`) that computed what
    the figure shows, for a figure whose values depend on it (a trained model's);
    written into the file's description.

    Legible: text that would show under `SMALLEST_PX` in the column is enlarged.
    Deterministic: a fixed hash salt, no date, text kept as text, on white. A redraw
    with the same matplotlib is byte-identical, which is how the tests catch a stale
    figure.
    """
    _legible(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "rnn_ref", "svg.fonttype": "none"}):
        fig.savefig(
            buffer,
            format="svg",
            metadata={
                "Date": None,
                "Description": f"made on {made_on}" if made_on else None,
            },
            facecolor="white",
            bbox_inches="tight",  # nothing cut off, enlarged text included
            pad_inches=0.05,
        )
    plt.close(fig)
    return write_output(path, buffer.getvalue())


def _legible(fig) -> None:
    """Enlarge any text that would show under `SMALLEST_PX` px in the site's column.

    Log axes get plain tick labels (10, 100, 1000): the superscripts of matplotlib's
    10^k labels are drawn at 70 % of the label size.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ticker.LogFormatterSciNotation):
                axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            if isinstance(axis.get_minor_formatter(), ticker.LogFormatterSciNotation):
                axis.set_minor_formatter(ticker.NullFormatter())
    renderer = FigureCanvasAgg(fig).get_renderer()  # to measure text
    for _ in range(3):  # enlarged text can widen the saved (tight) figure: settle
        width = fig.get_tightbbox(renderer).width + 0.1
        shown = min(width, COLUMN) / width  # the scale the column shows the figure at
        smallest = SMALLEST_PX * 0.75 / shown + 0.15  # pt (1 pt = 4/3 px), a margin
        for text in fig.findobj(matplotlib.text.Text):
            if text.get_text() and text.get_fontsize() < smallest:
                text.set_fontsize(smallest)
