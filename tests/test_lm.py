"""The language model's parts: the bundled text, the vocabulary, streams and chunks,
the carried state, sampling, and training (a tiny model, a few steps)."""

import hashlib
import json

import pytest
import torch

from rnn_ref import rundir
from rnn_ref.errors import CheckpointError, InputError
from rnn_ref.lm import (
    TEXT,
    CharLM,
    Vocab,
    chunks,
    detach_state,
    load_text,
    sample,
    stream_batches,
)
from rnn_ref.lm_train import LMConfig, evaluate_lm, load_lm, train_lm

TINY = dict(embed_dim=8, hidden_size=16, batch_size=4, bptt=8, eval_every=5)


def test_the_text_is_the_documented_file():
    digest = hashlib.sha256(TEXT.read_bytes()).hexdigest()
    assert digest == "09efbdb3ae15fc8ff4235602a95d7de98e8deca96925e08ae8d5888acbc2c63e"
    assert digest in (TEXT.parent / "README.md").read_text()
    text = load_text()
    assert len(text) == 454_481 and len(set(text)) == 65


def test_load_text_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read the text .* pass another --text"):
        load_text(tmp_path / "missing.txt")
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        load_text(tmp_path / "bin")
    (tmp_path / "one").write_text("aaaa")
    with pytest.raises(InputError, match="at least 2"):
        load_text(tmp_path / "one")


def test_vocab_round_trip_and_unknown_characters():
    v = Vocab("the cat")
    assert v.decode(v.encode("a cat")) == "a cat"
    assert len(v) == 6
    with pytest.raises(InputError, match="'dz' are not in the model's vocabulary"):
        v.encode("dz")


def test_streams_and_chunks_cover_the_text_in_order():
    ids = torch.arange(23)
    streams = stream_batches(ids, 3)  # 3 rows of 7, 2 dropped
    assert streams.tolist()[1] == list(range(7, 14))
    pairs = list(chunks(streams, 4))
    assert [x.shape[1] for x, _ in pairs] == [4, 2]
    for x, y in pairs:
        assert torch.equal(y, x + 1)  # each target is the next character
    assert torch.cat([x for x, _ in pairs], 1).equal(streams[:, :-1])
    with pytest.raises(InputError, match="smaller --batch-size"):
        stream_batches(torch.arange(5), 3)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_detach_state_keeps_values_and_drops_the_graph(cell):
    lm = CharLM(5, 4, 6, cell=cell)
    _, hx = lm(torch.zeros(2, 3, dtype=torch.long))
    cut = detach_state(hx)
    for a, b in zip(
        hx if cell == "lstm" else [hx], cut if cell == "lstm" else [cut], strict=True
    ):
        assert a.grad_fn is not None and b.grad_fn is None and torch.equal(a, b)


def test_sample_is_seeded_and_checks_its_input():
    torch.manual_seed(0)
    lm, v = CharLM(4, 4, 8), Vocab("abcd")
    assert sample(lm, v, "ab", 30, 0.8, seed=1) == sample(lm, v, "ab", 30, 0.8, seed=1)
    assert set(sample(lm, v, "a", 50)) <= set("abcd")
    with pytest.raises(InputError, match="temperature must be > 0"):
        sample(lm, v, "a", 5, 0.0)
    with pytest.raises(InputError, match="prime must hold"):
        sample(lm, v, "", 5)


def test_config_rejects_bad_values():
    for bad, match in [
        (dict(bptt=0), "bptt must be a positive integer"),
        (dict(cell="rnn"), "cell must be one of gru, lstm"),
        (dict(lr=-1.0), "lr must be a positive number"),
        (dict(clip=0.0), "clip must be a positive number"),
        (dict(val_fraction=1.0), "val_fraction"),
    ]:
        with pytest.raises(InputError, match=match):
            LMConfig(**bad)


def test_a_tiny_model_learns_in_a_few_steps(tmp_path):
    """20 steps of a 16-unit GRU: the validation loss falls from the first evaluation
    to the last, and every line of metrics.jsonl is an evaluation."""
    config = LMConfig(**TINY, steps=20, lr=1e-2, out=str(tmp_path / "run"))
    result = train_lm(config)
    losses = [m["val_loss"] for m in result.metrics]
    assert [m["step"] for m in result.metrics] == [5, 10, 15, 20]
    assert losses[-1] < losses[0] - 0.3
    assert result.metrics[0]["val_loss"] < 4.2  # ln(65) = 4.17: it starts near uniform
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in lines] == result.metrics
    model, vocab, saved = load_lm(tmp_path / "run")
    assert vocab.chars == result.vocab.chars and saved.steps == 20
    ids = vocab.encode(load_text()[-3000:])
    assert evaluate_lm(model, ids, 8) == pytest.approx(
        evaluate_lm(result.model, ids, 8)
    )


def test_resume_continues_exactly(tmp_path):
    """10 steps, then 10 more from the checkpoint, equal 20 steps in one go: same
    weights, same metrics (the carried state and the stream position are saved)."""
    whole = train_lm(LMConfig(**TINY, steps=20, out=str(tmp_path / "a")))
    train_lm(LMConfig(**TINY, steps=10, out=str(tmp_path / "b")))
    resumed = train_lm(LMConfig(**TINY, steps=20, out=str(tmp_path / "b")), resume=True)
    for (name, a), b in zip(
        whole.model.state_dict().items(),
        resumed.model.state_dict().values(),
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    keys = ("step", "train_loss", "val_loss")
    assert [[m[k] for k in keys] for m in resumed.metrics] == [
        [m[k] for k in keys] for m in whole.metrics
    ]


def test_a_run_directory_is_not_overwritten_and_bad_checkpoints_are_named(tmp_path):
    train_lm(LMConfig(**TINY, steps=5, out=str(tmp_path / "run")))
    with pytest.raises(InputError, match="already holds a run; pass --resume"):
        train_lm(LMConfig(**TINY, steps=5, out=str(tmp_path / "run")))
    with pytest.raises(CheckpointError, match="nothing does not exist"):
        load_lm(tmp_path / "nothing")
    (tmp_path / "run" / "model.pt").write_bytes(b"junk")
    with pytest.raises(CheckpointError, match="model.pt does not match"):
        load_lm(tmp_path / "run")
    (tmp_path / "run" / "config.json").write_text('{"cell": "rnn"}')
    with pytest.raises(CheckpointError, match="config.json does not match"):
        load_lm(tmp_path / "run")
    rundir.commit(tmp_path / "run", {"config.json": b'{"cell": "rnn"}'})
    with pytest.raises(CheckpointError, match="not a language-model config"):
        load_lm(tmp_path / "run")
