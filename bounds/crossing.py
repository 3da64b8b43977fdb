"""Crossovers: where one bound becomes smaller than another along one parameter.

:func:`crossover` scans the shared axis on a log grid, finds where the sign of
``log A - log B`` changes, and refines each change (Brent's method in ``log x`` for
real parameters, bisection on the integers for integer ones).  Parameters that only
one bound uses are passed to that bound alone.

>>> from tbounds.bounds import get
>>> c = crossover(get("dudley.parametric"), get("dudley.maurey"), "n", dof=32, A=4, b=4, C=4)
>>> c.value, c.smaller_above
(27550.0, 'dudley.parametric')
>>> crossover(get("dudley.parametric"), get("dudley.maurey"), "n", dof=32, A=4, b=4, C=4, hi=1e4)
Traceback (most recent call last):
...
tbounds.bounds.errors.SolveError: no crossover of dudley.parametric and dudley.maurey in n on [1, 1e+04]: dudley.maurey is smaller everywhere there (ratio A/B from 60.2 to 1.11)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy import optimize

from .errors import AssumptionError, EvaluationError, ParameterError, SolveError
from .record import Bound
from .registry import get

_CAP = 1e300


@dataclass(frozen=True)
class Crossover:
    """``a`` and ``b`` are equal at ``unknown = value``; above it ``smaller_above`` is the smaller bound."""

    a: str
    b: str
    unknown: str
    value: float
    a_value: float
    b_value: float
    smaller_above: str
    given: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, **self.given, "unknown": self.unknown, self.unknown: self.value,
                "a_value": self.a_value, "b_value": self.b_value, "smaller_above": self.smaller_above}


def crossover(bound_a, bound_b, unknown: str, lo: Optional[float] = None, hi: Optional[float] = None,
              points: int = 240, **given) -> Crossover:
    """The first (smallest) value of ``unknown`` where ``bound_a`` and ``bound_b`` cross."""
    found = crossovers(bound_a, bound_b, unknown, lo=lo, hi=hi, points=points, **given)
    return found[0]


def crossovers(bound_a, bound_b, unknown: str, lo: Optional[float] = None, hi: Optional[float] = None,
               points: int = 240, **given) -> list[Crossover]:
    """Every crossing of the two bounds along ``unknown`` on ``[lo, hi]`` (default: the shared domain)."""
    a, b = get(bound_a), get(bound_b)
    for bd in (a, b):
        bd.param(unknown)
    if unknown in given:
        raise SolveError(f"'{unknown}' is the unknown: do not also give it a value")
    for name in given:
        if name not in a.param_names and name not in b.param_names:
            raise ParameterError(name, f"is not a parameter of {a.id} or {b.id}")
    for bd in (a, b):
        missing = [p for p in bd.param_names if p != unknown and p not in given]
        if missing:
            raise ParameterError(missing[0], f"is missing for {bd.id}; give it, or use the example values")
    pa, pb = a.param(unknown), b.param(unknown)
    integer = pa.integer or pb.integer
    lo_, hi_ = _domain(pa, pb, integer)
    lo = lo_ if lo is None else max(float(lo), lo_)
    hi = hi_ if hi is None else min(float(hi), hi_)
    if not lo < hi:
        raise SolveError(f"empty range for '{unknown}': [{_g(lo)}, {_g(hi)}]")

    def diff(x) -> np.ndarray:
        x = np.asarray(x, float)
        la = _log(a, unknown, x, given)
        lb = _log(b, unknown, x, given)
        with np.errstate(invalid="ignore"):
            return la - lb

    grid = np.geomspace(lo, hi, points) if lo > 0 else np.linspace(lo, hi, points)
    if integer:
        grid = np.unique(np.round(grid))
    values = diff(grid)
    ok = np.isfinite(values)
    if not ok.any():
        raise SolveError(f"{a.id} and {b.id} cannot both be evaluated on [{_g(lo)}, {_g(hi)}] at these values")
    xs, ds = grid[ok], values[ok]
    # Ties (both bounds at the same trivial cap, say) are not crossings: compare only where they differ.
    apart = np.abs(ds) > 1e-12 * np.maximum(1.0, np.abs(_log(a, unknown, xs, given)))
    if not apart.any():
        raise SolveError(f"{a.id} and {b.id} are equal everywhere on [{_g(xs[0])}, {_g(xs[-1])}] at these values")
    xs, ds = xs[apart], ds[apart]
    signs = np.sign(ds)
    changes = np.nonzero(signs[:-1] != signs[1:])[0]
    if not len(changes):
        smaller = b.id if ds[0] > 0 else a.id
        raise SolveError(f"no crossover of {a.id} and {b.id} in {unknown} on [{_g(lo)}, {_g(hi)}]: "
                         f"{smaller} is smaller everywhere there (ratio A/B from {_ratio(ds[0])} "
                         f"to {_ratio(ds[-1])})")
    out = []
    for i in changes:
        x0, x1 = float(xs[i]), float(xs[i + 1])
        if integer:
            while x1 - x0 > 1 and x1 / x0 > 1 + 1e-15:  # past 2^53 floats are too coarse for unit steps
                mid = math.floor((x0 + x1) / 2) if x1 - x0 < 2 ** 52 else math.floor(math.sqrt(x0) * math.sqrt(x1))
                mid = min(max(mid, x0 + 1), x1 - 1)
                if np.sign(diff(mid)) == signs[i]:
                    x0 = mid
                else:
                    x1 = mid
            x = _exact_side(a, b, unknown, given, x0, x1, signs[i])  # the first integer on the far side
        else:
            x = math.exp(optimize.brentq(lambda u: float(diff(math.exp(u))), math.log(x0), math.log(x1),
                                         xtol=1e-13, rtol=1e-12))
        av, bv = float(a(**_own(a, given), **{unknown: x})), float(b(**_own(b, given), **{unknown: x}))
        if math.isnan(av) or math.isnan(bv):
            raise EvaluationError(f"{a.id if math.isnan(av) else b.id} evaluates to NaN at {unknown}={_g(x)}"
                                  + "".join(f", {k}={_g(float(v))}" for k, v in given.items()))
        out.append(Crossover(a.id, b.id, unknown, float(x), av, bv, a.id if signs[i + 1] < 0 else b.id, dict(given)))
    return out


def _exact_side(a: Bound, b: Bound, unknown: str, given: dict, x0: float, x1: float, before: float) -> float:
    """``x1``, the first integer past the crossing, checked in 50-digit arithmetic where both have formulas.

    The float bisection can put a near-tie on the wrong side; the exact sign of ``A - B`` at
    ``x1`` and ``x1 - 1`` moves it back.  Past 2^53 (floats skip integers) the float answer stands.
    """
    from .solve import _mp_function

    fa, fb = _mp_function(a), _mp_function(b)
    if fa is None or fb is None or not (x1 - x0 <= 1 and x1 < 2 ** 53):
        return x1
    import mpmath

    def sign(x: float):
        with mpmath.workdps(50):
            try:
                va = fa(*[mpmath.mpf(x) if p.name == unknown else mpmath.mpf(float(given[p.name])) for p in a.params])
                vb = fb(*[mpmath.mpf(x) if p.name == unknown else mpmath.mpf(float(given[p.name])) for p in b.params])
                return int(mpmath.sign(mpmath.mpf(va) - mpmath.mpf(vb)))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return None

    s1, s0 = sign(x1), sign(x0)
    if s1 is not None and s1 == int(before) and s0 is not None:  # the float put x1 before the crossing
        return x1 + 1 if sign(x1 + 1) not in (None, int(before)) else x1
    if s0 is not None and s0 != int(before) and s0 != 0:  # the float put x0 past the crossing
        return x0
    return x1


def _ratio(log_ratio: float) -> str:
    """``exp(log_ratio)`` as short text, also past the float range (``1e+450``)."""
    if abs(log_ratio) < 700:
        return _g(math.exp(log_ratio))
    if math.isinf(log_ratio):
        return "inf" if log_ratio > 0 else "0"
    exponent = log_ratio / math.log(10)
    if abs(exponent) >= 2 ** 53:  # the mantissa is lost in the exponent's rounding: give the power only
        return f"10^{exponent:.4g}"
    whole = math.floor(exponent)
    return f"{10 ** (exponent - whole):.3g}e{whole:+d}"


def _own(bound: Bound, given: dict) -> dict:
    return {k: v for k, v in given.items() if k in bound.param_names}


def _log(bound: Bound, unknown: str, x: np.ndarray, given: dict) -> np.ndarray:
    values = {**_own(bound, given), unknown: x}
    try:
        s = bound.signed_log(**values)
    except AssumptionError:  # assumptions cut part of the axis: evaluate point by point
        out = np.full(np.shape(x), np.nan)
        for i, xi in np.ndenumerate(np.asarray(x)):
            try:
                s = bound.signed_log(**{**values, unknown: float(xi)})
                out[i] = float(s.log) if s.sign > 0 else -np.inf
            except AssumptionError:
                pass
        return out
    return np.where(s.sign > 0, s.log, -np.inf)


def _domain(pa, pb, integer: bool) -> tuple[float, float]:
    lo = max(_low(pa), _low(pb))
    hi = min(pa.high if math.isfinite(pa.high) else _CAP, pb.high if math.isfinite(pb.high) else _CAP)
    if integer:
        lo, hi = float(math.ceil(lo)), float(math.floor(hi))
    return lo, hi


def _low(p) -> float:
    if not p.low_open:
        return p.low
    return p.low + 1 if p.integer else (1e-300 if p.low == 0 else math.nextafter(p.low, math.inf))


def _g(x: float) -> str:
    return f"{x:.3g}"
