"""Inversion of monotone bounds: "the largest N that fits", "the smallest n that suffices".

``solve`` finds the edge of the feasible set ``{x : f(x) <= target}`` (or ``>=``)
along one parameter, using the bound's declared direction of monotonicity.  Real
unknowns are solved with Brent's method on ``log f`` against ``log x``; integer
unknowns are bisected on the integers, then the edge is checked exactly (the formula in
50-digit arithmetic against the target as given, no tolerance), so the answer is the
integer where the bound meets the target and its neighbour does not.

>>> from tbounds.bounds import get
>>> s = solve(get("kajitsuka2025.seq2seq.lower_hardmax"), "N", 64.2, n=1000)
>>> s.value, s.side
(1000.0, 'largest')
>>> solve("kajitsuka2025.seq2seq.lower_hardmax", "N", 64.2, n=1000).value  # an id works too
1000.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .errors import EvaluationError, SolveError
from .record import Bound

_FLOAT_CAP = 1e300
_TIE = 1e-13  # relative slack in log space: values this close to the target count as equal


@dataclass(frozen=True)
class Solution:
    bound_id: str
    unknown: str
    target: float
    relation: str
    value: float  # +/-inf when every value in the domain is feasible
    side: str  # 'largest' or 'smallest' feasible value, or 'root' for a constant bound
    bound_value: float  # f(value)
    given: dict

    def to_dict(self) -> dict:
        return {"bound": self.bound_id, **self.given, "unknown": self.unknown, "target": self.target,
                "relation": self.relation, "side": self.side, "value": self.value,
                "bound_value": self.bound_value}


def solve(bound: "Bound | str", unknown: str, target: float, relation: str = "<=", **given) -> Solution:
    """Edge of ``{unknown : bound(unknown, **given) <relation> target}``."""
    from .registry import get

    bound = get(bound)  # an id or a Bound alike
    param, direction = _checked_unknown(bound, unknown, relation, given)
    target = _one_target(target)
    if not math.isfinite(target):
        raise SolveError(f"target must be a finite number (got {target})")
    for name, v in given.items():  # validates names and domains early
        bound.param(name).validate(v)

    increasing = direction == "increasing"
    # The feasible set is an interval reaching down (True) or up (False) the axis.
    feasible_below = increasing == (relation == "<=")
    side = "largest" if feasible_below else "smallest"

    def f(x: float) -> float:
        value = float(bound.evaluate(**given, **{unknown: x}))
        if math.isnan(value):
            at = ", ".join(f"{k}={_g(float(v))}" for k, v in {**given, unknown: x}.items())
            raise EvaluationError(f"{bound.id} evaluates to NaN at {at}: no number can be given there")
        return value

    def feasible_mask(xs) -> np.ndarray:
        signed = bound.signed_log(**given, **{unknown: np.asarray(xs, dtype=float)})
        if target > 0:  # compare logs: no overflow however large the bound
            # A real target read off the bound itself (exp of its log, rounded) must count as met;
            # on the integers the edge is checked exactly afterwards, so no slack there.
            lt = math.log(target)
            slack = 0.0 if param.integer else _TIE * max(1.0, abs(lt))
            if relation == "<=":
                ok = ((signed.sign > 0) & (signed.log <= lt + slack)) | (signed.sign <= 0)
            else:
                ok = (signed.sign > 0) & (signed.log >= lt - slack)
            if param.integer:  # within the float range compare the values themselves, as bound() gives them
                # A few ulps of slack where the edge is then checked exactly: a single point and a
                # grid may round the same value to neighbouring floats (math against numpy).
                ok = _compare_linear(bound, signed, target, relation, ok, ulps=8 if bound.expr is not None else 0)
        else:
            value = bound.linear(signed)
            ok = value <= target if relation == "<=" else value >= target
        return np.asarray(ok, dtype=bool)

    lo, hi = _search_interval(bound, unknown, given)
    # Assumptions may forbid part of the domain: shrink [lo, hi] to where they hold.
    lo, hi = _valid_range(lambda xs: bound.assumptions_hold({**given, unknown: xs}), lo, hi, param.integer)
    at_lo, at_hi = feasible_mask([lo, hi])
    if at_lo and at_hi:
        edge = hi if feasible_below else lo
        value = (math.inf if feasible_below and hi >= _FLOAT_CAP and math.isinf(param.high) else edge)
        return Solution(bound.id, unknown, target, relation, value, side, f(edge), dict(given))
    if not at_lo and not at_hi:
        raise SolveError(f"no value of '{unknown}' in [{_g(lo)}, {_g(hi)}] gives {bound.id} {relation} {_g(target)} "
                         f"(the bound runs from {_g(f(lo))} to {_g(f(hi))})")
    if feasible_below != at_lo:
        raise SolveError(f"{bound.id} does not behave as declared ({direction} in '{unknown}') on [{_g(lo)}, {_g(hi)}]")
    below, above = _edge(feasible_mask, lo, hi, param.integer)
    value = below if feasible_below else above
    if param.integer:
        value = _exact_integer_edge(bound, unknown, given, target, relation, value, feasible_below, lo, hi)
    return Solution(bound.id, unknown, target, relation, float(value), side, f(value), dict(given))


def _edge(mask_of, lo: float, hi: float, integer: bool) -> tuple[float, float]:
    """Adjacent points around the one change of ``mask_of`` on [lo, hi], by 200-way subdivision.

    On integers the answer is exact (the points are consecutive integers); on reals they
    are 1e-15 apart.  Each step is one vectorised evaluation.
    """
    start = bool(mask_of([lo])[0])
    for _ in range(64):
        if (integer and hi - lo <= 1) or hi - lo <= 1e-15 * max(abs(lo), abs(hi)):
            break
        xs = _grid(lo, hi, integer)
        changed = np.flatnonzero(mask_of(xs) != start)
        i = int(changed[0])
        if xs[i - 1] == lo and xs[i] == hi:  # no float between them: done
            break
        lo, hi = float(xs[i - 1]), float(xs[i])
    return lo, hi


def _one_target(target) -> float:
    """One number (not text, a list or an array): several targets go to :func:`solve_many`."""
    if isinstance(target, (str, bytes)) or np.ndim(target) != 0:
        raise SolveError(f"target must be one number (got {target!r}); for several targets use solve_many")
    try:
        return float(target)
    except (TypeError, ValueError, OverflowError):
        raise SolveError(f"target must be a finite number within the float range (got {str(target)[:40]!r})") from None


def solve_many(bound: Bound, unknown: str, targets, relation: str = "<=", **given) -> list[Solution]:
    """:func:`solve` for many targets at one point, vectorised: one bisection over all targets at once.

    Each step is one evaluation of the bound at one point per target, so 10^5 targets cost
    about as much as a few hundred scalar solves.  Integer edges are then checked exactly, as
    in :func:`solve`; targets whose edge lies at an end of the axis (or nowhere) go through
    :func:`solve`, which gives their answer or their error.

    >>> from tbounds.bounds import get
    >>> b = get("kajitsuka2025.seq2seq.lower_hardmax")
    >>> [s.value for s in solve_many(b, "N", [64.2, 1e6], n=1000)] == [solve(b, "N", t, n=1000).value for t in (64.2, 1e6)]
    True
    """
    if isinstance(targets, (str, bytes)) or any(isinstance(t, (str, bytes)) or t is None for t in np.ravel(targets)):
        raise SolveError(f"targets must be numbers (got {targets!r:.60})")
    try:
        targets = np.asarray(targets, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError):
        raise SolveError(f"targets must be finite numbers within the float range (got {str(targets)[:60]!r})") from None
    if targets.size < 16:
        return [solve(bound, unknown, float(t), relation, **given) for t in targets]
    param, direction = _checked_unknown(bound, unknown, relation, given)
    if not np.isfinite(targets).all():
        raise SolveError(f"target must be a finite number (got {targets[~np.isfinite(targets)][0]})")
    for name, v in given.items():
        bound.param(name).validate(v)
    feasible_below = (direction == "increasing") == (relation == "<=")
    lo, hi = _search_interval(bound, unknown, given)
    lo, hi = _valid_range(lambda xs: bound.assumptions_hold({**given, unknown: xs}), lo, hi, param.integer)
    positive = targets > 0
    log_t = np.log(np.where(positive, targets, 1.0))
    slack = 0.0 if param.integer else _TIE * np.maximum(1.0, np.abs(log_t))

    def feasible(xs: np.ndarray) -> np.ndarray:
        signed = bound.signed_log(**given, **{unknown: xs})
        sign, log = np.broadcast_to(signed.sign, xs.shape), np.broadcast_to(signed.log, xs.shape)
        value = np.broadcast_to(bound.linear(signed), xs.shape)
        with np.errstate(invalid="ignore"):
            by_log = ((sign <= 0) | (log <= log_t + slack)) if relation == "<=" else ((sign > 0) & (log >= log_t - slack))
            if param.integer:
                by_log = _compare_linear(bound, signed, targets, relation, by_log, shape=xs.shape)
            return np.where(positive, by_log, value <= targets if relation == "<=" else value >= targets)

    at_lo, at_hi = feasible(np.full(targets.shape, lo)), feasible(np.full(targets.shape, hi))
    inside = (at_lo != at_hi) & (at_lo == feasible_below)
    good = np.full(targets.shape, lo if feasible_below else hi)  # the feasible end of each bracket
    bad = np.full(targets.shape, hi if feasible_below else lo)
    for _ in range(2200):  # geometric halving of up to 600 decades, then ~53 linear halvings
        low, high = np.minimum(good, bad), np.maximum(good, bad)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            far = (low > 0) & (high > 2 * low)
            mid = np.where(far, np.sqrt(low) * np.sqrt(high), low + (high - low) / 2)
        if param.integer:
            mid = np.floor(mid)
            active = inside & (high - low > 1)
            mid = np.clip(mid, low + 1, high - 1)
            active &= (mid > low) & (mid < high)  # past 2^53 floats skip integers: stop where they do
        else:
            active = inside & (high - low > 1e-15 * np.maximum(np.abs(low), np.abs(high))) & (mid > low) & (mid < high)
        if not active.any():
            break
        mid = np.where(active, mid, good)
        ok = feasible(mid)
        good = np.where(active & ok, mid, good)
        bad = np.where(active & ~ok, mid, bad)
    out: list[Optional[Solution]] = [None] * targets.size
    for i in np.flatnonzero(~inside):  # edges at an end of the axis, or no edge: the scalar path says which
        out[i] = solve(bound, unknown, float(targets[i]), relation, **given)
    idx = np.flatnonzero(inside)
    values = good[idx]
    if param.integer:
        near = _near_ties(bound, unknown, given, values, bad[idx], log_t[idx], positive[idx])
        for j in np.flatnonzero(near):
            values[j] = _exact_integer_edge(bound, unknown, given, float(targets[idx[j]]), relation, float(values[j]),
                                            feasible_below, lo, hi)
    if idx.size:
        bound_values = np.broadcast_to(bound.evaluate(**given, **{unknown: values}), values.shape)
        if np.isnan(bound_values).any():
            j = int(np.flatnonzero(np.isnan(bound_values))[0])
            at = ", ".join(f"{k}={_g(float(v))}" for k, v in {**given, unknown: values[j]}.items())
            raise EvaluationError(f"{bound.id} evaluates to NaN at {at}: no number can be given there")
        side = "largest" if feasible_below else "smallest"
        for j, i in enumerate(idx):
            out[i] = Solution(bound.id, unknown, float(targets[i]), relation, float(values[j]), side,
                              float(bound_values[j]), dict(given))
    return out


def _checked_unknown(bound: Bound, unknown: str, relation: str, given: dict):
    """The unknown's parameter and the bound's direction in it, or a SolveError saying what is wrong."""
    if unknown in given:
        raise SolveError(f"'{unknown}' is the unknown: do not also give it a value")
    param = bound.param(unknown)
    if relation not in ("<=", ">="):
        raise SolveError(f"relation must be '<=' or '>=' (got {relation!r})")
    direction = bound.monotone.get(unknown)
    if direction not in ("increasing", "decreasing"):
        raise SolveError(f"{bound.id} is not declared monotone in '{unknown}', so it cannot be inverted for it")
    return param, direction


def _compare_linear(bound: Bound, signed, target, relation: str, by_log: np.ndarray, shape=None,
                    ulps: int = 0) -> np.ndarray:
    """Where the bound's value is a finite positive float, the comparison of that float with the target.

    A target read off the bound (``float(bound(x))``) is then met at ``x`` exactly, with no tie
    tolerance; past the float range the log comparison ``by_log`` stands.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        value = bound.linear(signed)
    if shape is not None:
        value = np.broadcast_to(value, shape)
    finite = np.isfinite(value) & (value > 0)
    slack = ulps * np.finfo(float).eps
    direct = value <= target * (1 + slack) if relation == "<=" else value >= target * (1 - slack)
    return np.where(finite, direct, by_log)


