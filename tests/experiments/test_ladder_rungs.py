"""The ladder's rungs: labels generated from the config, targets from `TARGETS`."""

import json
import re

import pytest

from rnn_ref.experiments.ladder_rungs import (
    RUNGS,
    check_targets,
    describe,
    rung_config,
    rung_label,
)
from rnn_ref.site import paths

RESULTS = json.loads((paths.results() / "ladder.json").read_text())


def test_a_rungs_words_hold_no_number():
    """Numbers in a label come from the config, so they cannot disagree with it."""
    for name, rung in RUNGS.items():
        assert not re.search(r"\d", rung.words), name
        assert rung.base is None or rung.base in RUNGS, name


def test_committed_rungs_are_the_code_s_and_hold_no_label():
    for r in RESULTS["rungs"]:
        assert r["config"] == rung_config(RUNGS[r["name"]].overrides), r["name"]
        assert "label" not in r, r["name"]
    assert "targets" not in RESULTS


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"batch_size": 64}, "+ batch 64"),
        ({"lr": 2e-3}, "+ lr 2e-3"),
        ({"lr": 0.05}, "+ lr 0.05"),
        ({"warmup_steps": 2000, "steps": 4000}, "+ 2,000 warmup steps"),
        ({"min_len": 1, "max_len": 20}, "+ lengths 1-20"),
        ({"cell": "lstm"}, "+ LSTM 16x2"),
        ({"num_layers": 3}, "+ hidden 16 x 3 layers"),
    ],
)
def test_describe_says_each_change_from_the_base(change, said):
    base = rung_config(RUNGS["short_rnn16x2"].overrides)
    assert describe({**base, **change}, base) == said


def test_a_label_follows_its_config_not_its_definition():
    config = rung_config(RUNGS["gru_wide"].overrides, steps=10)
    assert rung_label("gru_wide", {**config, "batch_size": 512}) == (
        "ours: GRU 64x1, batch 512, lr 5e-3, clip 1, lengths 1-20"
    )
    assert rung_label("gone", config) == describe(config)


def test_targets_name_the_rungs_that_meet_them_on_every_seed():
    (fast, met_fast), (far, met_far) = check_targets(RESULTS)
    assert fast == (
        "target >= 99.9% on 10,000 length-2-5 samples within 10 s of training"
    )
    assert far == (
        "target >= 99.9% at length 100 and >= 99% at length 1000 "
        "(trained on lengths <= 20)"
    )
    for r in RESULTS["rungs"]:
        fastest = all(
            x["accuracy_2_5"] >= 0.999 and x["seconds"] <= 10 for x in r["runs"]
        )
        assert (r["name"] in met_fast) == fastest, r["name"]
    assert met_far == ["gru_wide"]
