"""Layer counts of Yun et al.'s universality proof (arXiv 1912.10077) and Kajitsuka & Sato's one layer (2307.14023).

Yun et al. need delta^-d + 1 attention layers where the Sumformer route needs one;
the ``.for_eps`` versions pick the grid from a target accuracy, so the two
theories can be compared at the same eps.

>>> from tbounds.bounds import get
>>> [round(float(get(f"yun2020.{x}")(d=1, delta=0.25))) for x in ("quantization_ff_layers", "attention_layers")]
[5, 5]
>>> round(float(get("yun2020.value_ff_layers")(n=3, d=1, delta=0.25)))
32
>>> int(get("yun2020.attention_layers.for_eps")(d=2, p=2, eps=0.3))  # grid 1/10 per axis: 10^2 + 1
101
>>> round(float(get("yun2020.grid.multisets")(n=3, G=4)))  # C(4 + 3 - 1, 3) multisets of 3 cells out of 4
20
>>> round(float(get("yun2020.value_ff_layers.pe")(n=3, d=1, delta=0.25)))  # 3 x 4^3: no n! with positions
192
"""

from __future__ import annotations

import sympy as sp

from ..domain import Param
from ..quantities import quantity
from ..record import Assumption
from ..registry import register
from ..steps import ceil_near
from .binomial import binom_sum
from .common import ATTENTION_LAYERS, BLOCKS, FF_LAYERS, KS2024, YUN2020, bound

P = {
    "n": Param("n", "sequence length", 3, integer=True, low=1),
    "d": Param("d", "token dimension", 1, integer=True, low=1),
    "delta": Param("delta", "grid spacing delta of the piecewise-constant approximation (1/delta an integer)", 0.25,
                   low=0, low_open=True, high=1),
    "p": Param("p", "exponent of the L^p distance d_p", 2, low=1),
    "eps": Param("eps", "target accuracy in d_p", 0.1, low=0, low_open=True, high=1),
}
n, d, delta, p, eps = (P[x].symbol for x in ("n", "d", "delta", "p", "eps"))

PE_TARGET = Assumption("continuous permutation-equivariant target with compact support",
                       "f in F_PE: continuous, permutation-equivariant, compactly supported, R^(d x n) -> R^(d x n)")
GRID = Assumption("1/delta an integer", "the grid of cubes of side delta tiles the unit cube")
EPS_GRID = Assumption("O(delta^(d/p)) <= eps/3 with constant 1",
                      "the piecewise-constant step costs delta^(d/p); the hidden constant is set to 1")
# Grid points per axis for accuracy eps: the smallest integer g = 1/delta with delta^(d/p) <= eps/3.
G = ceil_near((3 / eps) ** (p / d))
QUANT = d / delta + d
ATTN = delta ** -d + 1
VALUE = n * delta ** (-d * n) / sp.factorial(n)

