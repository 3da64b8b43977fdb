"""The records: a :class:`Bound` (one theorem's formula with everything needed to trust it) and a :class:`Statement`.

A bound carries its source (arXiv id, the paper's own label and its provenance: was the paper
itself read, or only another text about it), its kind (upper, lower, exact, fit), its status
(certificate, rate, reconstructed, unverified, heuristic: :data:`STATUS_MEANINGS`), the
quantity it bounds, typed parameters, a sympy expression, named assumptions that
are checked before every evaluation, and LaTeX.  Evaluation is vectorised and
runs in log space, so ``N = 1e300`` never overflows.

>>> from tbounds.bounds import get
>>> b = get("kajitsuka2025.seq2seq.lower_hardmax")
>>> round(float(b(N=1000, n=8)), 2)
6.67
>>> b.kind, b.status, b.source.label
('lower', 'certificate', 'Theorem 4.3 (proof of Theorem B.3)')

A :class:`Statement` is a result with no formula to evaluate, such as "fixed depth with polynomial
width stays in TC0": it is listed and shown next to the bounds, never evaluated or inverted.
Families cite papers through :class:`Paper` and build both kinds of record with one factory,
:class:`Family`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping, Optional, Sequence

import numpy as np
import sympy as sp

from .domain import Param, show
from .errors import AssumptionError, ParameterError
from .linear import BLOCKED_FROM, Evaluator, common_shape, round_steps
from .logspace import Signed, check_supported, to_linear
from .loopcode import FLAGGED, OUTSIDE, UNSUPPORTED
from .onepass import KERNEL_FROM, kernel_inside, relation_test
from .steps import exact_integer
from .vocabulary import DIRECTIONS, KINDS, PROVENANCES, STATUS_MEANINGS, STATUSES  # noqa: F401

#: The types a point function (:mod:`.pointcode`) takes as one number; any other value makes it answer None.
_ONE_NUMBER = (float, int, np.float64)
_FLOAT = np.dtype(np.float64)


@dataclass(frozen=True)
class Source:
    """Where a result comes from; ``label`` is the paper's own (``Theorem 4.3``)."""

    arxiv: Optional[str]
    authors: str
    year: int
    label: str
    venue: str = ""
    title: str = ""
    provenance: str = ""  # primary | secondary ("" = not recorded)
    via: str = ""  # for a secondary source: the text we read instead

    def __post_init__(self):
        if self.provenance not in PROVENANCES + ("",):
            raise ValueError(f"{self.label}: provenance must be one of {PROVENANCES}")

    def cite(self) -> str:
        where = f"arXiv:{self.arxiv}" if self.arxiv else self.venue
        return f"{self.authors} {self.year}, {self.label} ({where})"

    def to_dict(self) -> dict:
        return {"arxiv": self.arxiv, "label": self.label, "authors": self.authors,
                "year": self.year, "venue": self.venue, "title": self.title,
                "provenance": self.provenance or None, "via": self.via or None}


@dataclass(frozen=True)
class Paper:
    """A paper, cited by its own labels: ``MS2025("Theorem 1")`` is the :class:`Source` of its Theorem 1.

    ``provenance`` says whether our notes read the paper itself (``primary``) or only another text about it
    (``secondary``, with ``via`` naming that text); one result can override it:
    ``KS2025("Lemma C.1", provenance="secondary", via="...")``.
    """

    arxiv: Optional[str]
    authors: str
    year: int
    venue: str = ""
    title: str = ""
    provenance: str = ""
    via: str = ""

    def __call__(self, label: str, provenance: Optional[str] = None, via: Optional[str] = None) -> Source:
        return Source(self.arxiv, self.authors, self.year, label, self.venue, self.title,
                      self.provenance if provenance is None else provenance, self.via if via is None else via)


@dataclass(frozen=True)
class Quantity:
    """What a bound is about: a name, a unit and the symbol used in its LaTeX."""

    name: str
    unit: str
    symbol: str

    def to_dict(self) -> dict:
        return {"name": self.name, "unit": self.unit, "symbol": self.symbol}


