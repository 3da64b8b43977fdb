"""Grid evaluation: a grid given the usual way skips ``prepare``'s conversions (``Bound._checked_grid``), ``2**e``
is computed by ``exp2``, and a point's value does not depend on the rest of its grid.

- every closed-form bound: the fast path's values are the general path's, bit for bit, and the fast path is
  taken where the kernel is built (the compiled loop, which comes before it in ``evaluate``, set aside:
  ``tests/test_loopcode.py`` holds it to numpy's values);
- a value out of its domain, a failing assumption, arrays of two shapes and an integer array all reach the
  general path, which names what is wrong as before;
- ``2**e`` is ``exp2(e)`` in the plain code of both paths except inside a step, and is as accurate as
  numpy's ``power`` on the same exponent;
- every closed-form bound: a point's value on a grid where other points overflow is its value alone.
"""

import math

import numpy as np
import pytest
import sympy as sp
from sympy.codegen.cfunctions import exp2

import tbounds.bounds as bounds
from tbounds.bounds import onepass
from tbounds.bounds.codegen import base_two_powers
from tbounds.bounds.errors import AssumptionError, ParameterError
from tbounds.bounds.linear import MODERATE_HIGH, MODERATE_LOW
from tbounds.bounds.record import Bound

from .test_fast_evaluation import CLOSED, _around_examples

POINTS = 2048  # (between the kernel's KERNEL_FROM and the blocked path's BLOCKED_FROM)


def _grid(bound, seed, spread=0.5):
    values = _around_examples(bound, POINTS, np.random.default_rng(seed), spread=spread)
    with np.errstate(all="ignore"):
        keep = bound.assumptions_hold(values)
    return {k: np.ascontiguousarray(np.broadcast_to(v, keep.shape)[keep]) for k, v in values.items()}


@pytest.mark.parametrize("bound", [b for b in CLOSED if b.numeric is None], ids=lambda b: b.id)
def test_the_fast_path_gives_what_the_general_path_gives(bound, monkeypatch):
    monkeypatch.setattr(type(bound), "_looped_grid", lambda self, arrays: None)  # (the compiled loops: test_loopcode)
    monkeypatch.setattr(type(bound), "_looped_log", lambda self, arrays, check: None)
    for seed, spread in ((1, 0.5), (2, 3.0)):  # (around the examples, and far from them: log space takes some)
        values = _grid(bound, seed, spread)
        if next(iter(values.values())).size < onepass.KERNEL_FROM:
            continue  # (the assumptions fail at most points of this spread)
        if onepass.status().startswith("compiled"):
            assert bound._checked_grid(values) is not None, bound.id
        with np.errstate(all="ignore"):
            fast = bound.evaluate(**values)
        with monkeypatch.context() as m:
            m.setattr(type(bound), "_checked_grid", lambda self, values, check=True, arrays=None: None)
            with np.errstate(all="ignore"):
                general = bound.evaluate(**values)
        np.testing.assert_array_equal(fast, general, err_msg=bound.id)
        for check in (True, False):
            fast = bound.signed_log(check=check, **values)
            with monkeypatch.context() as m:
                m.setattr(type(bound), "_checked_grid", lambda self, values, check=True, arrays=None: None)
                general = bound.signed_log(check=check, **values)
            np.testing.assert_array_equal(fast.log, general.log, err_msg=bound.id)
            np.testing.assert_array_equal(np.broadcast_to(fast.sign, general.sign.shape), general.sign, err_msg=bound.id)


def test_what_the_fast_path_does_not_take_reaches_the_general_path(monkeypatch):
    monkeypatch.setattr(Bound, "_looped_grid", lambda self, arrays: None)  # (numpy's values on both paths)
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")  # N >= 2 and n >= 1, integers
    N, n = np.full(POINTS, 1000.0), np.full(POINTS, 8.0)
    assert b._checked_grid({"N": N, "n": n}) is not None or not onepass.status().startswith("compiled")
    bad = N.copy()
    bad[1234] = 2.5
    assert b._checked_grid({"N": bad, "n": n}) is None
    with pytest.raises(ParameterError, match="'N' must be an integer >= 2"):
        b(N=bad, n=n)
    for values in ({"N": N.astype(np.int64), "n": n}, {"N": N[::2], "n": n[::2]}, {"N": N, "n": n[:10]},
                   {"N": N.reshape(32, 64), "n": n}, {"N": N}):
        assert b._checked_grid(values) is None
    np.testing.assert_array_equal(b(N=N.astype(np.int64), n=n), b(N=N, n=n))
    with pytest.raises(ParameterError, match="do not broadcast"):
        b(N=N, n=n[:10])
    with pytest.raises(ParameterError, match="'n' is missing"):
        b(N=N)


