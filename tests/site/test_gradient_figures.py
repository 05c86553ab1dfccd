"""rnn_ref.site.gradient_figures: the gradients page's trained numbers and sentences
redraw from code, and the sentences say what the word rules say about the numbers.

The figures themselves are redrawn and compared in tests/site/test_figures.py.
"""

import json
import shutil

import pytest

from rnn_ref.site import gradient_figures, paths
from rnn_ref.site.records import drawing_mismatch, file_platform
from rnn_ref.site.words import size_word, step_word, vanish_word

NAMES = ["gradients.json", "gradients_tables.md"]
SECTIONS = ["automaton", "drift", "init", "gated", "takeaway"]


@pytest.mark.slow  # trains the training page's two GRUs (about 20 s)
@pytest.mark.parametrize("name", NAMES)
def test_numbers_and_sentences_are_what_the_code_prints(tmp_path, name):
    shutil.copy(paths.results() / "ladder.json", tmp_path / "ladder.json")
    fresh = {p.name: p.read_text() for p in gradient_figures.redraw_tables(tmp_path)}
    committed = (paths.results() / name).read_text()
    if reason := drawing_mismatch(committed, fresh[name]):
        pytest.skip(f"{name}: {reason}; the claim tests check it")
    assert fresh[name] == committed, (
        f"docs/assets/results/{name} is stale: run `rnn-ref regen` and commit it"
    )


def test_the_sentences_render_from_the_committed_numbers():
    record = json.loads((paths.results() / "gradients.json").read_text())
    tables = gradient_figures.render_tables(record, paths.results() / "ladder.json")
    assert tables == (paths.results() / "gradients_tables.md").read_text()


def test_the_words_follow_the_word_rules():
    """The generated sentences' comparison words are the rules' on the committed
    numbers, and (today) say that the automaton's gradient shrinks and vanishes."""
    record = json.loads((paths.results() / "gradients.json").read_text())
    c = {n: {T: v["jacobian"] for T, v in by.items()}
         for n, by in record["curves"].items()}  # fmt: skip
    w, s = c[gradient_figures.WIDE], c[gradient_figures.SHORT]
    init, rnn = c["GRU, at init"], c["tanh RNN, at init"]
    rate = (w["100"][99] / w["100"][0]) ** (1 / 99)
    text = " ".join((paths.results() / "gradients_tables.md").read_text().split())
    said = [
        f"going back it {step_word(rate)} by a factor of about {rate:.2f} per step on",
        f"100 steps back has {vanish_word(w['100'][99])}",
        f"at $k = 20$: {vanish_word(w['20'][19])}.",
        f"{size_word(max(s['100']) / max(w['100']))} the other GRU's largest",
        f"($T = 100$) {size_word(w['100'][19] / init['100'][19])} at those weights",
        f"{size_word(init['20'][19] / rnn['20'][19])} a tanh RNN's from the same seed",
    ]
    for phrase in said:
        assert phrase in text, phrase
    for phrase in ("it shrinks by", "has vanished", "at $k = 20$: not vanished",
                   "larger than a tanh RNN's"):  # fmt: skip
        assert phrase in text, phrase


def test_the_page_includes_every_section_and_says_where_it_was_made():
    page = (paths.docs() / "gradients.md").read_text()
    for section in SECTIONS:
        assert f'"docs/assets/results/gradients_tables.md:{section}"' in page, section
    for name in NAMES:
        text = (paths.results() / name).read_text()
        assert file_platform(text).startswith("cpu x86_64 AVX2")
