"""Sumformer (Alberti et al., arXiv 2307.02301): latent dimensions and the one-attention-layer constructions.

>>> from tbounds.bounds import get
>>> int(get("alberti2023.sumformer.latent_continuous")(n=16, d=8))  # C(24, 8) - 1
735470
>>> [int(get(f"alberti2023.{m}.attention_layers")()) for m in ("transformer", "linformer", "performer")]
[1, 1, 1]
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import WIDTH
from ..record import Assumption
from ..registry import register
from .binomial import binom_sum
from .common import (ALBERTI2023, ATTENTION_LAYERS, FEATURES, LATENT, PROJECTION, SUMFORMER_BODY, TABAGHI2023,
                     WAGSTAFF2019, bound)

P = {
    "n": Param("n", "sequence length (fixed)", 8, integer=True, low=1),
    "d": Param("d", "token dimension", 2, integer=True, low=1),
}
n, d = P["n"].symbol, P["d"].symbol
NP = (P["n"], P["d"])

COMPACT = Assumption("compact token set", "tokens lie in a compact set X of R^d")
EQUIVARIANT = Assumption("continuous permutation-equivariant target",
                         "f: X^n -> Y^n is continuous and f(sigma X) = sigma f(X) for every permutation sigma")
TARGET = (COMPACT, EQUIVARIANT)
POWER_SUMS = binom_sum(n, d) - 1
LATENT_MONO = {"n": "increasing", "d": "increasing"}

BOUNDS = [
    bound("alberti2023.sumformer.latent_continuous",
          title="Sumformer latent dimension for continuous targets: the multisymmetric power sums",
          source=ALBERTI2023("universality, continuous case (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=LATENT, params=NP,
          statement="phi(x) = (x^alpha) for 1 <= |alpha| <= n: its sum over the sequence is injective on multisets "
                    "of n tokens, so a Sumformer with continuous phi, psi and d' = C(n + d, d) - 1 approximates any "
                    "continuous permutation-equivariant f uniformly.",
          expr=POWER_SUMS, integer_valued=True, monotone=LATENT_MONO, assumptions=TARGET,
          reading="monomials of degree 1..n, the constant monomial not counted (the independent count of "
                  "multisymmetric power sums)",
          notes=SUMFORMER_BODY + " d' grows like n^d/d!: polynomial in n, exponential in d."),
    bound("alberti2023.sumformer.latent_continuous.with_constant",
          title="Sumformer latent dimension for continuous targets, counting the constant monomial",
          source=ALBERTI2023("universality, continuous case (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=LATENT, params=NP,
          statement="The same construction with the constant monomial included: d' = C(n + d, d).",
          expr=binom_sum(n, d), integer_valued=True, monotone=LATENT_MONO, assumptions=TARGET,
          reading="all monomials of degree 0..n (the paper may quote C(n + d, d))", notes=SUMFORMER_BODY),
    bound("alberti2023.sumformer.latent_discontinuous",
          title="Sumformer latent dimension with a discontinuous phi: one",
          source=ALBERTI2023("universality, discontinuous case (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=LATENT, params=(),
          statement="Quantise each token to its grid cell c(x) and set phi(x) = (n + 1)^c(x): the sum is the "
                    "base-(n + 1) count vector of the multiset of cells, so d' = 1 suffices when phi may be "
                    "discontinuous.",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET, notes=SUMFORMER_BODY),
    bound("tabaghi2023.latent_continuous",
          title="Continuous sum-decomposition with latent dimension 2dn",
          source=TABAGHI2023("main theorem (abstract)"), kind="upper", status="certificate", quantity=LATENT,
          params=NP,
          statement="Continuous encoder and decoder with latent dimension 2 d n represent every continuous "
                    "permutation-invariant function of n tokens in R^d: the lower end of the calculator's range.",
          expr=2 * d * n, integer_valued=True, monotone=LATENT_MONO, assumptions=TARGET,
          notes="For the invariant part (the multiset); used for Sumformer's Sigma as an alternative to the power "
                "sums. Abstract only [V]."),
    bound("wagstaff2019.latent.lower",
          title="Continuous sum-decompositions of n scalars need latent dimension n",
          source=WAGSTAFF2019("main lower bound (as cited by the Sumformer notes)"), kind="lower",
          status="certificate", quantity=LATENT, params=(P["n"],),
          statement="For scalar tokens (d = 1), continuous sum-decompositions of invariant functions of n inputs "
                    "need latent dimension >= n; the power sums (n of them at d = 1) meet it.",
          expr=n, integer_valued=True, monotone={"n": "increasing"},
          assumptions=(Assumption("d = 1", "scalar tokens"),
                       Assumption("continuous phi and psi", "both encoder and decoder are continuous"))),
    # ------------------------------------------------------------------ one attention layer
    bound("alberti2023.transformer.attention_layers",
          title="Softmax Transformer: one attention layer suffices",
          source=ALBERTI2023("abstract (one attention layer suffices)"), kind="upper", status="certificate",
          quantity=ATTENTION_LAYERS, params=(),
          statement="Softmax Transformers with one attention layer (W_Q = W_K = 0, so attention is the uniform "
                    "mean) plus feed-forward layers before and after universally approximate continuous "
                    "permutation-equivariant functions on compact sets.",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET,
          notes="The count is the abstract's claim [V]; the feed-forward depth and width are not quantified [R]."),
    bound("alberti2023.linformer.attention_layers",
          title="Linformer: one attention layer suffices",
          source=ALBERTI2023("Linformer universality (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=ATTENTION_LAYERS, params=(),
          statement="With k = 1 and E = F = (1, ..., 1), every token receives sum_j v_j: exactly the Sumformer sum, "
                    "so one Linformer attention layer between feed-forward layers is universal.",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET, notes=SUMFORMER_BODY),
    bound("alberti2023.linformer.projection_dim",
          title="Linformer: projection dimension k = 1 suffices for universality",
          source=ALBERTI2023("Linformer universality (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=PROJECTION, params=(),
          statement="E = F = 1^T (k = 1) computes the Sumformer sum and keeps the layer permutation-equivariant; "
                    "compare the k = O(d log d / eps^2) needed to approximate softmax attention itself.",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET, notes=SUMFORMER_BODY),
    bound("alberti2023.performer.attention_layers",
          title="Performer: one attention layer suffices",
          source=ALBERTI2023("Performer universality (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=ATTENTION_LAYERS, params=(),
          statement="With W_Q = W_K = 0 every feature vector is the same constant, so FAVOR+ returns the exact mean "
                    "of the values for any number of features and any draw: one layer is universal.",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET, notes=SUMFORMER_BODY),
    bound("alberti2023.performer.random_features",
          title="Performer: any number of random features (m = 1) suffices for universality",
          source=ALBERTI2023("Performer universality (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=FEATURES, params=(),
          statement="The mean-attention construction is exact for every m >= 1 and every draw of omega: nothing "
                    "random needs to concentrate (compare choromanski2021.performer.features_uniform).",
          expr=sp.Integer(1), integer_valued=True, assumptions=TARGET, notes=SUMFORMER_BODY),
    bound("alberti2023.transformer.width",
          title="Sumformer as a Transformer: model width d + 2d' (power sums kept)",
          source=ALBERTI2023("one-attention-layer construction (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=WIDTH, params=NP,
          statement="Token i holds [x_i, phi(x_i), mean_j phi(x_j)]: width d + 2 d' with d' = C(n + d, d) - 1.",
          expr=d + 2 * POWER_SUMS, integer_valued=True, monotone=LATENT_MONO, assumptions=TARGET, derived=True,
          reading="phi(x_i) kept next to the mean (d + 2d')"),
    bound("alberti2023.transformer.width.overwrite",
          title="Sumformer as a Transformer: model width d + d' (phi overwritten by its mean)",
          source=ALBERTI2023("one-attention-layer construction (theorem number not in our notes)"), kind="upper",
          status="reconstructed", quantity=WIDTH, params=NP,
          statement="If the attention output overwrites phi(x_i) with the mean, token i holds [x_i, mean_j phi(x_j)]: "
                    "width d + d'.",
          expr=d + POWER_SUMS, integer_valued=True, monotone=LATENT_MONO, assumptions=TARGET, derived=True,
          reading="phi(x_i) overwritten by the mean (d + d')"),
]

register(*BOUNDS)
