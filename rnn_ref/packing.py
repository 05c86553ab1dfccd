"""Packing variable-length batches, written in plain PyTorch.

A batch of sequences of different lengths is stored *padded*: one tensor of shape
`(L, N, *)` where sequence `b` fills steps `0 .. lengths[b]-1` and the rest is
`padding_value`. An RNN run over the padding would keep updating its hidden state
with junk, so PyTorch *packs* the batch: it keeps only the real steps, time-major,
longest sequence first, and records how many sequences are still running at each step::

    padded (batch-major, lengths [3, 2, 1])      packed
        a1 a2 a3                                  data        = a1 b1 c1 a2 b2 a3
        b1 b2 .                                   batch_sizes = 3  2  1
        c1 .  .

This module re-implements `torch.nn.utils.rnn`'s packing functions with ordinary
tensor ops (a mask and boolean indexing), returns torch's own `PackedSequence`, and
is tested to give bit-identical results. `check_lengths` catches lengths that do not
match the data, a bug torch cannot see.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence

from ._checks import (
    _check_check_lengths_args,
    _check_pack_args,
    _check_packed,
    _check_pad_packed_args,
    _check_sequences,
    _check_unpad_args,
)

__all__ = [
    "PackedSequence",
    "check_lengths",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


# --8<-- [start:pad_sequence]
def pad_sequence(
    sequences: Tensor | list[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of different lengths in one tensor, filling with `padding_value`.

    Args:
        sequences: tensors of shape `(L_i, *)`; dtype and device follow `sequences[0]`.
        batch_first: return `(N, L, *)` instead of `(L, N, *)`.
        padding_value: value of the padded steps.
        padding_side: `"right"` (data first) or `"left"` (padding first).

    Shape:
        L: longest length, N: number of sequences, `*`: feature dims (the same for all).
        Output: `(L, N, *)`, or `(N, L, *)` if `batch_first`.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import pad_sequence
        >>> pad_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])], batch_first=True)
        tensor([[1, 2, 3],
                [4, 0, 0]])
    """
    sequences = _check_sequences(sequences, padding_side)
    first = sequences[0]
    n, max_length = len(sequences), max(seq.size(0) for seq in sequences)
    shape = (n, max_length) if batch_first else (max_length, n)
    padded = torch.full(
        (*shape, *first.shape[1:]),
        padding_value,
        dtype=first.dtype,
        device=first.device,
    )  # (L, N, *) or (N, L, *)
    by_batch = padded if batch_first else padded.transpose(0, 1)  # (N, L, *), a view
    for i, seq in enumerate(sequences):
        # right padding: data in steps [0, L_i); left padding: in the last L_i steps
        start = 0 if padding_side == "right" else max_length - seq.size(0)
        by_batch[i, start : start + seq.size(0)] = seq  # (L_i, *)
    return padded


# --8<-- [end:pad_sequence]