BOUNDS = [
    bound("yun2020.quantization_ff_layers", title="Yun et al.: d/delta + d feed-forward layers to quantise",
          source=YUN2020("Theorem 2 (proof: quantisation)"), kind="upper", status="certificate", quantity=FF_LAYERS,
          params=(P["d"], P["delta"]),
          statement="Token-wise feed-forward layers of width 1 quantise each coordinate to the delta-grid: d/delta + d layers.",
          expr=QUANT, monotone={"d": "increasing", "delta": "decreasing"}, assumptions=(PE_TARGET, GRID)),
    bound("yun2020.attention_layers", title="Yun et al.: delta^-d + 1 self-attention layers for the contextual mapping",
          source=YUN2020("Theorem 2 (proof: contextual mapping)"), kind="upper", status="certificate",
          quantity=ATTENTION_LAYERS, params=(P["d"], P["delta"]),
          statement="Selective-shift attention layers with column id u = (1, 1/delta, ..., delta^(-d+1)) give every "
                    "sequence distinct contexts: delta^-d + 1 attention layers (2 heads of size 1).",
          expr=ATTN, monotone={"d": "increasing", "delta": "decreasing"}, assumptions=(PE_TARGET, GRID)),
    bound("yun2020.value_ff_layers", title="Yun et al.: O(n delta^(-dn) / n!) feed-forward layers to map values",
          source=YUN2020("Theorem 2 (proof: value mapping)"), kind="upper", status="rate", quantity=FF_LAYERS,
          params=(P["n"], P["d"], P["delta"]),
          statement="Token-wise layers map each context id to its value: O(n (1/delta)^(dn) / n!) layers "
                    "(constant set to 1); with positional encodings O(n (1/delta)^(dn)).",
          expr=VALUE, monotone={"d": "increasing", "delta": "decreasing"}, assumptions=(PE_TARGET, GRID),
          notes="Not monotone in n: n g^(dn)/n! rises while n < g^d and falls after."),
    bound("yun2020.total_layers", title="Yun et al.: all layers of the construction",
          source=YUN2020("Theorem 2 (proof, three stages)"), kind="upper", status="rate", quantity=BLOCKS,
          params=(P["n"], P["d"], P["delta"]),
          statement="Quantisation + contextual mapping + value mapping: d/delta + d + delta^-d + 1 + n delta^(-dn)/n! "
                    "layers, dominated by the value mapping (blocks of T^(2,1,4)).",
          expr=QUANT + ATTN + VALUE, monotone={"d": "increasing", "delta": "decreasing"},
          assumptions=(PE_TARGET, GRID), derived=True),
    bound("yun2020.attention_layers.for_eps",
          title="Yun et al.: attention layers for accuracy eps (grid chosen from eps)",
          source=YUN2020("Theorem 2 (proof, delta from eps)"), kind="upper", status="reconstructed",
          quantity=ATTENTION_LAYERS, params=(P["d"], P["p"], P["eps"]),
          statement="delta = 1/g with g = ceil((3/eps)^(p/d)) meets delta^(d/p) <= eps/3; then g^d + 1 attention "
                    "layers. Sumformer's route needs 1 whatever eps is.",
          expr=G ** d + 1, integer_valued=True, monotone={"p": "increasing", "eps": "decreasing"},
          assumptions=(PE_TARGET, EPS_GRID), derived=True,
          notes="Not monotone in d: the ceiling makes g^d jump around (3/eps)^p."),
    bound("yun2020.quantization_ff_layers.for_eps",
          title="Yun et al.: quantisation layers for accuracy eps",
          source=YUN2020("Theorem 2 (proof, delta from eps)"), kind="upper", status="reconstructed",
          quantity=FF_LAYERS, params=(P["d"], P["p"], P["eps"]),
          statement="d g + d feed-forward layers with g = ceil((3/eps)^(p/d)).",
          expr=d * G + d, integer_valued=True, monotone={"p": "increasing", "eps": "decreasing"},
          assumptions=(PE_TARGET, EPS_GRID), derived=True),
    bound("yun2020.value_ff_layers.for_eps",
          title="Yun et al.: value-mapping layers for accuracy eps",
          source=YUN2020("Theorem 2 (proof, delta from eps)"), kind="upper", status="rate", quantity=FF_LAYERS,
          params=(P["n"], P["d"], P["p"], P["eps"]),
          statement="n g^(dn) / n! feed-forward layers with g = ceil((3/eps)^(p/d)) (constant set to 1).",
          expr=n * G ** (d * n) / sp.factorial(n), monotone={"p": "increasing", "eps": "decreasing"},
          assumptions=(PE_TARGET, EPS_GRID), derived=True),
    bound("kajitsuka2024.attention_layers",
          title="Kajitsuka & Sato: one single-head, rank-1 softmax attention layer suffices",
          source=KS2024("main theorem (universal approximation with one attention layer)"), kind="upper",
          status="certificate", quantity=ATTENTION_LAYERS, params=(),
          statement="F_2^FF o F^SA o F_1^FF with one single-head softmax self-attention layer of rank-1 weights is a "
                    "universal approximator of continuous permutation-equivariant functions with compact support "
                    "(the attention is an (r, delta)-contextual mapping; the feed-forward parts are not sized).",
          expr=sp.Integer(1), integer_valued=True, assumptions=(PE_TARGET,),
          notes="Abstract and reviews [V]; the feed-forward sizes and the contextual-mapping delta are not in our sources."),
]

