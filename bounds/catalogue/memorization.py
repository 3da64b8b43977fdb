"""Reference cases for the memorization family (shared/papers/memorization.md)."""

import math

from ..errors import AssumptionError, ParameterError, SolveError, UnknownBoundError
from . import Bracket, Case, Raises, SolveCase

WORKED = dict(d=6, r=math.sqrt(6), delta=0.01, C=2)  # the worked example of §3.4

CASES = [
    # Printed values (§3.4): the hard-attention bound at N = 1000.
    Case("kajitsuka2025.seq2seq.lower_hardmax", dict(N=1000, n=8), 6.7, "notes §3.4: ≈ 6.7", rel=0.01),
    Case("kajitsuka2025.seq2seq.lower_hardmax", dict(N=1000, n=1000), 64, "notes §3.4: ≈ 64", rel=0.01),
    # Hand computation of sqrt(8000 / (9 log2(48 e 8000))).
    Case("kajitsuka2025.seq2seq.lower_hardmax", dict(N=1000, n=8),
         math.sqrt(8000 / (9 * math.log2(48 * math.e * 8000))), "closed form by hand"),
    # The worked example of §3.4: depth ≈ 4.2k at N = 1000, n = 8; ≈ 5.3k at n = 1000; ≈ 47k at N = 1e5.
    Case("kajitsuka2025.next_token.upper.depth_explicit", dict(N=1000, n=8, **WORKED), 4200, "notes §3.4: ≈ 4.2k", rel=0.02),
    Case("kajitsuka2025.next_token.upper.depth_explicit", dict(N=1000, n=1000, **WORKED), 5300, "notes §3.4: ≈ 5.3k", rel=0.03),
    Case("kajitsuka2025.next_token.upper.depth_explicit", dict(N=100000, n=8, **WORKED), 47000, "notes §3.4: ≈ 47k", rel=0.03),
    # Bits per parameter ≈ 875 at N = 1000 (the notes used Theorem B.1's printed R, with d).
    Case("kajitsuka2025.next_token.upper.bits_explicit.printed_R", dict(N=1000, n=8, **WORKED), 875,
         "notes §3.4: ≈ 875", rel=0.02),
    Case("kajitsuka2025.next_token.upper.bits_explicit.printed_R", dict(N=100000, n=8, **WORKED), 8800,
         "notes §3.4: ≈ 8.8k", rel=0.03),
    # ≈ 0.9M parameters (210 x depth) at N = 1000, n = 8.
    Case("kajitsuka2025.next_token.upper.params_explicit", dict(N=1000, n=8, **WORKED), 0.9e6, "notes §3.4: ≈ 0.9M", rel=0.02),
    Case("kajitsuka2025.next_token.upper.width", {}, 14, "Theorem B.1: width 14"),
    Case("mlp_flattened.input_weights", dict(n=512, d=768), 512 * 768, "d n by hand"),
    Case("madden2024.next_token.lower_explicit", dict(N=100, zeta=11), 1000, "(zeta - 1) N by hand"),
    Case("mahdavi2024.next_token.upper", dict(N=100, n=8, d=64), 64 ** 2 * 100 / 8, "d^2 N / n by hand"),
    # Extreme arguments stay finite in log space: sqrt(N) at N = 1e300 is 1e150.
    Case("kajitsuka2025.next_token.lower", dict(N=1e300), 1e150, "sqrt by hand", rel=1e-12),
]

SOLVE_CASES = [
    # Round trip of the printed value: the largest N with bound <= 64.2 at n = 1000 is 1000.
    SolveCase("kajitsuka2025.seq2seq.lower_hardmax", "N", 64.2, dict(n=1000), 1000, "inverse of the notes' ≈ 64"),
    SolveCase("kajitsuka2025.seq2seq.lower_hardmax", "n", 6.7, dict(N=1000), 8, "inverse of the notes' ≈ 6.7"),
    SolveCase("mlp_flattened.input_weights", "n", 10 ** 6, dict(d=768), 1302, "floor(1e6 / 768)"),
    SolveCase("kajitsuka2025.next_token.lower", "N", 1000.0, {}, 10 ** 6, "sqrt(N) <= 1000"),
]

