"""Reference cases for the generalization family (shared/papers/generalization.md; hand-checked values)."""

import math

from ..errors import AssumptionError, ParameterError
from . import Case, Raises, SolveCase

SQRT_PI = math.sqrt(math.pi)
K_TABLE = 6 * SQRT_PI * 4 * math.sqrt(32)  # notes §4.4 worked example (a): p = 32, A = 4, with b >= A


def _maurey(C, b, n):
    alpha = min(3 * C / math.sqrt(n), b)
    return min(b, 4 * alpha + 12 * C / math.sqrt(n) * math.log(b / alpha))


CASES = [
    # J(c) = int_0^c sqrt(ln(1/u)) du (notes §4.4, checked there by quadrature).
    Case("dudley.J", dict(c=1), SQRT_PI / 2, "J(1) = Gamma(3/2) = sqrt(pi)/2", rel=1e-14),
    Case("dudley.J", dict(c=0.5), 0.628114, "notes §4.4: J(0.5) = 0.628114", rel=1e-6),
    Case("dudley.J", dict(c=0.1), 0.179992, "notes §4.4: J(0.1) = 0.179992", rel=1e-5),
    Case("dudley.J", dict(c=0.001), 0.0028070, "notes §4.4: J(0.001) = 0.0028070", rel=1e-4),
    # The notes' worked table (a) is 6 sqrt(pi) A sqrt(p)/sqrt(n), i.e. J(1): it needs b >= A (we take b = A = 4).
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=100), 24.06, "notes §4.4 table (a), n = 100", rel=1e-3),
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=1000), 7.61, "notes §4.4 table (a), n = 1000", rel=1e-3),
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=10000), 2.41, "notes §4.4 table (a), n = 10^4", rel=2e-3),
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=100000), 0.761, "notes §4.4 table (a), n = 10^5", rel=1e-3),
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=10 ** 6), K_TABLE / 1000, "6 sqrt(pi) A sqrt(p)/sqrt(n) by hand"),
    Case("dudley.parametric", dict(dof=8, A=4, b=1, n=10 ** 5),
         12 / math.sqrt(1e5) * math.sqrt(8) * 4 * (0.25 * math.sqrt(math.log(4)) + SQRT_PI / 2 * math.erfc(math.sqrt(math.log(4)))),
         "(12/sqrt n) sqrt(p) A J(b/A) with J by its erfc form"),
    # Maurey pipeline (b): C = 4, b = 1 (notes' table: 0.648 at n = 10^5; 1.50 and 2.99 exceed b and are capped).
    Case("dudley.maurey", dict(C=4, b=1, n=100000), 0.648, "notes §4.4 table (b), n = 10^5", rel=1e-3),
    Case("dudley.maurey", dict(C=4, b=1, n=10000), 1.0, "notes: 1.50 > b, so the trivial bound b"),
    Case("dudley.maurey", dict(C=4, b=1, n=10 ** 6), _maurey(4, 1, 1e6), "(12C/sqrt n)(1 + ln(b sqrt(n)/(3C))) by hand"),
    Case("massart.maurey", dict(C=4, b=1, n=10 ** 6), 2 * 2 ** 0.25 * math.sqrt(4 / 1000), "2^(5/4) sqrt(bC) n^(-1/4)"),
    # Covering numbers by hand.
    Case("candes_plan2011.cover.rank", dict(d1=16, d2=16, r=2, B_w=1, B_x=1, eps=0.1), 66 * math.log(90), "33 r ln(9/eps)"),
    Case("candes_plan2011.cover.rank", dict(d1=16, d2=16, r=2, B_w=1, B_x=1, eps=1), 66 * math.log(9), "at eps = B_w B_x"),
    Case("truong2024.cover.linear_rank", dict(r=2, B_w=1, B_x=1, eps=0.1), 4 * math.log(800), "r^2 ln(4 r/eps^2)"),
    Case("truong2024.cover.linear_rank.log1p", dict(r=2, B_w=1, B_x=1, eps=0.1), 4 * math.log(801), "r^2 ln(1 + 4 r/eps^2)"),
    Case("zhang2002.cover.l2", dict(d=16, B_w=1, B_x=1, eps=0.1), 100 * math.log2(33), "ceil(1/eps^2) log2(2d + 1)"),
    Case("zhang2002.cover.l2.nats", dict(d=16, B_w=1, B_x=1, eps=0.1), 100 * math.log(33), "base 2 -> e: x ln 2"),
    Case("zhang2002.cover.l2", dict(d=16, B_w=1, B_x=1, eps=0.3), 12 * math.log2(33), "ceil(11.1) = 12: the ceiling"),
    Case("zhang2002.cover.linf", dict(p=2, n=100, B_w=1, B_x=1, eps=0.1), 3600 * math.log2(2 * 42 * 100 + 1),
         "36 (p-1) (ab/eps)^2 log2(2 ceil(4ab/eps + 2) n + 1)"),
    Case("zhang2002.cover.linf.l1", dict(d=16, n=100, B_w=1, B_x=1, eps=0.1),
         288 * (2 + math.log(16)) * 100 * math.log2(8401), "288 (2 + ln d) (ab/eps)^2 log2(...)"),
    # (At eps = 10 the ceiling's argument is exactly 100, where log-space rounding may give 101: use eps = 9.)
    Case("bartlett2017.cover.matrix", dict(m=16, d=16, B_w=1, X_F=100, eps=9), 124 * math.log(512),
         "ceil(10^4/81) = 124 times ln(2dm)"),
    Case("bartlett2017.cover.network", dict(X_F=1, W_max=2, s1=1, s2=1, b1=1, b2=1, rho1=1, rho2=1, eps=1),
         8 * math.log(8), "ln(2W^2) (1 + 1)^3"),
    Case("trauger2024.cover.linear", dict(n=100, T=64, d1=4, d2=4, B_x=1, M_W=2, eps=0.5), 16 * math.log(33),
         "(B M/eps)^2 ln(2 d1 d2 + 1)"),
    Case("ball.cover", dict(D=10, R=1, eps=0.5), 10 * math.log(5), "D ln(1 + 2R/eps)"),
    Case("edelman2022.lemma_a8", dict(a1=1, a2=8, a3=27, beta1=1, beta2=1, beta3=1, eps=1), 216.0, "(1 + 2 + 3)^3"),
    Case("contraction.talagrand", dict(L_loss=2, Rad=0.1), 0.2, "L R"),
    Case("mohri2018.gap.expected", dict(Rad=0.05, c_loss=1, n=10000, delta=0.05),
         0.1 + math.sqrt(math.log(20) / 20000), "2R + c sqrt(ln(1/delta)/(2n))"),
    Case("mohri2018.gap.empirical", dict(Rad=0.05, c_loss=1, n=10000, delta=0.05),
         0.1 + 3 * math.sqrt(math.log(40) / 20000), "2R + 3c sqrt(ln(2/delta)/(2n))"),
    # Truong's claimed shape.
    Case("truong2024.gap.rate", dict(n=100, T=8, r_w=1), 0.1, "(1 + ln 1)/sqrt(100)"),
    # Extreme arguments stay finite: the parametric pipeline at n = 1e300.
    Case("dudley.parametric", dict(dof=32, A=4, b=4, n=1e300), K_TABLE / 1e150, "1/sqrt(n) in log space", rel=1e-12),
]