def _near_ties(bound: Bound, unknown: str, given: dict, good: np.ndarray, bad: np.ndarray, log_t: np.ndarray,
               positive: np.ndarray) -> np.ndarray:
    """Where the float comparison at an integer edge is too close to call (so the exact check is needed)."""
    margin = 1e-12 * np.maximum(1.0, np.abs(log_t))
    close = ~positive.copy()
    for xs in (good, bad):
        signed = bound.signed_log(**given, **{unknown: xs})
        log = np.broadcast_to(signed.log, xs.shape)
        close |= ~(np.abs(log - log_t) > margin)
    return close


def _exact_integer_edge(bound: Bound, unknown: str, given: dict, target: float, relation: str, edge: float,
                        feasible_below: bool, lo: float, hi: float) -> float:
    """The float search's integer edge, moved to where the exact comparison puts it.

    The bound is evaluated in 50-digit arithmetic at the edge and at its outer neighbour; the
    edge must be feasible and the neighbour not.  Floats resolve the bound to ~1e-16, so the
    exact edge is at most a few integers away; a bound with no formula (a numeric one), or an
    edge past 2^53 (where floats skip integers), keeps the float answer.
    """
    exact = _exact_check(bound, unknown, given, target, relation)
    if exact is None or not abs(edge) < 2 ** 53:
        return edge
    step = -1 if feasible_below else 1  # towards the feasible side
    x = int(edge)
    for _ in range(64):  # the float answer is off by at most a few integers
        if exact(x):
            break
        if not (lo <= x + step <= hi):
            raise SolveError(f"no value of '{unknown}' in [{_g(lo)}, {_g(hi)}] gives {bound.id} {relation} "
                             f"{_g(target)} (checked exactly)")
        x += step
    for _ in range(64):
        if not (lo <= x - step <= hi) or not exact(x - step):
            break
        x -= step
    return float(x)


