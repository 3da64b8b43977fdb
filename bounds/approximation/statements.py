"""Approximation results that are statements rather than formulas.

>>> from tbounds.bounds import get_statement
>>> get_statement("alberti2023.sumformer.universal").family
'approximation'
"""

from __future__ import annotations

from ..registry import register
from .common import ALBERTI2023, CHOROMANSKI2021, FAMILY, KS2024, SIEGEL2026, SUMFORMER_BODY, YUN2020

statement = FAMILY.statement

STATEMENTS = (
    statement("alberti2023.sumformer.universal",
              title="Sumformer universally approximates equivariant sequence-to-sequence functions",
              source=ALBERTI2023("abstract (main theorem)"),
              statement="Sum_k phi(x_k) followed by psi(x_i, Sigma) approximates every continuous permutation-"
                        "equivariant function on a compact set uniformly; this gives the first universal-approximation "
                        "results for Linformer and Performer, and a new proof that one attention layer suffices for "
                        "Transformers.", notes=SUMFORMER_BODY),
    statement("yun2020.universal",
              title="Transformers with 2 heads of size 1 and width-4 feed-forward layers are universal",
              source=YUN2020("Theorems 2 and 3"),
              statement="For 1 <= p < infinity and eps > 0 every f in F_PE is eps-close in d_p to some g in T^(2,1,4); "
                        "with a trainable positional encoding every continuous compactly supported f is."),
    statement("kajitsuka2024.hardmax.negative",
              title="One hardmax attention layer is not a contextual mapping; one rank-1 softmax layer is",
              source=KS2024("negative and positive results"),
              statement="A one-layer Transformer with hardmax attention cannot in general memorise or be a contextual "
                        "mapping; a single-head, single-layer softmax self-attention with rank-1 weights is an "
                        "(r, delta)-contextual mapping for tokenwise-separated inputs without repeated tokens."),
    statement("choromanski2021.performer.regularized",
              title="Regularised softmax kernel stays within 1 - 2/d^(1/3) of softmax",
              source=CHOROMANSKI2021("Theorem 1"),
              statement="If |A|_inf <= C then inf A^reg/A >= 1 - 2/d^(1/3) + o(d^(-1/3)) and sup A^reg/A <= 1."),
    statement("siegel2026.rates",
              title="Quantitative rates for Sumformer and Transformer on Hölder targets",
              source=SIEGEL2026("abstract"),
              statement="Explicit width and depth bounds for Sumformer and Transformer approximating alpha-Hölder "
                        "equivariant targets, matching ReLU-MLP rates; the numbers are not in our sources, so no "
                        "formula is offered."),
)

register(*STATEMENTS)
