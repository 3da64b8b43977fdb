"""Properties every registered bound must have, whatever its family.

- each declared direction of monotonicity holds at random points;
- the log-space evaluation equals a 40-digit mpmath evaluation of the sympy expression;
- values stay finite in log space at extreme arguments (1e300 where the domain allows);
- solve() inverts every declared monotone parameter: the answer is feasible and is the edge;
- an integer-valued bound evaluates to exact integers, whatever its family;
- every bound is well formed: source label, status, examples that satisfy its assumptions.
"""

import functools
import math
import os

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import tbounds.bounds as bounds
from tbounds.bounds.errors import AssumptionError, SolveError

ALL = [bounds.get(i) for i in bounds.ids()]
WITH_PARAMS = [b for b in ALL if b.params]
MONOTONE = [(b, p) for b in ALL for p, d in b.monotone.items()]
INVERTIBLE = [(b, p) for b, p in MONOTONE if b.monotone[p] in ("increasing", "decreasing")]
SYMBOLIC = [b for b in WITH_PARAMS if b.expr is not None]
INTEGER_VALUED = [b for b in ALL if b.integer_valued]
# Hundreds of bounds share this file: a few examples per bound keeps the default run short;
# TBOUNDS_HYPOTHESIS_PROFILE=thorough multiplies them by 20.
SCALE = 20 if os.environ.get("TBOUNDS_HYPOTHESIS_PROFILE") == "thorough" else 1


