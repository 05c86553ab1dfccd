"""`rnn_ref.metrics_file`: what a resume takes back from metrics.jsonl, and what it
refuses (issue 28 §4, §6)."""

import pytest

from rnn_ref.errors import CheckpointError
from rnn_ref.metrics_file import metrics_bytes, resume_metrics

LINES = [{"step": 10, "loss": 0.5}, {"step": 20, "loss": 0.25}]


def _run(tmp_path, text: bytes):
    (tmp_path / "metrics.jsonl").write_bytes(text)  # no manifest: read, not verified
    return tmp_path


def test_the_lines_up_to_the_checkpoint_come_back(tmp_path):
    out = _run(tmp_path, metrics_bytes([*LINES, {"step": 30, "loss": 0.1}]))
    assert resume_metrics(out, 20) == LINES
    assert resume_metrics(out, 25, pending=5) == LINES  # between two evaluations
    assert resume_metrics(tmp_path / "none", 0) == []  # no file, no checkpoint


@pytest.mark.parametrize(
    "line",
    [
        b'{"step": 15, "loss": NaN}',
        b'{"step": 15, "loss": 1e999}',
        b'{"step": 15, "loss": "low"}',
        b'{"step": 15.0, "loss": 0.3}',
        b'{"step": 10, "loss": 0.3}',  # not after the line before
        b'{"loss": 0.3}',
        b"[15, 0.3]",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_bad_line_is_refused_naming_it(tmp_path, line):
    lines = metrics_bytes(LINES).splitlines()
    out = _run(tmp_path, b"\n".join([lines[0], line, lines[1]]) + b"\n")
    with pytest.raises(CheckpointError, match=r"line 2 of .*metrics.jsonl is not a"):
        resume_metrics(out, 20)


@pytest.mark.parametrize(
    "text, step",
    [
        (b"", 20),  # emptied
        (metrics_bytes(LINES[:1]), 20),  # cut after step 10
        (metrics_bytes(LINES) + b'{"step": 20', 30),  # torn at the checkpoint's line
        (b"NaN", 20),
    ],
)
def test_a_file_without_the_checkpoints_line_is_refused(tmp_path, text, step):
    """Resuming from it would lose the steps or train on from a wrong record."""
    with pytest.raises(CheckpointError, match=f"holds no metrics line of step {step}"):
        resume_metrics(_run(tmp_path, text), step)
