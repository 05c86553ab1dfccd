"""The parallel scan equals the loop (values and gradients);
tanh steps do not compose."""

import doctest
import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnn_ref import scan
from rnn_ref.scan import combine, linear_recurrence_loop, linear_recurrence_scan

LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 100, 128, 255, 1000]


def _inputs(T, feature_shape=(3,), dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = (
        torch.rand(T, *feature_shape, generator=g, dtype=dtype) * 1.8 - 0.9
    )  # |a| < 1: stable
    b = torch.randn(T, *feature_shape, generator=g, dtype=dtype)
    h0 = torch.randn(tuple(feature_shape), generator=g, dtype=dtype)
    return a, b, h0


@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize("with_h0", [False, True])
def test_scan_equals_loop(T, with_h0):
    a, b, h0 = _inputs(T, (2, 5))
    h0 = h0 if with_h0 else None
    expected = linear_recurrence_loop(a, b, h0)
    got = linear_recurrence_scan(a, b, h0)
    assert got.shape == expected.shape == (T, 2, 5)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-10)


@given(
    T=st.integers(1, 300),
    features=st.lists(st.integers(1, 4), max_size=3),
    seed=st.integers(0, 2**16),
)
def test_scan_equals_loop_any_shape(T, features, seed):
    a, b, h0 = _inputs(T, tuple(features), seed=seed)
    torch.testing.assert_close(
        linear_recurrence_scan(a, b, h0),
        linear_recurrence_loop(a, b, h0),
        rtol=0,
        atol=1e-10,
    )


def test_scan_float32_within_rounding():
    a, b, h0 = _inputs(4096, (16,), dtype=torch.float32)
    torch.testing.assert_close(
        linear_recurrence_scan(a, b, h0),
        linear_recurrence_loop(a, b, h0),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("T", [1, 6, 64, 77])
def test_scan_gradients_equal_loop(T):
    a, b, h0 = (t.requires_grad_() for t in _inputs(T, (4,)))
    weights = torch.randn(
        T, 4, dtype=torch.float64
    )  # a loss that weighs every step differently
    grads_loop = torch.autograd.grad(
        (linear_recurrence_loop(a, b, h0) * weights).sum(), (a, b, h0)
    )
    grads_scan = torch.autograd.grad(
        (linear_recurrence_scan(a, b, h0) * weights).sum(), (a, b, h0)
    )
    for g_loop, g_scan in zip(grads_loop, grads_scan, strict=True):
        torch.testing.assert_close(g_scan, g_loop, rtol=0, atol=1e-10)


def test_scan_gradcheck():
    a, b, h0 = (t.requires_grad_() for t in _inputs(5, (2,)))
    assert torch.autograd.gradcheck(linear_recurrence_scan, (a, b, h0))


def test_combine_is_associative_and_composes_steps():
    (a1, b1, h), (a2, b2, _), (a3, b3, _) = (_inputs(1, (6,), seed=s) for s in range(3))
    left = combine(combine((a1, b1), (a2, b2)), (a3, b3))
    right = combine((a1, b1), combine((a2, b2), (a3, b3)))
    for x, y in zip(left, right, strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=1e-15)
    A, B = combine((a1, b1), (a2, b2))
    torch.testing.assert_close(A * h + B, a2 * (a1 * h + b1) + b2, rtol=0, atol=1e-15)


def test_tanh_steps_do_not_compose():
    """Two tanh steps are not one: the reason an RNN cannot use the scan.

    If tanh(a2 * tanh(a1 * h + b1) + b2) were tanh(A * h + B) for some A, B, then
    atanh of it, g(h) = a2 * tanh(a1 * h + b1) + b2, would be affine in h, and
    its second difference g(1) - 2 g(0) + g(-1) would be 0. It is not. The linear
    step passes the same check.
    """
    a1, b1, a2, b2 = 1.5, 0.3, 0.8, -0.2
    g = lambda h: a2 * math.tanh(a1 * h + b1) + b2  # noqa: E731
    second_difference = g(1.0) - 2 * g(0.0) + g(-1.0)
    assert abs(second_difference) > 0.1  # about -0.16: no (A, B) fits three points
    linear = lambda h: a2 * (a1 * h + b1) + b2  # noqa: E731
    assert abs(linear(1.0) - 2 * linear(0.0) + linear(-1.0)) < 1e-12


def test_scan_rejects_mismatched_shapes():
    with pytest.raises(
        ValueError, match=r"a and b must have the same shape .* broadcast them"
    ):
        linear_recurrence_scan(torch.ones(3, 2), torch.ones(3, 4))
    with pytest.raises(ValueError, match=r"h0 must have the shape of one step, \[2\]"):
        linear_recurrence_loop(torch.ones(3, 2), torch.ones(3, 2), torch.ones(3))
    with pytest.raises(ValueError, match=r"time dim of length >= 1"):
        linear_recurrence_scan(torch.ones(0, 2), torch.ones(0, 2))


def test_docstring_examples():
    result = doctest.testmod(scan, extraglobs={"torch": torch})
    assert result.failed == 0 and result.attempted >= 2


# Found by mutation testing: behaviour of the scan that a mutant changed while
# every other test still passed (mutation/RESULTS.md names the test that kills it).


@pytest.mark.parametrize("run", [linear_recurrence_loop, linear_recurrence_scan])
@pytest.mark.parametrize("h0_shape", [(1,), (3,), (3, 2)])
def test_both_reject_an_h0_that_is_not_one_step(run, h0_shape):
    """h0 must have exactly the shape of one step, `a.shape[1:]`; an h0 that would
    broadcast against it (shape `(1,)`) is refused too, not silently spread."""
    a, b = torch.full((3, 2), 0.5), torch.ones(3, 2)
    with pytest.raises(ValueError, match=r"h0 must have the shape of one step, \[2\]"):
        run(a, b, torch.ones(h0_shape))
