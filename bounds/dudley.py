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
* Covers ``ln N = p ln(1 + (A/eps)^k)``: :func:`log1p_dudley_log` (alpha* in closed form, the integral by a
  two-panel Gauss-Legendre rule in ``s = sqrt(ln N/p)`` with an error estimate; ours).
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


# --------------------------------------------------------------------------- Dudley at the optimal alpha, closed forms

_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)


def _log_g(L: np.ndarray) -> np.ndarray:
    """``log(sqrt(L) + (sqrt(pi)/2) erfcx(sqrt(L)))``: ``J(c) = c g(ln(1/c))`` (erfc = erfcx e^(-L), e^(-L) = c)."""
    s = np.sqrt(L)
    return np.log(s + math.sqrt(math.pi) / 2 * special.erfcx(s))


def _log_tail(L: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``log int_0^delta sqrt(L + t) e^(-t) dt`` for ``L >= 0``, ``delta > 0`` (``inf`` allowed).

    It equals ``g(L) - e^(-delta) g(L + delta)``; below ``delta = 1`` that difference cancels, so
    there a 16-point Gauss-Legendre rule in ``s = sqrt(L + t)`` integrates ``2 s^2 e^(-(s^2 - L))``,
    an entire function over an interval where the exponent moves by at most 1 (exact to rounding).
    """
    L, delta = np.broadcast_arrays(np.asarray(L, float), np.asarray(delta, float))
    out = np.empty(L.shape)
    far = delta > 1.0  # each point takes one branch only (erfcx is costly: two calls per far point)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if far.any():
            L_, delta_ = L[far], delta[far]
            g = _log_g(L_)
            out[far] = np.where(np.isinf(delta_), g, g + np.log1p(-np.exp(-delta_ + _log_g(L_ + delta_) - g)))
        near = ~far
        if near.any():
            L_, near_d = L[near], np.minimum(delta[near], 1.0)
            s0 = np.sqrt(L_)
            s1 = np.sqrt(L_ + near_d)
            half = 0.5 * near_d / (s1 + s0)  # (s1 - s0)/2 without cancelling
            s = (s0 + half)[..., None] + half[..., None] * _GL_X
            expo = (s - s0[..., None]) * (s + s0[..., None])  # s^2 - L
            out[near] = np.log(half) + np.log(np.sum(_GL_W * 2 * s * s * np.exp(-expo), axis=-1))
    return out


def parametric_dudley_log(log_p, log_A, n, log_b, log_cut=np.inf) -> Signed:
    """Dudley at the optimal alpha for ``ln N = p ln(A/eps)`` below ``min(A, cut)`` (0 above), in closed form.

    Our derivation (checked against the quadrature in the tests): ``alpha* = A e^(-n/(9p))``
    solves ``ln N(alpha) = n/9``; with ``top = min(A, cut, b)``, if ``alpha* >= top`` the bound is
    ``min(b, 4 top)``, else ``4 alpha* + (12/sqrt n) sqrt(p) A (J(top/A) - J(alpha*/A))``, and
    ``J(top/A) - J(alpha*/A) = (top/A) int_0^delta sqrt(L_t + t) e^(-t) dt`` with
    ``L_t = ln(A/top)``, ``delta = n/(9p) - L_t`` (:func:`_log_tail`).  A cover with a jump at
    ``cut < A`` (one centre covers above it) is handled by the same formula.

    >>> s = parametric_dudley_log(np.log(8.0), np.log(4.0), np.array(1e5), np.log(1.0))
    >>> q = dudley_log(parametric_log_cover(8.0, 4.0), np.array(1e5), np.array(1.0))
    >>> abs(float(to_linear(s)) / float(to_linear(q)) - 1) < 1e-12
    True
    """
    log_p, log_A, n, log_b, log_cut = np.broadcast_arrays(*[np.asarray(x, float) for x in
                                                             (log_p, log_A, n, log_b, log_cut)])
    log_top = np.minimum(np.minimum(log_A, log_cut), log_b)
    with np.errstate(over="ignore"):
        La = np.exp(np.log(n / 9.0) - log_p)  # ln(A/alpha*) = n/(9p)
    Lt = log_A - log_top
    delta = La - Lt
    inside = delta > 0
    safe = np.where(inside, delta, 1.0)
    log_int = 0.5 * log_p + log_top + _log_tail(Lt, safe)
    log_alpha = np.where(inside, log_A - La, log_top)
    with np.errstate(divide="ignore"):
        log_total = np.where(inside, np.logaddexp(math.log(4.0) + log_alpha,
                                                  math.log(12.0) - 0.5 * np.log(n) + log_int),
                             math.log(4.0) + log_top)
    return _capped(log_b, log_total)


def composed_parametric_dudley_log(log_ps, log_As, n, log_b) -> Signed:
    """Dudley at the optimal alpha for ``ln N = sum_i p_i ln_+(A_i/eps)`` (blocks composed into one cover), in closed form.

    Our derivation (docs/generalization.md): with the amplitudes sorted, ``A_(1) >= A_(2) >= ...``, on
    ``[A_(j+1), A_(j)]`` the cover is parametric, ``ln N = P_j ln(A~_j/eps)`` with ``P_j = sum_(i<=j) p_(i)``
    and ``ln A~_j = sum_(i<=j) (p_(i)/P_j) ln A_(i)``; ``alpha* = A~_j e^(-n/(9 P_j))`` on the segment where
    ``ln N`` crosses ``n/9``, and the integral up to ``top = min(b, A_(1))`` is a sum of
    :func:`parametric_dudley_log`'s pieces, ``sqrt(P_j) hi int_0^ln(hi/lo) sqrt(ln(A~_j/hi) + t) e^-t dt``
    over each segment's part ``[lo, hi]`` of ``[alpha*, top]`` (:func:`_log_tail`).

    >>> one = composed_parametric_dudley_log([np.log(8.0)], [np.log(4.0)], np.array(1e5), np.log(1.0))
    >>> two = composed_parametric_dudley_log([np.log(8.0)] * 2, [np.log(4.0)] * 2, np.array(1e5), np.log(1.0))
    >>> ref = parametric_dudley_log(np.log(16.0), np.log(4.0), np.array(1e5), np.log(1.0))  # 8 + 8 blocks of A = 4
    >>> bool(abs(float(to_linear(two)) / float(to_linear(ref)) - 1) < 1e-14), float(to_linear(one)) < float(to_linear(two))
    (True, True)
    """
    arrays = np.broadcast_arrays(*[np.asarray(x, float) for x in (*log_ps, *log_As, n, log_b)])
    m = len(log_ps)
    lp, la = np.stack(arrays[:m]), np.stack(arrays[m:2 * m])
    n, log_b = arrays[2 * m], arrays[2 * m + 1]
    order = np.argsort(-la, axis=0, kind="stable")
    lp, la = np.take_along_axis(lp, order, axis=0), np.take_along_axis(la, order, axis=0)
    log_P = np.logaddexp.accumulate(lp, axis=0)
    level = np.log(n / 9.0)
    log_top = np.minimum(log_b, la[0])

    def log_ln_n(j, u):
        """``log ln N(e^u)`` for ``u`` at or below ``A_(j)`` (blocks ``i <= j`` only: the others are 0 there)."""
        with np.errstate(divide="ignore"):
            return logsumexp(np.stack([lp[i] + np.log(la[i] - u) for i in range(j + 1)]), axis=0)

    # The segment holding alpha*: the last j with ln N(A_(j)) <= n/9 (ln N(A_(1)) = 0).
    seg = np.zeros(level.shape, dtype=int)
    for j in range(1, m):
        seg = np.where(log_ln_n(j - 1, la[j]) <= level, j, seg)
    log_alpha = np.full(level.shape, -np.inf)
    for j in range(m):
        # ln(A~_j / alpha) = n/(9 P_j), with ln A~_j = A_(j) + sum_i (p_i/P_j) (ln A_(i) - ln A_(j)) (terms >= 0)
        log_a_j = la[j] + sum(np.exp(lp[i] - log_P[j]) * (la[i] - la[j]) for i in range(j))
        with np.errstate(over="ignore"):
            log_alpha = np.where(seg == j, log_a_j - np.exp(level - log_P[j]), log_alpha)
    inside = log_alpha < log_top
    parts = []
    for j in range(m):
        below = la[j + 1] if j + 1 < m else np.full(level.shape, -np.inf)
        lo, hi = np.maximum(log_alpha, below), np.minimum(log_top, la[j])
        used = inside & (hi > lo)
        # ln(A~_j/hi) = sum_(i<=j) (p_i/P_j) ln(A_(i)/hi), every term >= 0 since hi <= A_(j)
        L = sum(np.exp(lp[i] - log_P[j]) * (la[i] - hi) for i in range(j + 1))
        safe_L, delta = np.where(used, np.maximum(L, 0.0), 0.0), np.where(used, hi - lo, 1.0)
        parts.append(np.where(used, 0.5 * log_P[j] + hi + _log_tail(safe_L, delta), -np.inf))
    log_int = logsumexp(np.stack(parts), axis=0)
    with np.errstate(divide="ignore"):
        log_total = np.where(inside, np.logaddexp(math.log(4.0) + log_alpha,
                                                  math.log(12.0) - 0.5 * np.log(n) + log_int),
                             math.log(4.0) + log_top)
    return _capped(log_b, log_total)


def maurey_dudley_log(log_C, n, log_b, log_cut=np.inf) -> Signed:
    """Dudley at the optimal alpha for ``ln N = C^2/eps^2`` below ``cut`` (0 above): ``alpha* = 3C/sqrt(n)``,
    ``min(b, 4 alpha* + (12 C/sqrt n) ln(top/alpha*))`` with ``top = min(cut, b)`` (``min(b, 4 top)`` if
    ``alpha* >= top``), in log space.  Our derivation, as :func:`maurey_rademacher_expr`.

    >>> s = maurey_dudley_log(np.log(4.0), np.array(1e5), np.log(1.0))
    >>> round(float(to_linear(s)), 3)
    0.648
    """
    log_C, n, log_b, log_cut = np.broadcast_arrays(*[np.asarray(x, float) for x in (log_C, n, log_b, log_cut)])
    log_top = np.minimum(log_cut, log_b)
    log_alpha = log_C + math.log(3.0) - 0.5 * np.log(n)
    inside = log_alpha < log_top
    with np.errstate(divide="ignore", invalid="ignore"):
        log_int = log_C + np.log(np.where(inside, log_top - log_alpha, 1.0))
        log_total = np.where(inside, np.logaddexp(math.log(4.0) + log_alpha,
                                                  math.log(12.0) - 0.5 * np.log(n) + log_int),
                             math.log(4.0) + log_top)
    return _capped(log_b, log_total)


#: Gauss-Legendre orders of :func:`log1p_dudley_log`: the finer gives the value, the coarser the error estimate.
LOG1P_ORDERS = (24, 32)
#: The tail of ``log1p_dudley_log``'s integrand past ``s^2 - s_top^2 = 40 k`` is below e^-40 of the integral.
_LOG1P_SPAN = 40.0


def gauss_legendre(n: int):
    """``n``-point Gauss-Legendre nodes and weights on [-1, 1], by Newton's method in 40-digit arithmetic.

    (numpy's ``leggauss`` weights are off by up to 1e-12 relative at the ends for n >= 24, which the
    1e-13 error estimate of :func:`log1p_dudley_log` cannot afford.)

    >>> x, w = gauss_legendre(24)
    >>> abs(float(np.sum(w * x ** 46)) - 2 / 47) < 1e-16, float(np.sum(w))
    (True, 2.0)
    """
    import mpmath

    with mpmath.workdps(40):
        xs, ws = [], []
        for i in range(1, n // 2 + 1):
            x = mpmath.cos(mpmath.pi * (i - mpmath.mpf(1) / 4) / (n + mpmath.mpf(1) / 2))
            for _ in range(50):
                p0, p1 = mpmath.mpf(1), x
                for j in range(2, n + 1):
                    p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
                dp = n * (x * p1 - p0) / (x * x - 1)
                step = p1 / dp
                x -= step
                if abs(step) < mpmath.mpf(10) ** -38:
                    break
            xs.append(float(x))
            ws.append(float(2 / ((1 - x * x) * dp * dp)))
    x, w = np.array(xs), np.array(ws)
    return np.concatenate([-x, x[::-1]]), np.concatenate([w, w[::-1]])


_GL_CACHE: dict = {}


def _gl(n: int):
    """:func:`gauss_legendre`, computed once per order (about 20 ms each, on first use)."""
    if n not in _GL_CACHE:
        _GL_CACHE[n] = gauss_legendre(n)
    return _GL_CACHE[n]


def _log1p_panels(s0, width, k, orders):
    """``int_0^width`` of ``(2/k) s^2 e^(-(s^2 - s0^2)/k) (1 - e^(-s^2))^(-1-1/k)`` over ``s = s0 + off``, once per
    Gauss-Legendre order in ``orders``, each on two panels: ``[s0, s0 + 1]`` in ``v = ln s`` (where ``s0`` is small the
    integrand grows like ``s^(-2/k)``, smooth in ``v``) and the rest in ``s``.

    Nodes run along the first axis and points along the last (numpy's inner loops stay long); every step works in
    place in four buffers (on this machine a fresh 500 KB temporary costs more than the pass that fills it).
    """
    first = np.minimum(width, 1.0)
    tau = 0.5 * np.log1p(first / s0)  # half the first panel, in v
    rest = width - first
    half = 0.5 * rest
    any_rest = bool(np.any(rest > 0))
    work = np.empty((4, max(orders)) + s0.shape)
    totals = []
    for order in orders:
        x, w = _gl(order)
        x, w = x[:, None], w[:, None]
        off, s, e, q = work[:, :order]
        np.multiply(tau, 1.0 + x, out=off)
        np.expm1(off, out=off)
        off *= s0
        total = tau * _log1p_sum(s0, off, k, w, s, e, q, v_panel=True)
        if any_rest:
            np.multiply(half, 1.0 + x, out=off)
            off += first
            total += half * _log1p_sum(s0, off, k, w, s, e, q, v_panel=False)
        totals.append(total)
    return totals


def _log1p_sum(s0, off, k, w, s, e, q, v_panel):
    """``sum_i w_i f(s0 + off_i)`` (times ``s`` on the panel in ``v = ln s``), in the buffers ``s, e, q``."""
    np.add(s0, off, out=s)
    np.add(s, s0, out=e)
    e *= off
    e *= -1.0 / k
    np.exp(e, out=e)  # e^(-(s^2 - s0^2)/k), the offset kept exact
    if v_panel:
        e *= s  # d s = s d v
    np.multiply(s, s, out=q)
    e *= q
    np.negative(q, out=q)
    np.expm1(q, out=q)
    np.negative(q, out=q)  # 1 - e^(-s^2)
    if k == 2:  # (the two registered forms skip np.power)
        np.sqrt(q, out=s)
        q *= s
        e /= q
    elif k == 1:
        q *= q
        e /= q
    else:
        np.power(q, -1.0 - 1.0 / k, out=q)
        e *= q
    e *= w
    total = e[0].copy()
    for row in e[1:]:  # node by node: np.sum pairs the terms differently for one point and for many
        total += row
    return (2.0 / k) * total


def log1p_dudley_log(log_p, log_A, k: float, n, log_b, log_cut=np.inf):
    """Dudley at the optimal alpha for ``ln N = p ln(1 + (A/eps)^k)`` below ``cut`` (0 above), with an error estimate.

    Our derivation (docs/generalization.md): with ``x = eps/A`` and ``s = sqrt(ln(1 + x^-k))``,
    ``alpha* = A (e^(n/(9p)) - 1)^(-1/k)`` solves ``ln N(alpha) = n/9``; with ``top = min(cut, b)``
    the bound is ``min(b, 4 top)`` if ``alpha* >= top``, else
    ``min(b, 4 alpha* + (12/sqrt n) sqrt(p) A int_alpha*^top sqrt(ln(1 + (A/eps)^k)) d eps / A)``, and
    the integral over ``x`` is ``e^(-s_top^2/k) int_s_top^s_a (2/k) s^2 e^(-(s^2 - s_top^2)/k)
    (1 - e^(-s^2))^(-1-1/k) ds``: smooth and positive, integrated by Gauss-Legendre on two panels
    (:data:`LOG1P_ORDERS`; past ``s^2 = s_top^2 + 40 k`` the rest is below e^-40 of it).
    Returns ``(Signed, relative error estimate)``: the difference of the two orders, weighted by the
    integral's share of the bound.  Where the estimate exceeds :data:`QUAD_TOL` (a cover far above
    ``b``, ``s_top`` near 0) the caller integrates numerically (:func:`dudley_log`).

    >>> cover = lambda u: np.log(8.0) + np.log(np.logaddexp(0.0, 2 * (np.log(4.0) - u)))  # 8 ln(1 + (4/eps)^2)
    >>> s, err = log1p_dudley_log(np.log(8.0), np.log(4.0), 2, np.array([1e5]), np.log(np.array([1.0])))
    >>> q = dudley_log(cover, np.array(1e5), np.array(1.0))
    >>> bool(err[0] <= QUAD_TOL), bool(abs(float(to_linear(s)[0]) / float(to_linear(q)) - 1) < 1e-13)
    (True, True)
    """
    arrays = np.broadcast_arrays(*[np.asarray(x, float) for x in (log_p, log_A, n, log_b, log_cut)])
    if arrays[0].ndim != 1:  # the panels run along a second axis
        out, err = log1p_dudley_log(*[a.ravel() for a in arrays[:2]], k, *[a.ravel() for a in arrays[2:]])
        return Signed(out.sign.reshape(arrays[0].shape), out.log.reshape(arrays[0].shape)), err.reshape(arrays[0].shape)
    log_p, log_A, n, log_b, log_cut = arrays
    log_top = np.minimum(log_cut, log_b)
    log_x = log_top - log_A  # x_top = top/A
    t_top = np.logaddexp(0.0, -k * log_x)  # ln(1 + x_top^-k) = ln N(top)/p
    with np.errstate(over="ignore"):
        t_a = np.exp(np.log(n / 9.0) - log_p)  # ln N(alpha*)/p
    inside = t_a > t_top
    with np.errstate(invalid="ignore"):
        span = np.where(inside, np.minimum(t_a - t_top, _LOG1P_SPAN * k), 0.0)
    s0 = np.sqrt(t_top)
    width = span / (np.sqrt(t_top + span) + s0)  # s_end - s0 without cancelling
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):  # s0 = 0: estimate inf
        coarse, fine = _log1p_panels(s0, width, k, LOG1P_ORDERS)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        estimate = np.where(inside, np.abs(coarse / fine - 1.0), 0.0)
        # log of int_x_a^x_top: e^(-t_top/k) = x_top (1 + x_top^k)^(-1/k)
        log_int = log_x - np.logaddexp(0.0, k * log_x) / k + np.log(fine)
        log_part = math.log(12.0) - 0.5 * np.log(n) + 0.5 * log_p + log_A + log_int
        # alpha* = A (e^t_a - 1)^(-1/k), ln(e^t - 1) = t + ln(1 - e^-t) without overflow
        log_expm1 = np.where(t_a > 1.0, t_a + np.log1p(-np.exp(-t_a)), np.log(np.expm1(t_a)))
        log_alpha = log_A - log_expm1 / k
        log_total = np.where(inside, np.logaddexp(math.log(4.0) + log_alpha, log_part), math.log(4.0) + log_top)
        share = np.where(inside, np.exp(log_part - log_total), 0.0)
    bad = ~np.isfinite(estimate) | ~np.isfinite(log_total)
    estimate = np.where(bad, np.inf, estimate * share)
    capped = ~bad & (log_b <= log_total)
    return _capped(log_b, np.where(bad, np.nan, log_total)), np.where(capped, 0.0, estimate)


#: :func:`panel_dudley_log` splits ``[log alpha*, log b]`` into panels at most this wide in ``log eps``, up to
#: :data:`_PANELS` of them (wider intervals go to the adaptive quadrature).
_PANEL_WIDTH, _PANELS = 4.0, 4


def panel_dudley_log(loglog: LogLogCover, n, log_b):
    """Dudley at the optimal alpha for a cover analytic in ``u = log eps`` (it gives ``with_slope``), with an error estimate.

    Our rule (docs/generalization.md): alpha* by :func:`_newton_edge`; where ``4 alpha* >= b`` the bound is ``b``
    (nothing to integrate); elsewhere ``int_alpha*^b sqrt(ln N(eps)) d eps = int e^u sqrt(ln N(e^u)) du`` by
    Gauss-Legendre at 24 and 32 nodes (:data:`LOG1P_ORDERS`) on equal panels of ``[log alpha*, log b]``, one where
    it is at most :data:`_PANEL_WIDTH` wide, :data:`_PANELS` where it is at most that many times wider.  The
    integrand's singularities lie at least ``pi/2`` off the real axis for the composed ``log(1 + .)`` and Zhang
    covers, so the rule converges geometrically; the relative difference of the two orders, times the integral's
    share of the bound, is the estimate.  Points with a wider interval, with alpha* below ``e^-700 b`` or with a
    non-finite value get an estimate of ``inf``: the caller integrates them with :func:`dudley_log`.  A cover
    with ``take(mask)`` (the same cover at those points only) is integrated at the points that need it only.
    Returns ``(Signed, estimate)``.

    >>> f = maurey_log_cover(np.array([4.0]))
    >>> f.with_slope = lambda u: (f(u), np.full(np.shape(u), -2.0))
    >>> s, err = panel_dudley_log(f, np.array([1e5]), np.log(np.array([1.0])))
    >>> closed = maurey_dudley_log(np.log(4.0), np.array([1e5]), np.log(1.0))
    >>> bool(err[0] <= QUAD_TOL), bool(abs(float(to_linear(s)[0] / to_linear(closed)[0]) - 1) < 1e-14)
    (True, True)
    """
    n, log_b = np.broadcast_arrays(np.asarray(n, float), np.asarray(log_b, float))
    level = np.log(n / 9.0)
    floor = np.maximum(log_b + _FLOOR, _UMIN)
    log_alpha = _edge(loglog, floor, log_b, level)
    below = ~(loglog(floor[..., None])[..., 0] >= level)  # alpha* under the floor: integrate from 0 (as dudley_log)
    log_alpha = np.where(below, -np.inf, log_alpha)
    width = log_b - log_alpha
    capped = math.log(4.0) + log_alpha >= log_b  # 4 alpha* >= b: the bound is b, whatever the integral
    coarse, log_int = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    for panels, widest in ((1, _PANEL_WIDTH), (_PANELS, _PANELS * _PANEL_WIDTH)):
        group = ~capped & np.isnan(log_int) & (width <= widest)
        if not group.any():
            continue
        cover, sel = _restricted(loglog, group)
        coarse[group], log_int[group] = _panel_sums(cover, log_alpha[sel], width[sel] / panels, panels, group[sel])
    if hasattr(loglog, "parametric"):
        _far_panels(loglog, log_b, width, ~capped & np.isnan(log_int), coarse, log_int)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_part = math.log(12.0) - 0.5 * np.log(n) + log_int
        log_total = np.where(capped, log_b, np.logaddexp(math.log(4.0) + log_alpha, log_part))
        share = np.exp(log_part - log_total)
        estimate = np.abs(np.expm1(coarse - log_int)) * share
    bad = ~capped & (~np.isfinite(log_total) | ~np.isfinite(estimate))
    capped |= ~bad & (log_b <= log_total)
    return _capped(log_b, np.where(bad, np.nan, log_total)), np.where(bad, np.inf, np.where(capped, 0.0, estimate))


def _restricted(loglog: LogLogCover, mask: np.ndarray):
    """``(cover, index)``: the cover at the points of ``mask`` only (``take``) and the index that picks those points
    out of a whole-grid array; the whole cover and ``...`` where every point is taken or the cover cannot restrict."""
    if mask.all() or not hasattr(loglog, "take"):
        return loglog, Ellipsis
    return loglog.take(mask), mask


def smooth_dudley_log(loglog: LogLogCover, n, log_b) -> Signed:
    """Dudley at the optimal alpha for a smooth cover (``with_slope``; ``take`` to restrict it to some points): by
    :func:`panel_dudley_log`, and by the adaptive quadrature (:func:`dudley_log`) at the points where the panel
    rule's error estimate exceeds ``QUAD_TOL`` -- so every value is within ``QUAD_TOL`` either way."""
    n, log_b = np.broadcast_arrays(np.asarray(n, float), np.asarray(log_b, float))
    out, err = panel_dudley_log(loglog, n, log_b)
    redo = ~(err <= QUAD_TOL)
    if not redo.any():
        return out
    if hasattr(loglog, "take"):
        again = dudley_log(loglog.take(redo), n[redo], log_b=log_b[redo]).log
    else:
        again = dudley_log(loglog, n, log_b=log_b).log[redo]
    log = out.log.copy()
    log[redo] = again
    return Signed(out.sign, log)


#: :func:`_far_panels` integrates the non-parametric rest over ``[b e^-W, b]``, ``W`` = this plus ``ln_+(b/A_min)``.
_CORRECTION_SPAN = 12.0
#: The rest is small beside the parametric part, so fewer nodes do (the estimate checks it, relative to the total).
_FAR_ORDERS = (16, 20)


def _far_panels(loglog, log_b, width, todo, coarse, log_int):
    """Fill ``coarse``/``log_int`` where ``todo`` for a cover ``P ln(A~/eps) + delta(eps)`` (``loglog.parametric`` =
    ``(log P, log A~, log A_min)``, ``loglog.correction``) with ``b <= A~/e``: the parametric part in closed form
    (:func:`_log_tail`), the rest ``sqrt(ln N) - sqrt(P ln(A~/eps))`` by four Gauss-Legendre panels over
    ``[b e^-W, b]``; below ``b e^-W`` that rest is below ``e^-36`` of the parametric part (docs/generalization.md)."""
    log_P, log_at, la_min = (np.broadcast_to(x, log_b.shape) for x in loglog.parametric)
    reach = _CORRECTION_SPAN + np.maximum(log_b - la_min, 0.0)
    far = todo & (log_b <= log_at - 1.0) & (width > reach) & (reach <= _PANELS * _PANEL_WIDTH)
    if not far.any():
        return
    cover, sel = _restricted(loglog, far)
    main = (0.5 * log_P + log_b + _log_tail(log_at - log_b, width))[sel]
    parts = _panel_sums(cover.correction, (log_b - reach)[sel], reach[sel] / _PANELS, _PANELS, far[sel], _FAR_ORDERS)
    main = main[far[sel]]
    coarse[far], log_int[far] = (np.logaddexp(main, part) for part in parts)


def _panel_sums(loglog: LogLogCover, log_lo, step, panels: int, keep, orders=LOG1P_ORDERS):
    """``log int e^u sqrt(ln N(e^u)) du`` over ``panels`` panels of width ``step`` from ``log_lo``, at the two
    Gauss-Legendre orders ``orders`` (the points where ``keep``)."""
    out = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for order in orders:
            x, w = _gl(order)
            offsets = (np.arange(panels)[:, None] + 0.5 * (1.0 + x)).ravel()  # every panel's nodes, in steps
            u = log_lo[..., None] + step[..., None] * offsets
            lg = 0.5 * loglog(u)
            lg += u
            lg += np.log(np.tile(w, panels))
            out.append((np.log(0.5 * step) + logsumexp(lg, axis=-1, overwrite=True))[keep])
    return out


def _capped(log_b, log_total) -> Signed:
    """``min(b, total)``, with :func:`dudley_log`'s rule below ``b = e^-700`` (the trivial cap ``b``)."""
    out = np.where(log_b < _FLOOR, log_b, np.minimum(log_b, log_total))
    return Signed(np.ones_like(out), out)


# --------------------------------------------------------------------------- quadrature

#: Adaptive tanh-sinh on [0, 1] (t in [-4, 4]; past |t| = 4 the weights are below e^-80): level 0 has
#: step 1/2, each further level halves the step and adds only the new (odd) nodes.  The error estimate
#: of a level is its relative change from the one before; the rule stops where every point's estimate
#: is below :data:`QUAD_TOL` (the error of tanh-sinh roughly squares from one level to the next, so the
#: estimate bounds the error of the value returned, which is one level finer).
QUAD_TOL = 1e-13
_H0, _LEVELS = 0.5, 6  # finest step 1/64 (today's fixed rule used 1/24)


def _level_nodes(level: int):
    """``(log h, left, right, log weight without h, k)`` for the nodes a level adds; the nodes are in increasing
    order, and those past the middle (``left > 0.5``, from ``k`` on) measure their distance from the right end."""
    h = _H0 / 2 ** level
    t = np.arange(-4.0, 4.0 + h / 2, h) if level == 0 else np.arange(-4.0 + h, 4.0, 2 * h)
    q = np.pi * np.sinh(t)
    left, right = special.expit(q), special.expit(-q)
    return (math.log(h), left, right, np.log(np.pi * np.cosh(t)) + np.log(left) + np.log(right),
            int(np.sum(left <= 0.5)))


_NODES = [_level_nodes(k) for k in range(_LEVELS + 1)]
_FLOOR = -700.0  # scales below e^-700 of the range never matter (and underflow)
_UMIN = -744.0  # below e^-744 an absolute scale underflows to 0 in a cover that exponentiates it
_RESOLUTION = 2.0 ** -52  # the optimal alpha is solved to this (relative) resolution in log alpha
#: Newton stops after a step this small (relative): it converges quadratically, so the step taken is exact to
#: rounding (a step of 1e-16 is often out of reach, the function's own rounding moves the root by as much).
_NEWTON_STEP = 1e-10
_ROOT_STEPS = 64  # Illinois steps at most (it converges superlinearly: ~6-10 from the grid's bracket)


def _newton_edge(loglog: LogLogCover, lo: np.ndarray, hi: np.ndarray, level) -> np.ndarray:
    """:func:`_edge` for a cover that knows its slope (``loglog.with_slope(u) -> (log ln N, d log ln N / d u)``).

    Safeguarded Newton in ``u = log eps`` from ``hi`` (a step that leaves the bracket bisects it), stopped after
    a step below :data:`_NEWTON_STEP` (quadratic convergence: that step lands on the root to rounding): a smooth cover's ``log ln N`` is close to linear in ``u`` (slope -2 for
    ``C^2/eps^2``), so a few steps replace the grid bracket's 48 evaluations.  Returns ``hi`` where
    ``ln N(hi) >= level`` already, ``lo`` where ``ln N(lo) < level`` (no root), else the root (to an ulp or two:
    the bound moves by ``O(h^2)`` for an error ``h`` in ``log alpha``).

    >>> f = maurey_log_cover(np.array([4.0]))  # ln N = 16/eps^2 = 1e5/9 at eps = 3 * 4 / sqrt(1e5)
    >>> f.with_slope = lambda u: (f(u), np.full(np.shape(u), -2.0))
    >>> root = _newton_edge(f, np.array([-20.0]), np.array([0.0]), np.log(1e5 / 9))
    >>> bool(abs(root[0] - np.log(12 / np.sqrt(1e5))) < 1e-14)
    True
    """
    level = np.broadcast_to(np.asarray(level, float), np.shape(hi))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        f_lo = loglog(lo[..., None])[..., 0] - level
        value, slope = loglog.with_slope(hi[..., None])
        fx, slope = value[..., 0] - level, slope[..., 0]
        top, none = fx >= 0, ~(f_lo >= 0)
        done = top | none
        a, b, x = lo.astype(float), hi.astype(float), hi.astype(float)
        for _ in range(_ROOT_STEPS):
            a, b = np.where(fx >= 0, x, a), np.where(fx >= 0, b, x)
            new = x - fx / slope
            new = np.where(np.isfinite(new) & (new >= a) & (new <= b), new, a + (b - a) / 2)
            small = np.abs(new - x) <= _NEWTON_STEP * np.maximum(1.0, np.abs(x))  # the step just taken is exact
            x = np.where(done, x, new)
            done = done | small | (b - a <= _RESOLUTION * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))
            if done.all():
                break
            value, slope = loglog.with_slope(x[..., None])
            fx, slope = value[..., 0] - level, slope[..., 0]
    return np.where(top, hi, np.where(none, lo, x))


