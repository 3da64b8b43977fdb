"""Covering numbers of linear, low-rank and attention classes, each with its norms spelled out.

Metrics: ``N_inf`` covers in ``max_i ||f(x_i) - g(x_i)||_2`` over the n sample points (vector
outputs in the Euclidean norm); ``N_2`` in ``(1/n sum_i (f(x_i) - g(x_i))^2)^(1/2)``.  Since
``N_2 <= N_inf``, every ``N_inf`` bound feeds Dudley's bound directly.  Zhang's theorems are
in bits (``log2``), as he states them, with a ``.nats`` twin (``ln = log2 * ln 2``).

>>> from tbounds.bounds import get
>>> cp = get("candes_plan2011.cover.rank")
>>> round(float(cp(d1=16, d2=16, r=2, B_w=1, B_x=1, eps=0.1)), 4)   # 66 * ln(90)
296.9874
>>> t1 = get("truong2024.cover.linear_rank")
>>> round(float(t1(r=2, B_w=1, B_x=1, eps=0.1)), 4)                 # 4 * ln(4 * 2 / 0.01)
26.7384
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p

from ..covers import maurey_gamma_expr
from ..numeric import unique_points
from ..record import Assumption
from ..registry import register
from . import head
from .common import (BFT, CANDES_PLAN, EDELMAN, LOG2_COVER, LOG_COVER, S, TRUONG, TT, VERSHYNIN, ZHANG, bound,
                     increasing, params, rank_at_most)

eps, B_w, B_x, r, d, d1, d2, n, T = (S[k] for k in ("eps", "B_w", "B_x", "r", "d", "d1", "d2", "n", "T"))
LN2 = sp.log(2)
#: Parametric covers are stated below the class's radius; above it one centre covers (ln N = 0).
SCALE_RANGE = Assumption("eps <= B_w B_x", "the bound is stated for eps up to the class's radius B_w B_x; above it "
                         "one centre (the zero map) covers, so ln N = 0", eps <= B_w * B_x)

BOUNDS = []

# --------------------------------------------------------------------------- Candès & Plan (dimension-aware)
BOUNDS.append(bound(
    "candes_plan2011.cover.rank",
    title="Rank-r, Frobenius-bounded linear maps: (d1 + d2 + 1) r log(9 B_w B_x / eps)",
    source=CANDES_PLAN("Lemma 3.1 (net of rank-r matrices), applied to x -> W x"),
    kind="upper", status="reconstructed", quantity=LOG_COVER, params=params("d1", "d2", "r", "B_w", "B_x", "eps"),
    statement="F = {x -> W x : W in R^(d1 x d2), rank W <= r, ||W||_F <= B_w (Frobenius, all entries)}, inputs "
              "||x_i||_2 <= B_x, eps <= B_w B_x: ln N_inf(F, eps) <= (d1 + d2 + 1) r ln(9 B_w B_x / eps) (above B_w B_x "
              "one centre covers: ln N = 0). The net is in parameter "
              "space (Frobenius), so it holds for every sample size and every number of points.",
    expr=(d1 + d2 + 1) * r * sp.log(9 * B_w * B_x / eps),
    assumptions=(rank_at_most("r", "d1", "W"), rank_at_most("r", "d2", "W"), SCALE_RANGE),
    monotone={**increasing("d1", "d2", "r", "B_w", "B_x"), "eps": "decreasing"}, derived=True,
    notes="||(W - W')x||_2 <= ||W - W'||_F B_x turns the Frobenius net at eps/B_x into an output cover; "
          "above eps = B_w B_x one function (0) covers the class, so the count there is 1."))

# --------------------------------------------------------------------------- Truong (as reported), four readings
T1_FORMS = {
    "": (lambda: r ** 2 * sp.log(4 * B_x ** 2 * B_w ** 2 * r / eps ** 2),
         "log: r_w^2 log(4 B_x^2 B_w^2 r_w / eps^2) (the review's lost division sign restored), eps <= B_x B_w"),
    ".log1p": (lambda: r ** 2 * log1p(4 * B_x ** 2 * B_w ** 2 * r / eps ** 2),
               "log(1 + .): r_w^2 log(1 + 4 B_x^2 B_w^2 r_w / eps^2)"),
}
T1_NORMS = {
    "": ("spectral", "||W||_2 <= B_w (spectral; the sqrt(r) suggests ||W||_F <= sqrt(r) ||W||_2)"),
    ".frobenius": ("Frobenius", "||W||_F <= B_w (Frobenius)"),
}
for form_suffix, (make, form_reading) in T1_FORMS.items():
    for norm_suffix, (norm_name, norm_text) in T1_NORMS.items():
        BOUNDS.append(bound(
            f"truong2024.cover.linear_rank{form_suffix}{norm_suffix}",
            title=f"Truong's rank-dependent cover of x -> W x, as reported ({form_reading.split(':')[0]}, "
                  f"{norm_name} B_w)",
            source=TRUONG("covering bound for linear classes (as reported by a review of the paper)"),
            kind="upper", status="reconstructed", quantity=LOG_COVER, params=params("r", "B_w", "B_x", "eps"),
            statement=f"F = {{x -> W x : rank W <= r, {norm_text}}}, inputs ||x||_2 <= B_x: "
                      f"ln N_inf(F, eps, n, ||.||_2) <= {form_reading.split(': ', 1)[1]}.",
            expr=make(), monotone={**increasing("r", "B_w", "B_x"), "eps": "decreasing"},
            assumptions=(SCALE_RANGE,) if not form_suffix else (),
            reading=f"{form_reading}; B_w read as a {norm_name} bound",
            notes="Formula recovered from an AI-written review with its division sign lost (notes §1.2, [V] garbled); "
                  "no ambient dimension and no n. Compare with candes_plan2011.cover.rank."))

# --------------------------------------------------------------------------- Zhang 2002
ZHANG_NOTE = "Logs base 2 as in Zhang; constants from our notes [M] ('verify against the JMLR paper')."
ZH3 = sp.ceiling(B_w ** 2 * B_x ** 2 / eps ** 2) * sp.log(2 * d + 1, 2)
ZH4_LOG = sp.log(2 * sp.ceiling(4 * B_w * B_x / eps + 2) * n + 1, 2) * B_w ** 2 * B_x ** 2 / eps ** 2
ZHANG_FORMS = [
    ("zhang2002.cover.l2", "Theorem 3", "L2 cover of regularised linear functions, free of n (Maurey)",
     params("d", "B_w", "B_x", "eps"), ZH3,
     "L = {x -> w^T x : ||w||_q <= B_w}, ||x||_p <= B_x, 2 <= p <= inf, 1/p + 1/q = 1: "
     "log2 N_2(L, eps, n) <= ceil(B_w^2 B_x^2 / eps^2) log2(2d + 1).", {**increasing("d", "B_w", "B_x"), "eps": "decreasing"}),
    ("zhang2002.cover.linf", "Theorem 4", "L_inf cover of regularised linear functions (mistake bound), log n",
     params("p", "n", "B_w", "B_x", "eps"), 36 * (S["p"] - 1) * ZH4_LOG,
     "2 <= p < inf, ||x||_p <= B_x, ||w||_q <= B_w: log2 N_inf(L, eps, n) <= 36 (p - 1) (B_w^2 B_x^2/eps^2) "
     "log2(2 ceil(4 B_w B_x/eps + 2) n + 1).", {**increasing("p", "n", "B_w", "B_x"), "eps": "decreasing"}),
    ("zhang2002.cover.linf.l1", "Theorem 4 (p = inf, q = 1)", "L_inf cover of l1-bounded linear functions, log n",
     params("d", "n", "B_w", "B_x", "eps"), 288 * (2 + sp.log(d)) * ZH4_LOG,
     "||x||_inf <= B_x, ||w||_1 <= B_w: log2 N_inf(L, eps, n) <= 288 (2 + ln d) (B_w^2 B_x^2/eps^2) "
     "log2(2 ceil(4 B_w B_x/eps + 2) n + 1).", {**increasing("d", "n", "B_w", "B_x"), "eps": "decreasing"}),
]
for zid, label, title, ps, expr, statement, mono in ZHANG_FORMS:
    for suffix, quantity, factor, unit_note in (("", LOG2_COVER, 1, "in bits (log2), as stated"),
                                                (".nats", LOG_COVER, LN2, "in nats: ln N = ln 2 x log2 N")):
        BOUNDS.append(bound(
            zid + suffix, title=f"Zhang: {title} ({unit_note})", source=ZHANG(label), kind="upper",
            status="unverified", quantity=quantity, params=ps, statement=statement + f" Value {unit_note}.",
            expr=factor * expr, monotone=mono, notes=ZHANG_NOTE,
            # eps = 0.31 keeps the ceilings' arguments off the integers (float noise decides a ceiling there).
            examples={"B_x": 1.0, "B_w": 1.0, "eps": 0.31}))

# --------------------------------------------------------------------------- Bartlett, Foster & Telgarsky
X_F, m = S["X_F"], S["m"]
BOUNDS += [
    bound("bartlett2017.cover.matrix",
          title="BFT matrix covering, (2,1) case: ceil(a^2 b^2 / eps^2) ln(2 d m)",
          source=BFT("Lemma 3.2"), kind="upper", status="certificate", quantity=LOG_COVER,
          params=params("m", "d", "B_w", "X_F", "eps"),
          statement="{X A : A in R^(d x m), ||A||_{2,1} <= B_w} with ||A||_{2,1} the sum over the m columns of their "
                    "Euclidean norms, data X in R^(n x d) with ||X||_F <= X_F (p = 2, r = inf): "
                    "ln N(eps, ||.||_F on the n x m outputs, unnormalised) <= ceil(B_w^2 X_F^2 / eps^2) ln(2 d m).",
          expr=sp.ceiling(B_w ** 2 * X_F ** 2 / eps ** 2) * sp.log(2 * d * m),
          monotone={**increasing("m", "d", "B_w", "X_F"), "eps": "decreasing"}, examples={"eps": 31.0},
          notes="The output metric is NOT normalised by n: with ||x_i|| <= B_x, X_F = sqrt(n) B_x and eps = sqrt(n) "
                "eps' for the empirical-L2 scale eps'."),
    bound("bartlett2017.cover.matrix.frobenius",
          title="BFT matrix covering, Frobenius case (q = s = 2): ceil(a^2 b^2 m / eps^2) ln(2 d m)",
          source=BFT("Lemma 3.2 with (p, q) = (r, s) = (2, 2)"), kind="upper", status="certificate",
          quantity=LOG_COVER, params=params("m", "d", "B_w", "X_F", "eps"),
          statement="{X A : ||A||_F <= B_w} (Frobenius: the (2,2) norm), ||X||_F <= X_F: ln N <= "
                    "ceil(B_w^2 X_F^2 m^(2/2) / eps^2) ln(2 d m), unnormalised Frobenius output metric.",
          expr=sp.ceiling(B_w ** 2 * X_F ** 2 * m / eps ** 2) * sp.log(2 * d * m),
          monotone={**increasing("m", "d", "B_w", "X_F"), "eps": "decreasing"}, examples={"eps": 31.0}),
]
s1, s2, b1, b2, rho1, rho2, W_max = (S[k] for k in ("s1", "s2", "b1", "b2", "rho1", "rho2", "W_max"))
BOUNDS.append(bound(
    "bartlett2017.cover.network",
    title="BFT network covering for two layers",
    source=BFT("Theorem 3.3 (two layers)"), kind="upper", status="unverified", quantity=LOG_COVER,
    params=params("X_F", "W_max", "s1", "s2", "b1", "b2", "rho1", "rho2", "eps"),
    statement="Layers with rho_i-Lipschitz activations, ||A_i||_sigma <= s_i (spectral), ||A_i^T - M_i^T||_{2,1} <= b_i "
              "(sum of the Euclidean norms of the rows of A_i - M_i), width <= W_max: ln N <= (||X||_F^2 ln(2 W^2)/eps^2) "
              "(prod_j s_j^2 rho_j^2) (sum_i (b_i/s_i)^(2/3))^3.",
    expr=X_F ** 2 * sp.log(2 * W_max ** 2) / eps ** 2 * (s1 * rho1 * s2 * rho2) ** 2
    * ((b1 / s1) ** sp.Rational(2, 3) + (b2 / s2) ** sp.Rational(2, 3)) ** 3,
    monotone={**increasing("X_F", "W_max", "s1", "s2", "b1", "b2", "rho1", "rho2"), "eps": "decreasing"},
    examples={"eps": 1.0},
    notes="Constants from our notes [M] (the literature, unverified against the paper; only Lemma 3.2 is restated "
          "in a source we read). Increasing in s_i as well: s_i^2 (b_i^(2/3) s_i^(-2/3) + c)^3 = "
          "(b_i^(2/3) + c s_i^(2/3))^3."))

# --------------------------------------------------------------------------- Edelman et al.
EDELMAN_COVER_PARAMS = ("n", "T", "B_x", "B_QK21", "B_V21", "B_V", "B_out", "L_sigma", "eps")
BOUNDS += [
    bound("edelman2022.cover.head",
          title="Edelman et al.: capacity of a self-attention head, (C/eps^2) log(nT)",
          source=EDELMAN("Theorems 4.1-4.2 (capacity)"), kind="upper", status="rate", quantity=LOG_COVER,
          params=params(*EDELMAN_COVER_PARAMS),
          statement="log N_inf(F_head; eps; X^(1..n)) <~ (C/eps^2) log(nT), C = (L_sigma B_out B_x)^2 ((B_V21)^(2/3) + "
                    "(2 B_V B_x^2 B_QK21)^(2/3))^3; B_V21 = ||W_V||_{2,1} (column norms summed), "
                    "B_QK21 = ||W_QK^T||_{2,1} (row norms of W_QK summed). log-dimension factors hidden.",
          expr=head.EDELMAN_C * sp.log(n * T) / eps ** 2,
          assumptions=(Assumption("n T >= 2", "log(nT) must be positive", n * T >= 2),),
          monotone={**increasing("n", "T", "B_x", "B_QK21", "B_V21", "B_V", "B_out", "L_sigma"), "eps": "decreasing"},
          notes="The shape log(mT)/eps^2 is confirmed [V]; the constant C is schematic (notes §3.3)."),
    bound("edelman2022.cover.head_explicit",
          title="Self-attention head cover from Zhang's Theorem 4 over the n T token pairs (explicit)",
          source=EDELMAN("Theorems 4.1-4.2 (constants reconstructed from Zhang 2002, Theorem 4)"),
          kind="upper", status="reconstructed", quantity=LOG_COVER,
          params=params("n", "T", "d", "B_x", "B_QK_F", "B_V", "B_out", "L_sigma", "eps"),
          statement="sum over blocks of mult 36 (ab/eps_i)^2 ln(2 (4 ab/eps_i + 3) N + 1): readout (ab = B_out L_sigma "
                    "B_V B_x, N = n), value coordinates (mult d, ab = B_V B_x sqrt(d), N = nT), scores (ab = ||W_QK||_F "
                    "B_x^2, N = nT), at Lemma A.8 scales eps_i with sum beta_i eps_i = eps.",
          numeric=unique_points(head.edelman_cover_numeric),
          latex_rhs=r"\sum_i m_i\,36\,\frac{(ab)_i^2}{\varepsilon_i^2}\ln\!\Big(2\big(\tfrac{4(ab)_i}{\varepsilon_i}+3\big)N_i+1\Big)",
          monotone={**increasing("n", "T", "d", "B_x", "B_QK_F", "B_V", "B_out", "L_sigma"), "eps": "decreasing"},
          derived=True, reading="scores covered in l_inf over all n T (query, token) pairs"),
]

# --------------------------------------------------------------------------- Trauger & Tewari
M_W = S["M_W"]
BOUNDS += [
    bound("trauger2024.cover.linear",
          title="Trauger & Tewari: (1,1)-bounded linear maps, free of the number of points and of T",
          source=TT("Lemma 3.6"), kind="upper", status="reconstructed", quantity=LOG_COVER,
          params=params("n", "T", "d1", "d2", "B_x", "M_W", "eps"),
          statement="F_W = {u -> W u : W in R^(d1 x d2), ||W||_{1,1} <= M_W (sum of |entries|)}, ||u||_2 <= B_x, "
                    "n >= d2: ln N_inf(F_W, eps, ||.||_2) <= (B_x^2 M_W^2 / eps^2) ln(2 d1 d2 + 1).",
          expr=B_x ** 2 * M_W ** 2 / eps ** 2 * sp.log(2 * d1 * d2 + 1),
          assumptions=(Assumption("n >= d2", "Lemma 3.6 assumes at least d2 sample points", n >= d2),),
          monotone={"n": "constant", "T": "constant", **increasing("d1", "d2", "B_x", "M_W"), "eps": "decreasing"},
          reading="the notes' reading of Lemma 3.6 (its formula was not decoded in our sources): Maurey form "
                  "(B_u^2 M_W^2/eps^2) log(2 d1 d2 + 1)"),
    bound("trauger2024.cover.head",
          title="Head cover from (1,1)-bounded blocks composed by Lemma A.8 (free of T)",
          source=TT("Section 4 (composition; constants reconstructed)"), kind="upper", status="reconstructed",
          quantity=LOG_COVER,
          params=params("T", "d", "B_x", "M_QK", "M_V", "M_out", "B_V", "B_out", "L_sigma", "eps"),
          statement="gamma^3 / eps^2 with gamma = sum_i a_i^(1/3) beta_i^(2/3), a_i = B_in,i^2 M_i^2 ln(2 d1 d2 + 1) "
                    "for the readout (1 x d), value and query-key (d x d) blocks and beta_i from (P).",
          expr=maurey_gamma_expr([a for a in head.TT_ALPHAS.values()], [head.BETA[k] for k in head.TT_ALPHAS]) ** 3
          / eps ** 2,
          monotone={"T": "constant", **increasing("d", "B_x", "M_QK", "M_V", "M_out", "B_V", "B_out", "L_sigma"),
                    "eps": "decreasing"}, derived=True),
]

# --------------------------------------------------------------------------- composed rank-dependent head covers
HEAD_RANGE = Assumption("eps <= b", "scales up to the range b = B_out L_sigma B_V B_x (above it one function covers)",
                        S["eps"] <= head.RANGE)
for suffix, blocks, ps, reading in (
        ("t1", head.t1_blocks(), ("r_w", "r_v", "B_x", "B_QK", "B_V", "B_out", "L_sigma", "eps"),
         "(T1) log reading with spectral B_w for each block"),
        ("cp", head.cp_blocks(), ("d", "r_w", "r_v", "B_x", "B_QK", "B_V", "B_out", "L_sigma", "eps"),
         "dimension-aware (Candès-Plan) block covers")):
    for alloc_suffix, allocation, alloc_text in (
            ("", head.composed_parametric, "equal split eps_i = eps/(3 beta_i)"),
            (".lagrange", head.composed_parametric_lagrange, "Lagrange-optimal split eps_i = eps p_i/(beta_i P)")):
        mono = {**increasing(*[p for p in ps if p != "eps"]), "eps": "decreasing"}
        if alloc_suffix:  # P/p_i falls as a rank grows: no direction in the ranks (or d) is claimed
            mono = {k: v for k, v in mono.items() if k not in ("r_w", "r_v", "d")}
        BOUNDS.append(bound(
            f"truong2024.cover.head.{suffix}{alloc_suffix}",
            title=f"Rank-dependent cover of the single-head transformer ({reading}; {alloc_text})",
            source=TRUONG("covering bounds applied to a single-layer transformer (composition reconstructed)"),
            kind="upper", status="reconstructed", quantity=LOG_COVER, params=params(*ps),
            statement=f"sum_i p_i ln_+(A~_i / eps) over the readout, value and query-key blocks composed through the "
                      f"perturbation inequality (P) with the {alloc_text}; free of n and T.",
            expr=head.composed_log_cover_expr(blocks, S["eps"], allocation),
            assumptions=((rank_at_most("r_w", "d", "W_QK"), rank_at_most("r_v", "d", "W_V")) if suffix == "cp" else ())
            + (HEAD_RANGE,),
            monotone=mono, derived=True, reading=f"{reading}; {alloc_text}"))

# --------------------------------------------------------------------------- generic parametric ball
D, R = S["D"], S["R"]
BOUNDS += [
    bound("ball.cover",
          title="Euclidean ball of radius R in R^D: D log(1 + 2R/eps)",
          source=VERSHYNIN("Corollary 4.2.13 (volumetric argument)"), kind="upper", status="certificate",
          quantity=LOG_COVER, params=params("D", "R", "eps"),
          statement="The ball {theta in R^D : ||theta||_2 <= R} has an eps-net of size (1 + 2R/eps)^D.",
          expr=D * sp.log(1 + 2 * R / eps), monotone={**increasing("D", "R"), "eps": "decreasing"}),
    bound("ball.cover.simplified",
          title="Euclidean ball, parametric form: D log_+(3R/eps)",
          source=VERSHYNIN("Corollary 4.2.13, with 1 + 2R/eps <= 3R/eps for eps <= R"), kind="upper",
          status="certificate", quantity=LOG_COVER, params=params("D", "R", "eps"),
          statement="ln N <= D ln(3R/eps) for eps <= R (and 0 for eps >= R: the centre covers).",
          expr=D * sp.log(3 * R / eps), monotone={**increasing("D", "R"), "eps": "decreasing"}, derived=True,
          assumptions=(Assumption("eps <= R", "1 + 2R/eps <= 3R/eps needs eps <= R; above R one centre covers",
                                  S["eps"] <= R),)),
]

register(*BOUNDS)
