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
Importing this package never imports torch.
"""

from .errors import AssumptionError, ParameterError, SolveError, TboundsError, UnknownBoundError
from .record import Assumption, Bound, Quantity, Source, Statement
from .domain import Param
from .registry import (families, get, get_statement, ids, is_statement, register, resolve, select, select_statements,
                       statement_ids)
from .solve import Solution, solve, solve_many
from .crossing import crossover, crossovers
from .dataframe import frame
from . import memorization, generalization, depth, approximation  # noqa: F401  (each registers its family)

__all__ = [
    "Assumption", "AssumptionError", "crossover", "crossovers", "Bound", "frame", "Param", "ParameterError", "Quantity", "Solution", "SolveError",
    "Source", "Statement", "TboundsError", "UnknownBoundError", "families", "get", "get_statement", "ids", "is_statement",
    "register", "resolve", "select", "select_statements", "solve", "solve_many", "statement_ids",
]
