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
