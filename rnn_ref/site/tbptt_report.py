"""The truncated-BPTT page's tables, from `tbptt.json` and `lm.json`.

`render_tables` writes `tbptt_tables.md` (one named section per table or sentence, which
`docs/truncated-bptt.md` includes); `verdicts` is what the sentences claim, read from
the same JSON by the same code, so the claim tests check exactly what the page prints.
`redraw` does both files; `rnn-ref tbptt --redraw` and `rnn-ref regen` call it.
"""

from __future__ import annotations

import html
import json
import statistics
from pathlib import Path

from rnn_ref.rundir import write_output
from rnn_ref.site import paths
from rnn_ref.site.markdown import section, table

__all__ = ["LEARNED", "CHANCE_BELOW", "verdicts", "render_tables", "redraw"]

LEARNED = 0.9  # accuracy every seed must reach for "learned"
CHANCE_BELOW = 0.4  # and stay under for "not learned" (chance: 0.25)


def _mean(xs: list[float]) -> float:
    return statistics.fmean(xs)


def verdicts(results: dict) -> dict:
    """What the page says, computed from the results: per (d, k) pair the accuracies
    and whether every seed learned (`True`), none did (`False`) or neither (`None`)."""
    pairs: dict[tuple[int, int], list[float]] = {}
    for r in results["delay"]:
        pairs.setdefault((r["d"], r["k"]), []).append(r["accuracy"])
    delay = {}
    for (d, k), accs in pairs.items():
        learned = (
            True
            if min(accs) >= LEARNED
            else False
            if max(accs) < CHANCE_BELOW
            else None
        )
        delay[(d, k)] = {"accuracies": accs, "learned": learned}
    growth = results["growth"]
    carry = {c: [r for r in results["carry"] if r["carry"] == c] for c in (False, True)}
    h0 = {h: [r for r in results["h0"] if r["learned"] == h] for h in (False, True)}
    return {
        "delay": delay,
        "learned_iff_k_above_d": all(
            v["learned"] is (k > d) for (d, k), v in delay.items()
        ),
        "nodes_constant_with_detach": len({r["nodes"] for r in growth["detach"]}) == 1,
        "nodes_grow_without_detach": all(
            b["nodes"] > a["nodes"]
            for a, b in zip(growth["no_detach"], growth["no_detach"][1:], strict=False)
        ),
        "reset": {
            "from_zeros": [r["from_zeros"] for r in carry[False]],
            "from_carried": [r["from_carried"] for r in carry[False]],
        },
        "carry": {
            "from_zeros": [r["from_zeros"] for r in carry[True]],
            "from_carried": [r["from_carried"] for r in carry[True]],
        },
        "h0": {
            h: {
                key: [r[key] for r in h0[h]] for key in ("step0", "step0_loss", "later")
            }
            for h in (False, True)
        },
    }


def _pct(xs: list[float]) -> str:
    return " / ".join(f"{x:.0%}" for x in xs)


