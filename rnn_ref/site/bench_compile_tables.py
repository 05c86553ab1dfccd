"""The `compile` part's tables and target, rendered from the bench JSON alone.

Two named sections the Performance page includes: `compile` (ratios to `nn.RNN` and
compile times, per shape) and `fused` (what inductor generated for the first shape:
its fused C++ kernels and the library calls it kept). `rnn_ref.site.bench_tables` puts
them into the tables file and the target into the targets table.
"""

from __future__ import annotations

from rnn_ref.site.markdown import section, table

__all__ = ["compile_sections", "compile_target"]

_NAMES = {"step": "step only", "whole": "whole loop"}


def _shape(s: dict) -> str:
    return f"({s['T']}, {s['N']}, {s['H_in']}, {s['H']}, {s['layers']})"


def _best(row: dict) -> tuple[str, float]:
    """The faster compiled variant of a row and its ratio to torch."""
    r = row["ratio_to_torch"]
    return min(((k, r[k]) for k in _NAMES if k in r), key=lambda kv: kv[1])


def compile_target(rows: list[dict]) -> dict:
    """The issue's target: compiled forward+backward <= 0.8× `nn.RNN`, 2 of 3 shapes."""
    best = [_best(row) for row in rows]
    return {
        "target": (
            "compiled reference forward+backward <= 0.8× torch (at least 2 of the "
            "3 shapes, the faster of whole loop and step only)"
        ),
        "measured": ", ".join(f"{v:.2f}× ({_NAMES[k]})" for k, v in best),
        "met": sum(v <= 0.8 for _, v in best) >= 2,
    }


def _kernels(counts: dict) -> str:
    return ", ".join(
        f"`{name}`" + (f" ×{n}" if n > 1 else "") for name, n in counts.items()
    )


def compile_sections(rows: list[dict]) -> list[str]:
    """The `compile` and `fused` sections; a line saying so when not measured."""
    if not rows:
        absent = ["Not measured in this run (the quick run skips torch.compile)."]
        return section("compile", absent) + section("fused", absent)
    body = []
    for row in rows:
        r, c = row["ratio_to_torch"], row["compile"]
        body.append(
            [
                _shape(row["shape"]),
                f"{r['eager']:.2f}×",
                *(f"{r[k]:.2f}×" if k in r else "not run" for k in _NAMES),
                *(f"{c[k]['first_call_s']:.0f}" if k in c else "" for k in _NAMES),
                f"{row['median_s']['torch'] * 1e3:.1f}",
            ]
        )
    lines = section(
        "compile",
        [
            "Forward+backward, ratios to `nn.RNN` (below 1.00× is faster), and the "
            "first call of each compiled variant (compile, into an empty cache).",
            "",
            *table(
                [
                    "(T, N, H_in, H, layers)",
                    "eager / torch",
                    "step only / torch",
                    "whole loop / torch",
                    "step compile (s)",
                    "whole compile (s)",
                    "torch (ms)",
                ],
                body,
            ),
        ],
    )
    first = rows[0]
    fused = []
    for name, c in first["compile"].items():
        for g in c["graphs"]:
            fused.append(
                [
                    _NAMES[name],
                    g["pass"],
                    str(sum(g["fused"].values())),
                    _kernels(g["fused"]) if name == "step" else "",
                    _kernels(g["extern"]),
                ]
            )
    lines += section(
        "fused",
        [
            f"What inductor generated for {_shape(first['shape'])}: fused C++ kernels "
            "(their names list the operations fused into each; listed for the step, "
            "counted for the whole loop) and the calls left to library kernels, one "
            "row per compiled graph.",
            "",
            *table(
                ["variant", "graph", "fused kernels", "kernels", "library calls"],
                fused,
            ),
        ],
    )
    return lines
