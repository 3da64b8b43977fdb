"""Sequence-to-sequence: Kajitsuka & Sato's Corollary 4.1 (upper, rate and explicit) and Theorem 4.3 (hard-attention lower).

>>> from tbounds.bounds import get
>>> round(float(get("kajitsuka2025.seq2seq.lower_hardmax")(N=1000, n=8)), 2)
6.67
"""

from __future__ import annotations

import sympy as sp

from ..quantities import DEPTH, PARAMETERS, TOTAL_BITS
from ..record import Assumption
from ..registry import register
from .common import C, DATA_PARAMS, KS2025, N, SEQ_HYPOTHESES, bound, d, monotone, n, params
from .construction import C1, R1, R2_SEQ, explicit_params, lemma_c1_depth, rate_depth

SEQ_PARAMS = DATA_PARAMS
BOUNDS = [
    bound("kajitsuka2025.seq2seq.upper",
          title="Sequence-to-sequence memorization with O~(d + sqrt(nN)) parameters", source=KS2025("Corollary 4.1"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params(*SEQ_PARAMS),
          statement="Width 14, depth O~(sqrt(nN)): d + sqrt(nN log(nN)) + sqrt(nN/log(nN)) max(log R', log C) "
                    "parameters up to constants, R' = 400 sqrt(3) pi sqrt(d) r n^5 N^5 / delta.",
          expr=d + rate_depth(n * N, R2_SEQ, C), assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS)),
    bound("kajitsuka2025.seq2seq.upper.depth_explicit",
          title="Depth of the sequence-to-sequence construction, explicit constants",
          source=KS2025("Corollary 4.1 (derived from Theorem B.1's proof)"), kind="upper", status="reconstructed",
          quantity=DEPTH, params=params(*SEQ_PARAMS),
          statement="D(N, R_1, C_1) + D(nN, R'_2, C) + 1: FF1 as in Theorem B.1, FF2 runs Lemma C.1 on the nN "
                    "(context, label) pairs with R'_2 = 400 sqrt(3) pi sqrt(d) r n^5 N^5 / delta.",
          expr=lemma_c1_depth(N, R1, C1) + lemma_c1_depth(n * N, R2_SEQ, C) + 1, assumptions=SEQ_HYPOTHESES,
          monotone=monotone(SEQ_PARAMS), notes="The paper states no formal version; derivation in docs/memorization.md."),
    bound("kajitsuka2025.seq2seq.upper.params_explicit",
          title="Parameters of the sequence-to-sequence construction, explicit constants",
          source=KS2025("Corollary 4.1 (derived from Theorem B.1's proof)"), kind="upper", status="reconstructed",
          quantity=PARAMETERS, params=params(*SEQ_PARAMS),
          statement="14 d + 14 + 392 + 210 x (explicit seq-to-seq depth), counted as for the next-token construction.",
          expr=explicit_params(lemma_c1_depth(N, R1, C1) + lemma_c1_depth(n * N, R2_SEQ, C) + 1),
          assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS)),
    bound("kajitsuka2025.seq2seq.total_bits",
          title="Total bits of the sequence-to-sequence construction (rate)", source=KS2025("Remark 4.6"), kind="upper",
          status="rate", quantity=TOTAL_BITS, params=params(*SEQ_PARAMS),
          statement="O~(sqrt(nN)) parameters of O~(sqrt(nN)) bits: O~(nN) bits, optimal since there are 2^(nN) labellings.",
          expr=(d + rate_depth(n * N, R2_SEQ, C)) * (sp.log(d) + sp.sqrt(n * N / sp.log(n * N)) * sp.Max(sp.log(R2_SEQ), sp.log(C))),
          assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS), derived=True),
    bound("kajitsuka2025.seq2seq.lower_hardmax",
          title="Sequence-to-sequence lower bound for hard attention, explicit constants",
          source=KS2025("Theorem 4.3 (proof of Theorem B.3)"), kind="lower", status="certificate", quantity=PARAMETERS,
          params=params("N", "n"),
          statement="A hard-attention transformer that shatters N sequences whose nN tokens are pairwise distinct has "
                    "W >= sqrt(nN / (9 log2(48 e n N))) parameters (nN <= 9 W^2 log2(48 e n N) in the proof).",
          expr=sp.sqrt(n * N / (9 * sp.log(48 * sp.E * n * N, 2))), monotone={"N": "increasing", "n": "increasing"},
          assumptions=(Assumption("hard attention", "every attention layer uses hardmax (eq. 12)"),
                       Assumption("distinct tokens", "all nN tokens are pairwise distinct"),
                       Assumption("shattering", "every labelling in {0,1}^(N x n) is fitted by some parameters"))),
    bound("kajitsuka2025.seq2seq.lower_hardmax.rate",
          title="Sequence-to-sequence lower bound for hard attention (rate)", source=KS2025("Theorem 4.3"), kind="lower",
          status="rate", quantity=PARAMETERS, params=params("N", "n"),
          statement="W = Omega(sqrt(nN / log(nN))).", expr=sp.sqrt(n * N / sp.log(n * N)),
          monotone={"N": "increasing", "n": "increasing"},
          assumptions=(Assumption("nN >= 3", "the rate's log(nN) is only meaningful past e", n * N >= 3),
                       Assumption("hard attention", "every attention layer uses hardmax (eq. 12)"))),
]

register(*BOUNDS)