def _edge(loglog: LogLogCover, lo: np.ndarray, hi: np.ndarray, level) -> np.ndarray:
    """Largest log-scale in [lo, hi] with ``log ln N >= level`` (covers shrink as eps grows); lo if none.

    Two rounds of a 24-point grid narrow the bracket to ~2e-3 of its width in a few vectorised
    calls; Illinois false position (bisection where an end is ``-inf``) then closes it to float
    resolution.  Used for the optimal alpha: an error ``h`` in ``log alpha`` moves the bound by
    ``O(h^2)`` only, but with a factor that grows like ``rank^2 / n`` (about 1e-8 relative at
    ``h = 2e-5``, rank 371, n = 1e4), so stopping early would leave noise far above the
    quadrature's own error.
    """
    if hasattr(loglog, "with_slope"):
        return _newton_edge(loglog, lo, hi, level)
    level = np.broadcast_to(np.asarray(level, float), np.shape(hi))
    top = loglog(hi[..., None])[..., 0] >= level
    a, b = _bracket(loglog, lo.astype(float), hi.astype(float), level, rounds=2, points=24)
    fa = loglog(a[..., None])[..., 0] - level  # >= 0 where the bracket holds a root
    fb = loglog(b[..., None])[..., 0] - level  # < 0 (maybe -inf)
    side = np.zeros(a.shape, dtype=np.int8)  # which end moved last (Illinois: halve the other's f)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for _ in range(_ROOT_STEPS):
            # Converged: the bracket is one float step of alpha wide (relative to |log alpha| when that is large).
            # (Where ln N >= n/9 at hi already the answer is hi: no root to close, 52 bisections saved.)
            open_ = ~top & ((b - a) > _RESOLUTION * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))
            if not open_.any():
                break
            secant = a + (b - a) * fa / (fa - fb)
            usable = np.isfinite(fa) & np.isfinite(fb) & (secant > a) & (secant < b)
            mid = np.where(usable, secant, a + (b - a) / 2)
            fm = loglog(mid[..., None])[..., 0] - level
            ok = fm >= 0
            move_a, move_b = open_ & ok, open_ & ~ok
            fb = np.where(move_a & (side == 1), fb / 2, fb)  # the same end moved twice: Illinois
            fa = np.where(move_b & (side == -1), fa / 2, fa)
            a, fa = np.where(move_a, mid, a), np.where(move_a, fm, fa)
            b, fb = np.where(move_b, mid, b), np.where(move_b, fm, fb)
            side = np.where(move_a, 1, np.where(move_b, -1, side)).astype(np.int8)
            # A root met exactly closes the bracket.
            b = np.where(open_ & (fm == 0), mid, b)
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

    A cover given an analytic ``top`` attribute uses it; so does one whose ``ln N`` is positive
    at ``hi`` (its stated ``cut``, or ``b``) everywhere: no search.  Otherwise the grid bracket
    is finished by extrapolating ``ln N`` linearly in ``log eps`` (exact for ``p ln(A/eps)``).
    """
    if hasattr(loglog, "top"):
        return np.clip(np.broadcast_to(loglog.top[..., 0], hi.shape), lo, hi)
    if hasattr(loglog, "cut"):  # ln N = 0 above the cut (the cover's stated range): search below it
        hi = np.clip(np.broadcast_to(loglog.cut[..., 0], hi.shape), lo, hi)
    level = np.full(hi.shape, -745.0)
    positive_at_hi = loglog(hi[..., None])[..., 0] > level
    if positive_at_hi.all():
        return hi
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
                         from_zero: np.ndarray, error: bool = False):
    """``log int_lo^hi sqrt(ln N(eps)) d eps`` (``lo = 0`` where ``from_zero``), in log space.

    The integral stops where the cover reaches one element, so the only
    non-smooth points are the two ends, which tanh-sinh handles: in ``eps`` when
    the integral starts at 0, and in ``log eps`` otherwise (where ``1/eps``-type
    integrands are flat).  The rule is adaptive (:data:`QUAD_TOL`); with ``error=True``
    it also returns each point's relative error estimate.
    """
    never = np.broadcast_to(np.asarray(-np.inf), log_hi.shape)
    start = np.maximum(np.maximum(log_lo, log_hi + _FLOOR), _UMIN)
    positive = loglog(start[..., None])[..., 0] > -np.inf
    # Right end: the scale where ln N drops to 0 (sqrt-kink of the integrand).
    log_top = _support_top(loglog, start, log_hi)
    width = np.maximum(log_top - log_lo, 0.0)
    with np.errstate(divide="ignore"):
        log_width = np.log(width)
    # (a) in eps on [lo, top] where the integrand, per unit of log eps, falls off towards lo (parametric-type
    # covers: eps sqrt(ln N) is e^-7 smaller at lo than near top, or lo = 0): tanh-sinh meets the
    # sqrt(ln(1/eps)) end as an end-point singularity; (b) in u = log eps on [lo, top] (d eps = eps du)
    # otherwise (Maurey-type covers, whose 1/eps integrand is flat in u).
    with np.errstate(invalid="ignore", over="ignore"):
        ref = log_top - 0.5 * np.minimum(width, 1.0)  # below top, where ln N may reach 0
        fall = (log_lo - ref) + 0.5 * (loglog(log_lo[..., None])[..., 0] - loglog(ref[..., None])[..., 0])
    # A cover that never reaches one element (``top = inf``: a 1/eps^2 tail above its scales) mixes both kinds over a
    # wide range; its flat upper part decides, and ln eps suits it (in eps its 1/eps integrand is missed).
    flat_tail = np.isinf(loglog.top[..., 0]) if hasattr(loglog, "top") else False
    in_eps = from_zero | ((fall < -7.0) & ~flat_tail)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        r0 = np.where(from_zero, 0.0, np.exp(np.minimum(log_lo - log_top, 0.0)))[..., None]
        log_span = np.where(in_eps, log_top + np.log1p(-r0[..., 0]), log_width)[..., None]
    zero = in_eps[..., None]
    every, none = bool(in_eps.all()), not in_eps.any()
    total, estimate = None, np.full(log_hi.shape, np.inf)
    for log_h, left, right, logw, k in _NODES:
        u = None if every else _scales_in_log(log_lo, log_top, width, left, right, k)
        if not none:
            v = _scales_in_eps(log_top, r0, left, right, k)
            u = v if every else np.where(zero, v, u)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            below = u.size and u.min() < _UMIN  # (rare) negligible mass down there
            lg = loglog(np.maximum(u, _UMIN) if below else u)
            lg *= 0.5
            if below:
                lg[u < _UMIN] = -np.inf
            lg += logw
            lg += log_span
            if not every:  # d eps = eps du where the rule runs in u = log eps
                lg += u if none else np.where(zero, 0.0, u)
        part = log_h + logsumexp(lg, overwrite=True)
        if total is None:
            total = part
            continue
        previous, total = total, np.logaddexp(total - math.log(2), part)
        with np.errstate(invalid="ignore", over="ignore"):
            estimate = np.where(np.isneginf(total) & np.isneginf(previous), 0.0, np.abs(np.expm1(previous - total)))
        if np.all(estimate <= QUAD_TOL):
            break
    out = np.where(positive, total, never)
    if error:
        return out, np.where(positive, estimate, 0.0)
    return out


def _scales_in_log(log_lo, log_top, width, left, right, k):
    """The nodes' log scales ``lo + width*left`` (first ``k``) and ``top - width*right`` (the rest)."""
    u = np.empty(log_top.shape + left.shape)
    u[..., :k] = log_lo[..., None] + width[..., None] * left[:k]
    u[..., k:] = log_top[..., None] - width[..., None] * right[k:]
    return u


