"""Depth results that are statements rather than formulas, with the complexity classes they involve.

>>> from tbounds.bounds import get_statement
>>> get_statement("merrill2025.cot_scaling.tc0").source.label
'Theorem 4'
"""

from __future__ import annotations

from ..record import Assumption
from ..registry import register
from .common import CPW2024, FAMILY, LIU2023, MS2023, MS2024, MS2025, MS2025_PADDING, SECONDARY, SHT2024

TC0_NE_NC1 = Assumption("TC0 != NC1", "the standard conjecture that threshold circuits of constant depth are weaker "
                                      "than log-depth Boolean circuits")
POLY_WIDTH = Assumption("polynomial width", "model dimension or padding grows at most polynomially in n, "
                                            "weights for length n computable in L")

statement = FAMILY.statement

STATEMENTS = (
    statement("merrill2025.width_scaling.tc0",
              title="Fixed depth with polynomial width stays in TC0",
              source=MS2025("Theorem 3"),
              statement="A fixed-depth transformer whose width (model dimension or padding tokens) grows at most "
                        "polynomially in n, with weights for length n computable in L, can be simulated in L-uniform "
                        "TC0: escaping TC0 needs superpolynomial width, whereas logarithmic depth suffices.",
              classes=("L-uniform TC0",), assumptions=(POLY_WIDTH,)),
    statement("merrill2025.cot_scaling.tc0",
              title="O(log n) chain-of-thought steps stay in TC0",
              source=MS2025("Theorem 4"),
              statement="Transformers with O(log n) chain-of-thought steps recognise only languages in L-uniform TC0 "
                        "(improving the earlier bound L): chain of thought must be superlogarithmic to solve regular "
                        "languages or connectivity, if TC0 != NC1.",
              classes=("L-uniform TC0", "L", "NC1"), assumptions=(TC0_NE_NC1,)),
    statement("merrill2025.log_depth.tc1",
              title="Log-depth transformers lie in TC1",
              source=MS2025("Section 2 / complexity picture"),
              statement="Transformers of depth O(log n) with log precision can be simulated in TC1; unless NC = P, "
                        "even polylog-depth transformers cannot solve P-complete problems (linear equalities, "
                        "in-context CFG recognition, circuit evaluation, Horn-SAT).",
              classes=("TC1", "NC", "P")),
    statement("merrill2025.regular.fixed_depth_impossible",
              title="No fixed depth recognises every regular language (if TC0 != NC1)",
              source=MS2025("Section 3 (complexity picture)"),
              statement="All regular languages are in NC1 and some are NC1-complete (the word problem of A5 or S5, "
                        "Barrington); fixed-depth transformers are in TC0, so if TC0 != NC1 none recognises them, "
                        "while Theorem 1's log depth does.",
              classes=("TC0", "NC1"), assumptions=(TC0_NE_NC1,)),
    statement("merrill2025.connectivity.beyond_nc1",
              title="Log-depth transformers solve connectivity, which NC1 cannot unless NC1 = NL",
              source=MS2025("Section 4 (complexity picture)"),
              statement="Undirected connectivity is L-complete and directed connectivity NL-complete; both are in TC1. "
                        "NC1 circuits cannot solve them unless NC1 = NL (resp. L), yet Theorem 2's log-depth "
                        "transformer does.",
              classes=("NC1", "L", "NL", "TC1")),
    statement("merrill2023.fixed_depth.tc0",
              title="Fixed-depth log-precision transformers lie in uniform TC0",
              source=MS2023("main theorem"),
              statement="Constant-depth transformers with log precision can be simulated by uniform TC0 circuits.",
              classes=("uniform TC0",)),
    statement("merrill2024.cot.classes",
              title="Chain of thought: log steps in L, linear steps cover regular languages, polynomial steps = P",
              source=MS2024("main theorems"),
              statement="With O(log n) chain-of-thought steps transformers stay in L (sharpened to TC0 by "
                        "arXiv 2503.03961, Theorem 4); a linear number of steps recognises every regular language; "
                        "a polynomial number of steps gives exactly P.",
              classes=("L", "TC0", "P")),
    statement("merrill2025.padding.tc0",
              title="Padding: fixed depth with polynomial padding equals TC0; polylog looping reaches NC",
              source=MS2025_PADDING("main results"),
              statement="Fixed depth with polynomial padding recognises exactly (DLOGTIME-uniform) TC0; looping a "
                        "fixed block polylog(n) times reaches L-uniform NC (plausibly O(log^d n) loops give TC^d, "
                        "to be verified).",
              classes=("DLOGTIME-uniform TC0", "L-uniform NC", "TC^d"), notes=SECONDARY),
    statement("liu2023.automata.nonsolvable",
              title="Non-solvable automata have no constant-depth simulator (if TC0 != NC1)",
              source=LIU2023("Theorem 4"),
              statement="If TC0 != NC1, no polynomial-size constant-depth log-precision transformer simulates a "
                        "non-solvable automaton (S5, A5) at every length: the O(log T) depth of Theorem 1 is needed.",
              classes=("TC0", "NC1"), assumptions=(TC0_NE_NC1,), notes="[S/R] in the notes; verify."),
    statement("liu2023.automata.gridworld",
              title="Gridworld automata: constant depth, independent of T and |Q|",
              source=LIU2023("Theorem 3"),
              statement="Gridworld automata have simulators of O(1) depth, independent of the length T and of |Q|.",
              notes="[S/R] in the notes; verify."),
    statement("sanford2024.other_architectures.khop",
              title="k-hop needs depth k or huge width in recurrent and sub-quadratic models",
              source=SHT2024("separations from other architectures"),
              statement="RNN, LSTM and Mamba models need depth L >= k or width Omega(N/k^6) for hop_k; kernel "
                        "(Performer) or masking (Longformer) sub-quadratic attention needs depth L >= k or near-"
                        "quadratic attention; GNNs need L sqrt(m) = Omega~(N^(1/4)) for connectivity. Transformers "
                        "need only floor(log2 k) + 2 layers.",
              notes=SECONDARY),
    statement("chen2024.composition.depth_width",
              title="L-sequential composition: exponential depth-width separation",
              source=CPW2024("main theorem (unconditional)"),
              statement="L-layer decoder-only transformers need n^Omega(1) dimension to solve L-sequential function "
                        "composition when L <= O~(log log n) and H d p <= n^(2^(-4L)); L + 1 layers solve it with "
                        "polylog parameters.",
              notes=SECONDARY + " The exponent is not known, so no formula is offered."),
)

register(*STATEMENTS)
