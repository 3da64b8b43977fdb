"""Memorization capacity: Kajitsuka & Sato 2025 (arXiv 2409.17677) and the bounds it compares with.

Every formula follows ``shared/papers/memorization.md``; ``docs/memorization.md``
derives the reconstructed ones.  Logs in the explicit (reconstructed) forms are
base 2, as in the proofs; rates use natural logs since their constants are hidden.

>>> from tbounds.bounds import get
>>> round(float(get("kajitsuka2025.seq2seq.lower_hardmax")(N=1000, n=1000)), 1)
64.2
>>> round(float(get("kajitsuka2025.next_token.upper.depth_explicit")(N=1000, n=8, d=6, r=6**0.5, delta=0.01, C=2)))
4242
"""

from __future__ import annotations

import sympy as sp

from .domain import Param
from .quantities import BIT_COMPLEXITY, DEPTH, PARAMETERS, TOTAL_BITS, WIDTH
from .record import Assumption, Bound, Source
from .registry import register

FAMILY = "memorization"

# --------------------------------------------------------------------------- parameters
P = {
    "N": Param("N", "number of input sequences (examples) to memorize", 1000, integer=True, low=2),
    "n": Param("n", "sequence length (tokens per sequence)", 8, integer=True, low=1),
    "d": Param("d", "token dimension", 6, integer=True, low=1),
    "r": Param("r", "upper bound on every token's Euclidean norm", 2.449489742783178, low=0, low_open=True),
    "delta": Param("delta", "separation: distinct tokens are at least delta apart", 0.01, low=0, low_open=True),
    "C": Param("C", "number of label classes", 2, integer=True, low=2),
    "B": Param("B", "bit budget parameter of Theorem F.1 (B in [sqrt(N)])", 8, integer=True, low=2),
    "omega": Param("omega", "vocabulary size (number of distinct word vectors)", 1000, integer=True, low=1),
    "zeta": Param("zeta", "vocabulary size in Madden et al.'s notation", 1000, integer=True, low=2),
}
N, n, d, r, delta, C, B, omega, zeta = (P[k].symbol for k in ("N", "n", "d", "r", "delta", "C", "B", "omega", "zeta"))


def params(*names: str) -> tuple[Param, ...]:
    return tuple(P[k] for k in names)


def log2(x):
    return sp.log(x, 2)


# --------------------------------------------------------------------------- assumptions
R_AT_LEAST_ONE = Assumption("r >= 1", "every theorem assumes r >= 1 (Assumption 4.1 bounds token norms by r)", r >= 1)
DELTA_AT_MOST_ONE = Assumption("0 < delta <= 1", "every theorem assumes 0 < delta <= 1 (Assumption 4.1)", delta <= 1)
DELTA_AT_MOST_2R = Assumption(
    "delta <= 2r", "two distinct tokens of norm at most r are at most 2r apart, so delta > 2r admits no data", delta <= 2 * r)
SEPARATED = Assumption("token-wise (r, delta)-separated",
                       "tokens are identical or at least delta apart, across all sequences (Assumption 4.1); "
                       "measured on data by empirical.measure.separation")
CONSISTENT_NEXT = Assumption("consistent labels (next-token)",
                             "sequences equal up to a permutation with the same last token carry the same label")
CONSISTENT_SEQ = Assumption("consistent labels (seq-to-seq)",
                            "a token's label depends only on the token and the multiset of its sequence")
SEPARATION = (R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R, SEPARATED)

INCREASING_IN_DATA = {"N": "increasing", "n": "increasing", "d": "increasing", "r": "increasing",
                      "delta": "decreasing", "C": "increasing"}

KS2025 = dict(arxiv="2409.17677", authors="Kajitsuka & Sato", year=2025, venue="ICLR 2025",
              title="On the Optimal Memorization Capacity of Transformers")


def ks(label: str) -> Source:
    return Source(label=label, **KS2025)