# --------------------------------------------------------------------------- with positional encoding (Theorem 3)
CD_TARGET = Assumption("continuous target with compact support",
                       "f in F_CD: continuous, compactly supported, R^(d x n) -> R^(d x n); a trainable positional "
                       "encoding E is added to the input")
VALUE_PE = n * delta ** (-d * n)
BOUNDS += [
    bound("yun2020.value_ff_layers.pe", title="Yun et al. with positional encoding: O(n delta^(-dn)) value-mapping layers",
          source=YUN2020("Theorem 3 (proof: value mapping with positional encoding)"), kind="upper", status="rate",
          quantity=FF_LAYERS, params=(P["n"], P["d"], P["delta"]),
          statement="With a trainable positional encoding every ordered sequence of grid cells has its own context, so "
                    "the value mapping costs O(n (1/delta)^(dn)) token-wise layers (constant set to 1): n! times "
                    "the permutation-equivariant count.",
          expr=VALUE_PE, monotone={"n": "increasing", "d": "increasing", "delta": "decreasing"},
          assumptions=(CD_TARGET, GRID)),
    bound("yun2020.total_layers.pe", title="Yun et al. with positional encoding: all layers of the construction",
          source=YUN2020("Theorem 3 (proof, three stages)"), kind="upper", status="rate", quantity=BLOCKS,
          params=(P["n"], P["d"], P["delta"]),
          statement="d/delta + d + delta^-d + 1 + n delta^(-dn) layers, dominated by the value mapping.",
          expr=QUANT + ATTN + VALUE_PE, monotone={"n": "increasing", "d": "increasing", "delta": "decreasing"},
          assumptions=(CD_TARGET, GRID), derived=True),
]

# --------------------------------------------------------------------------- grid complexity: what the value map must tell apart
GRID_CONFIGURATIONS = quantity("distinct grid configurations", "count", r"\#")
G_PARAM = Param("G", "grid cells per token: G = delta^-d cells of side delta in the unit cube of R^d", 4,
                integer=True, low=1)
CELLS = G_PARAM.symbol
BOUNDS += [
    bound("yun2020.grid.multisets",
          title="Distinct multisets of n grid cells: C(G + n - 1, n)",
          source=YUN2020("Theorem 2 (proof: the delta-grid), counted by us"), kind="exact", status="certificate",
          quantity=GRID_CONFIGURATIONS, params=(P["n"], G_PARAM),
          statement="A permutation-equivariant piecewise-constant map on the delta-grid is fixed by its values on the "
                    "multisets of n cells: there are C(G + n - 1, n) of them, G = delta^-d cells per token "
                    "(stars and bars).",
          expr=binom_sum(CELLS - 1, n), latex_rhs=r"\binom{G + n - 1}{n}",
          monotone={"n": "increasing", "G": "increasing"}, assumptions=(GRID,), derived=True,
          notes="Our count (notes: [C]). With G = delta^-d it sits between G^n/n! and G^n: the n!/n "
                "Yun et al. save over the positional-encoding count (yun2020.grid.sequences)."),
    bound("yun2020.grid.sequences",
          title="Distinct sequences of n grid cells (with positional encoding): G^n",
          source=YUN2020("Theorem 3 (proof: the delta-grid), counted by us"), kind="exact", status="certificate",
          quantity=GRID_CONFIGURATIONS, params=(P["n"], G_PARAM),
          statement="With positions every ordered sequence of n cells is its own configuration: G^n = delta^(-dn).",
          expr=CELLS ** n, monotone={"n": "increasing", "G": "increasing"}, assumptions=(GRID,), derived=True),
]

register(*BOUNDS)