def _exact_check(bound: Bound, unknown: str, given: dict, target: float, relation: str):
    """``x -> bound(x) <relation> target`` in 50-digit arithmetic, or None when that is not available."""
    function = _mp_function(bound)
    if function is None:
        return None
    import mpmath

    def holds(x: int):
        with mpmath.workdps(50):
            args = [mpmath.mpf(x) if p.name == unknown else mpmath.mpf(float(given[p.name])) for p in bound.params]
            try:
                value = function(*args)
                value = mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return True  # cannot check: keep the float answer
            t = mpmath.mpf(target)
            return bool(value <= t) if relation == "<=" else bool(value >= t)

    return holds


_MP_FUNCTIONS: dict = {}


def _mp_function(bound: Bound):
    if bound.id not in _MP_FUNCTIONS:
        function = None
        if bound.expr is not None:
            import sympy as sp
            try:
                function = sp.lambdify([p.symbol for p in bound.params], bound.expr, "mpmath")
            except Exception:  # a printer without an mpmath form: no exact check for this bound
                function = None
        _MP_FUNCTIONS[bound.id] = function
    return _MP_FUNCTIONS[bound.id]


def _search_interval(bound: Bound, unknown: str, given: dict) -> tuple[float, float]:
    p = bound.param(unknown)
    if not p.low_open:
        lo = p.low
    elif p.integer:
        lo = math.floor(p.low) + 1
    else:  # the smallest float we search from inside an open lower end
        lo = 1e-300 if p.low == 0 else math.nextafter(p.low, math.inf)
    hi = p.high if math.isfinite(p.high) else _FLOAT_CAP
    if p.high_open and math.isfinite(p.high):
        hi = p.high - 1 if p.integer else math.nextafter(p.high, -math.inf)
    if p.integer:
        lo = float(math.ceil(lo))
        hi = float(math.floor(hi))
    return float(lo), float(hi)