def bound(id: str, **fields) -> Bound:
    fields.setdefault("docs", "docs/memorization.md")
    return Bound(id=id, family=FAMILY, **fields)


def monotone(names, table=INCREASING_IN_DATA) -> dict[str, str]:
    return {k: table[k] for k in names if k in table}


# --------------------------------------------------------------------------- building blocks
def lemma_c1_depth(points, radius, classes):
    """Depth of Lemma C.1 (eq. 110), logs base 2, ceilings dropped: §3.4 of the notes."""
    s = sp.sqrt(points / log2(points))
    return 6 + 3 * sp.sqrt(points * log2(points)) + 3 * s * sp.Max(log2(radius), log2(classes)) + 2 * s


def lemma_c1_bits(points, radius, classes, first_term):
    """Bit complexity of Lemma C.1 (eq. 111), logs base 2."""
    s = sp.sqrt(points / log2(points))
    top = sp.Max(log2(radius), log2(classes))
    return sp.Max(first_term, s * top + sp.ceiling(log2(radius)), s * top + 2)


def rate_depth(points, radius, classes):
    """The ``≲`` shape sqrt(V log V) + sqrt(V / log V) max(log R, log C) shared by Vardi-type constructions."""
    return sp.sqrt(points * sp.log(points)) + sp.sqrt(points / sp.log(points)) * sp.Max(sp.log(radius), sp.log(classes))


R1 = 20 * r * (n * N) ** 2 / delta * sp.sqrt(sp.pi * d)
C1 = sp.ceiling(4 * N ** 3 * sp.sqrt(sp.pi))
R2_PROOF = 400 * sp.sqrt(3) * sp.pi * sp.sqrt(d) * r * n ** 3 * N ** 5 / delta
R2_PRINTED = 400 * sp.sqrt(3) * d * n ** 3 * r * N ** 5 / delta * sp.pi
R2_SEQ = 400 * sp.sqrt(3) * sp.pi * sp.sqrt(d) * r * n ** 5 * N ** 5 / delta
# FF2 works on contexts s in R^3 with norm <= 20 r n^2 N^3 sqrt(pi d)/delta and separation 1/n.
FF2_FIRST_BITS = log2(3 * 3 * (20 * r * n ** 2 * N ** 3 / delta * sp.sqrt(sp.pi * d)) * N ** 2 * sp.sqrt(sp.pi) * n)
FF1_FIRST_BITS = log2(3 * d * r * (n * N) ** 2 * sp.sqrt(sp.pi) / delta)

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
NEXT_TOKEN_HYPOTHESES = SEPARATION + (CONSISTENT_NEXT,)
SEQ_HYPOTHESES = SEPARATION + (CONSISTENT_SEQ,)
DATA_PARAMS = ("N", "n", "d", "r", "delta", "C")

BOUNDS: list[Bound] = []

