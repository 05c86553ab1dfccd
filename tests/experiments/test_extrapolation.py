"""The extrapolation search: its attempts, its record, its report."""

import json
import re

import pytest

from rnn_ref.cli import main
from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask, curriculum_lengths
from rnn_ref.experiments import extrapolation
from rnn_ref.site import extrapolation_report, paths

JSON = paths.results() / "extrapolation.json"
RESULTS = json.loads(JSON.read_text())
TABLES = paths.results() / "extrapolation_tables.md"
PAGE = paths.docs() / "training.md"


def test_every_recorded_attempt_is_defined_and_its_config_is_what_it_trains_now():
    """A recorded attempt's config is the one `ATTEMPTS` would train today, so the
    record cannot silently describe other settings (the `defaults` attempt: today's
    `TrainConfig` defaults)."""
    for attempt in RESULTS["attempts"]:
        overrides = extrapolation.ATTEMPTS[attempt["name"]][1]
        assert attempt["config"] == extrapolation._recorded(overrides), attempt["name"]
        seeds = sorted({r["seed"] for r in attempt["runs"]})
        assert seeds == list(range(attempt["seeds"])), attempt["name"]


def test_meets_target_is_what_the_runs_say():
    for attempt in RESULTS["attempts"]:
        assert attempt["meets_target"] == extrapolation.meets_target(attempt["runs"])
    assert not extrapolation.meets_target(
        [{"accuracy": {"100": 1.0, "1000": 0.989}}, {"accuracy": {"100": 1, "1000": 1}}]
    )


def test_defaults_config_is_trainconfigs_defaults_on_lengths_1_to_20():
    defaults = next(a for a in RESULTS["attempts"] if a["name"] == "defaults")
    expected = {
        k: v
        for k, v in vars(TrainConfig(min_len=1, max_len=20)).items()
        if k not in ("cell", "seed", "device", "out")
    }
    assert defaults["config"] == expected, (
        "TrainConfig's defaults changed since extrapolation.json was measured: run "
        "`rnn-ref extrapolation --attempts defaults` and commit the JSON"
    )
    assert sorted((r["cell"], r["seed"]) for r in defaults["runs"]) == [
        (c, s) for c in ("gru", "lstm") for s in range(3)
    ]


def test_committed_tables_are_rendered_from_the_committed_json():
    assert TABLES.read_text() == extrapolation_report.render_tables(RESULTS), (
        "extrapolation_tables.md is stale: run `rnn-ref regen` and commit it"
    )


def test_every_table_section_is_on_the_page():
    sections = re.findall(r"\[start:([\w-]+)\]", TABLES.read_text())
    pattern = r'--8<-- "docs/assets/results/extrapolation_tables\.md:([\w-]+)"'
    assert sections and set(sections) <= set(re.findall(pattern, PAGE.read_text()))


def test_curriculum_grows_the_longest_length_then_holds_it():
    task = SumModTask(min_len=1, max_len=20)
    his = [curriculum_lengths(task, s, 1000)[1] for s in range(0, 3000, 50)]
    assert his == sorted(his) and his[0] == 1 and his[-1] == 20
    assert curriculum_lengths(task, 5, 0) is None


def test_bad_attempt_name_is_one_error_line(capsys):
    assert main(["extrapolation", "--attempts", "nope"]) == 2
    assert "expected attempts from" in capsys.readouterr().err


@pytest.mark.slow
def test_an_attempt_records_both_cells_and_every_seed(tmp_path, monkeypatch):
    monkeypatch.setitem(
        extrapolation.ATTEMPTS, "tiny", ("tiny", {"hidden_size": 8, "steps": 20})
    )
    monkeypatch.setattr(extrapolation, "LENGTHS", [100, 1000])
    monkeypatch.setattr(extrapolation, "SAMPLES", 20)
    assert (
        main(
            [
                "extrapolation",
                "--attempts",
                "tiny",
                "--seeds",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    (attempt,) = json.loads((tmp_path / "extrapolation.json").read_text())["attempts"]
    assert [(r["cell"], r["seed"]) for r in attempt["runs"]] == [
        ("gru", 0),
        ("lstm", 0),
    ]
    assert attempt["meets_target"] is False
    assert attempt["seeds"] == 1 and "note" not in attempt  # what it tries: ATTEMPTS'


def test_defaults_meet_the_extrapolation_target_on_every_seed():
    """`rnn-ref train --min-len 1 --max-len 20 --cell {gru,lstm} --seed {0,1,2}`, all
    else default: >= 99.9 % at length 100 and >= 99 % at length 1000 on every seed, as
    recorded in extrapolation.json (whose config the test above ties to TrainConfig's
    defaults)."""
    defaults = next(a for a in RESULTS["attempts"] if a["name"] == "defaults")
    assert extrapolation.meets_target(defaults["runs"])
