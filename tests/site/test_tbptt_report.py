"""The truncated-BPTT page shows the committed results: its tables are rendered from
tbptt.json and lm.json, and every section is on the page."""

import html
import json
import re

from rnn_ref.cli import main
from rnn_ref.site import paths, tbptt_report

JSON = paths.results() / "tbptt.json"
LM = paths.results() / "lm.json"
TABLES = paths.results() / "tbptt_tables.md"
PAGE = paths.docs() / "truncated-bptt.md"


def test_committed_tables_are_rendered_from_the_committed_json():
    fresh = tbptt_report.render_tables(
        json.loads(JSON.read_text()), json.loads(LM.read_text())
    )
    assert TABLES.read_text() == fresh, (
        "docs/assets/results/tbptt_tables.md is stale: run `rnn-ref tbptt --redraw`"
    )


def test_every_table_section_is_on_the_page():
    sections = re.findall(r"\[start:([\w-]+)\]", TABLES.read_text())
    included = set(
        re.findall(
            r'--8<-- "docs/assets/results/tbptt_tables\.md:([\w-]+)"', PAGE.read_text()
        )
    )
    assert sections and set(sections) == included, set(sections) ^ included


def test_redraw_writes_the_same_tables(tmp_path):
    (tmp_path / "tbptt.json").write_text(JSON.read_text())
    (tmp_path / "lm.json").write_text(LM.read_text())
    assert main(["tbptt", "--redraw", "--out", str(tmp_path / "tbptt.json")]) == 0
    assert (tmp_path / "tbptt_tables.md").read_text() == TABLES.read_text()


def test_the_lm_sentence_states_loss_and_cpu_time_from_the_json():
    lm = json.loads(LM.read_text())
    text = TABLES.read_text()
    assert f"{lm['final']['val_loss']:.3f} nats per character" in text
    assert f"{lm['final']['cpu_seconds']:.0f} s of CPU time" in text
    assert lm["config"]["steps"] == lm["final"]["step"]
    for t, sample in lm["samples"].items():
        assert f"Temperature {t}:" in text and html.escape(sample) in text


def test_the_verdict_sentences_follow_the_data():
    """k = d and the carry experiment: the words change when the results do."""
    import copy

    results = json.loads(JSON.read_text())
    text = tbptt_report.render_tables(results)
    assert "$k = d$ is not enough" in text
    assert "Trained with carried state it is far from the task" in text
    changed = copy.deepcopy(results)
    for r in changed["delay"]:
        if r["k"] == r["d"]:
            r["accuracy"] = 1.0
    for r in changed["carry"]:
        r["from_zeros"] = 1.0
    text = tbptt_report.render_tables(changed)
    assert "$k = d$ is not enough" not in text and "With $k = d$ some seeds" in text
    assert "Trained with carried state it is right at every step" in text
