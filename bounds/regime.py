"""Warnings about how bounds are used together: one parameter name meaning different things, a bound outside its regime.

Neither is an error (the numbers are what the formulas say), but both change what the numbers mean:

* :func:`parameter_clashes` -- one call gives one value to a name that means different things in
  different bounds (``n`` = graph vertices in one, training samples in another), read from each
  parameter's ``meaning``: two meanings clash when they share no content word.
* :func:`regime_warnings` -- a bound evaluated where its result says nothing: a projection
  dimension at or above the length it projects (a Linformer ``k >= n`` compresses nothing), or a
  result stated for scalar tokens (d = 1) in a call that sets the token dimension ``d`` elsewhere.

>>> from tbounds.bounds import get
>>> parameter_clashes([get("merrill2025.connectivity.max_vertices.exact"), get("truong2024.gap.t1")])
[]
>>> print(parameter_clashes([get("truong2024.gap.t1"), get("wang2020.linformer.k_rank")])[0])
parameter 'n' means different things in this call: number of training samples (i.i.d.) in truong2024.gap.t1, sequence length in wang2020.linformer.k_rank; one value serves both
>>> print(regime_warnings([get("wang2020.linformer.k_rank")], [{"bound": "wang2020.linformer.k_rank", "n": 100, "value": 2558.4}])[0])
wang2020.linformer.k_rank gives projection dimension 2558.4 >= n = 100: a projection to k >= n dimensions compresses nothing
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional, Sequence

from .record import Bound
from .search import words

#: words that say nothing about what a parameter is
_GENERIC = {"number", "size", "per", "fix", "each", "total", "value", "count", "max", "maximum", "minimum"}
_SCALAR = re.compile(r"\bscalars?\b|\bd\s*=\s*1\b(?!\d)|\bone-dimensional\b")


def _content(meaning: str) -> set[str]:
    return {w for w in words(meaning) if w not in _GENERIC and len(w) > 1}


def parameter_clashes(bounds: Sequence[Bound]) -> list[str]:
    """One message per parameter name whose meanings, across these bounds, share no content word."""
    uses: dict[str, list] = {}
    for b in bounds:
        for p in b.params:
            uses.setdefault(p.name, []).append((b, p))
    out = []
    for name, pairs in uses.items():
        for i, (b1, p1) in enumerate(pairs):
            clash = next(((b2, p2) for b2, p2 in pairs[i + 1:]
                          if p1.meaning != p2.meaning and not (p1.unit and p1.unit == p2.unit)
                          and not (_content(p1.meaning) & _content(p2.meaning))), None)
            if clash:
                b2, p2 = clash
                out.append(f"parameter '{name}' means different things in this call: {p1.meaning} in {b1.id}, "
                           f"{p2.meaning} in {b2.id}; one value serves both")
                break
    return out


def regime_warnings(bounds: Sequence[Bound], rows: Iterable[Mapping], values: Optional[Mapping] = None) -> list[str]:
    """Where a bound is used outside the regime its result speaks to (rows as from :func:`tabulate`)."""
    by_id = {b.id: b for b in bounds}
    out, seen = [], set()
    for r in rows:
        b = by_id.get(r.get("bound"))
        value = r.get("value")
        if b is None or b.id in seen or value is None:
            continue
        # a rate's number hides its constants, so only bounds with numbers are held to the regime
        if b.status != "rate" and b.quantity.name == "projection dimension" and "n" in b.param_names and r.get("n") is not None \
                and value >= r["n"]:
            seen.add(b.id)
            out.append(f"{b.id} gives projection dimension {value:g} >= n = {r['n']:g}: a projection to k >= n "
                       "dimensions compresses nothing")
    given_d = [float(v) for v in (values or {}).get("d", [])]
    if given_d and any(v != 1 for v in given_d):
        for b in bounds:
            if "d" not in b.param_names and _SCALAR.search(" ".join([b.statement, b.notes, b.title])):
                out.append(f"{b.id} is a result for scalar tokens (d = 1) and does not depend on d; the d = "
                           f"{max(given_d):g} of this call does not apply to it")
    return out


def check_usage(bounds: Sequence[Bound], rows: Iterable[Mapping] = (), values: Optional[Mapping] = None) -> list[str]:
    """Every warning for one call: clashing parameter names, then bounds outside their regime."""
    return parameter_clashes(bounds) + regime_warnings(bounds, list(rows), values)
