"""Dudley entropy integrals: closed forms for the two covering pipelines, and quadrature for any cover.

Everything here bounds the empirical Rademacher complexity of a class with values
in ``[-b, b]`` from its covering numbers, through the normalised Dudley bound
(Bartlett, Foster & Telgarsky 2017, Lemma A.5, with the 1/n kept):

    R_S(F) <= inf_alpha ( 4 alpha + (12 / sqrt(n)) * int_alpha^b sqrt(ln N(eps)) d eps ).

* Parametric covers ``ln N <= p ln(A/eps)`` (zero for ``eps >= A``), at ``alpha = 0``:
  ``R <= (12/sqrt(n)) sqrt(p) A J(min(1, b/A))`` with ``J(c) = int_0^c sqrt(ln(1/u)) du``
  ``= c sqrt(ln(1/c)) + (sqrt(pi)/2) erfc(sqrt(ln(1/c)))``; the rate is exactly ``1/sqrt(n)``.
* Maurey covers ``ln N <= C^2/eps^2``: optimal ``alpha* = 3C/sqrt(n)``, so
  ``R <= (12C/sqrt(n)) (1 + ln(b sqrt(n)/(3C)))``, a ``log n / sqrt(n)`` rate.
* Any cover: :func:`dudley_log` integrates numerically (tanh-sinh, in log space, the
  ``sqrt(ln(1/eps))`` singularity at 0 handled by the double-exponential nodes) at the
  optimal ``alpha``, which solves ``ln N(alpha) = n/9``.
* :func:`one_scale_log` is the single-scale (Massart) bound ``inf_eps eps + b sqrt(2 ln N(eps)/n)``.

>>> round(float(J(1.0)), 12) == round(math.sqrt(math.pi) / 2, 12)
True
>>> round(float(J(0.5)), 6), round(float(J(0.1)), 6)
(0.628114, 0.179992)
>>> cover = parametric_log_cover(p=8.0, A=4.0)
>>> quad = to_linear(dudley_log(cover, np.array(1e5), np.array(1.0), alpha=0.0))
>>> closed = 12 / math.sqrt(1e5) * math.sqrt(8) * 4 * float(J(0.25))
>>> abs(float(quad) - closed) < 1e-9 * closed
True
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import sympy as sp
from scipy import special

from .logspace import Signed, logsumexp, to_linear

#: ``log_eps -> log(ln N(exp(log_eps)))`` (``-inf`` where the cover has one element),
#: broadcasting over a trailing axis of scales.
LogLogCover = Callable[[np.ndarray], np.ndarray]

# --------------------------------------------------------------------------- closed forms (sympy)


def J_expr(c: sp.Expr) -> sp.Expr:
    """``J(c)`` for ``0 < c <= 1`` as a sympy expression (erfc form, stable in log space)."""
    L = sp.log(1 / c)
    return c * sp.sqrt(L) + sp.sqrt(sp.pi) / 2 * sp.erfc(sp.sqrt(L))


def parametric_integral_expr(p, A, b) -> sp.Expr:
    """``int_0^b sqrt(p ln_+(A/eps)) d eps = sqrt(p) A J(min(1, b/A))``, written without a Min inside the log."""
    L = sp.Max(0, sp.log(A / b))  # ln(1/c) with c = min(1, b/A)
    return sp.sqrt(p) * (sp.Min(A, b) * sp.sqrt(L) + A * sp.sqrt(sp.pi) / 2 * sp.erfc(sp.sqrt(L)))


def parametric_rademacher_expr(p, A, b, n) -> sp.Expr:
    """Dudley at ``alpha = 0`` for ``ln N <= p ln(A/eps)``: ``(12/sqrt(n)) sqrt(p) A J(min(1, b/A))``."""
    return 12 / sp.sqrt(n) * parametric_integral_expr(p, A, b)


def maurey_rademacher_expr(C, b, n) -> sp.Expr:
    """Dudley for ``ln N <= C^2/eps^2`` at ``alpha = min(3C/sqrt(n), b)``, capped by the trivial ``b``."""
    alpha = sp.Min(3 * C / sp.sqrt(n), b)
    return sp.Min(b, 4 * alpha + 12 * C / sp.sqrt(n) * sp.log(b / alpha))


def one_scale_maurey_expr(C, b, n) -> sp.Expr:
    """Massart at one scale for ``ln N <= C^2/eps^2``: ``min(b, 2^(5/4) sqrt(b C) n^(-1/4))`` (a ``n^(-1/4)`` rate)."""
    return sp.Min(b, 2 * 2 ** sp.Rational(1, 4) * sp.sqrt(b * C) * n ** sp.Rational(-1, 4))


# --------------------------------------------------------------------------- closed forms (numpy)


def J(c) -> np.ndarray:
    """``J(c) = int_0^c sqrt(ln(1/u)) du = Gamma(3/2, ln(1/c))`` for ``0 < c <= 1``."""
    c = np.asarray(c, dtype=float)
    L = np.log(1 / c)
    return c * np.sqrt(L) + math.sqrt(math.pi) / 2 * special.erfc(np.sqrt(L))


def maurey_alpha(C, n, b) -> np.ndarray:
    """The minimiser ``min(3C/sqrt(n), b)`` of ``4 alpha + (12C/sqrt(n)) ln(b/alpha)``."""
    return np.minimum(3 * np.asarray(C, float) / np.sqrt(n), b)


# --------------------------------------------------------------------------- covers as log-log functions


def parametric_log_cover(p, A) -> LogLogCover:
    """``ln N(eps) = p max(0, ln(A/eps))`` as a :data:`LogLogCover` (arrays broadcast on a trailing axis)."""
    logp, logA = np.log(np.asarray(p, float))[..., None], np.log(np.asarray(A, float))[..., None]

    def f(log_eps):
        gap = logA - log_eps
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gap > 0, logp + np.log(np.where(gap > 0, gap, 1.0)), -np.inf)

    f.top = logA  # ln N > 0 exactly below eps = A
    return f


def maurey_log_cover(C) -> LogLogCover:
    """``ln N(eps) = C^2/eps^2``."""
    logC = np.log(np.asarray(C, float))[..., None]
    return lambda log_eps: 2 * (logC - log_eps)


# --------------------------------------------------------------------------- quadrature

_H = 1 / 24
_T = np.arange(-4.0, 4.0 + _H / 2, _H)
_Q = np.pi * np.sinh(_T)
#: tanh-sinh nodes on [0, 1]: distance to the left end, to the right end, and log-weights.
_LEFT = special.expit(_Q)
_RIGHT = special.expit(-_Q)
_LOGW = np.log(_H * np.pi * np.cosh(_T)) + np.log(_LEFT) + np.log(_RIGHT)
_FLOOR = -700.0  # scales below e^-700 of the range never matter (and underflow)
_UMIN = -744.0  # below e^-744 an absolute scale underflows to 0 in a cover that exponentiates it
_RESOLUTION = 2.0 ** -52  # the optimal alpha is solved to this (relative) resolution in log alpha
_BISECTIONS = 64  # the bracket left by the grid (<= 1e-2 wide) closes to resolution in ~45 steps


def _edge(loglog: LogLogCover, lo: np.ndarray, hi: np.ndarray, level) -> np.ndarray:
    """Largest log-scale in [lo, hi] with ``log ln N >= level`` (covers shrink as eps grows); lo if none.

    Three rounds of a 48-point grid narrow the bracket to ~1e-5 of its width in a few
    vectorised calls; bisection then closes it to float resolution.  Used for the optimal
    alpha: an error ``h`` in ``log alpha`` moves the bound by ``O(h^2)`` only, but with a
    factor that grows like ``rank^2 / n`` (about 1e-8 relative at ``h = 2e-5``, rank 371,
    n = 1e4), so stopping early would leave noise far above the quadrature's own error.
    """
    level = np.broadcast_to(np.asarray(level, float), np.shape(hi))
    top = loglog(hi[..., None])[..., 0] >= level
    a, b = _bracket(loglog, lo.astype(float), hi.astype(float), level)
    for _ in range(_BISECTIONS):
        # Converged: the bracket is one float step of alpha wide (relative to |log alpha| when that is large).
        open_ = (b - a) > _RESOLUTION * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        if not open_.any():
            break
        mid = a + (b - a) / 2
        ok = loglog(mid[..., None])[..., 0] >= level
        a, b = np.where(open_ & ok, mid, a), np.where(open_ & ~ok, mid, b)
    return np.where(top, hi, a)


def _bracket(loglog, a, b, level, rounds: int = 3, points: int = 48):
    steps = np.linspace(0.0, 1.0, points)
    for _ in range(rounds):
        grid = a[..., None] + (b - a)[..., None] * steps
        ok = loglog(grid) >= level[..., None]
        last = np.clip(np.sum(ok, axis=-1) - 1, 0, points - 2)
        a, b = (np.take_along_axis(grid, last[..., None], axis=-1)[..., 0],
                np.take_along_axis(grid, last[..., None] + 1, axis=-1)[..., 0])
    return a, b


def _support_top(loglog: LogLogCover, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The log-scale where ``ln N`` reaches 0 (``hi`` if it stays positive), for the quadrature's right end.

    A cover given an analytic ``top`` attribute uses it; otherwise the grid bracket is
    finished by extrapolating ``ln N`` linearly in ``log eps`` (exact for ``p ln(A/eps)``).
    """
    if hasattr(loglog, "top"):
        return np.clip(np.broadcast_to(loglog.top[..., 0], hi.shape), lo, hi)
    if hasattr(loglog, "cut"):  # ln N = 0 above the cut (the cover's stated range): search below it
        hi = np.clip(np.broadcast_to(loglog.cut[..., 0], hi.shape), lo, hi)
    level = np.full(hi.shape, -745.0)
    positive_at_hi = loglog(hi[..., None])[..., 0] > level
    a, b = _bracket(loglog, lo, hi, level)
    w = b - a
    pts = np.stack([a - w, a], axis=-1)
    lg = loglog(pts)
    ref = lg[..., 1:2]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = np.exp(lg - ref)  # ln N relative to its value at a: [g(a - w)/g(a), 1]
        slope = (g[..., 1] - g[..., 0]) / w  # negative
        root = a - 1.0 / slope
    root = np.where(np.isfinite(root), np.clip(root, a, b), a)
    return np.where(positive_at_hi, hi, root)


