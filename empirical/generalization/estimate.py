"""Optimisation-based lower estimates of empirical Rademacher complexity, batched over sign vectors.

For each sign vector σ, maximise ``(1/n) Σ σ_i f_θ(z_i)`` over the constrained
parameters by projected Adam ascent from several random starts, and keep the
best value.  Every iterate is feasible, so each value is at most the true
supremum: the mean over σ is a **lower estimate** of ``R̂_S``.  All
``K × restarts`` problems share the sample and run on one leading axis
(shared/papers/performance.md §3.1).

On a linear class the estimate can be checked against the closed form:

>>> import torch
>>> from tbounds.empirical.generalization.rademacher import per_sign, sign_vectors
>>> Z = torch.randn(12, 4, 4, generator=torch.Generator().manual_seed(0))
>>> s = sign_vectors(12, 8, seed=0)
>>> est = linear_lower(Z, s, "fro_rank", 1.0, rank=2, steps=200)
>>> exact = per_sign(Z, s, "fro_rank", 1.0, rank=2)
>>> bool((est <= exact + 1e-9).all()), bool((est >= 0.95 * exact).all())
(True, True)
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from ..errors import ConfigError

from .control import Control
from .models import TRAINABLE, HeadSpec, forward, init_params
from .projections import project, truncate_rank
from .rademacher import Estimate
from ..seeds import generator


def _decay(t: int, steps: int) -> float:
    """Cosine step-size decay to 5% (large steps explore, small steps settle on the boundary)."""
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t / max(1, steps)))


def _project_class(W: torch.Tensor, cls: str, radius: float, rank: Optional[int]) -> torch.Tensor:
    base = cls.replace("_rank", "")
    if cls.endswith("_rank"):
        W = truncate_rank(W, rank)  # for F and spectral balls: truncate, then shrink = exact projection
    return project(W, base, radius)


def linear_lower(Z: torch.Tensor, sigmas: torch.Tensor, cls: str, radius: float, rank: Optional[int] = None,
                 steps: int = 200, restarts: int = 2, lr: float = 0.5, seed: int = 0) -> torch.Tensor:
    """Per-σ best value of projected ascent on ``<W, M_σ>/n`` over the class: ``(K,)``, each <= the sup."""
    Z = Z.double()
    n, d1, d2 = Z.shape
    K = sigmas.shape[0]
    M = torch.einsum("kn,nab->kab", sigmas.double(), Z) / n
    M = M.repeat(restarts, 1, 1)
    g = generator(int(seed))
    W = _project_class(torch.randn(K * restarts, d1, d2, generator=g, dtype=torch.float64) * 1e-2, cls, radius, rank)
    step = M / M.norm(dim=(-2, -1), keepdim=True).clamp_min(1e-30)  # gradient of the linear objective
    for t in range(steps):
        # plain projected gradient ascent: Adam's per-coordinate scaling has the wrong fixed points under a
        # projection (it drifts to the sign direction), a normalised gradient step does not
        W = _project_class(W + lr * radius * _decay(t, steps) * step, cls, radius, rank)
    values = (W * M).sum((-2, -1)).view(restarts, K)
    return values.amax(0)


def head_lower(spec: HeadSpec, control: Control, X: torch.Tensor, sigmas: torch.Tensor, *, restarts: int = 2,
               steps: int = 150, lr: float = 0.2, seed: int = 0, rank: Optional[int] = None) -> Estimate:
    """Lower estimate of ``R̂_S`` of the head class ``{f_θ : θ satisfies control's constraints, rank <= rank}``.

    The class must bound the output: constraints on ``w`` and ``WV`` are required
    (without them the supremum is infinite).
    """
    matrices = {c.matrix for c in control.constraints}
    if not {"w", "WV"} <= matrices:
        raise ConfigError("the head class needs norm constraints on w and WV for a finite Rademacher complexity "
                          f"(got {', '.join(c.label for c in control.constraints) or 'none'})")
    K, n = sigmas.shape
    P = K * restarts
    rank = rank or spec.k
    params = init_params(spec, [int(seed) * 100_003 + i for i in range(P)], [rank] * P, device=X.device)
    sig = sigmas.to(device=X.device, dtype=X.dtype).repeat(restarts, 1)
    names = TRAINABLE[spec.parametrisation]
    control = Control(control.kind, 0.0, control.constraints)  # the class, not the training penalty
    control.after_step(spec, params, lr)
    best = torch.full((P,), -math.inf, device=X.device)
    for t in range(steps):
        for k in names:
            params[k].requires_grad_(True)
        value = (sig * forward(spec, params, X)).mean(-1)
        grads = torch.autograd.grad(value.sum(), [params[k] for k in names])
        with torch.no_grad():
            best = torch.maximum(best, value.detach())  # value at a feasible point: a valid lower value
            for k, gr in zip(names, grads):
                dims = tuple(range(1, gr.dim()))
                size = params[k].norm(dim=dims, keepdim=True) + 0.1  # relative steps per member and matrix
                direction = gr / gr.norm(dim=dims, keepdim=True).clamp_min(1e-30)
                params[k] = params[k].detach() + lr * _decay(t, steps) * size * direction
        control.after_step(spec, params, lr)
    with torch.no_grad():
        best = torch.maximum(best, (sig * forward(spec, params, X)).mean(-1))
    per_sigma = best.view(restarts, K).amax(0).double()
    se = float(per_sigma.std(unbiased=True) / math.sqrt(K)) if K > 1 else math.inf
    return Estimate(float(per_sigma.mean()), se, K, False, "lower estimate")
