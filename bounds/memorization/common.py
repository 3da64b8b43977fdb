"""Shared pieces of the memorization family: parameters, assumptions, sources and the family's factory.

Every bound of the family draws its parameters from :data:`P`, so bounds can be put side by side on
one grid (``tbounds eval kajitsuka2025.next_token.upper vardi2022.ffn.upper -p N=log:1e2:1e8:13 --example``).

>>> P["delta"].meaning
'separation: distinct tokens are at least delta apart'
>>> KS2025("Theorem 4.1").cite()
'Kajitsuka & Sato 2025, Theorem 4.1 (arXiv:2409.17677)'
"""

from __future__ import annotations

from ..domain import Param
from ..record import Assumption, Family, Paper

FAMILY = Family("memorization", "docs/memorization.md")
bound = FAMILY.bound

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
NEXT_TOKEN_HYPOTHESES = SEPARATION + (CONSISTENT_NEXT,)
SEQ_HYPOTHESES = SEPARATION + (CONSISTENT_SEQ,)

# --------------------------------------------------------------------------- monotonicity
DATA_PARAMS = ("N", "n", "d", "r", "delta", "C")
INCREASING_IN_DATA = {"N": "increasing", "n": "increasing", "d": "increasing", "r": "increasing",
                      "delta": "decreasing", "C": "increasing"}


def monotone(names, table=INCREASING_IN_DATA) -> dict[str, str]:
    return {k: table[k] for k in names if k in table}


# --------------------------------------------------------------------------- sources
KS2025 = Paper("2409.17677", "Kajitsuka & Sato", 2025, "ICLR 2025", "On the Optimal Memorization Capacity of Transformers", provenance="primary")
TABLE1 = "Table 1 of arXiv 2409.17677"
KIM2023 = Paper(None, "Kim, Kim & Mozafari", 2023, "ICLR 2023", "Provable Memorization Capacity of Transformers", provenance="secondary",
                via="Table 1 and related work of arXiv 2409.17677")
MAHDAVI2024 = Paper(None, "Mahdavi, Liao & Thrampoulidis", 2024, "ICLR 2024",
                    "Memorization Capacity of Multi-Head Attention in Transformers", provenance="secondary",
                    via="Table 1 of arXiv 2409.17677")
KS2024 = Paper("2307.14023", "Kajitsuka & Sato", 2024, "ICLR 2024",
               "Are Transformers with One Layer Self-Attention Using Low-Rank Weight Matrices Universal Approximators?", provenance="secondary",
               via="Table 1 of arXiv 2409.17677")
MADDEN2024 = Paper("2405.13718", "Madden, Fox & Thrampoulidis", 2024, title="Next-token prediction capacity", provenance="secondary",
                   via="related work of arXiv 2409.17677")
VARDI2022 = Paper(None, "Vardi, Yehudai & Shamir", 2022, "ICLR 2022",
                  "On the Optimal Memorization Power of ReLU Neural Networks", provenance="secondary",
                  via="Lemma C.1 and related work of arXiv 2409.17677")
GOLDBERG1995 = Paper(None, "Goldberg & Jerrum", 1995, "Machine Learning 18", provenance="secondary",
                     via="Theorem 4.2's proof in arXiv 2409.17677")
