"""The tutorial's ladder (`rnn_ref.experiments.tutorial`): a tiny run records every
part, a resumed sweep trains only what is missing, and the command line's errors."""

import json
import random

import pytest

from rnn_ref.cli import main
from rnn_ref.experiments.tutorial import LOSS_EVERY, RUNGS, TutorialArgs, draw
from rnn_ref.experiments.tutorial_run import run_tutorial
from rnn_ref.experiments.tutorial_verdicts import seed_passes, verdict

TINY = ["baseline", "combined_warmup", "control_rnn64_clip"]
SMALL = {"test_samples": 300, "lengths": (10,)}  # the real run: 10,000 and 10-100


@pytest.fixture(scope="module")
def tiny():
    lines = []
    results = run_tutorial(TINY, seeds=1, steps=60, log=lines.append, **SMALL)
    return results, lines


def test_a_tiny_run_records_every_part(tiny):
    results, lines = tiny
    assert [r["name"] for r in results["rungs"]] == TINY
    for rung in results["rungs"]:
        assert [x["seed"] for x in rung["runs"]] == [0]
        assert rung["args"]["total_steps"] == 60
        for run in rung["runs"]:
            assert run["evals"][-1][0] == 60  # the final evaluation
            assert run["final_100"] == run["evals"][-1][1]
            assert 0 <= run["final_10k"] <= 1
            assert len(run["loss"]["mean"]) == 60 // LOSS_EVERY + 1  # 50 + 10 steps
            loss = run["loss"]
            for lo, mean, hi in zip(
                loss["min"], loss["mean"], loss["max"], strict=True
            ):
                assert lo <= mean <= hi
            assert set(run["by_length"]) == {"10"}
    assert results["rungs"][0]["params"] == 728
    assert any("combined_warmup seed 0" in line for line in lines)


def test_a_seed_trains_the_same_run_twice(tiny):
    again = run_tutorial(["baseline"], 1, 60, log=lambda line: None, **SMALL)
    first, second = tiny[0]["rungs"][0]["runs"][0], again["rungs"][0]["runs"][0]
    assert {**first, "seconds": 0} == {**second, "seconds": 0}


def test_previous_runs_are_kept_not_retrained(tiny):
    lines = []
    resumed = run_tutorial(TINY, 2, 60, lines.append, previous=tiny[0], **SMALL)
    trained = [line for line in lines if line.endswith("s") and "sample" in line]
    assert len(trained) == len(TINY)  # only seed 1 of each rung
    for old, new in zip(tiny[0]["rungs"], resumed["rungs"], strict=True):
        assert new["runs"][:1] == old["runs"] and new["runs"][1]["seed"] == 1


def test_flags_spell_the_posts_commands():
    assert RUNGS["baseline"].args.flags() == "(the defaults)"
    post = "--hidden_dim 32 --num_layers 3 --batch_size 64 --lr 0.005"
    assert RUNGS["combined_warmup"].args.flags() == post + " --warmup_step 2000"


def test_draw_stays_in_the_scripts_ranges():
    seqs = draw(random.Random(1), TutorialArgs(), 2000)
    assert {len(s) for s in seqs} == {2, 3, 4, 5}
    assert {d for s in seqs for d in s} == set(range(10))


@pytest.mark.parametrize(
    ("accuracies", "rule", "value", "expected"),
    [
        ([0.74, 0.80, 0.81], "near", 0.75, "reproduced on 2 of 3 seeds"),
        ([0.97, 0.99], "at_least", 0.97, "reproduced"),
        ([0.2, 0.5], "all", None, "not reproduced"),
        ([1.0, 0.5, 1.0], "all", None, "not reproduced (2 of 3 converged)"),
        ([1.0, 1.0], "all", None, "reproduced"),
        ([1.0, 1.0], "some", None, "not reproduced (2 of 2 converged)"),
        ([1.0, 0.3], "some", None, "reproduced (1 of 2 converged)"),
        ([0.3, 0.3], None, None, "—"),
        ([0.74], "near", 0.75, "reproduced (1 seed only)"),
        ([0.2], "all", None, "not reproduced (1 seed only)"),
        ([1.0], "some", None, "untested: needs 2 seeds or more (1 of 1 converged)"),
    ],
)
def test_verdicts(accuracies, rule, value, expected):
    rung = {
        "rule": rule,
        "value": value,
        "runs": [{"final_10k": a} for a in accuracies],
    }
    assert verdict(rung, {}) == expected


def test_below_compares_with_the_other_rungs_mean():
    base = {"runs": [{"final_10k": 0.5}, {"final_10k": 0.7}]}
    rung = {
        "rule": "below",
        "value": "b",
        "runs": [{"final_10k": a} for a in (0.5, 0.7)],
    }
    assert seed_passes(rung, {"b": base}) == [True, False]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--rungs", "nope"], "unknown rungs"),
        (["--seeds", "0"], "--seeds must be 1 .. 1,000; got 0"),
        (["--steps", "0"], "--steps must be 1 .."),
        (["--redraw", "--out", "{tmp}/nowhere"], "cannot redraw from"),
        (["--resume", "--out", "{tmp}"], "cannot resume from"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, argv, match):
    (tmp_path / "tutorial.json").write_text("{not json")
    argv = ["ladder", "--tutorial", *(a.replace("{tmp}", str(tmp_path)) for a in argv)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and match in err


def test_resume_needs_tutorial(capsys):
    assert main(["ladder", "--resume"]) == 2
    assert "--resume works with --tutorial only" in capsys.readouterr().err


@pytest.mark.slow  # trains
def test_command_writes_json_tables_and_figures(tmp_path, capsys):
    argv = ["ladder", "--tutorial", "--rungs", "baseline", "--seeds", "1"]
    argv += ["--steps", "20", "--out", str(tmp_path), "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "baseline seed 0" in out and "verdict" in out
    assert json.loads((tmp_path / "tutorial.json").read_text())["seeds"] == 1
    for name in ("tutorial_tables.md", "tutorial_loss.svg", "tutorial_accuracy.svg"):
        assert (tmp_path / name).stat().st_size > 0
    assert main(["ladder", "--tutorial", "--redraw", "--out", str(tmp_path)]) == 0
