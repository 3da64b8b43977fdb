"""Summaries of a sweep: slope of log(gap) in log(n), the effect of rank, the effect of T.

Every fit uses the individual runs (one point per seed), not means, so the
interval reflects seed-to-seed variation.  Points with a gap <= 0 have no
logarithm; they are dropped and counted.

>>> cells = [({"task": "t", "T": 4, "n": n}, {"members": [{"rank": 1, "seed": s, "gap": 2 / n ** 0.5 * (1 + 0.05 * s)}
...                                                       for s in range(3)], "rademacher": []}) for n in (64, 256, 1024)]
>>> rows = n_slopes(cells)
>>> rows[0]["rank"], round(rows[0]["slope"], 2)
('all', -0.5)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import numpy as np

from ..fit import slope


def _points(cells, key: str = "gap"):
    for config, result in cells:
        for m in result["members"]:
            yield config, m, m[key]


def n_slopes(cells: Iterable[tuple[dict, dict]], key: str = "gap") -> list[dict]:
    """Slope of log(key) against log(n) per (task, T), pooled over ranks ('all') and per rank."""
    cells = list(cells)
    groups = defaultdict(list)
    for config, m, value in _points(cells, key):
        groups[(config["task"], config["T"], "all")].append((config["n"], value))
        groups[(config["task"], config["T"], m["rank"])].append((config["n"], value))
    rows = []
    for (task, T, rank), pts in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))):
        if len({n for n, _ in pts}) < 2:
            continue
        fit = slope([n for n, _ in pts], [v for _, v in pts])
        rows.append({"task": task, "T": T, "rank": rank, "quantity": key, **fit.to_dict()})
    rows.sort(key=lambda r: (r["task"], r["T"], r["rank"] != "all", str(r["rank"]).zfill(4)))
    return rows


def rademacher_slopes(cells: Iterable[tuple[dict, dict]]) -> list[dict]:
    """Slope of the head's Rademacher lower estimate and the score-class closed form in n, per rank."""
    groups = defaultdict(list)
    for config, result in cells:
        for e in result["rademacher"]:
            groups[(config["task"], config["T"], e["rank"])].append((config["n"], e["rad_head"], e["rad_score"]))
    rows = []
    for (task, T, rank), pts in sorted(groups.items()):
        if len({p[0] for p in pts}) < 2:
            continue
        for name, idx in (("rad_head (lower estimate)", 1), ("rad_score (closed form)", 2)):
            fit = slope([p[0] for p in pts], [p[idx] for p in pts])
            rows.append({"task": task, "T": T, "rank": rank, "quantity": name, **fit.to_dict()})
    return rows


def rank_effect(cells: Iterable[tuple[dict, dict]], key: str = "gap") -> list[dict]:
    """Mean gap per rank at each (task, T, n), with the slope of log(gap) against log(rank)."""
    rows = []
    for config, result in cells:
        by_rank = defaultdict(list)
        for m in result["members"]:
            by_rank[m["rank"]].append(m[key])
        ranks = sorted(by_rank)
        row = {"task": config["task"], "T": config["T"], "n": config["n"]}
        for r in ranks:
            row[f"gap_r{r}"] = float(np.mean(by_rank[r]))
        if len(ranks) > 1:
            fit = slope([r for r in ranks for _ in by_rank[r]], [v for r in ranks for v in by_rank[r]])
            fitted = fit.to_dict()  # None, not NaN, where no slope can be fitted
            row.update({"slope_in_rank": fitted["slope"], "ci_low": fitted["ci_low"], "ci_high": fitted["ci_high"],
                        "ratio_rmax_r1": row[f"gap_r{ranks[-1]}"] / row[f"gap_r{ranks[0]}"]
                        if row[f"gap_r{ranks[0]}"] > 0 else None})
        rows.append(row)
    return rows


def T_effect(cells: Iterable[tuple[dict, dict]], key: str = "gap") -> list[dict]:
    """Mean gap per (task, n, rank) across T (the bounds of Truong and Trauger-Tewari are flat in T)."""
    groups = defaultdict(list)
    for config, result in cells:
        for m in result["members"]:
            groups[(config["task"], config["n"], m["rank"], config["T"])].append(m[key])
    rows = [{"task": k[0], "n": k[1], "rank": k[2], "T": k[3], "gap": float(np.mean(v)), "runs": len(v)}
            for k, v in sorted(groups.items())]
    return rows
