"""The benchmarks (`rnn_ref.experiments.bench`): the quick run produces every
part, and the timing helpers are exact. No test here asserts a timing: timings
never pass or fail tests."""

import json

import pytest

from rnn_ref.cli import main
from rnn_ref.experiments.bench import PARTS, mix_lengths, padding_efficiency
from rnn_ref.experiments.timing import measure, ratio
from rnn_ref.site import bench_report


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    # one thread: the test machine is shared, and two threads
    # stall each other under load
    assert (
        main(
            ["bench", "--quick", "--threads", "1", "--device", "cpu", "--out", str(out)]
        )
        == 0
    )
    return out


@pytest.mark.slow  # runs the quick bench
def test_quick_run_writes_every_part(quick_run, check_bench_results):
    results = json.loads(quick_run.read_text())
    check_bench_results(results, PARTS)
    assert results["quick"] is True and results["machine"]["torch_threads"] == 1
    assert {r["T"] for r in results["scan"]} >= {16, 65536}
    for mix in results["training"]["mixes"].values():
        assert set(mix["variants"]) == {
            "random_padded",
            "random_packed",
            "bucketed_padded",
            "bucketed_packed",
        }
        assert mix["variants"]["random_packed"]["padding_efficiency"] == 1.0


def test_quick_run_writes_tables_next_to_json(quick_run):
    tables = bench_report.tables_path(quick_run).read_text()
    assert tables == bench_report.render_tables(json.loads(quick_run.read_text()))
    for part in (*PARTS, "machine", "targets"):
        assert (
            f"<!-- --8<-- [start:{part}] -->" in tables
            and f"<!-- --8<-- [end:{part}] -->" in tables
        )


def test_only_one_part_and_redraw(tmp_path, capsys):
    out = tmp_path / "scan.json"
    assert (
        main(
            ["bench", "--quick", "--threads", "1", "--only", "scan", "--out", str(out)]
        )
        == 0
    )
    results = json.loads(out.read_text())
    assert "scan" in results and not (set(PARTS) - {"scan"}) & set(results)
    bench_report.tables_path(out).unlink()
    assert (
        main(
            ["bench", "--redraw", "--out", str(out), "--figures", str(tmp_path / "fig")]
        )
        == 0
    )
    assert "<!-- --8<-- [start:scan] -->" in bench_report.tables_path(out).read_text()
    assert (tmp_path / "fig" / "scan_sweep.svg").exists()
    assert "| T | loop (ms) | scan (ms) | loop / scan |" in capsys.readouterr().out


def test_only_merges_one_part_into_an_existing_file(tmp_path, capsys):
    out = tmp_path / "bench.json"
    quick = ["bench", "--quick", "--threads", "1", "--out", str(out)]
    assert main([*quick, "--only", "scan"]) == 0
    scan = json.loads(out.read_text())["scan"]
    assert main([*quick, "--only", "indexing"]) == 0
    results = json.loads(out.read_text())
    assert results["scan"] == scan and "indexing" in results  # nothing wiped
    assert set(results["separate_runs"]) == {"indexing"}
    assert results["separate_runs"]["indexing"]["machine"]["torch_threads"] == 1
    capsys.readouterr()
    full = ["bench", "--threads", "1", "--out", str(out), "--only", "scan"]
    assert main(full) == 2  # refused before measuring anything
    assert "holds a quick run" in capsys.readouterr().err
    assert json.loads(out.read_text()) == results


def test_padding_efficiency_is_real_over_computed_tokens():
    assert padding_efficiency([[4, 2], [1]]) == 7 / 9  # (4+2+1) / (2*4 + 1*1)
    assert padding_efficiency([[3, 3, 3]]) == 1.0
    assert padding_efficiency([[10, 1, 1, 1]]) == 13 / 40
    assert padding_efficiency([[4, 2], [1]], packed=True) == 1.0


def test_mix_lengths():
    uniform, heavy = (
        mix_lengths("uniform", 5000, 256),
        mix_lengths("heavy_tail", 5000, 256),
    )
    assert (
        min(uniform) == 1
        and max(uniform) == 256
        and min(heavy) >= 4
        and max(heavy) == 256
    )
    assert sum(heavy) / len(heavy) < sum(uniform) / len(uniform) / 3
    assert mix_lengths("uniform", 10, 8, seed=4) == mix_lengths(
        "uniform", 10, 8, seed=4
    )
    with pytest.raises(
        ValueError, match="mix must be 'uniform' or 'heavy_tail'; got 'zipf'"
    ):
        mix_lengths("zipf", 3, 8)


def test_measure_interleaves_and_rotates():
    calls = []
    times = measure(
        {k: (lambda k=k: calls.append(k)) for k in "abc"},
        repeats=3,
        sync=lambda: None,
        warmup=1,
    )
    assert calls == list("abcabcbcacab")  # warm-up, then each round rotated by one
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3, "c": 3}


def test_ratio_is_the_median_of_per_round_ratios():
    times = {"x": [2.0, 3.0, 100.0], "y": [1.0, 1.0, 1.0]}
    assert ratio(times, "x", "y") == 3.0