def log_entropy_integral(loglog: LogLogCover, log_lo: np.ndarray, log_hi: np.ndarray,
                         from_zero: np.ndarray) -> np.ndarray:
    """``log int_lo^hi sqrt(ln N(eps)) d eps`` (``lo = 0`` where ``from_zero``), in log space.

    The integral stops where the cover reaches one element, so the only
    non-smooth points are the two ends, which tanh-sinh handles: in ``eps`` when
    the integral starts at 0, and in ``log eps`` otherwise (where ``1/eps``-type
    integrands are flat).
    """
    never = np.broadcast_to(np.asarray(-np.inf), log_hi.shape)
    start = np.maximum(np.maximum(log_lo, log_hi + _FLOOR), _UMIN)
    positive = loglog(start[..., None])[..., 0] > -np.inf
    # Right end: the scale where ln N drops to 0 (sqrt-kink of the integrand).
    log_top = _support_top(loglog, start, log_hi)
    width = np.maximum(log_top - log_lo, 0.0)
    with np.errstate(divide="ignore"):
        log_width = np.log(width)
    # (a) in eps on [0, top]: eps = top * s;  (b) in u = log eps on [lo, top]: d eps = eps du.
    u = log_lo[..., None] + width[..., None] * _LEFT
    u = np.where(_LEFT > 0.5, log_top[..., None] - width[..., None] * _RIGHT, u)
    u = np.where(from_zero[..., None], log_top[..., None] + np.log(_LEFT), u)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        lg = np.where(u < _UMIN, -np.inf, 0.5 * loglog(np.maximum(u, _UMIN)))  # negligible mass down there
    lin = _LOGW + log_top[..., None] + lg
    logs = _LOGW + log_width[..., None] + u + lg
    out = np.where(from_zero, logsumexp(lin), logsumexp(logs))
    return np.where(positive, out, never)


