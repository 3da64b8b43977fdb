"""Blocked evaluation of large grids (:meth:`tbounds.bounds.linear.Evaluator.blocked`) is bit for bit the
unblocked evaluation, on in-range and wide grids, flat and broadcast, with single values mixed in; a value
out of its domain is named exactly as before."""

import math

import numpy as np
import pytest

import tbounds.bounds as bounds
from tbounds.bounds.errors import ParameterError
from tbounds.bounds.record import Bound
import tbounds.bounds.linear as linear

from .test_fast_evaluation import _around_examples

BLOCKABLE = [b for b in (bounds.get(i) for i in bounds.ids())
             if b.params and b.expr is not None and b.numeric is None and not b.integer_valued]
SMALL_BLOCK, SMALL_FROM = 64, 256
POINTS = SMALL_FROM + 21  # five blocks, the last one partial


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 64 points from 256 on: the same code as at the real sizes, at a fraction of the suite's time
    (one test below runs the real sizes)."""
    monkeypatch.setattr(linear, "BLOCK", SMALL_BLOCK)
    monkeypatch.setattr(linear, "BLOCKED_FROM", SMALL_FROM)
    _without_loops(monkeypatch)


def _without_loops(monkeypatch):
    """The compiled loops set aside (they take a large grid before the blocks; ``tests/test_loopcode.py`` holds
    them to numpy's values): the blocked path is compared with the whole-grid numpy code here."""
    monkeypatch.setattr(Bound, "_looped_grid", lambda self, arrays: None)
    monkeypatch.setattr(Bound, "_looped_log", lambda self, arrays, check: None)


def _unblocked(bound, values):
    return bound._log_function(*bound.prepare(values, check=False))


def _assert_same(bound, values):
    arrays = [np.asarray(values[p.name], dtype=float) for p in bound.params]
    shape = np.broadcast_shapes(*[a.shape for a in arrays])
    blocked = bound._log_function.blocked(arrays, shape)
    assert blocked is not None, bound.id  # (the blocked path ran)
    ours, theirs = bound.signed_log(check=False, **values), _unblocked(bound, values)
    for a, b in ((blocked, theirs), (ours, theirs)):
        assert a.log.shape == b.log.shape == shape, bound.id
        np.testing.assert_array_equal(np.broadcast_to(a.sign, shape), np.broadcast_to(b.sign, shape), err_msg=bound.id)
        np.testing.assert_array_equal(np.isnan(a.log), np.isnan(b.log), err_msg=bound.id)
        number = ~np.isnan(b.log)  # equal bits elsewhere (-0.0 is not 0.0)
        assert (a.log[number].view(np.int64) == b.log[number].view(np.int64)).all(), bound.id
    # linear values (evaluate's path): blocked and whole agree too
    plain = bound._log_function.linear(*bound.prepare(values, check=False))
    blocked_plain = bound._log_function.blocked_linear(arrays, shape)
    assert blocked_plain is not None and blocked_plain.shape == plain.shape == shape, bound.id
    _assert_bits(blocked_plain, plain, bound.id)
    try:
        _assert_bits(bound.evaluate(**values), plain, bound.id)
    except bounds.TboundsError:  # an assumption fails on the grid: evaluate refuses, blocked or not
        with pytest.raises(bounds.TboundsError):
            bound._log_function.linear(*bound.prepare(values))


def _assert_bits(a, b, label):
    a, b = np.asarray(a), np.asarray(b)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=label)
    number = ~np.isnan(b)
    assert (a[number].view(np.int64) == b[number].view(np.int64)).all(), label


def _wide(bound, count, rng):
    """Every parameter spread over 10^-300 .. 10^300, clipped to its domain (most points need log space)."""
    out = {}
    for p in bound.params:
        lo = p.low + (1 if p.integer else abs(p.low) * 1e-9 + 1e-300) if p.low_open else p.low
        hi = p.high - (1 if p.integer else abs(p.high) * 1e-12) if p.high_open else p.high
        hi = min(hi, 1e300)
        x = np.clip(10 ** rng.uniform(-300, 300, count), lo, hi)
        out[p.name] = np.clip(np.round(x), math.ceil(lo), math.floor(hi)) if p.integer else x
    return out


@pytest.mark.parametrize("bound", BLOCKABLE, ids=lambda b: b.id)
def test_blocked_equals_unblocked_in_range_and_wide(bound):
    rng = np.random.default_rng(17)
    _assert_same(bound, _around_examples(bound, POINTS, rng, spread=0.25))
    _assert_same(bound, _wide(bound, POINTS, rng))


MULTI = [b for b in BLOCKABLE if len(b.params) >= 2][::7]


@pytest.mark.parametrize("bound", MULTI, ids=lambda b: b.id)
def test_blocked_broadcast_shapes_and_single_values(bound):
    rng = np.random.default_rng(3)
    first, *rest = bound.params
    column = _around_examples(bound, 30, rng, spread=0.25)
    row = _around_examples(bound, 20, rng, spread=0.25)
    # a column against rows: blocked by rows of the (30, 20) grid, three rows a block
    values = {first.name: column[first.name][:, None], **{p.name: row[p.name][None, :] for p in rest}}
    _assert_same(bound, values)
    # a flat grid with single values mixed in: a Python float, a 0-d array and a (1,) array
    flat = _around_examples(bound, POINTS, rng, spread=0.25)
    example = bound.example()
    kinds = [float, np.asarray, lambda x: np.asarray([x])]
    values = {p.name: kinds[i % 3](example[p.name]) if i else flat[p.name] for i, p in enumerate(bound.params)}
    _assert_same(bound, values)


@pytest.mark.parametrize("bound", BLOCKABLE[::11], ids=lambda b: b.id)
def test_out_of_domain_in_the_last_block_named_as_before(bound):
    rng = np.random.default_rng(5)
    values = _around_examples(bound, POINTS, rng, spread=0.25)
    p = bound.params[-1]
    values[p.name] = values[p.name].copy()
    values[p.name][-3] = math.nan
    with pytest.raises(ParameterError) as blocked:
        bound.signed_log(check=False, **values)
    with pytest.raises(ParameterError) as whole:
        bound.prepare(values, check=False)
    assert str(blocked.value) == str(whole.value) and p.name in str(blocked.value)


@pytest.mark.parametrize("bound", BLOCKABLE[::23], ids=lambda b: b.id)
def test_blocked_at_the_real_block_size(bound, monkeypatch):
    monkeypatch.undo()
    _without_loops(monkeypatch)
    rng = np.random.default_rng(11)
    values = _around_examples(bound, linear.BLOCKED_FROM + linear.BLOCK // 3, rng, spread=0.25)
    _assert_same(bound, values)
