"""How the rank and norms of a head are controlled during training.

Three ways to control the rank of ``W_QK`` (issue 6, item 1):

- ``factor``: hard factorisation ``W_Q W_K^T`` with ``k = r`` columns (rank <= r always);
  an optional ``lam`` adds the variational penalty ``lam/2 (‖W_Q‖_F² + ‖W_K‖_F²)``,
  which equals ``lam ‖W_QK‖_*`` at the best factorisation;
- ``nuclear``: a full ``W_QK`` with the penalty ``lam ‖W_QK‖_*``, applied as a proximal
  step (singular-value soft-thresholding by ``lr * lam``) after every optimiser step;
- ``none``: a full ``W_QK``, no penalty.

Independently, :class:`Constraint` s are norm balls the weights are projected
onto after every step, so the norm hypotheses of the bounds hold exactly.

>>> c = Constraint.parse("WQK:spectral:2.5")
>>> c.matrix, c.norm, c.radius
('WQK', 'spectral', 2.5)
>>> Constraint.parse("WV:l21:4").label
'WV.l21<=4'
>>> Constraint.parse("WQK:bogus:1")
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: constraint 'WQK:bogus:1': norm must be one of fro, spectral, nuclear, l21, l11 for a matrix or l2, l1 for w
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from ..errors import ConfigError

from . import norms as N
from .models import HeadSpec
from .projections import PROJECTIONS, project, project_l1, rescale_into

CONTROLS = ("factor", "nuclear", "none")
MATRICES = ("WQK", "WV", "w")
VECTOR_NORMS = ("l2", "l1")


@dataclass(frozen=True)
class Constraint:
    """``‖matrix‖_norm <= radius``, enforced by projection after every step."""

    matrix: str
    norm: str
    radius: float

    @classmethod
    def parse(cls, text: str) -> "Constraint":
        """``"WQK:spectral:2"`` (matrix WQK, WV or w; a norm of that matrix; a positive radius)."""
        parts = str(text).split(":")
        if len(parts) != 3:
            raise ConfigError(f"constraint '{text}' must be MATRIX:NORM:RADIUS, e.g. WQK:spectral:2")
        matrix, norm, raw = parts
        if matrix not in MATRICES:
            raise ConfigError(f"constraint '{text}': matrix must be one of {', '.join(MATRICES)}")
        allowed = VECTOR_NORMS if matrix == "w" else tuple(PROJECTIONS)
        if norm not in allowed:
            raise ConfigError(f"constraint '{text}': norm must be one of {', '.join(PROJECTIONS)} for a matrix "
                              f"or {', '.join(VECTOR_NORMS)} for w")
        try:
            radius = float(raw)
        except ValueError:
            raise ConfigError(f"constraint '{text}': radius must be a positive number") from None
        if not radius > 0:
            raise ConfigError(f"constraint '{text}': radius must be a positive number")
        return cls(matrix, norm, radius)

    @property
    def label(self) -> str:
        return f"{self.matrix}.{self.norm}<={self.radius:g}"

    def value(self, spec: HeadSpec, params: dict) -> torch.Tensor:
        """The constrained norm of every member (what must be <= radius)."""
        if self.matrix == "w":
            return torch.linalg.vector_norm(params["w"], 2 if self.norm == "l2" else 1, dim=-1)
        from .models import qk_matrix

        W = qk_matrix(spec, params) if self.matrix == "WQK" else params["WV"]
        return N.NORMS[self.norm](W)


SVD_PROJECTED = ("spectral", "nuclear")  # unitarily invariant and not a plain rescaling: projection via SVD


def apply_constraint(spec: HeadSpec, params: dict, c: Constraint) -> None:
    """Project the constrained weights of every member in place (no-op where already inside)."""
    if c.matrix == "w":
        w = params["w"]
        if c.norm == "l2":
            params["w"] = w * torch.clamp(c.radius / w.norm(dim=-1, keepdim=True).clamp_min(1e-30), max=1.0)
        else:
            params["w"] = project_l1(w, c.radius)
        return
    if c.matrix == "WV" or spec.parametrisation == "full":
        name = "WV" if c.matrix == "WV" else "WQK"
        params[name] = project(params[name], c.norm, c.radius)
        return
    # Factorised W_QK: for the spectral and nuclear balls the exact projection of the product, written back
    # as balanced factors; otherwise a scalar shrink (exact for the Frobenius ball; inside the ball and
    # rank-preserving for the mixed norms).
    mask = params["rank_mask"][:, None, :]
    WQ, WK = params["WQ"] * mask, params["WK"] * mask
    P = WQ @ WK.mT
    value = N.NORMS[c.norm](P)
    outside = value > c.radius * (1 + 1e-6)
    if not bool(outside.any()):
        return
    if c.norm in SVD_PROJECTED:
        k = spec.k
        U, s, Vh = torch.linalg.svd(project(P, c.norm, c.radius), full_matrices=False)
        root = s[..., :k].clamp_min(0).sqrt().unsqueeze(-2)
        newQ, newK = U[..., :k] * root * mask, Vh[..., :k, :].mT * root * mask
    else:
        scale = torch.where(outside, (c.radius / value.clamp_min(1e-30)).sqrt(), torch.ones_like(value))
        newQ, newK = WQ * scale[:, None, None], WK * scale[:, None, None]
    sel = outside[:, None, None]
    params["WQ"] = torch.where(sel, newQ, params["WQ"])
    params["WK"] = torch.where(sel, newK, params["WK"])


@dataclass(frozen=True)
class Control:
    """The rank control and the constraints of one training run."""

    kind: str = "factor"
    lam: float = 0.0
    constraints: tuple[Constraint, ...] = ()

    def __post_init__(self):
        if self.kind not in CONTROLS:
            raise ConfigError(f"rank control must be one of {', '.join(CONTROLS)} (got '{self.kind}')")
        if not (self.lam >= 0 and self.lam < float("inf")):  # also refuses NaN
            raise ConfigError(f"penalty lam must be a finite number >= 0 (got {self.lam})")

    @property
    def parametrisation(self) -> str:
        return "factor" if self.kind == "factor" else "full"

    def penalty(self, params: dict) -> torch.Tensor:
        """Per-member differentiable penalty (the variational nuclear form for ``factor``)."""
        if self.kind == "factor" and self.lam > 0:
            return 0.5 * self.lam * (params["WQ"].pow(2).sum((-2, -1)) + params["WK"].pow(2).sum((-2, -1)))
        return torch.zeros(params["WV"].shape[0], device=params["WV"].device)

    def after_step(self, spec: HeadSpec, params: dict, lr: float) -> None:
        """Proximal nuclear step, then every projection (in place, without gradients)."""
        with torch.no_grad():
            if self.kind == "factor":
                mask = params["rank_mask"][:, None, :]
                params["WQ"].mul_(mask)
                params["WK"].mul_(mask)
            if self.kind == "nuclear" and self.lam > 0:
                from .projections import soft_threshold_singular

                params["WQK"] = soft_threshold_singular(params["WQK"], lr * self.lam)
            for c in self.constraints:
                apply_constraint(spec, params, c)


def parse_constraints(texts: Sequence[str]) -> tuple[Constraint, ...]:
    return tuple(Constraint.parse(t) for t in texts)
