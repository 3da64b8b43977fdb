"""Sumformer, Transformer, Linformer and Performer, batched over a leading member axis (seeds).

Every model maps ``X (B, n, d)`` to ``(M, B, n, d_out)`` for its ``M`` members (independent
initialisations trained together: each parameter has a leading axis of size M, and Adam is
elementwise, so members never interact).

* :class:`Sumformer` -- φ–sum–ψ (notes §1.2): ``phi="mlp"`` (φ = MLP d → h → h → d') or
  ``phi="poly"`` (φ = the fixed monomials x^α, 1 <= |α| <= degree; d' = C(degree+d, d) − 1).  The
  sum is taken as a mean (the same for fixed n up to the factor n), ψ = MLP(x_i, mean) → d_out.
* :class:`AttentionNet` -- token-wise FF_pre (d → h → d_model), then ``layers`` blocks of
  [attention + residual, FF + residual], then FF_post (d_model → h → d_out); one head, no positional
  encoding.  ``attention``: ``softmax``; ``linformer_ones`` (k = 1, E = F = all-ones, fixed);
  ``linformer`` (E, F learned, k x n); ``performer`` (m positive orthogonal random features, redrawn
  every step or fixed).
* :func:`match_hidden` -- the FF width h that brings a model's parameter count closest to a target.

>>> s = Sumformer(d=2, d_out=1, n=4, phi="poly", degree=4, hidden=8, members=3)
>>> s.latent, tuple(s(torch.rand(5, 4, 2)).shape)
(14, (3, 5, 4, 1))
>>> net = AttentionNet(d=2, d_out=1, n=4, attention="performer", m=4, d_model=8, hidden=8, members=2)
>>> tuple(net(torch.rand(5, 4, 2)).shape)
(2, 5, 4, 1)
>>> monomial_exponents(2, 2)
[(1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from ..errors import ConfigError
from .attention import favor_attention, linformer_attention, orthogonal_features, softmax_attention

ATTENTIONS = ("softmax", "linformer_ones", "linformer", "performer")


def monomial_exponents(d: int, degree: int) -> list[tuple[int, ...]]:
    """Every α in ℕ^d with 1 <= |α| <= degree, by total degree (there are C(degree+d, d) − 1)."""
    out = []
    for total in range(1, degree + 1):
        out += sorted((a for a in itertools.product(range(total + 1), repeat=d) if sum(a) == total), reverse=True)
    return out


def monomials(X: torch.Tensor, exponents) -> torch.Tensor:
    """``(..., d) -> (..., len(exponents))``: the monomials x^α."""
    alpha = torch.tensor(exponents, dtype=X.dtype, device=X.device)  # (p, d)
    return torch.prod(X[..., None, :] ** alpha, dim=-1)


class Linear(nn.Module):
    """M independent affine maps: ``(..., in) -> (M, ..., out)`` (or ``(M, ..., in)`` in)."""

    def __init__(self, members: int, fan_in: int, fan_out: int, generator: torch.Generator):
        super().__init__()
        bound = 1 / math.sqrt(fan_in)  # torch's default nn.Linear initialisation
        self.weight = nn.Parameter((torch.rand(members, fan_in, fan_out, generator=generator) * 2 - 1) * bound)
        self.bias = nn.Parameter((torch.rand(members, 1, fan_out, generator=generator) * 2 - 1) * bound)
        self.shared_input = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        M = self.weight.shape[0]
        if self.shared_input:  # the same input for every member: (..., in) -> (M, ..., in)
            x = x.expand(M, *x.shape)
        shape = x.shape
        flat = x.reshape(M, -1, shape[-1])
        return torch.baddbmm(self.bias, flat, self.weight).reshape(*shape[:-1], -1)


class MLP(nn.Module):
    """in → h → … → out with ReLU, batched over members; the first layer takes shared input."""

    def __init__(self, members, sizes, generator, shared_input=False):
        super().__init__()
        self.layers = nn.ModuleList(Linear(members, a, b, generator) for a, b in zip(sizes, sizes[1:]))
        self.layers[0].shared_input = shared_input

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x


def param_count(model: nn.Module) -> int:
    """Trainable parameters of ONE member."""
    return sum(p.numel() // p.shape[0] for p in model.parameters() if p.requires_grad)


class Sumformer(nn.Module):
    def __init__(self, d: int, d_out: int, n: int, phi: str = "mlp", latent: int = 4, degree: int = 0,
                 hidden: int = 64, phi_hidden: int = 0, members: int = 1, seed: int = 0):
        super().__init__()
        if phi not in ("mlp", "poly"):
            raise ConfigError(f"phi must be mlp or poly (got {phi!r})")
        g = torch.Generator().manual_seed(seed)
        self.phi_kind, self.n = phi, n
        if phi == "poly":
            self.exponents = monomial_exponents(d, degree or n)
            self.latent = len(self.exponents)
            self.phi = None
        else:
            self.latent = latent
            ph = phi_hidden or hidden
            self.phi = MLP(members, [d, ph, ph, latent], g, shared_input=True)
        self.members = members
        self.psi = MLP(members, [d + self.latent, hidden, hidden, d_out], g)

    def forward(self, X):
        M = self.members
        if self.phi is None:
            feats = monomials(X, self.exponents).expand(M, *X.shape[:-1], self.latent)
        else:
            feats = self.phi(X)
        pooled = feats.mean(-2, keepdim=True).expand_as(feats)
        return self.psi(torch.cat([X.expand(M, *X.shape), pooled], -1))


class AttentionNet(nn.Module):
    def __init__(self, d: int, d_out: int, n: int, attention: str = "softmax", layers: int = 1, d_model: int = 16,
                 hidden: int = 32, k: int = 1, m: int = 16, redraw: bool = True, members: int = 1, seed: int = 0):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ConfigError(f"attention must be one of {', '.join(ATTENTIONS)} (got {attention!r})")
        if attention == "linformer_ones" and k != 1:
            raise ConfigError(f"all-ones Linformer projections are defined for k = 1 (got k={k})")
        g = torch.Generator().manual_seed(seed)
        self.attention, self.members, self.n, self.m, self.redraw = attention, members, n, m, redraw
        self.d_model = d_model
        self.pre = MLP(members, [d, hidden, d_model], g, shared_input=True)
        self.qkv = nn.ModuleList(Linear(members, d_model, 3 * d_model, g) for _ in range(layers))
        self.out = nn.ModuleList(Linear(members, d_model, d_model, g) for _ in range(layers))
        self.ff = nn.ModuleList(MLP(members, [d_model, hidden, d_model], g) for _ in range(layers))
        self.post = MLP(members, [d_model, hidden, d_out], g)
        if attention == "linformer_ones":
            self.register_buffer("E", torch.ones(layers, members, 1, 1, n))
            self.register_buffer("F", torch.ones(layers, members, 1, 1, n))
        elif attention == "linformer":
            self.E = nn.Parameter(torch.randn(layers, members, 1, k, n, generator=g) / math.sqrt(k))
            self.F = nn.Parameter(torch.randn(layers, members, 1, k, n, generator=g) / math.sqrt(k))
        if attention == "performer":
            self.feature_generator = torch.Generator().manual_seed(seed + 7919)
            self.register_buffer("omega", self.draw_features(layers))

    def draw_features(self, layers: int) -> torch.Tensor:
        draws = [orthogonal_features(self.m, self.d_model, self.feature_generator, torch.float32)
                 for _ in range(layers * self.members)]
        return torch.stack(draws).reshape(layers, self.members, 1, self.m, self.d_model)

    def resample(self) -> None:
        """A fresh draw of the random features (called every training step when ``redraw``)."""
        if self.attention == "performer" and self.redraw:
            self.omega = self.draw_features(len(self.qkv)).to(self.omega.device)

    def forward(self, X):
        z = self.pre(X)  # (M, B, n, d_model)
        for i, (qkv, out, ff) in enumerate(zip(self.qkv, self.out, self.ff)):
            Q, K, V = qkv(z).split(self.d_model, -1)
            if self.attention == "softmax":
                a = softmax_attention(Q, K, V)
            elif self.attention == "performer":
                a = favor_attention(Q, K, V, self.omega[i].to(z.dtype))
            else:
                a = linformer_attention(Q, K, V, self.E[i].to(z.dtype), self.F[i].to(z.dtype))
            z = z + out(a)
            z = z + ff(z)
        return self.post(z)


def match_hidden(build, target: int, low: int = 2, high: int = 512) -> tuple[int, int]:
    """``(h, params)``: the width h in [low, high] whose ``build(h)`` parameter count is closest to ``target``
    (counts grow with h, so a bisection)."""
    def count(h):
        return param_count(build(h))
    lo, hi = low, high
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count(mid) < target:
            lo = mid
        else:
            hi = mid
    best = min((lo, hi), key=lambda h: abs(count(h) - target))
    return best, count(best)
