"""Measurements of trained heads (norms, ranks, losses, gaps) and the log-log slope fit.

>>> import torch
>>> from tbounds.empirical.lowrank.model import HeadSpec, init_params
>>> spec = HeadSpec(d=6, k=2)
>>> m = weight_measurements(spec, init_params(spec, [0], [2]))[0]
>>> m["qk_rank"] <= 2, m["qk_stable_rank"] <= m["qk_rank"]
(True, True)
>>> fit = slope([64, 128, 256, 512], [0.4, 0.28, 0.2, 0.14])
>>> round(fit.slope, 2), fit.low < fit.slope < fit.high
(-0.5, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from . import norms as N
from .model import HeadSpec, qk_matrix


def weight_measurements(spec: HeadSpec, params: dict, tol: float = N.RANK_TOL) -> list[dict]:
    """Per member: every norm of ``W_QK`` and ``W_V``, ``w``'s norms, the numerical rank at ``tol`` and stable rank."""
    with torch.no_grad():
        double = {k: v.double() for k, v in params.items()}  # form W_Q W_K^T in float64: float32 rounding
        reports = {"qk": N.matrix_report(qk_matrix(spec, double), tol),  # would look like extra rank
                   "v": N.matrix_report(params["WV"].double(), tol),
                   "w": N.vector_report(params["w"].double())}
    M = params["WV"].shape[0]
    rows = []
    for m in range(M):
        row = {f"{prefix}_{name}": _number(values[m]) for prefix, rep in reports.items() for name, values in rep.items()}
        row["rank_tol"] = tol
        rows.append(row)
    return rows


def _number(x: torch.Tensor):
    v = x.item()
    return int(v) if isinstance(v, int) else float(v)


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares slope of log(y) on log(x) with a two-sided t interval."""

    slope: float
    low: float
    high: float
    intercept: float
    points: int
    dropped: int  # points with y <= 0 (no logarithm)
    level: float = 0.95

    def to_dict(self) -> dict:
        return {"slope": self.slope, "ci_low": self.low, "ci_high": self.high, "points": self.points,
                "dropped_nonpositive": self.dropped, "level": self.level}


def slope(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> SlopeFit:
    """Fit ``log y = a + b log x`` over the points with ``y > 0``; the interval uses Student's t."""
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = (y > 0) & (x > 0) & np.isfinite(y)
    lx, ly = np.log(x[keep]), np.log(y[keep])
    k = len(lx)
    if k < 2 or np.ptp(lx) == 0:
        return SlopeFit(math.nan, math.nan, math.nan, math.nan, k, int((~keep).sum()), level)
    res = stats.linregress(lx, ly)
    if k > 2:
        half = stats.t.ppf(0.5 + level / 2, k - 2) * res.stderr
    else:
        half = math.inf
    return SlopeFit(float(res.slope), float(res.slope - half), float(res.slope + half), float(res.intercept), k,
                    int((~keep).sum()), level)