@dataclass(frozen=True)
class Assumption:
    """A named hypothesis of a theorem.

    ``relation`` is a sympy relational over the parameters, checked numerically
    before evaluation.  A hypothesis about data (label consistency, say) has no
    relation: it is shown to users and checked by the empirical module instead.
    """

    name: str
    statement: str
    relation: Optional[sp.Basic] = None

    @property
    def checkable(self) -> bool:
        return self.relation is not None

    def to_dict(self) -> dict:
        return {"name": self.name, "statement": self.statement,
                "condition": None if self.relation is None else str(self.relation),
                "checked_by_calculator": self.checkable}


LogFunction = Callable[..., Signed]


@dataclass(frozen=True, eq=False)
class Bound:
    """One formula from one paper, with its provenance, domain and assumptions.

    ``integer_valued`` says the formula is an integer (a layer count, a dimension): it then
    evaluates to exact integers and :func:`~tbounds.bounds.solve.solve` bisects on the steps.
    ``expr`` stays the formula as written, for display.
    """

    id: str
    family: str
    title: str
    source: Source
    kind: str
    status: str
    quantity: Quantity
    params: tuple[Param, ...]
    statement: str
    expr: Optional[sp.Expr] = None
    assumptions: tuple[Assumption, ...] = ()
    monotone: Mapping[str, str] = field(default_factory=dict)
    integer_valued: bool = False
    reading: Optional[str] = None
    derived: bool = False
    notes: str = ""
    docs: str = ""
    numeric: Optional[LogFunction] = None
    latex_rhs: Optional[str] = None
    examples: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}")
        if self.status not in STATUSES:
            raise ValueError(f"{self.id}: status must be one of {STATUSES}")
        if (self.expr is None) == (self.numeric is None):
            raise ValueError(f"{self.id}: give exactly one of expr or numeric")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.id}: duplicate parameter names {names}")
        if self.expr is not None:
            unknown = {s.name for s in self.expr.free_symbols} - set(names)
            if unknown:
                raise ValueError(f"{self.id}: expression uses undeclared symbols {sorted(unknown)}")
        for name, value in self.examples.items():
            if name not in names:
                raise ValueError(f"{self.id}: example for unknown parameter {name}")
            self.param(name).validate(value)
        for name, direction in self.monotone.items():
            if name not in names or direction not in DIRECTIONS:
                raise ValueError(f"{self.id}: bad monotonicity declaration {name}: {direction}")
        if self.expr is not None:  # a bad expression fails at registration; compiling waits for first use
            check_supported(self.expr)

    # ----------------------------------------------------------------- metadata
    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        allowed = f"its parameters are {', '.join(self.param_names)}" if self.params else "it has no parameters"
        raise ParameterError(name, f"is not a parameter of {self.id}; {allowed}")

    def example(self) -> dict[str, float]:
        """Example values for every parameter (``tbounds eval ID --example``)."""
        return {p.name: self.examples.get(p.name, p.example) for p in self.params}

    @property
    def relation_latex(self) -> str:
        if self.kind == "fit":
            return r"\approx"
        if self.kind == "exact":
            return "="
        if self.status == "rate":
            return r"\gtrsim" if self.kind == "lower" else r"\lesssim"
        if self.status == "heuristic":
            return r"\approx"
        return r"\geq" if self.kind == "lower" else r"\leq"

    @property
    def latex(self) -> str:
        rhs = self.latex_rhs if self.latex_rhs is not None else sp.latex(self.expr)
        return f"{self.quantity.symbol} {self.relation_latex} {rhs}"

    def to_dict(self) -> dict:
        return {
            "id": self.id, "family": self.family, "title": self.title, "kind": self.kind,
            "status": self.status, "quantity": self.quantity.to_dict(),
            "source": self.source.to_dict(), "statement": self.statement, "latex": self.latex,
            "params": [p.to_dict() for p in self.params],
            "assumptions": [a.to_dict() for a in self.assumptions],
            "monotone": dict(self.monotone), "integer_valued": self.integer_valued,
            "reading": self.reading, "derived": self.derived or self.status == "reconstructed",
            "provenance": self.provenance, "notes": self.notes, "docs": self.docs,
            "expression": None if self.expr is None else str(self.expr),
        }

    @property
    def provenance(self) -> Optional[str]:
        """``primary`` (the source's own text was read), ``secondary``, or None (not recorded)."""
        return self.source.provenance or None

    # --------------------------------------------------------------- evaluation
    @cached_property
    def _log_function(self) -> LogFunction:
        """Built on first use: plain floats first, log space where they fall short (:mod:`.linear`)."""
        if self.numeric is not None:
            return self.numeric
        # An integer-valued formula evaluates to the integer it equals, in every family: its log is
        # then that integer's correctly rounded log, so solve() lands exactly on the steps.
        expr = exact_integer(self.expr) if self.integer_valued else self.expr
        return Evaluator(expr, [p.symbol for p in self.params], integer_valued=self.integer_valued)

    @cached_property
    def _assumption_checks(self) -> tuple[tuple[Assumption, Callable], ...]:
        symbols = [p.symbol for p in self.params]
        # numpy as a module object: the same code without lambdify's `from numpy import *` (see .linear)
        return tuple((a, sp.lambdify(symbols, a.relation, [np], dummify=True))
                     for a in self.assumptions if a.checkable)

    @cached_property
    def _scalar_domains(self):
        """Per parameter ``(name, low, high, low closed, high closed, integer, param)`` for :meth:`_scalar_point`."""
        return tuple((p.name, p.low, p.high, not p.low_open, not p.high_open, p.integer, p) for p in self.params)

    @cached_property
    def _scalar_checks(self):
        """The assumptions as ``math`` code for one point (None if one cannot be printed so)."""
        symbols = [p.symbol for p in self.params]
        try:
            return tuple((a, sp.lambdify(symbols, a.relation, "math", dummify=True))
                         for a in self.assumptions if a.checkable)
        except Exception:
            return None

    @cached_property
    def _point_function(self):
        """One point's validation, assumptions and value as one generated function (:mod:`.pointcode`), or None."""
        if self.numeric is not None or self._scalar_checks is None:
            return None
        fn = self._log_function._math_function
        if fn is None:
            return None
        from .pointcode import point_function

        return point_function(self.params, fn, [predicate for _, predicate in self._scalar_checks],
                               self.integer_valued)

    def _point_value(self, values: Mapping[str, object]) -> Optional[float]:
        """:attr:`_point_function` at ``values`` where each is one number of a type it accepts, else None: a grid never
        compiles it (nor the ``math`` code under it)."""
        if not all(type(x) in _ONE_NUMBER for x in values.values()):
            return None
        fast = self._point_function
        return fast(values) if fast is not None else None

    def _scalar_point(self, values: Mapping[str, object], check: bool) -> Optional[list[float]]:
        """Validated floats for one point given as plain numbers, or None to take the array path."""
        if len(values) != len(self.params):
            return None
        point = []
        for name, low, high, closed_low, closed_high, integer, p in self._scalar_domains:
            x = values.get(name, None)
            kind = type(x)
            if kind is not float:  # plain numbers only (an array takes the array path, and is checked there)
                if kind is not int and not isinstance(x, (np.floating, np.integer)):
                    return None
                if self.integer_valued:
                    self._refuse_inexact_integers({name: x})  # (this value; the others are checked in their turn)
                try:
                    x = float(x)
                except OverflowError:
                    x = p.validate_scalar(x)  # raises naming the parameter
            # The domain, as Param.validate_scalar checks it (inlined: a single point costs a few microseconds).
            if not (-math.inf < x < math.inf and (low <= x if closed_low else low < x)
                      and (x <= high if closed_high else x < high) and (not integer or x == math.floor(x))):
                x = p.validate_scalar(x)  # raises naming the parameter
            point.append(x)
        if check:
            checks = self._scalar_checks
            if checks is None:
                return None
            for assumption, predicate in checks:
                try:
                    ok = bool(predicate(*point))
                except (ArithmeticError, ValueError, TypeError):
                    return None
                if not ok:
                    self.check_assumptions([np.asarray(x) for x in point])  # raises with the message
                    return None  # (math and numpy disagree: let numpy decide)
        return point

    def prepare(self, values: Mapping[str, object], *, check: bool = True) -> list[np.ndarray]:
        """Validate named values against domains and assumptions; return arrays in order."""
        unknown = [k for k in values if k not in self.param_names]
        if unknown:
            raise ParameterError(unknown[0], f"is not a parameter of {self.id}; "
                                 f"its parameters are {', '.join(self.param_names)}")
        missing = [p.name for p in self.params if p.name not in values]
        if missing:
            raise ParameterError(missing[0], f"is missing for {self.id} (needs {', '.join(self.param_names)}; "
                                 "give it, or use the example values)")
        if self.integer_valued:
            self._refuse_inexact_integers(values)
        arrays = [p.validate(values[p.name]) for p in self.params]
        try:
            common_shape(arrays)
        except ValueError:
            shapes = ", ".join(f"{p.name} {a.shape}" for p, a in zip(self.params, arrays) if a.ndim)
            raise ParameterError(self.params[0].name if not shapes else shapes.split()[0],
                                 f"and the other arrays given to {self.id} do not broadcast to one shape "
                                 f"(shapes: {shapes}); give equal lengths or one value") from None
        if check:
            self.check_assumptions(arrays)
        return arrays

    def _refuse_inexact_integers(self, values: Mapping[str, object]) -> None:
        """An integer-valued bound is a step function: an integer input no float holds would be rounded silently."""
        for name, x in values.items():
            ints = [x] if isinstance(x, (int, np.integer)) and not isinstance(x, bool) else (
                [v for v in x if isinstance(v, int)] if isinstance(x, (list, tuple)) else
                # (only the entries past 2**53 can be inexact: a million-point array is checked in numpy)
                (x[(x > 2 ** 53) | (x < -2 ** 53)].tolist() if isinstance(x, np.ndarray) and x.dtype.kind in "iu" else []))
            for v in ints:
                try:
                    exact = int(float(v)) == int(v)
                except OverflowError:
                    exact = False
                if not exact:
                    raise ParameterError(name, f"= {int(v)} is not exactly representable as a float (past 2**53); "
                                               f"{self.id} is a step function and would be silently wrong there")

    def _holds(self, predicate, arrays: Sequence[np.ndarray]) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # 1e300**2 is inf, and inf <= N is False
            ok = np.asarray(predicate(*arrays), dtype=bool)
        return np.broadcast_to(ok, np.broadcast_shapes(*[a.shape for a in arrays]))

    def assumptions_hold(self, values: Mapping[str, object]) -> np.ndarray:
        """Elementwise mask: where do all checkable assumptions hold? (Domains are still enforced.)"""
        arrays = self.prepare(values, check=False)
        ok = np.ones(np.broadcast_shapes(*[a.shape for a in arrays]), dtype=bool)
        for _, predicate in self._assumption_checks:
            ok &= self._holds(predicate, arrays)
        return ok

    @cached_property
    def _assumption_tests(self) -> tuple:
        """Per checkable assumption, its one-pass test (:func:`.onepass.relation_test`: True where it holds at
        every point, else False or None) or None; a test that does not answer True leaves it to numpy."""
        symbols = [p.symbol for p in self.params]
        return tuple(relation_test(a.relation, symbols) for a, _ in self._assumption_checks)

    def _failing_assumption(self, arrays: Sequence[np.ndarray]) -> Optional[tuple[Assumption, np.ndarray]]:
        """The first checkable assumption that fails somewhere on ``arrays`` and where it holds, or None: its one-pass
        test where that answers True, else numpy."""
        for (assumption, predicate), test in zip(self._assumption_checks, self._assumption_tests):
            if test is not None and test(arrays):
                continue
            ok = self._holds(predicate, arrays)
            if not ok.all():
                return assumption, ok
        return None

    def check_assumptions(self, arrays: Sequence[np.ndarray]) -> None:
        failing = self._failing_assumption(arrays)
        if failing is None:
            return
        assumption, ok = failing
        where = np.argwhere(~ok)[0] if ok.ndim else ()
        at = ", ".join(f"{p.name}={show(np.broadcast_to(a, ok.shape)[tuple(where)])}"
                       for p, a in zip(self.params, arrays) if p.symbol in assumption.relation.free_symbols)
        raise AssumptionError(f"assumption '{assumption.name}' of {self.id} is violated at {at}: {assumption.statement}")

    def signed_log(self, check: bool = True, **values) -> Signed:
        """``(sign, natural log of |value|)`` arrays; never overflows."""
        v = self._point_value(values)
        if v is not None:
            return Signed(np.array(math.copysign(1.0, v)), np.array(math.log(abs(v))))
        arrays = self._usual_grid(values) if self.numeric is None else None
        if arrays is not None:  # (as below, with the same checks passed: only faster)
            looped = self._looped_log(arrays, check)
            if looped is not None:
                return looped
            if self._checked_grid(values, check, arrays=arrays) is not None:
                return self._log_function(*arrays)
        point = self._scalar_point(values, check) if self.numeric is None else None
        if point is not None:
            v = self._log_function.scalar(*point)
            if v is not None:
                log = math.log(abs(v))
                return Signed(np.array(math.copysign(1.0, v)), np.array(log))
            return self._log_function(*[np.asarray(x) for x in point])
        blocked = self._blocked(values, check, linear=False) if self.numeric is None else None
        if blocked is not None:
            return blocked
        return self._log_function(*self.prepare(values, check=check))

    def _blocked(self, values: Mapping[str, object], check: bool, linear: bool):
        """:meth:`signed_log` (or with ``linear`` the plain values of :meth:`evaluate`) of a large grid with the
        domains checked block by block (:meth:`.Evaluator.blocked`, :meth:`.Evaluator.blocked_linear`); None
        wherever :meth:`prepare` must speak (a value out of its domain, a missing name) or the grid is small."""
        if len(values) != len(self.params) or self.integer_valued:
            return None
        try:
            given = [values[p.name] for p in self.params]
            arrays = [p.as_array(x) for p, x in zip(self.params, given)]
            shape = common_shape(arrays)
            total = math.prod(shape)
            if total < BLOCKED_FROM:  # (evaluated whole: nothing here is needed)
                return None
            checks = []
            for i, (p, x, a) in enumerate(zip(self.params, given, arrays)):
                if a.size == total:
                    checks.append((i, p.block_check(x)))
                elif not p._all_inside_given(x, a):  # (smaller than the grid: checked whole)
                    return None
        except (ParameterError, KeyError, ValueError):
            return None
        evaluator = self._log_function
        out = (evaluator.blocked_linear if linear else evaluator.blocked)(arrays, shape, checks)
        if out is not None and check:
            self.check_assumptions(arrays)
        return out

    def log(self, **values) -> np.ndarray:
        """Natural log of the bound (NaN where the bound is not positive)."""
        s = self.signed_log(**values)
        return np.where(s.sign > 0, s.log, np.nan)[()]

    def log10(self, **values) -> np.ndarray:
        return self.log(**values) / math.log(10)

    @cached_property
    def _grid_domains(self) -> tuple:
        """Per parameter ``(name, its domain as the one-pass kernel reads it)``, for :meth:`_checked_grid`."""
        return tuple((p.name, p.interval) for p in self.params)

    def _usual_grid(self, values: Mapping[str, object]) -> Optional[list[np.ndarray]]:
        """The arrays of a grid given the usual way, in the order of :attr:`params`; None otherwise.  The usual way:
        one C-contiguous float64 array per parameter, all of one shape, of :data:`.onepass.KERNEL_FROM` values or
        more (:meth:`_checked_grid`, :meth:`_looped_grid`)."""
        if not values or len(values) != len(self.params):
            return None
        arrays, shape = [], None
        for name, _ in self._grid_domains:
            x = values.get(name)
            if type(x) is not np.ndarray or x.dtype != _FLOAT or not x.flags.c_contiguous:
                return None
            if shape is None:
                shape = x.shape
                if x.size < KERNEL_FROM:
                    return None
            elif x.shape != shape:
                return None
            arrays.append(x)
        return arrays

    def _checked_grid(self, values: Mapping[str, object], check: bool = True,
                      arrays: Optional[list[np.ndarray]] = None) -> Optional[list[np.ndarray]]:
        """The arrays of a grid given the usual way (:meth:`_usual_grid`; ``arrays``, where the caller has them) and
        smaller than :data:`.linear.BLOCKED_FROM` (larger grids are checked block by block), its domains and (with
        ``check``) assumptions checked; None otherwise (for :meth:`evaluate` and :meth:`signed_log`).

        Each array's domain is then one kernel call, each assumption its one-pass test, with none of :meth:`prepare`'s
        conversions (about 15 µs of Python for a one-parameter bound, a tenth of its evaluation at 10^5 points).
        None for any other input, and wherever a check does not pass or the kernel is unavailable: :meth:`prepare`
        then checks the same things the general way and names what is wrong.
        """
        arrays = self._usual_grid(values) if arrays is None else arrays
        if arrays is None or arrays[0].size >= BLOCKED_FROM:
            return None
        for x, (_, interval) in zip(arrays, self._grid_domains):
            if not kernel_inside(x, *interval):
                return None
        return None if check and self._failing_assumption(arrays) is not None else arrays

    @cached_property
    def _loop(self):
        """The plain-value code as one C loop that also checks the domains and the values (:mod:`.loopcode`), or None."""
        from .loopcode import plain_loop

        return plain_loop(self._log_function._array_function, [i for _, i in self._grid_domains], self.integer_valued)

    @cached_property
    def _log_loop(self):
        """The code of the log of the value (:meth:`.linear.Evaluator._direct_log`) as a loop (:mod:`.loopcode`), or None."""
        from .loopcode import plain_loop

        if self.integer_valued:  # (its logs come from the exact plain integers)
            return None
        return plain_loop(self._log_function._log_array_function, [i for _, i in self._grid_domains], False, log=True)

    def _run_loop(self, loop, arrays: list[np.ndarray], check: bool) -> Optional[tuple[np.ndarray, int]]:
        """``loop``'s values on ``arrays`` and what it reports (:meth:`.loopcode.Loop.run`), the assumptions checked
        after (with ``check``); None where there is no loop, a check fails or the loop leaves the grid to numpy."""
        if loop is None:
            return None
        out = np.empty(arrays[0].shape)
        code = loop.run(arrays, out)
        if code is None or code & (OUTSIDE | UNSUPPORTED) or (check and self._failing_assumption(arrays) is not None):
            return None
        return out, code

    def _looped_log(self, arrays: list[np.ndarray], check: bool) -> Optional[Signed]:
        """:meth:`signed_log` of a grid given the usual way by the compiled loop of the log's code, as
        :meth:`_looped_grid` for :meth:`evaluate`; logs that are not finite or came with a flag are settled as
        :meth:`.linear.Evaluator._direct_log` settles numpy's."""
        ran = self._run_loop(self._log_loop, arrays, check)
        if ran is None:
            return None
        out, code = ran
        return self._log_function.settle_log(arrays, out, bool(code & FLAGGED), code == 0)

    def _looped_grid(self, arrays: list[np.ndarray]) -> Optional[np.ndarray]:
        """:meth:`evaluate` of a grid given the usual way (:meth:`_usual_grid`) by the compiled loop, which checks each
        point's inputs and value as it computes it (:mod:`.loopcode`), the assumptions checked after; None where
        there is no loop or a check fails (:meth:`evaluate` then goes on as without it, and names what is wrong).
        Values that do not stand as they are (near the float limits, a flag raised) are settled as
        :meth:`.linear.Evaluator.linear_of` settles numpy's."""
        ran = self._run_loop(self._loop, arrays, True)
        if ran is None:
            return None
        out, code = ran
        return out if code == 0 else self._log_function.settle_linear(arrays, out, bool(code & FLAGGED))

    def evaluate(self, **values) -> np.ndarray:
        """The bound's value; ``inf`` only where it exceeds the float range (see :meth:`log`)."""
        v = self._point_value(values)
        if v is not None:
            return np.float64(v)
        if self.numeric is None:
            arrays = self._usual_grid(values)
            if arrays is not None:  # (the same values as below, with the same checks passed: only faster)
                looped = self._looped_grid(arrays)
                if looped is not None:
                    return looped
                if self._checked_grid(values, arrays=arrays) is not None:
                    return self._log_function.linear_of(arrays, arrays[0].shape)
        point = self._scalar_point(values, True) if self.numeric is None else None
        if point is not None:
            v = self._log_function.scalar(*point)
            if v is not None:
                return np.float64(v)
            return self.linear(self._log_function(*[np.asarray(x) for x in point]))[()]
        if self.numeric is None:
            # Plain values straight from the compiled function where they are ordinary numbers: no
            # log taken and undone (values no less exact than exp(log v); an integer step's exact integer).
            blocked = self._blocked(values, True, linear=True)  # (None for an integer-valued bound)
            if blocked is not None:
                return blocked[()]
            return self._log_function.linear(*self.prepare(values))[()]
        return self.linear(self.signed_log(**values))[()]

    def linear(self, signed: Signed) -> np.ndarray:
        """Linear values from :meth:`signed_log` output (integer-valued bounds rounded back)."""
        value = to_linear(signed)
        return round_steps(value) if self.integer_valued else value

    __call__ = evaluate

    def __repr__(self) -> str:
        return f"<Bound {self.id}: {self.kind} {self.status}, {self.source.cite()}>"

    def _repr_html_(self) -> str:  # Jupyter: see tbounds.bounds.display
        from .display import bound_html

        return bound_html(self)

    def _repr_latex_(self) -> str:
        from .display import bound_latex

        return bound_latex(self)


