"""The Performance page shows the committed bench results: tables and figures redraw
from the JSON, and the page's commentary holds for it."""

import json

from rnn_ref.experiments.bench import PARTS
from rnn_ref.site import bench_report, paths
from rnn_ref.site.bench_tables import targets
from rnn_ref.site.words import packing_headline, rise_word, speed_word

DEFAULT_OUT = paths.results() / "bench.json"
ROOT = paths.root()


def test_committed_tables_are_rendered_from_committed_json(check_bench_results):
    results = json.loads(DEFAULT_OUT.read_text())
    committed = bench_report.tables_path(DEFAULT_OUT).read_text()
    assert committed == bench_report.render_tables(results), (
        "run `rnn-ref bench --redraw`"
    )
    assert results["quick"] is False  # the site shows the full run
    check_bench_results(results, PARTS)


def test_committed_figures_redraw_byte_for_byte(tmp_path, assert_same_svg):
    results = json.loads(DEFAULT_OUT.read_text())
    fresh = bench_report.draw_figures(results, tmp_path)
    assert [p.name for p in fresh] == ["bench_padding.svg", "scan_sweep.svg"]
    for new in fresh:
        assert_same_svg(new, paths.figures() / new.name, "rnn-ref bench --redraw")


def test_page_commentary_holds_for_the_committed_results():
    """docs/performance.md comments on the measurements in words; each sentence is
    checked here against the committed bench.json, so a rerun that contradicts the prose
    fails until it is rewritten."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text().replace("\n", " ")
    mixes = {m: v["variants"] for m, v in r["training"]["mixes"].items()}
    speed = {
        m: {k: x["speedup_vs_random_padded"] for k, x in v.items()}
        for m, v in mixes.items()
    }
    modes = r["packed"]["modes"].values()
    scan = [row["loop_over_scan"] for row in r["scan"]]
    hoisted_fb = r["rnn"][-1]["forward_backward"]["ratio_to_torch"]
    rnn_rows, compiled = r["rnn"], r["compile"]
    by_size = sorted(r["rnn"], key=lambda row: row["shape"]["H"])
    wide_matmul = by_size[-1]["forward"]["fraction_of_matmul"]["torch"]
    thin = max(r["rnn"], key=lambda row: row["shape"]["T"])
    thin_matmul = thin["forward"]["fraction_of_matmul"]["torch"]
    claims = {
        (
            "was at most 1.00× torch's CPU kernels forward+backward on every shape, "
            "which meets the target"
        ): all(
            row["forward_backward"]["ratio_to_torch"]["hoisted"] <= 1
            for row in rnn_rows
        ),
        "forward alone it was slower than torch on the two shorter shapes": all(
            row["forward"]["ratio_to_torch"]["hoisted"] > 1 for row in rnn_rows[:2]
        ),
        (
            "the same eager loop, timed again in the compile part below, came out "
            "slower than torch on that shape"
        ): compiled[1]["ratio_to_torch"]["eager"] > 1,
        "the hoisted forward+backward took less than half the naive one's time": (
            hoisted_fb["hoisted"] < hoisted_fb["naive"] / 2
        ),
        "bucketed and padded (read at the last real step) was fastest": all(
            max(v, key=v.get) == "bucketed_padded" for v in speed.values()
        ),
        (
            "torch's packed path was slower than the padded run for every cell, "
            "several times slower for the gated cells"
        ): all(m["torch_packed_over_padded"] > 1.5 for m in modes)
        and min(
            r["packed"]["modes"][c]["torch_packed_over_padded"] for c in ("GRU", "LSTM")
        )
        >= 3,
        "beat torch's packed path for every cell": all(
            m["ours_over_torch_packed"] < 1 for m in modes
        ),
        "beat the padded run for every cell, the plain RNN included": all(
            m["ours_over_padded"] < 1 for m in modes
        ),
        (
            "Inductor left every matrix product to the library (`addmm` or `mm` in "
            "every graph) and fused only the elementwise work around them"
        ): all(
            g["extern"] and not any("mm" in k for k in g["fused"])
            for row in compiled
            for c in row["compile"].values()
            for g in c["graphs"]
        ),
        "for the step, the `tanh` forward and its backward": {
            k for g in compiled[0]["compile"]["step"]["graphs"] for k in g["fused"]
        }
        == {"cpp_fused_tanh", "cpp_fused_tanh_backward"},
        "the compiled variants did not reach the target": not any(
            t["met"] for t in targets(r) if "compiled" in t["target"]
        ),
        "the whole loop ran at most 15% faster than the eager loop": all(
            0.85 <= row["ratio_to_torch"]["whole"] / row["ratio_to_torch"]["eager"] < 1
            for row in compiled
            if "whole" in row["ratio_to_torch"]
        ),
        (
            "the step-only variant was slower than the eager loop on every shape, most "
            "on the shapes whose steps are smallest"
        ): all(
            row["ratio_to_torch"]["step"] > row["ratio_to_torch"]["eager"]
            for row in compiled
        )
        and min(
            compiled[0]["ratio_to_torch"]["step"], compiled[2]["ratio_to_torch"]["step"]
        )
        > compiled[1]["ratio_to_torch"]["step"],
        (
            "compiling the whole loop took several times longer than compiling the step"
        ): compiled[0]["compile"]["whole"]["first_call_s"]
        > 3 * compiled[0]["compile"]["step"]["first_call_s"],
        "The compile target is the one not met": [
            t["target"] for t in targets(r) if not t["met"]
        ]
        == [t["target"] for t in targets(r) if "compiled" in t["target"]],
        (
            "The scan beat the loop at every length but the shortest, "
            "where the two are about equal"
        ): all(x > 1 for x in scan[1:]) and 0.8 < scan[0] < 1.25,
        "**nothing in this section is measured**": r["machine"]["device"] == "cpu",
        # added by the claims audit: sentences that had no check
        "of a plain matmul's FLOP/s, the long thin one under a tenth of it": (
            wide_matmul > 0.5 and thin_matmul < 0.1
        ),
        "Bucketed batches carry almost no padding on either mix": all(
            mixes[m]["bucketed_padded"]["padding_efficiency"] > 0.95 for m in mixes
        ),
        "where a random batch is mostly padding": (
            mixes["heavy_tail"]["random_padded"]["padding_efficiency"] < 0.5
        ),
        "bucketing multiplied the throughput several times over, padded or packed": (
            speed["heavy_tail"]["bucketed_padded"] >= 3
            and speed["heavy_tail"]["bucketed_packed"]
            >= 3 * speed["heavy_tail"]["random_packed"]
        ),
        "so its advantage shrinks": scan[-1] < max(scan),
        "by the most for the gated cells": max(
            r["packed"]["modes"][c]["ours_over_torch_packed"] for c in ("GRU", "LSTM")
        )
        < r["packed"]["modes"]["RNN"]["ours_over_torch_packed"],
    }
    missing = [c for c in claims if c not in page]
    assert not missing, f"update this test with the page's wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the committed bench results contradict the page: {false}"


def test_generated_comparisons_follow_the_word_rules():
    """The Performance page's generated sentences about packing and `xp[t]` say what
    the word rules say about the committed numbers, as strictly as the words read:
    "faster than" means at least 5 % more tokens/s (`speed_word`), "rose at every
    length" a rise from each length to the next (`rise_word`)."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text()
    tables = " ".join(bench_report.tables_path(DEFAULT_OUT).read_text().split())
    for name in ("indexing_sentence", "packing_speed"):
        assert f'bench_tables.md:{name}"' in page
    speed = {
        m: {k: x["speedup_vs_random_padded"] for k, x in v["variants"].items()}
        for m, v in r["training"]["mixes"].items()
    }
    ratios = []
    for mix in speed.values():
        for plan in ("random", "bucketed"):
            x = mix[f"{plan}_packed"] / mix[f"{plan}_padded"]
            ratios.append(x)
            assert f"{plan} packed was {speed_word(x)} {plan} padded" in tables
    heavy = speed["heavy_tail"]["random_packed"]
    assert heavy > 1.05 and speed_word(heavy) == "faster than"  # 1.22: not "close"
    headline = packing_headline(ratios)
    assert headline == "correctness, and speed only sometimes"
    assert f"**On CPU, packing buys {headline}.**" in tables
    over = [row["index_over_unbind"] for row in r["indexing"]]
    assert all(b > a for a, b in zip(over, over[1:], strict=False))
    assert f"relative to `unbind` {rise_word(over, 'length')} measured" in tables
    assert "rose at every length" in tables
    worst = max(row["ratio_to_torch"]["unbind"] for row in r["indexing"])
    assert f"took at most {worst:.2f}× the time of `nn.RNN` at every length" in tables


