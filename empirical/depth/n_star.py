"""n@eps, the length a model tracks state over (arXiv 2503.03961 §7, App. F; the authors' ``n@eps``).

- :func:`n_at_eps`: the smallest 0-based position whose accuracy is below ``1 - eps``, or the
  number of positions when there is none.  **n\\* = n@0.05 is how many leading positions all reach
  95%**; it is not "the last position above 95%": the two differ when accuracy is not monotone
  in the position.  Positions without a label (``None``/NaN: the operator tokens of modular
  arithmetic) neither stop nor count against it.
- :func:`summarise`: per-position accuracy curves of several seeds, each at several checkpoints,
  reduced the paper's way (**best**: the maximum over seeds *and* checkpoints, Figure 2) and two
  ways that are less optimistic (**median** over seeds of each seed's best checkpoint, and the
  median over seeds of the **final** checkpoint).  ``censored`` says the best reached the last
  evaluated position: n\\* is then only a lower bound (the evaluation length is the ceiling).

>>> n_at_eps([1.0, 0.99, 0.97, 0.90, 0.99, 1.0])      # the dip at index 3 ends it, despite later recovery
3
>>> n_at_eps([1.0, None, 0.96, None, 0.5])             # unlabelled positions are skipped
4
>>> n_at_eps([0.99, 0.98])                              # no position below 95%: the whole length
2
>>> s = summarise([[[1, 1, .5, 1], [1, 1, 1, .2]],      # seed 0: two checkpoints
...                [[1, .9, 1, 1], [1, 1, .9, 1]]])     # seed 1
>>> s["best"], s["median"], s["final_median"], s["per_seed_best"], s["censored"]
(3, 2.5, 2.5, [3, 2], False)
"""

from __future__ import annotations

import math
import statistics
from typing import Optional, Sequence

EPS = 0.05


def n_at_eps(accuracy: Sequence[Optional[float]], eps: float = EPS) -> int:
    """How many leading positions reach ``1 - eps`` (the first failing 0-based index)."""
    if not 0 < eps < 1:
        raise ValueError(f"eps must be in (0, 1) (got {eps})")
    for t, a in enumerate(accuracy):
        if a is None or (isinstance(a, float) and math.isnan(a)):
            continue
        if a < 1 - eps:
            return t
    return len(accuracy)


def summarise(curves: Sequence[Sequence[Sequence[Optional[float]]]], eps: float = EPS) -> dict:
    """``curves[seed][checkpoint]`` = per-position accuracy; n* best, median and final median, per seed."""
    per_seed = [[n_at_eps(c, eps) for c in seed] for seed in curves if len(seed)]
    if not per_seed:
        return {"best": None, "median": None, "final_median": None, "per_seed_best": [], "per_seed_final": [],
                "censored": False, "length": None}
    length = max(len(c) for seed in curves for c in seed)
    best_each = [max(s) for s in per_seed]
    final_each = [s[-1] for s in per_seed]
    best = max(best_each)
    return {"best": best, "median": _plain(statistics.median(best_each)),
            "final_median": _plain(statistics.median(final_each)), "per_seed_best": best_each,
            "per_seed_final": final_each, "censored": best >= length, "length": length}


def _plain(v: float):
    return int(v) if float(v).is_integer() else float(v)
