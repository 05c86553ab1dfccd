"""The training walk-through notebook trains on the chapter's task, read from code."""

import ast
import dataclasses

from rnn_ref.config import TrainConfig
from rnn_ref.data import SumModTask
from rnn_ref.site import paths

NOTEBOOK = paths.root() / "docs/notebooks/training_walkthrough.py"
TASK_FIELDS = ("num_digits", "modulus", "min_len", "max_len")


def _calls(name: str) -> list[ast.Call]:
    tree = ast.parse(NOTEBOOK.read_text())
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name
    ]


def test_chapter_task_is_the_code_default():
    """The chapter's task (digits 0-9, sum mod 10, lengths 2 to 5) is what
    SumModTask() and TrainConfig() default to."""
    task = SumModTask()
    assert (task.num_digits, task.modulus, task.min_len, task.max_len) == (10, 10, 2, 5)
    config = TrainConfig()
    assert all(getattr(config, f) == getattr(task, f) for f in TASK_FIELDS)
    assert {f.name for f in dataclasses.fields(SumModTask)} == set(TASK_FIELDS)


def test_walkthrough_uses_the_chapter_task():
    """The notebook builds SumModTask() with its defaults (no hand-typed modulus or
    lengths) and passes the task's own fields to TrainConfig."""
    (task_call,) = _calls("SumModTask")
    assert not task_call.args and not task_call.keywords, ast.unparse(task_call)
    for call in _calls("TrainConfig"):
        given = {k.arg: ast.unparse(k.value) for k in call.keywords}
        for field in TASK_FIELDS:
            assert given.get(field) == f"task.{field}", (field, given.get(field))