# --------------------------------------------------------------------------- next-token upper bound
BOUNDS += [
    bound("kajitsuka2025.next_token.upper",
          title="Next-token memorization with O~(d + sqrt(N)) parameters",
          source=ks("Theorem 4.1 (shape of Theorem B.1)"), kind="upper", status="rate", quantity=PARAMETERS,
          params=params(*DATA_PARAMS),
          statement="A transformer of width 14 with one uniform-attention layer memorizes N consistently labelled, "
                    "token-wise (r, delta)-separated sequences with d + sqrt(N log N) + sqrt(N/log N) max(log R, log C) "
                    "parameters up to absolute constants, R = 400 sqrt(3) d n^3 r N^5 pi / delta.",
          expr=d + rate_depth(N, R2_PRINTED, C), assumptions=NEXT_TOKEN_HYPOTHESES,
          monotone=monotone(DATA_PARAMS),
          notes="Absolute constants are hidden (≲); read it as a shape in N and n, not a size prediction."),
    bound("kajitsuka2025.next_token.upper.depth",
          title="Depth of the next-token construction (rate)", source=ks("Theorem B.1"), kind="upper", status="rate",
          quantity=DEPTH, params=params(*DATA_PARAMS),
          statement="depth ≲ sqrt(N log N) + sqrt(N/log N) max(log R, log C), R = 400 sqrt(3) d n^3 r N^5 pi / delta.",
          expr=rate_depth(N, R2_PRINTED, C), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS)),
    bound("kajitsuka2025.next_token.upper.bits",
          title="Bit complexity of the next-token construction (rate)", source=ks("Theorem B.1"), kind="upper",
          status="rate", quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS),
          statement="bit complexity ≲ log d + sqrt(N/log N) max(log R, log C).",
          expr=sp.log(d) + sp.sqrt(N / sp.log(N)) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS)),
    bound("kajitsuka2025.next_token.upper.width",
          title="Width of the next-token construction", source=ks("Theorem B.1"), kind="upper", status="certificate",
          quantity=WIDTH, params=(), statement="The construction has width max(m, sH, q) = 14 for every N, n, d.",
          expr=sp.Integer(WIDTH_B1), integer_valued=True),
    bound("kajitsuka2025.next_token.total_bits",
          title="Total bits of the next-token construction (rate)", source=ks("Remark 4.4"), kind="upper",
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
              source=ks("Theorem B.1 (depth sums of Lemma C.1, eq. 110)"), kind="upper", status="reconstructed",
              quantity=DEPTH, params=params(*DATA_PARAMS),
              statement="depth = D(N, R_1, C_1) + D(N, R_2, C) + 1 with D(V, R, C) = 6 + 3 sqrt(V log V) + "
                        "3 sqrt(V/log V) max(log R, log C) + 2 sqrt(V/log V) (logs base 2, ceilings dropped), "
                        "R_1 = 20 r (nN)^2 sqrt(pi d)/delta, C_1 = ceil(4 N^3 sqrt(pi)); " + meaning + ".",
              expr=explicit_next_token_depth(R2), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS),
              reading=f"R_2 {reading}: {meaning}",
              notes="Numerically vacuous at small N (thousands of layers at N = 1000): use it as a scaling curve."),
        bound(f"kajitsuka2025.next_token.upper.bits_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Bit complexity of the next-token construction, explicit ({reading} reading of R)",
              source=ks("Theorem B.1 (Lemma C.1, eq. 111)"), kind="upper", status="reconstructed",
              quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS),
              statement="max over the two Lemma C.1 networks of max{log(3 d r V^2 sqrt(pi)/delta), "
                        "sqrt(N/log N) max(log R, log C) + ceil(log R), sqrt(N/log N) max(log R, log C) + 2}, logs base 2.",
              expr=explicit_next_token_bits(R2), assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS),
              reading=f"R_2 {reading}: {meaning}"),
        bound(f"kajitsuka2025.next_token.upper.params_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Parameters of the next-token construction, explicit ({reading} reading of R)",
              source=ks("Theorem B.1 (counted from the construction)"), kind="upper", status="reconstructed",
              quantity=PARAMETERS, params=params(*DATA_PARAMS),
              statement="14 d (E_in) + 14 (E_out) + 392 (W^O W^V of the attention layer) + 210 per unit of "
                        "explicit depth (a dense width-14 ReLU layer with biases).",
              expr=explicit_params(explicit_next_token_depth(R2)), assumptions=NEXT_TOKEN_HYPOTHESES,
              monotone=monotone(DATA_PARAMS), reading=f"R_2 {reading}: {meaning}"),
        bound(f"kajitsuka2025.next_token.total_bits_explicit{'' if reading == 'proof' else '.printed_R'}",
              title=f"Total bits of the next-token construction, explicit ({reading} reading of R)",
              source=ks("Theorem B.1 and Remark 4.4"), kind="upper", status="reconstructed", quantity=TOTAL_BITS,
              params=params(*DATA_PARAMS),
              statement="explicit parameter count times explicit bit complexity.",
              expr=explicit_params(explicit_next_token_depth(R2)) * explicit_next_token_bits(R2),
              assumptions=NEXT_TOKEN_HYPOTHESES, monotone=monotone(DATA_PARAMS), reading=f"R_2 {reading}: {meaning}"),
    ]

