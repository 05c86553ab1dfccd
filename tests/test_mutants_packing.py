"""Packing behaviour that mutation testing found unpinned (see mutation/RESULTS.md).

Each test states one behaviour of `rnn_ref.packing` or `rnn_ref._checks` that a
mutant changed while every other test still passed.
"""

import pytest
import torch
import torch.nn.utils.rnn as R
from torch.nn.utils.rnn import PackedSequence

from rnn_ref import packing as P


def test_check_lengths_accepts_a_padding_valued_step_in_the_middle():
    """The data's length is 1 + the last step that is not padding, not the number of
    non-padding steps: `[1, 0, 2]` has length 3 although its middle step equals the
    padding value (an implementation that counts non-padding steps says 2)."""
    padded = torch.tensor([[1, 0, 2], [3, 0, 0]])  # (N, L), true lengths [3, 1]
    assert P.check_lengths(padded, [3, 1], batch_first=True) is None
    assert P.check_lengths(padded.T, [3, 1]) is None  # (L, N)
    with pytest.raises(ValueError, match=r"batch index 0 \(given 2, data suggests 3\)"):
        P.check_lengths(padded, [2, 1], batch_first=True)
    # with features: a step is padding only if every feature is
    padded = torch.tensor([[[1, 1], [0, 0], [0, 2]], [[3, 3], [0, 0], [0, 0]]])
    assert P.check_lengths(padded, [3, 1], batch_first=True) is None


def test_check_lengths_of_an_empty_time_dim():
    """Padded length 0: every sequence's data length is 0, so lengths of 0 pass and
    any other length is named."""
    assert P.check_lengths(torch.zeros(2, 0), [0, 0], batch_first=True) is None
    assert P.check_lengths(torch.zeros(0, 2, 3), [0, 0]) is None  # (L, N, *)
    with pytest.raises(ValueError, match=r"batch index 0 \(given 1, data suggests 0\)"):
        P.check_lengths(torch.zeros(2, 0, 3), [1, 0], batch_first=True)


def test_check_lengths_reads_lengths_as_integers():
    """Float lengths are read as int64: the message names them as integers."""
    padded = torch.tensor([[1, 0, 2], [3, 0, 0]])
    with pytest.raises(ValueError, match=r"batch index 0 \(given 2, data suggests 3\)"):
        P.check_lengths(padded, torch.tensor([2.0, 1.0]), batch_first=True)


@pytest.mark.gpu
def test_check_lengths_on_cuda():
    """Data on the GPU, lengths as a list, a CPU tensor or a GPU tensor: all work
    (the lengths and the step counter follow the data's device)."""
    padded = torch.tensor([[1, 0, 2], [3, 0, 0]], device="cuda")
    for lengths in ([3, 1], torch.tensor([3, 1]), torch.tensor([3, 1], device="cuda")):
        assert P.check_lengths(padded, lengths, batch_first=True) is None
    with pytest.raises(ValueError, match=r"batch index 1 \(given 2, data suggests 1\)"):
        P.check_lengths(padded, [3, 2], batch_first=True)


def test_pack_sequence_enforces_sorted_by_default_like_torch():
    """Without `enforce_sorted`, `pack_sequence` requires descending lengths, as
    torch's does."""
    unsorted = [torch.ones(1), torch.ones(2)]
    for pack in (R.pack_sequence, P.pack_sequence):
        with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
            pack(unsorted)


def test_unpad_sequence_names_batch_first_when_the_counts_disagree():
    """Three lengths for a batch of two: the message says which layout it assumed."""
    padded = torch.zeros(3, 2)  # (L, N) = (3, 2)
    with pytest.raises(
        ValueError, match=r"one length per sequence \(2\).*batch_first \(now False\)"
    ):
        P.unpad_sequence(padded, [3, 1, 1])


