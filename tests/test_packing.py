"""rnn_ref.packing against torch.nn.utils.rnn: bit-identical results,
same errors, round trips."""

import doctest
import re
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn.utils import rnn as R

import rnn_ref.packing as P
from rnn_ref.packing import PackedSequence

DTYPES = [torch.float32, torch.float64, torch.int64]
FLOAT_PADDING = [0.0, -0.0, 1.0, -1.5, 7.25, 1e30, float("inf"), float("nan")]
INT_PADDING = [0, 0.0, -1, 3, 1.5, -2.5, True]


# ---------------------------------------- comparison helpers


def assert_same_tensor(ours, theirs, what="tensor"):
    """Bit-identical: shape, dtype, device, layout (strides), requires_grad, and
    every bit of every value."""
    assert isinstance(ours, torch.Tensor), f"{what}: got {type(ours).__name__}"
    assert ours.shape == theirs.shape, (
        f"{what}: shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
    )
    assert ours.dtype == theirs.dtype, (
        f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
    )
    assert ours.device == theirs.device, (
        f"{what}: device {ours.device} != torch's {theirs.device}"
    )
    assert ours.requires_grad == theirs.requires_grad, f"{what}: requires_grad differs"
    # same memory layout (strides of size-1 dims do not matter), e.g. a
    # transposed view stays a view
    big = [d for d in range(ours.dim()) if ours.size(d) > 1]
    assert [ours.stride(d) for d in big] == [theirs.stride(d) for d in big], (
        f"{what}: strides {ours.stride()} != torch's {theirs.stride()}"
    )
    a, b = ours.detach(), theirs.detach()
    if (
        a.is_floating_point()
    ):  # compare bits, so -0.0 != 0.0 and NaN == NaN (same payload)
        bits = {2: torch.int16, 4: torch.int32, 8: torch.int64}[a.element_size()]
        a, b = a.view(bits), b.view(bits)
    assert torch.equal(a, b), f"{what}: values differ\nours:  {ours}\ntorch: {theirs}"


def assert_same_packed(ours, theirs):
    assert type(ours) is PackedSequence is type(theirs)
    assert_same_tensor(ours.data, theirs.data, "data")
    assert_same_tensor(ours.batch_sizes, theirs.batch_sizes, "batch_sizes")
    assert (
        ours.batch_sizes.dtype == torch.int64 and ours.batch_sizes.device.type == "cpu"
    )
    for name in ("sorted_indices", "unsorted_indices"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert (a is None) == (b is None), f"{name}: ours {a}, torch's {b}"
        if a is not None:
            assert_same_tensor(a, b, name)


def assert_same_list(ours, theirs):
    assert isinstance(ours, list) and len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert_same_tensor(a, b, f"sequence {i}")


def assert_same_error(call_ours, call_torch):
    """Both raise, with the same exception type; returns our exception."""
    with pytest.raises(Exception) as theirs:
        call_torch()
    with pytest.raises(Exception) as ours:
        call_ours()
    assert type(ours.value) is type(theirs.value), (
        f"ours raised {type(ours.value).__name__}: {ours.value}\n"
        f"torch raised {type(theirs.value).__name__}: {theirs.value}"
    )
    return ours.value


# ---------------------------------------- strategies


def make_tensor(shape, dtype, seed, positive=False):
    """Random data; `positive` keeps every value away from 0 (so no real
    step looks like padding)."""
    g = torch.Generator().manual_seed(seed)
    if dtype.is_floating_point:
        x = torch.randn(shape, generator=g, dtype=torch.float64)
        x = x.abs() + 1 if positive else x
    else:
        x = torch.randint(1 if positive else -9, 10, shape, generator=g)
    return x.to(dtype)


@st.composite
def batches(draw, min_length=1, max_batch=5, zero_features=False):
    """A batch description: lengths, feature shape `*` (0-2 dims), dtype, seed."""
    # mostly small batches; sometimes > 16 sequences, where torch.sort
    # orders equal lengths unstably
    n = draw(st.integers(1, max_batch) | st.integers(17, 24))
    lengths = draw(st.lists(st.integers(min_length, 6), min_size=n, max_size=n))
    if draw(st.booleans()):
        lengths[-1] = lengths[0]  # equal lengths are common in real batches
    features = tuple(
        draw(st.lists(st.integers(0 if zero_features else 1, 3), max_size=2))
    )
    dtype = draw(st.sampled_from(DTYPES))
    return lengths, features, dtype, draw(st.integers(0, 2**31 - 1))


@st.composite
def padding_values(draw, dtype):
    return draw(
        st.sampled_from(FLOAT_PADDING if dtype.is_floating_point else INT_PADDING)
    )


def make_sequences(lengths, features, dtype, seed, requires_grad=False):
    seqs = [make_tensor((n, *features), dtype, seed + i) for i, n in enumerate(lengths)]
    if requires_grad and dtype.is_floating_point:
        seqs = [s.requires_grad_() for s in seqs]
    return seqs


@st.composite
def padded_batches(draw):
    """(padded, lengths as given to pack, sorted lengths used, batch_first,
    enforce_sorted, dtype)."""
    lengths, features, dtype, seed = draw(batches())
    enforce_sorted = draw(st.booleans())
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    extra = draw(st.integers(0, 2))  # padded length may exceed the longest sequence
    batch_first = draw(st.booleans())
    n, length = len(lengths), max(lengths) + extra
    padded = make_tensor(
        (n, length, *features) if batch_first else (length, n, *features), dtype, seed
    )
    if dtype.is_floating_point and draw(st.booleans()):
        padded.requires_grad_()
    as_given = draw(st.sampled_from(["list", "int64", "int32"]))
    given_lengths = (
        lengths
        if as_given == "list"
        else torch.tensor(lengths, dtype=getattr(torch, as_given))
    )
    return padded, given_lengths, batch_first, enforce_sorted


# ---------------------------------------- parity with torch (hypothesis)


@given(
    batches(min_length=0, zero_features=True),
    st.booleans(),
    st.sampled_from(["right", "left"]),
    st.booleans(),
    st.data(),
)
def test_pad_sequence_matches_torch(
    batch, batch_first, padding_side, requires_grad, data
):
    lengths, features, dtype, seed = batch
    seqs = make_sequences(lengths, features, dtype, seed, requires_grad)
    value = data.draw(padding_values(dtype))
    assert_same_tensor(
        P.pad_sequence(seqs, batch_first, value, padding_side),
        R.pad_sequence(seqs, batch_first, value, padding_side),
    )


@given(padded_batches())
def test_pack_padded_sequence_matches_torch(case):
    padded, lengths, batch_first, enforce_sorted = case
    assert_same_packed(
        P.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted),
        R.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted),
    )