@dataclass(frozen=True)
class Statement:
    """One result stated in words, with its source and the complexity classes it involves."""

    id: str
    family: str
    title: str
    source: Source
    statement: str
    classes: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    notes: str = ""
    docs: str = ""
    kind: str = "statement"

    def to_dict(self) -> dict:
        return {"id": self.id, "family": self.family, "title": self.title, "kind": self.kind,
                "source": self.source.to_dict(), "statement": self.statement,
                "complexity_classes": list(self.classes),
                "assumptions": [a.to_dict() for a in self.assumptions], "notes": self.notes, "docs": self.docs}


@dataclass(frozen=True)
class Family:
    """The one factory of a family's records: each bound and statement it builds carries the family's
    name and, unless told otherwise, its docs page.  A family's ``common.bound`` is ``FAMILY.bound``.

    >>> depth = Family("depth", "docs/depth.md")
    >>> s = depth.statement("x.y", title="t", source=Paper(None, "A", 2024, "venue")("Lemma 1"), statement="s")
    >>> s.family, s.docs
    ('depth', 'docs/depth.md')
    """

    name: str
    docs: str

    def bound(self, id: str, **fields) -> Bound:
        return Bound(id=id, family=self.name, **{"docs": self.docs, **fields})

    def statement(self, id: str, **fields) -> Statement:
        return Statement(id=id, family=self.name, **{"docs": self.docs, **fields})
