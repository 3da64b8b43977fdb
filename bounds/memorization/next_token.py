"""Next-token prediction: Kajitsuka & Sato's Theorem 4.1 / B.1 (upper, rates and explicit readings) and 4.2 (lower).

>>> from tbounds.bounds import get
>>> float(get("kajitsuka2025.next_token.upper.width")())
14.0
"""

from __future__ import annotations

import sympy as sp

from ..quantities import BIT_COMPLEXITY, DEPTH, PARAMETERS, TOTAL_BITS, WIDTH
from ..record import Assumption
from ..registry import register
from .common import (C, CONSISTENT_NEXT, DATA_PARAMS, KS2025, N, NEXT_TOKEN_HYPOTHESES, SEPARATED, bound, d, monotone, n,
                     params)
from .construction import (R2_PRINTED, READINGS_R2, WIDTH_B1, explicit_next_token_bits, explicit_next_token_depth,
                           explicit_params, rate_depth)

# --------------------------------------------------------------------------- next-token upper bound
BOUNDS = [
    bound("kajitsuka2025.next_token.upper",
          title="Next-token memorization with O~(d + sqrt(N)) parameters",
          source=KS2025("Theorem 4.1 (shape of Theorem B.1)"), kind="upper", status="rate", quantity=PARAMETERS,
          params=params(*DATA_PARAMS),
          statement="A transformer of width 14 with one uniform-attention layer memorizes N consistently labelled, "
                    "token-wise (r, delta)-separated sequences with d + sqrt(N log N) + sqrt(N/log N) max(log R, log C) "
                    "parameters up to absolute constants, R = 400 sqrt(3) d n^3 r N^5 pi / delta.",
          expr=d + rate_depth(N, R2_PRINTED, C), assumptions=NEXT_TOKEN_HYPOTHESES,
          monotone=monotone(DATA_PARAMS),
          notes="Absolute constants are hidden (≲); read it as a shape in N and n, not a size prediction."),
    bound("kajitsuka2025.next_token.upper.depth",
          title="Depth of the next-token construction (rate)", source=KS2025("Theorem B.1"), kind="upper", status="rate",
          quantity=DEPTH, params=params(*DATA_PARAMS),
          statement="depth ≲ sqrt(N log N) + sqrt(N/log N) max(log R, log C), R = 400 sqrt(3) d n^3 r N^5 pi / delta.",
          expr=rate_depth(N, R2_PRINTED, C), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS)),
    bound("kajitsuka2025.next_token.upper.bits",
          title="Bit complexity of the next-token construction (rate)", source=KS2025("Theorem B.1"), kind="upper",
          status="rate", quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS),
          statement="bit complexity ≲ log d + sqrt(N/log N) max(log R, log C).",
          expr=sp.log(d) + sp.sqrt(N / sp.log(N)) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS)),
    bound("kajitsuka2025.next_token.upper.width",
          title="Width of the next-token construction", source=KS2025("Theorem B.1"), kind="upper", status="certificate",
          quantity=WIDTH, params=(), statement="The construction has width max(m, sH, q) = 14 for every N, n, d.",
          expr=sp.Integer(WIDTH_B1), integer_valued=True),
    bound("kajitsuka2025.next_token.total_bits",
          title="Total bits of the next-token construction (rate)", source=KS2025("Remark 4.4"), kind="upper",
          status="rate", quantity=TOTAL_BITS, params=params(*DATA_PARAMS),
          statement="(parameters) x (bit complexity) = O~((d + sqrt(N))(log d + sqrt(N))), i.e. O~(N) bits when d = O~(sqrt(N)).",
          expr=(d + rate_depth(N, R2_PRINTED, C)) * (sp.log(d) + sp.sqrt(N / sp.log(N)) * sp.Max(sp.log(R2_PRINTED), sp.log(C))),
          assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS), derived=True,
          notes="Product of the Theorem B.1 parameter and bit-complexity shapes."),
]
for reading, (R2, meaning) in READINGS_R2.items():
    BOUNDS += [
        bound(f"kajitsuka2025.next_token.upper.depth_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Depth of the next-token construction, explicit constants ({reading} reading of R)",
              source=KS2025("Theorem B.1 (depth sums of Lemma C.1, eq. 110)"), kind="upper", status="reconstructed",
              quantity=DEPTH, params=params(*DATA_PARAMS),
              statement="depth = D(N, R_1, C_1) + D(N, R_2, C) + 1 with D(V, R, C) = 6 + 3 sqrt(V log V) + "
                        "3 sqrt(V/log V) max(log R, log C) + 2 sqrt(V/log V) (logs base 2, ceilings dropped), "
                        "R_1 = 20 r (nN)^2 sqrt(pi d)/delta, C_1 = ceil(4 N^3 sqrt(pi)); " + meaning + ".",
              expr=explicit_next_token_depth(R2), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS),
              reading=f"R_2 {reading}: {meaning}",
              notes="Numerically vacuous at small N (thousands of layers at N = 1000): use it as a scaling curve."),
        bound(f"kajitsuka2025.next_token.upper.bits_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Bit complexity of the next-token construction, explicit ({reading} reading of R)",
              source=KS2025("Theorem B.1 (Lemma C.1, eq. 111)"), kind="upper", status="reconstructed",
              quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS),
              statement="max over the two Lemma C.1 networks of max{log(3 d r V^2 sqrt(pi)/delta), "
                        "sqrt(N/log N) max(log R, log C) + ceil(log R), sqrt(N/log N) max(log R, log C) + 2}, logs base 2.",
              expr=explicit_next_token_bits(R2), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS),
              reading=f"R_2 {reading}: {meaning}"),
        bound(f"kajitsuka2025.next_token.upper.params_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Parameters of the next-token construction, explicit ({reading} reading of R)",
              source=KS2025("Theorem B.1 (counted from the construction)"), kind="upper", status="reconstructed",
              quantity=PARAMETERS, params=params(*DATA_PARAMS),
              statement="14 d (E_in) + 14 (E_out) + 392 (W^O W^V of the attention layer) + 210 per unit of "
                        "explicit depth (a dense width-14 ReLU layer with biases).",
              expr=explicit_params(explicit_next_token_depth(R2)), assumptions=NEXT_TOKEN_HYPOTHESES,
              monotone=monotone(DATA_PARAMS), reading=f"R_2 {reading}: {meaning}"),
        bound(f"kajitsuka2025.next_token.total_bits_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Total bits of the next-token construction, explicit ({reading} reading of R)",
              source=KS2025("Theorem B.1 and Remark 4.4"), kind="upper", status="reconstructed", quantity=TOTAL_BITS,
              params=params(*DATA_PARAMS),
              statement="explicit parameter count times explicit bit complexity.",
              expr=explicit_params(explicit_next_token_depth(R2)) * explicit_next_token_bits(R2),
              assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS), reading=f"R_2 {reading}: {meaning}"),
    ]

