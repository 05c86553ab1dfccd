"""Figures of what a recurrent net reads and emits: sequence shapes, a packed batch.

`draw_shapes` draws the four shapes of sequence models (one-to-many, many-to-one,
aligned many-to-many, encoder-decoder); `draw_packing` a padded batch above its packed
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
    y0: float,
    title: str,
    inputs: list[bool],
    outputs: list[bool],
    split: int | None = None,
) -> None:
    """One panel of the shapes figure: the steps that take an input, emit an output."""
    dx = 0.62
    ax.text(
        x0 + dx * (len(inputs) - 1) / 2,
        y0 + 2.45,
        title,
        ha="center",
        color=INK,
        fontsize=9.5,
        fontweight="bold",
    )
    for t, (has_in, has_out) in enumerate(zip(inputs, outputs, strict=True)):
        cx = x0 + dx * t
        color = BACKWARD if split is not None and t >= split else CELL
        box(ax, cx, y0 + 1.0, "", color, w=0.42, h=0.42)
        if has_in:
            box(ax, cx, y0, "x", INPUT, w=0.42, h=0.42)
            arrow(ax, (cx, y0 + 0.21), (cx, y0 + 0.79))
        if has_out:
            box(ax, cx, y0 + 2.0, "y", OUTPUT, w=0.42, h=0.42)
            arrow(ax, (cx, y0 + 1.21), (cx, y0 + 1.79))
        if t:
            arrow(ax, (cx - dx + 0.21, y0 + 1.0), (cx - 0.21, y0 + 1.0), EDGE[STATE])


def draw_shapes(out_dir: Path, *, L: int = 4) -> Path:
    """The four shapes of sequence models: which steps read an input, emit an output."""
    fig, ax = canvas(
        7.1, 6.6, "Shapes of sequence models (x input, y output, arrows: hidden state)"
    )
    on, off = [True] * L, [False] * L
    first, last = [True] + [False] * (L - 1), [False] * (L - 1) + [True]
    top, bottom = 3.45, 0.5  # the y of the inputs in each row of panels
    _shape_panel(ax, 0.85, top, "one-to-many", first, on)
    _shape_panel(ax, 4.4, top, "many-to-one", on, last)
    _shape_panel(ax, 0.85, bottom, "many-to-many (aligned)", on, on)
    _shape_panel(
        ax,
        4.1,
        bottom,
        "encoder-decoder",
        on[:3] + off[:2],
        off[:2] + [False, True, True],
        split=3,
    )
    note(ax, 4.1 + 0.62 * 3.5, bottom + 0.4, "decoder", EDGE[BACKWARD], ha="center")
    note(ax, 4.1 + 0.62, bottom + 1.5, "encoder", EDGE[CELL], ha="center")
    return save_svg(fig, out_dir / "shapes.svg")


def draw_packing(out_dir: Path, *, lengths: tuple[int, ...] = (2, 4, 3)) -> Path:
    """A padded batch (above) and its packed layout (below), as torch packs it.

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
    dx, x0 = 0.6, 1.5  # cell pitch, first column of both parts
    height = 0.55 * N + 3.6
    y_grid = height - 1.25  # the first sequence's row
    y_data = 1.55  # the packed row
    fig, ax = canvas(
        x0 + dx * (max(T, S) - 1) + 0.6,
        height,
        f"padded batch vs PackedSequence, lengths = {list(lengths)}",
    )
    ax.text(
        0.3,
        y_grid + 0.5,
        f"padded (N, L) = ({N}, {T}): {N * T} cells",
        color=INK,
        fontsize=9,
    )
    for b in range(N):
        y = y_grid - 0.55 * b
        note(ax, x0 - 0.35, y, f"b={b}, len {lengths[b]}", ha="right")
        for t in range(T):
            if t < lengths[b]:
                box(ax, x0 + dx * t, y, str(padded[t, b].item()), colors[b % 5], w=0.52)
                continue
            ax.add_patch(
                FancyBboxPatch(
                    (x0 + dx * t - 0.26, y - 0.225),
                    0.52,
                    0.45,
                    boxstyle="round,pad=0,rounding_size=0.08",
                    facecolor="#f6f8fa",
                    edgecolor="#d0d7de",
                    linewidth=1,
                )
            )
            note(ax, x0 + dx * t, y, "pad", ha="center")
    for t in range(T):
        note(ax, x0 + dx * t, y_grid - 0.55 * N + 0.1, f"t={t}", ha="center")
    ax.text(
        0.3,
        y_data + 0.55,
        f"packed.data: sum(lengths) = {S} rows, sorted_indices = {order}",
        color=INK,
        fontsize=9,
    )
    note(ax, x0 - 0.35, y_data, "data", ha="right")
    note(ax, x0 - 0.35, 0.5, "batch_sizes", ha="right")
    row = 0
    # step t holds the first `size` sequences, longest first
    for t, size in enumerate(sizes):
        for j in range(size):
            b = order[j]
            box(
                ax,
                x0 + dx * row,
                y_data,
                str(packed.data[row].item()),
                colors[b % 5],
                w=0.52,
            )
            row += 1
        left, right = x0 + dx * (row - size) - 0.25, x0 + dx * (row - 1) + 0.25
        ax.plot([left, right], [y_data - 0.4] * 2, color=MUTED, linewidth=1.2)
        note(ax, (left + right) / 2, y_data - 0.62, f"t={t}", ha="center")
        ax.text(
            (left + right) / 2,
            0.5,
            str(size),
            ha="center",
            va="center",
            color=INK,
            fontsize=10,
        )
    return save_svg(fig, out_dir / "packing.svg")
