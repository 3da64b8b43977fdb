"""Evaluate several bounds on one grid: the rows behind ``tbounds eval``.

>>> from tbounds.bounds import resolve
>>> rows = tabulate(resolve(["kajitsuka2025.seq2seq.lower_hardmax"]), {"N": [1000], "n": [8, 1000]})
>>> [(r["n"], round(r["value"], 1)) for r in rows]
[(8, 6.7), (1000, 64.2)]
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from .domain import plain
from .errors import EvaluationError, ParameterError
from .grid import product_grid
from .record import Bound


def tabulate(bounds: Sequence[Bound], values: Mapping[str, Sequence[float]], use_examples: bool = False,
             check: bool = True) -> list[dict]:
    """One flat row per (grid point, bound): ``bound``, each parameter, ``value``, ``log10_value``.

    Parameters no bound uses are refused; missing ones are an error unless
    ``use_examples`` fills them from each bound's example values.
    """
    used = {p for b in bounds for p in b.param_names}
    for name in values:
        if name not in used:
            allowed = ", ".join(sorted(used)) or "none"
            raise ParameterError(name, f"is not a parameter of {', '.join(b.id for b in bounds)} (allowed: {allowed})")
    for b in bounds:  # integer parameters must get integers, before any grid is built
        for name, vals in values.items():
            if name in b.param_names:
                b.param(name).validate(vals)
    grid = product_grid(values) if values else {}
    size = len(next(iter(grid.values()))) if grid else 1
    rows: list[list[dict]] = [[] for _ in range(size)]
    for b in bounds:
        given = {k: v for k, v in grid.items() if k in b.param_names}
        if use_examples:
            given = {**{k: np.full(size, v) for k, v in b.example().items() if k not in given}, **given}
        signed = b.signed_log(check=check, **given)
        # Columns as Python lists once, not one broadcast per row.
        columns = {k: [plain(x) for x in np.broadcast_to(v, (size,)).tolist()] for k, v in given.items()}
        value = np.broadcast_to(b.linear(signed), (size,))
        refuse_nan(b, value, given, size)
        value = value.tolist()
        # log10 of 0 is -inf; of a negative value there is none (None, never NaN).
        with np.errstate(invalid="ignore"):
            log10 = np.where(signed.sign > 0, signed.log / math.log(10), np.where(signed.sign == 0, -np.inf, np.nan))
        log10 = [None if x != x else x for x in np.broadcast_to(log10, (size,)).tolist()]
        for i in range(size):
            row = {"bound": b.id, **{k: column[i] for k, column in columns.items()}}
            row["value"] = value[i]
            row["log10_value"] = log10[i]
            rows[i].append(row)
    return [row for point in rows for row in point]


def refuse_nan(bound: Bound, value, given: Mapping[str, object], size: int = 1) -> None:
    """Raise naming the bound and the first point where it evaluated to NaN (never print a NaN as a number)."""
    bad = np.isnan(np.asarray(value, dtype=float))
    if not bad.any():
        return
    i = int(np.flatnonzero(np.broadcast_to(bad, (size,)) if bad.ndim else bad.reshape(1))[0])
    at = ", ".join(f"{k}={np.broadcast_to(v, (size,))[i]:g}" for k, v in given.items())
    raise EvaluationError(f"{bound.id} evaluates to NaN at {at}: no number can be given there "
                          "(a numerical failure of the formula at extreme inputs)")
