"""`rnn-ref bench`: the quick run produces every part; helpers are exact; committed results drive the page.

No test here asserts a timing: timings never pass or fail tests.
"""

import json
import math

import pytest

from rnn_ref import bench, bench_plots
from rnn_ref.bench import DEFAULT_OUT, PARTS, measure, mix_lengths, padding_efficiency
from rnn_ref.cli import main


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


def test_figures_are_deterministic(tmp_path):
    results = json.loads(DEFAULT_OUT.read_text())
    first = bench_plots.draw_figures(results, tmp_path / "a")
    second = bench_plots.draw_figures(results, tmp_path / "b")
    assert [p.name for p in first] == ["bench_padding.svg", "scan_sweep.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
        assert (bench_plots.FIGURES / a.name).exists()


def test_docstring_examples():
    import doctest

    assert doctest.testmod(bench).failed == 0
