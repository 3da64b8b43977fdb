"""The equivariant targets T1-T7 of the notes (§6.3; our design), on uniform random sets.

Every target maps a sequence ``X (N, n, d)`` to ``Y (N, n, d_out)`` and is
permutation-equivariant: ``f(σX) = σ f(X)``.  Token i's output depends on x_i and on the
multiset of all tokens only.

* T1 ``product``: f_i = x_i ⊙ mean_j x_j (a Sumformer with φ = id, so d' = d suffices);
* T2 ``centering``: f_i = x_i − mean_j x_j (linear);
* T3 ``kernel``: f_i = Σ_j exp(−|x_i − x_j|² / σ²) (kernel density; genuinely pairwise);
* T4 ``teacher``: f_i = Σ_j softmax_j(β x_iᵀ W x_j) x_j with a fixed random W (seeded by ``teacher_seed``);
* T5 ``max_gap``: f_i = max_j x_{j,1} − x_{i,1} (needs d' >= n at d = 1: Wagstaff et al.);
* T6 ``rank``: f_i = #{j : x_{j,1} < x_{i,1}} / n (discontinuous);
* T7 ``sorted``: f_i = concat(x_i, sort(X)) with the tokens sorted by their first coordinate
  (needs the whole multiset).

>>> X = torch.tensor([[[0.1], [0.7], [0.4]]], dtype=torch.float64)
>>> [round(v, 12) for v in target("max_gap", X)[0, :, 0].tolist()]
[0.6, 0.0, 0.3]
>>> target("rank", X)[0, :, 0].tolist()
[0.0, 0.6666666666666666, 0.3333333333333333]
>>> target("sorted", X)[0, 0].tolist()
[0.1, 0.1, 0.4, 0.7]
>>> output_dim("sorted", n=4, d=2), output_dim("kernel", n=4, d=2)
(10, 1)
>>> target("cube", X)
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: target must be one of product, centering, kernel, teacher, max_gap, rank, sorted (got 'cube')
"""

from __future__ import annotations

import torch

from ..errors import ConfigError

#: target name -> (label in the notes, one line)
TARGETS = {
    "product": ("T1", "f_i = x_i * mean_j x_j"),
    "centering": ("T2", "f_i = x_i - mean_j x_j"),
    "kernel": ("T3", "f_i = sum_j exp(-|x_i - x_j|^2 / sigma^2)"),
    "teacher": ("T4", "f_i = sum_j softmax_j(beta x_i^T W x_j) x_j, W fixed at random"),
    "max_gap": ("T5", "f_i = max_j x_j1 - x_i1"),
    "rank": ("T6", "f_i = #{j : x_j1 < x_i1} / n"),
    "sorted": ("T7", "f_i = concat(x_i, sort(X))"),
}
SIGMA = 0.5  # T3's bandwidth, fixed: the notes leave it open (our choice)


def check_target(name: str) -> str:
    if name not in TARGETS:
        raise ConfigError(f"target must be one of {', '.join(TARGETS)} (got {name!r})")
    return name


def output_dim(name: str, n: int, d: int) -> int:
    check_target(name)
    return {"kernel": 1, "max_gap": 1, "rank": 1, "sorted": d + n * d}.get(name, d)


def teacher_matrix(d: int, teacher_seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    """T4's fixed random W (d x d), N(0, 1/d) entries."""
    g = torch.Generator().manual_seed(10_000 + teacher_seed)
    return (torch.randn(d, d, generator=g, dtype=torch.float64) / d ** 0.5).to(dtype)


def target(name: str, X: torch.Tensor, *, beta: float = 1.0, teacher_seed: int = 0) -> torch.Tensor:
    """The target values ``(N, n, d_out)`` of ``X (N, n, d)``."""
    check_target(name)
    N, n, d = X.shape
    if name == "product":
        return X * X.mean(1, keepdim=True)
    if name == "centering":
        return X - X.mean(1, keepdim=True)
    if name == "kernel":
        dist2 = ((X[:, :, None, :] - X[:, None, :, :]) ** 2).sum(-1)
        return torch.exp(-dist2 / SIGMA ** 2).sum(-1, keepdim=True)
    if name == "teacher":
        W = teacher_matrix(d, teacher_seed, X.dtype)
        scores = beta * torch.einsum("bid,de,bje->bij", X, W, X)
        return torch.softmax(scores, -1) @ X
    first = X[..., 0]
    if name == "max_gap":
        return (first.max(1, keepdim=True).values - first)[..., None]
    if name == "rank":
        return ((first[:, None, :] < first[:, :, None]).sum(-1).to(X.dtype) / n)[..., None]
    order = first.argsort(1)
    ranked = torch.gather(X, 1, order[..., None].expand(N, n, d)).reshape(N, 1, n * d)
    return torch.cat([X, ranked.expand(N, n, n * d)], -1)


def uniform_sets(count: int, n: int, d: int, seed: int, low: float = 0.0, dtype=torch.float32) -> torch.Tensor:
    """``count`` sequences of n tokens iid U([low, 1]^d), seeded."""
    g = torch.Generator().manual_seed(seed)
    return (low + (1.0 - low) * torch.rand(count, n, d, generator=g, dtype=torch.float64)).to(dtype)


def examples_of(name: str):
    """The ``tbounds data`` generator of one target: ``examples(count, seed, n, d, low, beta)``."""
    def examples(count: int, seed: int, n: int = 4, d: int = 2, low: float = 0.0, beta: float = 1.0,
                 teacher_seed: int = 0) -> list:
        if n < 1 or d < 1:
            raise ConfigError(f"n and d must be positive integers (got n={n}, d={d})")
        if not -1.0 <= low < 1.0:
            raise ConfigError(f"low must be in [-1, 1) (got {low})")
        X = uniform_sets(count, n, d, seed, low, torch.float64)
        Y = target(name, X, beta=beta, teacher_seed=teacher_seed)
        return [{"input": [[round(v, 4) for v in tok] for tok in x.tolist()],
                 "target": [[round(v, 4) for v in out] for out in y.tolist()]} for x, y in zip(X, Y)]
    return examples
