"""The `classifier_compile` part of `rnn-ref bench` and its tables. No timing is
asserted: timings never pass or fail tests."""

import json

import pytest
import torch

from rnn_ref.experiments.bench import BenchConfig
from rnn_ref.experiments.bench_classifier import VARIANTS, bench_classifier_compile
from rnn_ref.site import bench_report, paths


def test_quick_run_skips_it_and_says_so():
    assert bench_classifier_compile(BenchConfig.quick(), "cpu", None, None) == {}
    text = _tables({})
    for name in ("classifier_graphs", "classifier_compile"):
        start = text.index(f"[start:{name}]")
        assert text[start : text.index(f"[end:{name}]")].count("Not measured") == 1


def _tables(part: dict) -> str:
    """The bench tables of the committed results with this `classifier_compile` part."""
    results = json.loads((paths.results() / "bench.json").read_text())
    return bench_report.render_tables({**results, "classifier_compile": part})


@pytest.mark.slow
def test_tiny_run(check_bench_results):
    """Smoke: tiny sizes, every variant (the padded one compiles C++: a minute)."""
    cfg = BenchConfig(training_repeats=1, classifier_compile=(4, 4, 2, 3, 4))
    ticks = []
    part = bench_classifier_compile(
        cfg, torch.device("cpu"), lambda: None, lambda: ticks.append(1)
    )
    assert len(ticks) == 2
    explain = part["explain"]
    assert len(explain["packed"]["graph_ops"]) == 1
    assert len(explain["packed"]["break_reasons"]) == 1
    assert explain["padded"] == {"graph_ops": [], "break_reasons": []}
    assert len(explain["padded_allow_rnn"]["graph_ops"]) == 1
    assert list(part["training"]) == list(VARIANTS)
    for name in ("compiled_packed", "compiled_padded"):
        assert part["training"][name]["graphs_compiled"] >= 1
    # one fixed padded length: one graph
    assert part["training"]["compiled_padded"]["graphs_compiled"] == 1
    check_bench_results(
        {"machine": {"cpu": "x", "torch_threads": 1, "torch": "t", "device": "cpu",
                     "date": "d"},
         "part": {k: v for k, v in part.items() if k != "explain"},
         "ratio": 1.0},
        ["part", "ratio"],
    )  # fmt: skip
    text = _tables(part)
    assert "| packed (`model(ids, lengths)`) | 1 | 1 | 1 |" in text
    assert "| compiled, padded to the longest length, `allow_rnn` |" in text
