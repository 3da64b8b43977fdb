"""Hypothesis properties of the generalization family (notes §5).

Monotone in every norm bound, rank, dimension and 1/eps; non-increasing in n and delta
(each as declared, checked at random points); free of T where a bound says so; covers
depend on (B_x, B_w, eps) only through B_x B_w / eps; sqrt(n) x the parametric pipeline is
constant; finite at extreme arguments.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import tbounds.bounds as bounds
from tbounds.bounds import get
from tbounds.bounds.errors import AssumptionError

FAMILY = bounds.select(family="generalization")
relaxed = settings(max_examples=25, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def _clip(param, value):
    lo = param.low if not param.low_open else (param.low + 1 if param.integer else param.low + 1e-12)
    hi = param.high if math.isfinite(param.high) else 1e300
    if param.high_open and math.isfinite(param.high):
        hi = param.high - 1 if param.integer else param.high * (1 - 1e-9)
    value = min(max(value, lo), hi)
    return float(min(max(round(value), math.ceil(lo)), math.floor(hi))) if param.integer else value


def _point(bound, data, spread=1.5):
    ex = bound.example()
    return {p.name: _clip(p, ex[p.name] * 10 ** data.draw(st.floats(-spread, spread))) for p in bound.params}


def _holds(bound, values):
    try:
        bound.prepare(values)
        return True
    except AssumptionError:
        return False


def _log(bound, values):
    s = bound.signed_log(**values)
    return float(s.log) if s.sign > 0 else -math.inf


@pytest.mark.parametrize("bound", [b for b in FAMILY if b.monotone], ids=lambda b: b.id)
@relaxed
@given(data=st.data())
def test_declared_directions(bound, data):
    name = data.draw(st.sampled_from(sorted(bound.monotone)))
    values = _point(bound, data)
    param = bound.param(name)
    moved = dict(values)
    moved[name] = _clip(param, values[name] * 10 ** data.draw(st.floats(0.01, 2.0)))
    if param.integer and moved[name] == values[name]:
        moved[name] = _clip(param, values[name] + 1)
    assume(moved[name] > values[name] and _holds(bound, values) and _holds(bound, moved))
    a, b = _log(bound, values), _log(bound, moved)
    tol = 1e-9 * max(1.0, abs(a) if math.isfinite(a) else 1.0, abs(b) if math.isfinite(b) else 1.0)
    direction = bound.monotone[name]
    if direction == "increasing":
        assert b >= a - tol, (name, values, moved, a, b)
    elif direction == "decreasing":
        assert b <= a + tol, (name, values, moved, a, b)
    else:
        assert a == b or abs(b - a) <= tol, (name, values, moved, a, b)


def test_norms_ranks_dimensions_are_declared_increasing():
    for b in FAMILY:
        for name in b.param_names:
            if name in ("eps", "n", "delta", "T"):
                continue
            if b.id.endswith(".lagrange") and name in ("r_w", "r_v", "d"):
                continue  # the Lagrange split claims no direction in the ranks (docs §5)
            if name.startswith(("B_", "M_", "L_")) or name in ("c_loss", "r", "r_w", "r_v", "d", "d1", "d2", "D", "R"):
                assert b.monotone.get(name) == "increasing", (b.id, name)
        if "eps" in b.param_names:
            assert b.monotone.get("eps") == "decreasing", b.id
        if b.quantity.name == "generalisation gap" and "n" in b.param_names:
            assert b.monotone["n"] == "decreasing" and b.monotone.get("delta", "decreasing") == "decreasing", b.id


T_FREE = [b for b in FAMILY if b.monotone.get("T") == "constant"]


@pytest.mark.parametrize("bound", T_FREE, ids=lambda b: b.id)
@settings(max_examples=10)
@given(T=st.integers(1, 10 ** 12), data=st.data())
def test_free_of_sequence_length(bound, T, data):
    values = _point(bound, data, spread=1.0)
    values["T"] = 8
    assume(_holds(bound, values))
    assert float(bound(**values)) == float(bound(**{**values, "T": T}))


def test_t_free_and_t_dependent_bounds_are_the_claimed_ones():
    assert {"truong2024.gap.t1", "truong2024.gap.cp", "trauger2024.gap", "trauger2024.cover.linear"} <= {b.id for b in T_FREE}
    for bid in ("edelman2022.gap", "edelman2022.gap.rate", "edelman2022.cover.head", "edelman2022.cover.head_explicit"):
        assert get(bid).monotone["T"] == "increasing"


@settings(max_examples=15)
@given(T=st.integers(2, 10 ** 6), k=st.integers(2, 1000))
def test_edelman_grows_with_log_T(T, k):
    e = get("edelman2022.gap")
    ex = {**e.example(), "n": 10 ** 13}
    assert float(e(**{**ex, "T": T * k})) > float(e(**{**ex, "T": T}))


HOMOGENEOUS = [b for b in FAMILY if {"B_x", "B_w", "eps"} <= set(b.param_names)]


@pytest.mark.parametrize("bound", HOMOGENEOUS, ids=lambda b: b.id)
@settings(max_examples=15)
@given(data=st.data(), c=st.floats(1e-3, 1e3))
def test_covers_depend_on_Bx_Bw_over_eps(bound, data, c):
    values = _point(bound, data, spread=1.0)
    assume(_holds(bound, values))
    if bound.expr is not None and bound.expr.has(sp.ceiling):
        # Ceilings of B_x^2 B_w^2/eps^2 or 4 B_x B_w/eps computed in floating point: stay off the steps.
        x = values["B_x"] * values["B_w"] / values["eps"]
        assume(all(1e-6 < v - math.floor(v) < 1 - 1e-6 for v in (x * x, 4 * x)))
    base = _log(bound, values)
    for scaled in ({**values, "B_x": values["B_x"] * c, "eps": values["eps"] * c},
                   {**values, "B_w": values["B_w"] * c, "eps": values["eps"] * c}):
        got = _log(bound, scaled)
        assert got == base or abs(got - base) <= 1e-9 * max(1.0, abs(base)), (values, scaled)


@settings(max_examples=25)
@given(dof=st.floats(0.1, 1e3), A=st.floats(1e-3, 1e3), b=st.floats(1e-3, 1e3), c=st.floats(1e-3, 1e3),
       n=st.integers(1, 10 ** 12))
def test_rademacher_is_one_homogeneous(dof, A, b, c, n):
    p, m = get("dudley.parametric"), get("dudley.maurey")
    assert math.isclose(float(p(dof=dof, A=c * A, b=c * b, n=n)), c * float(p(dof=dof, A=A, b=b, n=n)), rel_tol=1e-9)
    assert math.isclose(float(m(C=c * A, b=c * b, n=n)), c * float(m(C=A, b=b, n=n)), rel_tol=1e-9)


@settings(max_examples=25)
@given(dof=st.floats(0.1, 1e3), A=st.floats(1e-3, 1e3), b=st.floats(1e-3, 1e3), n=st.integers(1, 10 ** 15),
       k=st.integers(2, 10 ** 6))
def test_sqrt_n_times_parametric_bound_is_constant(dof, A, b, n, k):
    p = get("dudley.parametric")
    first = math.sqrt(n) * float(p(dof=dof, A=A, b=b, n=n))
    assert math.isclose(first, math.sqrt(n * k) * float(p(dof=dof, A=A, b=b, n=n * k)), rel_tol=1e-9)


def test_maurey_rate_is_log_n_over_sqrt_n():
    m = get("dudley.maurey")
    for n in (1e20, 1e40, 1e80):
        scaled = math.sqrt(n) * float(m(C=4, b=1, n=n)) / math.log(n)
        assert abs(scaled - 6 * 4) < 6 * 4 * 20 / math.log(n)  # -> 6C as n -> infinity


@settings(max_examples=15)
@given(n=st.integers(10 ** 9, 10 ** 14), k=st.integers(2, 100))
def test_rank_dependent_gap_has_rate_one_over_sqrt_n(n, k):
    g = get("truong2024.gap.t1")
    ex = g.example()
    conf = lambda n_: ex["c_loss"] * math.sqrt(math.log(1 / ex["delta"]) / (2 * n_))  # noqa: E731
    a = math.sqrt(n) * (float(g(**{**ex, "n": n})) - conf(n))
    b = math.sqrt(n * k) * (float(g(**{**ex, "n": n * k})) - conf(n * k))
    assert math.isclose(a, b, rel_tol=1e-7)


@pytest.mark.parametrize("bound", [b for b in FAMILY if b.params], ids=lambda b: b.id)
def test_no_overflow_or_nan_at_extremes(bound):
    for p in bound.params:
        for extreme in (1e300, 1e-300, 1e30):
            values = dict(bound.example())
            values[p.name] = _clip(p, extreme)
            if not _holds(bound, values):
                continue
            with np.errstate(all="ignore"):
                s = bound.signed_log(**values)
            assert not np.isnan(s.log) and s.log != np.inf and not np.isnan(s.sign), (p.name, values[p.name])