def _grid(a: float, b: float, integer: bool, count: int = 201) -> np.ndarray:
    lo, hi = min(a, b), max(a, b)
    if lo > 0:
        xs = np.geomspace(lo, hi, count)
    elif hi > 0:  # a domain that starts at 0: 0, then log-spaced points from the first step up
        first = 1.0 if integer else min(1e-300 if hi > 1e-300 else hi / 2, hi)
        xs = np.concatenate([[lo], np.geomspace(max(first, np.nextafter(lo, np.inf)), hi, count - 1)])
    else:
        xs = np.linspace(lo, hi, count)
    xs = np.unique(np.clip(np.round(xs) if integer else xs, lo, hi))
    return xs


def _valid_range(mask_of, lo: float, hi: float, integer: bool) -> tuple[float, float]:
    """Largest sub-interval of [lo, hi] where the assumptions hold (taken to be an interval).

    ``mask_of`` is vectorised, so each refinement step is one call on a grid of points.
    """
    ends = mask_of(np.array([lo, hi]))
    if ends.all():
        return lo, hi
    grid = _grid(lo, hi, integer)
    good = np.flatnonzero(mask_of(grid))
    if good.size == 0:
        raise SolveError("the theorem's assumptions fail everywhere on this axis for the given values")
    a, b = float(grid[good[0]]), float(grid[good[-1]])
    if good[0] > 0:
        a = _refine(mask_of, float(grid[good[0] - 1]), a, integer)
    if good[-1] < grid.size - 1:
        b = _refine(mask_of, float(grid[good[-1] + 1]), b, integer)
    return a, b


def _refine(mask_of, bad: float, good: float, integer: bool) -> float:
    """Move ``good`` as close to ``bad`` as the assumptions allow, 200 points per step."""
    for _ in range(8):
        if (integer and abs(good - bad) <= 1) or abs(good - bad) <= 1e-13 * abs(good):
            break
        xs = _grid(bad, good, integer)
        ok = mask_of(xs)
        if good > bad:  # the valid side lies above: the smallest valid point
            first = np.flatnonzero(ok)[0]
            good, bad = float(xs[first]), float(xs[first - 1]) if first > 0 else bad
        else:
            last = np.flatnonzero(ok)[-1]
            good, bad = float(xs[last]), float(xs[last + 1]) if last < xs.size - 1 else bad
    return good


def _g(x: float) -> str:
    return f"{x:.6g}"
