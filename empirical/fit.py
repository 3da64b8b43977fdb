"""The one slope fit of the engine: ``log y = a + b log x`` with a Student-t interval on ``b``.

Every family fits exponents this way (minimal size against N, the gap against n, the gap
against rank); points with ``y <= 0`` or ``x <= 0`` have no logarithm and are dropped and
counted, never silently clipped.

>>> fit = slope([64, 128, 256, 512], [0.4, 0.28, 0.2, 0.14])
>>> round(fit.slope, 2), fit.low < fit.slope < fit.high, fit.points
(-0.5, True, 4)
>>> fit.contains(-0.5), fit.describe()
(True, '-0.50 [-0.52, -0.49] (4 points)')
>>> slope([10, 100], [1.0, 10.0]).high  # two points fix a line but leave its slope unknown
inf
>>> slope([10], [1.0]).usable
False
>>> slope([2, 8, 32], [107, 107, 107]).describe()  # exactly flat: a zero-width interval
'0.00 [0.00, 0.00] (3 points)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares slope of log(y) on log(x) with a two-sided t interval at ``level``."""

    slope: float
    low: float
    high: float
    intercept: float
    points: int
    dropped: int  # points with y <= 0 or x <= 0 (no logarithm)
    level: float = 0.95

    @property
    def usable(self) -> bool:
        """Is there a slope at all (two distinct x values)?"""
        return self.slope is not None and math.isfinite(self.slope)

    def contains(self, value: float) -> bool:
        return self.usable and self.low <= value <= self.high

    def describe(self) -> str:
        if not self.usable:
            return "no slope (no points)" if not self.points else f"no slope ({self.points} usable points)"
        shown = [round(v, 2) + 0.0 for v in (self.slope, self.low, self.high)]  # + 0.0: no "-0.00"
        return f"{shown[0]:.2f} [{shown[1]:.2f}, {shown[2]:.2f}] ({self.points} points)"

    def to_dict(self) -> dict:
        """Plain numbers; without a slope, ``None`` (never NaN) and a ``note`` saying why.

        >>> slope([], []).to_dict()["slope"], slope([], []).to_dict()["note"]
        (None, 'no points')
        """
        if not self.usable:
            return {"slope": None, "ci_low": None, "ci_high": None, "intercept": None, "points": self.points,
                    "dropped_nonpositive": self.dropped, "level": self.level,
                    "note": "no points" if not self.points else f"too few points ({self.points})"}
        return {"slope": self.slope, "ci_low": self.low, "ci_high": self.high, "intercept": self.intercept,
                "points": self.points, "dropped_nonpositive": self.dropped, "level": self.level}


def slope(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> SlopeFit:
    """Fit ``log y = a + b log x`` over the points with ``x, y > 0``; the interval uses Student's t."""
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = (y > 0) & (x > 0) & np.isfinite(y) & np.isfinite(x)
    lx, ly = np.log(x[keep]), np.log(y[keep])
    k, dropped = len(lx), int((~keep).sum())
    if k < 2 or np.ptp(lx) == 0:
        return SlopeFit(math.nan, math.nan, math.nan, math.nan, k, dropped, level)
    dx = lx - lx.mean()
    b = float(dx @ (ly - ly.mean()) / (dx @ dx))
    a = float(ly.mean() - b * lx.mean())
    resid = ly - (a + b * lx)
    # the residuals' standard error; exact data (zero residuals) give an interval as wide as the
    # rounding of the slope itself, never NaN and never narrower than floating point can tell
    half = float(stats.t.ppf(0.5 + level / 2, k - 2)) * math.sqrt(float(resid @ resid) / (k - 2) / float(dx @ dx)) \
        if k > 2 else math.inf
    half = max(half, 1e-12 * max(1.0, abs(b)))
    return SlopeFit(b, float(b - half), float(b + half), a, k, dropped, level)


@dataclass(frozen=True)
class LineFit:
    """Least-squares line ``y = slope·x + intercept`` with a two-sided Student-t interval on the slope.

    ``r2`` is the standard coefficient of determination, ``1 - SS_res / SS_tot`` with ``SS_tot`` about
    the mean of the observed ``y``.  ``r2_swapped`` is what ``sklearn.metrics.r2_score(y_pred, y_true)``
    returns (arguments swapped, as in the plotting script of arXiv 2503.03961): ``1 - SS_res /
    SS_pred``, with ``SS_pred`` about the mean of the fitted values; it is shown only to compare with
    numbers computed that way.
    """

    slope: float
    low: float
    high: float
    intercept: float
    r2: float
    r2_swapped: float
    points: int
    dropped: int  # points with a non-finite x or y
    level: float = 0.95

    @property
    def usable(self) -> bool:
        return math.isfinite(self.slope)

    def contains(self, value: float) -> bool:
        return self.usable and self.low <= value <= self.high

    def describe(self) -> str:
        if not self.usable:
            return f"no slope ({self.points} usable points)"
        lo, hi = (f"{v:.2f}" if math.isfinite(v) else ("-inf" if v < 0 else "inf") for v in (self.low, self.high))
        r2 = f", r² {self.r2:.2f}" if math.isfinite(self.r2) else ""
        return f"{self.slope + 0.0:.2f} [{lo}, {hi}]{r2} ({self.points} points)"

    def to_dict(self) -> dict:
        finite = lambda v: v if math.isfinite(v) else None  # strict JSON: no NaN or infinity
        return {"slope": finite(self.slope), "ci_low": finite(self.low), "ci_high": finite(self.high),
                "intercept": finite(self.intercept), "r2": finite(self.r2), "r2_swapped": finite(self.r2_swapped),
                "points": self.points, "dropped_nonfinite": self.dropped, "level": self.level}


def line(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> LineFit:
    """Fit ``y = slope·x + intercept`` over the finite points; the slope's interval uses Student's t.

    >>> f = line([1, 2, 3, 4], [2.1, 3.9, 6.2, 7.8])
    >>> round(f.slope, 2), f.low < 1.94 < f.high, round(f.r2, 3), round(f.r2_swapped, 3)
    (1.94, True, 0.996, 0.996)
    >>> line([1, 2], [0, 1]).describe()   # two points: a slope, but no interval and no spread to explain
    '1.00 [-inf, inf], r² 1.00 (2 points)'
    >>> line([3, 3, 3], [1, 2, 3]).usable
    False
    """
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    k, dropped = len(x), int((~keep).sum())
    nan = math.nan
    if k < 2 or np.ptp(x) == 0:
        return LineFit(nan, nan, nan, nan, nan, nan, k, dropped, level)
    dx = x - x.mean()
    b = float(dx @ (y - y.mean()) / (dx @ dx))
    a = float(y.mean() - b * x.mean())
    fitted = a + b * x
    ss_res = float(((y - fitted) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    ss_pred = float(((fitted - fitted.mean()) ** 2).sum())
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else nan
    r2_swapped = 1 - ss_res / ss_pred if ss_pred > 0 else nan
    if k > 2:
        half = float(stats.t.ppf(0.5 + level / 2, k - 2)) * math.sqrt(ss_res / (k - 2) / float(dx @ dx))
        half = max(half, 1e-12 * max(1.0, abs(b)))
    else:
        half = math.inf
    return LineFit(b, b - half, b + half, a, r2, r2_swapped, k, dropped, level)