# --------------------------------------------------------------------------- next-token lower bounds
BOUNDS += [
    bound("kajitsuka2025.next_token.lower",
          title="Next-token memorization needs Omega(sqrt(N)) parameters", source=ks("Theorem 4.2 (= Theorem B.2)"),
          kind="lower", status="rate", quantity=PARAMETERS, params=params("N"),
          statement="A softmax transformer that shatters N sequences of identical tokens has Omega(sqrt(N)) "
                    "parameters (Goldberg-Jerrum VC bound after reduction to a ReLU FFN).",
          expr=sp.sqrt(N), monotone={"N": "increasing"},
          assumptions=(Assumption("shattering", "for every labelling in {0,1}^N some parameters fit it"),
                       Assumption("identical tokens", "every sequence repeats one token")),
          notes="The constant is hidden; see kajitsuka2025.next_token.lower_derived for an explicit form."),
    bound("kajitsuka2025.next_token.lower_derived",
          title="Next-token lower bound with explicit constants (n = 1 run of the Theorem 4.3 proof)",
          source=ks("Theorem 4.2, constants from the proof of Theorem B.3 at n = 1"), kind="lower",
          status="reconstructed", quantity=PARAMETERS, params=params("N"),
          statement="W >= sqrt(N / (9 log2(48 e N))): on sequences of identical tokens every attention rule "
                    "averages equal tokens, so the Theorem B.3 counting argument with n = 1 applies.",
          expr=sp.sqrt(N / (9 * log2(48 * sp.E * N))), monotone={"N": "increasing"},
          assumptions=(Assumption("shattering", "for every labelling in {0,1}^N some parameters fit it"),
                       Assumption("identical tokens", "every sequence repeats one token")),
          notes="Derived in these notes, not printed in the paper."),
]