def _scales_in_eps(log_top, r0, left, right, k):
    """The nodes' log scales ``log(r0 + (1 - r0) left)`` and ``log1p(-(1 - r0) right)`` above ``log top``."""
    v = np.empty(log_top.shape + left.shape)
    with np.errstate(divide="ignore"):
        v[..., :k] = np.log(r0 + (1 - r0) * left[:k])
        v[..., k:] = np.log1p(-(1 - r0) * right[k:])
    v += log_top[..., None]
    return v


def dudley_log(loglog: LogLogCover, n, b=None, alpha="optimal", log_b=None, error: bool = False, log_alpha=None):
    """Dudley's bound ``min(b, 4 alpha + (12/sqrt(n)) int_alpha^b sqrt(ln N))`` as a :class:`Signed`.

    ``alpha="optimal"`` solves ``ln N(alpha) = n/9`` (the first-order condition) numerically;
    ``log_alpha=`` gives that solution's log where it is known analytically (it is clipped to the
    cover's ``cut`` and to ``b``); a number fixes alpha (``0`` reproduces the parametric closed form).  ``log_b`` may replace ``b``
    (a product of small norms underflows as a number).  Where ``b`` lies below ``e^-700`` the
    scales of the integral would underflow: the answer there is the trivial cap ``b``, valid
    (every member of the class is within ``[-b, b]``) though maybe not the smallest.
    With ``error=True`` it returns ``(Signed, relative error estimate)``: the quadrature's
    estimate, weighted by the integral's share of the bound.
    """
    if log_b is None:
        with np.errstate(divide="ignore"):
            log_b = np.log(np.asarray(b, float))
    n, log_b_given = np.broadcast_arrays(np.asarray(n, float), np.asarray(log_b, float))
    tiny = log_b_given < _FLOOR
    log_b = np.where(tiny, 0.0, log_b_given)
    if log_alpha is not None:
        alpha = np.asarray(log_alpha, float)
    out, err = _dudley_log(loglog, n, log_b, alpha)
    result = Signed(out.sign, np.where(tiny, log_b_given, out.log))
    return (result, np.where(tiny, 0.0, err)) if error else result


