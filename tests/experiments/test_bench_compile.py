"""The `compile` part of the bench: its code summary reads inductor's output, and a
tiny compiled run (slow: the C++ compiler runs) gives the reference's values."""

import json

import pytest
import torch
from torch import nn

from rnn_ref.experiments.bench import BenchConfig, RNNShape
from rnn_ref.experiments.bench_compile import (
    _rnn_step,
    _step_loop,
    bench_compile,
    summarise_code,
)
from rnn_ref.site import bench_report, paths
from rnn_ref.site.bench_tables import targets

CODE = '''
def call(args):
    primals_1, tangents_1 = args
cpp_fused_tanh_0 = async_compile.cpp_pybinding(['float*'], r"""
cpp_fused_add_tanh_1 = async_compile.cpp_pybinding(['float*'], r"""
cpp_fused_add_tanh_2 = async_compile.cpp_pybinding(['float*'], r"""
        extern_kernels.addmm(primals_1, primals_2, primals_3, alpha=1, beta=1, out=buf0)
        extern_kernels.mm(buf0, permute, out=buf1)
'''


def test_summarise_code_counts_fused_kernels_and_library_calls():
    assert summarise_code([CODE, ""]) == {
        "graphs": [
            {
                "pass": "backward",
                "fused": {"cpp_fused_tanh": 1, "cpp_fused_add_tanh": 2},
                "extern": {"addmm": 1, "mm": 1},
            },
            {"pass": "forward", "fused": {}, "extern": {}},
        ]
    }


def test_step_loop_is_the_reference():
    rnn = nn.RNN(3, 5, num_layers=2, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    out, h_n = _step_loop(rnn, x, _rnn_step)
    expected_out, expected_h = rnn(x)
    torch.testing.assert_close(out, expected_out, rtol=0, atol=1e-12)
    torch.testing.assert_close(h_n, expected_h, rtol=0, atol=1e-12)


def _row(step, whole=None):
    ratios = {"torch": 1.0, "eager": 0.9, "step": step}
    if whole is not None:
        ratios["whole"] = whole
    return {
        "shape": dict(T=5, N=2, H_in=3, H=4, layers=1),
        "ratio_to_torch": ratios,
        "median_s": {"torch": 1e-3},
        "compile": {
            "step": {
                "first_call_s": 9.0,
                "graphs": [
                    {
                        "pass": "forward",
                        "fused": {"cpp_fused_tanh": 1},
                        "extern": {"addmm": 1},
                    },
                    {
                        "pass": "backward",
                        "fused": {"cpp_fused_tanh_backward": 1},
                        "extern": {"mm": 2},
                    },
                ],
            }
        },
    }


def _compile_target(rows):
    (target,) = targets({"compile": rows})
    return target


def test_compile_target_takes_the_faster_variant_and_needs_two_shapes():
    assert _compile_target([_row(0.7), _row(1.2, whole=0.8), _row(0.9)])["met"]
    assert not _compile_target([_row(0.7), _row(0.81), _row(0.9)])["met"]
    assert _compile_target([_row(0.7), _row(1.2, whole=0.8)])["measured"] == (
        "0.70× (step only), 0.80× (whole loop)"
    )


def test_compile_tables_render_a_row_without_the_whole_loop():
    results = json.loads((paths.results() / "bench.json").read_text())
    text = bench_report.render_tables({**results, "compile": [_row(0.7)]})
    assert "| (5, 2, 3, 4, 1) | 0.90× | 0.70× | not run | 9 |  | 1.0 |" in text
    assert "| step only | forward | 1 | `cpp_fused_tanh` | `addmm` |" in text
    assert "| step only | backward | 1 | `cpp_fused_tanh_backward` | `mm` ×2 |" in text
    assert "the step-only variant was slower than the eager loop on" in text


@pytest.mark.slow
def test_tiny_compiled_run():
    """Smoke: one tiny shape, both variants compiled (about a minute of C++)."""
    cfg = BenchConfig(repeats=1, compile_shapes=(RNNShape(3, 2, 3, 4, 1),))
    torch.manual_seed(0)
    (row,) = bench_compile(cfg, torch.device("cpu"), lambda: None, lambda: None)
    assert set(row["ratio_to_torch"]) == {"torch", "eager", "step", "whole"}
    for variant in ("step", "whole"):
        graphs = row["compile"][variant]["graphs"]
        assert {g["pass"] for g in graphs} == {"forward", "backward"}
        assert all(g["fused"] for g in graphs)  # inductor fused something in each
        assert row["compile"][variant]["first_call_s"] > 0
