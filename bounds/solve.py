"""Inversion of monotone bounds: "the largest N that fits", "the smallest n that suffices".

``solve`` finds the edge of the feasible set ``{x : f(x) <= target}`` (or ``>=``)
along one parameter, using the bound's declared direction of monotonicity.  Real
unknowns are solved with Brent's method on ``log f`` against ``log x``; integer
unknowns are bisected on the integers, so a step function is inverted exactly.

>>> from bounds import get
>>> s = solve(get("kajitsuka2025.seq2seq.lower_hardmax"), "N", 64.2, n=1000)
>>> s.value, s.side
(1000.0, 'largest')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .errors import AssumptionError, SolveError, TboundsError
from .record import Bound

_FLOAT_CAP = 1e300


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


def solve(bound: Bound, unknown: str, target: float, relation: str = "<=", **given) -> Solution:
    """Edge of ``{unknown : bound(unknown, **given) <relation> target}``."""
    if unknown in given:
        raise SolveError(f"'{unknown}' is the unknown: do not also give it a value")
    param = bound.param(unknown)
    if relation not in ("<=", ">="):
        raise SolveError(f"relation must be '<=' or '>=' (got {relation!r})")
    direction = bound.monotone.get(unknown)
    if direction not in ("increasing", "decreasing"):
        raise SolveError(f"{bound.id} is not declared monotone in '{unknown}', so it cannot be inverted for it")
    target = float(target)
    if not math.isfinite(target):
        raise SolveError(f"target must be a finite number (got {target})")
    for name, v in given.items():  # validates names and domains early
        bound.param(name).validate(v)

    increasing = direction == "increasing"
    # The feasible set is an interval reaching down (True) or up (False) the axis.
    feasible_below = increasing == (relation == "<=")
    side = "largest" if feasible_below else "smallest"

    def f(x: float) -> float:
        return float(bound.evaluate(**given, **{unknown: x}))

    def log_f(x: float) -> float:
        s = bound.signed_log(**given, **{unknown: x})
        return float(s.log) if s.sign > 0 else -math.inf

    def feasible(x: float) -> bool:
        lf = log_f(x)
        lt = math.log(target) if target > 0 else -math.inf
        if target <= 0:  # compare on the linear scale
            v = f(x)
            return v <= target if relation == "<=" else v >= target
        return lf <= lt if relation == "<=" else lf >= lt

    lo, hi = _search_interval(bound, unknown, given)
    # Assumptions may forbid part of the domain: shrink [lo, hi] to where they hold.
    lo, hi = _valid_range(lambda x: _holds(bound, given, unknown, x), lo, hi, param.integer)
    at_lo, at_hi = feasible(lo), feasible(hi)
    if at_lo and at_hi:
        edge = hi if feasible_below else lo
        value = (math.inf if feasible_below and hi >= _FLOAT_CAP and math.isinf(param.high) else edge)
        return Solution(bound.id, unknown, target, relation, value, side, f(edge), dict(given))
    if not at_lo and not at_hi:
        raise SolveError(f"no value of '{unknown}' in [{_g(lo)}, {_g(hi)}] gives {bound.id} {relation} {_g(target)} "
                         f"(the bound runs from {_g(f(lo))} to {_g(f(hi))})")
    if at_lo == at_hi or feasible_below != at_lo:
        raise SolveError(f"{bound.id} does not behave as declared ({direction} in '{unknown}') on [{_g(lo)}, {_g(hi)}]")
    if param.integer:
        a, b = lo, hi  # feasible(a) != feasible(b)
        while b - a > 1 and b / a > 1 + 1e-15:
            mid = math.floor(a + (b - a) / 2) if b - a < 2 ** 52 else math.floor(math.sqrt(a) * math.sqrt(b))
            mid = min(max(mid, a + 1), b - 1)
            if feasible(mid) == feasible(a):
                a = mid
            else:
                b = mid
        value = a if feasible_below else b
    else:
        lt = math.log(target) if target > 0 else None
        if lt is None:
            g = lambda u: f(math.exp(u)) - target  # noqa: E731
        else:
            g = lambda u: log_f(math.exp(u)) - lt  # noqa: E731
        u = optimize.brentq(g, math.log(lo), math.log(hi), xtol=1e-14, rtol=1e-13, maxiter=500)
        value = math.exp(u)
        # Land on the feasible side of the root.
        step = math.nextafter(value, -math.inf if feasible_below else math.inf)
        if not feasible(value) and feasible(step):
            value = step
    return Solution(bound.id, unknown, target, relation, float(value), side, f(value), dict(given))


def _search_interval(bound: Bound, unknown: str, given: dict) -> tuple[float, float]:
    p = bound.param(unknown)
    lo = p.low if not p.low_open else (p.low + 1 if p.integer else (p.low + 1e-300 if p.low == 0 else math.nextafter(p.low, math.inf)))
    if p.low_open and not p.integer and p.low == 0:
        lo = 1e-300
    hi = p.high if math.isfinite(p.high) else _FLOAT_CAP
    if p.high_open and math.isfinite(p.high):
        hi = p.high - 1 if p.integer else math.nextafter(p.high, -math.inf)
    if p.integer:
        lo = float(math.ceil(lo))
        hi = float(math.floor(hi))
    return float(lo), float(hi)


def _holds(bound: Bound, given: dict, unknown: str, x: float) -> bool:
    try:
        bound.prepare({**given, unknown: x})
        return True
    except AssumptionError:
        return False
    except TboundsError:
        raise


def _valid_range(ok, lo: float, hi: float, integer: bool) -> tuple[float, float]:
    """Largest sub-interval of [lo, hi] where ``ok`` holds, assuming it is an interval."""
    if ok(lo) and ok(hi):
        return lo, hi
    grid = np.unique(np.geomspace(lo, hi, 200) if lo > 0 else np.linspace(lo, hi, 200))
    if integer:
        grid = np.unique(np.round(grid))
    good = [x for x in grid if ok(float(x))]
    if not good:
        raise SolveError("the theorem's assumptions fail everywhere on this axis for the given values")
    a, b = float(good[0]), float(good[-1])
    # Refine each edge by bisection against the neighbouring invalid grid point.
    idx_a, idx_b = int(np.searchsorted(grid, a)), int(np.searchsorted(grid, b))
    if idx_a > 0:
        a = _refine(ok, float(grid[idx_a - 1]), a, integer)
    if idx_b < len(grid) - 1:
        b = _refine(ok, float(grid[idx_b + 1]), b, integer)
    return a, b


def _refine(ok, bad: float, good: float, integer: bool) -> float:
    for _ in range(200):
        if (integer and abs(good - bad) <= 1) or abs(good - bad) <= 1e-14 * abs(good):
            break
        mid = (bad + good) / 2
        if integer:
            mid = math.floor(mid) if good > bad else math.ceil(mid)
            if mid in (bad, good):
                break
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def _g(x: float) -> str:
    return f"{x:.6g}"
