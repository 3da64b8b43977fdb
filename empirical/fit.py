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
