"""The single-layer single-head transformer of the notes (§1.3), batched over a leading model axis.

``f(X) = w^T σ(W_V^T X^T softmax(X W_QK^T x_τ))`` with the query token ``x_τ``
last.  ``W_QK = W_Q W_K^T`` is either factorised (``W_Q, W_K ∈ R^{d×k}``, with a
per-member column mask so member ``m`` has rank at most ``rank[m] <= k``) or a
full ``d×d`` matrix (for the nuclear-norm penalty and the projections).  Every
tensor has a leading axis of ``M`` independent members; inputs are either
shared ``(n, T, d)`` or per member ``(M, n, T, d)``.

>>> import torch
>>> spec = HeadSpec(d=8, k=4)
>>> p = init_params(spec, seeds=[0, 1], ranks=[1, 4])
>>> X = torch.randn(5, 6, 8)
>>> tuple(forward(spec, p, X).shape)
(2, 5)
>>> [int(r) for r in torch.linalg.matrix_rank(qk_matrix(spec, p))]
[1, 4]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from tbounds.bounds.errors import TboundsError
from ..seeds import generator

ACTIVATIONS = {"relu": torch.relu, "identity": lambda z: z, "tanh": torch.tanh}
#: Lipschitz constants of the activations (the L_σ of the bounds); all have σ(0) = 0
LIPSCHITZ = {"relu": 1.0, "identity": 1.0, "tanh": 1.0}


@dataclass(frozen=True)
class HeadSpec:
    """Shapes and choices shared by every member of a batch."""

    d: int
    k: int  # columns of W_Q and W_K (largest rank) when factorised
    dv: int = 0  # value width; 0 means d
    parametrisation: str = "factor"  # "factor" (W_Q W_K^T) or "full" (W_QK itself)
    activation: str = "relu"

    def __post_init__(self):
        if self.parametrisation not in ("factor", "full"):
            raise TboundsError(f"parametrisation must be 'factor' or 'full' (got '{self.parametrisation}')")
        if self.activation not in ACTIVATIONS:
            raise TboundsError(f"activation must be one of {', '.join(ACTIVATIONS)} (got '{self.activation}')")
        if not 1 <= self.k <= self.d:
            raise TboundsError(f"rank k must be in [1, d={self.d}] (got {self.k})")

    @property
    def value_width(self) -> int:
        return self.dv or self.d


def init_params(spec: HeadSpec, seeds: Sequence[int], ranks: Sequence[int] | None = None,
                device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """Stacked parameters; member ``m`` is drawn from its own seed, so it does not depend on the batch."""
    d, k, dv = spec.d, spec.k, spec.value_width
    ranks = list(ranks) if ranks is not None else [k] * len(seeds)
    if len(ranks) != len(seeds) or any(not 1 <= r <= k for r in ranks):
        raise TboundsError(f"need one rank in [1, k={k}] per seed")
    members = []
    for seed in seeds:
        g = generator(7919 * int(seed) + 17)
        u = lambda *shape, fan: (torch.rand(*shape, generator=g) * 2 - 1) / math.sqrt(fan)  # noqa: E731
        m = {"WV": u(d, dv, fan=d), "w": u(dv, fan=dv)}
        if spec.parametrisation == "factor":
            m["WQ"], m["WK"] = u(d, k, fan=d), u(d, k, fan=d)
        else:
            m["WQK"] = u(d, d, fan=d)
        members.append(m)
    params = {name: torch.stack([m[name] for m in members]).to(device) for name in members[0]}
    params["rank_mask"] = (torch.arange(k)[None, :] < torch.tensor(ranks)[:, None]).float().to(device)
    if spec.parametrisation == "factor":
        params["WQ"] = params["WQ"] * params["rank_mask"][:, None, :]
        params["WK"] = params["WK"] * params["rank_mask"][:, None, :]
    return params


TRAINABLE = {"factor": ("WQ", "WK", "WV", "w"), "full": ("WQK", "WV", "w")}


def qk_matrix(spec: HeadSpec, params: dict[str, torch.Tensor]) -> torch.Tensor:
    """``W_QK`` per member, ``(M, d, d)``; the score of token t is ``x_τ^T W_QK x_t``."""
    if spec.parametrisation == "full":
        return params["WQK"]
    mask = params["rank_mask"][:, None, :]
    return (params["WQ"] * mask) @ (params["WK"] * mask).mT


def forward(spec: HeadSpec, params: dict[str, torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """Outputs ``(M, n)`` for inputs ``(n, T, d)`` shared by all members or ``(M, n, T, d)``."""
    shared = X.dim() == 3
    q = X[..., -1, :]  # the query token
    if spec.parametrisation == "factor":  # x_τ^T W_Q W_K^T without forming the d×d product
        mask = params["rank_mask"][:, None, :]
        g = torch.einsum("nd,mdk->mnk" if shared else "mnd,mdk->mnk", q, params["WQ"] * mask)
        g = g @ (params["WK"] * mask).mT
    else:
        g = torch.einsum("nd,mde->mne" if shared else "mnd,mde->mne", q, params["WQK"])
    scores = torch.einsum("ntd,mnd->mnt" if shared else "mntd,mnd->mnt", X, g)
    a = torch.softmax(scores, dim=-1)
    h = torch.einsum("mnt,ntd->mnd" if shared else "mnt,mntd->mnd", a, X)
    z = ACTIVATIONS[spec.activation](h @ params["WV"])
    return torch.einsum("mnv,mv->mn", z, params["w"])
