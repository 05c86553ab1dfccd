"""The drawing primitives of the site's diagrams: a panel, boxes, arrows and notes.

Coordinates are inches on a white rounded panel (so a figure reads the same in the
site's light and dark themes); the palette pairs each fill with a darker edge. A
diagram is drawn at the size it is shown: at most `WIDTH` inches, the content column at
1280 px, with no text under `SMALLEST` points (11 px at that size).
`rnn_ref.site.figures` and `rnn_ref.site.sequence_figures` draw with them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

__all__ = [
    "WIDTH",
    "SMALLEST",
    "INK",
    "MUTED",
    "INPUT",
    "CELL",
    "OUTPUT",
    "STATE",
    "BACKWARD",
    "EDGE",
    "shape_of",
    "canvas",
    "box",
    "arrow",
    "note",
]

WIDTH = 7.15  # inches: 688 px, the width of the content column at 1280 px
SMALLEST = 8.5  # points: 11.3 px when the figure is shown at its own size

# Colours chosen to read on the white panel in both site themes.
INK, MUTED = "#1f2328", "#57606a"
INPUT, CELL, OUTPUT, STATE, BACKWARD = (
    "#dbeafe",
    "#fef3c7",
    "#dcfce7",
    "#fce7f3",
    "#ede9fe",
)
EDGE = {
    INPUT: "#2563eb",
    CELL: "#b45309",
    OUTPUT: "#15803d",
    STATE: "#be185d",
    BACKWARD: "#6d28d9",
}


def shape_of(t: torch.Tensor) -> str:
    """`(2, 3)` for a tensor of that shape: the label a figure prints."""
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def canvas(width: float, height: float, title: str):
    """A figure whose data units are inches, on a white rounded panel."""
    if width > WIDTH:
        raise ValueError(
            f"a diagram is at most {WIDTH} in wide (the column it is shown in); "
            f"got {width:.2f}: tighten the layout or split the figure"
        )
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.add_patch(
        FancyBboxPatch(
            (0.05, 0.05),
            width - 0.1,
            height - 0.1,
            boxstyle="round,pad=0,rounding_size=0.15",
            facecolor="white",
            edgecolor="#d0d7de",
            linewidth=1,
        )
    )
    ax.text(
        width / 2,
        height - 0.3,
        title,
        ha="center",
        va="center",
        color=INK,
        fontsize=12,
        fontweight="bold",
    )
    return fig, ax


def box(
    ax,
    x: float,
    y: float,
    text: str,
    color: str,
    w: float = 0.9,
    h: float = 0.45,
    size: float = 9,
) -> None:
    """A rounded box centred on (x, y)."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=color,
            edgecolor=EDGE[color],
            linewidth=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color=INK, fontsize=size)


def arrow(
    ax, start, end, color: str = MUTED, text: str = "", style: str = "-|>"
) -> None:
    """An arrow from `start` to `end`, labelled beside a vertical shaft or above."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=10,
            color=color,
            linewidth=1.2,
            shrinkA=0,
            shrinkB=0,
        )
    )
    if text and start[0] == end[0]:  # vertical: label to the right of the shaft
        ax.text(
            start[0] + 0.08,
            (start[1] + end[1]) / 2,
            text,
            ha="left",
            va="center",
            color=color,
            fontsize=SMALLEST,
        )
    elif text:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 + 0.12,
            text,
            ha="center",
            va="bottom",
            color=color,
            fontsize=SMALLEST,
        )


def note(ax, x: float, y: float, text: str, color: str = MUTED, **kw) -> None:
    """Small text, vertically centred on y."""
    ax.text(x, y, text, color=color, fontsize=SMALLEST, va="center", **kw)
