"""From complexity to generalisation: contraction, the Rademacher theorem (both forms), cover composition.

* ``contraction.talagrand``: an ``L``-Lipschitz loss multiplies the Rademacher complexity by at most ``L``.
* ``mohri2018.gap.expected`` / ``.empirical``: with probability ``>= 1 - delta``, for every ``g`` in a loss
  class with values in ``[0, c]``: ``E g - E_S g <= 2 R_n + c sqrt(ln(1/delta)/(2n))``, or with the
  empirical complexity ``2 R_S + 3 c sqrt(ln(2/delta)/(2n))``.
* ``edelman2022.lemma_a8``: composing three Maurey covers ``a_i/eps_i^2`` through weights ``beta_i``
  costs ``gamma^3/eps^2`` at best (the allocation is in :mod:`tbounds.bounds.covers`).

>>> from tbounds.bounds import get
>>> e, m = get("mohri2018.gap.expected"), get("mohri2018.gap.empirical")
>>> round(float(e(Rad=0.05, c_loss=1, n=10000, delta=0.05)), 6), round(float(m(Rad=0.05, c_loss=1, n=10000, delta=0.05)), 6)
(0.112239, 0.140743)
>>> round(float(get("edelman2022.lemma_a8")(a1=1, a2=8, a3=27, beta1=1, beta2=1, beta3=1, eps=1)), 9)
216.0
>>> round(float(get("maurer2016.contraction.vector")(L_loss=1, Rad_vec=0.05)), 6)  # sqrt(2) x 0.05
0.070711

* ``maurer2016.contraction.vector``: a loss Lipschitz in the l2 norm of a vector prediction costs ``sqrt(2) L``.
* ``bartlett2017.margin.gap`` / ``.rate``: the spectrally-normalised margin bound (Theorem 3.4, constant 72
  unverified; Theorem 1.1's O~ shape).
* ``yang2026.vc.transformer.*``: VC dimension Theta(L W log(T W)) of transformers.
"""

from __future__ import annotations

import sympy as sp

from ..covers import maurey_gamma_expr
from ..record import Assumption, Source
from ..registry import register
from .common import (BFT, EDELMAN, GAP, LOG_COVER, MAURER, MOHRI, RADEMACHER, S, VC_DIM, YSL2026, bound, increasing,
                     params)

Rad, L_loss, c_loss, n, delta, eps = (S[k] for k in ("Rad", "L_loss", "c_loss", "n", "delta", "eps"))
LOSS_CLASS = Assumption("bounded loss class", "every loss in the class takes values in [0, c_loss]")
IID = Assumption("i.i.d. sample", "the n samples are drawn i.i.d.")

