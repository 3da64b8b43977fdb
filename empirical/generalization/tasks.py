"""Seeded binary tasks for the single-head transformer: sparse majority, planted low-rank teacher, random labels.

A task is a fixed distribution (drawn once from ``task_seed``: the majority
positions and embeddings, or the teacher's weights); samples are drawn from a
separate ``seed``.  Samples of one seed are nested: the first ``n`` of a draw of
size ``n' > n`` are the draw of size ``n``, so a sweep over ``n`` changes only
the amount of data.  Labels are ``±1``; inputs are ``(n, T', d)`` with the
query token at index ``-1``.

>>> data = make_task("sparse_majority", n=5, T=8, d=16, seed=0)
>>> tuple(data.X.shape), sorted(set(data.y.tolist())) <= [-1.0, 1.0]
((5, 9, 16), True)
>>> bool((make_task("sparse_majority", n=3, T=8, d=16, seed=0).X == data.X[:3]).all())
True
>>> t = make_task("teacher", n=4, T=6, d=8, seed=1, teacher_rank=1)
>>> round(float(t.X.norm(dim=-1).max()), 4)  # tokens on the unit sphere
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from tbounds.bounds.errors import TboundsError
from ..seeds import generator

TASKS = ("sparse_majority", "teacher", "random_labels")


@dataclass
class Dataset:
    X: torch.Tensor  # (n, T', d), float32; query token last
    y: torch.Tensor  # (n,), ±1

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def B_X(self) -> float:
        """Largest token norm on this sample (the ``B_X`` of the bounds)."""
        return float(self.X.norm(dim=-1).max())


def _gen(seed: int, salt: int) -> torch.Generator:
    # distinct, reproducible streams for (task structure, train sample, test sample)
    return generator(1_000_003 * int(salt) + int(seed))


def sinusoidal(T: int, d: int) -> torch.Tensor:
    """Sinusoidal positional encodings, each row scaled to unit l2 norm."""
    pos = torch.arange(T, dtype=torch.float64)[:, None]
    i = torch.arange(d, dtype=torch.float64)[None, :]
    angle = pos / 10000 ** (2 * (i // 2) / d)
    pe = torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))
    return pe / pe.norm(dim=-1, keepdim=True)


def _sparse_majority_structure(T: int, d: int, s: int, task_seed: int):
    g = _gen(task_seed, 1)
    positions = torch.randperm(T, generator=g)[:s]
    E = torch.rand(3, d, generator=g, dtype=torch.float64) * 2 - 1
    E, _ = torch.linalg.qr(E.T)  # Gram-Schmidt of the 0, 1 and CLS embeddings
    E = E.T
    E = E / E.abs().sum(-1, keepdim=True)  # l1-normalised, as in Trauger & Tewari's script
    return positions, E


def sparse_majority(n: int, T: int, d: int, seed: int, s: int = 3, task_seed: int = 0) -> Dataset:
    """Bits of length ``T``; label +1 iff at least ``(s+1)/2`` of ``s`` fixed positions are 1; CLS appended.

    Follows Trauger & Tewari's experiment (random orthogonalised l1-normalised
    embeddings for 0, 1, CLS plus sinusoidal positions); our positional rows are
    scaled to unit norm so that ``B_X`` stays near 1.
    """
    if s % 2 == 0 or not 1 <= s <= T:
        raise TboundsError(f"sparse majority needs an odd s with 1 <= s <= T (got s={s}, T={T})")
    positions, E = _sparse_majority_structure(T, d, s, task_seed)
    bits = torch.randint(0, 2, (n, T), generator=_gen(seed, 2))
    y = (bits[:, positions].sum(-1) * 2 > s).double() * 2 - 1
    tokens = torch.cat([E[bits], E[2].expand(n, 1, d)], dim=1)
    X = tokens + sinusoidal(T + 1, d)
    return Dataset(X.float(), y.float())


def _teacher(T: int, d: int, rank: int, task_seed: int, scale: float):
    g = _gen(task_seed, 3)
    U, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))
    V, _ = torch.linalg.qr(torch.randn(d, d, generator=g, dtype=torch.float64))
    WQK = scale * U[:, :rank] @ V[:, :rank].T  # spectral norm = scale, rank exactly `rank`
    WV = torch.randn(d, d, generator=g, dtype=torch.float64) / math.sqrt(d)
    w = torch.randn(d, generator=g, dtype=torch.float64) / math.sqrt(d)
    return WQK, WV, w


def _sphere(n: int, T: int, d: int, g: torch.Generator) -> torch.Tensor:
    X = torch.randn(n, T, d, generator=g, dtype=torch.float64)
    return X / X.norm(dim=-1, keepdim=True)


def teacher_score(X: torch.Tensor, WQK, WV, w) -> torch.Tensor:
    """The teacher head ``w^T relu(WV^T X^T softmax(X WQK^T x_T))`` in float64."""
    q = X[:, -1]
    a = torch.softmax(torch.einsum("ntd,nd->nt", X, q @ WQK), dim=-1)
    return torch.relu(torch.einsum("nt,ntd->nd", a, X) @ WV) @ w


def teacher(n: int, T: int, d: int, seed: int, teacher_rank: int = 1, noise: float = 0.05, scale: float = 8.0,
            task_seed: int = 0) -> Dataset:
    """Unit-norm random tokens labelled by a planted head whose query-key product has rank ``teacher_rank``.

    Labels are thresholded at the teacher's median (balanced classes) and each
    is flipped with probability ``noise``, so the Bayes error is ``noise``.
    """
    if not 1 <= teacher_rank <= d:
        raise TboundsError(f"teacher_rank must be in [1, d={d}] (got {teacher_rank})")
    if not 0 <= noise < 0.5:
        raise TboundsError(f"label noise must be in [0, 0.5) (got {noise})")
    params = _teacher(T, d, teacher_rank, task_seed, scale)
    ref = teacher_score(_sphere(4096, T, d, _gen(task_seed, 4)), *params)
    threshold = ref.median()
    g = _gen(seed, 5)
    X = _sphere(n, T, d, g)
    y = torch.where(teacher_score(X, *params) > threshold, 1.0, -1.0)
    flip = torch.rand(n, generator=_gen(seed, 6), dtype=torch.float64) < noise
    return Dataset(X.float(), torch.where(flip, -y, y).float())


def random_labels(n: int, T: int, d: int, seed: int, task_seed: int = 0) -> Dataset:
    """Teacher-style inputs with labels independent of them (the gap is pure memorisation)."""
    X = _sphere(n, T, d, _gen(seed, 5))
    y = (torch.randint(0, 2, (n,), generator=_gen(seed, 7)) * 2 - 1).float()
    return Dataset(X.float(), y)


def make_task(name: str, n: int, T: int, d: int, seed: int, **options) -> Dataset:
    """A dataset of the named task; unknown names and bad sizes are one-line errors."""
    if name not in TASKS:
        raise TboundsError(f"unknown task '{name}'; use one of {', '.join(TASKS)}")
    if n < 1 or T < 1 or d < 3:
        raise TboundsError(f"need n >= 1, T >= 1 and d >= 3 (got n={n}, T={T}, d={d})")
    fn = {"sparse_majority": sparse_majority, "teacher": teacher, "random_labels": random_labels}[name]
    allowed = {"sparse_majority": {"s", "task_seed"}, "teacher": {"teacher_rank", "noise", "scale", "task_seed"},
               "random_labels": {"task_seed"}}[name]
    return fn(n, T, d, seed, **{k: v for k, v in options.items() if k in allowed})


def heldout_seed(seed: int) -> int:
    """The seed of a task's held-out sample, disjoint from the training seeds used in sweeps."""
    return 10_000_019 + seed


