"""Errors raised by the bound library.

Every error is a one-line message that names what was wrong and what is allowed,
so the CLI can print it as it is and exit with code 2.

>>> raise ParameterError("delta", "must be a real number in (0, 1]", got=2.0)
Traceback (most recent call last):
...
tbounds.bounds.errors.ParameterError: parameter 'delta' must be a real number in (0, 1] (got 2.0)
"""

from __future__ import annotations


class TboundsError(ValueError):
    """Base class: a user-facing, single-line error."""


class UnknownBoundError(TboundsError):
    """An id that is not in the registry; the message suggests close ids."""


class ParameterError(TboundsError):
    """A parameter that is unknown, missing, non-numeric or outside its domain."""

    def __init__(self, name: str, problem: str, got: object = None):
        self.name, self.problem, self.got = name, problem, got
        suffix = "" if got is None else f" (got {got!r})"
        super().__init__(f"parameter '{name}' {problem}{suffix}")

    def __reduce__(self):  # rebuild from the constructor's arguments, so the error crosses process boundaries
        return type(self), (self.name, self.problem, self.got)


class AssumptionError(TboundsError):
    """A theorem's assumption fails at the requested parameter values."""


class SolveError(TboundsError):
    """An inversion that has no answer, or a bound that cannot be inverted."""


class EvaluationError(TboundsError):
    """A formula that gives no number (NaN) at the requested point: refused, never printed as a value."""