BOUNDS = [
    bound("contraction.talagrand", title="Contraction: R(loss o F) <= L_loss R(F)",
          source=Source(None, "Ledoux & Talagrand", 1991, "contraction lemma (Mohri et al. 2018, Lemma 5.7)",
                        venue="Probability in Banach Spaces, Springer", provenance="secondary",
                        via="Mohri et al. 2018, Lemma 5.7, as the notes state it (§4.2)"),
          kind="upper", status="certificate", quantity=RADEMACHER, params=params("L_loss", "Rad"),
          statement="If each phi_i is L-Lipschitz, E sup_f sum_i s_i phi_i(f(z_i)) <= L E sup_f sum_i s_i f(z_i): the "
                    "loss class's Rademacher complexity is at most L_loss times the function class's (Rad).",
          expr=L_loss * Rad, assumptions=(Assumption("Lipschitz loss", "the loss is L_loss-Lipschitz in the prediction"),),
          monotone={"L_loss": "increasing", "Rad": "increasing"},
          notes="Covering alternative: ln N(loss o F, eps) <= ln N(F, eps / L_loss)."),
    bound("mohri2018.gap.expected", title="Rademacher generalisation theorem, expected complexity",
          source=MOHRI("Theorem 3.3 (first inequality)"), kind="upper", status="certificate", quantity=GAP,
          params=params("Rad", "c_loss", "n", "delta"),
          statement="With probability >= 1 - delta over the sample, every g in G (values in [0, c_loss]) has "
                    "E g <= E_S g + 2 R_n(G) + c_loss sqrt(ln(1/delta)/(2n)) (McDiarmid with differences c/n).",
          expr=2 * Rad + c_loss * sp.sqrt(sp.log(1 / delta) / (2 * n)), assumptions=(IID, LOSS_CLASS),
          monotone={"Rad": "increasing", "c_loss": "increasing", "n": "decreasing", "delta": "decreasing"}),
    bound("mohri2018.gap.empirical", title="Rademacher generalisation theorem, empirical complexity",
          source=MOHRI("Theorem 3.3 (second inequality)"), kind="upper", status="certificate", quantity=GAP,
          params=params("Rad", "c_loss", "n", "delta"),
          statement="With probability >= 1 - delta, E g <= E_S g + 2 R_S(G) + 3 c_loss sqrt(ln(2/delta)/(2n)), with the "
                    "empirical complexity R_S computed on the sample itself.",
          expr=2 * Rad + 3 * c_loss * sp.sqrt(sp.log(2 / delta) / (2 * n)), assumptions=(IID, LOSS_CLASS),
          monotone={"Rad": "increasing", "c_loss": "increasing", "n": "decreasing", "delta": "decreasing"}),
]

a1, a2, a3, b1, b2, b3 = (S[k] for k in ("a1", "a2", "a3", "beta1", "beta2", "beta3"))
BOUNDS.append(bound(
    "edelman2022.lemma_a8", title="Optimal composition of three Maurey covers: gamma^3 / eps^2",
    source=EDELMAN("Lemma A.8"), kind="exact", status="certificate", quantity=LOG_COVER,
    params=params("a1", "a2", "a3", "beta1", "beta2", "beta3", "eps"),
    statement="min sum_i a_i/eps_i^2 subject to sum_i beta_i eps_i = eps equals gamma^3/eps^2, "
              "gamma = sum_i a_i^(1/3) beta_i^(2/3), at eps_i = (eps/gamma)(a_i/beta_i)^(1/3).",
    expr=maurey_gamma_expr([a1, a2, a3], [b1, b2, b3]) ** 3 / eps ** 2,
    monotone={"a1": "increasing", "a2": "increasing", "a3": "increasing", "beta1": "increasing",
              "beta2": "increasing", "beta3": "increasing", "eps": "decreasing"},
    notes="Re-derived with Lagrange multipliers in the notes (§1.4); tests compare with a numerical minimum."))

# --------------------------------------------------------------------------- Maurer's vector contraction
BOUNDS.append(bound(
    "maurer2016.contraction.vector", title="Vector contraction: R(loss o F) <= sqrt(2) L_loss R_vec(F)",
    source=MAURER("vector-contraction inequality (the notes give no theorem number)"), kind="upper", status="certificate",
    quantity=RADEMACHER, params=params("L_loss", "Rad_vec"),
    statement="If each psi_i : R^K -> R is L-Lipschitz in the Euclidean norm, E sup_f sum_i s_i psi_i(f(z_i)) <= "
              "sqrt(2) L E sup_f sum_i sum_k s_ik f_k(z_i): the loss class's Rademacher complexity is at most "
              "sqrt(2) L_loss times the vector class's (Rad_vec, independent signs per output coordinate).",
    expr=sp.sqrt(2) * S["L_loss"] * S["Rad_vec"],
    assumptions=(Assumption("l2-Lipschitz loss", "each psi_i is L_loss-Lipschitz from (R^K, ||.||_2) to R"),),
    monotone={"L_loss": "increasing", "Rad_vec": "increasing"},
    notes="With K = 1 it is Talagrand's contraction up to the factor sqrt(2) (contraction.talagrand)."))

