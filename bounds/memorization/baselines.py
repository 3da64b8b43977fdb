"""The bounds Kajitsuka & Sato compare with: Table 1 of arXiv 2409.17677, Vardi et al.'s ReLU networks,
Goldberg & Jerrum's VC bound and MLPs on flattened sequences.

>>> from tbounds.bounds import get
>>> round(float(get("mlp_flattened.input_weights")(n=8, d=6)))
48
>>> int(get("baum1988.ffn.threshold_units")(N=1000, d=6))  # ceil(1000 / 6)
167
>>> round(float(get("morris2025.capacity.bits")(W=10 ** 6)))  # 3.6 bits per parameter, measured
3600000
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import PARAMETERS, SEQUENCES, TOTAL_BITS, quantity
from ..record import Assumption, Paper, Source
from ..steps import floor_div
from ..registry import register
from .common import (CONSISTENT_SEQ, DATA_PARAMS, DELTA_AT_MOST_2R, DELTA_AT_MOST_ONE, GOLDBERG1995, KIM2023, KS2024,
                     MADDEN2024, MAHDAVI2024, P, R_AT_LEAST_ONE, SEPARATED, TABLE1, VARDI2022, C, N, bound, d, delta,
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
                        venue="ICLR 2025", provenance="primary"),
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

# --------------------------------------------------------------------------- Madden et al., Theorem 13
k_param = Param("k", "number of parameters of the one-layer decoder (Madden et al.'s k)", 10 ** 6, integer=True, low=1)
k = k_param.symbol
BOUNDS += [
    bound("madden2024.next_token.contexts.empirical",
          title="Madden et al.: at most (2 + 1/(zeta - 1)) k/(zeta - 1) + 1 contexts in the empirical setting",
          source=MADDEN2024("Theorem 13"), kind="upper", status="certificate", quantity=SEQUENCES,
          params=(k_param, P["zeta"]),
          statement="In the empirical setting a one-layer decoder with k parameters over a vocabulary of zeta words "
                    "interpolates at most (2 + 1/(zeta - 1)) k/(zeta - 1) + 1 contexts.",
          expr=(2 + 1 / (zeta - 1)) * k / (zeta - 1) + 1, monotone={"k": "increasing", "zeta": "decreasing"},
          notes="Madden et al.'s notation (k parameters, vocabulary zeta); quoted via arXiv 2409.17677's related work."),
    bound("madden2024.next_token.lower_explicit.empirical",
          title="Madden et al.'s Theorem 13 inverted: N contexts need (N - 1)(zeta - 1)^2 / (2 zeta - 1) parameters",
          source=MADDEN2024("Theorem 13 (inverted)"), kind="lower", status="certificate", quantity=PARAMETERS,
          params=params("N", "zeta"),
          statement="N <= (2 + 1/(zeta - 1)) k/(zeta - 1) + 1 solved for k: k >= (N - 1)(zeta - 1)^2 / (2 zeta - 1).",
          expr=(N - 1) * (zeta - 1) ** 2 / (2 * zeta - 1), monotone={"N": "increasing", "zeta": "increasing"},
          derived=True, notes="Our algebra: (2 + 1/(z-1))/(z-1) = (2z - 1)/(z-1)^2."),
]

# --------------------------------------------------------------------------- Vardi et al., depth-limited
L_param = Param("L", "depth of the ReLU network (number of layers)", 10, integer=True, low=1)
L = L_param.symbol
BOUNDS.append(bound(
    "vardi2022.ffn.depth_limited",
    title="Vardi et al.: depth L <= sqrt(N) memorizes with O~(N/L) parameters",
    source=VARDI2022("depth-limited variant, as cited in arXiv 2409.17677"), kind="upper", status="rate",
    quantity=PARAMETERS, params=(P["N"], L_param),
    statement="A ReLU network of depth L <= sqrt(N) memorizes N separated points with O~(N/L) parameters "
              "(logs and constants hidden, set to 1); at L = sqrt(N) this meets the O~(sqrt(N)) of Theorem 3.1.",
    expr=N / L, assumptions=(Assumption("L <= sqrt(N)", "the variant covers depths up to sqrt(N)", L ** 2 <= N),
                             Assumption("separated points", "N points of bounded norm, pairwise separated")),
    monotone={"N": "increasing", "L": "decreasing"}, examples={"N": 1000, "L": 10}))

# --------------------------------------------------------------------------- classical FFN counts (KS2025 related work)
HIDDEN_UNITS = quantity("hidden units", "neurons", "h")
VIA_RELATED = "the related-work section of arXiv 2409.17677"
# The notes name these results by author and year only: no venue or identifier is guessed.
QUOTED = "venue not in our notes; quoted in arXiv 2409.17677"
NILSSON1965 = Paper(None, "Nilsson", 1965, QUOTED, provenance="secondary", via=VIA_RELATED)
BAUM1988 = Paper(None, "Baum", 1988, QUOTED, provenance="secondary", via=VIA_RELATED)
BARTLETT2019 = Paper(None, "Bartlett et al.", 2019, QUOTED, provenance="secondary", via=VIA_RELATED)
PARK2021 = Paper(None, "Park et al.", 2021, QUOTED, provenance="secondary", via=VIA_RELATED)
SONTAG1997 = Paper(None, "Sontag", 1997, QUOTED, provenance="secondary", via=VIA_RELATED)
SIEGEL2024 = Paper(None, "Siegel", 2024, QUOTED, provenance="secondary", via=VIA_RELATED)
W_param = Param("W", "number of parameters of the network", 10 ** 6, integer=True, low=1)
W = W_param.symbol
GENERAL_POSITION = Assumption("general position", "the N inputs in R^d are in general position")
BOUNDS += [
    bound("nilsson1965.ffn.hidden_units",
          title="Nilsson: one hidden layer with N - 1 units memorizes N points",
          source=NILSSON1965("classical result, as quoted in arXiv 2409.17677"), kind="upper", status="certificate",
          quantity=HIDDEN_UNITS, params=params("N"),
          statement="A network with one hidden layer of N - 1 units fits any labels on N distinct points.",
          expr=N - 1, integer_valued=True, monotone={"N": "increasing"},
          assumptions=(Assumption("distinct points", "the N inputs are pairwise distinct"),)),
    bound("baum1988.ffn.threshold_units",
          title="Baum: ceil(N/d) threshold neurons memorize N points in general position in R^d",
          source=BAUM1988("classical result, as quoted in arXiv 2409.17677"), kind="upper", status="certificate",
          quantity=HIDDEN_UNITS, params=params("N", "d"),
          statement="One hidden layer of ceil(N/d) threshold units realises any binary labelling of N points in "
                    "general position in R^d.",
          expr=floor_div(N + d - 1, d), latex_rhs=r"\left\lceil N/d \right\rceil", integer_valued=True,
          monotone={"N": "increasing", "d": "decreasing"}, assumptions=(GENERAL_POSITION,)),
    bound("bartlett2019.ffn.vc",
          title="Bartlett et al.: a W-parameter, L-layer ReLU network shatters at most O(W L log W) points",
          source=BARTLETT2019("VC dimension O(W L log W), as quoted in arXiv 2409.17677"), kind="upper",
          status="rate", quantity=SEQUENCES, params=(W_param, L_param),
          statement="VCdim = O(W L log W) for piecewise-linear networks with W parameters and L layers, so at most "
                    "that many points can be shattered (constant set to 1, natural log).",
          expr=W * L * sp.log(W), monotone={"W": "increasing", "L": "increasing"},
          examples={"W": 10 ** 6, "L": 10}),
    bound("park2021.ffn.upper",
          title="Park et al.: O(N^(2/3) + log(1/delta)) parameters memorize N separated points",
          source=PARK2021("main theorem, as quoted in arXiv 2409.17677"), kind="upper", status="rate",
          quantity=PARAMETERS, params=params("N", "delta"),
          statement="N^(2/3) + log(1/delta) parameters up to constants for delta-separated inputs (sub-linear in N).",
          expr=N ** sp.Rational(2, 3) + sp.log(1 / delta), monotone={"N": "increasing", "delta": "decreasing"},
          assumptions=(DELTA_AT_MOST_ONE, Assumption("delta-separated", "the N inputs are pairwise at least delta apart")),
          reading="log(1/delta): the notes print 'log delta', which is negative for every delta < 1 and so cannot "
                  "count parameters; we read the inverse separation"),
    bound("sontag1997.ffn.lower",
          title="Sontag: without separation, memorizing N points needs (N - 1)/2 parameters",
          source=SONTAG1997("lower bound, as quoted in arXiv 2409.17677"), kind="lower", status="certificate",
          quantity=PARAMETERS, params=params("N"),
          statement="Without a separation assumption, a network that memorizes every labelling of N points has at "
                    "least (N - 1)/2 parameters.", expr=(N - 1) / 2, monotone={"N": "increasing"},
          assumptions=(Assumption("no separation", "the points may be arbitrarily close"),)),
    bound("siegel2024.ffn.lower",
          title="Siegel: Omega(N) parameters when delta is exponentially small in N",
          source=SIEGEL2024("lower bound, as quoted in arXiv 2409.17677"), kind="lower", status="rate",
          quantity=PARAMETERS, params=params("N"),
          statement="If the separation delta is exponentially small in N, memorizing N points needs Omega(N) "
                    "parameters (constant set to 1).", expr=N, monotone={"N": "increasing"},
          assumptions=(Assumption("exponentially small separation", "delta = exp(-Omega(N))"),)),
]

# --------------------------------------------------------------------------- Morris et al.: a measurement
MORRIS2025 = Paper("2505.24832", "Morris et al.", 2025, "", "How much do language models memorize?",
                   provenance="secondary", via="the abstract (notes experiments-wave2 §5)")
bits_param = Param("bits", "bits of random data to memorize (N binary labels carry N bits)", 10 ** 6, low=0,
                   low_open=True)
MEASURED = ("A measurement, not a theorem: GPT-style models of 0.5M to 1.5B parameters trained to saturation "
            "on uniformly random bitstrings stored about 3.6 bits per parameter.")
BOUNDS += [
    bound("morris2025.capacity.bits", title="Morris et al.: about 3.6 bits per parameter (measured)",
          source=MORRIS2025("abstract (measured capacity)"), kind="fit", status="rate", quantity=TOTAL_BITS,
          params=(W_param,), statement=MEASURED + " Capacity ≈ 3.6 W bits.",
          expr=sp.Rational(36, 10) * W, latex_rhs=r"3.6\,W", monotone={"W": "increasing"},
          notes="Fitted on models of 5e5 to 1.5e9 parameters; outside that range it is an extrapolation."),
    bound("morris2025.capacity.params_for_bits",
          title="Morris et al.'s 3.6 bits per parameter inverted: parameters to store a number of bits (measured)",
          source=MORRIS2025("abstract (measured capacity, inverted)"), kind="fit", status="rate", quantity=PARAMETERS,
          params=(bits_param,), statement=MEASURED + " Storing `bits` bits takes about bits / 3.6 parameters.",
          expr=bits_param.symbol / sp.Rational(36, 10), latex_rhs=r"\mathrm{bits} / 3.6",
          monotone={"bits": "increasing"}, derived=True),
]

register(*BOUNDS)