"""The explicit construction behind Kajitsuka & Sato's upper bounds (Theorem B.1, Lemma C.1): depths, bits, radii.

Logs are base 2, as in the proofs; ceilings inside Lemma C.1's depth are dropped (§3.4 of the notes).
:func:`rate_depth` is the ``≲`` shape the Vardi-type constructions share, with natural logs.

>>> WIDTH_B1, PARAMS_PER_DEPTH, ATTENTION_PARAMS  # width 14: 210 parameters a layer, 392 in the attention layer
(14, 210, 392)
"""

from __future__ import annotations

import sympy as sp

from .common import C, N, d, delta, n, r


def lemma_c1_depth(points, radius, classes):
    """Depth of Lemma C.1 (eq. 110), logs base 2, ceilings dropped: §3.4 of the notes."""
    s = sp.sqrt(points / sp.log(points, 2))
    return 6 + 3 * sp.sqrt(points * sp.log(points, 2)) + 3 * s * sp.Max(sp.log(radius, 2), sp.log(classes, 2)) + 2 * s


def lemma_c1_bits(points, radius, classes, first_term):
    """Bit complexity of Lemma C.1 (eq. 111), logs base 2."""
    s = sp.sqrt(points / sp.log(points, 2))
    top = sp.Max(sp.log(radius, 2), sp.log(classes, 2))
    return sp.Max(first_term, s * top + sp.ceiling(sp.log(radius, 2)), s * top + 2)


def rate_depth(points, radius, classes):
    """The ``≲`` shape sqrt(V log V) + sqrt(V / log V) max(log R, log C) shared by Vardi-type constructions."""
    return sp.sqrt(points * sp.log(points)) + sp.sqrt(points / sp.log(points)) * sp.Max(sp.log(radius), sp.log(classes))


R1 = 20 * r * (n * N) ** 2 / delta * sp.sqrt(sp.pi * d)
C1 = sp.ceiling(4 * N ** 3 * sp.sqrt(sp.pi))
R2_PROOF = 400 * sp.sqrt(3) * sp.pi * sp.sqrt(d) * r * n ** 3 * N ** 5 / delta
R2_PRINTED = 400 * sp.sqrt(3) * d * n ** 3 * r * N ** 5 / delta * sp.pi
R2_SEQ = 400 * sp.sqrt(3) * sp.pi * sp.sqrt(d) * r * n ** 5 * N ** 5 / delta
# FF2 works on contexts s in R^3 with norm <= 20 r n^2 N^3 sqrt(pi d)/delta and separation 1/n.
FF2_FIRST_BITS = sp.log(3 * 3 * (20 * r * n ** 2 * N ** 3 / delta * sp.sqrt(sp.pi * d)) * N ** 2 * sp.sqrt(sp.pi) * n, 2)
FF1_FIRST_BITS = sp.log(3 * d * r * (n * N) ** 2 * sp.sqrt(sp.pi) / delta, 2)

WIDTH_B1 = 14
PARAMS_PER_DEPTH = WIDTH_B1 * WIDTH_B1 + WIDTH_B1  # one dense width-14 ReLU layer with biases
ATTENTION_PARAMS = 2 * WIDTH_B1 * WIDTH_B1  # W^O W^V of the uniform-attention layer at head size <= 14


def explicit_next_token_depth(R2):
    return lemma_c1_depth(N, R1, C1) + lemma_c1_depth(N, R2, C) + 1


def explicit_next_token_bits(R2):
    return sp.Max(lemma_c1_bits(N, R1, C1, FF1_FIRST_BITS), lemma_c1_bits(N, R2, C, FF2_FIRST_BITS))


def explicit_params(depth):
    return WIDTH_B1 * d + WIDTH_B1 + ATTENTION_PARAMS + PARAMS_PER_DEPTH * depth


READINGS_R2 = {
    "proof": (R2_PROOF, "R_2 with sqrt(d), as the proof of Theorem B.1 computes it"),
    "printed": (R2_PRINTED, "R with d, as Theorem B.1's statement prints it (the paper rounds sqrt(d) up to d)"),
}