@given(padded_batches(), st.booleans(), st.integers(0, 3), st.booleans(), st.data())
def test_pad_packed_sequence_matches_torch(
    case, batch_first, extra, use_total_length, data
):
    padded, lengths, pack_batch_first, enforce_sorted = case
    packed = R.pack_padded_sequence(padded, lengths, pack_batch_first, enforce_sorted)
    total_length = len(packed.batch_sizes) + extra if use_total_length else None
    value = data.draw(padding_values(padded.dtype))
    ours = P.pad_packed_sequence(packed, batch_first, value, total_length)
    theirs = R.pad_packed_sequence(packed, batch_first, value, total_length)
    assert_same_tensor(ours[0], theirs[0], "padded")
    assert_same_tensor(ours[1], theirs[1], "lengths")


@given(batches(), st.booleans(), st.booleans())
def test_pack_sequence_matches_torch(batch, enforce_sorted, requires_grad):
    lengths, features, dtype, seed = batch
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    seqs = make_sequences(lengths, features, dtype, seed, requires_grad)
    assert_same_packed(
        P.pack_sequence(seqs, enforce_sorted), R.pack_sequence(seqs, enforce_sorted)
    )


@given(padded_batches())
def test_unpad_sequence_matches_torch(case):
    padded, lengths, batch_first, _ = case
    lengths = torch.as_tensor(lengths)
    before = padded.detach().clone()
    ours = P.unpad_sequence(padded, lengths, batch_first)
    assert_same_tensor(
        padded.detach(), before, "input after unpad (must not be modified)"
    )
    # torch's unpad_sequence transposes its argument in place: give it a
    # copy without grad history
    theirs = R.unpad_sequence(
        padded.detach().clone().requires_grad_(False), lengths, batch_first
    )
    assert_same_list([s.detach() for s in ours], theirs)


@given(batches(), st.booleans())
def test_unpack_sequence_matches_torch(batch, enforce_sorted):
    lengths, features, dtype, seed = batch
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    packed = R.pack_sequence(
        make_sequences(lengths, features, dtype, seed), enforce_sorted
    )
    assert_same_list(P.unpack_sequence(packed), R.unpack_sequence(packed))


