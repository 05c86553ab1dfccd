"""`metrics.jsonl`, a run's record of its evaluations: one strict-JSON line each,
committed with every checkpoint (`rnn_ref.checkpoint.save`) and checked line by line
when a run resumes, since resuming writes the lines back and goes on from them.

A metrics line is a JSON object of finite numbers, at least 0, with an integer `step`;
the steps increase from line to line. Both trainers write such lines: the classifier's
(`rnn_ref.train`) and the language model's (`rnn_ref.lm_train`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from rnn_ref import rundir
from rnn_ref.errors import CheckpointError

__all__ = ["metrics_bytes", "resume_metrics"]


def metrics_bytes(metrics: list[dict]) -> bytes:
    """`metrics.jsonl`'s contents: one strict-JSON line (no NaN, no Infinity) each.

    Examples:
        >>> from rnn_ref.metrics_file import metrics_bytes
        >>> metrics_bytes([{"step": 10, "loss": 0.5}, {"step": 20, "loss": 0.25}])
        b'{"step": 10, "loss": 0.5}\\n{"step": 20, "loss": 0.25}\\n'
    """
    return "".join(json.dumps(m, allow_nan=False) + "\n" for m in metrics).encode()


def resume_metrics(out: Path, step: int, pending: int = 0) -> list[dict]:
    """The metrics lines up to the checkpoint's `step`, checked against the manifest
    (a flipped byte or a cut file is a `CheckpointError`; a missing file is none) and
    as metrics lines (module docstring); the last one kept must be that of step
    `step - pending` (`pending`: the steps trained since the last evaluation), or none
    when that is 0, so a file cut short or replaced is refused, not resumed from.

    A torn last line of a file the manifest does not list (written before it did,
    when lines were appended) is dropped; a bad line before it is a `CheckpointError`.
    """
    path = out / "metrics.jsonl"
    lines = rundir.verify(path).splitlines() if path.is_file() else []
    metrics, last = [], 0
    for i, raw in enumerate(lines, 1):
        try:
            m = rundir.load_json(raw)
            if not (_line(m) and m["step"] > last):
                raise ValueError("not a metrics line")
        except (ValueError, KeyError, TypeError):
            if i == len(lines):
                break  # torn tail
            raise CheckpointError(
                f"line {i} of {path} is not a metrics line ({raw[:40]!r}); fix or "
                f"delete that line, then resume"
            ) from None
        last = m["step"]
        if last <= step:
            metrics.append(m)
    evaluated = step - pending
    if (metrics[-1]["step"] if metrics else 0) != evaluated:
        raise CheckpointError(
            f"{path} holds no metrics line of step {evaluated}, the checkpoint's last "
            f"evaluation (lines lost or not metrics lines); restore the file from the "
            f"same run, or train afresh"
        )
    return metrics


def _line(m: dict) -> bool:
    """Whether `m` is a metrics line (its step aside, a TypeError if not a dict)."""
    if type(m["step"]) is not int:
        return False
    return all(type(v) in (int, float) and 0 <= v < math.inf for v in m.values())