def dudley_log(loglog: LogLogCover, n, b=None, alpha="optimal", log_b=None) -> Signed:
    """Dudley's bound ``min(b, 4 alpha + (12/sqrt(n)) int_alpha^b sqrt(ln N))`` as a :class:`Signed`.

    ``alpha="optimal"`` solves ``ln N(alpha) = n/9`` (the first-order condition);
    a number fixes it (``0`` reproduces the parametric closed form).  ``log_b`` may replace ``b``
    (a product of small norms underflows as a number).  Where ``b`` lies below ``e^-700`` the
    scales of the integral would underflow: the answer there is the trivial cap ``b``, valid
    (every member of the class is within ``[-b, b]``) though maybe not the smallest.
    """
    if log_b is None:
        with np.errstate(divide="ignore"):
            log_b = np.log(np.asarray(b, float))
    n, log_b_given = np.broadcast_arrays(np.asarray(n, float), np.asarray(log_b, float))
    tiny = log_b_given < _FLOOR
    log_b = np.where(tiny, 0.0, log_b_given)
    out = _dudley_log(loglog, n, log_b, alpha)
    return Signed(out.sign, np.where(tiny, log_b_given, out.log))


def _dudley_log(loglog: LogLogCover, n, log_b, alpha) -> Signed:
    if alpha == "optimal":
        level = np.log(n / 9.0)
        floor = np.maximum(log_b + _FLOOR, _UMIN)
        log_alpha = _edge(loglog, floor, log_b, level)
        from_zero = loglog(floor[..., None])[..., 0] < level  # alpha* is below the floor: take 0
        log_alpha = np.where(from_zero, -np.inf, log_alpha)
    else:
        with np.errstate(divide="ignore"):
            log_alpha = np.broadcast_to(np.log(float(alpha)) + np.zeros_like(log_b), log_b.shape)
        from_zero = np.isneginf(log_alpha)
    log_int = log_entropy_integral(loglog, np.where(from_zero, np.maximum(log_b + _FLOOR, _UMIN), log_alpha), log_b,
                                   from_zero)
    log_total = np.logaddexp(np.log(4.0) + log_alpha, np.log(12.0) - 0.5 * np.log(n) + log_int)
    return Signed(np.ones_like(log_b), np.minimum(log_b, log_total))


