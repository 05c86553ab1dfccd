"""The `classifier_compile` part's tables, rendered from the bench JSON alone.

Two named sections the Deploying page includes: `classifier_graphs` (what
`torch._dynamo.explain` found in the classifier's forward) and `classifier_compile`
(training tokens/s compiled vs eager, compile time apart). `rnn_ref.site.bench_tables`
puts them into the tables file.
"""

from __future__ import annotations

from rnn_ref.site.markdown import section, table

__all__ = ["classifier_sections"]

_FORWARDS = {
    "packed": "packed (`model(ids, lengths)`)",
    "padded": "padded (`padded_logits`)",
    "padded_allow_rnn": "padded, `allow_rnn=True`",
}
_VARIANTS = {
    "eager_packed": "eager, packed",
    "compiled_packed": "compiled, packed",
    "eager_padded": "eager, padded",
    "compiled_padded": "compiled, padded to the longest length, `allow_rnn`",
}


def classifier_sections(part: dict, run: dict | None = None) -> list[str]:
    """The two sections; a line saying so when not measured.

    Args:
        part: `results["classifier_compile"]`.
        run: `results["separate_runs"]["classifier_compile"]` when the part was
            measured on its own (`rnn-ref bench --only`), to name its machine.
    """
    if not part:
        absent = ["Not measured in this run (the quick run skips torch.compile)."]
        return section("classifier_graphs", absent) + section(
            "classifier_compile", absent
        )
    rows = [
        [
            label,
            str(len(part["explain"][name]["graph_ops"])),
            ", ".join(str(n) for n in part["explain"][name]["graph_ops"]) or "–",
            str(len(part["explain"][name]["break_reasons"])),
            "; ".join(part["explain"][name]["break_reasons"]) or "–",
        ]
        for name, label in _FORWARDS.items()
    ]
    graphs = table(["forward", "graphs", "ops per graph", "breaks", "reason"], rows) + [
        "",
        "*breaks* counts the break reasons `torch._dynamo.explain` reported "
        "(`len(break_reasons)`), not its `graph_break_count`.",
    ]
    t = part["training"]
    rows = []
    for name, label in _VARIANTS.items():
        v = t[name]
        compiled = name.startswith("compiled")
        rows.append(
            [
                label,
                f"{v['tokens_per_s']:,.0f}",
                f"{v['speedup_vs_eager_packed']:.2f}×",
                f"{v['speedup_vs_eager']:.2f}×" if compiled else "",
                f"{v['padding_efficiency']:.2f}",
                f"{v['first_pass_s']:.0f} ({v['graphs_compiled']})" if compiled else "",
            ]
        )
    m = part["model"]
    where = ""
    if run is not None:
        mm = run["machine"]
        where = (
            f" Measured on its own by `rnn-ref bench --only classifier_compile` "
            f"({run['elapsed_s']} s) on {mm['date']}: {mm['device_name']}, torch "
            f"{mm['torch']}, {mm['torch_threads']} thread(s), load average "
            f"{mm['load_average_at_start']} at the start, "
            f"{mm.get('load_average_at_end', '?')} at the end."
        )
    speed = [
        f"Training steps (Adam, forward+backward) of a {m['cell'].upper()} classifier, "
        f"hidden size {m['hidden_size']}, batches of {part['batch_size']} bucketed "
        f"by length from uniform lengths up to {part['max_len']}, "
        f"{part['timed_batches']} batches timed; every variant in the same rounds."
        + where,
        "",
        *table(
            [
                "variant",
                "tokens/s",
                "vs eager packed",
                "vs its eager variant",
                "padding efficiency",
                "first pass, s (graphs compiled)",
            ],
            rows,
        ),
        "",
        "*graphs compiled* counts the graphs dynamo compiled in the first pass "
        "(`unique_graphs`), recompiles for a new shape included.",
    ]
    return section("classifier_graphs", graphs) + section("classifier_compile", speed)
