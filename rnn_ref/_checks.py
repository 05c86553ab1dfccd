"""Input validation of the core: packing's arguments and `reference_forward`'s.

Each check raises the exception type torch 2.13 raises for the same input (so a caller's
`except` behaves the same with ours and torch's), with a message that says what was
expected, what was got, and how to fix it. `tests/test_packing.py` and
`tests/test_loops.py` pin the types and the message fragments.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

# ---- packing: the exception types of torch.nn.utils.rnn (2.13), clearer messages ----


def _check_sequences(sequences, padding_side: str) -> tuple[Tensor, ...]:
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: expected a list of tensors of shape (L_i, *), got "
            f"{type(sequences).__name__}; pass [seq1, seq2, ...]"
        )
    sequences = tuple(sequences)
    for i, seq in enumerate(sequences):
        if not isinstance(seq, Tensor):
            raise TypeError(
                f"pad_sequence: expected tensors, got {type(seq).__name__} at index "
                f"{i}; convert with torch.as_tensor"
            )
    if not sequences:
        raise RuntimeError(
            "pad_sequence: received an empty list of sequences; expected at least one "
            "tensor"
        )
    for i, seq in enumerate(sequences):
        if seq.dim() == 0:
            # torch 2.13 raises RuntimeError when sequences[0] is 0-d, IndexError for a
            # later one
            error = RuntimeError if i == 0 else IndexError
            raise error(
                f"pad_sequence: each sequence needs a length dimension (L_i, *), but "
                f"sequences[{i}] is 0-d; use seq.reshape(1) for a sequence of one step"
            )
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            "Expected padding_side to be one of left or right, but got "
            f"{padding_side!r}."
        )
    feature_shape = sequences[0].shape[1:]
    for i, seq in enumerate(sequences):
        if seq.shape[1:] != feature_shape:
            # torch broadcasts some mismatches silently (e.g. (L, 1) into (L, 3)); we
            # refuse all
            raise RuntimeError(
                "pad_sequence: every sequence must have the feature shape of "
                f"sequences[0], {tuple(feature_shape)}, but sequences[{i}] has shape "
                f"{tuple(seq.shape)}"
            )
    return sequences


def _lengths_tensor(lengths: Tensor | list[int]) -> Tensor:
    """Lengths as torch reads them: a list becomes a CPU int64 tensor, a tensor is cast
    to int64 (after refusing NaN and infinities, which the cast would turn into
    -9223372036854775808)."""
    if isinstance(lengths, Tensor):
        if lengths.is_floating_point() and not torch.isfinite(lengths).all():
            raise RuntimeError(
                f"'lengths' must be finite, but got {lengths.tolist()[:8]}; compute "
                "them as integers, e.g. mask.sum(dim=1).long()"
            )
        return _lengths_shape(lengths.to(dtype=torch.int64))
    try:
        lengths = torch.as_tensor(lengths, dtype=torch.int64, device="cpu")
    except (TypeError, ValueError, RuntimeError, OverflowError) as e:
        # the type torch raises (TypeError for str/None/set, ValueError for 2**63)
        raise type(e)(
            "'lengths' must be a list of ints or a 1-D CPU int64 tensor, each below "
            f"2**63, but got {type(lengths).__name__} {repr(lengths)[:40]}; pass e.g. "
            "[3, 2, 1] or torch.tensor([3, 2, 1])"
        ) from None
    return _lengths_shape(lengths)


def _lengths_shape(lengths: Tensor) -> Tensor:
    if lengths.dim() != 1 or lengths.device.type != "cpu":
        raise RuntimeError(
            "'lengths' must be a list of ints or a 1-D CPU int64 tensor (batch_sizes "
            f"are computed on the host), but got a {lengths.dim()}-D tensor on "
            f"{lengths.device}; pass lengths.cpu() or a list"
        )
    return lengths


def _check_pack_args(
    input: Tensor, lengths, batch_first: bool, enforce_sorted: bool
) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            "pack_padded_sequence: expected input to be a Tensor of shape (L, N, *) or "
            f"(N, L, *), got {type(input).__name__}; pad a list of tensors with "
            "pad_sequence first, or use pack_sequence"
        )
    lengths = _lengths_tensor(lengths)
    if input.numel() == 0:
        raise RuntimeError(
            f"Cannot pack empty tensors: input has shape {tuple(input.shape)}; "
            "drop empty batches before packing"
        )
    if input.dim() < 2:
        raise IndexError(
            "pack_padded_sequence: expected input of shape (L, N, *) or (N, L, *), got "
            f"a {input.dim()}-D tensor; add a batch dimension, e.g. input.unsqueeze(1)"
        )
    batch_dim, time_dim = (0, 1) if batch_first else (1, 0)
    batch_size, padded_length = input.size(batch_dim), input.size(time_dim)
    if len(lengths) != batch_size:
        raise RuntimeError(
            "Expected `len(lengths)` to be equal to batch_size, but got "
            f"{len(lengths)} (batch_size={batch_size}); check batch_first (now "
            f"{batch_first})"
        )
    if (lengths <= 0).any():
        raise RuntimeError(
            f"Length of all samples has to be greater than 0, but got "
            f"lengths={lengths.tolist()}; drop empty sequences from the batch before "
            "packing"
        )
    if (lengths > padded_length).any():
        # torch 2.13 does not check this: it returns a PackedSequence whose data is too
        # short
        raise RuntimeError(
            f"lengths can be at most the padded length {padded_length}, but got "
            f"lengths={lengths.tolist()}; check batch_first (now {batch_first}) and "
            "the lengths"
        )
    if enforce_sorted and (lengths[1:] > lengths[:-1]).any():
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` "
            f"is True, but got {lengths.tolist()}; pass enforce_sorted=False to sort "
            "them for you (sorted input is only needed for ONNX export)"
        )
    return lengths


def _check_packed(sequence, function: str) -> None:
    """`sequence` is a PackedSequence whose batch sizes fit its data (as packing makes
    them: at least one step, non-increasing, summing to the number of rows)."""
    if not isinstance(sequence, PackedSequence):
        # torch raises AttributeError ('... has no attribute batch_sizes')
        raise AttributeError(
            f"{function}: expected a PackedSequence, got {type(sequence).__name__}; "
            "pack the batch first with pack_padded_sequence or pack_sequence"
        )
    batch_sizes = sequence.batch_sizes
    if isinstance(batch_sizes, Tensor) and batch_sizes.dim() == 1:
        if batch_sizes.numel() == 0:
            raise RuntimeError(
                f"{function}: batch_sizes can not be empty (an empty PackedSequence); "
                "drop empty batches before packing"
            )
        if (batch_sizes[1:] > batch_sizes[:-1]).any() or int(
            batch_sizes.sum()
        ) != sequence.data.size(0):
            raise RuntimeError(
                f"{function}: the PackedSequence is inconsistent: batch_sizes "
                f"{batch_sizes.tolist()[:8]} must be non-increasing and sum to the "
                f"{sequence.data.size(0)} rows of data; build it with "
                "pack_padded_sequence instead of PackedSequence(...)"
            )


def _check_pad_packed_args(batch_sizes: Tensor, total_length: int | None) -> int:
    if (
        batch_sizes.dim() != 1
        or batch_sizes.dtype != torch.int64
        or batch_sizes.device.type != "cpu"
    ):
        raise RuntimeError(
            f"batch_sizes must be a 1-D CPU int64 tensor, got a {batch_sizes.dim()}-D "
            f"{batch_sizes.dtype} tensor on {batch_sizes.device}; build the "
            "PackedSequence with pack_padded_sequence"
        )
    max_length = batch_sizes.size(0)
    if total_length is None:
        return max_length
    try:
        # torch accepts numpy ints and 0-d tensors
        total_length = operator.index(total_length)
    except TypeError:
        raise TypeError(
            f"total_length must be an int, got {type(total_length).__name__}; "
            "pass int(total_length)"
        ) from None
    if total_length < max_length:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence "
            f"in input, but got total_length={total_length} and max sequence length "
            f"being {max_length}; pass total_length >= the padded length of the batch, "
            "or None"
        )
    return total_length


def _check_unpad_args(by_batch: Tensor, lengths: Tensor, batch_first: bool) -> None:
    if lengths.dim() != 1 or len(lengths) != by_batch.size(0):
        raise ValueError(
            "unpad_sequence: expected one length per sequence "
            f"({by_batch.size(0)}), got lengths of shape {tuple(lengths.shape)}; check "
            f"batch_first (now {batch_first})"
        )


def _check_check_lengths_args(
    padded: Tensor, lengths, batch_first: bool
) -> tuple[Tensor, Tensor]:
    if padded.dim() < 2:
        raise ValueError(
            "check_lengths: expected padded of shape (L, N, *) or (N, L, *), got shape "
            f"{tuple(padded.shape)}"
        )
    by_batch = padded if batch_first else padded.transpose(0, 1)  # (N, L, *)
    lengths = torch.as_tensor(lengths, dtype=torch.int64, device=padded.device)
    if lengths.shape != by_batch.shape[:1]:
        raise ValueError(
            f"check_lengths: expected {by_batch.size(0)} lengths, got shape "
            f"{tuple(lengths.shape)}; check batch_first (now {batch_first})"
        )
    return by_batch, lengths


# ---- reference_forward: the checks of torch's RNN/GRU/LSTM.forward, in its order ----


def _check_input(module: nn.RNNBase, input: Tensor | PackedSequence) -> None:
    """The module is a recurrent net, and the input has the dims, dtype, feature size
    and length it needs."""
    modes = ("RNN_TANH", "RNN_RELU", "GRU", "LSTM")
    if not isinstance(module, nn.RNNBase) or module.mode not in modes:
        raise TypeError(
            f"module must be an nn.RNN, nn.GRU or nn.LSTM; got {type(module).__name__}"
        )
    packed = isinstance(input, PackedSequence)
    x = input.data if packed else input  # (B, H_in) packed, else the padded input
    if packed and x.dim() != 2:
        raise RuntimeError(
            f"PackedSequence data must have 2 dimensions (B, H_in), got {x.dim()}; "
            f"build it with pack_padded_sequence or pack_sequence"
        )
    if not packed and input.dim() not in (2, 3):
        raise ValueError(
            f"{type(module).__name__}: Expected input to be 2D (L, H_in) unbatched or "
            f"3D (L, N, H_in) batched, got {input.dim()}D tensor of shape "
            f"{list(input.shape)}; reshape it, or pack sequences of different lengths "
            f"with pack_padded_sequence"
        )
    weight = module.weight_ih_l0
    if x.dtype != weight.dtype:
        raise ValueError(
            f"RNN input dtype ({x.dtype}) does not match weight dtype "
            f"({weight.dtype}). Convert input: input.to({weight.dtype}), or convert "
            f"model: model.to({x.dtype})"
        )
    if x.size(-1) != module.input_size:
        raise RuntimeError(
            "input.size(-1) must be equal to input_size. Expected "
            f"{module.input_size}, got {x.size(-1)}; build the module with "
            f"input_size={x.size(-1)} or fix the input"
        )
    time_dim = 1 if module.batch_first and x.dim() == 3 else 0  # of a padded input
    if not packed and x.size(time_dim) == 0:
        raise RuntimeError(
            f"Expected sequence length to be larger than 0 in RNN; got input of shape "
            f"{list(input.shape)}; drop empty sequences before calling the RNN"
        )


def _initial_state(
    module: nn.RNNBase, hx, x: Tensor, batch: int, unbatched: bool
) -> tuple[Tensor, ...]:
    """The initial state as a batched tuple: zeros when hx is None, else hx validated
    like torch."""
    num_directions = 2 if module.bidirectional else 1
    h_out = module.proj_size if module.proj_size > 0 else module.hidden_size
    names, sizes = ("hx",), (h_out,)
    if module.mode == "LSTM":
        names, sizes = ("h_0", "c_0"), (h_out, module.hidden_size)
    if hx is None:
        return tuple(
            x.new_zeros(module.num_layers * num_directions, batch, s) for s in sizes
        )
    if module.mode == "LSTM" and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
        # torch 2.13 indexes hx[0], hx[1]: a tensor of at least 2 rows then fails its
        # dim check (RuntimeError), a shorter one or a shorter tuple the indexing
        # (IndexError); a longer tuple its count (RuntimeError)
        error, got = TypeError, type(hx).__name__
        if isinstance(hx, Tensor):
            error = RuntimeError if hx.dim() and hx.size(0) >= 2 else IndexError
        elif isinstance(hx, (tuple, list)):
            error, got = (
                (IndexError if len(hx) < 2 else RuntimeError),
                f"{got} of {len(hx)}",
            )
        raise error(f"LSTM expects hx=(h_0, c_0), a tuple of two tensors; got {got}")
    hx = tuple(hx) if module.mode == "LSTM" else (hx,)
    want_dim = 2 if unbatched else 3
    state = []
    for name, t, size in zip(names, hx, sizes, strict=True):
        expected = (module.num_layers * num_directions, batch, size)
        legend = (
            f"(num_layers * num_directions, N, {'H' if name == 'c_0' else 'H_out'})"
        )
        if unbatched:
            expected, legend = expected[:1] + expected[2:], legend.replace(", N", "")
        if t.dim() != want_dim:
            kind = "unbatched 2-D" if unbatched else "batched 3-D"
            raise RuntimeError(
                f"For {kind} input, {name} should also be {want_dim}-D: expected shape "
                f"{expected} {legend}, got {t.dim()}-D tensor of "
                f"shape {list(t.shape)}; {'drop' if unbatched else 'add'} the batch "
                f"dim of {name}"
            )
        if tuple(t.shape) != expected:
            raise RuntimeError(
                f"Expected {name} size {expected} {legend}, got "
                f"{list(t.shape)}; build it with that shape (or pass hx=None for zeros)"
            )
        state.append(t.unsqueeze(1) if unbatched else t)
    return tuple(state)
