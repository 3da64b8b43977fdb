"""Parameters and their domains.

A :class:`Param` is a named symbol with a meaning, an integer or real type, a
domain (an interval) and an example value.  :meth:`Param.validate` turns user
input into a float array and raises a one-line :class:`ParameterError` naming
the parameter and what is allowed.

>>> N = Param("N", "number of input sequences", example=1000, integer=True, low=2)
>>> N.describe_domain()
'an integer >= 2'
>>> N.validate([2, 10])
array([ 2., 10.])
>>> N.validate(1.5)
Traceback (most recent call last):
...
tbounds.bounds.errors.ParameterError: parameter 'N' must be an integer >= 2 (got 1.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import sympy as sp

from .errors import ParameterError
from .onepass import all_inside
from .vocabulary import plain, show  # noqa: F401  (re-exported: their home is light, for the CLI)


@dataclass(frozen=True)
class Param:
    """A named, typed bound parameter with a domain [low, high] and an example."""

    name: str
    meaning: str
    example: float
    integer: bool = False
    low: float = 0.0
    low_open: bool = False
    high: float = math.inf
    high_open: bool = False
    unit: str = ""
    symbol: sp.Symbol = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.integer:
            sym = sp.Symbol(self.name, integer=True, positive=self.low > 0 or (self.low == 0 and self.low_open))
        else:
            sym = sp.Symbol(self.name, positive=self.low > 0 or (self.low == 0 and self.low_open), real=True)
        object.__setattr__(self, "symbol", sym)
        if not self.contains(np.asarray(float(self.example))).all():
            raise ValueError(f"example {self.example} of parameter {self.name} lies outside its domain")

    def describe_domain(self) -> str:
        """Plain words for the allowed values, used in every error message."""
        kind = "an integer" if self.integer else "a real number"
        lo, hi = show(self.low), show(self.high)
        if math.isinf(self.high):
            if self.low == 0 and self.low_open:
                return f"a positive {kind.split(' ', 1)[1]}"
            return f"{kind} {'>' if self.low_open else '>='} {lo}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{kind} in {left}{lo}, {hi}{right}"

    def contains(self, values: np.ndarray) -> np.ndarray:
        """Elementwise membership of the domain (type and interval)."""
        v = np.asarray(values, dtype=float)
        ok = np.isfinite(v)
        ok &= (v > self.low) if self.low_open else (v >= self.low)
        ok &= (v < self.high) if self.high_open else (v <= self.high)
        if self.integer:
            ok &= v == np.floor(v)
        return ok

    @property
    def interval(self) -> tuple:
        """The domain as :func:`.onepass.all_inside` reads it: ``(low, high, low open, high open, integer)``; an
        infinite end is open (infinities are never parameter values)."""
        return (self.low, self.high, self.low_open or self.low == -math.inf, self.high_open or self.high == math.inf,
                self.integer)

    def _all_inside(self, v: np.ndarray, integer: Optional[bool] = None) -> bool:
        """Every value inside the domain, in one pass over ``v`` (:mod:`.onepass`); False for no values (then
        :meth:`validate` looks at each); ``integer=False`` skips the integrality test."""
        if v.size == 0:
            return False
        low, high, low_open, high_open, exact = self.interval
        return all_inside(v, low, high, low_open, high_open, exact if integer is None else integer)

    def _all_inside_given(self, given, v: np.ndarray) -> bool:
        """:meth:`_all_inside`, skipping the integrality test where the input was an integer array (exact already)."""
        exact = isinstance(given, np.ndarray) and given.dtype.kind in "iub"
        return self._all_inside(v, integer=False if exact else None)

    def validate(self, values) -> np.ndarray:
        """Return ``values`` as a float array, or raise naming the parameter.

        Text is refused, not converted (``'1000'`` is a caller's mistake more often than a
        number), ``None`` is a missing value (never NaN), and an integer past the float range
        is named as such:

        >>> Param("N", "count", example=10, integer=True, low=2).validate("1000")
        Traceback (most recent call last):
        ...
        tbounds.bounds.errors.ParameterError: parameter 'N' must be an integer >= 2 given as a number, not text (convert it with float() if you mean it) (got '1000')
        >>> Param("N", "count", example=10, integer=True, low=2).validate(None)
        Traceback (most recent call last):
        ...
        tbounds.bounds.errors.ParameterError: parameter 'N' has no value (None); give an integer >= 2
        >>> Param("N", "count", example=10, integer=True, low=2).validate(10 ** 400)
        Traceback (most recent call last):
        ...
        tbounds.bounds.errors.ParameterError: parameter 'N' must be an integer >= 2 within the float range (at most 1.8e308) (got an integer of 401 digits)
        """
        arr = self.as_array(values)
        if self._all_inside_given(values, arr):
            return arr
        bad = ~self.contains(arr)
        if bad.any():
            first = arr[bad].flat[0] if arr.ndim else float(arr)
            raise ParameterError(self.name, f"must be {self.describe_domain()}", got=plain(first))
        return arr

    def as_array(self, values) -> np.ndarray:
        """``values`` as a float array, the domain not checked yet (:meth:`validate` without its last step;
        a large grid checks its domain block by block, :meth:`block_check`); raises naming the parameter."""
        _refuse_non_numbers(self, values)
        try:
            arr = np.asarray(values, dtype=float)
        except OverflowError:
            big = next((v for v in np.ravel(np.asarray(values, dtype=object)) if isinstance(v, int)
                        and abs(v) > 1e308), None)
            got = f"an integer of {len(str(abs(big)))} digits" if big is not None else "a number past 1.8e308"
            raise ParameterError(self.name, f"must be {self.describe_domain()} within the float range (at most 1.8e308) "
                                 f"(got {got})") from None
        except (TypeError, ValueError):
            raise ParameterError(self.name, f"must be {self.describe_domain()}", got=values) from None
        return arr

    def block_check(self, given):
        """A test of one block of :meth:`as_array`'s array of ``given``: every value in the domain (no message;
        where it fails, :meth:`validate` of the whole array names the first value out of the domain).

        >>> test = Param("N", "count", example=10, integer=True, low=2).block_check(None)
        >>> test(np.array([2.0, 3.0])), test(np.array([2.0, 3.5])), test(np.array([2.0, np.nan]))
        (True, False, False)
        """
        def test(block: np.ndarray) -> bool:
            return self._all_inside_given(given, block)

        return test

    def validate_scalar(self, value) -> float:
        """:meth:`validate` for one plain number, without arrays (the single-point path)."""
        if value is None or isinstance(value, (str, bytes)):
            return float(self.validate(value))  # refused by name: text is never converted silently
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):
            return float(self.validate(value))  # raises naming the parameter
        ok = math.isfinite(x) and ((x > self.low) if self.low_open else (x >= self.low)) \
            and ((x < self.high) if self.high_open else (x <= self.high)) and (not self.integer or x == math.floor(x))
        if not ok:
            raise ParameterError(self.name, f"must be {self.describe_domain()}", got=plain(x))
        return x

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "meaning": self.meaning,
            "domain": self.describe_domain(),
            "integer": self.integer,
            "example": plain(self.example),
            "unit": self.unit,
        }


def _refuse_non_numbers(param: Param, values) -> None:
    """None and text are refused by name, before numpy would turn them into NaN or a float."""
    if values is None:
        raise ParameterError(param.name, f"has no value (None); give {param.describe_domain()}")
    if isinstance(values, (str, bytes)):
        raise ParameterError(param.name, f"must be {param.describe_domain()} given as a number, not text "
                             "(convert it with float() if you mean it)", got=values)
    if isinstance(values, np.ndarray) and values.dtype.kind not in "USO":
        return
    if isinstance(values, (list, tuple, np.ndarray)):
        for v in np.ravel(np.asarray(values, dtype=object)):
            if v is None or isinstance(v, (str, bytes)):
                _refuse_non_numbers(param, v)

