"""Covering-number algebra for any class: composing covers of blocks, the allocation of scales, greedy covers.

If a model's output moves by at most ``sum_i beta_i * dist_i`` when block ``i`` moves
by ``dist_i`` (a perturbation inequality), then covers of the blocks at scales
``eps_i`` with ``sum_i beta_i eps_i = eps`` compose into a cover at scale ``eps``
with ``ln N(eps) <= sum_i ln N_i(eps_i)``.  The scales are a free choice; the two
closed-form optima below are used by the transformer bounds.

* Maurey blocks ``ln N_i = a_i / eps_i^2`` (Edelman et al. 2022, Lemma A.8):
  the minimum is ``gamma^3 / eps^2`` with ``gamma = sum_i a_i^(1/3) beta_i^(2/3)``,
  at ``eps_i = (eps/gamma) (a_i/beta_i)^(1/3)``.
* Parametric blocks ``ln N_i = p_i ln(A_i/eps_i)`` (Lagrange): ``eps_i = eps p_i/(beta_i P)``
  with ``P = sum_i p_i``, giving ``sum_i p_i ln(A~_i / eps)`` with ``A~_i = A_i beta_i P / p_i``.

>>> value, scales = maurey_allocation([1.0, 8.0], [1.0, 1.0], 1.0)
>>> round(value, 10), [round(s, 10) for s in scales]
(27.0, [0.3333333333, 0.6666666667])
>>> import math
>>> round(float(numeric_allocation([lambda e: 1 / e**2, lambda e: 8 / e**2], [1.0, 1.0], 1.0)[0]), 6)
27.0
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import sympy as sp
from scipy import optimize


def maurey_gamma_expr(alphas: Sequence, betas: Sequence):
    """``gamma = sum_i a_i^(1/3) beta_i^(2/3)`` for sympy expressions (the composed cover is ``gamma^3/eps^2``)."""
    return sp.Add(*[a ** sp.Rational(1, 3) * b ** sp.Rational(2, 3) for a, b in zip(alphas, betas)])


def lagrange_amplitudes(ps: Sequence, amplitudes: Sequence, betas: Sequence) -> list:
    """``A~_i = A_i beta_i P / p_i``: at the Lagrange scales the composed cover is ``sum_i p_i ln_+(A~_i / eps)`` (sympy)."""
    P = sp.Add(*ps)
    return [A * b * P / p for p, A, b in zip(ps, amplitudes, betas)]


def maurey_allocation(alphas: Sequence[float], betas: Sequence[float], eps: float):
    """Lemma A.8: ``(gamma^3/eps^2, [eps_i])`` minimising ``sum a_i/eps_i^2`` given ``sum beta_i eps_i = eps``."""
    alphas, betas = [float(a) for a in alphas], [float(b) for b in betas]
    gamma = sum(a ** (1 / 3) * b ** (2 / 3) for a, b in zip(alphas, betas))
    scales = [eps / gamma * (a / b) ** (1 / 3) for a, b in zip(alphas, betas)]
    return gamma ** 3 / eps ** 2, scales


def parametric_allocation(ps: Sequence[float], betas: Sequence[float], eps: float) -> list[float]:
    """Scales ``eps_i = eps p_i / (beta_i P)`` minimising ``sum p_i ln(A_i/eps_i)`` given ``sum beta_i eps_i = eps``."""
    P = float(sum(ps))
    return [eps * p / (b * P) for p, b in zip(ps, betas)]


def numeric_allocation(log_covers: Sequence[Callable[[float], float]], betas: Sequence[float], eps: float):
    """Numerical minimum of ``sum_i f_i(eps_i)`` over ``sum_i beta_i eps_i = eps`` (a check on the closed forms).

    The constraint is kept exact by writing ``eps_i = eps * softmax(z)_i / beta_i``.
    """
    betas = np.asarray(betas, float)

    def scales(z):
        w = np.exp(z - np.max(z))
        return eps * (w / w.sum()) / betas

    def total(z):
        return float(sum(f(s) for f, s in zip(log_covers, scales(z))))

    best = None
    for start in (np.zeros(len(betas)), np.linspace(-1, 1, len(betas)), np.linspace(1, -1, len(betas))):
        res = optimize.minimize(total, start, method="Nelder-Mead",
                                options=dict(xatol=1e-12, fatol=1e-14, maxiter=20000, maxfev=40000))
        if best is None or res.fun < best.fun:
            best = res
    return best.fun, list(scales(best.x))


def greedy_cover(values: np.ndarray, eps: float, metric: str = "inf") -> np.ndarray:
    """Indices of an ``eps``-cover of the rows of ``values`` (functions on n points), built greedily.

    ``metric`` is ``"inf"`` (max over the points) or ``"l2"`` (root mean square over the points,
    the empirical L2(P_n) metric of Dudley's bound).
    """
    values = np.asarray(values, float)
    uncovered = np.ones(len(values), bool)
    centres = []
    while uncovered.any():
        i = int(np.argmax(uncovered))
        centres.append(i)
        uncovered &= distances(values, values[i], metric) > eps
    return np.array(centres)


def distances(values: np.ndarray, centre: np.ndarray, metric: str) -> np.ndarray:
    diff = np.abs(np.asarray(values, float) - centre)
    if metric == "inf":
        return diff.max(axis=-1)
    if metric == "l2":
        return np.sqrt(np.mean(diff ** 2, axis=-1))
    raise ValueError(f"metric must be 'inf' or 'l2' (got {metric!r})")


def is_cover(values: np.ndarray, centres: np.ndarray, eps: float, metric: str) -> bool:
    """Whether every row of ``values`` lies within ``eps`` of some centre row."""
    values = np.asarray(values, float)
    d = np.stack([distances(values, c, metric) for c in np.asarray(centres, float)])
    return bool((d.min(axis=0) <= eps).all())
