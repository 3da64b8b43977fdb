"""The three attention mechanisms as plain functions, shared by the models and the exact checks.

Row-token notation: ``Q, K, V`` are ``(..., n, h)``.

* :func:`softmax_attention` -- softmax(Q Kᵀ / √h) V;
* :func:`linformer_attention` -- softmax(Q (E K)ᵀ / √h) (F V) with ``E, F (k, n)`` (the notes'
  k x n reading of the paper's E_i, F_i);
* :func:`favor_attention` -- FAVOR+ with positive random features:
  D̂⁻¹ φ(Q) (φ(K)ᵀ V), φ(u) = exp(ωᵀu − |u|²/2)/√m, queries and keys scaled by h^(-1/4);
* :func:`orthogonal_features` -- m positive orthogonal random features (blocks of h exactly
  orthogonal rows, each rescaled to a chi-distributed norm, as in the Performer paper).

With all-ones E = F and k = 1 Linformer sums the values; with Q = K = 0 softmax and FAVOR+
average them (for any ω):

>>> V = torch.arange(6.0, dtype=torch.float64).reshape(3, 2)
>>> zero = torch.zeros(3, 2, dtype=torch.float64)
>>> linformer_attention(torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64), V,
...                     torch.ones(1, 3, dtype=torch.float64), torch.ones(1, 3, dtype=torch.float64))[0].tolist()
[6.0, 9.0]
>>> softmax_attention(zero, zero, V)[1].tolist(), favor_attention(zero, zero, V, torch.randn(4, 2))[2].tolist()
([2.0, 3.0], [2.0, 3.0])
"""

from __future__ import annotations

import math

import torch


def softmax_attention(Q, K, V):
    scores = Q @ K.transpose(-1, -2) / math.sqrt(Q.shape[-1])
    return torch.softmax(scores, -1) @ V


def linformer_attention(Q, K, V, E, F):
    """E, F: ``(k, n)`` (or with leading batch axes)."""
    keys, values = E @ K, F @ V
    scores = Q @ keys.transpose(-1, -2) / math.sqrt(Q.shape[-1])
    return torch.softmax(scores, -1) @ values


def positive_features(U, omega, over_keys: bool):
    """φ(u) = exp(ωᵀu − |u|²/2 − c)/√m with a stabiliser c that cancels in D̂⁻¹ (per query row, or
    one constant over all keys of a sequence)."""
    m = omega.shape[-2]
    proj = U @ omega.transpose(-1, -2) - (U * U).sum(-1, keepdim=True) / 2
    if over_keys:
        c = proj.amax(dim=(-1, -2), keepdim=True)
    else:
        c = proj.amax(dim=-1, keepdim=True)
    return torch.exp(proj - c.detach()) / math.sqrt(m)


def favor_attention(Q, K, V, omega):
    """FAVOR+ (positive features), linear in n.  ``omega``: ``(m, h)`` or ``(..., m, h)``."""
    scale = Q.shape[-1] ** -0.25
    q = positive_features(Q * scale, omega.to(Q.dtype), over_keys=False)
    k = positive_features(K * scale, omega.to(Q.dtype), over_keys=True)
    numerator = q @ (k.transpose(-1, -2) @ V)
    denominator = q @ k.sum(-2, keepdim=True).transpose(-1, -2)
    return numerator / denominator


def orthogonal_features(m: int, h: int, generator: torch.Generator, dtype=torch.float64,
                        orthogonal: bool = True, draws: int = 0) -> torch.Tensor:
    """``(m, h)`` Gaussian features (``(draws, m, h)`` when ``draws`` > 0); with ``orthogonal`` each block of
    up to h rows is exactly orthogonal (Haar: QR with the signs of R's diagonal fixed) and each row is
    rescaled to the norm of an independent N(0, I_h) vector, so every row is still N(0, I_h)."""
    count = max(draws, 1)
    if not orthogonal:
        out = torch.randn(count, m, h, generator=generator, dtype=torch.float64)
        return (out if draws else out[0]).to(dtype)
    blocks, left = [], m
    while left > 0:
        G = torch.randn(count, h, h, generator=generator, dtype=torch.float64)
        q, r = torch.linalg.qr(G)
        q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))[..., None, :]  # Haar-distributed
        take = min(left, h)
        blocks.append(q.transpose(-1, -2)[:, :take])
        left -= take
    rows = torch.cat(blocks, 1)
    norms = torch.randn(count, m, h, generator=generator, dtype=torch.float64).norm(dim=-1, keepdim=True)
    out = rows * norms
    return (out if draws else out[0]).to(dtype)
