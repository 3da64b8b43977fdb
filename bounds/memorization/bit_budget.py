"""A limited bit budget: Kajitsuka & Sato's Lemma F.1 (an FFN) and Theorem F.1 (a transformer) trade bits per parameter for depth.

>>> from tbounds.bounds import get
>>> b = get("kajitsuka2025.next_token.limited_bits.depth")
>>> ex = b.example()
>>> float(b(**{**ex, "B": 4})) > float(b(**{**ex, "B": 16}))  # fewer bits, more layers
True
>>> [int(get(i)()) for i in ("kajitsuka2025.ffn.limited_bits.width", "kajitsuka2025.next_token.limited_bits.width")]
[13, 15]
"""

from __future__ import annotations

import sympy as sp

from ..quantities import BIT_COMPLEXITY, DEPTH, WIDTH
from ..record import Assumption
from ..registry import register
from .common import (B, C, DATA_PARAMS, DELTA_AT_MOST_2R, DELTA_AT_MOST_ONE, KS2025, N, NEXT_TOKEN_HYPOTHESES,
                     R_AT_LEAST_ONE, bound, d, delta, monotone, params, r)
from .construction import R2_PRINTED

B_RANGE = Assumption("2 <= B <= sqrt(N)", "Theorem F.1 takes B in [sqrt(N)]", B ** 2 <= N)
BOUNDS = [
    bound("kajitsuka2025.next_token.limited_bits.depth",
          title="Depth with a bit budget (rate)", source=KS2025("Theorem F.1"), kind="upper", status="rate",
          quantity=DEPTH, params=params(*DATA_PARAMS, "B"),
          statement="Width 15, depth ≲ (N/B) sqrt(log B) + N/(B sqrt(log B)) max(log R, log C): fewer bits per "
                    "parameter cost more layers, up to O~(N) at constant precision.",
          expr=N / B * sp.sqrt(sp.log(B)) + N / (B * sp.sqrt(sp.log(B))) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES + (B_RANGE,), monotone={**monotone(DATA_PARAMS), "B": "decreasing"}),
    bound("kajitsuka2025.next_token.limited_bits.bits",
          title="Bit complexity with a bit budget (rate)", source=KS2025("Theorem F.1"), kind="upper", status="rate",
          quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS, "B"),
          statement="bit complexity ≲ log d + (B / sqrt(log B)) max(log R, log C).",
          expr=sp.log(d) + B / sp.sqrt(sp.log(B)) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES + (B_RANGE,), monotone={**monotone(DATA_PARAMS), "B": "increasing"}),
]
BOUNDS.append(bound(
    "kajitsuka2025.next_token.limited_bits.width", title="Width with a bit budget", source=KS2025("Theorem F.1"),
    kind="upper", status="certificate", quantity=WIDTH, params=(),
    statement="The Theorem F.1 transformer has width 15 (one more than Theorem B.1's 14) for every B in [sqrt(N)].",
    expr=sp.Integer(15), integer_valued=True, assumptions=tuple(a for a in NEXT_TOKEN_HYPOTHESES if not a.checkable)))

# --------------------------------------------------------------------------- Lemma F.1: a ReLU FFN on N points
# The notes give Lemma F.1's depth and bits but not its R; we read it as Lemma C.1's R with V = N (no extra points).
R_LEMMA_F1 = 20 * r * N ** 2 / delta * sp.sqrt(sp.pi * d)
FFN_PARAMS = ("N", "d", "r", "delta", "C")
POINTS = (R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R,
          Assumption("separated points", "N points of norm <= r, pairwise at least delta apart, labels in [C]"), B_RANGE)
F1_READING = "R = 20 r N^2 sqrt(pi d)/delta: Lemma C.1's R with V = N (the notes do not print Lemma F.1's R)"
BOUNDS += [
    bound("kajitsuka2025.ffn.limited_bits.depth",
          title="ReLU FFN with a bit budget: depth (rate)", source=KS2025("Lemma F.1 (extension of Vardi et al., Theorem 6.2)"),
          kind="upper", status="rate", quantity=DEPTH, params=params(*FFN_PARAMS, "B"),
          statement="N/B^2 blocks of B^2 points, each its own Lemma C.1 network: width 13, depth ≲ (N/B) sqrt(log B) + "
                    "N/(B sqrt(log B)) max(log R, log C).",
          expr=N / B * sp.sqrt(sp.log(B)) + N / (B * sp.sqrt(sp.log(B))) * sp.Max(sp.log(R_LEMMA_F1), sp.log(C)),
          assumptions=POINTS, monotone={**monotone(FFN_PARAMS), "B": "decreasing"}, reading=F1_READING),
    bound("kajitsuka2025.ffn.limited_bits.bits",
          title="ReLU FFN with a bit budget: bit complexity (rate)", source=KS2025("Lemma F.1"),
          kind="upper", status="rate", quantity=BIT_COMPLEXITY, params=params(*FFN_PARAMS, "B"),
          statement="bit complexity ≲ log d + (B / sqrt(log B)) max(log R, log C).",
          expr=sp.log(d) + B / sp.sqrt(sp.log(B)) * sp.Max(sp.log(R_LEMMA_F1), sp.log(C)),
          assumptions=POINTS, monotone={**monotone(FFN_PARAMS), "B": "increasing"}, reading=F1_READING),
    bound("kajitsuka2025.ffn.limited_bits.width", title="ReLU FFN with a bit budget: width 13",
          source=KS2025("Lemma F.1"), kind="upper", status="certificate", quantity=WIDTH, params=(),
          statement="The Lemma F.1 network has width 13 for every B in [sqrt(N)].", expr=sp.Integer(13),
          integer_valued=True, assumptions=(POINTS[3],)),
]

register(*BOUNDS)
