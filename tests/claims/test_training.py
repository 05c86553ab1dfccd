"""Claims made on docs/training.md, each asserted against torch.nn
(float64 where it matters)."""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnn_ref.config import TrainConfig
from rnn_ref.data import collate
from rnn_ref.model import SumModClassifier
from rnn_ref.train import train

F64 = torch.float64
SEQS = [[3, 7], [1, 9, 4, 4, 2, 8], [5], [2, 2, 2, 2]]  # unsorted lengths 2, 6, 1, 4


def _model(
    cell: str, bidirectional: bool = False, num_layers: int = 2
) -> SumModClassifier:
    torch.manual_seed(0)
    return (
        SumModClassifier(
            10,
            10,
            cell=cell,
            hidden_size=8,
            num_layers=num_layers,
            bidirectional=bidirectional,
        )
        .to(F64)
        .eval()
    )


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_packed_prediction_does_not_depend_on_the_batch(cell, bidirectional, dtype):
    """With packing, each sequence's logits in a padded batch equal its logits run
    alone, to the dtype's rounding: in a batch of 4 and in one of 24 with many tied
    lengths (where torch's sort reorders ties), in float32 (what training uses) and
    float64."""
    model = _model(cell, bidirectional).to(dtype)
    g = torch.Generator().manual_seed(1)
    many = [
        torch.randint(10, (int(n),), generator=g).tolist()
        for n in torch.randint(1, 6, (24,), generator=g)
    ]
    tol = 1e-12 if dtype == F64 else 1e-5
    for seqs in (SEQS, many):
        ids, lengths, _ = collate(seqs, pad_id=model.pad_id)
        with torch.no_grad():
            batch = model(ids, lengths)
            for i, s in enumerate(seqs):
                alone = model(*collate([s], pad_id=model.pad_id)[:2])[0]
                torch.testing.assert_close(batch[i], alone, rtol=0, atol=tol)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_unpacked_padding_changes_the_prediction(cell):
    """Without packing, the recurrence runs over the padding: a short sequence's h_n,
    and so its logits, change; the longest sequence (no padding) is unaffected."""
    model = _model(cell)
    ids, lengths, _ = collate(SEQS, pad_id=model.pad_id)
    with torch.no_grad():
        _, h_n = model.rnn(model.embed(ids))
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n
        unpacked = model.head(h_n[-1])
        packed = model(ids, lengths)
    longest = int(lengths.argmax())
    torch.testing.assert_close(unpacked[longest], packed[longest], rtol=0, atol=1e-12)
    for i in range(len(SEQS)):
        if i != longest:
            assert not torch.allclose(unpacked[i], packed[i], atol=1e-6)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_h_n_top_layer_is_the_last_real_step_of_output(bidirectional):
    """h_n[-1] (h_n[-2:] when bidirectional) is the top layer's state at each sequence's
    own last real step; h_n[0] is the bottom layer's, which `output` never shows."""
    torch.manual_seed(0)
    rnn = nn.GRU(
        3, 4, num_layers=2, batch_first=True, bidirectional=bidirectional, dtype=F64
    )
    lengths = torch.tensor([2, 6, 1, 4])
    x = torch.randn(4, 6, 3, dtype=F64)  # (N, L, H_in)
    out, h_n = rnn(
        pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    )
    out, _ = pad_packed_sequence(out, batch_first=True)  # (N, L, D*H)
    last = out[torch.arange(4), lengths - 1]  # (N, D*H)
    torch.testing.assert_close(
        h_n[-1 if not bidirectional else -2], last[:, :4], rtol=0, atol=0
    )
    if bidirectional:  # the backward direction ends at step 0
        torch.testing.assert_close(h_n[-1], out[:, 0, 4:], rtol=0, atol=0)
    assert not torch.allclose(h_n[0], last[:, :4])


def test_enforce_sorted_false_returns_h_n_in_the_input_order():
    """pack_padded_sequence(enforce_sorted=False) sorts internally, yet h_n comes back
    in the order of the batch: row i of h_n is sequence i."""
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, batch_first=True, dtype=F64)
    lengths = torch.tensor([2, 6, 1, 4])
    x = torch.randn(4, 6, 3, dtype=F64)
    _, h_n = rnn(
        pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    )
    for i, n in enumerate(lengths.tolist()):
        _, h_i = rnn(x[i : i + 1, :n])
        torch.testing.assert_close(h_n[:, i], h_i[:, 0], rtol=0, atol=1e-12)


def test_padding_embedding_is_zero_and_never_trained():
    """nn.Embedding(padding_idx=...) starts the padding row at zero
    and gives it no gradient."""
    emb = nn.Embedding(11, 4, padding_idx=10)
    assert torch.equal(emb.weight[10], torch.zeros(4))
    emb(torch.tensor([[3, 10, 10]])).sum().backward()
    assert (
        torch.equal(emb.weight.grad[10], torch.zeros(4))
        and emb.weight.grad[3].abs().sum() > 0
    )


def test_same_seed_same_curve_different_seed_different_curve():
    """On the CPU, a fixed seed fixes the whole run: initial weights,
    batches, evaluation sets."""
    tiny = dict(
        cell="gru",
        hidden_size=8,
        batch_size=16,
        steps=30,
        eval_every=10,
        eval_samples=64,
        device="cpu",
    )

    def curve(seed):
        return [
            (m["loss"], m["accuracy"])
            for m in train(TrainConfig(**tiny, seed=seed)).metrics
        ]

    assert curve(1) == curve(1)
    assert curve(1) != curve(2)
