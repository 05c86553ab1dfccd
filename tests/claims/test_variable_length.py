"""Claims made on docs/variable-length.md, each asserted against torch.nn.utils.rnn."""

import pytest
import torch
from torch import nn
from torch.nn.utils import rnn as tr

from rnn_ref import packing
from rnn_ref.packing import check_lengths

F64 = torch.float64


def _batch(lengths, features=3, batch_first=False):
    """Random sequences of the given lengths, their zero-padded
    batch, and the lengths."""
    seqs = [torch.randn(n, features, dtype=F64) for n in lengths]
    return seqs, tr.pad_sequence(seqs, batch_first=batch_first)


def _final(h_n):
    return h_n[0] if isinstance(h_n, tuple) else h_n


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_padding_changes_h_n(mode, num_layers):
    """A padded, unpacked batch: the short sequence's h_n is taken after the
    padding steps, so it differs from running that sequence alone (in every layer);
    the longest sequence is unaffected; and, unidirectional, the outputs at the real
    steps are still right. Any cell, one or two layers."""
    rnn = getattr(nn, mode)(3, 4, num_layers=num_layers, dtype=F64)
    seqs, padded = _batch([5, 2])
    out, h_n = rnn(padded)
    _, h_long = rnn(seqs[0].unsqueeze(1))
    out_short, h_short = rnn(seqs[1].unsqueeze(1))
    h_n, h_long, h_short = _final(h_n), _final(h_long), _final(h_short)
    torch.testing.assert_close(h_n[:, 0], h_long[:, 0], rtol=0, atol=1e-12)
    for k in range(num_layers):
        assert not torch.allclose(h_n[k, 1], h_short[k, 0], atol=1e-3)
    # unidirectional: the outputs at the real steps are still right
    # (the padding comes after)
    torch.testing.assert_close(out[:2, 1], out_short[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bias", [True, False])
def test_bidirectional_padding_changes_outputs_at_real_steps(mode, num_layers, bias):
    """Bidirectional, unpacked, zero padding, no hx: with a bias, the backward half of
    output is wrong at EVERY real step of the short sequence (it read the padding
    first); with one layer the forward half is right. Without a bias, the backward
    state stays exactly zero through the padding, so one layer's backward half is
    right (to rounding); the second layer reads the first layer's forward outputs at
    the padded steps, which are not zero, and is wrong again. Packing makes both
    halves match the sequence run alone in every case."""
    rnn = getattr(nn, mode)(3, 4, num_layers, bidirectional=True, bias=bias, dtype=F64)
    seqs, padded = _batch([5, 3])
    out, _ = rnn(padded)
    alone, _ = rnn(seqs[1].unsqueeze(1))  # (3, 1, 8)
    if num_layers == 1:
        torch.testing.assert_close(out[:3, 1, :4], alone[:, 0, :4], rtol=0, atol=1e-12)
    if bias or num_layers > 1:
        for t in range(3):
            assert not torch.allclose(out[t, 1, 4:], alone[t, 0, 4:], atol=1e-4), t
    else:
        assert torch.equal(out[3:, 1, 4:], torch.zeros(2, 4, dtype=F64))
        torch.testing.assert_close(out[:3, 1], alone[:, 0], rtol=0, atol=1e-12)
    packed_out, _ = rnn(tr.pack_padded_sequence(padded, [5, 3]))
    unpacked, _ = tr.pad_packed_sequence(packed_out)
    torch.testing.assert_close(unpacked[:3, 1], alone[:, 0], rtol=0, atol=1e-12)


def _backward_error(mode, hidden_size, length, padding=5):
    """Float32, bias on: |padded - alone| of the backward half at each real step of a
    sequence of `length` steps batched with one `padding` steps longer."""
    torch.manual_seed(0)
    rnn = getattr(nn, mode)(3, hidden_size, bidirectional=True)
    long, short = torch.randn(length + padding, 3), torch.randn(length, 3)
    with torch.no_grad():
        out, _ = rnn(tr.pad_sequence([long, short]))  # (L, 2, 2H)
        alone, _ = rnn(short.unsqueeze(1))  # (length, 1, 2H)
    H = hidden_size
    return (out[:length, 1, H:] - alone[:, 0, H:]).abs().amax(-1)  # (length,)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
def test_backward_error_from_padding_fades_with_distance(mode):
    """The backward half's error is largest at the last real step, next to the
    padding, and fades with distance from it: no step has a larger error than the
    largest one nearer the padding, and the first of 40 steps is right to float32
    rounding. Over 60 steps some come out bit for bit, for every cell."""
    error = _backward_error(mode, hidden_size=16, length=40)
    assert error[-1] > 1e-2  # next to the padding: plainly wrong
    assert error[0] < 1e-6  # 39 steps away: rounding
    for t in range(1, 40):  # farther from the padding is never worse
        assert error[:t].max() <= error[t:].max(), t
    assert (_backward_error(mode, hidden_size=4, length=60) == 0).any()


def test_pad_sequence_layout_and_padding_side():
    a, b = torch.tensor([1, 2, 3]), torch.tensor([4])
    assert tr.pad_sequence([a, b]).tolist() == [[1, 4], [2, 0], [3, 0]]  # (L, N)
    assert tr.pad_sequence([a, b], batch_first=True).tolist() == [[1, 2, 3], [4, 0, 0]]
    left = tr.pad_sequence(
        [a, b], batch_first=True, padding_side="left", padding_value=-1
    )
    assert left.tolist() == [[1, 2, 3], [-1, -1, 4]]
    # packing keeps the FIRST lengths[b] steps: a left-padded batch
    # packs padding, drops data
    packed = tr.pack_padded_sequence(left, [3, 1], batch_first=True)
    assert packed.data.tolist() == [1, -1, 2, 3]


def test_packed_data_has_sum_of_lengths_rows():
    """data is time-major over real steps only: sum(lengths) rows, not L * N (as a
    popular post says); batch_sizes[t] counts the sequences longer than t."""
    lengths = [2, 4, 1]
    padded = torch.zeros(4, 3, dtype=torch.long)
    for b, n in enumerate(lengths):
        padded[:n, b] = 10 * (b + 1) + torch.arange(1, n + 1)
    packed = tr.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    assert packed.data.size(0) == sum(lengths) != padded.numel()
    assert packed.data.tolist() == [21, 11, 31, 22, 12, 23, 24]
    assert packed.batch_sizes.tolist() == [
        sum(n > t for n in lengths) for t in range(4)
    ]
    assert (
        packed.batch_sizes.dtype == torch.int64
        and packed.batch_sizes.device.type == "cpu"
    )


def test_sorted_and_unsorted_indices_are_inverse_permutations():
    lengths = torch.tensor([3, 7, 1, 7, 5])
    _, padded = _batch(lengths.tolist())
    packed = tr.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    s, u = packed.sorted_indices, packed.unsorted_indices
    assert lengths[s].tolist() == sorted(lengths.tolist(), reverse=True)
    assert torch.equal(s[u], torch.arange(5)) and torch.equal(u[s], torch.arange(5))
    sorted_packed = tr.pack_padded_sequence(padded[:, [1, 3, 4, 0, 2]], [7, 7, 5, 3, 1])
    assert (
        sorted_packed.sorted_indices is None and sorted_packed.unsorted_indices is None
    )


def test_pad_packed_sequence_total_length():
    """Unpacking pads to max(lengths) unless total_length asks for
    more; less is an error."""
    _, padded = _batch([3, 2], batch_first=True)
    padded = torch.cat([padded, torch.zeros(2, 3, 3, dtype=F64)], dim=1)  # width 6
    packed = tr.pack_padded_sequence(padded, [3, 2], batch_first=True)
    assert tr.pad_packed_sequence(packed, batch_first=True)[0].shape == (2, 3, 3)
    full, lengths = tr.pad_packed_sequence(packed, batch_first=True, total_length=6)
    assert torch.equal(full, padded) and lengths.tolist() == [3, 2]
    with pytest.raises(ValueError, match="total_length to be at least"):
        tr.pad_packed_sequence(packed, total_length=2)


def test_enforce_sorted_rejects_unsorted_lengths():
    """The default enforce_sorted=True raises on unsorted lengths; the message and the
    docstring both say it is only needed for ONNX export."""
    assert "only necessary for ONNX export" in " ".join(
        tr.pack_padded_sequence.__doc__.split()
    )
    _, padded = _batch([2, 5, 3])
    with pytest.raises(RuntimeError, match="sorted in decreasing order.*ONNX"):
        tr.pack_padded_sequence(padded, [2, 5, 3])


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, True)])
def test_enforce_sorted_false_returns_results_in_callers_order(
    mode, num_layers, bidirectional
):
    """enforce_sorted=False: h_n (and c_n) and the unpacked output come back in the
    caller's order, bit for bit what sorting by hand gives."""
    rnn = getattr(nn, mode)(
        3, 4, num_layers=num_layers, bidirectional=bidirectional, dtype=F64
    )
    _, padded = _batch([2, 5, 3])
    out, h_n = rnn(tr.pack_padded_sequence(padded, [2, 5, 3], enforce_sorted=False))
    order = [1, 2, 0]
    out_s, h_s = rnn(tr.pack_padded_sequence(padded[:, order], [5, 3, 2]))
    for a, b in zip(
        h_n if mode == "LSTM" else [h_n], h_s if mode == "LSTM" else [h_s], strict=True
    ):
        assert torch.equal(a[:, order], b)
    assert torch.equal(
        tr.pad_packed_sequence(out)[0][:, order], tr.pad_packed_sequence(out_s)[0]
    )
    # 20 sequences with ties: torch's order of the tied ones is not a stable sort's,
    # so sorting by hand (stably) gives the same numbers only to rounding
    lengths = [3, 5, 1] * 6 + [5, 3]
    _, padded = _batch(lengths)
    packed = tr.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    order = sorted(range(20), key=lambda i: -lengths[i])  # stable
    assert packed.sorted_indices.tolist() != order
    out, h_n = rnn(packed)
    out_s, h_s = rnn(
        tr.pack_padded_sequence(padded[:, order], [lengths[i] for i in order])
    )
    for a, b in zip(
        h_n if mode == "LSTM" else [h_n], h_s if mode == "LSTM" else [h_s], strict=True
    ):
        torch.testing.assert_close(a[:, order], b, rtol=0, atol=1e-12)
    torch.testing.assert_close(
        tr.pad_packed_sequence(out)[0][:, order],
        tr.pad_packed_sequence(out_s)[0],
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_h_n_is_output_at_last_real_step(mode, bidirectional):
    """Forward h_n is output at step lengths[b]-1; the backward
    one is output at step 0."""
    rnn = getattr(nn, mode)(3, 4, num_layers=2, bidirectional=bidirectional, dtype=F64)
    lengths = torch.tensor([2, 5, 3])
    _, padded = _batch(lengths.tolist())
    out, h_n = rnn(tr.pack_padded_sequence(padded, lengths, enforce_sorted=False))
    h_n = h_n[0] if mode == "LSTM" else h_n
    out, _ = tr.pad_packed_sequence(out)  # (L, N, D*4)
    d = 2 if bidirectional else 1
    last = out[lengths - 1, torch.arange(3), :4]
    assert torch.equal(h_n[-d], last)  # top layer, forward
    if bidirectional:
        assert torch.equal(h_n[-1], out[0, :, 4:])
    # output[-1] is padding (zeros) for every sequence shorter than the longest
    assert torch.equal(out[-1, lengths < 5], torch.zeros(2, 4 * d, dtype=F64))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_our_packing_is_bit_identical_to_torch(batch_first, enforce_sorted):
    lengths = [7, 7, 4, 2, 1] if enforce_sorted else [4, 7, 1, 7, 2]
    seqs = [torch.randn(n, 3) for n in lengths]
    ours_p = packing.pad_sequence(seqs, batch_first=batch_first)
    torch_p = tr.pad_sequence(seqs, batch_first=batch_first)
    assert torch.equal(ours_p, torch_p)
    ours = packing.pack_padded_sequence(ours_p, lengths, batch_first, enforce_sorted)
    theirs = tr.pack_padded_sequence(torch_p, lengths, batch_first, enforce_sorted)
    for a, b in zip(ours, theirs, strict=True):
        assert (a is None and b is None) or torch.equal(a, b)
    for a, b in zip(
        packing.pad_packed_sequence(ours, batch_first, total_length=9),
        tr.pad_packed_sequence(theirs, batch_first, total_length=9),
        strict=True,
    ):
        assert torch.equal(a, b)


def test_mismatched_lengths_are_packed_silently_and_check_lengths_catches_them():
    """The classic demo: true lengths [2, 4, 1] packed as [4, 2, 1]. torch
    raises nothing; it packs sequence 0's two padding steps as data, drops
    sequence 1's steps 3 and 4, and h_n of sequence 1 is its state after step 2.
    check_lengths raises ValueError."""
    batch = torch.zeros(3, 4, 2, dtype=F64)
    batch[0, :2] = torch.tensor([[1, 1.1], [2, 2.2]])
    batch[1] = torch.tensor([[1, 1.1], [2, 2.2], [3, 3.3], [4, 4.4]])
    batch[2, :1] = torch.tensor([[1, 1.1]])
    wrong = tr.pack_padded_sequence(
        batch, [4, 2, 1], batch_first=True, enforce_sorted=False
    )
    assert wrong.data[:, 0].tolist() == [1, 1, 1, 2, 2, 0, 0]  # padding in, 3 and 4 out
    rnn = nn.RNN(2, 3, batch_first=True, dtype=F64)
    _, h_wrong = rnn(wrong)
    _, h_first_two = rnn(batch[1:2, :2])
    _, h_true = rnn(batch[1:2])
    assert torch.equal(h_wrong[0, 1], h_first_two[0, 0])
    assert not torch.allclose(h_wrong[0, 1], h_true[0, 0], atol=1e-3)
    with pytest.raises(ValueError, match=r"batch index 0 \(given 4, data suggests 2\)"):
        check_lengths(batch, [4, 2, 1], batch_first=True)
    check_lengths(batch, [2, 4, 1], batch_first=True)


def test_check_lengths_takes_a_real_last_step_equal_to_padding_for_padding():
    """check_lengths reads each length off the data (1 + the last step that is not
    entirely padding_value), so a real last step equal to the padding value looks
    like padding: the true length is rejected, and a length too short by that step
    passes. With a padding value the data never takes, the true length passes and the
    short one is caught."""
    seqs = [torch.tensor([1, 2]), torch.tensor([3, 4, 5, 0]), torch.tensor([7])]
    padded = tr.pad_sequence(seqs, batch_first=True)  # sequence 1 really ends in 0
    with pytest.raises(ValueError, match=r"batch index 1 \(given 4, data suggests 3\)"):
        check_lengths(padded, [2, 4, 1], batch_first=True)
    check_lengths(padded, [2, 3, 1], batch_first=True)  # wrong, and it passes
    padded = tr.pad_sequence(seqs, batch_first=True, padding_value=-1)
    check_lengths(padded, [2, 4, 1], padding_value=-1, batch_first=True)
    with pytest.raises(ValueError, match=r"batch index 1 \(given 3, data suggests 4\)"):
        check_lengths(padded, [2, 3, 1], padding_value=-1, batch_first=True)


@pytest.mark.parametrize("mode", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize(
    "num_layers, bidirectional", [(1, False), (2, False), (2, True)]
)
def test_hx_is_given_in_callers_order_with_enforce_sorted_false(
    mode, num_layers, bidirectional
):
    """With enforce_sorted=False, hx row i is sequence i's initial state (the RNN
    permutes it with sorted_indices): every sequence's h_n (and c_n) and output equal
    running it alone from its own row; pre-sorting hx as well gives other results.
    Gradients reach hx in the caller's order too."""
    torch.manual_seed(0)
    rnn = getattr(nn, mode)(
        3, 4, num_layers=num_layers, bidirectional=bidirectional, dtype=F64
    )
    lengths = [2, 5, 3, 5, 1]
    _, padded = _batch(lengths)
    rows = num_layers * (2 if bidirectional else 1)
    hx = [torch.randn(rows, 5, 4, dtype=F64, requires_grad=True)]
    if mode == "LSTM":
        hx.append(torch.randn(rows, 5, 4, dtype=F64, requires_grad=True))
    packed = tr.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    assert packed.sorted_indices.tolist() != list(range(5))
    out, h_n = rnn(packed, tuple(hx) if mode == "LSTM" else hx[0])
    h_n = list(h_n) if mode == "LSTM" else [h_n]
    out, _ = tr.pad_packed_sequence(out)  # (L, N, D*H)
    for i, n in enumerate(lengths):
        own = [h[:, i : i + 1] for h in hx]
        out_i, h_i = rnn(
            padded[:n, i : i + 1], tuple(own) if mode == "LSTM" else own[0]
        )
        h_i = list(h_i) if mode == "LSTM" else [h_i]
        torch.testing.assert_close(out[:n, i : i + 1], out_i, rtol=0, atol=1e-12)
        for a, b in zip(h_n, h_i, strict=True):
            torch.testing.assert_close(a[:, i : i + 1], b, rtol=0, atol=1e-12)
    # gradient of sequence 0's final state reaches hx row 0 only
    (h_n[0][:, 0].sum()).backward()
    grad = hx[0].grad
    assert grad[:, 0].abs().sum() > 0 and grad[:, 1:].abs().sum() == 0
    order = packed.sorted_indices
    wrong = [h.detach()[:, order] for h in hx]
    _, h_wrong = rnn(packed, tuple(wrong) if mode == "LSTM" else wrong[0])
    h_wrong = h_wrong[0] if mode == "LSTM" else h_wrong
    assert not torch.allclose(h_wrong, h_n[0])
