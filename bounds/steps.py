"""Exact integer steps for integer-valued bounds of every family: ⌈log_b x⌉, ⌊log_b x⌋, ⌊a / q⌋, ⌈x⌉.

Layer counts and dimensions are step functions (``8⌈log2 n⌉ + 9`` layers).  Written with
``sp.ceiling(sp.log(n, 2))`` they go wrong exactly on the steps: in floating
point ``log(32)/log(2)`` is ``5.000000000000001`` and its ceiling is 6.  These
sympy functions are evaluated with integer arithmetic instead, in sympy (exact
rationals), in mpmath and numpy (via the printers ``lambdify`` uses) and in the
log-space compiler (handlers added to :data:`tbounds.bounds.logspace.HANDLERS`).
:class:`exact_integer` is what :class:`~tbounds.bounds.record.Bound` wraps around
every ``integer_valued`` expression before compiling it.

>>> import sympy as sp
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> ceil_log(n, 2).subs(n, 32), ceil_log(n, 2).subs(n, 33), floor_log(n, 2).subs(n, 31)
(5, 6, 4)
>>> from tbounds.bounds.logspace import compile_signed_log, to_linear
>>> f = compile_signed_log(ceil_log(n, 2), [n])
>>> [int(round(float(v))) for v in to_linear(f(np.array([32.0, 33.0, 2.0 ** 40, 2.0 ** 40 + 1])))]
[5, 6, 40, 41]
>>> sp.lambdify([n], ceil_log(n, 3), "mpmath")(27)
3

In log space an argument arrives as ``exp(log x)``, which is ``x`` only up to
rounding; arguments within ``1e-11`` (relative) of an integer are snapped to it
first.  The bounds using these functions have integer arguments, so steps are
exact for integer arguments up to 2**46 (7e13) that arrive through log space.  Evaluated in plain
floating point (what :class:`~tbounds.bounds.linear.Evaluator` does first, and what every finite
result takes), a float argument past 2**52 is an integer and its step is computed exactly, with
Python integers: ``8⌈log2 n⌉ + 9`` at ``n = 2**52 + 1`` is 433.  Python integers that no float
represents (past 2**53) are refused by integer-valued bounds rather than rounded.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from .logspace import EXACT_LIMIT, HANDLERS, Signed, from_linear, snap_to_integer, to_linear


def with_power(tex: str, exp) -> str:
    """LaTeX of a function value raised to ``exp`` (sympy's printer passes it for powers)."""
    return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"


# ----------------------------------------------------------------------------- exact scalar arithmetic
def _fraction(x) -> Fraction:
    if isinstance(x, sp.Basic):
        x = sp.Rational(x) if x.is_Rational else sp.Rational(float(x))
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    try:
        return Fraction(float(x))
    except (TypeError, ValueError, OverflowError):  # mpmath mpf and friends
        return Fraction(str(x))


def _ceil_log_exact(x: Fraction, b: int) -> int:
    """Smallest integer k with b**k >= x (x > 0)."""
    if x <= 0:
        raise ValueError("ceil_log needs a positive argument")
    k = math.ceil((math.log(x.numerator) - math.log(x.denominator)) / math.log(b))
    while Fraction(b) ** k < x:
        k += 1
    while Fraction(b) ** (k - 1) >= x:
        k -= 1
    return k


def _floor_log_exact(x: Fraction, b: int) -> int:
    """Largest integer k with b**k <= x (x > 0)."""
    if x <= 0:
        raise ValueError("floor_log needs a positive argument")
    k = math.floor((math.log(x.numerator) - math.log(x.denominator)) / math.log(b))
    while Fraction(b) ** k > x:
        k -= 1
    while Fraction(b) ** (k + 1) <= x:
        k += 1
    return k


# ----------------------------------------------------------------------------- numeric (numpy / mpmath) values
def _scalar(x) -> bool:
    """Python (or sympy, mpmath) numbers get exact integer answers; numpy values, arrays or scalars, get floats."""
    return np.ndim(x) == 0 and not isinstance(x, (np.ndarray, np.generic))


def _exact_scalar(x):
    """A Fraction for ints, rationals and floats below 2**52 (snapped); None for larger or non-finite values."""
    if isinstance(x, (int, Fraction, sp.Rational)):
        return _fraction(x)
    xf = float(x)
    if not math.isfinite(xf):
        return None
    if abs(xf) >= EXACT_LIMIT:  # every float from 2**52 up is an integer: take it exactly
        return Fraction(int(xf))
    return _fraction(snap_to_integer(np.asarray(xf))[()])


def _huge_log(x, b: int, ceil: bool):
    """Past 2**52 (or past float range, as mpmath numbers can be): the step of the float log."""
    import mpmath

    ratio = mpmath.log(mpmath.mpf(x)) / mpmath.log(b)
    return int(mpmath.ceil(ratio) if ceil else mpmath.floor(ratio))


def ceil_log_value(x, b):
    """⌈log_b x⌉ for numbers or arrays; exact for integers and for every finite float (see module notes)."""
    if _scalar(x):
        exact = _exact_scalar(x)
        return _ceil_log_exact(exact, int(b)) if exact is not None else _huge_log(x, int(b), ceil=True)
    return _vector_log(snap_to_integer(np.asarray(x, dtype=float)), int(b), ceil=True)


def floor_log_value(x, b):
    """⌊log_b x⌋ for numbers or arrays; exact for integers and for every finite float."""
    if _scalar(x):
        exact = _exact_scalar(x)
        return _floor_log_exact(exact, int(b)) if exact is not None else _huge_log(x, int(b), ceil=False)
    return _vector_log(snap_to_integer(np.asarray(x, dtype=float)), int(b), ceil=False)


def floor_div_value(a, q):
    """⌊a / q⌋ for numbers or arrays (a, q integers)."""
    if _scalar(a) and _scalar(q):
        fa, fq = _exact_scalar(a), _exact_scalar(q)
        if fa is None or fq is None:
            import mpmath

            return mpmath.floor(mpmath.mpf(a) / mpmath.mpf(q))
        return math.floor(fa / fq)
    return np.floor_divide(snap_to_integer(np.asarray(a, dtype=float)), snap_to_integer(np.asarray(q, dtype=float)))


def _vector_log(x: np.ndarray, b: int, ceil: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        guess = np.log(x) / math.log(b)
        k = np.ceil(guess) if ceil else np.floor(guess)
        k = np.where(np.isfinite(k), k, np.nan)
        # Correct the float guess by one step either way, comparing with exact float powers.
        small = x < EXACT_LIMIT
        for _ in range(2):
            if ceil:
                k = np.where(small & (np.power(float(b), k) < x), k + 1, k)
                k = np.where(small & (np.power(float(b), k - 1) >= x), k - 1, k)
            else:
                k = np.where(small & (np.power(float(b), k) > x), k - 1, k)
                k = np.where(small & (np.power(float(b), k + 1) <= x), k + 1, k)
    huge = np.isfinite(x) & (x >= EXACT_LIMIT)
    if huge.any():  # floats past 2**52 are integers: their steps exactly, with Python integers
        k = np.array(k, dtype=float, copy=True)
        if b == 2:  # x = m 2^e with 1/2 <= m < 1, exactly
            m, e = np.frexp(x[huge])
            k[huge] = np.where((m == 0.5) | (not ceil), e - 1, e)
        else:
            step = _ceil_log_exact if ceil else _floor_log_exact
            k[huge] = [step(Fraction(int(v)), b) for v in x[huge]]
    return np.where(x > 0, k, np.nan)


# ----------------------------------------------------------------------------- sympy functions
class _IntegerStep(sp.Function):
    """Shared printing for the step functions (lambdify to numpy, math or mpmath)."""

    is_integer = True
    is_real = True
    _value = None  # name of the numeric helper in this module

    def _pythoncode(self, printer):
        fn = printer._module_format(f"{__name__}.{self._value}")  # imported by lambdify under its installed name
        return f"{fn}({', '.join(printer._print(a) for a in self.args)})"

    _mpmathcode = _pythoncode
    _numpycode = _pythoncode
    _lambdacode = _pythoncode

    def _eval_evalf(self, prec):
        args = [a.evalf(prec) for a in self.args]
        if all(a.is_Number for a in args):
            return type(self)(*args)
        return None


def _check_base(b) -> None:
    if not (b.is_Integer and b >= 2):
        raise ValueError(f"the base of a step logarithm must be an integer constant >= 2 (got {b})")


class ceil_log(_IntegerStep):
    """⌈log_b x⌉: the smallest integer k with b**k >= x (x > 0, integer base b >= 2)."""

    nargs = 2
    _value = "ceil_log_value"

    @classmethod
    def eval(cls, x, b):
        _check_base(b)
        if x.is_Number:
            if x <= 0:
                raise ValueError(f"ceil_log needs a positive argument (got {x})")
            return sp.Integer(_ceil_log_exact(_fraction(x), int(b)))
        return None

    def _latex(self, printer, exp=None):
        return with_power(rf"\left\lceil \log_{{{printer._print(self.args[1])}}} {printer._print(self.args[0])} \right\rceil", exp)


class floor_log(_IntegerStep):
    """⌊log_b x⌋: the largest integer k with b**k <= x (x > 0, integer base b >= 2)."""

    nargs = 2
    _value = "floor_log_value"

    @classmethod
    def eval(cls, x, b):
        _check_base(b)
        if x.is_Number:
            if x <= 0:
                raise ValueError(f"floor_log needs a positive argument (got {x})")
            return sp.Integer(_floor_log_exact(_fraction(x), int(b)))
        return None

    def _latex(self, printer, exp=None):
        return with_power(rf"\left\lfloor \log_{{{printer._print(self.args[1])}}} {printer._print(self.args[0])} \right\rfloor", exp)


class floor_div(_IntegerStep):
    """⌊a / q⌋ for integers a and q > 0."""

    nargs = 2
    _value = "floor_div_value"

    @classmethod
    def eval(cls, a, q):
        if a.is_Number and q.is_Number:
            return sp.Integer(math.floor(_fraction(a) / _fraction(q)))
        return None

    def _latex(self, printer, exp=None):
        return with_power(rf"\left\lfloor \frac{{{printer._print(self.args[0])}}}{{{printer._print(self.args[1])}}} \right\rfloor", exp)


def ceil_near_value(x):
    """⌈x⌉ after snapping x to an integer within 1e-11 (relative): for arguments that are integers in exact arithmetic."""
    if _scalar(x):
        exact = _exact_scalar(x)
        if exact is None:
            import mpmath

            return mpmath.ceil(mpmath.mpf(x))
        return math.ceil(exact)
    return np.ceil(snap_to_integer(np.asarray(x, dtype=float)))


class ceil_near(_IntegerStep):
    """⌈x⌉, with x first snapped to an integer it is within 1e-11 of (so ⌈(3/0.75)^1⌉ is 4, not 5)."""

    nargs = 1
    _value = "ceil_near_value"

    @classmethod
    def eval(cls, x):
        if x.is_Rational:
            return sp.ceiling(x)
        if x.is_Number:
            return sp.Integer(ceil_near_value(float(x)))
        return None

    def _latex(self, printer, exp=None):
        return with_power(rf"\left\lceil {printer._print(self.args[0])} \right\rceil", exp)


class exact_integer(_IntegerStep):
    """Marks an integer-valued expression: evaluated, it is snapped to the integer it equals.

    Its log is then ``math.log`` of that integer, the very number ``solve`` compares a
    target with, so inverting at a bound's own value lands on the step and not one ulp off.
    Symbolically it is the identity.
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_Number:
            return sp.Integer(round(x)) if x.is_Rational or abs(x - round(x)) < 1e-9 else x
        return None

    def _pythoncode(self, printer):
        return f"({printer._print(self.args[0])})"

    _mpmathcode = _pythoncode
    _numpycode = _pythoncode
    _lambdacode = _pythoncode

    def _latex(self, printer, exp=None):
        return with_power(printer._print(self.args[0]), exp)

    def _sympystr(self, printer):
        return printer._print(self.args[0])


# ----------------------------------------------------------------------------- log-space handlers
def _step_handler(ceil: bool):
    def handler(x: Signed, b: Signed) -> Signed:
        base = int(round(float(np.ravel(to_linear(b))[0])))  # the base is a constant (checked in eval)
        huge = x.log >= math.log(EXACT_LIMIT)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            xv = np.where(huge | (x.sign <= 0), 1.0, to_linear(x))
            exact = _vector_log(snap_to_integer(xv), base, ceil)
            ratio = x.log / math.log(base)  # past 2**52: the step of the float log
            approx = np.ceil(ratio) if ceil else np.floor(ratio)
        out = np.where(huge, approx, exact)
        return from_linear(np.where(x.sign > 0, out, np.nan))

    return handler


def _floor_div_handler(a: Signed, q: Signed) -> Signed:
    huge = a.log >= math.log(EXACT_LIMIT)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        exact = from_linear(floor_div_value(np.where(huge, 0.0, to_linear(a)), to_linear(q)))
        ratio = Signed(a.sign * q.sign, a.log - q.log)
    return Signed(np.where(huge, ratio.sign, exact.sign), np.where(huge, ratio.log, exact.log))


def _exact_integer_handler(x: Signed) -> Signed:
    small = (x.log < math.log(EXACT_LIMIT)) & (x.sign != 0)
    with np.errstate(invalid="ignore", over="ignore"):
        v = snap_to_integer(np.where(small, to_linear(x), 0.0))
    snapped = small & (v == np.round(v))
    if not snapped.any():
        return x
    # math.log (correctly rounded) of each distinct integer: numpy's log may differ by one ulp.
    values, where = np.unique(np.abs(v[snapped]), return_inverse=True)
    logs = np.array([math.log(u) if u > 0 else -math.inf for u in values])[where]
    log = np.array(x.log, dtype=float, copy=True)
    sign = np.array(x.sign, dtype=float, copy=True)
    log[snapped] = logs
    sign[snapped] = np.sign(v[snapped])
    return Signed(sign, log)


def _ceil_near_handler(x: Signed) -> Signed:
    small = x.log < math.log(EXACT_LIMIT)
    with np.errstate(invalid="ignore", over="ignore"):
        out = from_linear(ceil_near_value(np.where(small, to_linear(x), 0.0)))
    return Signed(np.where(small, out.sign, x.sign), np.where(small, out.log, x.log))


HANDLERS.setdefault(ceil_log, _step_handler(ceil=True))
HANDLERS.setdefault(floor_log, _step_handler(ceil=False))
HANDLERS.setdefault(floor_div, _floor_div_handler)
HANDLERS.setdefault(ceil_near, _ceil_near_handler)
HANDLERS.setdefault(exact_integer, _exact_integer_handler)

__all__ = ["ceil_log", "floor_log", "floor_div", "ceil_near", "exact_integer", "with_power", "ceil_near_value",
           "ceil_log_value", "floor_log_value", "floor_div_value"]
