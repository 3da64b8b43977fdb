"""tbounds' symbolic core: bounds from transformer theory, with sources and checked assumptions.

>>> import tbounds.bounds as bounds
>>> b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")
>>> round(float(b(N=1000, n=8)), 1)
6.7
>>> bounds.solve(b, "N", 64.2, n=1000).value
1000.0

The core (records, the one registry, log-space evaluation, exact integer steps, solving and
crossovers, and the maths families share) sits beside four families, memorization, generalization,
depth and approximation, each a folder of the same shape (``docs/adding-a-bound.md``).
Importing this package never imports torch, nor sympy until a bound is asked for.
"""

import sys
import types

from .errors import AssumptionError, ParameterError, SolveError, TboundsError, UnknownBoundError

# Everything else is imported on first use (PEP 562), so ``import tbounds.bounds`` (and the CLI's
# ``--help``) costs neither sympy nor the families; the registry loads the families on its first query.
_LAZY = {
    "Assumption": "record", "Bound": "record", "Quantity": "record", "Source": "record", "Statement": "record",
    "Param": "domain", "Solution": "solve", "solve": "solve", "solve_many": "solve", "frame": "dataframe", "crossover": "crossing", "crossovers": "crossing",
    **{name: "registry" for name in ("families", "get", "get_statement", "ids", "is_statement", "register",
                                     "resolve", "select", "select_statements", "statement_ids")},
}


class _Package(types.ModuleType):
    """Keeps ``tbounds.bounds.solve`` the function: importing the submodule of that name would rebind it."""

    def __setattr__(self, name, value):
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    if name in ("memorization", "generalization", "depth", "approximation"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Assumption", "AssumptionError", "crossover", "crossovers", "Bound", "frame", "Param", "ParameterError", "Quantity", "Solution", "SolveError",
    "Source", "Statement", "TboundsError", "UnknownBoundError", "families", "get", "get_statement", "ids", "is_statement",
    "register", "resolve", "select", "select_statements", "solve", "solve_many", "statement_ids",
]
