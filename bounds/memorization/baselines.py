"""The bounds Kajitsuka & Sato compare with: Table 1 of arXiv 2409.17677, Vardi et al.'s ReLU networks,
Goldberg & Jerrum's VC bound and MLPs on flattened sequences.

>>> from tbounds.bounds import get
>>> round(float(get("mlp_flattened.input_weights")(n=8, d=6)))
48
"""

from __future__ import annotations

import sympy as sp

from ..quantities import PARAMETERS
from ..record import Assumption, Source
from ..registry import register
from .common import (CONSISTENT_SEQ, DATA_PARAMS, DELTA_AT_MOST_2R, DELTA_AT_MOST_ONE, GOLDBERG1995, KIM2023, KS2024,
                     MADDEN2024, MAHDAVI2024, R_AT_LEAST_ONE, SEPARATED, TABLE1, VARDI2022, C, N, bound, d, delta,
                     monotone, n, omega, params, r, zeta)
from .construction import rate_depth

# --------------------------------------------------------------------------- Table 1
BOUNDS = [
    bound("kim2023.seq2seq.upper",
          title="Kim et al.: seq-to-seq memorization with O~(d + n + sqrt(nN)) parameters",
          source=KIM2023(f"main theorem, as cited in {TABLE1}"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="Contextual mapping from 2n self-attention layers, depth O~(n + sqrt(nN)); logs hidden by O~.",
          expr=d + n + sp.sqrt(n * N), assumptions=(SEPARATED, CONSISTENT_SEQ),
          monotone={"N": "increasing", "n": "increasing", "d": "increasing"},
          notes="The exact constants of the formal theorem are not in our sources."),
    bound("mahdavi2024.next_token.upper",
          title="Mahdavi et al.: one multi-head attention layer, O(d^2 N / n) parameters",
          source=MAHDAVI2024(f"main theorem, as cited in {TABLE1}"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="H heads of dimension d (Theta(H d^2) parameters) memorize Omega(H n) examples, so N examples "
                    "take O(d^2 N / n) parameters.",
          expr=d ** 2 * N / n,
          assumptions=(Assumption("n < d", "the context is shorter than the embedding dimension", n < d),
                       Assumption("linear independence", "the input tokens are linearly independent")),
          monotone={"N": "increasing", "n": "decreasing", "d": "increasing"}, examples={"n": 8, "d": 64}),
    bound("kajitsuka2024.seq2seq.upper",
          title="Kajitsuka & Sato 2024: one softmax layer with O(dnN + d^2) parameters",
          source=KS2024(f"main theorem, as cited in {TABLE1}"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="A single-layer single-head softmax transformer with low-rank weights memorizes with O(dnN + d^2) parameters.",
          expr=d * n * N + d ** 2, assumptions=(SEPARATED, CONSISTENT_SEQ),
          monotone={"N": "increasing", "n": "increasing", "d": "increasing"}),
    bound("madden2024.next_token.upper",
          title="Madden et al.: one-layer decoder, O(omega N) parameters", kind="upper", status="rate",
          source=MADDEN2024(f"main theorem, as cited in {TABLE1}"),
          quantity=PARAMETERS, params=params("N", "omega"),
          statement="With positional encoding and infinite precision, N contexts over a vocabulary of omega words "
                    "are interpolated with O(omega N) parameters.", expr=omega * N,
          monotone={"N": "increasing", "omega": "increasing"}),
    bound("madden2024.next_token.lower",
          title="Madden et al.: one-layer decoder needs Omega(omega N) parameters", kind="lower", status="rate",
          source=MADDEN2024(f"Theorem 21, as cited in {TABLE1}"),
          quantity=PARAMETERS, params=params("N", "omega"), statement="Omega(omega N) parameters are necessary.",
          expr=omega * N, monotone={"N": "increasing", "omega": "increasing"}),
    bound("madden2024.next_token.lower_explicit",
          title="Madden et al.: at most k/(zeta - 1) contexts with k parameters", kind="lower", status="certificate",
          source=MADDEN2024("Lemma 9"),
          quantity=PARAMETERS, params=params("N", "zeta"),
          statement="The number of interpolable contexts is at most k/(zeta - 1), so N contexts need k >= (zeta - 1) N.",
          expr=(zeta - 1) * N, monotone={"N": "increasing", "zeta": "increasing"},
          notes="Madden et al.'s notation: k parameters, vocabulary zeta; quoted via arXiv 2409.17677's related work."),
]

VARDI_PARAMS = ("N", "d", "r", "delta", "C")
for suffix, factor, reading in (("", 20, "R = 20 r N^2 sqrt(pi d)/delta, as Lemma C.1 of arXiv 2409.17677 reproduces it"),
                                (".vardi_R", 10, "R = 10 r N^2 sqrt(pi d)/delta, Vardi et al.'s own Theorem 3.1 "
                                                 "as we recall it (unverified)")):
    BOUNDS.append(bound(
        f"vardi2022.ffn.upper{suffix}",
        title="Vardi et al.: a ReLU network memorizes N points with O~(sqrt(N)) parameters",
        source=VARDI2022("Theorem 3.1"), kind="upper", status="rate", quantity=PARAMETERS,
        params=params(*VARDI_PARAMS),
        statement="Width 12, depth ≲ sqrt(N log N) + sqrt(N/log N) max(log R, log C); parameters ∝ d + depth.",
        expr=d + rate_depth(N, factor * r * N ** 2 / delta * sp.sqrt(sp.pi * d), C),
        assumptions=(R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R,
                     Assumption("separated points", "N points with norm <= r, pairwise at least delta apart")),
        monotone=monotone(VARDI_PARAMS), reading=reading))
BOUNDS += [
    bound("goldberg1995.ffn.lower",
          title="Goldberg & Jerrum: shattering N points needs Omega(sqrt(N)) ReLU-network parameters",
          source=GOLDBERG1995("VC dimension O(W^2), as used in Theorem 4.2 of arXiv 2409.17677"),
          kind="lower", status="rate", quantity=PARAMETERS, params=params("N"),
          statement="VCdim = O(W^2) for W-parameter ReLU networks, so shattering N points needs W = Omega(sqrt(N)).",
          expr=sp.sqrt(N), monotone={"N": "increasing"}),
    bound("mlp_flattened.input_weights",
          title="A flattened-input MLP has at least d n input weights",
          source=Source("2409.17677", "Kajitsuka & Sato", 2025, "Section 4 discussion (parameter sharing)",
                        venue="ICLR 2025"),
          kind="lower", status="certificate", quantity=PARAMETERS, params=params("n", "d"),
          statement="An MLP whose first layer is dense on the flattened input in R^(dn) has at least d n weights "
                    "there, whatever N is; the transformer shares its token map across positions instead.",
          expr=d * n, monotone={"n": "increasing", "d": "increasing"},
          assumptions=(Assumption("dense first layer", "every input coordinate feeds at least one hidden unit"),)),
    bound("mlp_flattened.upper",
          title="A flattened-input MLP memorizes with O~(dn + sqrt(N)) parameters (Vardi et al. on R^(dn))",
          source=VARDI2022("Theorem 3.1 applied to flattened sequences"), kind="upper",
          status="rate", quantity=PARAMETERS, params=params(*DATA_PARAMS),
          statement="Flattened sequences lie in R^(dn) with norm <= r sqrt(n) and distinct ones are >= delta apart, "
                    "so Vardi et al. give d n + sqrt(N log N) + sqrt(N/log N) max(log R, log C), "
                    "R = 20 r sqrt(n) N^2 sqrt(pi d n)/delta.",
          expr=d * n + rate_depth(N, 20 * r * sp.sqrt(n) * N ** 2 / delta * sp.sqrt(sp.pi * d * n), C),
          assumptions=(R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R, SEPARATED), derived=True,
          monotone=monotone(DATA_PARAMS), notes="Our composition: docs/memorization.md shows the norm and separation."),
]

register(*BOUNDS)