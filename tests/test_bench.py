"""`rnn-ref bench`: the quick run produces every part; helpers are exact; committed results drive the page.

No test here asserts a timing: timings never pass or fail tests.
"""

import json
import math
from pathlib import Path

import pytest

from rnn_ref import bench, bench_plots
from rnn_ref.bench import DEFAULT_OUT, PARTS, measure, mix_lengths, padding_efficiency
from rnn_ref.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _numbers(obj, path=""):
    """Every (path, number) in a nested JSON object."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield path, obj


def _check_results(results, parts):
    assert set(parts) <= set(results)
    machine = results["machine"]
    for key in ("cpu", "torch_threads", "torch", "device", "date"):
        assert machine[key] not in (None, "")
    numbers = list(_numbers({k: results[k] for k in parts}))  # ratios, times, tokens/s, sizes
    assert any("ratio" in p for p, _ in numbers)
    bad = [(p, v) for p, v in numbers if not (math.isfinite(v) and v > 0)]
    assert not bad, bad


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    # one thread: the test machine is shared, and two threads stall each other under load
    assert main(["bench", "--quick", "--threads", "1", "--device", "cpu", "--out", str(out)]) == 0
    return out


def test_quick_run_writes_every_part(quick_run):
    results = json.loads(quick_run.read_text())
    _check_results(results, PARTS)
    assert results["quick"] is True and results["machine"]["torch_threads"] == 1
    assert {r["T"] for r in results["scan"]} >= {16, 65536}
    for mix in results["training"]["mixes"].values():
        assert set(mix["variants"]) == {"random_padded", "random_packed", "bucketed_padded", "bucketed_packed"}
        assert mix["variants"]["random_packed"]["padding_efficiency"] == 1.0


def test_quick_run_writes_tables_next_to_json(quick_run):
    tables = bench_plots.tables_path(quick_run).read_text()
    assert tables == bench_plots.render_tables(json.loads(quick_run.read_text()))
    for part in (*PARTS, "machine", "targets"):
        assert f"<!-- --8<-- [start:{part}] -->" in tables and f"<!-- --8<-- [end:{part}] -->" in tables


def test_only_one_part_and_redraw(tmp_path, capsys):
    out = tmp_path / "scan.json"
    assert main(["bench", "--quick", "--threads", "1", "--only", "scan", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert "scan" in results and not set(PARTS[:-1]) & set(results)
    bench_plots.tables_path(out).unlink()
    assert main(["bench", "--redraw", "--out", str(out), "--figures", str(tmp_path / "fig")]) == 0
    assert "<!-- --8<-- [start:scan] -->" in bench_plots.tables_path(out).read_text()
    assert (tmp_path / "fig" / "scan_sweep.svg").exists()
    assert "| T | loop (ms) | scan (ms) | loop / scan |" in capsys.readouterr().out


def test_padding_efficiency_is_real_over_computed_tokens():
    assert padding_efficiency([[4, 2], [1]]) == 7 / 9  # (4+2+1) / (2*4 + 1*1)
    assert padding_efficiency([[3, 3, 3]]) == 1.0
    assert padding_efficiency([[10, 1, 1, 1]]) == 13 / 40
    assert padding_efficiency([[4, 2], [1]], packed=True) == 1.0


def test_mix_lengths():
    uniform, heavy = mix_lengths("uniform", 5000, 256), mix_lengths("heavy_tail", 5000, 256)
    assert min(uniform) == 1 and max(uniform) == 256 and min(heavy) >= 4 and max(heavy) == 256
    assert sum(heavy) / len(heavy) < sum(uniform) / len(uniform) / 3
    assert mix_lengths("uniform", 10, 8, seed=4) == mix_lengths("uniform", 10, 8, seed=4)
    with pytest.raises(ValueError, match="mix must be 'uniform' or 'heavy_tail'; got 'zipf'"):
        mix_lengths("zipf", 3, 8)


def test_measure_interleaves_and_rotates():
    calls = []
    times = measure({k: (lambda k=k: calls.append(k)) for k in "abc"}, repeats=3, sync=lambda: None, warmup=1)
    assert calls == list("abc" "abc" "bca" "cab")  # warm-up, then each round rotated by one
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3, "c": 3}


def test_ratio_is_the_median_of_per_round_ratios():
    times = {"x": [2.0, 3.0, 100.0], "y": [1.0, 1.0, 1.0]}
    assert bench._ratio(times, "x", "y") == 3.0


def test_committed_tables_are_rendered_from_committed_json():
    results = json.loads(DEFAULT_OUT.read_text())
    committed = bench_plots.tables_path(DEFAULT_OUT).read_text()
    assert committed == bench_plots.render_tables(results), "run `rnn-ref bench --redraw`"
    assert results["quick"] is False  # the site shows the full run
    _check_results(results, PARTS)


def test_committed_figures_redraw_byte_for_byte(tmp_path, assert_same_svg):
    results = json.loads(DEFAULT_OUT.read_text())
    fresh = bench_plots.draw_figures(results, tmp_path)
    assert [p.name for p in fresh] == ["bench_padding.svg", "scan_sweep.svg"]
    for new in fresh:
        assert_same_svg(new, bench_plots.FIGURES / new.name, "rnn-ref bench --redraw")


def test_page_commentary_holds_for_the_committed_results():
    """docs/performance.md comments on the measurements in words; each sentence is checked here
    against the committed bench.json, so a rerun that contradicts the prose fails until it is
    rewritten."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text().replace("\n", " ")
    rnn = [row[p]["ratio_to_torch"] for row in r["rnn"] for p in ("forward", "forward_backward")]
    mixes = {m: v["variants"] for m, v in r["training"]["mixes"].items()}
    speed = {m: {k: x["speedup_vs_random_padded"] for k, x in v.items()} for m, v in mixes.items()}
    modes = r["packed"]["modes"].values()
    scan = [row["loop_over_scan"] for row in r["scan"]]
    claims = {
        "both Python loops were slower than torch's CPU kernels on every shape":
            all(x["naive"] > 1 and x["hoisted"] > 1 for x in rnn),
        "the hoisted forward+backward is far closer to torch than the naive one":
            r["rnn"][-1]["forward_backward"]["ratio_to_torch"]["hoisted"]
            < r["rnn"][-1]["forward_backward"]["ratio_to_torch"]["naive"],
        "With `xp[t]` the cost relative to `unbind` grows with $T$":
            r["indexing"][-1]["index_over_unbind"] > r["indexing"][0]["index_over_unbind"],
        "On the uniform mix, long sequences, packing was slower than padding, random or bucketed":
            speed["uniform"]["random_packed"] < 1
            and speed["uniform"]["bucketed_packed"] < speed["uniform"]["bucketed_padded"],
        "the skipped padding outweighed it for random batches": speed["heavy_tail"]["random_packed"] > 1,
        "bucketed and padded (read at the last real step) was fastest":
            all(max(v, key=v.get) == "bucketed_padded" for v in speed.values()),
        "torch's packed path was several times slower than the padded run for every cell":
            all(m["torch_packed_over_padded"] >= 2 for m in modes),
        "beat torch's packed path for every cell": all(m["ours_over_torch_packed"] < 1 for m in modes),
        "our loop was slower than padding": r["packed"]["modes"]["RNN"]["ours_over_padded"] > 1,
        "The scan beat the loop at every length but the shortest, where the two are about equal":
            all(x > 1 for x in scan[1:]) and 0.8 < scan[0] < 1.25,
        "**nothing in this section is measured**": r["machine"]["device"] == "cpu",
    }
    missing = [c for c in claims if c not in page]
    assert not missing, f"update this test with the page's wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the committed bench results contradict the page: {false}"


def test_docstring_examples():
    import doctest

    assert doctest.testmod(bench).failed == 0
