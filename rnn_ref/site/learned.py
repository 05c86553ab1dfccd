"""What the trained GRU learned: its states, their clusters and drift, its gates.

Two GRU classifiers are trained here, deterministically (seed 0, one CPU thread): one on
lengths 2-5 and one on lengths 1-20 (`MODELS`). Each is run over fresh sequences of
length 1000, and its hidden state `h_t` is read at every step (the `output` of its
`nn.GRU`) with the running sum `(x_1 + ... + x_t) mod 10` as a label:

* clusters: one centroid per running sum, from the states at the training lengths of
  half the sequences; on the other half, the share of states whose nearest centroid is
  their own running sum (1.0 means a ten-state automaton), and a 2-D PCA (an SVD of the
  centred states) coloured by running sum;
* drift: at each step, the distance to the centroid of the state's own running sum,
  within the 9-D subspace the ten centroids span (in units of the smallest distance
  between two centroids), and the share of states the classifier's own head reads right;
* gates: `z_t` and `r_t` on a few sequences, from `rnn_ref.cells.gru_gates` with the
  module's weights (`nn.GRU` does not return them).

`redraw` writes the three figures, `learned.json` and `learned_tables.md`; `rnn-ref
regen` calls it (training both models costs about 20 s of one core).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import matplotlib
import torch

from rnn_ref.cells import gru_cell, gru_gates
from rnn_ref.config import TrainConfig
from rnn_ref.experiments.timing import torch_threads
from rnn_ref.model import SumModClassifier
from rnn_ref.rundir import write_output
from rnn_ref.site import paths, platform
from rnn_ref.site.diagram import SMALLEST, WIDTH
from rnn_ref.site.markdown import section
from rnn_ref.site.svg import save_svg
from rnn_ref.site.train_cache import trained_once

__all__ = ["MODELS", "FIGURES", "trained", "states", "gate_traces", "measure", "redraw"]

_GRU = dict(cell="gru", hidden_size=64, lr=5e-3, clip=1.0, seed=0, device="cpu")
MODELS = {
    "lengths 2-5": TrainConfig(
        **_GRU, min_len=2, max_len=5, batch_size=64, steps=1200, eval_every=1200
    ),
    "lengths 1-20": TrainConfig(
        **_GRU, min_len=1, max_len=20, batch_size=256, steps=800, eval_every=800
    ),
}
FIGURES = ("learned_states.svg", "learned_drift.svg", "learned_gates.svg")
_SEQS, _LONG, _SEED = 400, 1000, 99  # sequences of length _LONG, from _SEED
_STEPS = [2, 5, 20, 100, 1000]  # the PCA panels
_SHOWN = 100  # sequences drawn in each panel


@functools.cache
def trained(name: str) -> SumModClassifier:
    """`MODELS[name]`, trained on one thread (the same weights on every run; once per
    test run, `rnn_ref.site.train_cache`)."""
    with torch_threads(1):
        return trained_once(MODELS[name])


def _sequences() -> tuple[torch.Tensor, torch.Tensor]:
    """`_SEQS` fresh digit sequences of length `_LONG` and their running sums mod 10.

    Shape:
        ids `(N, L)` int64, sums `(N, L)` int64.
    """
    g = torch.Generator().manual_seed(_SEED)
    ids = torch.randint(0, 10, (_SEQS, _LONG), generator=g)  # (N, L)
    return ids, ids.cumsum(dim=1) % 10  # (N, L)


@torch.no_grad()
def states(model: SumModClassifier, ids: torch.Tensor) -> torch.Tensor:
    """The hidden state after every step of equally long sequences (no padding).

    Shape:
        ids `(N, L)` -> `(N, L, H)`: `[:, t - 1]` is h_t.
    """
    output, _ = model.rnn(model.embed(ids))  # (N, L, H)
    return output


@torch.no_grad()
def gate_traces(model: SumModClassifier, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """`r_t`, `z_t` and `h_t` at every step, from `gru_gates` / `gru_cell` with the
    module's weights.

    Shape:
        ids `(N, L)` -> each of "r", "z", "h": `(N, L, H)`.
    """
    rnn = model.rnn
    w = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
    x = model.embed(ids)  # (N, L, E)
    h = x.new_zeros(ids.shape[0], rnn.hidden_size)  # (N, H)
    out = {"r": [], "z": [], "h": []}
    for t in range(ids.shape[1]):
        r, z, _ = gru_gates(x[:, t], h, *w)  # 3 x (N, H)
        h = gru_cell(x[:, t], h, *w)  # (N, H)
        for key, value in (("r", r), ("z", z), ("h", h)):
            out[key].append(value)
    return {k: torch.stack(v, dim=1) for k, v in out.items()}  # each (N, L, H)


@torch.no_grad()
def _analyse(model: SumModClassifier, config: TrainConfig) -> dict:
    ids, sums = _sequences()
    h = states(model, ids)  # (N, L, H)
    fit, test = slice(0, _SEQS // 2), slice(_SEQS // 2, _SEQS)
    span = slice(config.min_len - 1, config.max_len)  # the training lengths
    # centroid of each running sum, over the fitting half at the training lengths
    hf, sf = h[fit, span].reshape(-1, h.shape[-1]), sums[fit, span].reshape(-1)
    cents = torch.stack([hf[sf == k].mean(dim=0) for k in range(10)])  # (10, H)
    # the 9-D subspace the centroids span: the part of h_t that tells them apart
    centre = cents.mean(dim=0)  # (H,)
    basis = torch.linalg.svd(cents - centre, full_matrices=False).Vh[:9]  # (9, H)
    near = (h[test] - centre) @ basis.T  # (N, L, 9)
    c9 = (cents - centre) @ basis.T  # (10, 9)
    dist = torch.cdist(near, c9.expand(near.shape[0], 10, 9))  # (N, L, 10)
    # the same nearest centroid as in the full space: the rest of h_t is the same
    # distance from every centroid
    nearest = dist.argmin(dim=-1)  # (N, L)
    own = dist.gather(-1, sums[test].unsqueeze(-1)).squeeze(-1)  # (N, L): to its own
    read = model.head(h[test]).argmax(dim=-1)  # (N, L): the head applied to h_t
    # PCA (an SVD of the centred states at the training lengths)
    mean = hf.mean(dim=0)  # (H,)
    _, sv, vh = torch.linalg.svd(hf - mean, full_matrices=False)
    share = sv.pow(2) / sv.pow(2).sum()  # (H,): variance along each direction
    pc = (h[test] - mean) @ vh[:2].T  # (N, L, 2)
    st = sums[test]
    odd = (pc[..., 0] > 0) == (st % 2 == 1)  # (N, L): PC 1's sign vs the parity
    return {
        "config": {k: getattr(config, k) for k in ("min_len", "max_len", "steps")},
        "cluster_accuracy": (nearest == st)[:, span].float().mean().item(),
        "pca2_variance": share[:2].sum().item(),
        "pc1_parity": max(
            odd[:, span].float().mean(), 1 - odd[:, span].float().mean()
        ).item(),
        "drift": (own / torch.pdist(c9).min()).mean(dim=0).tolist(),  # (L,)
        "centroid_accuracy": (nearest == st).float().mean(dim=0).tolist(),  # (L,)
        "head_accuracy": (read == st).float().mean(dim=0).tolist(),  # (L,)
        "_pca": (pc, st),  # (N, L, 2), (N, L)
    }


@functools.cache
def measure() -> dict:
    """Every number and array the section shows, per model (see the module doc)."""
    with torch_threads(1):
        return {name: _analyse(trained(name), MODELS[name]) for name in MODELS}


def _draw_states(results: dict, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    axes = fig.subplots(len(results), len(_STEPS), squeeze=False)
    for row, (name, r) in zip(axes, results.items(), strict=True):
        xy, sums = r["_pca"]
        for ax, t in zip(row, _STEPS, strict=True):
            pts = ax.scatter(
                *xy[:_SHOWN, t - 1].T, c=sums[:_SHOWN, t - 1], cmap="tab10", s=8
            )
            pts.set_clim(-0.5, 9.5)
            ax.set_xticks([]), ax.set_yticks([])
        row[0].set_ylabel(name)
    for ax, t in zip(axes[0], _STEPS, strict=True):
        ax.set_title(f"step {t}")
    fig.colorbar(pts, ax=axes, ticks=range(10), label="running sum mod 10")
    return save_svg(fig, path, platform.describe())


def _draw_drift(results: dict, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    steps = range(1, _LONG + 1)
    for name, r in results.items():
        line = left.plot(steps, r["drift"], label=f"trained on {name}")[0]
        right.plot(steps, r["head_accuracy"], color=line.get_color())
    left.set(xscale="log", xlabel="step t", ylabel="distance to own sum's centroid")
    left.set_title("1 = closest two centroids' distance")
    right.set(
        xscale="log", xlabel="step t", ylabel="head reads h_t right", ylim=(0, 1.02)
    )
    right.axhline(0.1, color="0.5", ls=":", label="chance")
    for ax in (left, right):
        ax.grid(alpha=0.3), ax.legend()
    return save_svg(fig, path, platform.describe())


def _draw_gates(path: Path, length: int = 20) -> Path:
    from matplotlib.figure import Figure

    mostly_zeros = [0, 0, 0, 3, 0, 0, 7, 0, 0, 0, 5, 5] * 2
    ids = torch.tensor([mostly_zeros[:length], _sequences()[0][0, :length].tolist()])
    g = gate_traces(trained("lengths 1-20"), ids)  # each (N, L, H)
    fig = Figure(figsize=(WIDTH, 4.2), layout="constrained")
    axes = fig.subplots(2, len(ids), squeeze=False, sharey=True)
    steps = range(1, length + 1)
    for col, seq in enumerate(ids.tolist()):
        for ax, key in zip(axes[:, col], ("z", "r"), strict=True):
            lo, mid, hi = g[key][col].quantile(
                torch.tensor([0.1, 0.5, 0.9]), dim=-1
            )  # 3 x (L,): across the units
            ax.fill_between(steps, lo, hi, alpha=0.3, label="units' 10-90 %")
            ax.plot(steps, mid, marker="o", ms=3, label="median unit")
            ax.set_xticks(steps, [str(d) for d in seq])
            ax.set_ylabel(f"{key}_t")
            ax.grid(alpha=0.3)
        axes[0, col].set_title(f"sequence {col + 1}: digit read at each step")
    fig.legend(
        *axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=2
    )
    return save_svg(fig, path, platform.describe())


def gate_numbers(length: int = 200) -> dict:
    """Mean update gate `z_t` at steps that read a 0 and at the others (wide model)."""
    ids = _sequences()[0][:100, :length]  # (N, L)
    z = gate_traces(trained("lengths 1-20"), ids)["z"].mean(dim=-1)  # (N, L)
    return {
        "z_on_zero": z[ids == 0].mean().item(),
        "z_on_other": z[ids != 0].mean().item(),
    }


def _tables(results: dict, gates: dict) -> str:
    lines = []
    for key, (name, r) in zip(("short", "wide"), results.items(), strict=True):
        d, a, top = r["drift"], r["head_accuracy"], r["config"]["max_len"]
        lines += section(
            f"learned_{key}",
            [
                f"Trained on {name} ({r['config']['steps']:,} steps): the nearest "
                f"centroid names the running sum of {r['cluster_accuracy']:.2%} of the "
                f"held-out states at the training lengths. Two principal directions "
                f"carry {r['pca2_variance']:.0%} of their variance; the sign of the "
                f"first tells odd running sums from even ones for "
                f"{r['pc1_parity']:.1%} of them. The distance to its own sum's "
                f"centroid is "
                f"{d[top - 1]:.2f} at step {top}, "
                f"{d[99]:.2f} at step 100 and {d[-1]:.2f} at step 1000; the head reads "
                f"the running sum right at {a[99]:.1%} of step-100 states and "
                f"{a[-1]:.1%} of step-1000 states."
            ],
        )
    lines += section(
        "learned_gates",
        [
            f"Averaged over units and over 100 sequences of 200 steps, the update gate "
            f"is {gates['z_on_zero']:.2f} at steps that read a 0 and "
            f"{gates['z_on_other']:.2f} at the others."
        ],
    )
    return "\n".join(lines)


def _rounded(value):
    """Floats (and lists of them) to 4 decimals, for a small, readable JSON."""
    if isinstance(value, list):
        return [round(x, 4) for x in value]
    return round(value, 4) if isinstance(value, float) else value


def redraw(out_dir: Path | None = None, results_dir: Path | None = None) -> list[Path]:
    """Train (once per process), measure, and write the figures, `learned.json` and
    `learned_tables.md`."""
    out_dir, results_dir = out_dir or paths.figures(), results_dir or paths.results()
    results = measure()
    with torch_threads(1):
        gates = gate_numbers()
    public = {
        name: {k: _rounded(v) for k, v in r.items() if not k.startswith("_")}
        for name, r in results.items()
    }
    numbers = results_dir / "learned.json"
    gates = {k: round(v, 4) for k, v in gates.items()}
    made_on = platform.describe()  # trained here: the numbers follow the platform
    record = {"made on": made_on, "models": public, "gates": gates}
    write_output(numbers, (json.dumps(record, indent=1) + "\n").encode())
    tables = results_dir / "learned_tables.md"
    made = f"<!-- made on {made_on} -->\n"
    write_output(tables, (made + _tables(results, gates)).encode())
    # text >= 11 px as shown; one thread, as the numbers
    with matplotlib.rc_context({"font.size": SMALLEST + 0.5}), torch_threads(1):
        return [
            _draw_states(results, out_dir / FIGURES[0]),
            _draw_drift(results, out_dir / FIGURES[1]),
            _draw_gates(out_dir / FIGURES[2]),
            numbers,
            tables,
        ]