# ---------------------------------------- round trips (hypothesis)


@given(batches(), st.booleans(), st.booleans(), st.data())
def test_round_trips(batch, batch_first, enforce_sorted, data):
    lengths, features, dtype, seed = batch
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    seqs = make_sequences(lengths, features, dtype, seed)
    value = data.draw(padding_values(dtype))
    padded = P.pad_sequence(seqs, batch_first, value)
    # unpad(pad(x)) == x
    assert_same_list(P.unpad_sequence(padded, lengths, batch_first), seqs)
    # pad(pack(padded)) gives back the padded input (padding included) and the lengths
    packed = P.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted)
    repadded, got_lengths = P.pad_packed_sequence(packed, batch_first, value)
    assert torch.equal(got_lengths, torch.tensor(lengths))
    assert_same_tensor(repadded.contiguous(), padded.contiguous(), "pad(pack(padded))")
    # unpack(pack(x)) == x
    assert_same_list(P.unpack_sequence(P.pack_sequence(seqs, enforce_sorted)), seqs)


# ---------------------------------------- gradients


@given(padded_batches(), st.booleans())
def test_gradients_match_torch(case, batch_first_out):
    padded, lengths, batch_first, enforce_sorted = case
    padded = padded.detach().double().requires_grad_()
    weight = make_tensor(
        padded.shape, torch.float64, 1
    )  # a loss that weights every element differently
    grads = []
    for rnn in (P, R):
        packed = rnn.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted)
        out, _ = rnn.pad_packed_sequence(packed, batch_first)
        (grad,) = torch.autograd.grad(
            (out * weight[: out.size(0), : out.size(1)]).sum(), padded
        )
        grads.append(grad)
    assert_same_tensor(*grads, "input gradient")


def test_pad_sequence_gradient_matches_torch():
    seqs = [
        torch.randn(n, 2, dtype=torch.float64, requires_grad=True) for n in (3, 1, 4)
    ]
    weight = torch.randn(4, 3, 2, dtype=torch.float64)
    ours = torch.autograd.grad((P.pad_sequence(seqs) * weight).sum(), seqs)
    theirs = torch.autograd.grad((R.pad_sequence(seqs) * weight).sum(), seqs)
    for a, b in zip(ours, theirs, strict=True):
        assert_same_tensor(a, b, "gradient")


# ---------------------------------------- errors: same type as torch

ERROR_KINDS = {  # kind -> fragment of our message
    "zero length": "greater than 0.*drop empty sequences",
    "negative length": "greater than 0",
    "unsorted": "sorted in decreasing order.*pass enforce_sorted=False",
    "count": "equal to batch_size, but got",
    "2-D lengths": "1-D CPU int64 tensor.*got a 2-D tensor",
    "0-D lengths": "1-D CPU int64 tensor.*got a 0-D tensor",
    "empty input": "Cannot pack empty tensors",
    "1-D input": "expected input of shape.*got a 1-D tensor",
}


@given(padded_batches(), st.sampled_from(sorted(ERROR_KINDS)), st.data())
def test_invalid_pack_inputs_raise_like_torch(case, kind, data):
    padded, lengths, batch_first, enforce_sorted = case
    lengths = torch.as_tensor(lengths, dtype=torch.int64).clone()
    n = len(lengths)
    if kind in ("zero length", "negative length"):
        lengths[data.draw(st.integers(0, n - 1))] = 0 if kind == "zero length" else -1
        lengths = lengths.sort(descending=True).values if enforce_sorted else lengths
    elif kind == "unsorted":  # torch only checks order when enforce_sorted=True
        enforce_sorted = True
        lengths = torch.cat([lengths, lengths.max()[None] + 1])
        time_dim, batch_dim = (1, 0) if batch_first else (0, 1)
        padded = torch.cat(
            [padded, padded.narrow(time_dim, 0, 1)], dim=time_dim
        )  # one more step
        padded = torch.cat(
            [padded, padded.narrow(batch_dim, 0, 1)], dim=batch_dim
        )  # one more sequence
    elif (
        kind == "count"
    ):  # with enforce_sorted=False torch may silently drop sequences (see below)
        enforce_sorted = True
        lengths = lengths.sort(descending=True).values
        lengths = (
            lengths[:-1]
            if data.draw(st.booleans())
            else torch.cat([lengths, lengths[-1:]])
        )
    elif (
        kind == "2-D lengths"
    ):  # torch's type differs with enforce_sorted=False (IndexError)
        enforce_sorted, lengths = True, lengths[None]
    elif kind == "0-D lengths":
        lengths = lengths[0]
    elif (
        kind == "empty input"
    ):  # no steps, or a feature dim of size 0 (an empty batch: see the report)
        feature_dim = (
            padded.dim() - 1 if padded.dim() > 2 and data.draw(st.booleans()) else None
        )
        padded = padded.narrow(
            feature_dim if feature_dim else (1 if batch_first else 0), 0, 0
        )
    elif kind == "1-D input":
        padded, lengths = padded.flatten(), lengths[:1]
    error = assert_same_error(
        lambda: P.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted),
        lambda: R.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted),
    )
    assert re.search(ERROR_KINDS[kind], str(error)), str(error)


