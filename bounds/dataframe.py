"""Bounds as a pandas DataFrame: one row per grid point, one column per bound, with its parameters.

The same numbers as ``tbounds eval`` (:func:`~tbounds.bounds.tabulate.tabulate`), shaped for a
notebook. pandas is imported when :func:`frame` is called, never when :mod:`tbounds.bounds` is.

>>> df = frame("kajitsuka2025.seq2seq.lower_hardmax", N=1000, n=[8, 1000])
>>> list(df.columns)
['N', 'n', 'kajitsuka2025.seq2seq.lower_hardmax']
>>> df["kajitsuka2025.seq2seq.lower_hardmax"].round(1).tolist()
[6.7, 64.2]
>>> frame(["merrill2025.regular.max_length.exact"], d=[32, 40], log10=True).columns.tolist()
['d', 'merrill2025.regular.max_length.exact', 'log10 merrill2025.regular.max_length.exact']
"""

from __future__ import annotations

from typing import Iterable, Union

import numpy as np

from .record import Bound


def _as_list(value) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(np.asarray(value, dtype=float).ravel())


def frame(ids_or_patterns: Union[str, Bound, Iterable], *, example: bool = False, log10: bool = False,
          check: bool = True, **params):
    """A DataFrame of bounds on the Cartesian grid of ``params`` (numbers or lists of numbers).

    ``ids_or_patterns`` is an id, a shell pattern (``'kajitsuka2025.seq2seq.*'``), a :class:`Bound`
    or a list of them. ``example=True`` fills the parameters not given with each bound's example
    value; ``log10=True`` adds a ``log10 ID`` column per bound (finite even past the float range,
    where the value column holds ``inf``). Each bound's parameters are columns before the bounds'.
    """
    import pandas as pd

    from .registry import resolve
    from .tabulate import tabulate

    items = [ids_or_patterns] if isinstance(ids_or_patterns, (str, Bound)) else list(ids_or_patterns)
    chosen: list[Bound] = []
    for item in items:
        for b in ([item] if isinstance(item, Bound) else resolve([item])):
            if b not in chosen:
                chosen.append(b)
    values = {name: [float(v) for v in _as_list(v)] for name, v in params.items()}
    rows = tabulate(chosen, values, use_examples=example, check=check)
    import warnings

    from .regime import check_usage

    for message in check_usage(chosen, rows, values):  # what the numbers mean, as tbounds eval warns
        warnings.warn(message, UserWarning, stacklevel=2)
    names: list[str] = []
    for b in chosen:
        names += [p for p in b.param_names if p not in names]
    wide: list[dict] = []
    per_point = len(chosen)
    for start in range(0, len(rows), per_point):
        point: dict = {}
        for r in rows[start:start + per_point]:
            for n in names:
                if n in r:
                    point.setdefault(n, r[n])
            point[r["bound"]] = r["value"]
            if log10:
                point[f"log10 {r['bound']}"] = r["log10_value"]
        wide.append(point)
    columns = [n for n in names if any(n in w for w in wide)]
    for b in chosen:
        columns.append(b.id)
        if log10:
            columns.append(f"log10 {b.id}")
    return pd.DataFrame(wide, columns=columns)
