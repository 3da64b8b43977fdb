"""Whole-array tests that read each value once: every value in an interval (and an integer), every pair in a relation.

Evaluating a bound on a grid checks each input against its domain, each checkable assumption, and whether
every value came out an ordinary number.  numpy spends a pass on the minimum, another on the maximum, three
more on integrality (floor, compare, all) and three on a relation ``a <= 2*b`` (product, compare, all): on a
10^5-point grid that is 17 µs per real input and 53 µs per integer input, a sixth to a half of what
``sympy.lambdify`` takes for a one-parameter depth bound.  ``kernels/onepass.c`` answers each test in one
vectorised pass (9 and 15 µs).

The C code is compiled once per machine (:mod:`.native`) on the first array of :data:`KERNEL_FROM` values or
more; without a C compiler, or with ``TBOUNDS_ONEPASS=0``, the numpy code below answers (:func:`status` says
which).  Both give the same answer on every input; ``tests/test_onepass.py`` holds them to it, NaN, infinities,
signed zeros, subnormals and integers past 2**53 included.

>>> import numpy as np
>>> x = np.arange(1.0, 10001.0)
>>> all_inside(x, 1.0, math.inf, False, True, True), all_inside(x + 0.5, 1.0, math.inf, False, True, True)
(True, False)
>>> all_inside(np.append(x, np.nan), -math.inf, math.inf, True, True, False)  # NaN lies in no interval
False
>>> all_related_numpy("<=", (1.0, x, None), (2.0, x, None)), all_related_numpy("<", (1.0, x, None), (1.0, x, None))
(True, False)
>>> all_related("<", (1.0, x, None), (1.0, x, None)) in (False, None)  # (None: no kernel here, the caller asks numpy)
True
"""

from __future__ import annotations

import math  # noqa: F401  (the examples above use it)
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from .native import Kernel

#: Arrays shorter than this are tested by numpy.  Measured on this machine: the call into C costs about 1.9 us, so the
#: two break even for a real input at about 256 values (1.9 us each) and the kernel wins 2 to 1 for an integer
#: input from 512 (1.8 against 3.5 us); solve's 201-point grids never build the kernel (0.3 s, once per machine).
KERNEL_FROM = 1024
_SOURCE = Path(__file__).with_name("kernels") / "onepass.c"
# -fno-trapping-math lets floor vectorise (no answer reads the floating-point flags); -ffp-contract=off keeps a*b
# one rounded product, as numpy computes it.
_FLAGS = ["-O3", "-march=native", "-fno-trapping-math", "-ffp-contract=off", "-shared", "-fPIC", "-std=c11"]

#: A side of a relation: ``(c, x, y)`` is the constant ``c`` (x and y None), ``c * x`` (y None) or ``x * y`` (c 1).
Side = tuple


def _declare(lib) -> None:
    import ctypes  # (here: a one-point command never loads it)

    i64, f64, ptr, i32 = ctypes.c_int64, ctypes.c_double, ctypes.c_void_p, ctypes.c_int
    lib.interval_all.argtypes = [ptr, i64, f64, f64, i32, i32, i32]
    lib.relation_all.argtypes = [i64, i32, i32, f64, ptr, ptr, i32, f64, ptr, ptr]
    lib.interval_all.restype = lib.relation_all.restype = i32


KERNEL = Kernel("the one-pass kernel", _SOURCE, _FLAGS, "TBOUNDS_ONEPASS", _declare)


def _lib():
    return KERNEL.lib()


def status() -> str:
    """One line: whether the compiled kernel answers the tests of large arrays, or why numpy does."""
    return "compiled one-pass checks" if _lib() is not None else f"numpy checks ({KERNEL.reason})"


def _kernel_reads(x: np.ndarray) -> bool:
    """Whether the kernel reads ``x`` as it is: contiguous float64 of :data:`KERNEL_FROM` values or more."""
    return x.dtype == np.float64 and x.size >= KERNEL_FROM and x.flags.c_contiguous


def all_inside(x: np.ndarray, low: float, high: float, low_open: bool, high_open: bool, integer: bool) -> bool:
    """Every value of ``x`` in the interval from ``low`` to ``high`` (each end open or closed) and, with
    ``integer``, an integer; NaN lies in none, and an infinite value only in an interval closed at that end."""
    answer = kernel_inside(x, low, high, low_open, high_open, integer) if _kernel_reads(x) else None
    return all_inside_numpy(x, low, high, low_open, high_open, integer) if answer is None else answer


def kernel_inside(x: np.ndarray, low: float, high: float, low_open: bool, high_open: bool, integer: bool) -> Optional[bool]:
    """:func:`all_inside` answered by the kernel alone, for an array the caller knows it reads as it is (contiguous
    float64 of :data:`KERNEL_FROM` values or more: the caller's fast path tests that once for all its arrays);
    None where there is no kernel."""
    lib = _lib()
    return None if lib is None else bool(lib.interval_all(x.ctypes.data, x.size, low, high, low_open, high_open, integer))


