"""Figures of what a recurrent net reads and emits: sequence shapes, a packed batch.

`draw_shapes` draws the four shapes of sequence models (one-to-many, many-to-one,
aligned many-to-many, encoder-decoder); `draw_packing` a padded batch next to its packed
layout, read off a real `PackedSequence`. Drawn with `rnn_ref.site.diagram`; listed in
`rnn_ref.site.figures.FIGURES`.
"""

from __future__ import annotations

from pathlib import Path

import torch
from matplotlib.patches import FancyBboxPatch

from rnn_ref.site.diagram import (
    BACKWARD,
    CELL,
    EDGE,
    INK,
    INPUT,
    MUTED,
    OUTPUT,
    STATE,
    arrow,
    box,
    canvas,
    note,
)
from rnn_ref.site.svg import save_svg

__all__ = ["draw_shapes", "draw_packing"]


def _shape_panel(
    ax,
    x0: float,
    title: str,
    inputs: list[bool],
    outputs: list[bool],
    split: int | None = None,
) -> None:
    """One column of the shapes figure: the steps that take an input, emit an output."""
    dx = 0.62
    ax.text(
        x0 + dx * (len(inputs) - 1) / 2,
        3.55,
        title,
        ha="center",
        color=INK,
        fontsize=9.5,
        fontweight="bold",
    )
    for t, (has_in, has_out) in enumerate(zip(inputs, outputs, strict=True)):
        cx = x0 + dx * t
        color = BACKWARD if split is not None and t >= split else CELL
        box(ax, cx, 1.9, "", color, w=0.42, h=0.42)
        if has_in:
            box(ax, cx, 0.75, "x", INPUT, w=0.42, h=0.42)
            arrow(ax, (cx, 0.96), (cx, 1.69))
        if has_out:
            box(ax, cx, 3.05, "y", OUTPUT, w=0.42, h=0.42)
            arrow(ax, (cx, 2.11), (cx, 2.84))
        if t:
            arrow(ax, (cx - dx + 0.21, 1.9), (cx - 0.21, 1.9), EDGE[STATE])


def draw_shapes(out_dir: Path, *, L: int = 4) -> Path:
    """The four shapes of sequence models: which steps read an input, emit an output."""
    fig, ax = canvas(
        13.4,
        4.3,
        "Shapes of sequence models (x input, y output, arrows = hidden state)",
    )
    on, off = [True] * L, [False] * L
    first, last = [True] + [False] * (L - 1), [False] * (L - 1) + [True]
    _shape_panel(ax, 0.6, "one-to-many", first, on)
    _shape_panel(ax, 3.9, "many-to-one", on, last)
    _shape_panel(ax, 7.2, "many-to-many (aligned)", on, on)
    _shape_panel(
        ax,
        10.2,
        "encoder-decoder",
        on[:3] + off[:2],
        off[:2] + [False, True, True],
        split=3,
    )
    note(ax, 10.2 + 0.62 * 3.5, 1.35, "decoder", EDGE[BACKWARD], ha="center")
    note(ax, 10.2 + 0.62, 2.45, "encoder", EDGE[CELL], ha="center")
    return save_svg(fig, out_dir / "shapes.svg")


def draw_packing(out_dir: Path, *, lengths: tuple[int, ...] = (2, 4, 3)) -> Path:
    """A padded batch (left) beside its packed layout (right), as torch packs it.

    Each real step holds 10*(b+1) + t+1 (sequence b, step t), padding holds 0; every
    packed cell is placed from `batch_sizes` and coloured by `sorted_indices`, as torch
    returned them.
    """
    from torch.nn.utils.rnn import pack_padded_sequence

    N, T = len(lengths), max(lengths)
    padded = torch.zeros(T, N, dtype=torch.long)  # (T, N), 0 = padding
    for b, n in enumerate(lengths):
        padded[:n, b] = 10 * (b + 1) + torch.arange(1, n + 1)
    packed = pack_padded_sequence(padded, list(lengths), enforce_sorted=False)
    sizes, order = packed.batch_sizes.tolist(), packed.sorted_indices.tolist()
    S = packed.data.size(0)  # sum(lengths) rows
    colors = [INPUT, CELL, OUTPUT, STATE, BACKWARD]
    dx, x0, x1 = 0.62, 1.9, 1.9 + 0.62 * T + 1.9  # cell pitch, left grid, packed strip
    fig, ax = canvas(
        x1 + dx * S + 0.4,
        3.1,
        f"padded batch vs PackedSequence, lengths = {list(lengths)}",
    )
    ax.text(
        x0 + dx * T / 2 - 0.3,
        2.45,
        f"padded (N, L) = ({N}, {T}): {N * T} cells",
        ha="center",
        color=INK,
        fontsize=9,
    )
    for b in range(N):
        y = 2.05 - 0.55 * b
        note(ax, x0 - 0.35, y, f"b={b}, len {lengths[b]}", ha="right")
        for t in range(T):
            if t < lengths[b]:
                box(
                    ax,
                    x0 + dx * t,
                    y,
                    str(padded[t, b].item()),
                    colors[b % 5],
                    w=0.55,
                    h=0.45,
                )
            else:
                ax.add_patch(
                    FancyBboxPatch(
                        (x0 + dx * t - 0.275, y - 0.225),
                        0.55,
                        0.45,
                        boxstyle="round,pad=0,rounding_size=0.08",
                        facecolor="#f6f8fa",
                        edgecolor="#d0d7de",
                        linewidth=1,
                    )
                )
                ax.text(
                    x0 + dx * t,
                    y,
                    "pad",
                    ha="center",
                    va="center",
                    color=MUTED,
                    fontsize=8,
                )
    for t in range(T):
        note(ax, x0 + dx * t, 0.55, f"t={t}", ha="center")
    ax.text(
        x1 + dx * S / 2 - 0.3,
        2.45,
        f"packed.data: sum(lengths) = {S} rows, sorted_indices = {order}",
        ha="center",
        color=INK,
        fontsize=9,
    )
    note(ax, x1 - 0.45, 1.7, "data", ha="right")
    note(ax, x1 - 0.45, 0.55, "batch_sizes", ha="right")
    row = 0
    # step t holds the first `size` sequences, longest first
    for t, size in enumerate(sizes):
        for j in range(size):
            b = order[j]
            box(
                ax,
                x1 + dx * row,
                1.7,
                str(packed.data[row].item()),
                colors[b % 5],
                w=0.55,
                h=0.45,
            )
            row += 1
        left, right = x1 + dx * (row - size) - 0.25, x1 + dx * (row - 1) + 0.25
        ax.plot([left, right], [1.3, 1.3], color=MUTED, linewidth=1.2)
        note(ax, (left + right) / 2, 1.05, f"t={t}", ha="center")
        ax.text(
            (left + right) / 2,
            0.55,
            str(size),
            ha="center",
            va="center",
            color=INK,
            fontsize=10,
        )
    return save_svg(fig, out_dir / "packing.svg")