def _dudley_log(loglog: LogLogCover, n, log_b, alpha):
    if isinstance(alpha, np.ndarray):  # log of the solution of ln N(alpha) = n/9, given analytically
        floor = np.maximum(log_b + _FLOOR, _UMIN)
        top = log_b if not hasattr(loglog, "cut") else np.minimum(log_b, np.broadcast_to(loglog.cut[..., 0], log_b.shape))
        log_alpha = np.minimum(np.broadcast_to(alpha, log_b.shape), top)
        from_zero = log_alpha < floor
        log_alpha = np.where(from_zero, -np.inf, log_alpha)
    elif alpha == "optimal":
        level = np.log(n / 9.0)
        floor = np.maximum(log_b + _FLOOR, _UMIN)
        log_alpha = _edge(loglog, floor, log_b, level)
        from_zero = loglog(floor[..., None])[..., 0] < level  # alpha* is below the floor: take 0
        log_alpha = np.where(from_zero, -np.inf, log_alpha)
    else:
        with np.errstate(divide="ignore"):
            log_alpha = np.broadcast_to(np.log(float(alpha)) + np.zeros_like(log_b), log_b.shape)
        from_zero = np.isneginf(log_alpha)
    log_int, int_err = log_entropy_integral(
        loglog, np.where(from_zero, np.maximum(log_b + _FLOOR, _UMIN), log_alpha), log_b, from_zero, error=True)
    log_part = np.log(12.0) - 0.5 * np.log(n) + log_int
    log_total = np.logaddexp(np.log(4.0) + log_alpha, log_part)
    with np.errstate(invalid="ignore"):
        share = np.where(np.isneginf(log_part), 0.0, np.exp(log_part - log_total))
    capped = log_b <= log_total
    return Signed(np.ones_like(log_b), np.minimum(log_b, log_total)), np.where(capped, 0.0, share * int_err)


