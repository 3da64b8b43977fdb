"""The combinatorial steps of Kajitsuka & Sato's construction, checked numerically (no training).

- :func:`lemma_b1` -- greedy proof of Lemma B.1: N distinct multisets are told apart by their
  counts on a set A of at most N elements (one distinguishing element per collision).
- :func:`lemma_b2` -- Lemma B.2: integer weights ``f = h + floor(2 N^2 |S| sqrt(pi))`` with
  ``h(x) = ceil(N^2 |S| sqrt(pi) v_g(x))`` for a random unit v (Lemma G.1, redrawn until its
  projection condition holds) make the weighted sums of distinct multisets at least
  sqrt(|S|) apart and at most 4 M N^2 |S| sqrt(pi) in size.  Also checks the consequence the
  attention layer uses: mean-pooled ids of distinct sequences of length M are >= sqrt(|S|)/M apart.
- :func:`random_multisets` -- N distinct random multisets of size <= M over a support of size S.

>>> ms = random_multisets(N=50, M=6, support=20, seed=0)
>>> b1 = lemma_b1(ms)
>>> b1["A_size"] <= 50 and b1["distinct_on_A"]
True
>>> b2 = lemma_b2(ms, seed=0)
>>> b2["separated"], b2["bounded"]
(True, True)
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ..errors import ConfigError


def random_multisets(N: int, M: int, support: int, seed: int = 0) -> list[Counter]:
    """N distinct multisets, each of 1..M elements drawn from range(support)."""
    rng = np.random.default_rng(seed)
    out, seen = [], set()
    tries = 0
    while len(out) < N:
        tries += 1
        if tries > 100 * N + 1000:
            raise ConfigError(f"cannot draw {N} distinct multisets of size <= {M} over {support} elements")
        size = int(rng.integers(1, M + 1))
        c = Counter(rng.integers(0, support, size=size).tolist())
        key = tuple(sorted(c.items()))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def lemma_b1(multisets: list[Counter]) -> dict:
    """Build A by the induction of Lemma B.1 and check that count vectors on A are pairwise distinct.

    Multisets are added one by one; the earlier ones are pairwise distinct on A, so a new one
    collides with at most one of them, and one element where the two differ is added to A.
    """
    A: list = []
    keys: list[tuple] = []               # count vector on A of each multiset seen so far
    index: dict[tuple, int] = {}
    for i, m in enumerate(multisets):
        key = tuple(m[a] for a in A)
        j = index.get(key)
        if j is not None:
            other = multisets[j]
            x = next(x for x in sorted(set(m) | set(other)) if m[x] != other[x])
            A.append(x)
            keys = [k + (multisets[t][x],) for t, k in enumerate(keys)]
            index = {k: t for t, k in enumerate(keys)}
            key = key + (m[x],)
        keys.append(key)
        index[key] = i
    vectors = {tuple(m[a] for a in A) for m in multisets}
    return {"N": len(multisets), "A_size": len(A), "A_at_most_N": len(A) <= len(multisets),
            "distinct_on_A": len(vectors) == len(multisets)}


def lemma_b2(multisets: list[Counter], seed: int = 0, max_draws: int = 200) -> dict:
    """Lemma B.2's integer weights from a random unit vector; check separation and the size bound."""
    N = len(multisets)
    S = sorted(set().union(*multisets))
    g = {x: i for i, x in enumerate(S)}
    s = len(S)
    M = max(sum(m.values()) for m in multisets)
    lifted = np.zeros((N, s))
    for i, m in enumerate(multisets):
        for x, c in m.items():
            lifted[i, g[x]] = c
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(N, 1)
    sq = (lifted ** 2).sum(axis=1)
    norms = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * lifted @ lifted.T, 0))[iu]  # pairwise distances
    for draw in range(1, max_draws + 1):
        v = rng.standard_normal(s)
        v /= np.linalg.norm(v)
        p = lifted @ v
        proj = np.abs(p[:, None] - p[None, :])[iu]
        if np.all(proj >= norms * math.sqrt(8 / (math.pi * s)) / N ** 2 * (1 - 1e-12)):  # Lemma G.1's condition
            break
    else:
        return {"N": N, "S": s, "M": M, "g1_draws": max_draws, "separated": False, "bounded": False,
                "note": "no unit vector met Lemma G.1's condition"}
    scale = N ** 2 * s * math.sqrt(math.pi)
    h = np.ceil(scale * v)
    f = h + math.floor(2 * scale)
    sums = lifted @ f
    gaps = np.abs(sums[:, None] - sums[None, :])[np.triu_indices(N, 1)]
    min_gap = float(gaps.min())
    bound = 4 * M * scale
    # Consequence for the attention layer: the mean of f over a sequence of M tokens.
    mean_gap = min_gap / M
    return {"N": N, "S": s, "M": M, "g1_draws": draw, "min_gap": min_gap, "required_gap": math.sqrt(s),
            "separated": min_gap >= math.sqrt(s), "max_abs_sum": float(np.abs(sums).max()), "size_bound": bound,
            "bounded": float(np.abs(sums).max()) <= bound, "f_positive": bool((f > 0).all()),
            "f_max": float(f.max()), "f_range_bound": math.ceil(4 * N ** 2 * s * math.sqrt(math.pi)),
            "mean_gap": mean_gap, "mean_gap_required": math.sqrt(s) / M}