SOLVE_CASES = [
    SolveCase("dudley.parametric", "n", 0.761, dict(dof=32, A=4, b=4), math.ceil((K_TABLE / 0.761) ** 2),
              "smallest n with 6 sqrt(pi) A sqrt(p)/sqrt(n) <= 0.761"),
    SolveCase("dudley.J", "c", 0.6281138038233073, {}, 0.5, "inverse of J(0.5)", rel=1e-8),
    SolveCase("mohri2018.gap.expected", "Rad", 0.2, dict(c_loss=1, n=10000, delta=0.05),
              (0.2 - math.sqrt(math.log(20) / 20000)) / 2, "largest complexity for a gap of 0.2", rel=1e-9),
]

RAISES = [
    Raises("candes_plan2011.cover.rank", dict(d1=4, d2=16, r=8, B_w=1, B_x=1, eps=0.1), AssumptionError, "r <= d1"),
    Raises("trauger2024.cover.linear", dict(n=2, T=8, d1=4, d2=4, B_x=1, M_W=2, eps=0.5), AssumptionError, "n >= d2"),
    Raises("mohri2018.gap.expected", dict(Rad=0.05, c_loss=1, n=100, delta=1), ParameterError,
           "'delta' must be a real number in (0, 1)"),
    Raises("truong2024.gap.cp", dict(n=100, T=8, d=4, r_w=8, r_v=4, B_x=1, B_QK=1, B_V=1, B_out=1, L_sigma=1,
                                     L_loss=1, c_loss=1, delta=0.05), AssumptionError, "r_w <= d"),
    Raises("edelman2022.gap.rate", dict(n=1, T=1, B_x=1, B_QK21=1, B_V21=1, B_V=1, B_out=1, L_sigma=1, L_loss=1,
                                        c_loss=1, delta=0.05), AssumptionError, "n T >= 2"),
    Raises("candes_plan2011.cover.rank", dict(d1=16, d2=16, r=2, B_w=1, B_x=1, eps=2), AssumptionError,
           "eps <= B_w B_x"),
    Raises("dudley.J", dict(c=1.5), ParameterError, "'c' must be a real number in (0, 1]"),
    Raises("zhang2002.cover.linf", dict(p=1.5, n=10, B_w=1, B_x=1, eps=0.1), ParameterError, "'p' must be a real number >= 2"),
]

