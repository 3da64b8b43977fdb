"""Parameter values from text: a number, a list, or a linear or log-spaced range.

>>> parse_values("N", "1000")
[1000.0]
>>> parse_values("N", "10,100,1e3")
[10.0, 100.0, 1000.0]
>>> parse_values("N", "log:10:1e4:4")
[10.0, 100.0, 1000.0, 10000.0]
>>> parse_values("d", "lin:1:3:3")
[1.0, 2.0, 3.0]
>>> parse_values("N", "ten")
Traceback (most recent call last):
...
tbounds.bounds.errors.ParameterError: parameter 'N' must be a number, a comma-separated list, 'lin:START:STOP:COUNT' or 'log:START:STOP:COUNT' (got 'ten')
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from .errors import ParameterError

_SYNTAX = "must be a number, a comma-separated list, 'lin:START:STOP:COUNT' or 'log:START:STOP:COUNT'"
# The most grid points one command evaluates: each becomes a row (a dict of Python numbers,
# about 1 KB with its rendering), so 10^6 rows stay near 1 GB and a few tens of seconds; more is
# refused before anything is allocated.
MAX_POINTS = 1_000_000


def parse_values(name: str, text: str, integer: bool = False) -> list[float]:
    """Values for one parameter; ``integer`` rounds range points and drops repeats."""
    text = str(text).strip()
    try:
        if text.startswith(("lin:", "log:")):
            kind, start, stop, count = text.split(":")
            start, stop, count = float(start), float(stop), int(count)
            if count < 1 or count > MAX_POINTS:
                raise ParameterError(name, f"range needs between 1 and {MAX_POINTS} points", got=text)
            if kind == "log":
                if start <= 0 or stop <= 0:
                    raise ParameterError(name, "log range needs positive START and STOP", got=text)
                values = np.geomspace(start, stop, count)
            else:
                values = np.linspace(start, stop, count)
            if integer:
                values = np.unique(np.round(values))
            return [float(v) for v in values]
        values = [float(v) for v in text.split(",") if v.strip()]
        if not values or not all(math.isfinite(v) for v in values):
            raise ValueError
        return values
    except ParameterError:
        raise
    except ValueError:
        raise ParameterError(name, _SYNTAX, got=text) from None


def product_grid(values: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    """Cartesian product of named value lists, as flat arrays of equal length (any number of names).

    >>> {k: v.tolist() for k, v in product_grid({"a": [1, 2], "b": [10, 20, 30]}).items()}
    {'a': [1.0, 1.0, 1.0, 2.0, 2.0, 2.0], 'b': [10.0, 20.0, 30.0, 10.0, 20.0, 30.0]}
    >>> len(product_grid({f"x{i}": [1.0] for i in range(40)}))
    40
    """
    names = list(values)
    total = math.prod(len(values[n]) for n in names)
    if total > MAX_POINTS:
        raise ParameterError(names[-1], f"grid would have {total} points; at most {MAX_POINTS} are allowed")
    # Built column by column (the first name varies slowest), not with np.meshgrid, whose
    # ndim = number of names would stop at numpy's 32 dimensions.
    out, inner = {}, total
    for n in names:
        column = np.asarray(values[n], dtype=float).ravel()
        inner //= max(len(column), 1)
        out[n] = np.tile(np.repeat(column, inner), total // max(len(column) * inner, 1)) if total else column[:0]
    return out


def rows_of(grid: Mapping[str, np.ndarray]) -> list[dict[str, float]]:
    names = list(grid)
    return [dict(zip(names, vals)) for vals in zip(*(grid[n].tolist() for n in names))] if names else [{}]


__all__ = ["parse_values", "product_grid", "rows_of"]
