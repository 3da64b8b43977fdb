"""Reference cases for the depth family (shared/papers/depth.md, tables of A.2, B.5, C and D.5)."""

from ..errors import AssumptionError, ParameterError, SolveError, UnknownBoundError
from . import Bracket, Case, Raises, SolveCase

MUSAT_TABLE = {1: 1, 2: 2, 3: 2, 4: 2, 5: 3, 13: 3, 14: 4, 40: 4, 41: 5, 121: 5, 122: 6}
D_MAX = {1: 1, 2: 4, 3: 13, 4: 40, 5: 121, 6: 364}
KHOP = {1: 2, 2: 3, 3: 3, 4: 4, 7: 4, 8: 5, 15: 5, 16: 6, 31: 6, 32: 7}
# Table B.5: the longest input / most vertices for a fixed depth d, per reading.
REG_EXACT = {24: 16, 32: 64, 48: 1024, 80: 262144}
REG_INTRO = {24: 26.9, 32: 107.6, 48: 1722, 80: 440872}
REG_RELAXED = {24: 13.45, 32: 53.8, 48: 861, 80: 220436}  # the notes round 13.45 to 13.5
GRAPH_EXACT = {24: 8, 32: 128, 48: 32768, 80: 2 ** 31}
GRAPH_RELAXED = {24: 4, 32: 64, 48: 16384, 80: 2 ** 30}
A5_DEPTH_FIT = {6: 23, 9: 36, 12: 55, 15: 85, 18: 132, 21: 203, 24: 313}
A5_WIDTH_FIT = {128: 8.7, 256: 15.9, 512: 23.1, 1024: 30.3}

CASES = [
    *[Case("musat2025.retrieval.lower", dict(D=D), t, f"notes A.2 table: t_min({D}) = {t}") for D, t in MUSAT_TABLE.items()],
    *[Case("musat2025.retrieval.max_steps", dict(t=t), D, f"notes A.2 table: D_max({t}) = {D}") for t, D in D_MAX.items()],
    *[Case("sanford2024.khop.upper", dict(k=k), L, f"notes C threshold table: k = {k} needs {L} layers")
      for k, L in KHOP.items()],
    Case("sanford2024.khop.upper.max_hops", dict(L=6), 31, "notes C: 6 layers solve every k <= 16 (up to 31)"),
    Case("musat2025.retrieval.upper_khop", dict(D=16), 6, "floor(log2 16) + 2 by hand"),
    Case("merrill2025.regular.nonuniform", dict(n=128), 33, "notes D.5: reg_nonuniform(128) = 33"),
    Case("merrill2025.regular.looped", dict(n=128), 65, "notes D.5: reg_looped(128) = 65"),
    Case("merrill2025.connectivity", dict(n=128), 32, "notes D.5: graph(128) = 32"),
    # Exactly on and just past the steps, where floating-point ceilings go wrong.
    Case("merrill2025.regular.nonuniform", dict(n=64), 29, "4 * 6 + 5 by hand"),
    Case("merrill2025.regular.nonuniform", dict(n=65), 33, "4 * 7 + 5 by hand"),
    Case("merrill2025.regular.nonuniform", dict(n=2 ** 40), 165, "4 * 40 + 5 by hand"),
    Case("merrill2025.regular.nonuniform", dict(n=2 ** 40 + 1), 169, "4 * 41 + 5 by hand"),
    Case("merrill2025.regular.nonuniform", dict(n=10 ** 6), 85, "4 * ceil(log2 1e6) + 5 = 4 * 20 + 5"),
    Case("merrill2025.regular.looped", dict(n=10 ** 6), 169, "8 * 20 + 9"),
    Case("merrill2025.connectivity", dict(n=10 ** 6), 58, "2 * 20 + 18"),
    *[Case("merrill2025.regular.max_length.exact", dict(d=d), v, f"notes B.5 table, exact reading, d = {d}")
      for d, v in REG_EXACT.items()],
    *[Case("merrill2025.regular.max_length.intro", dict(d=d), v, f"notes B.5 table, intro reading, d = {d}", rel=1e-3)
      for d, v in REG_INTRO.items()],
    *[Case("merrill2025.regular.max_length.relaxed", dict(d=d), v, f"notes B.5 table, relaxed reading, d = {d}",
           rel=3e-3) for d, v in REG_RELAXED.items()],
    Case("merrill2025.regular.max_length.printed_plus_one", dict(d=32), 54.8, "2^(23/4) + 1 by hand", rel=1e-3),
    Case("merrill2025.regular.looped.max_length", dict(d=65), 128, "8 * 7 + 9 = 65 inverted"),
    *[Case("merrill2025.connectivity.max_vertices.exact", dict(d=d), v, f"notes B.5 table, exact reading, d = {d}")
      for d, v in GRAPH_EXACT.items()],
    *[Case("merrill2025.connectivity.max_vertices.relaxed", dict(d=d), v, f"notes B.5 table, relaxed, d = {d}",
           rel=1e-12) for d, v in GRAPH_RELAXED.items()],
    Case("merrill2025.connectivity.max_vertices.intro", dict(d=32), 128, "notes B.2: d = 32 -> 128 vertices", rel=1e-12),
    Case("merrill2025.connectivity.max_vertices.intro", dict(d=80), 2 ** 31, "notes D.5: nmax_graph_intro(80) = 2^31",
         rel=1e-12),
    Case("merrill2025.connectivity.input_length", dict(n=6, s=1, t=2), 255, "36 + 216 + 1 + 2 by hand"),
    Case("merrill2025.connectivity.input_length.worst", dict(n=6), 264, "216 + 36 + 12 by hand"),
    Case("merrill2025.division", {}, 7, "Lemma 1: 7 causally masked layers"),
    *[Case("merrill2025.a5_fit.length", dict(d=d), v, f"notes B.4 fitted table, d = {d}", rel=0.015)
      for d, v in A5_DEPTH_FIT.items()],
    *[Case("merrill2025.a5_fit.width", dict(w=w), v, f"notes B.4 fitted table, w = {w}", abs=0.051)
      for w, v in A5_WIDTH_FIT.items()],
    Case("merrill2025.a5_fit.depth", dict(n=313), 24, "the depth fit at n* = 313", rel=2e-3),
    Case("ye2025.connectivity.max_diameter", dict(L=3), 27, "3^3"),
    Case("sanford2024.khop.lower", dict(k=1024), 10, "log2 1024", rel=1e-12),
    Case("merrill2025.associative.iterate", dict(b=2, n=1024), 20, "2 log2 1024", rel=1e-12),
]

