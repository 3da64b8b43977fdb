"""Evaluate an expression in plain floating point first, and in log space only where that is not exact enough.

Most points of most bounds are ordinary numbers: ``sympy.lambdify`` code runs them at numpy's
speed.  A point is recomputed by the log-space compiler (:mod:`tbounds.bounds.logspace`) when
its plain value is not finite, is zero, or lies within ``1e28`` of the float limits, and, when
numpy reports an underflow anywhere in the call (which can leave a finite but imprecise value
behind), also wherever an input lies outside ``[1e-30, 1e30]``.  Overflow needs no such care:
an overflowed intermediate reaches the result as ``inf``, ``nan`` or ``0``, which are recomputed.

A single point (:meth:`Evaluator.scalar`) goes through ``math`` code with no arrays at all, and
answers only where the inputs are moderate and the value is an ordinary number; otherwise it
returns ``None`` and the caller takes the array path.

>>> import sympy as sp
>>> N = sp.Symbol("N", positive=True)
>>> f = Evaluator(sp.sqrt(N**5 + N), [N])
>>> s = f(np.array([4.0, 1e300]))
>>> [round(float(x) / math.log(10), 6) for x in s.log]
[1.505997, 750.0]
>>> f.scalar(4.0)
32.0624390837628
>>> f.scalar(1e300) is None  # N**5 overflows: the caller recomputes it in log space
True
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Callable, Optional, Sequence

import numpy as np
import sympy as sp

from sympy.codegen.cfunctions import expm1, log1p

from .blockcode import NotFloat, block_program
from .codegen import (FastNumPyPrinter, FastSciPyPrinter, LogOf, base_two_powers, fold_inplace, inplace,
                      integer_power, log_expm1)
from .logspace import EXACT_LIMIT, Signed, compile_signed_log, snap_to_integer, to_linear
from .onepass import all_inside
from .steps import _IntegerStep

#: Plain values beyond these magnitudes are recomputed in log space (near the float limits).
BIG, SMALL = 1e280, 1e-280
LOG_BIG, LOG_SMALL = math.log(BIG), math.log(SMALL)
#: Inputs in this range cannot underflow a bound's few products of powers into a wrong finite value.
MODERATE_LOW, MODERATE_HIGH = 1e-30, 1e30
#: Integer values of arrays up to this many points (solve's grids have 201) get ``math.log`` (correctly
#: rounded) logs, as solve expects; larger grids keep numpy's (at most an ulp away).
EXACT_LOG_POINTS = 4096


class _Flags:
    """numpy's floating-point error callback: remembers that an error occurred."""

    __slots__ = ("raised",)

    def __init__(self):
        self.raised = False

    def __call__(self, kind, flag):
        self.raised = True


_ONE = np.ones(1)
_ONE.flags.writeable = False


def ones_view(shape) -> np.ndarray:
    """A read-only array of ones of this shape, every element the same memory (what ``np.broadcast_to(1.0,
    shape)`` gives, five times faster: it matters for grids of a few points)."""
    return np.ndarray(shape, np.float64, _ONE, 0, (0,) * len(shape))


def positive_log(s: Signed) -> np.ndarray:
    """The log where the value is positive, ``-inf`` elsewhere (no pass over a sign that is :func:`ones_view`)."""
    if s.sign.base is _ONE:
        return s.log
    return np.where(s.sign > 0, s.log, -np.inf)


def common_shape(arrays) -> tuple:
    """``np.broadcast_shapes`` of the arrays' shapes, without its cost where they are all equal (the usual case)."""
    if not arrays:
        return ()
    shape = arrays[0].shape
    if all(a.shape == shape for a in arrays):
        return shape
    return np.broadcast_shapes(*[a.shape for a in arrays])


def _ordinary(v: np.ndarray) -> bool:
    """Every value an ordinary positive number (in ``[SMALL, BIG]``; NaN is not), in one pass (:mod:`.onepass`)."""
    return all_inside(v, SMALL, BIG, False, False, False)