RAISES = [
    Raises("kajitsuka2025.next_token.upper", dict(N=1000, n=8, d=6, r=2.5, delta=2, C=2), AssumptionError,
           "0 < delta <= 1"),
    Raises("kajitsuka2025.next_token.upper", dict(N=1000, n=8, d=6, r=0.5, delta=0.1, C=2), AssumptionError, "r >= 1"),
    Raises("kajitsuka2025.next_token.upper", dict(N=1000, n=8, d=6, r=2.5, C=2), ParameterError, "'delta' is missing"),
    Raises("kajitsuka2025.next_token.upper", dict(N=1.5, n=8, d=6, r=2.5, delta=0.1, C=2), ParameterError,
           "must be an integer >= 2"),
    Raises("kajitsuka2025.next_token.upper", dict(N=1000, n=8, d=6, r=2.5, delta=-1, C=2), ParameterError,
           "'delta' must be a positive real number"),
    Raises("kajitsuka2025.next_token.upper", dict(N=1000, n=8, d=6, r=2.5, delta=0.1, C=2, q=3), ParameterError,
           "'q' is not a parameter"),
    Raises("kajitsuka2025.next_token.upper", dict(N="many", n=8, d=6, r=2.5, delta=0.1, C=2), ParameterError,
           "'N' must be an integer"),
    Raises("mahdavi2024.next_token.upper", dict(N=100, n=64, d=8), AssumptionError, "n < d"),
    Raises("kajitsuka2025.seq2seq.lower_hardmx", {}, UnknownBoundError, "did you mean kajitsuka2025.seq2seq.lower_hardmax"),
    Raises("kajitsuka2025.next_token.upper.width", {}, ParameterError, "it has no parameters", unknown="N", target=10),
    Raises("kajitsuka2025.seq2seq.lower_hardmax", dict(n=8), SolveError, "'N' is the unknown",
           unknown="N", target=10, extra=dict(N=5)),
    Raises("kajitsuka2025.next_token.lower", {}, SolveError, "no value of 'N'", unknown="N", target=0.5),
]

# Certificates and reconstructions only: rates hide constants, so they cannot be compared as numbers.
BRACKETS = [
    Bracket("kajitsuka2025.next_token.lower_derived", "kajitsuka2025.next_token.upper.params_explicit",
            "the construction memorizes every consistent labelling, including all 2^N labellings of "
            "identical-token sequences, which is the lower bound's setting", dict(N=1000, n=8, **WORKED)),
    Bracket("kajitsuka2025.seq2seq.lower_hardmax", "kajitsuka2025.seq2seq.upper.params_explicit",
            "uniform attention is hard attention with zero query-key weights (ties share the mass), so the "
            "seq-to-seq construction is a hard-attention transformer", dict(N=1000, n=8, **WORKED)),
]

# --------------------------------------------------------------------------- issue 13: bounds added from the notes
_R_DS = 80 * 8 ** 2 * 1000 ** 5 * math.sqrt(6) / 0.01 * math.pi * math.sqrt(6)  # Theorem D.1's R at M = 8, N = 1000
_R_E1 = 200 * math.sqrt(3) * 8 ** 2 * math.sqrt(6) * 1000 ** 5 / 0.01 * 500 * math.pi  # Theorem E.1's R, omega = 500


def _rate(V, R, C):  # sqrt(V ln V) + sqrt(V / ln V) max(ln R, ln C), the shape every Vardi-type rate shares
    return math.sqrt(V * math.log(V)) + math.sqrt(V / math.log(V)) * max(math.log(R), math.log(C))


