"""Measurements on data and models: the assumptions of a bound, checked on the data actually used.

- :func:`separation` -- token-wise (r, delta) of a dataset (Assumption 4.1 of arXiv 2409.17677):
  r = largest token norm, delta = smallest distance between two *distinct* tokens (over all
  sequences), found with a k-d tree so n = 4096 costs seconds, not a pairwise matrix.
- :func:`conflicts` -- the number of label-consistency violations (next-token or seq2seq sense).
- :func:`describe` -- both, plus N, n, d, as one dict ready for a row.

>>> import torch
>>> from tbounds.empirical.memorization.tasks import random_tokens, inconsistent
>>> ds = random_tokens(N=20, n=4, d=3, seed=0)
>>> s = separation(ds.X)
>>> 0 < s["delta"] <= s["r"] <= 3 ** 0.5, s["distinct_tokens"]
(True, 80)
>>> conflicts(ds), conflicts(inconsistent(ds))
(0, 1)
"""

from __future__ import annotations

import math

import numpy as np
import torch


def separation(X: torch.Tensor) -> dict:
    """``r``, ``delta`` and the number of distinct tokens of ``X (N, n, d)``."""
    tokens = X.reshape(-1, X.shape[-1]).double().cpu().numpy()
    unique = np.unique(tokens, axis=0)
    r = float(np.linalg.norm(unique, axis=1).max()) if len(unique) else 0.0
    if len(unique) < 2:
        delta = math.inf
    else:
        from scipy.spatial import cKDTree

        dist, _ = cKDTree(unique).query(unique, k=2)
        delta = float(dist[:, 1].min())
    return {"r": r, "delta": delta, "distinct_tokens": int(len(unique))}


def conflicts(ds) -> int:
    """Pairs of keys that a permutation-equivariant model cannot tell apart but that carry different labels.

    Counts keys (multiset, last token) -- or (multiset, token) for seq2seq -- seen with both signs.
    """
    rows = ds.ids.tolist()
    labels = ds.y.tolist()
    seen: dict = {}
    bad = set()
    for row, lab in zip(rows, labels):
        multiset = tuple(sorted(row))
        pairs = [((multiset, row[-1]), lab)] if ds.kind == "next_token" else \
            [((multiset, t), l) for t, l in zip(row, lab)]
        for key, value in pairs:
            if seen.setdefault(key, value) != value:
                bad.add(key)
    return len(bad)


def describe(ds) -> dict:
    """N, n, d, measured r and delta, label conflicts, and whether the theorem's r >= 1, delta <= 1 hold."""
    s = separation(ds.X)
    c = conflicts(ds)
    return {"N": ds.N, "n": ds.n, "d": ds.d, **s, "conflicts": c, "consistent": c == 0,
            "r_at_least_1": s["r"] >= 1, "delta_at_most_1": s["delta"] <= 1}