def test_a_failing_assumption_is_named_by_the_general_path():
    b = next(x for x in CLOSED if x.numeric is None and x._assumption_tests and any(x._assumption_tests))
    values = _around_examples(b, POINTS, np.random.default_rng(3), spread=6.0)
    with np.errstate(all="ignore"):
        holds = b.assumptions_hold(values)
    assert not holds.all(), b.id
    assert b._checked_grid(values) is None
    with pytest.raises(AssumptionError, match=b.id):
        b.evaluate(**values)
    with pytest.raises(AssumptionError, match=b.id):
        b.signed_log(**values)
    if onepass.status().startswith("compiled"):  # check=False: the domains only, as the general path
        assert b._checked_grid(values, check=False) is not None
    assert b.signed_log(check=False, **values).log.shape == holds.shape


def test_base_two_powers_become_exp2_outside_steps_only():
    d = sp.Symbol("d", positive=True)
    expr = base_two_powers(2 ** (d / 4 - sp.Rational(5, 4)) + sp.floor(2 ** (d / 3)) + 2 ** 5 + 3 ** d)
    assert expr == exp2(d / 4 - sp.Rational(5, 4)) + sp.floor(2 ** (d / 3)) + 3 ** d + 32
    evaluator = bounds.get("merrill2025.regular.max_length.intro")._log_function
    assert "exp2(" in evaluator._array_program.source
    assert "exp2(" in evaluator._math_function.__code__.co_names or "exp2" in evaluator._math_function.__globals__


@pytest.mark.parametrize("bound", [b for b in CLOSED if not b.integer_valued and b.numeric is None
                                   and b._log_function._linear_expr != b._log_function._plain_expr],
                         ids=lambda b: b.id)
def test_exp2_is_as_accurate_as_power_was(bound):
    """Against mpmath at 200 points: no more than 2 units in the last place further off than the code before
    (numpy's ``power`` on the same exponent; an exponent rounded on its way is amplified alike by both)."""
    import mpmath

    from tbounds.bounds.linear import _lambdify

    evaluator = bound._log_function
    values = _grid(bound, 4)
    arrays = [values[p.name][:200] for p in bound.params]
    ours = evaluator._array_function(*arrays)  # (the code alone: linear() may take log space at some points)
    before = _lambdify(evaluator.symbols, evaluator._plain_expr, *evaluator._numpy_modules)(*arrays)
    exact_fn = sp.lambdify([p.symbol for p in bound.params], bound.expr, "mpmath")
    with mpmath.workprec(120):
        for k in range(len(ours)):
            exact = exact_fn(*[mpmath.mpf(float(a[k])) for a in arrays])
            if not (math.isfinite(ours[k]) and math.isfinite(before[k])) or exact == 0:
                continue
            ulp = math.ulp(float(ours[k]))
            assert abs(mpmath.mpf(float(ours[k])) - exact) <= abs(mpmath.mpf(float(before[k])) - exact) + 2 * ulp, \
                (bound.id, k)


@pytest.mark.parametrize("bound", [b for b in CLOSED if b.numeric is None], ids=lambda b: b.id)
def test_a_point_s_value_does_not_depend_on_its_grid(bound):
    """A grid where some points overflow takes log space there; every other point with moderate inputs keeps its
    plain value, bit for bit what it is alone (it came back as exp(log v) before: 2**(Q**4) at Q = 5, 127 units in
    the last place off, because Q = 6 overflowed beside it)."""
    values = _around_examples(bound, 64, np.random.default_rng(8), spread=8.0)
    with np.errstate(all="ignore"):
        keep = bound.assumptions_hold(values)
        values = {k: np.ascontiguousarray(np.broadcast_to(v, keep.shape)[keep]) for k, v in values.items()}
        grid = bound.evaluate(**values)
        moderate = np.ones(grid.shape, dtype=bool)
        for v in values.values():
            moderate &= (np.abs(v) >= MODERATE_LOW) & (np.abs(v) <= MODERATE_HIGH) | (v == 0)
        for i in np.flatnonzero(moderate):
            alone = bound.evaluate(**{k: v[i:i + 1] for k, v in values.items()})
            assert grid[i] == alone[0] or (np.isnan(grid[i]) and np.isnan(alone[0])), (bound.id, i)