def _finite(v: np.ndarray) -> bool:
    """Every value finite (NaN is not), in one pass (:mod:`.onepass`)."""
    return all_inside(v, -math.inf, math.inf, True, True, False)


def round_steps(value: np.ndarray) -> np.ndarray:
    """An integer-valued expression's linear values, rounded where read back from log space (``exp(log k)`` is ``k``
    only up to rounding; past 2**52 every float is an integer)."""
    return np.where(np.abs(value) < EXACT_LIMIT, np.round(value), value)


def _moderate(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    return ((a >= MODERATE_LOW) & (a <= MODERATE_HIGH)) | (a == 0)


class Evaluator:
    """``f(*arrays) -> Signed`` for one expression: a plain-float fast path with a log-space fallback.

    Everything expensive (lambdify, the log-space compiler) is built on first use and kept.
    ``integer_valued`` snaps plain values to the integers they equal and takes their logs with
    ``math.log``, as the log-space ``exact_integer`` handler does.
    """

    def __init__(self, expr: sp.Expr, symbols: Sequence[sp.Symbol], integer_valued: bool = False):
        self.expr = expr
        self.symbols = list(symbols)
        self.integer_valued = integer_valued

    # ------------------------------------------------------------------ compiled forms (lazy)
    @cached_property
    def log_function(self):
        return compile_signed_log(self.expr, self.symbols)

    @cached_property
    def _plain_expr(self) -> sp.Expr:
        return plain_form(self.expr)

    @cached_property
    def _array_function(self):
        # scipy (0.3 s to import) only for the special functions (gamma, erfc, ...) numpy lacks.  numpy
        # as a module object, not "numpy": lambdify's `from numpy import *` imports numpy.testing, f2py
        # and ma (40 ms of a one-bound `tbounds eval`); the printer and the code are the same.
        return _lambdify(self.symbols, self._linear_expr, *self._numpy_modules)

    @cached_property
    def _linear_expr(self) -> sp.Expr:
        """:attr:`_plain_expr` as the plain-value code of both paths computes it (``2**e`` through ``exp2``)."""
        return base_two_powers(self._plain_expr)

    @cached_property
    def _numpy_modules(self):
        """lambdify's modules and our printer (:mod:`.codegen`): scipy only where a special function needs it."""
        special = not all((type(f).__module__ or "").startswith(("sympy.functions.elementary", "sympy.codegen"))
                          for f in self._plain_expr.atoms(sp.Function))
        return (["scipy", "numpy"], FastSciPyPrinter) if special else ([np], FastNumPyPrinter)

    @cached_property
    def _log_array_function(self):
        """The natural log of the plain value, computed directly where products and powers make that cheaper."""
        return _lambdify(self.symbols, LogOf(self._plain_expr), *self._numpy_modules)

    @cached_property
    def _array_program(self):
        """:attr:`_array_function` writing into reusable buffers (:mod:`.blockcode`), or None."""
        return _program_of(self._array_function)

    @cached_property
    def _log_array_program(self):
        """:attr:`_log_array_function` writing into reusable buffers (:mod:`.blockcode`), or None."""
        return _program_of(self._log_array_function)

    @cached_property
    def _math_function(self):
        fn = _lambdify(self.symbols, self._linear_expr, ["math"])
        if fn is not None:
            # The exact step helpers answer Python ints: 2**k of a huge k would be computed exactly
            # (without bound); as floats it overflows at once, and the caller takes another path.
            for name, helper in list(fn.__globals__.items()):
                if callable(helper) and getattr(helper, "__module__", "").startswith("tbounds."):
                    fn.__globals__[name] = _as_float(helper)
        return fn

    # ------------------------------------------------------------------ evaluation
    def scalar(self, *values: float) -> Optional[float]:
        """The value at one point through ``math``, or ``None`` where only the array path is exact enough."""
        fn = self._math_function
        if fn is None:
            return None
        if values and not (MODERATE_LOW <= min(values) and max(values) <= MODERATE_HIGH):  # (one C call each)
            for x in values:  # zeros and negative values
                a = abs(x)
                if not (MODERATE_LOW <= a <= MODERATE_HIGH or a == 0):
                    return None
        try:
            v = fn(*values)
            if type(v) is not float:
                if isinstance(v, complex):
                    return None
                v = float(v)
        except (ArithmeticError, ValueError, TypeError, NameError):
            return None
        a = abs(v)
        if not SMALL <= a <= BIG:  # also catches nan, inf and 0
            return None
        if self.integer_valued and a < EXACT_LIMIT:
            v = float(snap_to_integer(np.asarray(v))[()])
        return v

    def _plain_values(self, arrays: list, shape) -> Optional[tuple[np.ndarray, "_Flags"]]:
        """The compiled plain-float function on ``arrays`` and whether numpy flagged an error; None if it failed."""
        return _call_flagged(self._array_function, arrays, shape, self._array_program)

    def _plain_stands(self, v: np.ndarray, flags: "_Flags", shape) -> bool:
        """Every plain value an ordinary positive number (an exact integer, for an integer-valued expression) and no
        numpy error on the way, in one pass (NaN fails): the plain values are the answer as they are."""
        return bool(shape) and not flags.raised and all_inside(v, SMALL, BIG, False, False, self.integer_valued)

    def linear(self, *values) -> np.ndarray:
        """Linear values: the plain ones where :meth:`__call__` would only take their logs, else ``exp`` of those.

        No log is taken and none undone where a plain value stands (the value is the plain function's own,
        whatever the other points of the grid do); elsewhere it is ``sign * exp(log)`` of the log-space result.
        """
        arrays = [np.asarray(v, dtype=float) for v in values]
        return self.linear_of(arrays, common_shape(arrays))

    def linear_of(self, arrays: list, shape) -> np.ndarray:
        """:meth:`linear` of float arrays that broadcast to ``shape`` (the caller has made them so)."""
        plain = self._plain_values(arrays, shape)
        if plain is not None and self._plain_stands(*plain, shape):
            v = plain[0]
            # A bare symbol's function returns its input: the caller's array is never handed back.
            return v.copy() if any(np.may_share_memory(v, a) for a in arrays) else v
        return self._linear_where_plain_falls_short(arrays, shape, plain)

    def settle_linear(self, arrays: list, plain: np.ndarray, flagged: bool) -> np.ndarray:
        """:meth:`linear_of` from plain values computed elsewhere (:mod:`.loopcode`), some of which do not stand as they
        are, and whether a floating-point flag was raised computing them."""
        flags = _Flags()
        flags.raised = flagged
        return self._linear_where_plain_falls_short(arrays, plain.shape, (plain, flags))

    def settle_log(self, arrays: list, log: np.ndarray, flagged: bool, finite: bool) -> Signed:
        """:meth:`_direct_log` from direct logs computed elsewhere (:mod:`.loopcode`): whether a floating-point flag was
        raised computing them, and whether every one is finite."""
        if finite and not flagged:
            return Signed(ones_view(log.shape), log)
        flags = _Flags()
        flags.raised = flagged
        return self._settle_direct(log, flags, arrays, log.shape)

    def _linear_where_plain_falls_short(self, arrays: list, shape, plain) -> np.ndarray:
        """Linear values of a grid whose plain values do not all stand: each plain value where it stands, ``exp`` of
        the log-space value elsewhere.  exp(log v) is v only to about ``|log v|`` units in the last place (2**625
        came back 127 units off, and an integer k about 1e-16 k off).  So a point whose inputs lie in ``[MODERATE_LOW,
        MODERATE_HIGH]`` has one value on every grid, whatever the other points do; a point with inputs beyond
        that range takes log space where numpy flagged an error anywhere on its grid (the flag could be its own
        underflow), so its last digits can depend on its grid (tested: 18 closed-form bounds, inputs to 1e40)."""
        signed, kept = self._signed_and_plain(arrays, shape, plain)
        out = np.asarray(to_linear(signed), dtype=float)  # (a single point's is a numpy scalar: an array to write into)
        if kept is not None:
            np.copyto(out, kept[0], where=kept[1])
        return round_steps(out) if self.integer_valued else out

    def __call__(self, *values) -> Signed:
        arrays = [np.asarray(v, dtype=float) for v in values]
        shape = common_shape(arrays)
        if shape and not self.integer_valued:
            direct = self._direct_log(arrays, shape)
            if direct is not None:
                return direct
        return self._signed(arrays, shape, self._plain_values(arrays, shape))

    def _direct_log(self, arrays: list, shape) -> Optional[Signed]:
        """The log computed directly (:class:`.codegen.LogOf`) where it is finite, the rest as before.

        A finite log is a positive value (NaN, from a negative value, and ``-inf``, from zero, fail); it may lie
        past the float limits (``log alpha = -5e4``), as it is computed from logs where the value would
        overflow (products, powers, exp), and an overflow or underflow on the way is flagged by numpy: then
        the points with inputs outside the moderate range or logs outside ``[log SMALL, log BIG]`` are
        recomputed as well.  Those points go through
        :meth:`_signed` (plain floats, then log space), as the whole grid did before.  None where the direct
        function is not available.
        """
        direct = _call_flagged(self._log_array_function, arrays, shape, self._log_array_program)
        if direct is None:
            return None
        return self._settle_direct(*direct, arrays, shape)

    def _settle_direct(self, log: np.ndarray, flags: "_Flags", arrays: list, shape) -> Signed:
        """:meth:`_direct_log`'s answer from the direct logs of the whole grid and numpy's flags over all of it."""
        one = ones_view(shape)
        if not flags.raised and _finite(log):
            return Signed(one, _not_an_input(log, arrays))
        ok = np.isfinite(log)
        if flags.raised:  # an underflow on the way can leave a finite but imprecise value: the old rules
            ok &= (log >= LOG_SMALL) & (log <= LOG_BIG)
            for x in arrays:
                ok &= _moderate(x)
        bad = ~ok
        if not bad.any():  # numpy flagged an error, at inputs all moderate: the logs stand
            return Signed(one, _not_an_input(log, arrays))
        sub = [np.broadcast_to(x, shape)[bad] for x in arrays]
        rest = self._signed(sub, sub[0].shape, self._plain_values(sub, sub[0].shape))
        sign, log = np.array(one), np.array(log)
        sign[bad], log[bad] = rest.sign, rest.log
        return Signed(sign, log)

    def blocked(self, arrays: list, shape, checks: Sequence[tuple[int, Callable]] = ()) -> Optional[Signed]:
        """:meth:`__call__` on a large grid, block by block, with the inputs' ``checks`` done on each block.

        Each pass over a 10^6-point grid (8 MB) runs at memory speed; over a block of :data:`BLOCK` points the
        function's buffers (:mod:`.blockcode`), the domain checks (``checks``: ``(index of an input, test of a
        block of it)``, for the inputs as large as the grid) and the range check of the logs stay in cache (the
        technique numexpr uses).  The logs are elementwise, the flags numpy raises are those of the whole grid,
        and the points that need more (:meth:`_settle_direct`) are settled on the whole grid as before: the
        answer is bit for bit :meth:`__call__`'s.  ``None`` where a check fails or the direct function is not
        available or fails: the caller takes the unblocked path (which names the parameter out of its domain).
        """
        run = self._run_blocked(self._log_array_function, self._log_array_program, arrays, shape, checks, _finite)
        if run is None:
            return None
        log, flags, finite = run
        if not flags.raised and finite:
            return Signed(ones_view(shape), log)
        return self._settle_direct(log, flags, arrays, shape)

    def blocked_linear(self, arrays: list, shape, checks: Sequence[tuple[int, Callable]] = ()) -> Optional[np.ndarray]:
        """:meth:`linear` on a large grid, block by block (as :meth:`blocked`): the plain values where all are
        ordinary numbers, else log space where :meth:`linear` takes it, bit for bit; ``None`` as :meth:`blocked`."""
        run = self._run_blocked(self._array_function, self._array_program, arrays, shape, checks, _ordinary)
        if run is None:
            return None
        v, flags, ordinary = run
        if not flags.raised and ordinary:
            return v
        return self._linear_where_plain_falls_short(arrays, shape, (v, flags))

    def _run_blocked(self, fn, program, arrays: list, shape, checks, in_range: Callable) -> Optional[tuple]:
        """``(fn's values on the grid, numpy's flags over all of it, whether every block is in_range)``, or None."""
        blocks = _blocks(arrays, shape)
        if fn is None or self.integer_valued or blocks is None:
            return None
        inputs, sliced, out, block_slices = blocks
        flags, inside = _Flags(), True
        try:
            with np.errstate(all="call", call=flags):
                for sl in block_slices:
                    part = [a[sl] if cut else a for a, cut in zip(inputs, sliced)]
                    for i, test in checks:
                        if not test(part[i]):
                            return None
                    target = out[sl]
                    if program is not None:
                        program(*part, out=target)
                    else:
                        v = fn(*part)
                        if isinstance(v, np.ndarray) and v.shape == target.shape and v.dtype == np.float64:
                            target[...] = v
                        else:
                            target[...] = np.broadcast_to(np.asarray(v, dtype=float), target.shape)
                    if inside:
                        inside = bool(in_range(target))
        except (ArithmeticError, ValueError, TypeError, NameError, NotFloat):
            return None
        return out.reshape(shape), flags, inside

    def _signed(self, arrays: list, shape, plain) -> Signed:
        return self._signed_and_plain(arrays, shape, plain)[0]

    def _signed_and_plain(self, arrays: list, shape, plain) -> tuple[Signed, Optional[tuple[np.ndarray, np.ndarray]]]:
        """The signed logs from the plain values ``plain`` (log space where those fall short), and ``(the plain
        values, snapped to integers for an integer-valued expression; where they stand)``, or None where every
        point came from log space."""
        if plain is None:
            return _shaped(self.log_function(*arrays), shape), None
        v, flags = plain
        if (not self.integer_valued or v.size > EXACT_LOG_POINTS) and self._plain_stands(v, flags, shape):
            # The usual case: every value an ordinary positive number, so the sign folds away (a read-only view
            # of 1) and only the log is computed (exact integers on a small grid take math.log's logs, below).
            return Signed(ones_view(shape), np.log(v)), (v, np.broadcast_to(True, shape))  # (no array of Trues made)
        with np.errstate(invalid="ignore"):
            a = np.abs(v)
            ok = (a >= SMALL) & (a <= BIG)
        if flags.raised:  # an overflow can hide in a Min, an underflow leave an imprecise value
            for x in arrays:
                ok &= _moderate(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.integer_valued and not np.array_equal(v, np.round(v)):  # exact steps are integers already
                v = snap_to_integer(v)
                a = np.abs(v)
            sign, log = np.sign(v), np.log(a)
            if not shape:  # 0-d: numpy answers scalars, which cannot be assigned into
                sign, log = np.array(sign), np.array(log)
        if self.integer_valued:
            log = _exact_logs(v, log, ok)
        if not ok.all():
            bad = ~ok
            sub = [np.broadcast_to(x, shape)[bad] for x in arrays]
            slow = self.log_function(*sub)
            sign[bad] = np.broadcast_to(slow.sign, sub[0].shape if sub else ())
            log[bad] = np.broadcast_to(slow.log, sub[0].shape if sub else ())
            lost = bad & (np.isnan(log) | np.isnan(sign))
            if lost.any():  # a log beyond the float range (inf - inf in log space): arbitrary precision
                points = np.stack([np.broadcast_to(x, shape)[lost] for x in arrays], axis=-1)
                exact = [self.extended(*row) for row in points]
                sign[lost] = [e[0] for e in exact]
                log[lost] = [e[1] for e in exact]
        return Signed(sign, log), (v, ok)

    @cached_property
    def _mpmath_function(self):
        return _lambdify(self.symbols, self.expr, ["mpmath"])

    def extended(self, *values: float) -> tuple[float, float]:
        """``(sign, log|value|)`` at one point in mpmath's unbounded exponent range (NaN if it has none).

        Only for the rare points whose log itself passes the float range (``n!`` at ``n = 1e308``),
        where log space meets ``inf - inf``; the log is then honestly ``+-inf``.
        """
        import mpmath

        fn = self._mpmath_function
        if fn is None:
            return math.nan, math.nan
        # Logs as large as the inputs cancel (loggamma differences): carry their digits too.
        digits = 30 + int(max([math.log10(abs(x)) for x in values if x != 0 and math.isfinite(x)] + [0.0]))
        try:
            with mpmath.workdps(max(30, digits)):
                v = fn(*[mpmath.mpf(x) for x in values])
                if isinstance(v, mpmath.mpc) or mpmath.isnan(v):
                    return math.nan, math.nan
                if v == 0:
                    return 0.0, -math.inf
                return float(mpmath.sign(v)), float(mpmath.log(abs(v)))
        except (ArithmeticError, ValueError, TypeError):
            return math.nan, math.nan


def level2_cache_bytes(folder: str = "/sys/devices/system/cpu/cpu0/cache") -> Optional[int]:
    """The first core's level-2 cache in bytes, as Linux reports it (None elsewhere, or where it does not).

    >>> level2_cache_bytes("/no/such/folder") is None
    True
    """
    import glob

    units = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    for index in sorted(glob.glob(f"{folder}/index*")):
        try:
            with open(f"{index}/level") as level, open(f"{index}/type") as kind, open(f"{index}/size") as size:
                if level.read().strip() != "2" or kind.read().strip() not in ("Unified", "Data"):
                    continue
                text = size.read().strip()
            return int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)
        except (OSError, ValueError):
            continue
    return None


def block_points(l2: Optional[int]) -> int:
    """Points per block of :meth:`Evaluator.blocked`: a quarter of the level-2 cache per array (a power of two
    from 16384 to 131072; 32768 where the cache size is unknown).

    Median time over lambdify's at 10^6 points against the block size, on two machines.  AMD EPYC, 1 MB of L2
    (34-53 bounds, load 1.2-2): 8192 1.32, 16384 1.23, 32768 1.20, 65536 1.18-1.37, 131072 1.42, unblocked
    1.41-1.53.  Intel Xeon with AVX-512, 2 MB of L2 (8 bounds of one to seven parameters, each its ratio at
    32768 / 65536 / 131072 / unblocked): ``liu2023.automata.depth`` 1.18 / 1.08 / 1.10 / 1.09, ``mohri2018.gap.expected``
    1.07 / 0.99 / 1.01 / 1.05, ``kajitsuka2025.next_token.limited_bits.bits`` 1.13 / 1.08 / 1.11 / 1.29, each size
    timed in turn; timed in alternating rounds on every fourth closed-form bound (40), 65536 took 0.99 of 32768's
    time at the median, less for 26 of them.  Smaller blocks pay more Python around each (a dozen numpy calls);
    larger ones fall out of the cache.

    >>> block_points(1024 ** 2), block_points(2 * 1024 ** 2), block_points(None), block_points(256 * 1024 ** 2)
    (32768, 65536, 32768, 131072)
    """
    if not l2:
        return 32768
    return max(16384, min(131072, 1 << max(0, (l2 // 32).bit_length() - 1)))


BLOCK = block_points(level2_cache_bytes())
#: Grids up to this many points are evaluated whole: at 10^5 points (800 KB, in L2/L3 already) blocks of
#: 8192-32768 measured 1.66-1.71 against 1.58 unblocked.
BLOCKED_FROM = 4 * BLOCK
#: Grids from this many points run the generated code through its buffer-reusing program (:mod:`.blockcode`).
#: Median time over lambdify's, 162 bounds, program / generated code (load 2-3): 3000 points 1.17 / 0.90,
#: 10^4 1.02 / 0.90, 3*10^4 0.90 / 0.89, 65536 0.87 / 0.89, 10^5 0.88 / 0.96: below this the Python around
#: each step and numpy's own reuse of small temporaries win.
PROGRAM_FROM = 2 ** 16


def _blocks(arrays: list, shape) -> Optional[tuple[list, list, np.ndarray, list]]:
    """``(inputs, which of them are sliced, output, block slices)`` for :meth:`Evaluator.blocked`, or None where the grid is small.

    Inputs as large as the grid and C-contiguous are read as flat arrays and single values as they are,
    blocked along the flat index; other broadcasts are blocked along the first axis (views of whole rows).
    """
    total = math.prod(shape)
    if total < BLOCKED_FROM:
        return None
    if all(a.size == 1 or (a.size == total and a.flags.c_contiguous) for a in arrays):
        # (single values keep their 0-d or (1,) shape: numpy computes on them exactly as on the whole grid)
        flat = [a.reshape(-1) if a.size == total else a if a.ndim <= 1 else a.reshape(1) for a in arrays]
        return flat, [a.size == total for a in arrays], np.empty(total), \
            [slice(i, min(i + BLOCK, total)) for i in range(0, total, BLOCK)]
    inner = total // shape[0]
    if inner > BLOCK:
        return None
    rows = BLOCK // inner
    views = [np.broadcast_to(a, shape) for a in arrays]
    return views, [True] * len(views), np.empty(shape), \
        [slice(i, min(i + rows, shape[0])) for i in range(0, shape[0], rows)]


def _not_an_input(log: np.ndarray, arrays: list) -> np.ndarray:
    """``log``, copied where it is one of the caller's arrays (a bare ``exp(x)`` returns its argument as its log)."""
    return log.copy() if any(np.may_share_memory(log, a) for a in arrays) else log


def _call_flagged(fn, arrays: list, shape, program=None) -> Optional[tuple[np.ndarray, _Flags]]:
    """``fn(*arrays)`` as a float array of ``shape`` and whether numpy flagged an error on the way; None if ``fn``
    is missing or failed.  A grid of :data:`PROGRAM_FROM` points or more runs ``program`` (the same code
    writing into reusable buffers, :mod:`.blockcode`) where there is one: the same values, bit for bit."""
    if fn is None:
        return None
    flags = _Flags()
    try:
        with np.errstate(all="call", call=flags):
            v = None
            if program is not None and math.prod(shape) >= PROGRAM_FROM:
                try:
                    v = program(*arrays, out=np.empty(shape))
                except NotFloat:  # a helper answered integers: the original code's arithmetic, as before
                    flags.raised = False
            if v is None:
                v = fn(*arrays)
        if not isinstance(v, np.ndarray) or v.shape != shape or v.dtype != np.float64:
            v = np.array(np.broadcast_to(np.asarray(v, dtype=float), shape))
    except (ArithmeticError, ValueError, TypeError, NameError):
        return None
    return v, flags


def _program_of(fn):
    return None if fn is None else block_program(fn)


def _exact_logs(v: np.ndarray, log: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``math.log`` of each distinct integer value (numpy's log may differ by one ulp), for small arrays."""
    if v.size > EXACT_LOG_POINTS:
        return log
    pick = ok & (np.abs(v) < EXACT_LIMIT) & (v == np.round(v)) & (v != 0)
    if not pick.any():
        return log
    values, where = np.unique(np.abs(v[pick]), return_inverse=True)
    out = np.array(log, copy=True)
    out[pick] = np.array([math.log(u) for u in values])[where.reshape(-1)]
    return out


def _shaped(s: Signed, shape) -> Signed:
    return Signed(np.array(np.broadcast_to(s.sign, shape), dtype=float),
                  np.array(np.broadcast_to(s.log, shape), dtype=float))


#: Functions whose plain-float library versions lose digits (scipy's binom at 1e21, gamma's overflow):
#: evaluated through their log-space handlers, as before.
def _log_space_types():
    from .logspace import HANDLERS

    plain_ok = (sp.log, sp.exp, sp.Max, sp.Min, sp.ceiling, sp.floor, sp.Abs, sp.erfc, log1p, expm1)
    return tuple(cls for cls in HANDLERS if cls not in plain_ok and not issubclass(cls, _IntegerStep))


def plain_form(expr: sp.Expr) -> sp.Expr:
    """The expression rewritten for plain floats, as exact as log space where that costs digits otherwise.

    ``log(x**k)`` becomes ``k log x`` (``log(1/delta)`` at ``delta = 1 - 1e-12`` keeps its digits),
    ``log(1 + x)`` becomes ``log1p(x)``, ``exp(x) - 1`` becomes ``expm1(x)``, and functions in :func:`_log_space_types` call their log-space
    handlers.

    >>> x = sp.Symbol("x", positive=True)
    >>> plain_form(sp.log(1 / x) + sp.log(1 + x**2))
    -log(x) + log1p(x**2)
    """
    def log_of_power(e):
        return isinstance(e, sp.log) and isinstance(e.args[0], sp.Pow) and e.args[0].base.is_positive

    expr = expr.replace(log_of_power, lambda e: e.args[0].exp * sp.log(e.args[0].base))
    expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Add) and sp.S.One in e.args[0].args,
                        lambda e: log1p(e.args[0] - 1))
    # exp(x) - 1 as expm1(x) (exact for small x; the log printer reads its log without overflow for large x)
    expr = expr.replace(lambda e: isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.NegativeOne in e.args
                        and any(isinstance(a, sp.exp) for a in e.args),
                        lambda e: expm1(next(a for a in e.args if isinstance(a, sp.exp)).args[0]))
    special = _log_space_types()
    if special:
        expr = expr.replace(lambda e: isinstance(e, special), _through_log_space)
    return expr


def _through_log_space(node):
    from sympy.utilities.lambdify import implemented_function

    from .logspace import HANDLERS, from_linear, to_linear

    handler = next(h for cls, h in HANDLERS.items() if isinstance(node, cls))

    def value(*args):
        scalar = all(np.ndim(a) == 0 for a in args)
        out = to_linear(handler(*[from_linear(a) for a in args]))
        return float(out) if scalar and not any(isinstance(a, np.ndarray) for a in args) else out

    name = f"logspace_{type(node).__name__}_{id(handler)}"
    return implemented_function(sp.Function(name), value)(*node.args)


def _as_float(helper):
    def wrapped(*args):
        return float(helper(*args))

    return wrapped


def _lambdify(symbols, expr, modules, printer=None):
    """``sympy.lambdify`` with common subexpressions shared, or ``None`` where a function has no printer."""
    dummify = True
    if printer is not None:
        # The settings lambdify gives its own printers; dummies that keep each symbol's assumptions (lambdify's
        # own have none, and our printer groups roots by the signs of their bases), named as no sympy function is.
        printer = printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                           "user_functions": {}})
        dummies = [sp.Symbol(f"_arg{i}", **s.assumptions0) for i, s in enumerate(symbols)]
        expr, symbols, dummify = expr.xreplace(dict(zip(symbols, dummies))), dummies, False
        modules = [{"integer_power": integer_power, "inplace": inplace, "fold_inplace": fold_inplace,
                    "log_expm1": log_expm1}, *modules]
    try:
        return sp.lambdify(symbols, expr, modules=modules, cse=True, dummify=dummify, printer=printer)
    except Exception:  # a function this printer does not know: that path is simply not available
        return None