@given(
    batches(),
    st.sampled_from(
        [
            "empty",
            "not iterable",
            "0-d first",
            "0-d later",
            "feature shape",
            "padding side",
            "not a tensor",
        ]
    ),
)
def test_invalid_pad_sequence_raises_like_torch(batch, kind):
    lengths, features, dtype, seed = batch
    seqs = make_sequences(lengths, features, dtype, seed)
    side = "right"
    if kind == "empty":
        seqs = []
    elif kind == "not iterable":
        seqs = 3
    elif kind == "0-d first":
        seqs = [torch.tensor(1.0)] + seqs
    elif kind == "0-d later":
        seqs = seqs + [torch.tensor(1.0)]
    elif kind == "feature shape":
        seqs = seqs + [make_tensor((2, *features, 2), dtype, seed)]
    elif kind == "padding side":
        side = "middle"
    elif kind == "not a tensor":
        seqs = seqs + [[1.0, 2.0]]
    assert_same_error(
        lambda: P.pad_sequence(seqs, padding_side=side),
        lambda: R.pad_sequence(seqs, padding_side=side),
    )


# ---------------------------------------- errors: pinned messages

X = torch.arange(1.0, 25.0).reshape(4, 3, 2)  # (L, N, *) = (4, 3, 2), no zeros


@pytest.mark.parametrize(
    "lengths, enforce_sorted, match",
    [
        (
            [4, 2, 0],
            True,
            r"greater than 0, but got lengths=\[4, 2, 0\]; drop empty sequences",
        ),
        ([0, 2, 4], False, r"greater than 0, but got lengths=\[0, 2, 4\]"),
        (
            [2, 4, 1],
            True,
            r"sorted in decreasing order .* "
            r"but got \[2, 4, 1\]; pass enforce_sorted=False",
        ),
        (
            [4, 2],
            True,
            r"equal to batch_size, but got 2 \(batch_size=3\); check batch_first",
        ),
        (
            torch.tensor([[4, 2, 1]]),
            True,
            r"1-D CPU int64 tensor.*got a 2-D tensor on cpu; pass lengths.cpu\(\)",
        ),
    ],
)
def test_pack_error_messages(lengths, enforce_sorted, match):
    torch_type = type(
        _raised(
            lambda: R.pack_padded_sequence(X, lengths, enforce_sorted=enforce_sorted)
        )
    )
    with pytest.raises(torch_type, match=match):
        P.pack_padded_sequence(X, lengths, enforce_sorted=enforce_sorted)


def test_1d_input_raises_index_error_like_torch():
    assert (
        type(_raised(lambda: R.pack_padded_sequence(torch.ones(4), [4]))) is IndexError
    )
    with pytest.raises(
        IndexError, match=r"\(L, N, \*\).*got a 1-D tensor; add a batch dimension"
    ):
        P.pack_padded_sequence(torch.ones(4), [4])


def test_empty_list_of_sequences():
    for fn in (P.pad_sequence, P.pack_sequence):
        torch_fn = getattr(R, fn.__name__)
        torch_type = type(_raised(torch_fn, []))
        with pytest.raises(
            torch_type, match="empty list of sequences; expected at least"
        ):
            fn([])


def test_total_length_shorter_than_longest_sequence():
    packed = R.pack_padded_sequence(X, [4, 2, 1])
    assert (
        type(_raised(lambda: R.pad_packed_sequence(packed, total_length=3)))
        is ValueError
    )
    with pytest.raises(
        ValueError, match=r"total_length=3 and max sequence length being 4; pass"
    ):
        P.pad_packed_sequence(packed, total_length=3)