# --------------------------------------------------------------------------- Bartlett-Foster-Telgarsky margin bound
X_F, R_A, W_max, gamma = (S[k] for k in ("X_F", "R_A", "W_max", "gamma"))
MARGIN = (IID, Assumption("n >= 3", "ln(n)/n falls only from n = 3 on; the bound is meant for large n", n >= 3),
          Assumption("fixed norms", "the spectral and (2,1) norm bounds are fixed before seeing the sample "
                     "(Theorem 3.4; Theorem 1.1 adds a union bound over them)"))
BOUNDS += [
    bound("bartlett2017.margin.gap",
          title="Spectrally-normalised margin bound with explicit constants (c = 72 unverified)",
          source=BFT("Theorem 3.4"), kind="upper", status="unverified", quantity=GAP,
          params=params("X_F", "R_A", "W_max", "gamma", "n", "delta"),
          statement="With probability >= 1 - delta, Pr[misclassify] - R_gamma(f) <= 8/n^(3/2) + 72 ||X||_2 R_A "
                    "ln(2W) ln(n)/(gamma n) + 3 sqrt(ln(2/delta)/(2n)), with R_gamma the empirical margin loss, "
                    "||X||_2 = X_F the Frobenius norm of the n x d data matrix and W the largest width.",
          expr=8 / n ** sp.Rational(3, 2) + 72 * X_F * R_A * sp.log(2 * W_max) * sp.log(n) / (gamma * n)
          + 3 * sp.sqrt(sp.log(2 / delta) / (2 * n)),
          assumptions=MARGIN,
          monotone={**increasing("X_F", "R_A", "W_max"), "gamma": "decreasing", "n": "decreasing",
                    "delta": "decreasing"},
          examples={"X_F": 100.0, "n": 10000},
          notes="Shape from our notes (§3.2, [M]); the constant c = 72 and the ln(2/delta) term are marked 'verify'. "
                "With X_F = sqrt(n) B_x the middle term falls like ln(n)/sqrt(n)."),
    bound("bartlett2017.margin.rate",
          title="Spectrally-normalised margin bound, O~ form",
          source=BFT("Theorem 1.1"), kind="upper", status="rate", quantity=GAP,
          params=params("X_F", "R_A", "W_max", "gamma", "n", "delta"),
          statement="Pr[misclassify] - R_gamma(f) = O~(||X||_2 R_A ln(W)/(gamma n) + sqrt(ln(1/delta)/n)) "
                    "(constants and logs hidden, set to 1).",
          expr=X_F * R_A * sp.log(W_max) / (gamma * n) + sp.sqrt(sp.log(1 / delta) / n),
          assumptions=(IID,),
          monotone={**increasing("X_F", "R_A", "W_max"), "gamma": "decreasing", "n": "decreasing",
                    "delta": "decreasing"},
          examples={"X_F": 100.0, "n": 10000}),
]

# --------------------------------------------------------------------------- Yang-Srebro-Li VC dimension
L_layers, W_params, T = S["L"], S["W"], S["T"]
for suffix, kind in (("upper", "upper"), ("lower", "lower")):
    BOUNDS.append(bound(
        f"yang2026.vc.transformer.{suffix}",
        title=f"Yang, Srebro & Li: transformer VC dimension Theta(L W log(T W)) ({suffix} half)",
        source=YSL2026("main theorem (VC dimension of transformers; the notes give no theorem number)"), kind=kind, status="rate", quantity=VC_DIM,
        params=params("L", "W", "T"),
        statement="The VC dimension of transformers with L layers, W parameters and sequence length T is "
                  "Theta(L W log(T W)) (constants hidden, set to 1, natural log): a parameter-counting baseline "
                  "that grows with log T.",
        expr=L_layers * W_params * sp.log(T * W_params),
        monotone=increasing("L", "W", "T"), examples={"T": 64, "W": 10000, "L": 2},
        notes="Abstract only [V]: the architecture class and the constants are not in our notes."))

register(*BOUNDS)
