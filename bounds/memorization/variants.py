"""Kajitsuka & Sato's variants of the construction: Deep Sets (Theorem D.1) and token ids with an embedding layer (Theorem E.1).

Both are rates (``≲`` hides absolute constants, set to 1 here), with the paper's own radius R.

>>> from tbounds.bounds import get
>>> float(get("kajitsuka2025.deep_sets.width")())
12.0
>>> b = get("kajitsuka2025.embedding.upper")
>>> float(b(**{**b.example(), "omega": 10 ** 6})) > 10 ** 6  # the omega embedding columns dominate
True
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import BIT_COMPLEXITY, DEPTH, PARAMETERS, WIDTH
from ..record import Assumption
from ..registry import register
from .common import (DELTA_AT_MOST_2R, DELTA_AT_MOST_ONE, KS2025, R_AT_LEAST_ONE, C, N, bound, d, delta, monotone,
                     n, omega, params, r)
from .construction import rate_depth

M_PARAM = Param("M", "largest multiset cardinality |m^(i)| <= M", 8, integer=True, low=1)
M = M_PARAM.symbol

# --------------------------------------------------------------------------- Theorem D.1 (Deep Sets)
R_DEEP_SETS = 80 * M ** 2 * N ** 5 * r / delta * sp.pi * sp.sqrt(d)
MULTISETS = (R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R,
             Assumption("element-wise (r, delta)-separated multisets",
                        "N distinct multisets of cardinality <= M whose elements have norm <= r and are identical or "
                        "at least delta apart (Assumption A.1)"),
             Assumption("labels in [C]", "each multiset carries one of C labels"))
DS_PARAMS = ("N", "d", "r", "delta", "C")
DS_MONO = {**monotone(DS_PARAMS), "M": "increasing"}

# --------------------------------------------------------------------------- Theorem E.1 (embedding layer)
R_EMBED = 200 * sp.sqrt(3) * n ** 2 * r * N ** 5 / delta * omega * sp.pi
EMBED_PARAMS = ("N", "n", "omega", "r", "delta", "C")
EMBED_MONO = {**monotone(EMBED_PARAMS), "omega": "increasing"}
TOKEN_IDS = (R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R,
             Assumption("token ids", "inputs are sequences of token ids in [omega]^n, embedded by a trainable "
                        "3 x omega embedding matrix"),
             Assumption("consistent labels (next-token)",
                        "sequences equal up to a permutation with the same last token carry the same label"))

BOUNDS = [
    bound("kajitsuka2025.deep_sets.width", title="Deep Sets memorizing N multisets: width 12",
          source=KS2025("Theorem D.1"), kind="upper", status="certificate", quantity=WIDTH, params=(),
          statement="The deep set (phi~, rho~) of Theorem D.1 has width 12 for every N, M, d.",
          expr=sp.Integer(12), integer_valued=True, assumptions=tuple(a for a in MULTISETS if not a.checkable)),
    bound("kajitsuka2025.deep_sets.depth", title="Deep Sets memorizing N multisets: depth (rate)",
          source=KS2025("Theorem D.1"), kind="upper", status="rate", quantity=DEPTH,
          params=params(*DS_PARAMS) + (M_PARAM,),
          statement="depth ≲ sqrt(N log N) + sqrt(N/log N) max(log R, log C) with R = 80 M^2 N^5 r pi sqrt(d) / delta "
                    "(constants hidden, set to 1).",
          expr=rate_depth(N, R_DEEP_SETS, C), assumptions=MULTISETS, monotone=DS_MONO,
          notes="Internally rho~ works with R_rho = 80 M N^5 pi; the theorem's R dominates it."),
    bound("kajitsuka2025.deep_sets.bits", title="Deep Sets memorizing N multisets: bit complexity (rate)",
          source=KS2025("Theorem D.1"), kind="upper", status="rate", quantity=BIT_COMPLEXITY,
          params=params(*DS_PARAMS) + (M_PARAM,),
          statement="bit complexity ≲ log d + sqrt(N/log N) max(log R, log C), R = 80 M^2 N^5 r pi sqrt(d) / delta.",
          expr=sp.log(d) + sp.sqrt(N / sp.log(N)) * sp.Max(sp.log(R_DEEP_SETS), sp.log(C)),
          assumptions=MULTISETS, monotone=DS_MONO),
    bound("kajitsuka2025.embedding.upper", title="Token ids with an embedding layer: O~(omega + sqrt(N)) parameters",
          source=KS2025("Theorem E.1"), kind="upper", status="rate", quantity=PARAMETERS, params=params(*EMBED_PARAMS),
          statement="#params ≲ omega + sqrt(N log N) + sqrt(N/log N) max(log R, log C), R = 200 sqrt(3) n^2 r N^5 "
                    "omega pi / delta; the omega columns of the embedding are unavoidable (Remark 4.2).",
          expr=omega + rate_depth(N, R_EMBED, C), assumptions=TOKEN_IDS, monotone=EMBED_MONO),
    bound("kajitsuka2025.embedding.bits", title="Token ids with an embedding layer: bit complexity (rate)",
          source=KS2025("Theorem E.1"), kind="upper", status="rate", quantity=BIT_COMPLEXITY,
          params=params(*EMBED_PARAMS),
          statement="bit complexity ≲ log omega + sqrt(N/log N) max(log R, log C), R = 200 sqrt(3) n^2 r N^5 omega pi / delta.",
          expr=sp.log(omega) + sp.sqrt(N / sp.log(N)) * sp.Max(sp.log(R_EMBED), sp.log(C)),
          assumptions=TOKEN_IDS, monotone=EMBED_MONO),
]

register(*BOUNDS)