def test_lengths_on_another_device_are_rejected_like_torch():
    """A non-CPU lengths tensor ('meta' stands in for a GPU here): torch
    raises RuntimeError too."""
    lengths = torch.tensor([4, 2, 1], device="meta")
    assert type(_raised(lambda: R.pack_padded_sequence(X, lengths))) is RuntimeError
    for enforce_sorted in (True, False):
        with pytest.raises(
            RuntimeError, match=r"1-D CPU int64 tensor.*on meta; pass lengths.cpu\(\)"
        ):
            P.pack_padded_sequence(X, lengths, enforce_sorted=enforce_sorted)


@pytest.mark.gpu
def test_lengths_on_gpu_are_rejected_like_torch():
    x, lengths = X.cuda(), torch.tensor([4, 2, 1], device="cuda")
    for enforce_sorted in (True, False):
        torch_error = _raised(
            R.pack_padded_sequence, x, lengths, enforce_sorted=enforce_sorted
        )
        assert type(torch_error) is RuntimeError
        with pytest.raises(
            RuntimeError, match=r"1-D CPU int64 tensor.*on cuda:0; pass lengths.cpu\(\)"
        ):
            P.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    # with CPU lengths, data and indices stay on the GPU and match torch
    assert_same_packed(
        P.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False),
        R.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False),
    )