@pytest.mark.parametrize(
    "batch_sizes",
    [torch.tensor([2, 1], dtype=torch.int32), torch.tensor([[2, 1]])],
    ids=["int32", "2-D"],
)
def test_pad_packed_sequence_rejects_batch_sizes_that_are_not_1d_int64(batch_sizes):
    """batch_sizes must be 1-D *and* int64 *and* on the CPU: failing any one of the
    three is refused, as torch refuses it."""
    packed = PackedSequence(torch.ones(3, 2), batch_sizes)
    for unpack in (R.pad_packed_sequence, P.pad_packed_sequence):
        with pytest.raises(RuntimeError, match=r"1.?D CPU int64 tensor"):
            unpack(packed)


@pytest.mark.gpu
def test_pad_packed_sequence_keeps_the_data_on_cuda():
    """The padded output is made on the packed data's device."""
    padded = torch.arange(1.0, 13.0).reshape(4, 3).cuda()  # (L, N)
    packed = R.pack_padded_sequence(padded, [4, 2, 1])
    ours, theirs = P.pad_packed_sequence(packed), R.pad_packed_sequence(packed)
    assert ours[0].device == padded.device
    assert torch.equal(ours[0], theirs[0]) and torch.equal(ours[1], theirs[1])


@pytest.mark.gpu
def test_pad_sequence_pads_on_the_sequences_device():
    """The padded batch is made on the device of the sequences, as torch's is."""
    seqs = [torch.ones(3, device="cuda"), torch.ones(1, device="cuda")]
    ours, theirs = P.pad_sequence(seqs), R.pad_sequence(seqs)
    assert ours.device == theirs.device and torch.equal(ours, theirs)


@pytest.mark.parametrize(
    "lengths",
    [torch.tensor([4.0, 2.5, 1.0]), [4.0, 2.5, 1.0], torch.tensor([4.0, 2.0, 1.0])],
    ids=["tensor", "list", "whole"],
)
def test_pack_padded_sequence_reads_float_lengths_as_int64_like_torch(lengths):
    """Float lengths, as a tensor or a list, are cast to int64 as torch casts them
    (2.5 reads as 2): the same data and int64 batch_sizes."""
    padded = torch.arange(1.0, 13.0).reshape(4, 3)  # (L, N)
    ours, theirs = (
        P.pack_padded_sequence(padded, lengths),
        R.pack_padded_sequence(padded, lengths),
    )
    assert ours.batch_sizes.dtype == theirs.batch_sizes.dtype == torch.int64
    assert torch.equal(ours.batch_sizes, theirs.batch_sizes)
    assert torch.equal(ours.data, theirs.data)


@pytest.mark.parametrize("name", ["pad_packed_sequence", "unpack_sequence"])
def test_a_tensor_where_a_packed_sequence_belongs_is_refused_by_name(name):
    with pytest.raises(
        AttributeError, match=rf"^{name}: expected a PackedSequence, got Tensor"
    ):
        getattr(P, name)(torch.zeros(3, 2))


def test_a_0d_batch_sizes_is_named_not_1d():
    """torch fails on a 0-D batch_sizes with an IndexError from deep inside; ours says
    what is wrong."""
    packed = PackedSequence(torch.ones(3, 2), torch.tensor(3))
    with pytest.raises(RuntimeError, match=r"1-D CPU int64 tensor, got a 0-D"):
        P.pad_packed_sequence(packed)


def test_batch_sizes_that_grow_after_shrinking_are_inconsistent():
    """Non-increasing means every step against the one before, not against the first:
    [3, 1, 2] sums to the data's 6 rows and never exceeds 3, and is still refused."""
    packed = PackedSequence(torch.ones(6, 2), torch.tensor([3, 1, 2]))
    with pytest.raises(RuntimeError, match=r"inconsistent: batch_sizes \[3, 1, 2\]"):
        P.pad_packed_sequence(packed)


def test_enforce_sorted_compares_each_length_with_the_one_before():
    """[5, 2, 3] is not sorted although no length exceeds the first."""
    x = torch.ones(5, 3, 2)
    for pack in (R.pack_padded_sequence, P.pack_padded_sequence):
        with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
            pack(x, [5, 2, 3])