def one_scale_log(loglog: LogLogCover, n, b, iters: int = 64) -> Signed:
    """Massart at one scale: ``min(b, inf_eps eps + b sqrt(2 ln N(eps)/n))`` (golden section in log eps)."""
    n, b = np.broadcast_arrays(np.asarray(n, float), np.asarray(b, float))
    log_b = np.log(b)

    def objective(u):
        return np.logaddexp(u, log_b + 0.5 * (np.log(2.0) + loglog(u[..., None])[..., 0] - np.log(n)))

    # Past the scale where ln N reaches 0 the objective is eps itself: search below it, and try it.
    floor = np.maximum(log_b + _FLOOR, _UMIN)
    log_top = _support_top(loglog, floor, log_b.copy())
    lo, hi = floor, log_top.copy()
    g = (math.sqrt(5) - 1) / 2
    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = objective(x1), objective(x2)
    for _ in range(iters):
        left = f1 <= f2
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        # Keep the surviving interior point; evaluate one new point (both branches, vectorised).
        x1n, x2n = hi - g * (hi - lo), lo + g * (hi - lo)
        new_x1 = np.where(left, x1n, x2)
        new_f1 = np.where(left, objective(x1n), f2)
        new_x2 = np.where(left, x1, x2n)
        new_f2 = np.where(left, f1, objective(x2n))
        x1, f1, x2, f2 = new_x1, new_f1, new_x2, new_f2
    best = np.minimum(np.minimum(f1, f2), objective(log_top))
    # A coarse grid guards against a non-unimodal objective.
    grid = floor[..., None] + (log_b - floor)[..., None] * np.linspace(0.0, 1.0, 141)
    coarse = np.min(np.logaddexp(grid, log_b[..., None] + 0.5 * (np.log(2.0) + loglog(grid) - np.log(n)[..., None])),
                    axis=-1)
    return Signed(np.ones_like(log_b), np.minimum(log_b, np.minimum(best, coarse)))
