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
"""

from __future__ import annotations

import sympy as sp

from ..covers import maurey_gamma_expr
from ..record import Assumption, Source
from ..registry import register
from .common import EDELMAN, GAP, LOG_COVER, MOHRI, RADEMACHER, S, bound, params

Rad, L_loss, c_loss, n, delta, eps = (S[k] for k in ("Rad", "L_loss", "c_loss", "n", "delta", "eps"))
LOSS_CLASS = Assumption("bounded loss class", "every loss in the class takes values in [0, c_loss]")
IID = Assumption("i.i.d. sample", "the n samples are drawn i.i.d.")

BOUNDS = [
    bound("contraction.talagrand", title="Contraction: R(loss o F) <= L_loss R(F)",
          source=Source(None, "Ledoux & Talagrand", 1991, "contraction lemma (Mohri et al. 2018, Lemma 5.7)",
                        venue="Probability in Banach Spaces, Springer"),
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

register(*BOUNDS)
