"""The Performance page shows the committed bench results: tables and figures redraw
from the JSON, and the page's commentary holds for it."""

import json

from rnn_ref.experiments.bench import PARTS
from rnn_ref.site import bench_report, paths

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
    rnn = [
        row[p]["ratio_to_torch"]
        for row in r["rnn"]
        for p in ("forward", "forward_backward")
    ]
    mixes = {m: v["variants"] for m, v in r["training"]["mixes"].items()}
    speed = {
        m: {k: x["speedup_vs_random_padded"] for k, x in v.items()}
        for m, v in mixes.items()
    }
    modes = r["packed"]["modes"].values()
    scan = [row["loop_over_scan"] for row in r["scan"]]
    hoisted_fb = r["rnn"][-1]["forward_backward"]["ratio_to_torch"]
    uniform = speed["uniform"]
    by_size = sorted(r["rnn"], key=lambda row: row["shape"]["H"])
    wide_matmul = by_size[-1]["forward"]["fraction_of_matmul"]["torch"]
    thin = max(r["rnn"], key=lambda row: row["shape"]["T"])
    thin_matmul = thin["forward"]["fraction_of_matmul"]["torch"]
    claims = {
        "both Python loops were slower than torch's CPU kernels on every shape": all(
            x["naive"] > 1 and x["hoisted"] > 1 for x in rnn
        ),
        "the hoisted forward+backward is far closer to torch than the naive one": (
            hoisted_fb["hoisted"] < hoisted_fb["naive"]
        ),
        "With `xp[t]` the cost relative to `unbind` grows with $T$": (
            r["indexing"][-1]["index_over_unbind"]
            > r["indexing"][0]["index_over_unbind"]
        ),
        (
            "On the uniform mix, long sequences, packing was slower than padding, "
            "random or bucketed"
        ): (
            uniform["random_packed"] < 1
            and uniform["bucketed_packed"] < uniform["bucketed_padded"]
        ),
        "the skipped padding outweighed it for random batches": (
            speed["heavy_tail"]["random_packed"] > 1
        ),
        "bucketed and padded (read at the last real step) was fastest": all(
            max(v, key=v.get) == "bucketed_padded" for v in speed.values()
        ),
        (
            "torch's packed path was several times slower than the padded run "
            "for every cell"
        ): all(m["torch_packed_over_padded"] >= 2 for m in modes),
        "beat torch's packed path for every cell": all(
            m["ours_over_torch_packed"] < 1 for m in modes
        ),
        "our loop was slower than padding": (
            r["packed"]["modes"]["RNN"]["ours_over_padded"] > 1
        ),
        (
            "The scan beat the loop at every length but the shortest, "
            "where the two are about equal"
        ): all(x > 1 for x in scan[1:]) and 0.8 < scan[0] < 1.25,
        "**nothing in this section is measured**": r["machine"]["device"] == "cpu",
        # added by the claims audit: sentences that had no check
        "wide shape gets about half of a plain matmul's FLOP/s, "
        "the long thin one a few percent of it": (
            0.35 < wide_matmul < 0.65 and thin_matmul < 0.1
        ),
        "Bucketed batches carry almost no padding on either mix": all(
            mixes[m]["bucketed_padded"]["padding_efficiency"] > 0.95 for m in mixes
        ),
        "bucketing multiplied the throughput several times over, padded or packed": (
            speed["heavy_tail"]["bucketed_padded"] >= 3
            and speed["heavy_tail"]["bucketed_packed"]
            >= 3 * speed["heavy_tail"]["random_packed"]
        ),
        "bucketed packed was close to bucketed padded": (
            speed["heavy_tail"]["bucketed_packed"]
            > 0.8 * speed["heavy_tail"]["bucketed_padded"]
        ),
        "by the most for the gated cells": max(
            r["packed"]["modes"][c]["ours_over_torch_packed"] for c in ("GRU", "LSTM")
        )
        < r["packed"]["modes"]["RNN"]["ours_over_torch_packed"],
        "about matched the padded run for GRU and LSTM": all(
            0.8 < r["packed"]["modes"][c]["ours_over_padded"] < 1.25
            for c in ("GRU", "LSTM")
        ),
    }
    missing = [c for c in claims if c not in page]
    assert not missing, f"update this test with the page's wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the committed bench results contradict the page: {false}"
