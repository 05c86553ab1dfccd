"""The site's figures, drawn by code from real modules and the tensors they return.

Each `draw_*` function builds the network it shows (an `nn.RNN` of the sizes it is given), runs
it on a random batch and labels the drawing with the shapes that came back, so a figure cannot
disagree with torch about a shape. `draw_all()` writes every figure as SVG into
`docs/assets/figures/` (or a folder you
name); `rnn-ref regen` calls it. The SVGs are deterministic (fixed hash salt,
no date, text kept as text) so a redraw with the same matplotlib is byte-identical, and each sits
on a white rounded panel so it reads the same in the site's light and dark themes.

To add a figure: write `draw_<name>(out_dir) -> Path` and append it to `FIGURES`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from rnn_ref.site import paths
from rnn_ref.site.svg import save_svg

__all__ = [
    "FIGURES",
    "draw_all",
    "draw_unrolled",
    "draw_stacked",
    "draw_bidirectional",
    "draw_shapes",
    "draw_packing",
]

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


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def _canvas(width: float, height: float, title: str):
    """A figure whose data units are inches, on a white rounded panel."""
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


def _box(
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


def _arrow(
    ax, start, end, color: str = MUTED, text: str = "", style: str = "-|>"
) -> None:
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
            fontsize=8,
        )
    elif text:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 + 0.12,
            text,
            ha="center",
            va="bottom",
            color=color,
            fontsize=8,
        )


def _note(ax, x: float, y: float, text: str, color: str = MUTED, **kw) -> None:
    ax.text(x, y, text, color=color, fontsize=8.5, va="center", **kw)


def _save(fig, out_dir: Path, name: str) -> Path:
    return save_svg(fig, out_dir / name)


def draw_unrolled(
    out_dir: Path, *, L: int = 4, N: int = 2, H_in: int = 3, H_out: int = 5
) -> Path:
    """One layer unrolled over L steps: x_t and h_{t-1} in, h_t out, output[t] = h_t."""
    rnn = nn.RNN(H_in, H_out)
    x = torch.randn(L, N, H_in)  # (L, N, H_in)
    output, h_n = rnn(x)  # (L, N, H_out), (1, N, H_out)
    dx = 1.6
    fig, ax = _canvas(
        1.9 + dx * L + 1.2, 3.6, f"nn.RNN({H_in}, {H_out}) unrolled over L={L} steps"
    )
    x0 = 1.9
    _box(ax, 0.8, 1.75, "h_0 = hx\n" + _shape(h_n[0]), STATE, w=1.1, h=0.55, size=8)
    for t in range(L):
        cx = x0 + dx * t
        _box(ax, cx, 0.6, f"x[{t}]\n{_shape(x[t])}", INPUT, size=8, h=0.55)
        _box(ax, cx, 1.75, "cell", CELL)
        _box(
            ax,
            cx,
            2.85,
            f"output[{t}]\n{_shape(output[t])}",
            OUTPUT,
            w=1.2,
            h=0.55,
            size=8,
        )
        _arrow(ax, (cx, 0.88), (cx, 1.52))
        _arrow(ax, (cx, 1.98), (cx, 2.57), text="h")
        _arrow(
            ax, (cx - dx + 0.45 if t else 1.35, 1.75), (cx - 0.45, 1.75), EDGE[STATE]
        )
    last = x0 + dx * (L - 1)
    _box(
        ax, last + 1.55, 1.75, f"h_n[0]\n{_shape(h_n[0])}", STATE, w=1.1, h=0.55, size=8
    )
    _arrow(ax, (last + 0.45, 1.75), (last + 1.0, 1.75), EDGE[STATE])
    _note(ax, 0.8, 0.95, "one cell,\nthe same weights\nat every step", ha="center")
    return _save(fig, out_dir, "unrolled.svg")


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
    output, h_n = rnn.eval()(
        torch.randn(L, N, H_in)
    )  # (L, N, H_out), (num_layers, N, H_out)
    dx, dy, x0, y0 = 1.5, 1.0, 1.7, 0.6
    top = y0 + dy * (num_layers + 1)
    fig, ax = _canvas(
        x0 + dx * L + 1.9,
        top + 0.9,
        f"nn.RNN({H_in}, {H_out}, num_layers={num_layers}, dropout=0.5)",
    )
    for t in range(L):
        cx = x0 + dx * t
        _box(ax, cx, y0, f"x[{t}]", INPUT)
        for k in range(num_layers):
            cy = y0 + dy * (k + 1)
            _box(ax, cx, cy, f"layer {k}", CELL)
            below = y0 + dy * k + 0.23
            _arrow(
                ax,
                (cx, below),
                (cx, cy - 0.23),
                text="dropout" if 0 < k and t == 0 else "",
            )
            _arrow(
                ax,
                (cx - dx + 0.45 if t else x0 - 1.05, cy),
                (cx - 0.45, cy),
                EDGE[STATE],
            )
        _box(ax, cx, top, f"output[{t}]", OUTPUT, w=1.1)
        _arrow(ax, (cx, top - dy + 0.23), (cx, top - 0.23))
    last = x0 + dx * (L - 1)
    for k in range(num_layers):
        cy = y0 + dy * (k + 1)
        _note(ax, x0 - 1.1, cy, f"hx[{k}]", EDGE[STATE], ha="right")
        _arrow(ax, (last + 0.45, cy), (last + 0.95, cy), EDGE[STATE])
        _box(ax, last + 1.45, cy, f"h_n[{k}]", STATE)
    _note(
        ax,
        last + 1.45,
        top,
        f"output {_shape(output)}\n= top layer,\nevery step",
        EDGE[OUTPUT],
        ha="center",
    )
    _note(
        ax,
        last + 1.45,
        y0,
        f"h_n {_shape(h_n)}\n= last step,\nevery layer",
        EDGE[STATE],
        ha="center",
    )
    return _save(fig, out_dir, "stacked.svg")


def draw_bidirectional(
    out_dir: Path, *, L: int = 4, N: int = 2, H_in: int = 3, H_out: int = 5
) -> Path:
    """One bidirectional layer: a forward and a backward pass, concatenated per step."""
    rnn = nn.RNN(H_in, H_out, bidirectional=True)
    output, h_n = rnn(torch.randn(L, N, H_in))  # (L, N, 2*H_out), (2, N, H_out)
    dx, x0 = 1.9, 1.8
    fig, ax = _canvas(
        x0 + dx * L + 1.1, 4.9, f"nn.RNN({H_in}, {H_out}, bidirectional=True)"
    )
    y_in, y_fwd, y_bwd, y_out = 0.6, 1.55, 2.6, 3.75
    f, b = (
        -0.32,
        0.32,
    )  # the forward cells sit left of each column, the backward ones right
    for t in range(L):
        cx = x0 + dx * t
        _box(ax, cx, y_in, f"x[{t}]", INPUT)
        _box(ax, cx + f, y_fwd, "fwd", CELL, w=0.55)
        _box(ax, cx + b, y_bwd, "bwd", BACKWARD, w=0.55)
        _box(
            ax,
            cx,
            y_out,
            f"output[{t}]\n[:{H_out}] | [{H_out}:]",
            OUTPUT,
            w=1.35,
            h=0.6,
            size=8,
        )
        _arrow(ax, (cx + f, y_in + 0.23), (cx + f, y_fwd - 0.23))
        _arrow(ax, (cx + b, y_in + 0.23), (cx + b, y_bwd - 0.23))
        _arrow(ax, (cx + f, y_fwd + 0.23), (cx + f, y_out - 0.3))
        _arrow(ax, (cx + b, y_bwd + 0.23), (cx + b, y_out - 0.3))
        if t:
            _arrow(ax, (cx - dx + f + 0.28, y_fwd), (cx + f - 0.28, y_fwd), EDGE[STATE])
            _arrow(
                ax, (cx + b - 0.28, y_bwd), (cx - dx + b + 0.28, y_bwd), EDGE[BACKWARD]
            )
    last = x0 + dx * (L - 1)
    _arrow(ax, (last + f + 0.28, y_fwd), (last + 0.85, y_fwd), EDGE[STATE])
    _note(ax, last + 0.9, y_fwd, "h_n[0]\n(has seen\nall steps)", EDGE[STATE])
    _arrow(ax, (x0 + b - 0.28, y_bwd), (x0 - 0.85, y_bwd), EDGE[BACKWARD])
    _note(
        ax, x0 - 0.9, y_bwd, "h_n[1]\n(has seen\nall steps)", EDGE[BACKWARD], ha="right"
    )
    _note(
        ax,
        last,
        y_out + 0.55,
        f"backward half has\nseen only x[{L - 1}]",
        EDGE[BACKWARD],
        ha="center",
    )
    _note(
        ax,
        0.3,
        4.25,
        f"output {_shape(output)} = (L, N, 2*H_out)   "
        f"h_n {_shape(h_n)} = (2*num_layers, N, H_out)",
        MUTED,
    )
    return _save(fig, out_dir, "bidirectional.svg")


def _shape_panel(
    ax,
    x0: float,
    title: str,
    inputs: list[bool],
    outputs: list[bool],
    split: int | None = None,
) -> None:
    """One column of the shapes figure: which steps take an input and which emit an output."""
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
    for t, (has_in, has_out) in enumerate(zip(inputs, outputs)):
        cx = x0 + dx * t
        color = BACKWARD if split is not None and t >= split else CELL
        _box(ax, cx, 1.9, "", color, w=0.42, h=0.42)
        if has_in:
            _box(ax, cx, 0.75, "x", INPUT, w=0.42, h=0.42)
            _arrow(ax, (cx, 0.96), (cx, 1.69))
        if has_out:
            _box(ax, cx, 3.05, "y", OUTPUT, w=0.42, h=0.42)
            _arrow(ax, (cx, 2.11), (cx, 2.84))
        if t:
            _arrow(ax, (cx - dx + 0.21, 1.9), (cx - 0.21, 1.9), EDGE[STATE])


def draw_shapes(out_dir: Path, *, L: int = 4) -> Path:
    """The four shapes of sequence models: which steps read an input, which emit an output."""
    fig, ax = _canvas(
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
    _note(ax, 10.2 + 0.62 * 3.5, 1.35, "decoder", EDGE[BACKWARD], ha="center")
    _note(ax, 10.2 + 0.62, 2.45, "encoder", EDGE[CELL], ha="center")
    return _save(fig, out_dir, "shapes.svg")


def draw_packing(out_dir: Path, *, lengths: tuple[int, ...] = (2, 4, 3)) -> Path:
    """A padded batch (left) next to its packed layout (right), read off a real PackedSequence.

    Each real step holds 10*(b+1) + t+1 (sequence b, step t), padding holds 0; every packed cell
    is placed from `batch_sizes` and coloured by `sorted_indices`, as torch returned them.
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
    fig, ax = _canvas(
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
        _note(ax, x0 - 0.35, y, f"b={b}, len {lengths[b]}", ha="right")
        for t in range(T):
            if t < lengths[b]:
                _box(
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
        _note(ax, x0 + dx * t, 0.55, f"t={t}", ha="center")
    ax.text(
        x1 + dx * S / 2 - 0.3,
        2.45,
        f"packed.data: sum(lengths) = {S} rows, sorted_indices = {order}",
        ha="center",
        color=INK,
        fontsize=9,
    )
    _note(ax, x1 - 0.45, 1.7, "data", ha="right")
    _note(ax, x1 - 0.45, 0.55, "batch_sizes", ha="right")
    row = 0
    for t, size in enumerate(
        sizes
    ):  # step t holds the first `size` sequences, longest first
        for j in range(size):
            b = order[j]
            _box(
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
        _note(ax, (left + right) / 2, 1.05, f"t={t}", ha="center")
        ax.text(
            (left + right) / 2,
            0.55,
            str(size),
            ha="center",
            va="center",
            color=INK,
            fontsize=10,
        )
    return _save(fig, out_dir, "packing.svg")


# Every figure of the site, in drawing order; each takes the output folder and returns its path.
FIGURES: list[Callable[[Path], Path]] = [
    draw_unrolled,
    draw_stacked,
    draw_bidirectional,
    draw_shapes,
    draw_packing,
]


def draw_all(out_dir: Path | None = None) -> list[Path]:
    """Draw every figure in `FIGURES` into `out_dir` and return the paths written.

    The drawings are seeded (`torch.manual_seed(0)` before each), so the tensors they are made
    from, and the files, are the same on every run.
    """
    out_dir = Path(out_dir) if out_dir is not None else paths.figures()
    written = []
    for draw in FIGURES:
        torch.manual_seed(0)
        written.append(draw(out_dir))
    return written
