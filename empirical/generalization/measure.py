"""Measurements of trained heads: every norm of W_QK, W_V and w, numerical and stable ranks.

>>> import torch
>>> from tbounds.empirical.generalization.models import HeadSpec, init_params
>>> spec = HeadSpec(d=6, k=2)
>>> m = weight_measurements(spec, init_params(spec, [0], [2]))[0]
>>> m["qk_rank"] <= 2, m["qk_stable_rank"] <= m["qk_rank"]
(True, True)
"""

from __future__ import annotations

import torch

from . import norms as N
from .models import HeadSpec, qk_matrix


def weight_measurements(spec: HeadSpec, params: dict, tol: float = N.RANK_TOL) -> list[dict]:
    """Per member: every norm of ``W_QK`` and ``W_V``, ``w``'s norms, the numerical rank at ``tol`` and stable rank."""
    with torch.no_grad():
        double = {k: v.double() for k, v in params.items()}  # form W_Q W_K^T in float64: float32 rounding
        reports = {"qk": N.matrix_report(qk_matrix(spec, double), tol),  # would look like extra rank
                   "v": N.matrix_report(params["WV"].double(), tol),
                   "w": N.vector_report(params["w"].double())}
    M = params["WV"].shape[0]
    rows = []
    for m in range(M):
        row = {f"{prefix}_{name}": _number(values[m]) for prefix, rep in reports.items() for name, values in rep.items()}
        row["rank_tol"] = tol
        rows.append(row)
    return rows


def _number(x: torch.Tensor):
    v = x.item()
    return int(v) if isinstance(v, int) else float(v)