CASES += [
    Case("kajitsuka2025.deep_sets.width", {}, 12, "Theorem D.1: width 12"),
    Case("kajitsuka2025.ffn.limited_bits.width", {}, 13, "Lemma F.1: width 13"),
    Case("kajitsuka2025.next_token.limited_bits.width", {}, 15, "Theorem F.1: width 15"),
    Case("kajitsuka2025.deep_sets.depth", dict(N=1000, M=8, **WORKED), _rate(1000, _R_DS, 2),
         "R = 80 M^2 N^5 r pi sqrt(d)/delta by hand", rel=1e-12),
    Case("kajitsuka2025.embedding.upper", dict(N=1000, n=8, omega=500, r=math.sqrt(6), delta=0.01, C=2),
         500 + _rate(1000, _R_E1, 2), "omega + rate with R = 200 sqrt(3) n^2 r N^5 omega pi/delta by hand", rel=1e-12),
    Case("kajitsuka2025.ffn.limited_bits.depth", dict(N=10 ** 4, B=16, **WORKED),
         10 ** 4 / 16 * math.sqrt(math.log(16)) + 10 ** 4 / (16 * math.sqrt(math.log(16)))
         * math.log(20 * math.sqrt(6) * 1e8 / 0.01 * math.sqrt(6 * math.pi)), "Lemma F.1 shape by hand", rel=1e-12),
    Case("kajitsuka2025.next_token.upper.depth.footnote2", dict(N=1000, n=8), math.sqrt(1000 * math.log(8000)),
         "sqrt(N ln(nN)) by hand", rel=1e-12),
    Case("kajitsuka2025.deep_sets.bits", dict(N=1000, M=8, **WORKED),
         math.log(6) + math.sqrt(1000 / math.log(1000)) * math.log(_R_DS), "log d + sqrt(N/ln N) ln R by hand",
         rel=1e-12),
    Case("kajitsuka2025.embedding.bits", dict(N=1000, n=8, omega=500, r=math.sqrt(6), delta=0.01, C=2),
         math.log(500) + math.sqrt(1000 / math.log(1000)) * math.log(_R_E1), "log omega + sqrt(N/ln N) ln R by hand",
         rel=1e-12),
    Case("kajitsuka2025.ffn.limited_bits.bits", dict(N=10 ** 4, B=16, **WORKED),
         math.log(6) + 16 / math.sqrt(math.log(16)) * math.log(20 * math.sqrt(6) * 1e8 / 0.01 * math.sqrt(6 * math.pi)),
         "log d + (B/sqrt(ln B)) ln R by hand", rel=1e-12),
    Case("kajitsuka2025.next_token.upper.depth.footnote2.groups", dict(N=1000, n=8, **WORKED),
         math.sqrt(1000 * math.log(8000)) + math.sqrt(1000 / math.log(8000))
         * math.log(400 * math.sqrt(3) * 6 * 8 ** 3 * math.sqrt(6) * 1e15 / 0.01 * math.pi),
         "Theorem B.1's printed R with log(nN) group sizes, by hand", rel=1e-12),
    Case("siegel2024.ffn.lower", dict(N=1000), 1000, "Omega(N), constant 1"),
    Case("madden2024.next_token.contexts.empirical", dict(k=1000, zeta=11), 211, "(2 + 1/10) 1000/10 + 1 by hand"),
    Case("madden2024.next_token.lower_explicit.empirical", dict(N=211, zeta=11), 1000, "210 x 100 / 21 by hand"),
    Case("vardi2022.ffn.depth_limited", dict(N=10 ** 6, L=1000), 1000, "N/L at L = sqrt(N): sqrt(N)"),
    Case("nilsson1965.ffn.hidden_units", dict(N=1000), 999, "N - 1"),
    Case("baum1988.ffn.threshold_units", dict(N=1000, d=6), 167, "ceil(1000/6)"),
    Case("baum1988.ffn.threshold_units", dict(N=1200, d=6), 200, "ceil(1200/6) = 200 exactly"),
    Case("bartlett2019.ffn.vc", dict(W=10 ** 6, L=10), 10 ** 7 * math.log(10 ** 6), "W L ln W by hand", rel=1e-12),
    Case("park2021.ffn.upper", dict(N=10 ** 6, delta=0.01), 10 ** 4 + math.log(100), "N^(2/3) + ln(1/delta)",
         rel=1e-12),
    Case("sontag1997.ffn.lower", dict(N=1001), 500, "(N - 1)/2"),
    Case("morris2025.capacity.bits", dict(W=10 ** 6), 3.6e6, "experiments-wave2 §5: 3.6 bits per parameter",
         rel=1e-12),
    Case("morris2025.capacity.params_for_bits", dict(bits=3.6e6), 1e6, "3.6e6 bits / 3.6", rel=1e-12),
]

SOLVE_CASES += [
    SolveCase("baum1988.ffn.threshold_units", "N", 200, dict(d=6), 1200, "largest N with ceil(N/6) <= 200"),
    SolveCase("madden2024.next_token.contexts.empirical", "k", 211, dict(zeta=11), 1000, "Theorem 13 at 211 contexts"),
    SolveCase("nilsson1965.ffn.hidden_units", "N", 999, {}, 1000, "N - 1 <= 999"),
]

RAISES += [
    Raises("vardi2022.ffn.depth_limited", dict(N=10 ** 6, L=2000), AssumptionError, "L <= sqrt(N)"),
    Raises("kajitsuka2025.ffn.limited_bits.depth", dict(N=100, B=11, **WORKED), AssumptionError, "2 <= B <= sqrt(N)"),
    Raises("kajitsuka2025.deep_sets.depth", dict(N=1000, M=0, **WORKED), ParameterError, "'M' must be an integer >= 1"),
]
