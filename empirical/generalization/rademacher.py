"""Empirical Rademacher complexity: closed forms for linear score classes, optimisation-based lower estimates.

``R̂_S(F) = E_σ sup_{f∈F} (1/n) Σ_i σ_i f(z_i)``.

*Closed forms* (notes §6.3): for ``f_W(z_i) = <W, Z_i>`` and ``M_σ = Σ_i σ_i Z_i`` the
supremum over a norm/rank ball is a function of the singular values of ``M_σ``
(the dual norm).  The expectation over σ is exact by enumeration when ``n`` is
small (``2^n`` sign vectors) and Monte Carlo with a standard error otherwise.

*Full head*: no closed form; :func:`estimate_head` maximises the correlation
with each sign vector by projected Adam ascent over the constrained parameters
(many sign vectors x restarts on one leading axis).  Any feasible parameter gives
a value below the true supremum, so this is a **lower estimate**.

>>> import torch
>>> Z = torch.randn(10, 4, 3, generator=torch.Generator().manual_seed(0))
>>> exact = closed_form(Z, "fro", 1.0, exact=True)
>>> mc = closed_form(Z, "fro", 1.0, samples=4000, seed=1)
>>> abs(exact.value - mc.value) < 4 * mc.stderr
True
>>> closed_form(Z, "fro_rank", 1.0, rank=1, exact=True).value <= exact.value
True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Optional

import torch

from ..errors import ConfigError
from ..seeds import generator

#: class name -> (description, sup_W <W, M> over the ball of radius 1, from singular values / entries)
CLASSES = {
    "fro": "‖W‖_F <= B",
    "fro_rank": "‖W‖_F <= B, rank W <= r",
    "spectral": "‖W‖_2 <= B",
    "spectral_rank": "‖W‖_2 <= B, rank W <= r",
    "nuclear": "‖W‖_* <= B",
    "l21": "‖W‖_{2,1} <= B (sum of column l2 norms)",
    "l11": "‖W‖_{1,1} <= B",
}
MAX_EXACT_N = 20


@dataclass(frozen=True)
class Estimate:
    """A Rademacher value with its standard error over sign vectors (0 when exact)."""

    value: float
    stderr: float
    samples: int  # sign vectors used (2^n when exact)
    exact: bool
    kind: str  # "closed form" or "lower estimate"

    def to_dict(self, prefix: str) -> dict:
        return {prefix: self.value, f"{prefix}_se": self.stderr, f"{prefix}_signs": self.samples}


def dual_sup(M: torch.Tensor, cls: str, radius: float, rank: Optional[int] = None) -> torch.Tensor:
    """``sup_{W in class} <W, M>`` for a batch of matrices ``M (..., d1, d2)`` (the dual norm times B)."""
    if cls not in CLASSES:
        raise ConfigError(f"unknown score class '{cls}'; use one of {', '.join(CLASSES)}")
    if cls.endswith("_rank") and (rank is None or rank < 1):
        raise ConfigError(f"class '{cls}' needs a rank >= 1")
    if cls in ("l21", "l11"):
        dual = (M.norm(dim=-2).amax(-1) if cls == "l21" else M.abs().amax((-2, -1)))
        return radius * dual
    s = torch.linalg.svdvals(M)
    top = s[..., :rank] if rank is not None else s
    value = {"fro": lambda: s.pow(2).sum(-1).sqrt(), "fro_rank": lambda: top.pow(2).sum(-1).sqrt(),
             "spectral": lambda: s.sum(-1), "spectral_rank": lambda: top.sum(-1),
             "nuclear": lambda: s[..., 0]}[cls]()
    return radius * value


def sign_vectors(n: int, samples: int, seed: int, device="cpu", dtype=torch.float64) -> torch.Tensor:
    """``(samples, n)`` independent uniform ±1 vectors from one seeded generator."""
    g = generator(int(seed))
    return (torch.randint(0, 2, (samples, n), generator=g) * 2 - 1).to(device=device, dtype=dtype)


def all_sign_vectors(n: int, dtype=torch.float64) -> torch.Tensor:
    if n > MAX_EXACT_N:
        raise ConfigError(f"exact enumeration needs n <= {MAX_EXACT_N} (2^n sign vectors); got n={n}")
    return torch.tensor(list(itertools.product((-1.0, 1.0), repeat=n)), dtype=dtype)


def closed_form(Z: torch.Tensor, cls: str, radius: float, rank: Optional[int] = None, *, exact: bool = False,
                samples: int = 1000, seed: int = 0, chunk: int = 4096) -> Estimate:
    """``R̂`` of ``{z_i -> <W, Z_i>}`` over a norm/rank ball, for ``Z (n, d1, d2)``.

    ``exact`` enumerates all ``2^n`` sign vectors (n <= 20); otherwise ``samples``
    Monte Carlo draws with the standard error of their mean.
    """
    Z = Z.double()
    n = Z.shape[0]
    sigmas = all_sign_vectors(n) if exact else sign_vectors(n, samples, seed)
    values = torch.cat([dual_sup(torch.einsum("kn,nab->kab", s, Z), cls, radius, rank)
                        for s in sigmas.split(chunk)]) / n
    se = 0.0 if exact else float(values.std(unbiased=True) / math.sqrt(len(values))) if len(values) > 1 else math.inf
    return Estimate(float(values.mean()), se, len(values), exact, "closed form")


def per_sign(Z: torch.Tensor, sigmas: torch.Tensor, cls: str, radius: float, rank: Optional[int] = None):
    """The exact supremum for each given sign vector, ``(K,)`` (to compare with an optimiser per σ)."""
    return dual_sup(torch.einsum("kn,nab->kab", sigmas.double(), Z.double()), cls, radius, rank) / Z.shape[0]


def score_features(X: torch.Tensor, position: int = 0) -> torch.Tensor:
    """``Z_i = x_{τ,i} x_{t,i}^T`` so that the attention score of token ``t`` is ``<W_QK, Z_i>``."""
    return torch.einsum("na,nb->nab", X[:, -1].double(), X[:, position].double())