# --8<-- [start:pack_padded_sequence]
def pack_padded_sequence(
    input: Tensor,
    lengths: Tensor | list[int],
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded batch, keeping only the real steps, so an RNN skips the padding.

    Args:
        input: padded batch, `(L, N, *)` or `(N, L, *)` if `batch_first`.
        lengths: length of each sequence, a list or a 1-D CPU tensor.
        batch_first: whether `input` is `(N, L, *)`.
        enforce_sorted: require descending `lengths`; if False, sort here and
            record the permutation in `sorted_indices` / `unsorted_indices`.

    Shape:
        L: padded length, N: batch, `*`: feature dims, `T = max(lengths)`,
        `S = sum(lengths)`.
        data: `(S, *)`; batch_sizes: `(T,)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import pack_padded_sequence
        >>> padded = torch.tensor([[1, 2, 3], [4, 5, 0], [6, 0, 0]])  # (N, L) = (3, 3)
        >>> pack_padded_sequence(padded, [3, 2, 1], batch_first=True).data
        tensor([1, 4, 6, 2, 5, 3])
    """
    lengths = _check_pack_args(input, lengths, batch_first, enforce_sorted)
    sorted_indices = unsorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = torch.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        unsorted_indices = torch.argsort(sorted_indices)  # the inverse permutation
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)  # (L, N, *)
    steps = torch.arange(int(lengths[0]), device=lengths.device)  # (T,) on the CPU
    # step t of sequence b is real iff t < lengths[b]
    real = steps[:, None] < lengths[None, :]  # (T, N)
    # batch_sizes[t] = number of sequences still running at step t
    batch_sizes = real.sum(dim=1)  # (T,)
    # boolean indexing walks (t, b) in row-major order: step 0 of every sequence,
    # then step 1, ... which is exactly the packed interleaving (the CPU mask indexes
    # a tensor on any device, "meta" included)
    data = input[: len(steps)][real]  # (S, *)
    return PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)


# --8<-- [end:pack_padded_sequence]


# --8<-- [start:pad_packed_sequence]
def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo `pack_padded_sequence`: the padded batch and the lengths, in input order.

    Args:
        sequence: the packed batch.
        batch_first: return `(N, L, *)` instead of `(L, N, *)`.
        padding_value: value of the padded steps.
        total_length: pad to this many steps instead of the longest length
            (must be at least that); keeps shapes fixed, e.g. under DataParallel.

    Shape:
        T: longest length, L: `total_length` or T, N: batch, `*`: feature dims.
        padded: `(L, N, *)` or `(N, L, *)`; lengths: `(N,)` int64 on the CPU.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import pack_sequence, pad_packed_sequence
        >>> packed = pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])])
        >>> pad_packed_sequence(packed, batch_first=True)
        (tensor([[1, 2, 3],
                [4, 0, 0]]), tensor([3, 1]))
    """
    _check_packed(sequence, "pad_packed_sequence")
    data, batch_sizes = sequence.data, sequence.batch_sizes
    max_length = _check_pad_packed_args(batch_sizes, total_length)
    # the same mask as when packing: step t holds sequences 0 .. batch_sizes[t]-1
    batch = torch.arange(int(batch_sizes[0]), device=batch_sizes.device)  # (N,), CPU
    real = batch[None, :] < batch_sizes[:, None]  # (T, N)
    lengths = real.sum(dim=0)  # (N,)
    padded = torch.full(
        (max_length, real.size(1), *data.shape[1:]),
        padding_value,
        dtype=data.dtype,
        device=data.device,
    )  # (L, N, *)
    # scatter the packed rows back in the row-major (t, b) order they were gathered in
    padded[: real.size(0)][real] = data  # a CPU mask indexes a tensor on any device
    if batch_first:
        padded = padded.transpose(0, 1)  # (N, L, *)
    if sequence.unsorted_indices is not None:  # back to the caller's batch order
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


# --8<-- [end:pad_packed_sequence]


def pack_sequence(
    sequences: list[Tensor], enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a list of sequences: `pad_sequence` then `pack_padded_sequence`.

    Args:
        sequences: tensors of shape `(L_i, *)`, longest first unless
            `enforce_sorted=False`.
        enforce_sorted: require descending lengths; if False, sort them (see
            `pack_padded_sequence`).

    Shape:
        S: sum of the lengths, T: longest length, `*`: feature dims.
        data: `(S, *)`; batch_sizes: `(T,)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import pack_sequence
        >>> packed = pack_sequence(
        ...     [torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]
        ... )
        >>> packed.data, packed.batch_sizes
        (tensor([1, 4, 6, 2, 5, 3]), tensor([3, 2, 1]))
    """
    lengths = [seq.size(0) for seq in sequences]
    return pack_padded_sequence(
        pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted
    )


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor | list[int], batch_first: bool = False
) -> list[Tensor]:
    """Split a padded batch back into a list of sequences, dropping the padding.

    Unlike torch 2.13's version, this does not transpose `padded_sequences` in place
    (torch's leaves the caller's tensor transposed when `batch_first=False`), and
    `lengths` may be a list.

    Args:
        padded_sequences: `(L, N, *)`, or `(N, L, *)` if `batch_first`.
        lengths: length of each sequence.
        batch_first: whether `padded_sequences` is `(N, L, *)`.

    Shape:
        L: padded length, N: batch, `*`: feature dims.
        Returns N tensors `(lengths[b], *)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import unpad_sequence
        >>> padded = torch.tensor([[1, 2, 3], [4, 0, 0]])  # (N, L) = (2, 3)
        >>> unpad_sequence(padded, torch.tensor([3, 1]), batch_first=True)
        [tensor([1, 2, 3]), tensor([4])]
    """
    lengths = torch.as_tensor(lengths, device="cpu")  # its mask indexes any device
    by_batch = (
        padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    )  # (N, L, *)
    _check_unpad_args(by_batch, lengths, batch_first)
    steps = torch.arange(by_batch.size(1), device=lengths.device)  # (L,)
    return [seq[steps < length] for seq, length in zip(by_batch, lengths, strict=True)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Unpack a `PackedSequence` into the list of sequences it was packed from.

    Args:
        packed_sequences: the packed batch.

    Shape:
        `*`: feature dims.
        Returns N tensors `(lengths[b], *)`, in the original batch order.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import pack_sequence, unpack_sequence
        >>> unpack_sequence(pack_sequence([torch.tensor([1, 2]), torch.tensor([3])]))
        [tensor([1, 2]), tensor([3])]
    """
    _check_packed(packed_sequences, "unpack_sequence")
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


# --8<-- [start:check_lengths]
def check_lengths(
    padded: Tensor,
    lengths: Tensor | list[int],
    padding_value: float = 0,
    batch_first: bool = False,
) -> None:
    """Raise `ValueError` if `lengths` disagree with the lengths read off the padding.

    The length the data suggests for sequence `b` is 1 + the index of its last step
    that is not entirely `padding_value` (0 if every step is padding). Limitation: a
    real step at the end whose values all equal `padding_value` looks like padding, so
    a correct length is reported as too long, and a length too short by those steps
    passes; pick a padding value the data never takes.

    Args:
        padded: `(L, N, *)`, or `(N, L, *)` if `batch_first`.
        lengths: the lengths you are about to pack with.
        padding_value: the value used for padding (NaN is matched as NaN).
        batch_first: whether `padded` is `(N, L, *)`.

    Shape:
        L: padded length, N: batch, `*`: feature dims; lengths: `(N,)`.

    Examples:
        >>> import torch
        >>> from rnn_ref.packing import check_lengths
        >>> padded = torch.tensor([[1, 2, 0, 0], [3, 4, 5, 6]])  # true lengths [2, 4]
        >>> check_lengths(padded, [4, 2], batch_first=True)
        Traceback (most recent call last):
        ValueError: lengths do not match the data at batch index 0 (given 4, data
        suggests 2), ...
    """
    # by_batch (N, L, *), lengths (N,)
    by_batch, lengths = _check_check_lengths_args(padded, lengths, batch_first)
    is_pad = (
        by_batch.isnan() if math.isnan(padding_value) else by_batch == padding_value
    )
    if is_pad.dim() > 2:
        is_pad = is_pad.flatten(2).all(dim=2)  # (N, L): every feature is padding
    # data length = 1 + its last non-padding step = max over t of (t + 1) * [t is data]
    steps = torch.arange(1, is_pad.size(1) + 1, device=is_pad.device)  # (L,)
    data_lengths = (
        (steps * ~is_pad).amax(dim=1) if is_pad.size(1) else lengths * 0
    )  # (N,)
    bad = (data_lengths != lengths).nonzero().flatten().tolist()
    if bad:
        found = ", ".join(
            f"batch index {b} (given {lengths[b]}, data suggests {data_lengths[b]})"
            for b in bad
        )
        raise ValueError(
            f"lengths do not match the data at {found}: the data suggests 1 + the last "
            f"step that is not entirely padding_value={padding_value}. Compute lengths "
            "from the sequences before padding (lengths = [len(s) for s in seqs]) and "
            f"keep them in batch order; check batch_first (now {batch_first})."
        )


# --8<-- [end:check_lengths]
