"""One point of a bound as one generated Python function: validation, assumptions and value (ours).

A single point (``bound(N=1e6, n=512)``: solve, crossover and the property tests call bounds this way)
walks the general path in :class:`~tbounds.bounds.record.Bound`: a loop over the parameters' domains, one
call per assumption, the ``math`` function, its range check.  :func:`point_function` prints all of it as
straight-line code with the domains as constants, so that a point costs little more than its arithmetic.
The generated function answers only where the general path would answer a plain value from the ``math``
function; anything else (a value out of its domain, an assumption that fails, an array, a value past the
moderate range, an exception) makes it answer ``None``, and the caller takes the general path, which
gives the same answer or the same error as before.

>>> import sympy as sp
>>> from tbounds.bounds.domain import Param
>>> N = Param("N", "count", example=10, integer=True, low=1)
>>> d = Param("d", "width", example=4.0, low=0, low_open=True)
>>> f = point_function([N, d], lambda n, w: n * w, [])
>>> f({"N": 10, "d": 2.5}), f({"N": 10.5, "d": 2.5}), f({"N": 10}), f({"N": 10, "d": -1.0})
(25.0, None, None, None)
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

import numpy as np

from .linear import BIG, MODERATE_HIGH, MODERATE_LOW, SMALL
from .logspace import EXACT_LIMIT, SNAP

#: Integers within this magnitude are exactly floats (beyond it the general path decides).
_EXACT_INT = 2 ** 53


def _real(v) -> float:
    """A ``math`` function's result other than a float: an int or numpy number as a float; complex is refused."""
    if isinstance(v, complex):
        raise TypeError("complex")
    return float(v)


def _snap(v: float) -> float:
    """:func:`.logspace.snap_to_integer` of one float, in plain Python (``round`` rounds half to even, as
    ``np.round`` does; the caller has checked ``abs(v) < EXACT_LIMIT``).

    >>> _snap(100.00000000000001), _snap(2.5), _snap(1e-13)
    (100.0, 2.5, 1e-13)
    """
    r = float(round(v))
    return r if abs(v - r) <= SNAP * abs(v) else v


def _domain_test(name: str, p) -> str:
    """The general path's domain test of one value (``-inf < x < inf``, the ends, integrality) as code."""
    parts = [f"-_inf < {name} < _inf"]
    if p.low != -math.inf:
        parts.append(f"{p.low!r} {'<' if p.low_open else '<='} {name}")
    if p.high != math.inf:
        parts.append(f"{name} {'<' if p.high_open else '<='} {p.high!r}")
    if p.integer:
        parts.append(f"{name} == _floor({name})")
    parts.append(f"({MODERATE_LOW!r} <= abs({name}) <= {MODERATE_HIGH!r} or {name} == 0)")
    return " and ".join(parts)


def point_function(params: Sequence, value: Callable, assumptions: Sequence[Callable],
                   integer_valued: bool = False) -> Optional[Callable[[dict], Optional[float]]]:
    """``f(values) -> float or None`` for a bound with these parameters, ``math`` function and assumption
    predicates (each ``predicate(*point) -> bool``); see the module's docstring for when it answers None."""
    names = [f"_x{i}" for i in range(len(params))]
    lines = ["def _point(values):",
             f"    if len(values) != {len(params)}:",
             "        return None"]
    if params:
        lines += ["    try:", *[f"        {n} = values[{p.name!r}]" for n, p in zip(names, params)],
                  "    except KeyError:", "        return None"]
    for n, p in zip(names, params):
        lines += [f"    if type({n}) is not float:",
                  f"        if not (type({n}) is int and -{_EXACT_INT} <= {n} <= {_EXACT_INT}) and type({n}) is not _float64:",
                  "            return None",
                  f"        {n} = float({n})",
                  f"    if not ({_domain_test(n, p)}):",
                  "        return None"]
    args = ", ".join(names)
    lines.append("    try:")
    for i in range(len(assumptions)):
        lines += [f"        if not _assume{i}({args}):", "            return None"]
    lines += [f"        v = _value({args})",
              "        if type(v) is not float:",
              "            v = _real(v)",
              "    except (ArithmeticError, ValueError, TypeError, NameError):",
              "        return None",
              "    a = abs(v)",
              f"    if not ({SMALL!r} <= a <= {BIG!r}):",  # (also nan, inf and 0)
              "        return None"]
    if integer_valued:
        lines += [f"    if a < {EXACT_LIMIT!r}:", "        v = _snap(v)"]
    lines.append("    return v")
    scope = {"_inf": math.inf, "_floor": math.floor, "_float64": np.float64, "_value": value, "_real": _real,
             "_snap": _snap, **{f"_assume{i}": a for i, a in enumerate(assumptions)}}
    exec(compile("\n".join(lines), "<point function>", "exec"), scope)
    return scope["_point"]