# --------------------------------------------------------------------------- footnote 2: sqrt(N log(nN))
# Stage II of Lemma C.1 with sqrt(N log(nN)) groups of sqrt(N/log(nN)) points instead of log N: two readings.
nN = n * N
BOUNDS += [
    bound("kajitsuka2025.next_token.upper.depth.footnote2",
          title="Depth tightened to O(sqrt(N log(nN))) (footnote 2, the printed order)",
          source=KS2025("footnote 2 (Theorem 4.1)"), kind="upper", status="rate", quantity=DEPTH,
          params=params("N", "n"),
          statement="Using sqrt(N log(nN)) subsets of sqrt(N/log(nN)) elements in Stage II of Lemma C.1 tightens "
                    "the bound to O(sqrt(N log(nN))) (constant set to 1; n, C, r/delta = N^O(1) assumed).",
          expr=sp.sqrt(N * sp.log(nN)), assumptions=(SEPARATED, CONSISTENT_NEXT),
          monotone={"N": "increasing", "n": "increasing"},
          reading="the footnote's printed order O(sqrt(N log(nN))), the max(log R, log C) term absorbed"),
    bound("kajitsuka2025.next_token.upper.depth.footnote2.groups",
          title="Depth with footnote 2's grouping in Theorem B.1's depth shape (our substitution)",
          source=KS2025("footnote 2 applied to Theorem B.1"), kind="upper", status="rate", quantity=DEPTH,
          params=params(*DATA_PARAMS),
          statement="sqrt(N log(nN)) + sqrt(N/log(nN)) max(log R, log C), R = 400 sqrt(3) d n^3 r N^5 pi / delta: "
                    "Theorem B.1's depth with log N replaced by log(nN) in the group sizes of Stage II.",
          expr=sp.sqrt(N * sp.log(nN)) + sp.sqrt(N / sp.log(nN)) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES, derived=True,
          monotone={k: v for k, v in monotone(DATA_PARAMS).items() if k != "n"},
          reading="the group sizes of Stage II substituted into Theorem B.1's depth shape (our derivation: "
                  "docs/memorization.md); not monotone in n when r/delta is large",
          notes="Since max(log R, log C) = O(log(nN)), both terms are O(sqrt(N log(nN)))."),
]

# --------------------------------------------------------------------------- next-token lower bounds
BOUNDS += [
    bound("kajitsuka2025.next_token.lower",
          title="Next-token memorization needs Omega(sqrt(N)) parameters", source=KS2025("Theorem 4.2 (= Theorem B.2)"),
          kind="lower", status="rate", quantity=PARAMETERS, params=params("N"),
          statement="A softmax transformer that shatters N sequences of identical tokens has Omega(sqrt(N)) "
                    "parameters (Goldberg-Jerrum VC bound after reduction to a ReLU FFN).",
          expr=sp.sqrt(N), monotone={"N": "increasing"},
          assumptions=(Assumption("shattering", "for every labelling in {0,1}^N some parameters fit it"),
                       Assumption("identical tokens", "every sequence repeats one token")),
          notes="The constant is hidden; see kajitsuka2025.next_token.lower_derived for an explicit form."),
    bound("kajitsuka2025.next_token.lower_derived",
          title="Next-token lower bound with explicit constants (n = 1 run of the Theorem 4.3 proof)",
          source=KS2025("Theorem 4.2, constants from the proof of Theorem B.3 at n = 1"), kind="lower",
          status="reconstructed", quantity=PARAMETERS, params=params("N"),
          statement="W >= sqrt(N / (9 log2(48 e N))): on sequences of identical tokens every attention rule "
                    "averages equal tokens, so the Theorem B.3 counting argument with n = 1 applies.",
          expr=sp.sqrt(N / (9 * sp.log(48 * sp.E * N, 2))), monotone={"N": "increasing"},
          assumptions=(Assumption("shattering", "for every labelling in {0,1}^N some parameters fit it"),
                       Assumption("identical tokens", "every sequence repeats one token")),
          notes="Derived in these notes, not printed in the paper."),
]

register(*BOUNDS)