# --------------------------------------------------------------------------- sequence-to-sequence
SEQ_PARAMS = DATA_PARAMS
BOUNDS += [
    bound("kajitsuka2025.seq2seq.upper",
          title="Sequence-to-sequence memorization with O~(d + sqrt(nN)) parameters", source=ks("Corollary 4.1"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params(*SEQ_PARAMS),
          statement="Width 14, depth O~(sqrt(nN)): d + sqrt(nN log(nN)) + sqrt(nN/log(nN)) max(log R', log C) "
                    "parameters up to constants, R' = 400 sqrt(3) pi sqrt(d) r n^5 N^5 / delta.",
          expr=d + rate_depth(n * N, R2_SEQ, C), assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS)),
    bound("kajitsuka2025.seq2seq.upper.depth_explicit",
          title="Depth of the sequence-to-sequence construction, explicit constants",
          source=ks("Corollary 4.1 (derived from Theorem B.1's proof)"), kind="upper", status="reconstructed",
          quantity=DEPTH, params=params(*SEQ_PARAMS),
          statement="D(N, R_1, C_1) + D(nN, R'_2, C) + 1: FF1 as in Theorem B.1, FF2 runs Lemma C.1 on the nN "
                    "(context, label) pairs with R'_2 = 400 sqrt(3) pi sqrt(d) r n^5 N^5 / delta.",
          expr=lemma_c1_depth(N, R1, C1) + lemma_c1_depth(n * N, R2_SEQ, C) + 1, assumptions=SEQ_HYPOTHESES,
          monotone=monotone(SEQ_PARAMS), notes="The paper states no formal version; derivation in docs/memorization.md."),
    bound("kajitsuka2025.seq2seq.upper.params_explicit",
          title="Parameters of the sequence-to-sequence construction, explicit constants",
          source=ks("Corollary 4.1 (derived from Theorem B.1's proof)"), kind="upper", status="reconstructed",
          quantity=PARAMETERS, params=params(*SEQ_PARAMS),
          statement="14 d + 14 + 392 + 210 x (explicit seq-to-seq depth), counted as for the next-token construction.",
          expr=explicit_params(lemma_c1_depth(N, R1, C1) + lemma_c1_depth(n * N, R2_SEQ, C) + 1),
          assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS)),
    bound("kajitsuka2025.seq2seq.total_bits",
          title="Total bits of the sequence-to-sequence construction (rate)", source=ks("Remark 4.6"), kind="upper",
          status="rate", quantity=TOTAL_BITS, params=params(*SEQ_PARAMS),
          statement="O~(sqrt(nN)) parameters of O~(sqrt(nN)) bits: O~(nN) bits, optimal since there are 2^(nN) labellings.",
          expr=(d + rate_depth(n * N, R2_SEQ, C)) * (sp.log(d) + sp.sqrt(n * N / sp.log(n * N)) * sp.Max(sp.log(R2_SEQ), sp.log(C))),
          assumptions=SEQ_HYPOTHESES, monotone=monotone(SEQ_PARAMS), derived=True),
    bound("kajitsuka2025.seq2seq.lower_hardmax",
          title="Sequence-to-sequence lower bound for hard attention, explicit constants",
          source=ks("Theorem 4.3 (proof of Theorem B.3)"), kind="lower", status="certificate", quantity=PARAMETERS,
          params=params("N", "n"),
          statement="A hard-attention transformer that shatters N sequences whose nN tokens are pairwise distinct has "
                    "W >= sqrt(nN / (9 log2(48 e n N))) parameters (nN <= 9 W^2 log2(48 e n N) in the proof).",
          expr=sp.sqrt(n * N / (9 * log2(48 * sp.E * n * N))), monotone={"N": "increasing", "n": "increasing"},
          assumptions=(Assumption("hard attention", "every attention layer uses hardmax (eq. 12)"),
                       Assumption("distinct tokens", "all nN tokens are pairwise distinct"),
                       Assumption("shattering", "every labelling in {0,1}^(N x n) is fitted by some parameters"))),
    bound("kajitsuka2025.seq2seq.lower_hardmax.rate",
          title="Sequence-to-sequence lower bound for hard attention (rate)", source=ks("Theorem 4.3"), kind="lower",
          status="rate", quantity=PARAMETERS, params=params("N", "n"),
          statement="W = Omega(sqrt(nN / log(nN))).", expr=sp.sqrt(n * N / sp.log(n * N)),
          monotone={"N": "increasing", "n": "increasing"},
          assumptions=(Assumption("nN >= 3", "the rate's log(nN) is only meaningful past e", n * N >= 3),
                       Assumption("hard attention", "every attention layer uses hardmax (eq. 12)"))),
]

# --------------------------------------------------------------------------- limited bit budget
B_RANGE = Assumption("2 <= B <= sqrt(N)", "Theorem F.1 takes B in [sqrt(N)]", B ** 2 <= N)
BOUNDS += [
    bound("kajitsuka2025.next_token.limited_bits.depth",
          title="Depth with a bit budget (rate)", source=ks("Theorem F.1"), kind="upper", status="rate",
          quantity=DEPTH, params=params(*DATA_PARAMS, "B"),
          statement="Width 15, depth ≲ (N/B) sqrt(log B) + N/(B sqrt(log B)) max(log R, log C): fewer bits per "
                    "parameter cost more layers, up to O~(N) at constant precision.",
          expr=N / B * sp.sqrt(sp.log(B)) + N / (B * sp.sqrt(sp.log(B))) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES + (B_RANGE,), monotone={**monotone(DATA_PARAMS), "B": "decreasing"}),
    bound("kajitsuka2025.next_token.limited_bits.bits",
          title="Bit complexity with a bit budget (rate)", source=ks("Theorem F.1"), kind="upper", status="rate",
          quantity=BIT_COMPLEXITY, params=params(*DATA_PARAMS, "B"),
          statement="bit complexity ≲ log d + (B / sqrt(log B)) max(log R, log C).",
          expr=sp.log(d) + B / sp.sqrt(sp.log(B)) * sp.Max(sp.log(R2_PRINTED), sp.log(C)),
          assumptions=NEXT_TOKEN_HYPOTHESES + (B_RANGE,), monotone={**monotone(DATA_PARAMS), "B": "increasing"}),
]

