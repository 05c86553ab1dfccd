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


def test_the_package_run_differs_from_the_loop_only_where_the_notebook_says():
    """The text says `train` has the same task, model size, learning rate, clipping
    and step count as the hand loop, and prints every other setting that differs:
    the config takes those from the loop's own settings (`LOOP`), and a cell prints
    each `LOOP` setting the config does not share (batch 256 against 64, 500
    evaluation samples against 1,000, every 100 steps against 50)."""
    source = NOTEBOOK.read_text()
    tree = ast.parse(source)
    (loop,) = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "LOOP"
    ]
    settings = {k.arg: ast.literal_eval(k.value) for k in loop.keywords}
    (call,) = _calls("TrainConfig")
    given = {k.arg: ast.unparse(k.value) for k in call.keywords}
    for same in ("lr", "clip", "steps"):
        assert given[same] == f"LOOP['{same}']", same  # ast.unparse's quotes
    assert given["hidden_size"] == "32" and "hidden_size=32" in source  # the model's
    kept = {k: ast.literal_eval(given[k]) for k in ("eval_every", "eval_samples")}
    config = TrainConfig(**kept, **{k: settings[k] for k in ("lr", "clip", "steps")})
    differs = {k for k, v in settings.items() if getattr(config, k) != v}
    assert differs == {"batch_size", "eval_every", "eval_samples"}
    assert "if getattr(config, name) != ours:" in source
    assert "learning rate, clipping and step count as above" in " ".join(
        line.lstrip("# ") for line in source.splitlines()
    )
