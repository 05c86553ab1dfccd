"""The classifier: packing makes padding irrelevant; the summary is the
top layer's last state."""

from dataclasses import asdict

import pytest
import torch

from rnn_ref.config import TrainConfig
from rnn_ref.model import CELLS, SumModClassifier, classifier_kwargs


def _batch():
    seqs = [[3, 7, 1, 9], [2], [4, 4, 0], [9, 8, 7, 6, 5, 4, 3], [1, 1]]
    lengths = torch.tensor([len(s) for s in seqs])
    ids = torch.full((len(seqs), int(lengths.max())), 10)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
    return seqs, ids, lengths


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize(
    "num_layers, bidirectional", [(1, False), (2, False), (2, True)]
)
def test_padding_does_not_change_the_prediction(cell, num_layers, bidirectional):
    model = (
        SumModClassifier(
            10,
            10,
            cell,
            hidden_size=12,
            num_layers=num_layers,
            bidirectional=bidirectional,
        )
        .double()
        .eval()
    )
    seqs, ids, lengths = _batch()
    batched = model(ids, lengths)  # (N, C)
    alone = torch.cat([model(torch.tensor([s]), torch.tensor([len(s)])) for s in seqs])
    torch.testing.assert_close(batched, alone, rtol=0, atol=1e-12)
    # whatever sits in the padded slots, packing never reads it
    junk = ids.clone()
    junk[ids == 10] = 5
    torch.testing.assert_close(model(junk, lengths), batched, rtol=0, atol=0)


@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_bidirectional_summary_is_forward_last_and_backward_first(cell, num_layers):
    """The last layer's two directions: h_n[-2] is the forward direction at each
    sequence's last step; h_n[-1] the backward at its first."""
    model = (
        SumModClassifier(
            10, 10, cell, hidden_size=6, num_layers=num_layers, bidirectional=True
        )
        .double()
        .eval()
    )
    seqs, ids, lengths = _batch()
    with torch.no_grad():
        for i, s in enumerate(seqs):
            out, _ = model.rnn(model.embed(torch.tensor([s])))  # (1, len, 2H)
            summary = torch.cat([out[0, -1, :6], out[0, 0, 6:]])  # (2H,)
            torch.testing.assert_close(
                model(ids[i : i + 1], lengths[i : i + 1])[0], model.head(summary)
            )


def test_predict_matches_forward_and_accepts_any_order():
    model = SumModClassifier(10, 10, "gru", hidden_size=8).eval()
    seqs, ids, lengths = _batch()
    expected = model(ids, lengths).argmax(dim=1).tolist()
    assert model.predict(seqs) == expected
    assert model.predict(seqs, batch_size=2) == expected
    assert all(isinstance(p, int) for p in expected)


def test_rejects_an_unknown_cell():
    with pytest.raises(ValueError, match="cell must be one of"):
        SumModClassifier(cell="transformer")


def test_the_default_classifier_is_the_one_training_builds_by_default():
    """SumModClassifier() is the model `rnn-ref train` builds with no flags: the same
    layers and settings, reading the ten digits 0-9 with 10 as padding and scoring ten
    classes (sums mod 10)."""
    default = SumModClassifier()
    assert repr(default) == repr(
        SumModClassifier(**classifier_kwargs(asdict(TrainConfig())))
    )
    assert default.embed.num_embeddings == 11 and default.embed.padding_idx == 10
    ids, lengths = torch.tensor([[1, 2, 3]]), torch.tensor([3])
    assert default(ids, lengths).shape == (1, 10)


def test_a_config_json_older_than_the_optional_fields_builds_the_model_it_trained():
    """A config.json written before embed_dim, bidirectional and dropout existed lacks
    them; it builds the model such a run trained: the embedding as wide as the hidden
    state, one direction, no dropout."""
    old = dict(num_digits=10, modulus=10, cell="gru", hidden_size=8, num_layers=2)
    model = SumModClassifier(**classifier_kwargs(old))
    assert model.embed.embedding_dim == 8
    assert model.rnn.bidirectional is False and model.rnn.dropout == 0.0


def test_a_config_json_builds_the_model_it_describes():
    """Every architecture field of a run's config reaches the model built from it."""
    config = TrainConfig(cell="lstm", hidden_size=8, num_layers=2, embed_dim=4,
                         bidirectional=True, dropout=0.25, modulus=7)  # fmt: skip
    model = SumModClassifier(**classifier_kwargs(asdict(config)))
    assert isinstance(model.rnn, torch.nn.LSTM) and model.embed.embedding_dim == 4
    assert (model.rnn.hidden_size, model.rnn.num_layers) == (8, 2)
    assert model.rnn.bidirectional and model.rnn.dropout == 0.25
    assert model(torch.tensor([[1, 2]]), torch.tensor([2])).shape == (1, 7)
