"""Checkpoints (`rnn_ref.checkpoint`): a run directory loads back as the trained model,
and every way a checkpoint can be missing, corrupt or unsafe is a `CheckpointError`."""

import json
from dataclasses import fields

import pytest
import torch

from rnn_ref.checkpoint import _first_line, load_classifier, read_config, safe_load
from rnn_ref.config import TrainConfig
from rnn_ref.errors import CheckpointError
from rnn_ref.model import SumModClassifier
from rnn_ref.train import train


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    train(
        TrainConfig(hidden_size=8, steps=5, eval_every=5, eval_samples=10, out=str(out))
    )
    return out


def test_load_classifier_round_trip(run_dir):
    model = load_classifier(run_dir)
    assert not model.training
    state = torch.load(run_dir / "model.pt", weights_only=True)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert len(model.predict([[1, 2, 3]])) == 1
    assert isinstance(safe_load(run_dir / "state.pt")["step"], int)


def test_config_json_is_one_field_per_line(tmp_path):
    """Error messages send people to fix config.json by hand: it is indented JSON, one
    field per line, two spaces in."""
    train(TrainConfig(hidden_size=8, steps=1, eval_every=1, eval_samples=8,
                      out=str(tmp_path)))  # fmt: skip
    lines = (tmp_path / "config.json").read_text().splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert len(lines) == len(fields(TrainConfig)) + 2
    assert all(line.startswith('  "') and line[3] != " " for line in lines[1:-1])


def test_load_errors(run_dir, tmp_path):
    with pytest.raises(
        CheckpointError,
        match="nowhere does not exist; expected a run "
        "directory written by `rnn-ref train --out DIR`",
    ):
        load_classifier(tmp_path / "nowhere")
    (tmp_path / "file").write_text("")
    with pytest.raises(CheckpointError, match=r"file is not a directory; expected"):
        load_classifier(tmp_path / "file")
    with pytest.raises(CheckpointError, match="no config.json"):
        load_classifier(tmp_path)
    (tmp_path / "config.json").write_text((run_dir / "config.json").read_text())
    with pytest.raises(CheckpointError, match="no checkpoint file"):
        load_classifier(tmp_path)
    (tmp_path / "model.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="is corrupt"):
        load_classifier(tmp_path)
    torch.save(
        SumModClassifier(hidden_size=8), tmp_path / "model.pt"
    )  # a whole pickled module
    with pytest.raises(CheckpointError, match="pickled Python objects"):
        load_classifier(tmp_path)
    torch.save(SumModClassifier(hidden_size=4).state_dict(), tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="does not fit"):
        load_classifier(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not a valid run config"):
        load_classifier(tmp_path)
    assert issubclass(
        CheckpointError, ValueError
    )  # the CLI reports every ValueError the same way


def test_pickled_objects_are_refused_whatever_torchs_default(tmp_path, monkeypatch):
    """`safe_load` asks for `weights_only=True` itself, so torch's default (False
    before torch 2.6, or under TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1) cannot let a
    pickled object through."""
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    torch.save(SumModClassifier(hidden_size=8), tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="pickled Python objects"):
        safe_load(tmp_path / "model.pt")


@pytest.mark.parametrize("out", [5, ["runs"], True])
def test_config_jsons_out_is_checked_like_every_other_field(run_dir, tmp_path, out):
    """`out` is only where the run was written, but a config.json whose `out` is not
    a string or null is as malformed as any other field."""
    config = json.loads((run_dir / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "out": out}))
    with pytest.raises(CheckpointError, match="not a valid run config.*out must be"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({**config, "out": None}))
    assert read_config(tmp_path)["out"] is None


def test_an_error_is_passed_on_as_one_short_line():
    """What a `CheckpointError` quotes of the error behind it: its first line, at most
    200 characters; the exception's type when it has no message, or when it gives
    torch's advice to load with weights_only=False (unsafe for a file from
    elsewhere)."""
    assert _first_line(ValueError("  bad magic\nmore detail")) == "bad magic"
    assert _first_line(ValueError("x" * 300)) == "x" * 200
    assert _first_line(EOFError()) == "EOFError"
    assert _first_line(RuntimeError("re-run with weights_only=False")) == "RuntimeError"
