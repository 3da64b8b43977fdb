"""Reference cases, tracr-style: values printed in papers or checked by hand, and inputs that must raise.

Each family has a module here defining ``CASES`` (evaluations), ``SOLVE_CASES``
(inversions) and ``RAISES`` (bad input); this package collects them all, and the
test suite runs every one.

>>> from tbounds.bounds.catalogue import all_cases
>>> case = next(c for c in all_cases() if c.bound_id == "kajitsuka2025.seq2seq.lower_hardmax")
>>> case.check()
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass, field
from typing import Optional

from ..registry import get
from ..solve import solve


@dataclass(frozen=True)
class Case:
    """``bound(**params)`` equals ``expected`` within ``rel``/``abs``; ``origin`` says where the number is from."""

    bound_id: str
    params: dict
    expected: float
    origin: str
    rel: float = 1e-9
    abs: float = 0.0

    def check(self) -> None:
        got = float(get(self.bound_id)(**self.params))
        if not math.isclose(got, self.expected, rel_tol=self.rel, abs_tol=self.abs):
            raise AssertionError(f"{self.bound_id}{self.params}: got {got}, expected {self.expected} ({self.origin})")


@dataclass(frozen=True)
class SolveCase:
    """``solve(bound, unknown, target, **given)`` returns ``expected``."""

    bound_id: str
    unknown: str
    target: float
    given: dict
    expected: float
    origin: str
    relation: str = "<="
    rel: float = 1e-9

    def check(self) -> None:
        got = solve(get(self.bound_id), self.unknown, self.target, relation=self.relation, **self.given).value
        if not math.isclose(got, self.expected, rel_tol=self.rel):
            raise AssertionError(f"solve {self.bound_id} for {self.unknown}: got {got}, expected {self.expected}")


@dataclass(frozen=True)
class Raises:
    """Evaluating (or, with ``unknown``, solving) must raise ``error`` with ``match`` in its one-line message."""

    bound_id: str
    params: dict
    error: type
    match: str
    unknown: Optional[str] = None
    target: Optional[float] = None
    extra: dict = field(default_factory=dict)

    def trigger(self) -> None:
        if self.unknown is None:
            get(self.bound_id)(**self.params)
        else:
            solve(get(self.bound_id), self.unknown, self.target, **self.params, **self.extra)


@dataclass(frozen=True)
class Bracket:
    """``lower <= upper`` wherever both apply: ``lower`` is a necessary size, ``upper`` one that suffices.

    ``why`` says why the two theorems speak about the same models; ``params`` is a point
    where both apply (the property tests move around it).
    """

    lower_id: str
    upper_id: str
    why: str
    params: dict = field(default_factory=dict)

    def check(self, **params) -> None:
        values = {**self.params, **params}
        lo, up = get(self.lower_id), get(self.upper_id)
        low = lo.log(**{k: v for k, v in values.items() if k in lo.param_names})
        high = up.log(**{k: v for k, v in values.items() if k in up.param_names})
        if not float(low) <= float(high) + 1e-12 * max(1.0, abs(float(high))):
            raise AssertionError(f"{self.lower_id} = e^{float(low):.6g} exceeds {self.upper_id} = e^{float(high):.6g} at {values}")


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def all_cases() -> list[Case]:
    return [c for m in _modules() for c in getattr(m, "CASES", [])]


def all_solve_cases() -> list[SolveCase]:
    return [c for m in _modules() for c in getattr(m, "SOLVE_CASES", [])]


def all_raises() -> list[Raises]:
    return [c for m in _modules() for c in getattr(m, "RAISES", [])]


def all_brackets() -> list[Bracket]:
    return [c for m in _modules() for c in getattr(m, "BRACKETS", [])]
