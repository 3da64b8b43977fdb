"""Norm radii implied by the constraints a model was trained under.

A bound may be stated with a norm we did not constrain (Trauger & Tewari use
the (1,1) norm, Edelman et al. the (2,1) norm).  Standard inequalities between
matrix norms turn the constrained radii into valid radii for every norm, so a
bound can be evaluated *at the constraints* (genuinely, before seeing the
trained weights).  Norms use the conventions of :mod:`.norms`.

>>> r = implied_matrix({"fro": 2.0}, rows=4, cols=4, rank=1)
>>> r["spectral"], r["nuclear"], r["l21"], r["l11"]
(2.0, 2.0, 4.0, 8.0)
>>> implied_vector({"l2": 1.0}, dim=4)["l1"]
2.0
"""

from __future__ import annotations

import math
from typing import Mapping

MATRIX_NORMS = ("fro", "spectral", "nuclear", "l21", "l21_rows", "l11")


def implied_matrix(given: Mapping[str, float], rows: int, cols: int, rank: int) -> dict[str, float]:
    """Smallest radius for each norm derivable from ``given`` by the inequalities below (inf if none)."""
    rho = max(1, min(rank, rows, cols))
    r = {k: math.inf for k in MATRIX_NORMS}
    r.update({k: float(v) for k, v in given.items() if k in r})
    rules = [  # (target, source, factor): ‖W‖_target <= factor * ‖W‖_source
        ("spectral", "fro", 1), ("fro", "spectral", math.sqrt(rho)), ("fro", "nuclear", 1),
        ("nuclear", "fro", math.sqrt(rho)), ("nuclear", "spectral", rho), ("spectral", "nuclear", 1),
        ("l21", "fro", math.sqrt(cols)), ("fro", "l21", 1), ("l21_rows", "fro", math.sqrt(rows)),
        ("fro", "l21_rows", 1), ("l11", "l21", math.sqrt(rows)), ("l11", "l21_rows", math.sqrt(cols)),
        ("l11", "fro", math.sqrt(rows * cols)), ("fro", "l11", 1), ("l21", "l11", 1), ("l21_rows", "l11", 1),
    ]
    for _ in range(4):  # a few relaxation passes reach the fixed point for these chains
        for target, source, factor in rules:
            r[target] = min(r[target], factor * r[source])
    return r


def implied_vector(given: Mapping[str, float], dim: int) -> dict[str, float]:
    r = {"l2": math.inf, "l1": math.inf}
    r.update({k: float(v) for k, v in given.items() if k in r})
    r["l2"] = min(r["l2"], r["l1"])
    r["l1"] = min(r["l1"], math.sqrt(dim) * r["l2"])
    return r
