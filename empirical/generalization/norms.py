"""Matrix norms and ranks, batched over leading dimensions.

Conventions are explicit because papers differ: ``mixed(W, 2, 1)`` is the
l1 norm of the vector of **column** l2 norms of ``W`` as stored (BFT write
``‖A^T‖_{2,1}`` for the row version, which is ``mixed(W.mT, 2, 1)``).

>>> import torch
>>> W = torch.tensor([[3.0, 0.0], [4.0, 1.0]])
>>> float(mixed(W, 2, 1)), float(mixed(W, 1, 1))
(6.0, 8.0)
>>> float(stable_rank(torch.eye(3)))
3.0
>>> int(numerical_rank(torch.diag(torch.tensor([1.0, 1e-3, 1e-9]))))
2
"""

from __future__ import annotations

import torch

#: relative tolerance of :func:`numerical_rank`: singular values <= RANK_TOL * s_max count as zero
RANK_TOL = 1e-6


def frobenius(W: torch.Tensor) -> torch.Tensor:
    return torch.linalg.matrix_norm(W, "fro")


def spectral(W: torch.Tensor) -> torch.Tensor:
    return torch.linalg.matrix_norm(W, 2)


def nuclear(W: torch.Tensor) -> torch.Tensor:
    return torch.linalg.matrix_norm(W, "nuc")


def mixed(W: torch.Tensor, p: float, q: float) -> torch.Tensor:
    """``‖W‖_{p,q}``: the l_q norm of the vector of column l_p norms (columns of ``W`` as stored)."""
    return torch.linalg.vector_norm(torch.linalg.vector_norm(W, p, dim=-2), q, dim=-1)


def max_abs(W: torch.Tensor) -> torch.Tensor:
    return W.abs().amax(dim=(-2, -1))


def numerical_rank(W: torch.Tensor, tol: float = RANK_TOL) -> torch.Tensor:
    """Number of singular values above ``tol * s_max`` (0 for the zero matrix)."""
    s = torch.linalg.svdvals(W.double())
    top = s[..., :1]
    return ((s > tol * top) & (top > 0)).sum(-1)


def stable_rank(W: torch.Tensor) -> torch.Tensor:
    """``‖W‖_F^2 / ‖W‖_2^2`` (a continuous proxy for rank, <= rank); 0 for the zero matrix."""
    s = torch.linalg.svdvals(W.double())
    top = s[..., 0] ** 2
    return torch.where(top > 0, (s ** 2).sum(-1) / top.clamp_min(1e-300), torch.zeros_like(top))


NORMS = {"fro": frobenius, "spectral": spectral, "nuclear": nuclear,
         "l21": lambda W: mixed(W, 2, 1), "l21_rows": lambda W: mixed(W.mT, 2, 1),
         "l11": lambda W: mixed(W, 1, 1), "max": max_abs}


def matrix_report(W: torch.Tensor, tol: float = RANK_TOL) -> dict[str, torch.Tensor]:
    """Every norm of :data:`NORMS`, the numerical rank at ``tol`` and the stable rank, per leading index."""
    out = {name: f(W) for name, f in NORMS.items()}
    out["rank"] = numerical_rank(W, tol)
    out["stable_rank"] = stable_rank(W)
    return out


def vector_report(w: torch.Tensor) -> dict[str, torch.Tensor]:
    return {"l2": torch.linalg.vector_norm(w, 2, dim=-1), "l1": torch.linalg.vector_norm(w, 1, dim=-1)}
