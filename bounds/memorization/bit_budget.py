"""A limited bit budget: Kajitsuka & Sato's Theorem F.1 trades bits per parameter for depth.

>>> from tbounds.bounds import get
>>> b = get("kajitsuka2025.next_token.limited_bits.depth")
>>> ex = b.example()
>>> float(b(**{**ex, "B": 4})) > float(b(**{**ex, "B": 16}))  # fewer bits, more layers
True
"""

from __future__ import annotations

import sympy as sp

from ..quantities import BIT_COMPLEXITY, DEPTH
from ..record import Assumption
from ..registry import register
from .common import B, C, DATA_PARAMS, KS2025, N, NEXT_TOKEN_HYPOTHESES, bound, d, monotone, params
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

register(*BOUNDS)