def _raised(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - we want whatever torch raises
        return error
    raise AssertionError("torch did not raise")


# ---------------------------------------- where we are stricter than torch (pitfalls)


def test_lengths_longer_than_padded_dim_torch_returns_corrupt_packed_sequence():
    packed = R.pack_padded_sequence(
        X, [5, 2, 1]
    )  # torch accepts a length of 5 with only 4 steps
    # batch_sizes promise a row that is not there
    assert packed.batch_sizes.sum() == 8 and packed.data.size(0) == 7
    with pytest.raises(
        RuntimeError, match=r"at most the padded length 4, but got lengths=\[5, 2, 1\]"
    ):
        P.pack_padded_sequence(X, [5, 2, 1])


def test_too_few_lengths_unsorted_torch_silently_drops_a_sequence():
    packed = R.pack_padded_sequence(
        X, [1, 4], enforce_sorted=False
    )  # 3 sequences, 2 lengths
    assert packed.unsorted_indices.tolist() == [1, 0]  # sequence 2 is gone, no error
    with pytest.raises(
        RuntimeError, match=r"equal to batch_size, but got 2 \(batch_size=3\)"
    ):
        P.pack_padded_sequence(X, [1, 4], enforce_sorted=False)


def test_pad_sequence_torch_broadcasts_mismatched_features():
    seqs = [torch.ones(2, 3), torch.full((2, 1), 5.0)]
    assert (
        R.pad_sequence(seqs)[:, 1].tolist() == [[5.0] * 3] * 2
    )  # (2, 1) silently broadcast to (2, 3)
    with pytest.raises(
        RuntimeError,
        match=r"feature shape of sequences\[0\], \(3,\), but sequences\[1\]",
    ):
        P.pad_sequence(seqs)


def test_unpad_sequence_accepts_a_list_of_lengths_unlike_torch():
    assert (
        type(_raised(lambda: R.unpad_sequence(X.clone(), [4, 2, 1]))) is AttributeError
    )
    assert_same_list(
        P.unpad_sequence(X, [4, 2, 1]),
        R.unpad_sequence(X.clone(), torch.tensor([4, 2, 1])),
    )
    with pytest.raises(
        ValueError, match=r"one length per sequence \(3\), got lengths of shape \(2,\)"
    ):
        P.unpad_sequence(X, [4, 2])


def test_torch_unpad_sequence_transposes_its_argument_in_place():
    padded = X.clone()
    R.unpad_sequence(padded, torch.tensor([4, 2, 1]))
    assert padded.shape == (3, 4, 2)  # the caller's tensor is now batch-first
    padded = X.clone()
    P.unpad_sequence(padded, torch.tensor([4, 2, 1]))
    assert padded.shape == (4, 3, 2)


# ---------------------------------------- check_lengths


def test_check_lengths_catches_the_classic_bug():
    """True lengths [2, 4, 1], but packed with lengths [4, 2, 1] (sorted by
    hand, data not reordered)."""
    true_lengths = [2, 4, 1]
    padded = torch.zeros(3, 4, 2)  # (N, L, *), batch_first
    for b, n in enumerate(true_lengths):
        padded[b, :n] = torch.arange(1.0, 2 * n + 1).reshape(n, 2) + 10 * b
    packed = R.pack_padded_sequence(
        padded, [4, 2, 1], batch_first=True
    )  # torch: no error
    assert packed.data.size(0) == 7 == sum(true_lengths)
    zero_rows = (packed.data == 0).all(dim=1)
    assert zero_rows.sum() == 2  # sequence 0's padding went in as data ...
    # ... and sequence 1's steps 2, 3 were dropped
    assert not (packed.data == padded[1, 2:, None]).all(-1).any()
    with pytest.raises(ValueError, match=r"batch index 0 \(given 4, data suggests 2\)"):
        P.check_lengths(padded, [4, 2, 1], batch_first=True)
    assert P.check_lengths(padded, true_lengths, batch_first=True) is None


def test_check_lengths_limitation_real_padding_valued_step_at_the_end():
    padded = torch.tensor(
        [[1.0, 2.0, 0.0], [3.0, 0.0, 0.0]]
    )  # sequence 0 really is [1, 2, 0]
    with pytest.raises(ValueError, match=r"batch index 0 \(given 3, data suggests 2\)"):
        P.check_lengths(padded, [3, 1], batch_first=True)
    # a length too short by that step passes
    assert P.check_lengths(padded, [2, 1], batch_first=True) is None
    # the fix: a padding value the data never takes
    seqs = [torch.tensor([1.0, 2.0, 0.0]), torch.tensor([3.0])]
    padded = P.pad_sequence(seqs, batch_first=True, padding_value=-1.0)
    assert P.check_lengths(padded, [3, 1], padding_value=-1.0, batch_first=True) is None


def test_check_lengths_nan_padding():
    padded = P.pad_sequence([torch.ones(3), torch.ones(1)], padding_value=float("nan"))
    assert P.check_lengths(padded, [3, 1], padding_value=float("nan")) is None
    with pytest.raises(ValueError, match=r"batch index 1 \(given 2, data suggests 1\)"):
        P.check_lengths(padded, [3, 2], padding_value=float("nan"))


def test_check_lengths_wrong_count():
    with pytest.raises(
        ValueError, match=r"expected 3 lengths, got shape \(2,\); check batch_first"
    ):
        P.check_lengths(X, [4, 2])


@given(batches(), st.booleans(), st.data())
def test_check_lengths_accepts_true_lengths_and_names_wrong_ones(
    batch, batch_first, data
):
    lengths, features, dtype, seed = batch
    seqs = [
        make_tensor((n, *features), dtype, seed + i, positive=True)
        for i, n in enumerate(lengths)
    ]
    padded = P.pad_sequence(seqs, batch_first)
    assert P.check_lengths(padded, lengths, batch_first=batch_first) is None
    b = data.draw(st.integers(0, len(lengths) - 1))
    wrong = list(lengths)
    padded_length = padded.size(1 if batch_first else 0)
    wrong[b] = data.draw(
        st.integers(0, padded_length).filter(lambda n: n != lengths[b])
    )
    message = rf"batch index {b} \(given {wrong[b]}, data suggests {lengths[b]}\)"
    with pytest.raises(ValueError, match=message):
        P.check_lengths(padded, wrong, batch_first=batch_first)


# ---------------------------------------- the tests can fail


def test_comparison_helper_detects_a_perturbed_batch_sizes():
    ours = P.pack_padded_sequence(X, [4, 2, 1])
    assert_same_packed(ours, R.pack_padded_sequence(X, [4, 2, 1]))
    bad = PackedSequence(ours.data, ours.batch_sizes + torch.tensor([0, 0, 1, 0]))
    with pytest.raises(AssertionError, match="batch_sizes: values differ"):
        assert_same_packed(bad, R.pack_padded_sequence(X, [4, 2, 1]))


def test_comparison_helper_detects_negative_zero_and_missing_indices():
    with pytest.raises(AssertionError, match="values differ"):
        assert_same_tensor(torch.tensor([-0.0]), torch.tensor([0.0]))
    with pytest.raises(AssertionError, match="sorted_indices"):
        assert_same_packed(
            P.pack_padded_sequence(X, [4, 2, 1], enforce_sorted=False),
            R.pack_padded_sequence(X, [4, 2, 1]),
        )


def test_docstring_examples():
    result = doctest.testmod(
        P, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted >= 7 and result.failed == 0


def test_module_does_not_call_torch_packing():
    """The point is to show how packing works: no calls into
    torch's own packing kernels."""
    source = Path(P.__file__).read_text()
    for forbidden in (
        "_VF",
        "torch._C",
        "torch.ops",
        "_pack_padded_sequence",
        "_pad_packed_sequence",
    ):
        assert forbidden not in source, forbidden
    imports = re.findall(r"^(?:from|import) .*$", source, flags=re.M)
    assert "from torch.nn.utils.rnn import PackedSequence" in imports
    assert not [
        line
        for line in imports
        if "rnn" in line and not line.endswith("import PackedSequence")
    ]


@pytest.mark.parametrize("seed", range(5))
def test_long_sequences_pack_like_torch(seed):
    """The property tests draw short lengths; real batches are
    long (hundreds of steps)."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(
        1, 400, (int(torch.randint(1, 40, (1,), generator=gen)),), generator=gen
    )
    padded = torch.randn(int(lengths.max()), len(lengths), 2, generator=gen)
    ours = P.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    assert_same_packed(
        ours, R.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    )
    for a, b in zip(
        P.pad_packed_sequence(ours), R.pad_packed_sequence(ours), strict=True
    ):
        assert_same_tensor(a, b)


@pytest.mark.parametrize("kind", ["int", "numpy int64", "0-d tensor"])
def test_total_length_accepts_what_torch_accepts(kind):
    """`total_length=lengths.max()` is a common call: a 0-d tensor, or a numpy int."""
    import numpy as np

    total = {"int": 6, "numpy int64": np.int64(6), "0-d tensor": torch.tensor(6)}[kind]
    packed = R.pack_padded_sequence(torch.randn(4, 3, 2), [4, 2, 1])
    for a, b in zip(
        P.pad_packed_sequence(packed, total_length=total),
        R.pad_packed_sequence(packed, total_length=total),
        strict=True,
    ):
        assert_same_tensor(a, b)
    assert_same_error(
        lambda: P.pad_packed_sequence(packed, total_length=6.0),
        lambda: R.pad_packed_sequence(packed, total_length=6.0),
    )


# ---- bad inputs: torch's exception type, our message (issue 11) ----

_X = torch.randn(3, 2, 4)
BAD_PACKING = {
    "input is a list": (
        lambda m: m.pack_padded_sequence([[1.0, 2.0], [3.0, 4.0]], [2, 2]),
        "expected input to be a Tensor",
    ),
    "lengths str": (lambda m: m.pack_padded_sequence(_X, "23"), "got str '23'"),
    "lengths None": (lambda m: m.pack_padded_sequence(_X, None), "got NoneType"),
    "lengths set": (lambda m: m.pack_padded_sequence(_X, {3, 2}), "got set"),
    "lengths 2**63": (
        lambda m: m.pack_padded_sequence(_X, [2**63, 1]),
        "each below 2[*][*]63",
    ),
    "lengths NaN": (
        lambda m: m.pack_padded_sequence(_X, torch.tensor([float("nan"), 1.0])),
        r"'lengths' must be finite, but got \[nan, 1.0\]",
    ),
    "empty PackedSequence": (
        lambda m: m.pad_packed_sequence(
            PackedSequence(torch.empty(0, 4), torch.empty(0, dtype=torch.int64))
        ),
        "batch_sizes can not be empty",
    ),
    "not a PackedSequence": (
        lambda m: m.pad_packed_sequence(_X),
        "expected a PackedSequence, got Tensor",
    ),
    "batch sizes increase": (
        lambda m: m.pad_packed_sequence(
            PackedSequence(torch.randn(5, 4), torch.tensor([2, 1, 3]))
        ),
        "must be non-increasing and sum to the 5 rows",
    ),
    "batch sizes exceed the data": (
        lambda m: m.pad_packed_sequence(
            PackedSequence(torch.randn(2, 4), torch.tensor([2, 1, 1]))
        ),
        "the PackedSequence is inconsistent",
    ),
    "unpack a list": (
        lambda m: m.unpack_sequence([_X]),
        "expected a PackedSequence, got list",
    ),
}


@pytest.mark.parametrize("case", BAD_PACKING)
def test_bad_inputs_raise_torchs_type_with_our_message(case):
    call, match = BAD_PACKING[case]
    with pytest.raises(Exception) as torch_error:
        call(torch.nn.utils.rnn)
    with pytest.raises(torch_error.type, match=match) as ours:
        call(P)
    assert "-9223372036854775808" not in str(ours.value)


def assert_like_meta(ours, theirs, what="tensor"):
    """Meta tensors hold no values: shape, dtype and device; CPU ones all of it."""
    if not theirs.is_meta:
        return assert_same_tensor(ours, theirs, what)
    for attr in ("shape", "dtype", "device"):
        assert getattr(ours, attr) == getattr(theirs, attr), f"{what}: {attr} differs"


# Data on a device other than the CPU ("meta" stands in for a GPU): the results stay
# on the data's device, lengths and batch_sizes on the CPU, as torch's do.
def test_meta_tensors_pack_and_pad_like_torch():
    x = torch.empty(3, 2, 4, device="meta")  # (L, N, H)
    seqs = [x[:3, 0], x[:1, 1]]
    assert_like_meta(P.pad_sequence(seqs), R.pad_sequence(seqs), "padded")
    for lengths, enforce_sorted in [([3, 2], True), (torch.tensor([2, 3]), False)]:
        ours = P.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        theirs = R.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        assert_like_meta(ours.data, theirs.data, "data")
        assert_same_tensor(ours.batch_sizes, theirs.batch_sizes, "batch_sizes")
        for name in ("sorted_indices", "unsorted_indices"):
            a, b = getattr(ours, name), getattr(theirs, name)
            assert (a is None) == (b is None), f"{name}: ours {a}, torch's {b}"
            if a is not None:
                assert_like_meta(a, b, name)
    packed = R.pack_padded_sequence(x, [3, 2])
    (ours, ours_lengths), (theirs, their_lengths) = [
        m.pad_packed_sequence(packed, total_length=5) for m in (P, R)
    ]
    assert_like_meta(ours, theirs, "padded")
    assert_same_tensor(ours_lengths, their_lengths, "lengths")


# torch.set_default_device("cuda") must not move anything: torch's functions keep
# lengths and batch_sizes on the CPU and the data where it is. "meta" stands in for
# the GPU here: a tensor made without a device lands on it and cannot be mixed with
# CPU tensors or read, so any call that relies on the default device fails. (torch's
# own pack_sequence fails under "meta", not under "cuda": its lengths take the
# default device and are copied to the CPU, and a meta tensor cannot be copied; so
# torch's results are computed under the CPU default.)
def _default_device_cases():
    x = make_tensor((4, 3, 2), torch.float32, seed=0)  # (L, N, H)
    lengths = torch.tensor([2, 4, 1])
    seqs = [x[: int(n), b] for b, n in enumerate(lengths)]
    packed = R.pack_padded_sequence(x, lengths, enforce_sorted=False)
    return {
        "pad_sequence": lambda m: m.pad_sequence(seqs, batch_first=True),
        "pack_padded_sequence": lambda m: m.pack_padded_sequence(
            x, lengths, enforce_sorted=False
        ),
        "pack_padded_sequence, list": lambda m: m.pack_padded_sequence(
            x[:, [1, 0, 2]], [4, 2, 1]
        ),
        "pad_packed_sequence": lambda m: m.pad_packed_sequence(packed, True, -1.0, 6),
        "pack_sequence": lambda m: m.pack_sequence(seqs, enforce_sorted=False),
        "unpad_sequence": lambda m: m.unpad_sequence(x.transpose(0, 1), lengths, True),
        "unpack_sequence": lambda m: m.unpack_sequence(packed),
    }


@pytest.mark.parametrize("case", list(_default_device_cases()))
def test_a_default_device_moves_nothing(case):
    call = _default_device_cases()[case]
    theirs = call(R)
    with torch.device("meta"):
        ours = call(P)
    if isinstance(theirs, PackedSequence):
        assert_same_packed(ours, theirs)
    elif isinstance(theirs, tuple):  # pad_packed_sequence: (padded, lengths)
        assert_same_tensor(ours[0], theirs[0], "padded")
        assert_same_tensor(ours[1], theirs[1], "lengths")
    elif isinstance(theirs, list):
        assert_same_list(ours, theirs)
    else:
        assert_same_tensor(ours, theirs)


def test_check_lengths_under_a_default_device():
    padded = torch.tensor([[1, 2, 0, 0], [3, 4, 5, 6]])  # true lengths [2, 4]
    with torch.device("meta"):
        P.check_lengths(padded, [2, 4], batch_first=True)
        with pytest.raises(ValueError, match="batch index 0 .given 4, data suggests 2"):
            P.check_lengths(padded, [4, 4], batch_first=True)


# Found by mutation testing: behaviour of packing and its checks that a mutant changed
# while every other test still passed (mutation/RESULTS.md names the test that kills
# it).


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
