"""Depth for chained lookups: Mușat's retrieval problem (arXiv 2411.12118) and k-hop induction heads
(Sanford, Hsu & Telgarsky, arXiv 2402.09268).

Mușat's lower bound ``t >= ⌈log_3 2D⌉`` and the k-hop construction's
``⌊log2 k⌋ + 2`` layers bracket the depth a chain of D lookups needs; both
are step functions, written with the exact steps of :mod:`tbounds.bounds.steps`.

>>> from tbounds.bounds import get
>>> [int(get("musat2025.retrieval.lower")(D=D)) for D in (1, 2, 4, 5, 13, 14, 40, 41)]
[1, 2, 2, 3, 3, 4, 4, 5]
>>> int(get("sanford2024.khop.upper")(k=16)), int(get("sanford2024.khop.upper.max_hops")(L=6))
(6, 31)
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import DEPTH
from ..record import Assumption
from ..registry import register
from ..steps import ceil_log, floor_log
from .common import HOPS, RETRIEVAL_STEPS, SECONDARY, SHT2024, bound, musat

P = {
    "D": Param("D", "retrieval steps: chained lookups between the query and the answer", 13, integer=True, low=1),
    "t": Param("t", "number of transformer layers", 3, integer=True, low=1),
    "k": Param("k", "number of hops of the k-hop induction-head task", 16, integer=True, low=1),
    "L": Param("L", "number of transformer layers", 6, integer=True, low=2),
    "t2": Param("t", "number of transformer layers", 3, integer=True, low=2),
    "N": Param("N", "input length (tokens)", 100, integer=True, low=2),
    "R": Param("R", "rounds of the MPC protocol", 10, integer=True, low=1),
}
D, t, k, L, N, R = (P[x].symbol for x in "DtkLNR")

ASSUMPTION_1 = Assumption(
    "Assumption 1 (information flow)",
    "attention moves information between two positions only if they share information (token identity or "
    "position); the analysis uses a simplified transformer, and positional shortcuts can break it")
CONJECTURE = Assumption("1-cycle vs 2-cycle conjecture",
                        "distinguishing one cycle on N vertices from two cycles needs Omega(log N) MPC rounds")
SUBLINEAR_WIDTH = Assumption("width m = O(N^(1 - eps))", "the embedding width grows sublinearly in the input length")
KHOP_TASK = Assumption("hop_k as defined by Sanford et al.",
                       "each hop searches strictly left of the current pointer (not of the original position)")

BOUNDS = [
    # ------------------------------------------------------------------ Mușat, Theorem 1
    bound("musat2025.retrieval.lower",
          title="Retrieval problem: the fewest layers for D retrieval steps",
          source=musat("Theorem 1"), kind="lower", status="certificate", quantity=DEPTH, params=(P["D"],),
          statement="The target embedding can appear in the residual stream only if t >= log_3(2D): "
                    "t layers are necessary for D chained retrieval steps, so t_min(D) = ceil(log_3(2D)).",
          expr=ceil_log(2 * D, 3), integer_valued=True, monotone={"D": "increasing"},
          assumptions=(ASSUMPTION_1,),
          notes="Stated by reviewers and the paper's TL;DR (the body of the paper is not in our sources); "
                "D read as the number of chained retrieval steps."),
    bound("musat2025.retrieval.max_steps",
          title="Retrieval problem: the most retrieval steps t layers can handle",
          source=musat("Theorem 1 (inverted)"), kind="upper", status="certificate", quantity=RETRIEVAL_STEPS,
          params=(P["t"],),
          statement="3^t >= 2D is necessary, so t layers handle at most D_max(t) = floor(3^t / 2) = (3^t - 1)/2 "
                    "steps (3^t is odd).",
          expr=(3 ** t - 1) / 2, latex_rhs=r"\left\lfloor 3^{t} / 2 \right\rfloor = \frac{3^{t} - 1}{2}",
          integer_valued=True, monotone={"t": "increasing"}, assumptions=(ASSUMPTION_1,), derived=True,
          notes="Exact inverse of musat2025.retrieval.lower: floor(3^t/2) equals (3^t - 1)/2 because 3^t is odd."),
    bound("musat2025.retrieval.upper_khop",
          title="Retrieval problem: layers that suffice, by the k-hop construction's pointer doubling",
          source=musat("Theorem 1 bracket, upper end from Sanford et al. 2024 (arXiv 2402.09268)"), kind="upper",
          status="reconstructed", quantity=DEPTH, params=(P["D"],),
          statement="Pointer doubling (two layers for one hop, then each layer doubles the hops) suggests "
                    "floor(log2 D) + 2 layers suffice for D retrieval steps: the upper end of the bracket "
                    "ceil(log_3 2D) <= t <= floor(log2 D) + 2.",
          expr=floor_log(D, 2) + 2, integer_valued=True, monotone={"D": "increasing"}, derived=True,
          reading="the retrieval chain treated as a k-hop instance with k = D (our analogue; Mușat gives no "
                  "upper bound)",
          notes="Reconstructed: the k-hop construction is for a different task; docs/depth.md explains the analogy."),
    bound("musat2025.retrieval.upper_khop.max_steps",
          title="Retrieval problem: steps t layers handle by the k-hop analogue",
          source=musat("Theorem 1 bracket, upper end from Sanford et al. 2024 (arXiv 2402.09268)"), kind="lower",
          status="reconstructed", quantity=RETRIEVAL_STEPS, params=(P["t2"],),
          statement="floor(log2 D) + 2 <= t holds exactly for D <= 2^(t-1) - 1.",
          expr=2 ** (t - 1) - 1, integer_valued=True, monotone={"t": "increasing"}, derived=True,
          reading="the retrieval chain treated as a k-hop instance with k = D (our analogue)"),
    # ------------------------------------------------------------------ Sanford, Hsu & Telgarsky 2024
    bound("sanford2024.khop.upper",
          title="k-hop induction heads: floor(log2 k) + 2 layers suffice",
          source=SHT2024("k-hop upper bound (the notes do not give the theorem number)"), kind="upper",
          status="certificate", quantity=DEPTH, params=(P["k"],),
          statement="A transformer of depth floor(log2 k) + 2 and constant width computes hop_k: two layers do "
                    "one hop, each further layer doubles the hop count (pointer doubling).",
          expr=floor_log(k, 2) + 2, integer_valued=True, monotone={"k": "increasing"}, assumptions=(KHOP_TASK,),
          notes=SECONDARY + " Their experiments (GPT-2, N = 100, |alphabet| = 4) find low error exactly when "
                            "L >= floor(log2 k) + 2: six layers solve every k <= 16."),
    bound("sanford2024.khop.upper.max_hops",
          title="k-hop induction heads: the most hops L layers handle",
          source=SHT2024("k-hop upper bound, inverted"), kind="lower", status="certificate", quantity=HOPS,
          params=(P["L"],),
          statement="floor(log2 k) + 2 <= L exactly when k <= 2^(L-1) - 1: L layers handle at least that many hops.",
          expr=2 ** (L - 1) - 1, integer_valued=True, monotone={"L": "increasing"}, derived=True,
          assumptions=(KHOP_TASK,), notes=SECONDARY),
    bound("sanford2024.khop.lower",
          title="k-hop induction heads: Omega(log k) layers are necessary (conditional)",
          source=SHT2024("k-hop lower bound (conditional on the 1-cycle vs 2-cycle conjecture)"), kind="lower",
          status="rate", quantity=DEPTH, params=(P["k"],),
          statement="Any transformer of width O(N^(1-eps)) computing hop_k has depth Omega(log k), "
                    "if the 1-cycle vs 2-cycle conjecture holds (constant set to 1, log base 2).",
          expr=sp.log(k, 2), latex_rhs=r"\log_2 k", monotone={"k": "increasing"}, assumptions=(CONJECTURE, SUBLINEAR_WIDTH, KHOP_TASK),
          notes=SECONDARY),
    bound("sanford2024.connectivity.lower",
          title="Graph connectivity: Omega(log N) layers are necessary (conditional)",
          source=SHT2024("connectivity lower bound (conditional on the 1-cycle vs 2-cycle conjecture)"),
          kind="lower", status="rate", quantity=DEPTH, params=(P["N"],),
          statement="Under the 1-cycle vs 2-cycle conjecture, sublinear-width transformers need depth Omega(log N) "
                    "for graph connectivity on inputs of N tokens (constant set to 1, log base 2).",
          expr=sp.log(N, 2), latex_rhs=r"\log_2 N", monotone={"N": "increasing"}, assumptions=(CONJECTURE, SUBLINEAR_WIDTH),
          notes=SECONDARY),
    bound("sanford2024.mpc.depth",
          title="Simulating an R-round MPC protocol takes O(R) layers",
          source=SHT2024("MPC simulation (transformer side)"), kind="upper", status="rate", quantity=DEPTH,
          params=(P["R"],),
          statement="Any R-round (gamma, delta)-MPC protocol with delta > gamma is simulated by a transformer of depth "
                    "O(R) (R + 1 in one account) and width O~(N^(4 delta)); conversely depth L costs O(L) rounds.",
          expr=R + 1, integer_valued=True, monotone={"R": "increasing"},
          assumptions=(Assumption("delta > gamma", "local memory exponent exceeds the machine-count exponent"),),
          notes=SECONDARY + " The 'R + 1' reading is from one secondary note; the constant is hidden."),
]

register(*BOUNDS)
