"""Other depth and size results from the depth notes, as rates where the constants are not known.

Liu et al. 2023 (automata shortcuts), Sanford, Hsu & Telgarsky 2023 (one-layer
sizes), Peng et al. 2024, Rajaraman et al. 2024, Ye et al. 2025 and Yehudai
et al. 2025.  Most constants here come from secondary sources ([S] or [S/R] in
the notes): each bound says so in its notes.

>>> from tbounds.bounds import get
>>> int(get("ye2025.connectivity.max_diameter")(L=3)), int(get("rajaraman2024.markov.depth_mlp")())
(27, 3)
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import DEPTH, WIDTH
from ..record import Assumption
from ..registry import register
from .common import (ATTENTION_BITS, COMPOSITION_BITS, DIAMETER, LIU2023, PNP2024, RAJARAMAN2024, SECONDARY, SHT2023,
                     YE2025, YEHUDAI2025, bound)

P = {
    "n": Param("n", "input length T (number of automaton steps)", 1024, integer=True, low=2),
    "Q": Param("Q", "number of automaton states |Q|", 5, integer=True, low=2),
    "q": Param("q", "sparsity q of q-sparse averaging", 4, integer=True, low=1),
    "N": Param("N", "input length (tokens)", 1000, integer=True, low=2),
    "n_comp": Param("n", "domain size of the composed functions", 1000, integer=True, low=2),
    "k": Param("k", "order of the in-context Markov chain", 8, integer=True, low=2),
    "L": Param("L", "number of transformer layers", 3, integer=True, low=1),
    "n_graph": Param("n", "number of graph vertices", 100, integer=True, low=2),
}
n, Q, q, N, k, L = (P[x].symbol for x in "nQqNkL")

UNVERIFIED = "[S/R] constants unverified in the notes; verify against the paper before relying on them."
LOG_PRECISION = Assumption("log precision", "activations have O(log n) bits of precision")
BOUNDS = [
    # ------------------------------------------------------------------ Liu et al. 2023
    bound("liu2023.automata.depth", title="Automata: O(log T)-depth simulators for every semiautomaton",
          source=LIU2023("Theorem 1"), kind="upper", status="rate", quantity=DEPTH, params=(P["n"],),
          statement="Every semiautomaton has a transformer simulator of depth O(log T) on inputs of length T "
                    "(a parallel prefix product); constant set to 1, log base 2.",
          expr=sp.log(n, 2), latex_rhs=r"\log_2 T", monotone={"n": "increasing"},
          notes="Depth O(log T) is from the abstract [V]; the width statements are " + UNVERIFIED),
    bound("liu2023.automata.mlp_width", title="Automata: MLP width O(|Q|^2) for the O(log T) simulator",
          source=LIU2023("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="The O(log T)-depth simulator has embedding dimension and attention width O(|Q|) and MLP width "
                    "O(|Q|^2).", expr=Q ** 2, monotone={"Q": "increasing"}, notes=UNVERIFIED),
    bound("liu2023.automata.embedding_dim", title="Automata: embedding dimension O(|Q|) for the O(log T) simulator",
          source=LIU2023("Theorem 1 (sizes)"), kind="upper", status="rate", quantity=WIDTH, params=(P["Q"],),
          statement="Embedding dimension O(|Q|).", expr=Q, monotone={"Q": "increasing"}, notes=UNVERIFIED),
    bound("liu2023.automata.solvable_depth",
          title="Solvable automata: depth O(|Q|^2 log |Q|), independent of the input length",
          source=LIU2023("Theorem 2"), kind="upper", status="rate", quantity=DEPTH, params=(P["Q"],),
          statement="Automata whose transformation semigroup has only solvable groups have simulators of depth "
                    "O(|Q|^2 log |Q|), independent of T (Krohn-Rhodes), with width exponential in |Q|.",
          expr=Q ** 2 * sp.log(Q, 2), latex_rhs=r"|Q|^2 \log_2 |Q|", monotone={"Q": "increasing"},
          assumptions=(Assumption("solvable", "every group in the transformation semigroup is solvable"),),
          notes="O(1) depth in T is from the abstract [V]; the |Q| dependence is " + UNVERIFIED),
    # ------------------------------------------------------------------ Sanford, Hsu & Telgarsky 2023
    bound("sanford2023.qsa.upper", title="q-sparse averaging: one attention layer with width O(q log N)",
          source=SHT2023("q-sparse averaging, upper bound"), kind="upper", status="rate", quantity=WIDTH,
          params=(P["q"], P["N"]),
          statement="One attention layer approximates qSA with embedding dimension m = O(q log N) "
                    "(log base 2, constant 1).",
          expr=q * sp.log(N, 2), latex_rhs=r"q \log_2 N", monotone={"q": "increasing", "N": "increasing"},
          notes="Logarithmic growth in N is from the abstract [V]; the exact form is " + UNVERIFIED),
    bound("sanford2023.qsa.lower", title="q-sparse averaging: any one-layer solution needs width Omega(q)",
          source=SHT2023("q-sparse averaging, lower bound"), kind="lower", status="rate", quantity=WIDTH,
          params=(P["q"],), statement="Any one-layer transformer approximating qSA has m = Omega(q).",
          expr=q, monotone={"q": "increasing"}, notes=UNVERIFIED),
    bound("sanford2023.match3.lower", title="Triple detection (Match3): one layer needs m H p = Omega(N)",
          source=SHT2023("Match3 lower bound"), kind="lower", status="rate", quantity=ATTENTION_BITS,
          params=(P["N"],),
          statement="A one-layer multi-head transformer detecting triples needs width x heads x precision "
                    "m H p = Omega(N).", expr=N, monotone={"N": "increasing"}, notes=UNVERIFIED),
    bound("sanford2023.induction.one_layer_lower",
          title="Induction heads in one layer need m H p = Omega(N)",
          source=SHT2023("induction-head lower bound (communication complexity)"), kind="lower", status="rate",
          quantity=ATTENTION_BITS, params=(P["N"],),
          statement="A one-layer transformer solves the induction-head task only if m H p = Omega(N); two layers "
                    "suffice with small size.", expr=N, monotone={"N": "increasing"}, notes=UNVERIFIED),
    # ------------------------------------------------------------------ Peng, Narayanan & Papadimitriou 2024
    bound("peng2024.composition.one_layer_lower",
          title="Function composition in one layer needs H (d + 1) p >= n log n",
          source=PNP2024("function-composition impossibility"), kind="lower", status="rate",
          quantity=COMPOSITION_BITS, params=(P["n_comp"],),
          statement="One attention layer with H heads, embedding d and p bits of precision cannot compose two "
                    "functions on a domain of size n when H (d + 1) p < n log n.",
          expr=n * sp.log(n, 2),
          latex_rhs=r"n \log_2 n", monotone={"n": "increasing"},
          notes=SECONDARY + " The log base is not given; base 2 is our choice, hence status rate."),
    # ------------------------------------------------------------------ Rajaraman et al. 2024
    bound("rajaraman2024.markov.depth_attention_only",
          title="k-th order Markov in context: O(log2 k) attention-only layers",
          source=RAJARAMAN2024("main result (attention-only)"), kind="upper", status="rate", quantity=DEPTH,
          params=(P["k"],),
          statement="Attention-only transformers with O(log2 k) layers represent the in-context conditional of a "
                    "k-th order Markov chain, by composing induction heads.",
          expr=sp.log(k, 2), latex_rhs=r"\log_2 k", monotone={"k": "increasing"}),
    bound("rajaraman2024.markov.depth_mlp",
          title="k-th order Markov in context: 3 layers with MLPs and normalisation",
          source=RAJARAMAN2024("main result (with MLPs and layer norm)"), kind="upper", status="certificate",
          quantity=DEPTH, params=(), statement="With MLPs and normalisation, one head per layer and 3 layers suffice "
                                               "for every order k.",
          expr=sp.Integer(3), integer_valued=True),
    # ------------------------------------------------------------------ Ye et al. 2025, Yehudai et al. 2025
    bound("ye2025.connectivity.max_diameter",
          title="Learned connectivity: an L-layer disentangled transformer covers graph diameter 3^L",
          source=YE2025("capacity result"), kind="upper", status="certificate", quantity=DIAMETER, params=(P["L"],),
          statement="L-layer disentangled transformers with nonnegative weights have capacity 3^L in graph "
                    "diameter: the same base-3 growth as Mușat's retrieval bound.",
          expr=3 ** L, integer_valued=True, monotone={"L": "increasing"},
          assumptions=(Assumption("disentangled, nonnegative weights", "the architecture of Ye et al."),),
          notes=SECONDARY),
    bound("yehudai2025.cycle.width", title="1-vs-2-cycle: two layers with O(n) width",
          source=YEHUDAI2025("two-layer construction"), kind="upper", status="rate", quantity=WIDTH,
          params=(P["n_graph"],),
          statement="Two layers of width O(n) solve 1-vs-2-cycle and connectivity-style tasks on n vertices "
                    "(around 100k parameters at n = 100, depth/width pairs (1,125), (2,89), (4,63), (8,45), (10,40) "
                    "perform about the same).",
          expr=P["n_graph"].symbol, monotone={"n": "increasing"}, notes=SECONDARY),
]

register(*BOUNDS)