def relaxed(examples):
    return settings(max_examples=examples * SCALE,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def _clip(param, value):
    lo = param.low if not param.low_open else (param.low + 1 if param.integer else param.low + abs(param.low) * 1e-9 + 1e-300)
    hi = param.high if math.isfinite(param.high) else 1e300
    if param.high_open and math.isfinite(param.high):
        hi = param.high - 1 if param.integer else param.high * (1 - 1e-12)
    value = min(max(value, lo), hi)
    if param.integer:
        value = float(min(max(round(value), math.ceil(lo)), math.floor(hi)))
    return value


@functools.lru_cache(maxsize=None)
def points(bound, spread=2.0):
    """Points around the bound's examples: each parameter moved by up to `spread` decades.

    One strategy per (bound, spread), built once: hypothesis labels a fresh composite strategy by
    reading its source (a tokenizer pass over this file on every draw, a tenth of this file's time)."""
    example = bound.example()

    @st.composite
    def point(draw):
        values = {}
        for p in bound.params:
            u = draw(st.floats(-spread, spread))
            values[p.name] = _clip(p, example[p.name] * 10 ** u if example[p.name] > 0 else example[p.name] + u)
        return values

    return point()


def holds(bound, values):
    try:
        bound.prepare(values)
        return True
    except AssumptionError:
        return False


def log_value(bound, values):
    s = bound.signed_log(**values)
    return float(s.log) if s.sign > 0 else (-math.inf if s.sign == 0 else math.nan)


def test_registry_is_well_formed():
    assert len(ALL) >= 30
    for b in ALL:
        assert b.source.label and (b.source.arxiv or b.source.venue), b.id
        assert b.statement and b.title, b.id
        assert b.status != "certificate" or b.kind != "fit", b.id
        if b.params:
            b.prepare(b.example())  # the examples satisfy the assumptions
        assert b.latex.startswith(b.quantity.symbol), b.id


@pytest.mark.parametrize("bound", WITH_PARAMS, ids=lambda b: b.id)
def test_example_value_is_finite(bound):
    value = log_value(bound, bound.example())
    assert math.isfinite(value) or value == -math.inf, (bound.id, value)


@pytest.mark.parametrize("bound,name", MONOTONE, ids=lambda x: x.id if hasattr(x, "id") else x)
@relaxed(12)
@given(data=st.data(), step=st.floats(0.001, 3.0))
def test_declared_monotonicity(bound, name, data, step):
    values = data.draw(points(bound))
    param = bound.param(name)
    moved = dict(values)
    moved[name] = _clip(param, values[name] * 10 ** step if values[name] > 0 else values[name] + step)
    if param.integer and moved[name] == values[name]:
        moved[name] = _clip(param, values[name] + 1)
    assume(moved[name] > values[name] and holds(bound, values) and holds(bound, moved))
    a, b = log_value(bound, values), log_value(bound, moved)
    tol = 1e-9 * max(1.0, abs(a), abs(b))
    direction = bound.monotone[name]
    if direction == "increasing":
        assert b >= a - tol, (values, moved, a, b)
    elif direction == "decreasing":
        assert b <= a + tol, (values, moved, a, b)
    else:
        assert abs(b - a) <= tol, (values, moved, a, b)


@functools.lru_cache(maxsize=None)
def _mpmath_function(bound):
    return sp.lambdify([p.symbol for p in bound.params], bound.expr, modules="mpmath")


def _mpmath_log(bound, values):
    f = _mpmath_function(bound)
    with mpmath.workdps(40):
        value = f(*[mpmath.mpf(values[p.name]) for p in bound.params])
        return float(mpmath.log(value)) if value > 0 else None


def _exceeds(bound, values, target):
    """Is the bound's exact value (40 digits) at ``values`` above the float ``target``?"""
    f = _mpmath_function(bound)
    with mpmath.workdps(40):
        return bool(f(*[mpmath.mpf(float(values[p.name])) for p in bound.params]) > mpmath.mpf(target))


@pytest.mark.parametrize("bound", SYMBOLIC, ids=lambda b: b.id)
@relaxed(8)
@given(data=st.data())
def test_symbolic_equals_numeric(bound, data):
    values = data.draw(points(bound, spread=3.0))
    assume(holds(bound, values))
    exact = _mpmath_log(bound, values)
    assume(exact is not None)
    got = log_value(bound, values)
    assert math.isclose(got, exact, rel_tol=1e-9, abs_tol=1e-9), (values, got, exact)


@pytest.mark.parametrize("bound", INTEGER_VALUED, ids=lambda b: b.id)
@relaxed(8)
@given(data=st.data())
def test_integer_valued_means_exact_integers(bound, data):
    """The value is an integer and its log is that integer's correctly rounded log (so solve() lands on the steps)."""
    values = data.draw(points(bound))
    assume(holds(bound, values))
    value = float(bound(**values))
    assume(0 < value < 2 ** 44)  # exact range of integer values read back from log space
    assert value == round(value), (values, value)
    assert log_value(bound, values) == math.log(value), (values, value)


@pytest.mark.parametrize("bound", WITH_PARAMS, ids=lambda b: b.id)
def test_no_overflow_at_extreme_arguments(bound):
    """Each parameter pushed to 1e300 (or its domain edge) in turn: the log stays a number."""
    checked = 0
    for p in bound.params:
        for extreme in (1e300, 1e30):
            values = dict(bound.example())
            values[p.name] = _clip(p, extreme)
            if not holds(bound, values):
                continue
            with np.errstate(all="ignore"):
                value = log_value(bound, values)
            assert not math.isnan(value) and value != math.inf, (p.name, values, value)
            checked += 1
    # The grid path too: one array of a million points evaluates in one call.
    grid = {k: np.full(1_000_000 if i == 0 else 1, v) for i, (k, v) in enumerate(bound.example().items())}
    assert np.isfinite(bound.signed_log(**grid).log).all()


@pytest.mark.parametrize("bound,name", INVERTIBLE, ids=lambda x: x.id if hasattr(x, "id") else x)
@relaxed(5)
@given(data=st.data())
def test_solve_round_trip(bound, name, data):
    """solve() for a parameter at the bound's own value returns the edge of the feasible set."""
    values = data.draw(points(bound, spread=1.5))
    assume(holds(bound, values))
    target = float(bound(**values))
    assume(math.isfinite(target) and target > 0)
    given_values = {k: v for k, v in values.items() if k != name}
    try:
        s = bounds.solve(bound, name, target, **given_values)
    except SolveError as error:  # only when the assumptions cut the axis, never a wrong answer
        # ... or when the float target lies below the bound's exact value at the end of the axis
        rounded_below = "checked exactly" in str(error) and _exceeds(bound, values, target)
        assert "assumptions" in str(error) or rounded_below, str(error)
        return
    param = bound.param(name)
    if math.isinf(s.value):
        return
    at = float(bound(**given_values, **{name: s.value}))
    assert at <= target * (1 + 1e-9), (s, at, target)
    # The original point is feasible, so the edge lies beyond it on the feasible side.  On the
    # integers the edge is exact (issue 13): where the target, the float of the bound's value,
    # is rounded below the exact value, the original point is infeasible and the edge is one step in.
    step = 0
    if param.integer and bound.expr is not None and values[name] < 2 ** 52:
        step = int(_exceeds(bound, values, target))
    if s.side == "largest":
        assert s.value >= values[name] * (1 - 1e-9) - step
    else:
        assert s.value <= values[name] * (1 + 1e-9) + step
    if param.integer and s.value < 2 ** 52:  # one step past the edge is infeasible (if allowed at all)
        past = s.value + (1 if s.side == "largest" else -1)
        if param.contains(np.array(past)) and holds(bound, {**given_values, name: past}):
            beyond = float(bound(**given_values, **{name: past}))
            # Past 1e9 a unit step can change the value by less than float resolution; the exact
            # value decides a float tie.
            exact = bound.expr is not None and _exceeds(bound, {**given_values, name: past}, target)
            assert beyond > target or exact or (s.value > 1e9 and math.isclose(beyond, target, rel_tol=1e-12))
    elif not bound.integer_valued and not (s.value == values[name]):
        assert math.isclose(at, target, rel_tol=1e-6), (s, at, target)
