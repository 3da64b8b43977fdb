"""Log-depth transformers: Merrill & Sabharwal, "A Little Depth Goes a Long Way" (arXiv 2503.03961).

Depths as exact step functions of the input length, their inverses (the longest
input a fixed depth handles, one bound per reading where the paper's
introduction and its corollaries disagree), and the empirical fits of Figure 2.

>>> from tbounds.bounds import get
>>> [int(get(i)(n=128)) for i in ("merrill2025.regular.nonuniform", "merrill2025.regular.looped",
...                               "merrill2025.connectivity")]
[33, 65, 32]
>>> int(get("merrill2025.regular.max_length.exact")(d=32)), round(float(get("merrill2025.regular.max_length.intro")(d=32)), 1)
(64, 107.6)
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import DEPTH, WIDTH
from ..record import Assumption
from ..registry import register
from ..steps import ceil_log, floor_div
from .common import GRAPH_SIZE, INPUT_LENGTH, INPUT_TOKENS, MS2025, bound

P = {
    "n": Param("n", "input length |w| (the string before the end marker $)", 128, integer=True, low=1),
    "d": Param("d", "number of transformer layers", 32, integer=True, low=5),
    "d_looped": Param("d", "number of transformer layers", 32, integer=True, low=9),
    "d_graph": Param("d", "number of transformer layers", 32, integer=True, low=18),
    "v": Param("n", "number of graph vertices", 128, integer=True, low=1),
    "s": Param("s", "source vertex (1-based), written in unary: s tokens", 1, integer=True, low=1),
    "t": Param("t", "target vertex (1-based), written in unary: t tokens", 2, integer=True, low=1),
    "Q": Param("Q", "number of automaton states |Q|", 5, integer=True, low=2, high=1e70),
    "b": Param("b", "layers computing one application of the associative operation", 2, integer=True, low=1),
    "n_assoc": Param("n", "number of operands (input length)", 1024, integer=True, low=2),
    "n_star": Param("n", "n*: the longest prefix length at which A5 accuracy is >= 95%", 128, integer=True, low=10),
    "n_star_any": Param("n", "n*: the longest prefix length at which A5 accuracy is >= 95%", 23, integer=True, low=1),
    "d_fit": Param("d", "number of layers (non-looped, width 512)", 24, integer=True, low=1),
    "w": Param("w", "model width (depth 6)", 512, integer=True, low=56),
}
n, s, t, Q, b, w = (P[x].symbol for x in ("n", "s", "t", "Q", "b", "w"))
d = P["d"].symbol  # every depth parameter is the integer symbol d

PRECISION = Assumption("log precision", "scalars have p = c log n bits and every operation is p-precise (Definition 4)")
MASKED_PRENORM = Assumption("masked pre-norm, averaging-hard attention",
                            "sublayers read layer_norm(m * h); attention splits weight uniformly over the arg-max "
                            "positions; no positional encoding but a BoS token")
REGULAR = Assumption("L regular", "the language is recognised by a finite automaton; input w$ with $ not in the alphabet")
CAUSAL = (PRECISION, MASKED_PRENORM, REGULAR)
GRAPH_INPUT = Assumption("adjacency-matrix input",
                         "n^2 adjacency bits, then n^3 padding tokens, then s and t in unary; causal and unmasked heads")
FIG2 = "Figure 2 (A5 state tracking, best of seeds, non-looped models)"


_WHAT = {"certificate": "this bound is the {} guaranteed, ",
         "heuristic": "this is the paper's illustrative figure for the {}, NOT a guarantee: "}


def _length_reading(suffix: str, expr, reading: str, latex: str, status: str = "certificate", **extra):
    return bound(f"merrill2025.regular.max_length.{suffix}",
                 title=f"Regular languages: the longest input d layers handle ({suffix} reading)",
                 source=MS2025("Corollary 1.2"), kind="lower", status=status, quantity=INPUT_LENGTH,
                 params=(P["d"],), expr=expr, latex_rhs=latex, monotone={"d": "increasing"},
                 statement="A d-layer causal transformer recognises L on w$ when 4 ceil(log2 |w|) + 5 <= d; "
                           + _WHAT[status].format("longest |w|") + reading + ".",
                 assumptions=CAUSAL, reading=reading, **extra)


def _vertex_reading(suffix: str, expr, reading: str, latex: str, status: str = "certificate", **extra):
    return bound(f"merrill2025.connectivity.max_vertices.{suffix}",
                 title=f"Graph connectivity: the most vertices d layers handle ({suffix} reading)",
                 source=MS2025("Corollary 2.1"), kind="lower", status=status, quantity=GRAPH_SIZE,
                 params=(P["d_graph"],), expr=expr, latex_rhs=latex, monotone={"d": "increasing"},
                 statement="A d-layer transformer solves s-t connectivity on n vertices when 18 + 2 ceil(log2 n) <= d; "
                           + _WHAT[status].format("largest n") + reading + ".",
                 assumptions=(PRECISION, MASKED_PRENORM, GRAPH_INPUT), reading=reading, **extra)


BOUNDS = [
    # ------------------------------------------------------------------ regular languages
    bound("merrill2025.regular.looped",
          title="Regular languages: a looped (0, 8, 9) transformer with 8 ceil(log2 n) + 9 layers",
          source=MS2025("Theorem 1"), kind="upper", status="certificate", quantity=DEPTH, params=(P["n"],),
          statement="Every regular language is recognised on w$ by a causally masked (0, 8, 9)-universal transformer "
                    "unrolled ceil(log2 |w|) times: 8 ceil(log2 |w|) + 9 layers (a binary tree of transition-monoid "
                    "products, 8 layers per level).",
          expr=8 * ceil_log(n, 2) + 9, integer_valued=True, monotone={"n": "increasing"}, assumptions=CAUSAL),
    bound("merrill2025.regular.looped.max_length",
          title="Regular languages: the longest input d looped layers handle",
          source=MS2025("Theorem 1 (inverted)"), kind="lower", status="certificate", quantity=INPUT_LENGTH,
          params=(P["d_looped"],),
          statement="8 ceil(log2 |w|) + 9 <= d holds exactly for |w| <= 2^floor((d - 9)/8).",
          expr=2 ** floor_div(d - 9, 8), integer_valued=True, monotone={"d": "increasing"}, assumptions=CAUSAL,
          derived=True),
    bound("merrill2025.regular.nonuniform",
          title="Regular languages: a non-uniform family with 4 ceil(log2 n) + 5 layers",
          source=MS2025("Corollary 1.1"), kind="upper", status="certificate", quantity=DEPTH, params=(P["n"],),
          statement="Hard-coding the layer index turns the 8-layer activeness block into 1 layer: a family T_n "
                    "with 4 ceil(log2 n) + 5 layers recognises L on inputs w$ of length n.",
          expr=4 * ceil_log(n, 2) + 5, integer_valued=True, monotone={"n": "increasing"}, assumptions=CAUSAL),
    _length_reading("exact", 2 ** floor_div(d - 5, 4),
                    "solving the corollary's condition exactly: |w| <= 2^floor((d - 5)/4)",
                    r"2^{\left\lfloor (d - 5)/4 \right\rfloor}", integer_valued=True, derived=True),
    _length_reading("intro", 2 ** ((d - 5) / 4),
                    "the introduction's numbers, ceiling dropped: |w| <= 2^((d - 5)/4) (d = 32 gives 107, d = 80 "
                    "gives 440K); it also equals one extraction of the printed bound, 2^((d - 9)/4 + 1); between "
                    "powers of two it exceeds what the condition guarantees (d = 24 allows 26.9, but |w| = 26 needs 25 "
                    "layers): an illustration, not a guarantee", r"2^{(d - 5)/4}", status="heuristic"),
    _length_reading("relaxed", 2 ** ((d - 9) / 4),
                    "the corollary text's relaxation |w| <= 2^((d - 9)/4), which the exact condition always implies",
                    r"2^{(d - 9)/4}"),
    _length_reading("printed_plus_one", 2 ** ((d - 9) / 4) + 1,
                    "the other extraction of the printed bound, 2^((d - 9)/4) + 1", r"2^{(d - 9)/4} + 1"),
    # ------------------------------------------------------------------ graph connectivity
    bound("merrill2025.connectivity",
          title="Graph connectivity: a (17, 2, 1) transformer with 2 ceil(log2 n) + 18 layers",
          source=MS2025("Theorem 2"), kind="upper", status="certificate", quantity=DEPTH, params=(P["v"],),
          statement="A (17, 2, 1)-universal transformer with causal and unmasked heads, fixed width, unrolled "
                    "ceil(log2 n) times, solves directed or undirected s-t connectivity on n vertices "
                    "(path doubling on n^3 padding tokens): 2 ceil(log2 n) + 18 layers.",
          expr=2 * ceil_log(n, 2) + 18, integer_valued=True, monotone={"n": "increasing"},
          assumptions=(PRECISION, MASKED_PRENORM, GRAPH_INPUT),
          notes="n counts vertices, not tokens: the input has about n^3 tokens (merrill2025.connectivity.input_length)."),
    bound("merrill2025.connectivity.input_length",
          title="Graph connectivity: the input length Theorem 2's construction reads",
          source=MS2025("Theorem 2 (input format)"), kind="exact", status="certificate", quantity=INPUT_TOKENS,
          params=(P["v"], P["s"], P["t"]),
          statement="N = n^2 adjacency tokens + n^3 padding tokens + s + t unary tokens for the source and target.",
          expr=n ** 2 + n ** 3 + s + t, integer_valued=True,
          monotone={"n": "increasing", "s": "increasing", "t": "increasing"},
          assumptions=(Assumption("s <= n", "the source is one of the n vertices", s <= n),
                       Assumption("t <= n", "the target is one of the n vertices", t <= n), GRAPH_INPUT)),
    bound("merrill2025.connectivity.input_length.worst",
          title="Graph connectivity: the longest input for n vertices (s = t = n)",
          source=MS2025("Theorem 2 (input format)"), kind="upper", status="certificate", quantity=INPUT_TOKENS,
          params=(P["v"],), statement="N <= n^3 + n^2 + 2n, taking s and t as large as a vertex index can be.",
          expr=n ** 3 + n ** 2 + 2 * n, integer_valued=True, monotone={"n": "increasing"}, derived=True,
          assumptions=(GRAPH_INPUT,)),
    _vertex_reading("exact", 2 ** floor_div(d - 18, 2),
                    "solving the corollary's condition exactly: n <= 2^floor((d - 18)/2)",
                    r"2^{\left\lfloor (d - 18)/2 \right\rfloor}", integer_valued=True, derived=True),
    _vertex_reading("intro", 2 ** ((d - 18) / 2),
                    "the introduction's numbers, ceiling dropped: n <= 2^((d - 18)/2) (d = 32 gives 128, "
                    "d = 80 gives 2.1 billion); at odd d it exceeds what the condition guarantees (d = 23 allows 5.7, but "
                    "n = 5 needs 24 layers): an illustration, not a guarantee", r"2^{(d - 18)/2}", status="heuristic"),
    _vertex_reading("relaxed", 2 ** ((d - 20) / 2),
                    "the corollary text's relaxation n <= 2^((d - 20)/2), which the exact condition always implies",
                    r"2^{(d - 20)/2}"),
    # ------------------------------------------------------------------ gadgets and sizes
    bound("merrill2025.division",
          title="Division gadget: 7 causally masked layers compute floor(a/m) and a mod m",
          source=MS2025("Lemma 1"), kind="upper", status="certificate", quantity=DEPTH, params=(),
          statement="With psi(i), psi(m) and phi(a_i), a_i <= i, in the residual stream, 7 causally masked layers "
                    "add phi(floor(a_i/m)) and phi(a_i mod m).",
          expr=sp.Integer(7), integer_valued=True, assumptions=(PRECISION, MASKED_PRENORM)),
    bound("merrill2025.associative.iterate",
          title="Iterating an associative operation n times: Theta(b log n) layers",
          source=MS2025("general tool (Section 3)"), kind="upper", status="rate", quantity=DEPTH,
          params=(P["b"], P["n_assoc"]),
          statement="If b layers compute a binary associative operation, Theta(b log n) layers compute its n-fold "
                    "iterate (e.g. products of matrices from a fixed finite set); constant set to 1, log base 2.",
          expr=b * sp.log(n, 2), latex_rhs=r"b \log_2 n", monotone={"b": "increasing", "n": "increasing"},
          assumptions=(PRECISION,)),
    bound("merrill2025.regular.model_dim.nfa", title="Regular languages: model dimension O(|Q|^2) from an NFA",
          source=MS2025("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="The construction's model dimension is O(|Q|^2) for an NFA with state set Q.",
          expr=Q ** 2, monotone={"Q": "increasing"}, assumptions=CAUSAL),
    bound("merrill2025.regular.model_dim.dfa", title="Regular languages: model dimension O(|Q| log|Q|) from a DFA",
          source=MS2025("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="The construction's model dimension is O(|Q| log |Q|) for a DFA with state set Q.",
          expr=Q * sp.log(Q, 2), latex_rhs=r"|Q| \log_2 |Q|", monotone={"Q": "increasing"}, assumptions=CAUSAL),
    bound("merrill2025.regular.ffn_width.nfa", title="Regular languages: feed-forward width O(2^(|Q|^4)) from an NFA",
          source=MS2025("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="The feed-forward width is O(2^(|Q|^4)) for an NFA.", expr=2 ** (Q ** 4),
          monotone={"Q": "increasing"}, assumptions=CAUSAL),
    bound("merrill2025.regular.ffn_width.dfa",
          title="Regular languages: feed-forward width O(2^(|Q|^2 log^2 |Q|)) from a DFA",
          source=MS2025("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="The feed-forward width is O(2^(|Q|^2 log^2 |Q|)) for a DFA.",
          expr=2 ** (Q ** 2 * sp.log(Q, 2) ** 2), latex_rhs=r"2^{|Q|^2 \log_2^2 |Q|}",
          monotone={"Q": "increasing"}, assumptions=CAUSAL),
    # ------------------------------------------------------------------ Figure 2 fits
    bound("merrill2025.a5_fit.depth", title="A5 state tracking: depth against n* (empirical fit, r^2 = 0.93)",
          source=MS2025(FIG2), kind="fit", status="rate", quantity=DEPTH, params=(P["n_star"],),
          statement="d = 4.8 log2(n*) - 15.8 (width 512; about 4.8 layers per doubling of n*, between the 4 of "
                    "Corollary 1.1 and the 8 of Theorem 1).",
          expr=sp.Rational(48, 10) * sp.log(n, 2) - sp.Rational(158, 10), latex_rhs=r"4.8 \log_2 n^* - 15.8",
          monotone={"n": "increasing"},
          notes="A fit certifies nothing (status rate). Fitted on depths 6..24, i.e. n* from about 23 to 313; "
                "n >= 10 keeps it positive."),
    bound("merrill2025.a5_fit.length", title="A5 state tracking: n* reached at depth d (empirical fit, inverted)",
          source=MS2025(FIG2), kind="fit", status="rate", quantity=INPUT_LENGTH, params=(P["d_fit"],),
          statement="log2 n* = (d + 15.8)/4.8: the depth fit solved for n* (d = 24 gives n* = 313).",
          expr=2 ** ((d + sp.Rational(158, 10)) / sp.Rational(48, 10)), latex_rhs=r"2^{(d + 15.8)/4.8}",
          monotone={"d": "increasing"}, derived=True),
    bound("merrill2025.a5_fit.width", title="A5 state tracking: n* against width at depth 6 (empirical fit, r^2 = 0.98)",
          source=MS2025(FIG2), kind="fit", status="rate", quantity=INPUT_LENGTH, params=(P["w"],),
          statement="n* = 7.2 log2(w) - 41.7 at depth 6: n* grows only logarithmically in width, so width must "
                    "grow like exp(Theta(n)).",
          expr=sp.Rational(72, 10) * sp.log(w, 2) - sp.Rational(417, 10), latex_rhs=r"7.2 \log_2 w - 41.7",
          monotone={"w": "increasing"}, notes="Fitted on widths 128..1024; w >= 56 keeps it positive."),
    bound("merrill2025.a5_fit.width_needed", title="A5 state tracking: width needed for n* at depth 6 (fit, inverted)",
          source=MS2025(FIG2), kind="fit", status="rate", quantity=WIDTH, params=(P["n_star_any"],),
          statement="w = 2^((n* + 41.7)/7.2): the width fit solved for w.",
          expr=2 ** ((n + sp.Rational(417, 10)) / sp.Rational(72, 10)), latex_rhs=r"2^{(n^* + 41.7)/7.2}",
          monotone={"n": "increasing"}, derived=True),
]

register(*BOUNDS)
