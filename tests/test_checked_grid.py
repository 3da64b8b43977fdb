"""A point's value on a grid is its value alone, wherever its plain value stands (issue 17's fast path kept the
plain values only where every point of the grid stood)."""

import numpy as np
import pytest

from .test_fast_evaluation import CLOSED, _around_examples


@pytest.mark.parametrize("bound", [b for b in CLOSED if b.numeric is None], ids=lambda b: b.id)
def test_a_point_s_value_does_not_depend_on_its_grid(bound):
    """A grid where some points overflow takes log space there; every other point keeps its plain value, bit for
    bit what it is alone (it came back as exp(log v) before: 2**(Q**4) at Q = 5, 127 units in the last place off,
    because Q = 6 overflowed beside it)."""
    values = _around_examples(bound, 64, np.random.default_rng(8), spread=3.0)
    with np.errstate(all="ignore"):
        keep = bound.assumptions_hold(values)
        values = {k: np.ascontiguousarray(np.broadcast_to(v, keep.shape)[keep]) for k, v in values.items()}
        grid = bound.evaluate(**values)
        for i in range(next(iter(values.values())).size):
            alone = bound.evaluate(**{k: v[i:i + 1] for k, v in values.items()})
            assert grid[i] == alone[0] or (np.isnan(grid[i]) and np.isnan(alone[0])), (bound.id, i)