# --------------------------------------------------------------------------- baselines (Table 1 and FFNs)
TABLE1 = "Table 1 of arXiv 2409.17677"
BOUNDS += [
    bound("kim2023.seq2seq.upper",
          title="Kim et al.: seq-to-seq memorization with O~(d + n + sqrt(nN)) parameters",
          source=Source(None, "Kim, Kim & Mozafari", 2023, f"main theorem, as cited in {TABLE1}", venue="ICLR 2023",
                        title="Provable Memorization Capacity of Transformers"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="Contextual mapping from 2n self-attention layers, depth O~(n + sqrt(nN)); logs hidden by O~.",
          expr=d + n + sp.sqrt(n * N), assumptions=(SEPARATED, CONSISTENT_SEQ),
          monotone={"N": "increasing", "n": "increasing", "d": "increasing"},
          notes="The exact constants of the formal theorem are not in our sources."),
    bound("mahdavi2024.next_token.upper",
          title="Mahdavi et al.: one multi-head attention layer, O(d^2 N / n) parameters",
          source=Source(None, "Mahdavi, Liao & Thrampoulidis", 2024, f"main theorem, as cited in {TABLE1}",
                        venue="ICLR 2024", title="Memorization Capacity of Multi-Head Attention in Transformers"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="H heads of dimension d (Theta(H d^2) parameters) memorize Omega(H n) examples, so N examples "
                    "take O(d^2 N / n) parameters.",
          expr=d ** 2 * N / n,
          assumptions=(Assumption("n < d", "the context is shorter than the embedding dimension", n < d),
                       Assumption("linear independence", "the input tokens are linearly independent")),
          monotone={"N": "increasing", "n": "decreasing", "d": "increasing"}, examples={"n": 8, "d": 64}),
    bound("kajitsuka2024.seq2seq.upper",
          title="Kajitsuka & Sato 2024: one softmax layer with O(dnN + d^2) parameters",
          source=Source("2307.14023", "Kajitsuka & Sato", 2024, f"main theorem, as cited in {TABLE1}",
                        venue="ICLR 2024", title="Are Transformers with One Layer Self-Attention Using Low-Rank "
                                                 "Weight Matrices Universal Approximators?"),
          kind="upper", status="rate", quantity=PARAMETERS, params=params("N", "n", "d"),
          statement="A single-layer single-head softmax transformer with low-rank weights memorizes with O(dnN + d^2) parameters.",
          expr=d * n * N + d ** 2, assumptions=(SEPARATED, CONSISTENT_SEQ),
          monotone={"N": "increasing", "n": "increasing", "d": "increasing"}),
    bound("madden2024.next_token.upper",
          title="Madden et al.: one-layer decoder, O(omega N) parameters", kind="upper", status="rate",
          source=Source("2405.13718", "Madden, Fox & Thrampoulidis", 2024, f"main theorem, as cited in {TABLE1}",
                        title="Next-token prediction capacity"),
          quantity=PARAMETERS, params=params("N", "omega"),
          statement="With positional encoding and infinite precision, N contexts over a vocabulary of omega words "
                    "are interpolated with O(omega N) parameters.", expr=omega * N,
          monotone={"N": "increasing", "omega": "increasing"}),
    bound("madden2024.next_token.lower",
          title="Madden et al.: one-layer decoder needs Omega(omega N) parameters", kind="lower", status="rate",
          source=Source("2405.13718", "Madden, Fox & Thrampoulidis", 2024, f"Theorem 21, as cited in {TABLE1}",
                        title="Next-token prediction capacity"),
          quantity=PARAMETERS, params=params("N", "omega"), statement="Omega(omega N) parameters are necessary.",
          expr=omega * N, monotone={"N": "increasing", "omega": "increasing"}),
    bound("madden2024.next_token.lower_explicit",
          title="Madden et al.: at most k/(zeta - 1) contexts with k parameters", kind="lower", status="certificate",
          source=Source("2405.13718", "Madden, Fox & Thrampoulidis", 2024, "Lemma 9",
                        title="Next-token prediction capacity"),
          quantity=PARAMETERS, params=params("N", "zeta"),
          statement="The number of interpolable contexts is at most k/(zeta - 1), so N contexts need k >= (zeta - 1) N.",
          expr=(zeta - 1) * N, monotone={"N": "increasing", "zeta": "increasing"},
          notes="Madden et al.'s notation: k parameters, vocabulary zeta; quoted via arXiv 2409.17677's related work."),
]

VARDI = dict(authors="Vardi, Yehudai & Shamir", year=2022, venue="ICLR 2022",
             title="On the Optimal Memorization Power of ReLU Neural Networks")
VARDI_PARAMS = ("N", "d", "r", "delta", "C")
for suffix, factor, reading in (("", 20, "R = 20 r N^2 sqrt(pi d)/delta, as Lemma C.1 of arXiv 2409.17677 reproduces it"),
                                (".vardi_R", 10, "R = 10 r N^2 sqrt(pi d)/delta, Vardi et al.'s own Theorem 3.1 "
                                                 "as we recall it (unverified)")):
    BOUNDS.append(bound(
        f"vardi2022.ffn.upper{suffix}",
        title="Vardi et al.: a ReLU network memorizes N points with O~(sqrt(N)) parameters",
        source=Source(None, label="Theorem 3.1", **VARDI), kind="upper", status="rate", quantity=PARAMETERS,
        params=params(*VARDI_PARAMS),
        statement="Width 12, depth ≲ sqrt(N log N) + sqrt(N/log N) max(log R, log C); parameters ∝ d + depth.",
        expr=d + rate_depth(N, factor * r * N ** 2 / delta * sp.sqrt(sp.pi * d), C),
        assumptions=(R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R,
                     Assumption("separated points", "N points with norm <= r, pairwise at least delta apart")),
        monotone=monotone(VARDI_PARAMS), reading=reading))
BOUNDS += [
    bound("goldberg1995.ffn.lower",
          title="Goldberg & Jerrum: shattering N points needs Omega(sqrt(N)) ReLU-network parameters",
          source=Source(None, "Goldberg & Jerrum", 1995, "VC dimension O(W^2), as used in Theorem 4.2 of arXiv 2409.17677",
                        venue="Machine Learning 18"),
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
          source=Source(None, label="Theorem 3.1 applied to flattened sequences", **VARDI), kind="upper",
          status="rate", quantity=PARAMETERS, params=params(*DATA_PARAMS),
          statement="Flattened sequences lie in R^(dn) with norm <= r sqrt(n) and distinct ones are >= delta apart, "
                    "so Vardi et al. give d n + sqrt(N log N) + sqrt(N/log N) max(log R, log C), "
                    "R = 20 r sqrt(n) N^2 sqrt(pi d n)/delta.",
          expr=d * n + rate_depth(N, 20 * r * sp.sqrt(n) * N ** 2 / delta * sp.sqrt(sp.pi * d * n), C),
          assumptions=(R_AT_LEAST_ONE, DELTA_AT_MOST_ONE, DELTA_AT_MOST_2R, SEPARATED), derived=True,
          monotone=monotone(DATA_PARAMS), notes="Our composition: docs/memorization.md shows the norm and separation."),
]

register(*BOUNDS)
