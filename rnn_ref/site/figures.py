"""The site's figures, drawn by code from real modules and the tensors they return.

Each `draw_*` function builds the network it shows (an `nn.RNN` of the sizes it is
given), runs it on a random batch and labels the drawing with the shapes that came back,
so a figure cannot disagree with torch about a shape. `draw_all()` writes every figure
as SVG into `docs/assets/figures/` (or a folder you name); `rnn-ref regen` calls it. The
SVGs are deterministic (fixed hash salt, no date, text kept as text) so a redraw with
the same matplotlib is byte-identical, and each sits on a white rounded panel so it
reads the same in the site's light and dark themes.

This module draws the network (unrolled, stacked, bidirectional);
`rnn_ref.site.sequence_figures` draws the shapes of sequence models and a packed batch;
`rnn_ref.site.diagram` holds the primitives. To add a figure: write
`draw_<name>(out_dir) -> Path` and append it to `FIGURES`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from rnn_ref.site import paths
from rnn_ref.site.diagram import (
    BACKWARD,
    CELL,
    EDGE,
    INPUT,
    MUTED,
    OUTPUT,
    STATE,
    arrow,
    box,
    canvas,
    note,
    shape_of,
)
from rnn_ref.site.gradient_figures import draw_gradient_decay, draw_gradient_training
from rnn_ref.site.sequence_figures import draw_packing, draw_shapes
from rnn_ref.site.svg import save_svg

__all__ = [
    "FIGURES",
    "draw_all",
    "draw_unrolled",
    "draw_stacked",
    "draw_bidirectional",
    "draw_shapes",
    "draw_packing",
    "draw_gradient_decay",
    "draw_gradient_training",
]


def draw_unrolled(
    out_dir: Path, *, L: int = 4, N: int = 2, H_in: int = 3, H_out: int = 5
) -> Path:
    """One layer unrolled over L steps: x_t and h_{t-1} in, h_t out, output[t] = h_t."""
    rnn = nn.RNN(H_in, H_out)
    x = torch.randn(L, N, H_in)  # (L, N, H_in)
    output, h_n = rnn(x)  # (L, N, H_out), (1, N, H_out)
    dx, x0, half = 1.2, 1.75, 0.35  # column pitch, first column, half a cell box
    last = x0 + dx * (L - 1)
    fig, ax = canvas(
        last + 1.65, 3.6, f"nn.RNN({H_in}, {H_out}) unrolled over L={L} steps"
    )
    box(ax, 0.7, 1.75, "h_0 = hx\n" + shape_of(h_n[0]), STATE, w=0.95, h=0.55)
    for t in range(L):
        cx = x0 + dx * t
        box(ax, cx, 0.6, f"x[{t}]\n{shape_of(x[t])}", INPUT, w=0.9, h=0.55)
        box(ax, cx, 1.75, "cell", CELL, w=2 * half)
        box(ax, cx, 2.85, f"output[{t}]\n{shape_of(output[t])}", OUTPUT, w=1.05, h=0.55)
        arrow(ax, (cx, 0.88), (cx, 1.52))
        arrow(ax, (cx, 1.98), (cx, 2.57), text="h")
        start = cx - dx + half if t else 1.175
        arrow(ax, (start, 1.75), (cx - half, 1.75), EDGE[STATE])
    box(ax, last + 1.15, 1.75, f"h_n[0]\n{shape_of(h_n[0])}", STATE, w=0.95, h=0.55)
    arrow(ax, (last + half, 1.75), (last + 0.675, 1.75), EDGE[STATE])
    note(ax, 0.7, 0.95, "one cell,\nthe same\nweights at\nevery step", ha="center")
    return save_svg(fig, out_dir / "unrolled.svg")


def draw_stacked(
    out_dir: Path,
    *,
    num_layers: int = 3,
    L: int = 4,
    N: int = 2,
    H_in: int = 3,
    H_out: int = 5,
) -> Path:
    """num_layers stacked and unrolled; output is the top row, h_n the last column."""
    rnn = nn.RNN(H_in, H_out, num_layers=num_layers, dropout=0.5)
    # (L, N, H_out), (num_layers, N, H_out)
    output, h_n = rnn.eval()(torch.randn(L, N, H_in))
    dx, dy, x0, y0, half = 1.2, 1.0, 1.3, 0.6, 0.4
    top = y0 + dy * (num_layers + 1)
    last = x0 + dx * (L - 1)
    fig, ax = canvas(
        last + 2.05,
        top + 0.9,
        f"nn.RNN({H_in}, {H_out}, num_layers={num_layers}, dropout=0.5)",
    )
    for t in range(L):
        cx = x0 + dx * t
        box(ax, cx, y0, f"x[{t}]", INPUT, w=2 * half)
        for k in range(num_layers):
            cy = y0 + dy * (k + 1)
            box(ax, cx, cy, f"layer {k}", CELL, w=2 * half)
            below = y0 + dy * k + 0.23
            arrow(
                ax,
                (cx, below),
                (cx, cy - 0.23),
                text="dropout" if k > 0 and t == 0 else "",
            )
            arrow(
                ax,
                (cx - dx + half if t else x0 - 0.7, cy),
                (cx - half, cy),
                EDGE[STATE],
            )
        box(ax, cx, top, f"output[{t}]", OUTPUT, w=1.0)
        arrow(ax, (cx, top - dy + 0.23), (cx, top - 0.23))
    for k in range(num_layers):
        cy = y0 + dy * (k + 1)
        note(ax, x0 - 0.75, cy, f"hx[{k}]", EDGE[STATE], ha="right")
        arrow(ax, (last + half, cy), (last + 0.8, cy), EDGE[STATE])
        box(ax, last + 1.2, cy, f"h_n[{k}]", STATE, w=2 * half)
    note(
        ax,
        last + 1.2,
        top,
        f"output {shape_of(output)}\n= top layer,\nevery step",
        EDGE[OUTPUT],
        ha="center",
    )
    note(
        ax,
        last + 1.2,
        y0,
        f"h_n {shape_of(h_n)}\n= last step,\nevery layer",
        EDGE[STATE],
        ha="center",
    )
    return save_svg(fig, out_dir / "stacked.svg")


def draw_bidirectional(
    out_dir: Path, *, L: int = 4, N: int = 2, H_in: int = 3, H_out: int = 5
) -> Path:
    """One bidirectional layer: a forward and a backward pass, concatenated per step."""
    rnn = nn.RNN(H_in, H_out, bidirectional=True)
    output, h_n = rnn(torch.randn(L, N, H_in))  # (L, N, 2*H_out), (2, N, H_out)
    dx, x0 = 1.4, 1.45
    last = x0 + dx * (L - 1)
    fig, ax = canvas(last + 1.4, 4.9, f"nn.RNN({H_in}, {H_out}, bidirectional=True)")
    y_in, y_fwd, y_bwd, y_out = 0.6, 1.55, 2.6, 3.75
    # the forward cells sit left of each column, the backward ones right
    f, b = -0.32, 0.32
    for t in range(L):
        cx = x0 + dx * t
        box(ax, cx, y_in, f"x[{t}]", INPUT)
        box(ax, cx + f, y_fwd, "fwd", CELL, w=0.55)
        box(ax, cx + b, y_bwd, "bwd", BACKWARD, w=0.55)
        box(
            ax,
            cx,
            y_out,
            f"output[{t}]\n[:{H_out}] | [{H_out}:]",
            OUTPUT,
            w=1.2,
            h=0.6,
        )
        arrow(ax, (cx + f, y_in + 0.23), (cx + f, y_fwd - 0.23))
        arrow(ax, (cx + b, y_in + 0.23), (cx + b, y_bwd - 0.23))
        arrow(ax, (cx + f, y_fwd + 0.23), (cx + f, y_out - 0.3))
        arrow(ax, (cx + b, y_bwd + 0.23), (cx + b, y_out - 0.3))
        if t:
            arrow(ax, (cx - dx + f + 0.28, y_fwd), (cx + f - 0.28, y_fwd), EDGE[STATE])
            arrow(
                ax, (cx + b - 0.28, y_bwd), (cx - dx + b + 0.28, y_bwd), EDGE[BACKWARD]
            )
    arrow(ax, (last + f + 0.28, y_fwd), (last + 0.55, y_fwd), EDGE[STATE])
    note(ax, last + 0.6, y_fwd, "h_n[0]\n(has seen\nall steps)", EDGE[STATE])
    arrow(ax, (x0 + b - 0.28, y_bwd), (x0 - 0.6, y_bwd), EDGE[BACKWARD])
    note(
        ax,
        x0 - 0.65,
        y_bwd,
        "h_n[1]\n(has seen\nall steps)",
        EDGE[BACKWARD],
        ha="right",
    )
    note(
        ax,
        last,
        y_out + 0.6,
        f"backward half has\nseen only x[{L - 1}]",
        EDGE[BACKWARD],
        ha="center",
    )
    note(
        ax,
        0.3,
        4.3,
        f"output {shape_of(output)} = (L, N, 2*H_out)\n"
        f"h_n {shape_of(h_n)} = (2*num_layers, N, H_out)",
        MUTED,
    )
    return save_svg(fig, out_dir / "bidirectional.svg")


# Every figure of the site, in drawing order; each takes the output folder and returns
# its path.
FIGURES: list[Callable[[Path], Path]] = [
    draw_unrolled,
    draw_stacked,
    draw_bidirectional,
    draw_shapes,
    draw_packing,
    draw_gradient_decay,
    draw_gradient_training,
]


def draw_all(out_dir: Path | None = None) -> list[Path]:
    """Draw every figure in `FIGURES` into `out_dir` and return the paths written.

    The drawings are seeded (`torch.manual_seed(0)` before each), so the tensors they
    are made from, and the files, are the same on every run.
    """
    out_dir = Path(out_dir) if out_dir is not None else paths.figures()
    written = []
    for draw in FIGURES:
        torch.manual_seed(0)
        written.append(draw(out_dir))
    return written