def token_norm_bound(task: str, T: int, d: int, s: int = 3, task_seed: int = 0) -> float:
    """A bound on every token norm under the task's distribution (the ``B_X`` of the bounds, fixed in advance).

    >>> token_norm_bound("teacher", 8, 16)
    1.0
    >>> token_norm_bound("sparse_majority", 8, 16) >= make_task("sparse_majority", 50, 8, 16, 0).B_X
    True
    """
    if task != "sparse_majority":
        return 1.0  # tokens are drawn on the unit sphere
    _, E = _sparse_majority_structure(T, d, s, task_seed)
    pe = sinusoidal(T + 1, d)
    data = (E[:2, None, :] + pe[None, :T]).norm(dim=-1).max()
    return float(max(data, (E[2] + pe[T]).norm()) * (1 + 1e-6))  # float32 rounding margin


def examples(task: str):
    """``examples(count, seed, **settings)`` of one task, for ``tbounds data``: the label sits at the query (last) token."""

    def make(count: int = 3, seed: int = 0, T: int = 4, d: int = 3, **options) -> list[dict]:
        ds = make_task(task, count, T, d, seed, **options)
        return [{"input": [[round(float(v), 4) for v in token] for token in ds.X[i]],
                 "target": [None] * (ds.X.shape[1] - 1) + [int(ds.y[i])]} for i in range(ds.n)]

    make.__name__ = f"{task}_examples"
    return make
