"""The single-layer single-head transformer, cut into the three blocks its covers are made of.

Model (notes §1.3): ``f(X) = w^T sigma(W_V^T X^T a)``, ``a = softmax(X W_QK^T x_tau)``,
tokens ``||x_t|| <= B_x``, ``||W_V||_2 <= B_V``, ``||w||_2 <= B_out``, ``sigma`` is
``L_sigma``-Lipschitz with ``sigma(0) = 0``.  The perturbation inequality (P)

    |f - f'| <= ||w - w'|| L_sigma B_V B_x + B_out L_sigma max_t ||(W_V - W_V')^T x_t||
                + 2 B_out L_sigma B_V B_x max_t |x_t^T (W_QK - W_QK')^T x_tau|

makes a cover of ``f`` from covers of three linear classes (inputs ``B_in``, weight ``beta``):

=========  ===========================  =================  ====================================
block      class                        input bound        weight beta (T-free form)
=========  ===========================  =================  ====================================
readout    z -> w^T z                   L_sigma B_V B_x    1
value      u -> W_V^T u                 B_x                B_out L_sigma
query-key  x_tau -> W_QK^T x_tau        B_x                2 B_out L_sigma B_V B_x^2
=========  ===========================  =================  ====================================

The query-key block is covered on the n query tokens only (``|x_t^T D x_tau| <= B_x ||D x_tau||``),
which is why parameter-space covers give bounds free of T.  Edelman et al. cover the
scores themselves over all ``n T`` pairs (weight ``2 B_out L_sigma B_V B_x``), hence ``log(nT)``.

>>> import sympy as sp
>>> [str(x) for x in RANGE.as_ordered_factors()]
['B_V', 'B_out', 'B_x', 'L_sigma']
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import special

from ..covers import lagrange_amplitudes
from ..dudley import composed_parametric_dudley_log, parametric_integral_expr, smooth_dudley_log
from ..logspace import Signed, logsumexp
from .common import S

n, T, d, r_w, r_v = S["n"], S["T"], S["d"], S["r_w"], S["r_v"]
B_x, B_QK, B_V, B_out, L_sigma = S["B_x"], S["B_QK"], S["B_V"], S["B_out"], S["L_sigma"]
L_loss, c_loss, delta = S["L_loss"], S["c_loss"], S["delta"]

#: |f| <= ||w|| L_sigma ||W_V^T X^T a|| <= B_out L_sigma B_V B_x: the Dudley integral stops here.
RANGE = B_out * L_sigma * B_V * B_x
BLOCKS = ("readout", "value", "query-key")
INPUT = {"readout": L_sigma * B_V * B_x, "value": B_x, "query-key": B_x}
BETA = {"readout": sp.Integer(1), "value": B_out * L_sigma, "query-key": 2 * B_out * L_sigma * B_V * B_x ** 2}
#: Equal split eps_i = eps / (K beta_i): every amplitude stays monotone in every parameter
#: (the Lagrange-optimal split p_i/(beta_i P) is not monotone in the ranks).
K = 3


def t1_block(rank, norm, inp):
    """(T1) read as ``ln N <= 2 r^2 ln(2 B_in B_w sqrt(r) / eps)``: returns (p, A)."""
    return 2 * rank ** 2, 2 * inp * norm * sp.sqrt(rank)


def cp_block(rows, cols, rank, spectral, inp):
    """(CP) with ``||W||_F <= sqrt(r) ||W||_2``: ``(rows + cols + 1) r ln(9 sqrt(r) B B_in / eps)``."""
    return (rows + cols + 1) * rank, 9 * sp.sqrt(rank) * spectral * inp


def t1_blocks():
    return {"readout": t1_block(1, B_out, INPUT["readout"]),
            "value": t1_block(r_v, B_V, INPUT["value"]),
            "query-key": t1_block(r_w, B_QK, INPUT["query-key"])}


def cp_blocks():
    return {"readout": cp_block(1, d, 1, B_out, INPUT["readout"]),
            "value": cp_block(d, d, r_v, B_V, INPUT["value"]),
            "query-key": cp_block(d, d, r_w, B_QK, INPUT["query-key"])}


def composed_parametric(blocks: dict):
    """Composed amplitudes ``A~_i = K beta_i A_i``: ``ln N(eps) <= sum_i p_i ln_+(A~_i / eps)``."""
    return [(p, K * BETA[name] * A) for name, (p, A) in blocks.items()]


def composed_parametric_lagrange(blocks: dict):
    """Lagrange-optimal scales eps_i = eps p_i/(beta_i P): amplitudes ``A_i beta_i P / p_i`` (not monotone in ranks)."""
    ps = [p for p, _ in blocks.values()]
    return list(zip(ps, lagrange_amplitudes(ps, [A for _, A in blocks.values()], [BETA[name] for name in blocks])))


def composed_log_cover_expr(blocks: dict, eps, allocation=None):
    pairs = (allocation or composed_parametric)(blocks)
    return sp.Add(*[p * sp.Max(0, sp.log(A / eps)) for p, A in pairs])


def parametric_head_rademacher(blocks: dict):
    """Dudley at alpha = 0, sqrt(sum) <= sum sqrt: ``min(b, (12/sqrt n) sum_i sqrt(p_i) A~_i J(min(1, b/A~_i)))``.

    The cap ``b`` is the trivial bound ``R <= b`` for a class with values in ``[-b, b]``.
    """
    return sp.Min(RANGE, 12 / sp.sqrt(n) * sp.Add(*[parametric_integral_expr(p, A, RANGE)
                                                     for p, A in composed_parametric(blocks)]))


def confidence_term():
    """The expected-complexity form of the Rademacher theorem: ``c sqrt(ln(1/delta)/(2n))``."""
    return c_loss * sp.sqrt(sp.log(1 / delta) / (2 * n))


def gap_from_rademacher(rad):
    """Contraction (L_loss) then Mohri et al. Thm 3.3: ``2 L_loss R + c sqrt(ln(1/delta)/(2n))``."""
    return 2 * L_loss * rad + confidence_term()


# --------------------------------------------------------------------------- Maurey-type block coefficients
M_QK, M_V, M_out = S["M_QK"], S["M_V"], S["M_out"]
#: Trauger-Tewari blocks: ln N_i <= a_i / eps_i^2 with a_i = B_in^2 M^2 ln(2 d1 d2 + 1) ((1,1)-norm M).
TT_ALPHAS = {"readout": INPUT["readout"] ** 2 * M_out ** 2 * sp.log(2 * d + 1),
             "value": B_x ** 2 * M_V ** 2 * sp.log(2 * d ** 2 + 1),
             "query-key": B_x ** 2 * M_QK ** 2 * sp.log(2 * d ** 2 + 1)}
B_QK21, B_V21 = S["B_QK21"], S["B_V21"]
#: Edelman et al.'s schematic capacity constant (notes §3.3): ln N <~ C ln(nT) / eps^2.
EDELMAN_C = (L_sigma * B_out * B_x) ** 2 * (B_V21 ** sp.Rational(2, 3)
                                           + (2 * B_V * B_x ** 2 * B_QK21) ** sp.Rational(2, 3)) ** 3


# --------------------------------------------------------------------------- numeric (log space) pieces


def log_gap(log_rad, L_loss_, c_loss_, delta_, n_) -> np.ndarray:
    """``log(2 L_loss R + c sqrt(ln(1/delta)/(2n)))`` from ``log R``."""
    with np.errstate(divide="ignore"):
        conf = np.log(c_loss_) + 0.5 * (np.log(-np.log(delta_)) - math.log(2) - np.log(n_))
    return np.logaddexp(math.log(2) + np.log(L_loss_) + log_rad, conf)


def log_blocks_t_free(B_x_, B_V_, B_out_, L_sigma_):
    """log input bounds and log weights of the three blocks (T-free form), in :data:`BLOCKS` order."""
    lx, lv, lo, ls = (np.log(a) for a in (B_x_, B_V_, B_out_, L_sigma_))
    inputs = [ls + lv + lx, lx, lx]
    betas = [np.zeros_like(lx), lo + ls, math.log(2) + lo + ls + lv + 2 * lx]
    return inputs, betas


def _softplus(x):
    """``ln(1 + e^x)``: ``log1p(exp(x))`` below 37, ``x`` plus that above (``ln(1 + e^x) - x < 1e-16`` there); twice as fast
    as ``np.logaddexp(0, x)``, to 4.5e-16 relative of it."""
    if x.size and x.max() < 37.0:  # (the usual case: two passes)
        return np.log1p(np.exp(x))
    return np.log1p(np.exp(np.minimum(x, 37.0))) + np.maximum(x - 37.0, 0.0)


#: Below e^-600 (relative to the largest p_i) the linear sum of the log(1 + .) blocks is redone in log space.
_TINY = -600.0


def _log1p_tail(log_weights, las, u):
    """``log sum_i w_i ln(1 + e^g_i)`` and ``log sum_i w_i expit(g_i)`` (``g_i = 2 (log A_i - u)``) in log space, where
    the linear sums underflow (``ln(1 + e^g) = e^g (1 - e^g/2 + ...)``: its log is ``g`` to rounding below -37), the
    weights as logs (a block whose ``p_i`` is below ``e^-745`` of the largest has ``w_i = 0`` in linear space, yet it
    dominates where its ``A_i`` lies far above the others')."""
    logs, dlogs = [], []
    with np.errstate(divide="ignore"):
        for lw, la in zip(log_weights, las):
            g = 2.0 * (la - u)
            low = g < -37.0
            logs.append(lw + np.where(low, g, np.log(_softplus(np.maximum(g, -37.0)))))
            dlogs.append(lw - _softplus(-g))  # log expit(g) = -ln(1 + e^-g)
    return _lse(logs), _lse(dlogs)


def parametric_loglog(log_ps, log_amps, reading: str):
    """``log ln N(e^u)`` of ``sum_i p_i ln_+(A_i/eps)`` ("log") or ``sum_i (p_i/2) ln(1 + A_i^2/eps^2)`` ("log1p")."""
    lps = [lp[..., None] for lp in log_ps]
    las = [la[..., None] for la in log_amps]
    # ln N = e^top * sum_i w_i g_i(u), w_i = p_i e^-top (top = the largest log p_i, so no w_i overflows), summed
    # in linear space: per scale a few passes and one log, where a log-sum-exp of the blocks' logs took a
    # log per block, a stack and an exp.
    top_p = np.max(np.stack(np.broadcast_arrays(*lps)), axis=0)
    weights = [np.exp(lp - top_p) * (1.0 if reading == "log" else 0.5) for lp in lps]
    log_weights = [lp - top_p - math.log(2.0) for lp in lps]  # (log1p reading)

    def f(u):
        total = None
        for w, la in zip(weights, las):
            g = la - u
            if reading == "log":
                np.maximum(g, 0.0, out=g)  # ln_+(A/eps)
            else:
                g *= 2.0
                g = _softplus(g)  # ln(1 + (A/eps)^2)
            g *= w
            total = g if total is None else np.add(total, g, out=total)
        with np.errstate(divide="ignore"):
            np.log(total, out=total)
        if reading != "log" and np.any(total < _TINY):  # ln N (relative to the largest p) underflowed: redo in logs
            total = np.where(total < _TINY, _log1p_tail(log_weights, las, u)[0], total)
        total += top_p
        return total

    if reading == "log":
        f.top = np.max(np.stack(np.broadcast_arrays(*las)), axis=0)  # the last block's cover reaches 1 here
        return f

    def with_slope(u):
        """``(log ln N, d log ln N / d u)``: ``d ln(1 + e^g)/du = -2 expit(g)`` for ``g = 2 (log A - u)``."""
        total, dtotal = None, None
        for w, la in zip(weights, las):
            g = 2.0 * (la - u)
            value, slope = w * np.logaddexp(0.0, g), w * special.expit(g)
            total = value if total is None else total + value
            dtotal = slope if dtotal is None else dtotal + slope
        with np.errstate(divide="ignore", invalid="ignore"):
            value, slope = np.log(total), -2.0 * dtotal / total
        if np.any(value < _TINY):
            log_total, log_dtotal = _log1p_tail(log_weights, las, u)
            low = value < _TINY
            value, slope = np.where(low, log_total, value), np.where(low, -2.0 * np.exp(log_dtotal - log_total), slope)
        return value + top_p, slope

    # ln N = P ln(A~/eps) + delta(eps) exactly, ln A~ = sum_i (p_i/P) ln A_i, delta = sum_i (p_i/2) ln(1 + eps^2/A_i^2)
    # (ln(1 + A^2/eps^2) = 2 ln(A/eps) + ln(1 + eps^2/A^2)): the parametric part and the rest, for panel_dudley_log.
    sum_w = 2.0 * sum(weights)  # P e^-top
    log_at = sum(2.0 * w * la for w, la in zip(weights, las)) / sum_w

    def correction(u):
        """``2 log(sqrt(ln N) - sqrt(P ln(A~/eps)))``, as ``delta / (sqrt(L + delta) + sqrt(L))`` (no cancellation)."""
        delta = sum(w * _softplus(2.0 * (u - la)) for w, la in zip(weights, las))
        L = sum_w * (log_at - u)
        with np.errstate(divide="ignore", invalid="ignore"):
            return top_p + 2.0 * np.log(delta / (np.sqrt(L + delta) + np.sqrt(L)))

    f.parametric = ((top_p + np.log(sum_w))[..., 0], log_at[..., 0],
                    np.min(np.stack(np.broadcast_arrays(*las)), axis=0)[..., 0])
    f.correction = correction
    f.top = np.full(np.broadcast(*las).shape, np.inf)  # ln N > 0 at every scale (a 1/eps^2 tail): integrate up to b
    f.with_slope = with_slope
    f.take = lambda mask: parametric_loglog([np.broadcast_to(lp, mask.shape)[mask] for lp in log_ps],
                                            [np.broadcast_to(la, mask.shape)[mask] for la in log_amps], reading)
    return f


def _lse(terms):
    """``log sum_i exp(term_i)`` of broadcast arrays."""
    return logsumexp(np.stack(np.broadcast_arrays(*terms)), axis=0)


def t1_numeric(reading: str):
    """Gap of the T1-composed head by quadrature; params (n, T, r_w, r_v, B_x, B_QK, B_V, B_out, L_sigma, L_loss, c_loss, delta)."""

    def evaluate(n_, T_, r_w_, r_v_, B_x_, B_QK_, B_V_, B_out_, L_sigma_, L_loss_, c_loss_, delta_) -> Signed:
        inputs, betas = log_blocks_t_free(B_x_, B_V_, B_out_, L_sigma_)
        ranks = [np.zeros_like(inputs[0]), np.log(r_v_), np.log(r_w_)]
        norms = [np.log(B_out_), np.log(B_V_), np.log(B_QK_)]
        log_ps = [math.log(2) + 2 * lr for lr in ranks]
        log_amps = [math.log(K) + lb + math.log(2) + li + ln + 0.5 * lr
                    for lb, li, ln, lr in zip(betas, inputs, norms, ranks)]
        log_b = np.log(B_out_) + np.log(L_sigma_) + np.log(B_V_) + np.log(B_x_)
        if reading == "log":  # piecewise parametric between the amplitudes: closed form (no interior kinks to miss)
            rad = composed_parametric_dudley_log(log_ps, log_amps, n_, log_b)
        else:
            rad = smooth_dudley_log(parametric_loglog(log_ps, log_amps, reading), n_, log_b)
        return Signed(np.ones_like(rad.log), log_gap(rad.log, L_loss_, c_loss_, delta_, n_))

    return evaluate


def zhang4_loglog(blocks):
    """``log ln N(e^u)`` of composed Zhang Thm 4 blocks ``(log mult, log ab, log N, log w)``, eps_i = w_i eps.

    Each block: ``ln N_i = mult * 36 (ab/eps_i)^2 ln(2 (4 ab/eps_i + 3) N + 1)`` (Zhang's
    ``log2 N <= 36 (p-1)(ab/eps)^2 log2(2 ceil(4ab/eps + 2) N + 1)`` at p = 2, in nats, ceiling raised).
    """
    given = blocks
    blocks = [tuple(np.asarray(x)[..., None] for x in blk) for blk in blocks]

    def parts(u):
        """Per block: its term ``log ln N_i``, ``log x`` and ``log N``, and ``l = ln(1 + 2 N (4x + 3))``."""
        out = []
        for lmult, lab, lN, lw in blocks:
            lx = lab - (u + lw)
            inner = np.logaddexp(math.log(2) + lN + np.logaddexp(math.log(4) + lx, math.log(3)), 0.0)
            out.append((lmult + math.log(36) + 2 * lx + np.log(inner), lx, lN, inner))
        return out

    def f(u):
        return _lse([term for term, *_ in parts(u)])

    def with_slope(u):
        """``(log ln N, d log ln N / d u)``: each term ``t_i`` has slope ``-2 - 8 N x e^-l / l`` with
        ``l = ln(1 + 2 N (4x + 3))`` (``x = ab/(w eps)``); the total's is their mean weighted by ``e^(t_i)``."""
        each = parts(u)
        total = _lse([term for term, *_ in each])
        with np.errstate(invalid="ignore"):
            return total, sum(np.exp(term - total) * (-2.0 - np.exp(math.log(8) + lN + lx - inner) / inner)
                              for term, lx, lN, inner in each)

    f.with_slope = with_slope
    f.top = np.full(np.broadcast(*[x for blk in blocks for x in blk]).shape, np.inf)  # ln N > 0 at every scale
    f.take = lambda mask: zhang4_loglog([tuple(np.broadcast_to(x, mask.shape)[mask] for x in blk) for blk in given])
    return f


def edelman_blocks(n_, T_, d_, B_x_, B_QK_F_, B_V_, B_out_, L_sigma_):
    """Zhang-Thm-4 blocks ``(log mult, log ab, log N, log w)`` at Lemma A.8 scales, and ``log b``."""
    lx, lqk, lv, lo, ls = (np.log(a) for a in (B_x_, B_QK_F_, B_V_, B_out_, L_sigma_))
    ld, ln_, lT = np.log(d_), np.log(n_), np.log(T_)
    zero = np.zeros_like(lx)
    # (log mult, log ab, log N points, log beta) per block.
    raw = [(zero, lo + ls + lv + lx, ln_, zero),                                  # readout over n points
           (ld, lv + lx + 0.5 * ld, ln_ + lT, lo + ls),                            # value: d coordinates at eps/sqrt(d)
           (zero, lqk + 2 * lx, ln_ + lT, math.log(2) + lo + ls + lv + lx)]        # scores over n T pairs
    log_alpha = [lm + 2 * lab for lm, lab, _, _ in raw]
    log_gamma = _lse([la / 3 + 2 * lb / 3 for la, (_, _, _, lb) in zip(log_alpha, raw)])
    blocks = [(lm, lab, lN, (la - lb) / 3 - log_gamma) for la, (lm, lab, lN, lb) in zip(log_alpha, raw)]
    return blocks, lo + ls + lv + lx


def edelman_cover_numeric(n_, T_, d_, B_x_, B_QK_F_, B_V_, B_out_, L_sigma_, eps_) -> Signed:
    """The composed head cover ``ln N(eps)`` itself (params as :func:`edelman_numeric`, plus eps)."""
    blocks, _ = edelman_blocks(n_, T_, d_, B_x_, B_QK_F_, B_V_, B_out_, L_sigma_)
    log_g = zhang4_loglog(blocks)(np.log(np.asarray(eps_, float))[..., None])[..., 0]
    return Signed(np.ones_like(log_g), log_g)


def edelman_numeric(n_, T_, d_, B_x_, B_QK_F_, B_V_, B_out_, L_sigma_, L_loss_, c_loss_, delta_) -> Signed:
    """Gap from Zhang-Thm-4 covers over n (readout) and n T (value, scores) points, Lemma A.8 scales."""
    blocks, log_b = edelman_blocks(n_, T_, d_, B_x_, B_QK_F_, B_V_, B_out_, L_sigma_)
    rad = smooth_dudley_log(zhang4_loglog(blocks), n_, log_b)
    return Signed(np.ones_like(rad.log), log_gap(rad.log, L_loss_, c_loss_, delta_, n_))