SOLVE_CASES = [
    # "How long for d layers": the largest input a depth of 32 handles, on the step function itself.
    SolveCase("merrill2025.regular.nonuniform", "n", 32, {}, 64, "4 ceil(log2 n) + 5 <= 32 up to n = 64"),
    SolveCase("merrill2025.regular.looped", "n", 32, {}, 4, "8 ceil(log2 n) + 9 <= 32 up to n = 4"),
    SolveCase("merrill2025.connectivity", "n", 32, {}, 128, "notes B.2: d = 32 -> 128 vertices"),
    SolveCase("merrill2025.connectivity", "n", 80, {}, 2 ** 31, "notes B.5: 2^31 at d = 80"),
    SolveCase("merrill2025.regular.nonuniform", "n", 33, {}, 128, "the step 4 * 7 + 5 = 33 ends at 128"),
    # "How deep for n tokens": the smallest depth whose guaranteed length reaches 10^6.
    SolveCase("merrill2025.regular.max_length.exact", "d", 10 ** 6, {}, 85, "2^floor((d-5)/4) >= 1e6 from d = 85",
              relation=">="),
    SolveCase("merrill2025.connectivity.max_vertices.exact", "d", 10 ** 6, {}, 58, "2^floor((d-18)/2) >= 1e6 from d = 58",
              relation=">="),
    SolveCase("musat2025.retrieval.lower", "D", 3, {}, 13, "notes A.2: 3 layers handle D <= 13"),
    SolveCase("musat2025.retrieval.lower", "D", 4, {}, 40, "notes A.2: 4 layers handle D <= 40"),
    SolveCase("musat2025.retrieval.max_steps", "t", 14, {}, 4, "the fewest layers with D_max >= 14", relation=">="),
    SolveCase("sanford2024.khop.upper", "k", 6, {}, 31, "6 layers: k <= 31"),
    SolveCase("sanford2024.khop.upper.max_hops", "L", 16, {}, 6, "k = 16 needs 6 layers", relation=">="),
    SolveCase("merrill2025.a5_fit.length", "d", 313.4, {}, 24, "n* = 313 is reached at d = 24"),
]

RAISES = [
    Raises("musat2025.retrieval.lower", dict(D=0), ParameterError, "must be an integer >= 1"),
    Raises("musat2025.retrieval.lower", dict(D=2.5), ParameterError, "must be an integer >= 1"),
    Raises("merrill2025.regular.max_length.exact", dict(d=4), ParameterError, "must be an integer >= 5"),
    Raises("merrill2025.connectivity.max_vertices.exact", dict(d=17), ParameterError, "must be an integer >= 18"),
    Raises("merrill2025.connectivity.input_length", dict(n=6, s=7, t=1), AssumptionError, "s <= n"),
    Raises("merrill2025.a5_fit.width", dict(w=50), ParameterError, "must be an integer >= 56"),
    Raises("musat2025.retrieval.lowr", {}, UnknownBoundError, "did you mean musat2025.retrieval.lower"),
    Raises("merrill2025.width_scaling.tc0", {}, UnknownBoundError, "unknown bound 'merrill2025.width_scaling.tc0'"),
    Raises("merrill2025.regular.nonuniform", {}, SolveError, "no value of 'n'", unknown="n", target=4),
    Raises("merrill2025.division", {}, ParameterError, "it has no parameters", unknown="n", target=10),
]

BRACKETS = [
    Bracket("musat2025.retrieval.lower", "musat2025.retrieval.upper_khop",
            "Mușat's necessary depth against the pointer-doubling depth that suffices (notes A.2)", dict(D=13)),
    Bracket("musat2025.retrieval.upper_khop.max_steps", "musat2025.retrieval.max_steps",
            "steps the k-hop analogue handles in t layers against the most Mușat allows", dict(t=5)),
    Bracket("sanford2024.khop.lower", "sanford2024.khop.upper",
            "the conditional Omega(log k) lower bound (constant 1) against floor(log2 k) + 2", dict(k=16)),
    Bracket("sanford2023.qsa.lower", "sanford2023.qsa.upper", "one-layer qSA width: Omega(q) against O(q log N)",
            dict(q=4, N=1000)),
]