def parametric_one_scale_log(log_p, log_A, n, log_b) -> Signed:
    """Massart at one scale for ``ln N = p ln_+(A/eps)``, in closed form: ``min(b, inf_eps eps + c sqrt(ln_+(A/eps)))``
    with ``c = b sqrt(2p/n)``, over ``e^-700 b <= eps <= top = min(A, b)`` (the range :func:`one_scale_log` searches).

    Our derivation (docs/generalization.md): with ``y = 2 ln(A/eps)`` the first-order condition
    ``2 eps sqrt(ln(A/eps)) = c`` reads ``y e^-y = z = c^2/(2 A^2)``; for ``z < 1/e`` its root ``y > 1`` (Lambert
    ``-W_-1(-z)``, solved as ``y - ln y = ln(1/z)`` by Newton from above, in log space) is the only local minimum
    below ``A e^(-1/2)``, and the objective falls again past the other root, so the minimum is the smaller of that
    local minimum (where it lies in the range; the range's lower end where it lies below) and the value at ``top``.

    >>> s = parametric_one_scale_log(np.log(32.0), np.log(4.0), np.array(1e5), np.log(1.0))
    >>> q = one_scale_log(parametric_log_cover(32.0, 4.0), np.array(1e5), np.array(1.0))
    >>> bool(abs(float(to_linear(s)) / float(to_linear(q)) - 1) < 1e-12)
    True
    """
    log_p, log_A, n, log_b = np.broadcast_arrays(*[np.asarray(x, float) for x in (log_p, log_A, n, log_b)])
    log_c = log_b + 0.5 * (math.log(2.0) + log_p - np.log(n))
    floor = np.maximum(log_b + _FLOOR, _UMIN)
    log_top = np.maximum(np.minimum(log_A, log_b), floor)

    def objective(log_eps):  # log(eps + c sqrt(ln_+(A/eps)))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.logaddexp(log_eps, log_c + 0.5 * np.log(np.maximum(log_A - log_eps, 0.0)))

    t = 2.0 * (log_A - log_c) + math.log(2.0)  # ln(1/z)
    interior = t > 1.0
    t_ = np.where(interior, t, 2.0)
    y = t_ + np.log(t_) + 1.0  # above the root of h(y) = y - ln y - t (h convex, increasing past 1): Newton falls to it
    for _ in range(_ROOT_STEPS):
        step = (y - np.log(y) - t_) / (1.0 - 1.0 / y)
        y = y - step
        if not np.any(np.abs(step) > 4 * _RESOLUTION * y):
            break
    log_eps1 = log_A - 0.5 * y
    best = objective(log_top)
    best = np.where(interior & (log_eps1 <= log_top), np.minimum(best, objective(np.maximum(log_eps1, floor))), best)
    return Signed(np.ones_like(log_b), np.minimum(log_b, best))


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
