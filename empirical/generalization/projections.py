"""Rank control and projections onto norm balls, batched over leading dimensions.

Each ``project_*`` returns the Euclidean (Frobenius) projection of ``W`` onto
``{‖W‖ <= radius}`` for its norm; ``radius`` is a float or a tensor broadcast
over the leading dimensions.  They are used after every optimiser step so that
the norm constraints the bounds assume hold exactly for the trained weights.

>>> import torch
>>> from tbounds.empirical.generalization.norms import nuclear, spectral
>>> W = torch.tensor([[3.0, 0.0], [0.0, 1.0]])
>>> project_nuclear(W, 2.0)
tensor([[2., 0.],
        [0., 0.]])
>>> project_spectral(W, 2.0)
tensor([[2., 0.],
        [0., 1.]])
>>> project_l1(torch.tensor([3.0, -1.0]), 2.0).tolist()
[2.0, -0.0]
>>> truncate_rank(W, 1)
tensor([[3., 0.],
        [0., 0.]])
"""

from __future__ import annotations

from typing import Union

import torch

from tbounds.bounds.errors import TboundsError

Radius = Union[float, torch.Tensor]


def _radius(radius: Radius, like: torch.Tensor, extra_dims: int) -> torch.Tensor:
    r = torch.as_tensor(radius, dtype=like.dtype, device=like.device)
    return r.reshape(r.shape + (1,) * extra_dims)


def project_l1(v: torch.Tensor, radius: Radius) -> torch.Tensor:
    """Projection of vectors (last dim) onto the l1 ball (sort-based, Duchi et al. 2008)."""
    r = _radius(radius, v, 1)
    a = v.abs()
    u, _ = torch.sort(a, dim=-1, descending=True)
    css = u.cumsum(-1)
    j = torch.arange(1, v.shape[-1] + 1, device=v.device, dtype=v.dtype)
    cond = u - (css - r) / j > 0
    rho = cond.to(v.dtype).cumsum(-1).argmax(-1, keepdim=True)  # last index where cond holds
    theta = ((css.gather(-1, rho) - r) / (rho + 1).to(v.dtype)).clamp_min(0)
    inside = a.sum(-1, keepdim=True) <= r
    return torch.where(inside, v, torch.sign(v) * (a - theta).clamp_min(0))


def project_frobenius(W: torch.Tensor, radius: Radius) -> torch.Tensor:
    r = _radius(radius, W, 2)
    norm = torch.linalg.matrix_norm(W, "fro", keepdim=True)
    return W * torch.where(norm > r, r / norm.clamp_min(1e-30), torch.ones_like(norm))


def _svd_map(W: torch.Tensor, f) -> torch.Tensor:
    U, s, Vh = torch.linalg.svd(W, full_matrices=False)
    return (U * f(s).unsqueeze(-2)) @ Vh


def project_spectral(W: torch.Tensor, radius: Radius) -> torch.Tensor:
    r = _radius(radius, W, 1)
    return _svd_map(W, lambda s: torch.minimum(s, r))


def project_nuclear(W: torch.Tensor, radius: Radius) -> torch.Tensor:
    return _svd_map(W, lambda s: project_l1(s, radius).abs())


def project_l21(W: torch.Tensor, radius: Radius) -> torch.Tensor:
    """Projection onto ``{sum of column l2 norms <= radius}`` (group-lasso ball)."""
    cols = torch.linalg.vector_norm(W, 2, dim=-2)
    scale = project_l1(cols, radius) / cols.clamp_min(1e-30)
    return W * scale.unsqueeze(-2)


def project_l11(W: torch.Tensor, radius: Radius) -> torch.Tensor:
    flat = W.reshape(*W.shape[:-2], -1)
    return project_l1(flat, radius).reshape(W.shape)


PROJECTIONS = {"fro": project_frobenius, "spectral": project_spectral, "nuclear": project_nuclear,
               "l21": project_l21, "l11": project_l11}


def project(W: torch.Tensor, norm: str, radius: Radius) -> torch.Tensor:
    """Projection onto the named ball; an unknown norm is a one-line error."""
    if norm not in PROJECTIONS:
        raise TboundsError(f"unknown norm '{norm}' for a projection; use one of {', '.join(PROJECTIONS)}")
    return PROJECTIONS[norm](W, radius)


def truncate_rank(W: torch.Tensor, rank: Union[int, torch.Tensor]) -> torch.Tensor:
    """Best rank-``rank`` approximation (truncated SVD); ``rank`` may vary over the leading dims."""
    k = torch.as_tensor(rank, device=W.device)
    return _svd_map(W, lambda s: s * (torch.arange(s.shape[-1], device=W.device) < k.unsqueeze(-1)).to(s.dtype))


def soft_threshold_singular(W: torch.Tensor, tau: Radius) -> torch.Tensor:
    """Proximal step of ``tau * ‖W‖_*``: shrink every singular value by ``tau`` (singular-value thresholding)."""
    t = _radius(tau, W, 1)
    return _svd_map(W, lambda s: (s - t).clamp_min(0))


def rescale_into(W: torch.Tensor, norm_value: torch.Tensor, radius: Radius) -> torch.Tensor:
    """Shrink ``W`` by a scalar so a homogeneous norm of value ``norm_value`` is at most ``radius``.

    Not the Euclidean projection, but it lands inside the ball and keeps the rank
    (used for factorised products, where the exact projection could raise the rank).
    """
    r = _radius(radius, W, 0)
    scale = torch.where(norm_value > r, r / norm_value.clamp_min(1e-30), torch.ones_like(norm_value))
    return W * scale.reshape(scale.shape + (1, 1))