def all_inside_numpy(x: np.ndarray, low: float, high: float, low_open: bool, high_open: bool, integer: bool) -> bool:
    """:func:`all_inside` in numpy: the reference the kernel must equal, and the answer where there is none."""
    if x.size == 0:
        return True
    a, b = x.min(), x.max()  # (a NaN makes both NaN, and NaN fails every comparison)
    if not (((a > low) if low_open else (a >= low)) and ((b < high) if high_open else (b <= high))):
        return False
    return not integer or bool((x == np.floor(x)).all())


def all_related(op: str, left: Side, right: Side) -> Optional[bool]:
    """Every point has ``left op right`` (``op`` one of ``<=``, ``<``, ``>=``, ``>``), each side a :data:`Side`;
    None where the kernel cannot answer (no kernel; arrays small, unlike in shape or not contiguous float64):
    the caller then evaluates the relation itself.  A single value is folded into its side's constant (one
    product, rounded once, as numpy rounds it)."""
    if any(a is not None and 1 < a.size < KERNEL_FROM for a in (*left[1:], *right[1:])):
        return None  # a small grid: numpy at once (before the folding below, which could not help)
    if op in (">=", ">"):
        op, left, right = ("<=" if op == ">=" else "<"), right, left
    left, right = _folded(left), _folded(right)
    arrays = [a for a in (*left[1:], *right[1:]) if a is not None]
    if not arrays:
        return bool(left[0] < right[0]) if op == "<" else bool(left[0] <= right[0])
    if not all(_kernel_reads(a) for a in arrays) or len({a.shape for a in arrays}) != 1:
        return None
    lib = _lib()
    if lib is None:
        return None
    return bool(lib.relation_all(arrays[0].size, op == "<", *_side(left), *_side(right)))


def all_related_numpy(op: str, left: Side, right: Side) -> bool:
    """:func:`all_related` in numpy (the reference the kernel must equal)."""
    with np.errstate(over="ignore", invalid="ignore"):
        lhs, rhs = _value(left), _value(right)
        ok = {"<=": np.less_equal, "<": np.less, ">=": np.greater_equal, ">": np.greater}[op](lhs, rhs)
    return bool(np.all(ok))


def _side(side: Side) -> tuple:
    c, x, y = side
    kind = 0 if x is None else 1 if y is None else 2
    return kind, float(c), None if x is None else x.ctypes.data, None if y is None else y.ctypes.data


def _folded(side: Side) -> Side:
    """``side`` with its single values (size-1 arrays) multiplied into its constant: still one rounded product."""
    c, x, y = float(side[0]), side[1], side[2]
    if y is not None and y.size == 1:  # x * y (c is 1): c * x with c = y
        c, y = c * float(y.flat[0]), None
    if x is not None and x.size == 1:
        c, x, y = (c * float(x.flat[0]), None, None) if y is None else (c * float(x.flat[0]), y, None)
    return c, x, y


def _value(side: Side):
    c, x, y = side
    return c if x is None else c * x if y is None else x * y


def relation_test(relation, symbols) -> Optional[Callable[[Sequence[np.ndarray]], Optional[bool]]]:
    """``arrays -> all_related(...)`` for a sympy relation between two sides the kernel computes as numpy does
    (an integer below 2**53, a symbol, an integer times a symbol, a product of two symbols, a symbol squared),
    over the arrays of ``symbols`` in order; None for any other relation (numpy evaluates it).

    >>> import sympy as sp
    >>> d, r = sp.symbols("delta r", positive=True)
    >>> test = relation_test(d <= 2 * r, [d, r])
    >>> holds, fails = [np.full(5000, 1.0), np.full(5000, 0.5)], [np.full(5000, 1.5), np.full(5000, 0.5)]
    >>> test(holds) in (True, None), test(fails) in (False, None)  # (None without the kernel: numpy decides)
    (True, True)
    >>> relation_test(d <= sp.log(r), [d, r]) is None
    True
    """
    import sympy as sp

    ops = {sp.LessThan: "<=", sp.StrictLessThan: "<", sp.GreaterThan: ">=", sp.StrictGreaterThan: ">"}
    op = ops.get(type(relation))
    index = {s: i for i, s in enumerate(symbols)}
    sides = [_side_of(e, index) for e in relation.args] if op else [None]
    if any(s is None for s in sides):
        return None
    (lc, li, lj), (rc, ri, rj) = sides

    def test(arrays: Sequence[np.ndarray]) -> Optional[bool]:
        def side(c, i, j):
            return c, None if i is None else arrays[i], None if j is None else arrays[j]

        return all_related(op, side(lc, li, lj), side(rc, ri, rj))

    return test


def _side_of(e, index: dict) -> Optional[tuple]:
    """``(c, i, j)``: the constant ``c``, ``c * x_i`` or ``x_i * x_j``, for a side :func:`relation_test` takes."""
    import sympy as sp

    def integer(v):
        return isinstance(v, sp.Integer) and abs(int(v)) < 2 ** 53

    if integer(e):
        return float(e), None, None
    if e in index:
        return 1.0, index[e], None
    if isinstance(e, sp.Pow) and e.base in index and e.exp == 2:
        return 1.0, index[e.base], index[e.base]
    if isinstance(e, sp.Mul) and len(e.args) == 2:
        a, b = e.args
        if integer(a) and b in index:
            return float(a), index[b], None
        if a in index and b in index:
            return 1.0, index[a], index[b]
    return None
