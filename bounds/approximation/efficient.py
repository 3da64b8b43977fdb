"""Approximating softmax attention itself: Linformer's projection dimension (Wang et al., arXiv 2006.04768)
and Performer's random features (Choromanski et al., arXiv 2009.14794).

Expressivity needs far less (k = 1, any m: :mod:`.sumformer`);
these are the sizes at which the efficient layer reproduces softmax attention.

>>> from tbounds.bounds import get
>>> round(float(get("wang2020.linformer.k_linear")(n=8, d=2, eps=0.5)), 1)  # 9 d ln d / eps^2 = 49.9 > 5 ln n / eps^2
41.6
>>> round(float(get("choromanski2021.performer.features_uniform")(d=2, R=1, eps=0.1)))
4044
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1

from ..domain import Param
from ..record import Assumption
from ..registry import register
from .common import CHOROMANSKI2021, FEATURES, MSE, PROBABILITY, PROJECTION, WANG2020, bound

P = {
    "n": Param("n", "sequence length", 512, integer=True, low=2),
    "d": Param("d", "head dimension", 64, integer=True, low=2),
    "eps": Param("eps", "relative accuracy epsilon", 0.1, low=0, low_open=True, high=1, high_open=True),
    "k": Param("k", "projection dimension (rows of E and F)", 256, integer=True, low=1),
    "d_p": Param("d", "query/key dimension", 16, integer=True, low=1),
    "R": Param("R", "bound on query and key norms (any R >= the true norms is valid; use 1 if they are smaller)", 4,
               low=1, high=1e150),
    "eps_p": Param("eps", "uniform accuracy of the attention matrix", 0.1, low=0, low_open=True, high=1),
    "m": Param("m", "number of random features", 16, integer=True, low=1),
    "s": Param("s", "norm of x + y (query plus key)", 1.0, low=0, low_open=True, high=1e150),
    "t": Param("t", "norm of x - y (query minus key)", 1.0, low=0, low_open=True, high=1e150),
    "d_orf": Param("d", "query/key dimension (orthogonal features need m <= d)", 64, integer=True, low=1),
}
n, d, eps, k, R, m, s, t = (P[x].symbol for x in ("n", "d", "eps", "k", "R", "m", "s", "t"))

RANDOM_R = Assumption("R ~ N(0, 1/k)", "the projection has iid Gaussian entries of variance 1/k")
SM = sp.exp((s ** 2 - t ** 2) / 4)  # softmax kernel exp(x^T y), since x^T y = (|x+y|^2 - |x-y|^2)/4
ONE_MINUS_EXP_S = -expm1(-s ** 2)  # 1 - exp(-s^2), accurate for small s
MSE_POSITIVE = sp.exp(s ** 2) * SM ** 2 * ONE_MINUS_EXP_S / m
KERNEL_STATEMENT = " (s = |x + y|, t = |x - y|, SM(x, y) = exp(x^T y) = exp((s^2 - t^2)/4))."

BOUNDS = [
    # ------------------------------------------------------------------ Linformer
    bound("wang2020.linformer.k_rank",
          title="Linformer: self-attention is low rank, k = 5 ln n / (eps^2 - eps^3)",
          source=WANG2020("Theorem 1"), kind="upper", status="certificate", quantity=PROJECTION,
          params=(P["n"], P["eps"]),
          statement="P~ = exp(A) D_A^-1 R^T R with R in R^(k x n) iid N(0, 1/k) and k = 5 log(n)/(eps^2 - eps^3) "
                    "satisfies |P~ w - P w| < eps |P w| with probability 1 - o(1), for every column w.",
          expr=5 * sp.log(n) / (eps ** 2 - eps ** 3), monotone={"n": "increasing"}, assumptions=(RANDOM_R,),
          notes="eps^2 - eps^3 peaks at eps = 2/3, so k is not monotone in eps on (0, 1)."),
    bound("wang2020.linformer.k_linear",
          title="Linformer: linear self-attention with k = min(9 d ln d, 5 ln n) / eps^2",
          source=WANG2020("Theorem 2"), kind="upper", status="rate", quantity=PROJECTION,
          params=(P["n"], P["d"], P["eps"]),
          statement="With k = min{Theta(9 d log d / eps^2), 5 Theta(log n / eps^2)} there are E = delta R, "
                    "F = e^-delta R such that |softmax(w E^T) F V W^V - softmax(w) V W^V| <= eps |softmax(w)| |V W^V| "
                    "with probability 1 - o(1) for every row w (Theta-constants set to 1).",
          expr=sp.Min(9 * d * sp.log(d), 5 * sp.log(n)) / eps ** 2,
          monotone={"n": "increasing", "d": "increasing", "eps": "decreasing"}, assumptions=(RANDOM_R,)),
    bound("wang2020.linformer.k_union",
          title="Linformer: the union bound over all rows, k = 5 ln(n d) / (eps^2 - eps^3)",
          source=WANG2020("Theorem 2 (proof)"), kind="upper", status="certificate", quantity=PROJECTION,
          params=(P["n"], P["d"], P["eps"]),
          statement="The per-pair tail 2 exp(-(eps^2 - eps^3) k/4), union-bounded over the rows, gives "
                    "k = 5 log(n d)/(eps^2 - eps^3); rank(A) = d then removes the n-dependence.",
          expr=5 * sp.log(n * d) / (eps ** 2 - eps ** 3), monotone={"n": "increasing", "d": "increasing"},
          assumptions=(RANDOM_R,)),
    bound("wang2020.linformer.failure_probability",
          title="Linformer: per-pair failure probability 2 exp(-(eps^2 - eps^3) k / 4)",
          source=WANG2020("Theorem 2 (proof, per vector pair)"), kind="upper", status="certificate",
          quantity=PROBABILITY, params=(P["k"], P["eps"]),
          statement="Pr(|exp(x E^T) F y^T - exp(x) y^T| > eps |exp(x) y^T|) < 2 exp(-(eps^2 - eps^3) k/4).",
          expr=2 * sp.exp(-(eps ** 2 - eps ** 3) * k / 4), monotone={"k": "decreasing"}, assumptions=(RANDOM_R,)),
    # ------------------------------------------------------------------ Performer
    bound("choromanski2021.performer.features_uniform",
          title="Performer: random features for a uniformly eps-accurate attention matrix",
          source=CHOROMANSKI2021("Theorem 4"), kind="upper", status="rate", quantity=FEATURES,
          params=(P["d_p"], P["R"], P["eps_p"]),
          statement="With |q|, |k| <= R, delta = eps exp(-R^2/sqrt(d)), m = Theta((d/delta^2) log(4 d^(3/4) R/delta)) "
                    "trigonometric orthogonal random features give |A^ - A|_inf <= eps with any constant probability, "
                    "independently of the sequence length (Theta-constant set to 1).",
          expr=d / (eps * sp.exp(-R ** 2 / sp.sqrt(d))) ** 2
          * sp.log(4 * d ** sp.Rational(3, 4) * R / eps * sp.exp(R ** 2 / sp.sqrt(d))),
          latex_rhs=r"\frac{d}{\delta^2} \log \frac{4 d^{3/4} R}{\delta},\ \delta = \varepsilon e^{-R^2/\sqrt{d}}",
          monotone={"R": "increasing", "eps": "decreasing"},
          notes="Not monotone in d: d e^(2R^2/sqrt(d)) falls until d = R^4. The bound is very loose; it shows the "
                "trend (m independent of n, about d log d for fixed R and eps)."),
    bound("choromanski2021.performer.mse_trig",
          title="Performer: MSE of m iid trigonometric random features",
          source=CHOROMANSKI2021("Lemma 2"), kind="exact", status="certificate", quantity=MSE,
          params=(P["s"], P["t"], P["m"]),
          statement="MSE(SM^trig_m) = (1/(2m)) exp(|x+y|^2) SM(x,y)^-2 (1 - exp(-|x-y|^2))^2" + KERNEL_STATEMENT,
          expr=sp.exp(s ** 2) * SM ** -2 * expm1(-t ** 2) ** 2 / (2 * m),
          latex_rhs=r"\frac{1}{2m} e^{s^2} \mathrm{SM}^{-2} \left(1 - e^{-t^2}\right)^2",
          monotone={"s": "increasing", "t": "increasing", "m": "decreasing"},
          notes="Blows up where SM is small (t large), unlike the positive features."),
    bound("choromanski2021.performer.mse_positive",
          title="Performer: MSE of m iid positive random features (FAVOR+)",
          source=CHOROMANSKI2021("Lemma 2"), kind="exact", status="certificate", quantity=MSE,
          params=(P["s"], P["t"], P["m"]),
          statement="MSE(SM^+_m) = (1/m) exp(|x+y|^2) SM(x,y)^2 (1 - exp(-|x+y|^2))" + KERNEL_STATEMENT,
          expr=MSE_POSITIVE, latex_rhs=r"\frac{1}{m} e^{s^2} \mathrm{SM}^{2} \left(1 - e^{-s^2}\right)",
          monotone={"s": "increasing", "t": "decreasing", "m": "decreasing"},
          notes="Tends to 0 as SM tends to 0: positive features are accurate exactly where the kernel is small."),
    bound("choromanski2021.performer.mse_hyperbolic",
          title="Performer: MSE of m iid hyperbolic positive random features",
          source=CHOROMANSKI2021("Lemma 2"), kind="exact", status="certificate", quantity=MSE,
          params=(P["s"], P["t"], P["m"]),
          statement="MSE(SM^hyp+_m) = (1/2) (1 - exp(-|x+y|^2)) MSE(SM^+_m)" + KERNEL_STATEMENT,
          expr=ONE_MINUS_EXP_S / 2 * MSE_POSITIVE,
          latex_rhs=r"\tfrac{1}{2} \left(1 - e^{-s^2}\right) \mathrm{MSE}(\mathrm{SM}^{+}_m)",
          monotone={"s": "increasing", "t": "decreasing", "m": "decreasing"}),
    bound("choromanski2021.performer.mse_orthogonal",
          title="Performer: orthogonal positive features beat iid ones (upper bound on their MSE)",
          source=CHOROMANSKI2021("Theorem 2"), kind="upper", status="certificate", quantity=MSE,
          params=(P["s"], P["t"], P["m"], P["d_orf"]),
          statement="MSE(SM^ort+_m) <= MSE(SM^+_m) - (2(m - 1)/(m (d + 2))) (SM(x,y) - exp(-(|x|^2 + |y|^2)/2))^2, "
                    "with |x|^2 + |y|^2 = (s^2 + t^2)/2" + KERNEL_STATEMENT,
          expr=MSE_POSITIVE - 2 * (m - 1) / (m * (d + 2)) * (SM - sp.exp(-(s ** 2 + t ** 2) / 4)) ** 2,
          latex_rhs=r"\mathrm{MSE}(\mathrm{SM}^{+}_m) - \frac{2(m-1)}{m(d+2)} \left(\mathrm{SM} - "
                    r"e^{-(|x|^2+|y|^2)/2}\right)^2",
          monotone={"m": "decreasing", "d": "increasing"},
          assumptions=(Assumption("m <= d", "orthogonal random features need at most d of them", m <= d),),
          examples={"m": 8}),
]

register(*BOUNDS)
