"""One registry of quantities, so every family names the same thing the same way.

>>> QUANTITIES["parameters"].unit
'count'
"""

from __future__ import annotations

from .record import Quantity

QUANTITIES: dict[str, Quantity] = {}


def quantity(name: str, unit: str, symbol: str) -> Quantity:
    """Define (once) or fetch a quantity by name."""
    if name in QUANTITIES:
        q = QUANTITIES[name]
        if (q.unit, q.symbol) != (unit, symbol):
            raise ValueError(f"quantity {name} already defined with unit {q.unit!r}, symbol {q.symbol!r}")
        return q
    q = Quantity(name, unit, symbol)
    QUANTITIES[name] = q
    return q


PARAMETERS = quantity("parameters", "count", "W")
DEPTH = quantity("depth", "blocks", "L")
WIDTH = quantity("width", "units", "m")
BIT_COMPLEXITY = quantity("bit complexity", "bits per parameter", "b")
TOTAL_BITS = quantity("total bits", "bits", "W b")
SEQUENCES = quantity("memorizable sequences", "count", "N")
