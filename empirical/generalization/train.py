"""Batched training of many heads at once: logistic loss, full-batch Adam, projections after each step.

Why not :func:`tbounds.empirical.ensemble.train`: it fits MSE on flat parameters and has
no hook for the per-step proximal/projection step that makes the norm
constraints hold exactly, nor per-member sample masks.  This is the small
adapter: the same recipe (stacked tensors, one Adam for all members, loss summed
over members so gradients stay independent), with those two additions.

Members may have different sample sizes: inputs are padded to ``n_max`` and a
``(M, n_max)`` mask weights each member's own samples.

>>> import torch
>>> from tbounds.empirical.generalization.models import HeadSpec, init_params
>>> from tbounds.empirical.generalization.control import Control
>>> spec = HeadSpec(d=6, k=2)
>>> X = torch.randn(2, 8, 5, 6); y = torch.sign(torch.randn(2, 8))
>>> mask = torch.ones(2, 8); mask[1, 4:] = 0   # member 1 sees 4 samples
>>> p = fit(spec, init_params(spec, [0, 1]), X, y, mask, Control(), steps=50, lr=0.05)
>>> bool(logistic(forward(spec, p, X), y)[0].mean() < 0.69)
True
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F

from .control import Control
from .models import TRAINABLE, HeadSpec, forward


def logistic(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``log(1 + exp(-y f))`` elementwise (1-Lipschitz in f)."""
    return F.softplus(-y * out)


def clipped(out: torch.Tensor, y: torch.Tensor, cap: float = 1.0) -> torch.Tensor:
    """``min(logistic, cap)``: bounded by ``cap`` and 1-Lipschitz, as the bounds require of the loss."""
    return logistic(out, y).clamp(max=cap)


def zero_one(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (y * out <= 0).to(out.dtype)


def masked_mean(values: torch.Tensor, mask: Optional[torch.Tensor]) -> torch.Tensor:
    if mask is None:
        return values.mean(-1)
    return (values * mask).sum(-1) / mask.sum(-1).clamp_min(1)


def fit(spec: HeadSpec, params: dict, X: torch.Tensor, y: torch.Tensor, mask: Optional[torch.Tensor],
        control: Control, steps: int, lr: float = 0.01, betas=(0.9, 0.999), eps: float = 1e-8,
        progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Train every member for ``steps`` full-batch Adam steps; returns new (detached) parameters."""
    names = TRAINABLE[spec.parametrisation]
    params = {k: v.detach().clone() for k, v in params.items()}
    control.after_step(spec, params, lr)  # start inside the constraint set
    m1 = {k: torch.zeros_like(params[k]) for k in names}
    m2 = {k: torch.zeros_like(params[k]) for k in names}
    b1, b2 = betas
    for step in range(1, steps + 1):
        for k in names:
            params[k].requires_grad_(True)
        loss = masked_mean(logistic(forward(spec, params, X), y), mask) + control.penalty(params)
        grads = torch.autograd.grad(loss.sum(), [params[k] for k in names])  # sum: members stay independent
        with torch.no_grad():
            for k, g in zip(names, grads):
                m1[k].mul_(b1).add_(g, alpha=1 - b1)
                m2[k].mul_(b2).addcmul_(g, g, value=1 - b2)
                update = (m1[k] / (1 - b1 ** step)) / ((m2[k] / (1 - b2 ** step)).sqrt() + eps)
                params[k] = params[k].detach() - lr * update
        control.after_step(spec, params, lr)
        if progress is not None and step % 50 == 0:
            progress(step, steps)
    return {k: v.detach() for k, v in params.items()}


def losses(spec: HeadSpec, params: dict, X: torch.Tensor, y: torch.Tensor,
           mask: Optional[torch.Tensor] = None, chunk: int = 4096) -> dict[str, torch.Tensor]:
    """Per-member mean logistic, clipped-logistic and 0-1 losses (``X`` shared or per member)."""
    outs = []
    with torch.no_grad():
        if X.dim() == 3:  # shared held-out set: evaluate in chunks of samples to bound memory
            outs = torch.cat([forward(spec, params, X[i:i + chunk]) for i in range(0, X.shape[0], chunk)], dim=1)
        else:
            outs = forward(spec, params, X)
    return {"logistic": masked_mean(logistic(outs, y), mask), "clipped": masked_mean(clipped(outs, y), mask),
            "error": masked_mean(zero_one(outs, y), mask)}