def render_tables(results: dict, lm: dict | None = None) -> str:
    """Markdown for the page, one named section per table or sentence."""
    v, seeds = verdicts(results), results["seeds"]
    machine = results["machine"]
    lines = section(
        "machine",
        [
            f"Measured by `rnn-ref tbptt` on the CPU ({machine['cpu']}, torch "
            f"{machine['torch']}, {machine['torch_threads']} thread), seeds 0 to "
            f"{seeds - 1}: {results['wall_seconds']:.0f} s wall on a shared machine "
            f"(load average {machine['load_average_at_end']} at the end)."
        ],
    )
    no, yes = results["growth"]["no_detach"], results["growth"]["detach"]
    rows = [
        [
            str(a["chunk"]),
            f"{a['nodes']:,}",
            f"{a['saved_bytes']:,}",
            f"{a['seconds'] * 1000:.0f}",
            f"{b['nodes']:,}",
            f"{b['saved_bytes']:,}",
            f"{b['seconds'] * 1000:.0f}",
        ]
        for a, b in zip(yes, no, strict=True)
    ]
    lines += section(
        "growth",
        table(
            [
                "chunk",
                "detach: nodes",
                "saved bytes",
                "ms",
                "no detach: nodes",
                "saved bytes",
                "ms",
            ],
            rows,
        ),
    )
    ratio = no[-1]["seconds"] / yes[-1]["seconds"]
    lines += section(
        "growth_sentence",
        [
            f"After {len(no)} chunks the undetached loss reaches {no[-1]['nodes']:,} "
            f"autograd nodes ({no[-1]['nodes'] / no[0]['nodes']:.1f} times the first "
            f"chunk's) holding {no[-1]['saved_bytes']:,} bytes of saved tensors "
            f"({no[-1]['saved_bytes'] / no[0]['saved_bytes']:.1f} times); with "
            f"`detach()` every chunk reaches {yes[-1]['nodes']:,} nodes. Its last step "
            f"took {ratio:.1f} times as long as the detached one (one measurement on a "
            "shared machine: the node counts are exact, the times are not)."
        ],
    )
    rows = []
    for (d, k), p in sorted(v["delay"].items()):
        verdict = {True: "learned", False: "not learned", None: "unclear"}[p["learned"]]
        rows.append(
            [str(d), str(k), _pct(p["accuracies"]), f"{_mean(p['accuracies']):.0%}"]
            + [verdict]
        )
    lines += section(
        "delay",
        table(
            ["d", "k", f"accuracy, seeds 0-{seeds - 1}", "mean", "verdict"],
            rows,
        ),
    )
    holds = "holds" if v["learned_iff_k_above_d"] else "does NOT hold"
    lines += section(
        "delay_sentence",
        [
            f"Learned means every seed reaches {LEARNED:.0%} on a fresh stream, not "
            f"learned that none reaches {CHANCE_BELOW:.0%} (chance is 25 %). The rule "
            f"*learned exactly when k > d* {holds} for all {len(v['delay'])} pairs."
        ],
    )
    r, c = v["reset"], v["carry"]
    lines += section(
        "carry",
        table(
            ["training", "tested from zeros", "tested from a carried state"],
            [
                [
                    "state reset to zeros",
                    _pct(r["from_zeros"]),
                    _pct(r["from_carried"]),
                ],
                ["state carried over", _pct(c["from_zeros"]), _pct(c["from_carried"])],
            ],
        ),
    )
    h = v["h0"]
    lines += section(
        "h0",
        table(
            ["initial state", "accuracy at step 0", "loss at step 0", "after step 0"],
            [
                [
                    name,
                    _pct(h[key]["step0"]),
                    " / ".join(f"{x:.3f}" for x in h[key]["step0_loss"]),
                    _pct(h[key]["later"]),
                ]
                for name, key in (("zeros", False), ("learned `h0`", True))
            ],
        ),
    )
    if lm is not None:
        lines += _lm_sections(lm)
    return "\n".join(lines)


def _lm_sections(lm: dict) -> list[str]:
    c, f, m = lm["config"], lm["final"], lm["machine"]
    best = min(lm["metrics"], key=lambda x: x["val_loss"])
    lines = section(
        "lm_result",
        [
            f"`{lm['command']}`: a {c['cell'].upper()} with {c['hidden_size']} units "
            f"({lm['parameters']:,} parameters), {c['steps']:,} steps of "
            f"{c['batch_size']} streams × k = {c['bptt']} characters. It reached a "
            f"validation loss of **{f['val_loss']:.3f} nats per character** "
            f"({f['val_bpc']:.2f} bits; the best evaluation, step {best['step']:,}, "
            f"{best['val_loss']:.3f}) in **{f['cpu_seconds']:.0f} s of CPU time** "
            f"({f['seconds']:.0f} s wall, on a shared machine with load "
            f"{m['load_average_at_end']} at the end) on {m['cpu']} with "
            f"{m['torch_threads']} thread, torch {m['torch']}."
        ],
    )
    rows = [
        [
            f"{x['step']:,}",
            f"{x['train_loss']:.3f}",
            f"{x['val_loss']:.3f}",
            f"{x['val_bpc']:.2f}",
            f"{x['cpu_seconds']:.0f}",
        ]
        for x in lm["metrics"]
    ]
    lines += section(
        "lm_curve",
        table(["step", "training loss", "validation loss", "bits/char", "CPU s"], rows),
    )
    for t, text in lm["samples"].items():
        lines += section(
            f"lm_sample_{t.replace('.', '_')}",
            [
                f"Temperature {t}:",
                "",
                f'<pre class="lm-sample">{html.escape(text)}</pre>',
            ],
        )
    return lines


def redraw(
    json_path: Path | None = None,
    lm_path: Path | None = None,
    results: dict | None = None,
) -> list[Path]:
    """Re-render tbptt_tables.md (beside the JSON) from tbptt.json (or `results`, what
    it holds) and lm.json."""
    json_path = json_path or paths.results() / "tbptt.json"
    lm_path = lm_path or json_path.with_name("lm.json")
    results = results or json.loads(json_path.read_text())
    lm = json.loads(lm_path.read_text()) if lm_path.is_file() else None
    tables = json_path.with_name("tbptt_tables.md")
    write_output(tables, render_tables(results, lm).encode())
    return [tables]