# --------------------------------------------------------------------------- issue 13: bounds added from the notes
CASES += [
    Case("maurer2016.contraction.vector", dict(L_loss=2, Rad_vec=0.1), 0.2 * math.sqrt(2), "sqrt(2) L R by hand",
         rel=1e-14),
    Case("bartlett2017.margin.gap", dict(X_F=100, R_A=10, W_max=16, gamma=1, n=10 ** 4, delta=0.05),
         8 / 1e6 + 72 * 100 * 10 * math.log(32) * math.log(1e4) / 1e4 + 3 * math.sqrt(math.log(40) / 2e4),
         "8/n^1.5 + 72 X R ln(2W) ln n/(gamma n) + 3 sqrt(ln(2/delta)/(2n)) by hand", rel=1e-12),
    Case("bartlett2017.margin.rate", dict(X_F=100, R_A=10, W_max=16, gamma=1, n=10 ** 4, delta=0.05),
         100 * 10 * math.log(16) / 1e4 + math.sqrt(math.log(20) / 1e4), "O~ form by hand", rel=1e-12),
    Case("yang2026.vc.transformer.upper", dict(L=2, W=10 ** 4, T=64), 2e4 * math.log(64e4), "L W ln(T W) by hand",
         rel=1e-12),
    Case("yang2026.vc.transformer.lower", dict(L=1, W=1, T=1), 0, "ln(1) = 0: no points at the trivial size",
         abs=1e-300),
]

SOLVE_CASES += [
    SolveCase("maurer2016.contraction.vector", "Rad_vec", 1.0, dict(L_loss=1), 1 / math.sqrt(2), "sqrt(2) R <= 1"),
]

RAISES += [
    Raises("bartlett2017.margin.gap", dict(X_F=100, R_A=10, W_max=16, gamma=1, n=2, delta=0.05), AssumptionError,
           "n >= 3"),
    Raises("yang2026.vc.transformer.upper", dict(L=0, W=10, T=8), ParameterError, "'L' must be an integer >= 1"),
]
