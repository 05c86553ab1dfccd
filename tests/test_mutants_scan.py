"""Scan behaviour that mutation testing found unpinned (see mutation/RESULTS.md)."""

import pytest
import torch

from rnn_ref.scan import linear_recurrence_loop, linear_recurrence_scan


@pytest.mark.parametrize("run", [linear_recurrence_loop, linear_recurrence_scan])
@pytest.mark.parametrize("h0_shape", [(1,), (3,), (3, 2)])
def test_both_reject_an_h0_that_is_not_one_step(run, h0_shape):
    """h0 must have exactly the shape of one step, `a.shape[1:]`; an h0 that would
    broadcast against it (shape `(1,)`) is refused too, not silently spread."""
    a, b = torch.full((3, 2), 0.5), torch.ones(3, 2)
    with pytest.raises(ValueError, match=r"h0 must have the shape of one step, \[2\]"):
        run(a, b, torch.ones(h0_shape))