def test_deployment_commentary_holds_for_the_committed_results():
    """docs/deployment.md comments on the classifier_compile measurements in words;
    each sentence is checked against the committed bench.json."""
    t = json.loads(DEFAULT_OUT.read_text())["classifier_compile"]["training"]
    page = (ROOT / "docs" / "deployment.md").read_text().replace("\n", " ")

    def steps(k):  # recurrent steps computed per second, padding included
        return t[k]["tokens_per_s"] / t[k]["padding_efficiency"]

    claims = {
        "On this CPU, compiling did not pay.": all(
            t[k]["speedup_vs_eager"] <= 1.05
            for k in ("compiled_packed", "compiled_padded")
        ),
        "Compiling the packed classifier left its training speed within 5% of eager": (
            abs(t["compiled_packed"]["speedup_vs_eager"] - 1) <= 0.05
        ),
        "The compiled padded variant was slower than the eager padded one": (
            t["compiled_padded"]["speedup_vs_eager"] < 1
        ),
        "Its 2 graphs are one graph compiled twice": (
            t["compiled_packed"]["graphs_compiled"] == 2
        ),
        "a padding efficiency of 0.53 against 0.96 for bucketed batches": (
            f"{t['compiled_padded']['padding_efficiency']:.2f}" == "0.53"
            and f"{t['eager_padded']['padding_efficiency']:.2f}" == "0.96"
        ),
        "per computed step it was faster: it computed 1.53 times as many steps": (
            f"{steps('compiled_padded') / steps('eager_padded'):.2f}" == "1.53"
        ),
        "71 s for a single length": (
            f"{t['compiled_padded']['first_pass_s']:.0f}" == "71"
            and t["compiled_padded"]["graphs_compiled"] == 1
        ),
        "The fastest variant was the eager padded classifier on bucketed batches": (
            max(t, key=lambda k: t[k]["tokens_per_s"]) == "eager_padded"
        ),
    }
    missing = [c for c in claims if c not in page]
    assert not missing, f"update this test with the page's wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the committed bench results contradict the page: {false}"
