"""A bound's numpy code as one compiled C loop that also checks the inputs and the values (ours).

numpy, and so ``sympy.lambdify``, makes one pass over the whole grid for every operation of an expression,
each writing a new array, and :meth:`.record.Bound.evaluate` adds a pass for each input's domain and one for
the values' range: on a 10^5-point grid the checks alone cost a fifth of lambdify's time.  This module prints
the steps of the numpy code (:func:`.blockcode.program_steps`: its operations, operands and order) as C that
runs over the grid in blocks of :data:`BLOCK` points.  Within a block each step that calls the C library
(``log``, ``exp``, ``pow``, ...) runs in a loop of its own, and the arithmetic between two such steps runs in
one loop that the compiler vectorises; the last loop also checks each point's inputs against their domains
and its value against the range where it stands as it is (:data:`.linear.SMALL` to :data:`.linear.BIG`, an
integer for an integer-valued bound; for the log code, a finite number).  A block's values stay in the L1
cache, so each input is read from memory once and each value written once.

**Same values.** ``+ - * /`` and ``sqrt`` are correctly rounded in C as in numpy (``-ffp-contract=off`` keeps
``a*b + c`` two roundings); the other functions are the C library's, which numpy calls too wherever it has no
vector code of its own for them: bit for bit on the AMD machine (``tests/test_loopcode.py`` holds every loop
to numpy's values, bit for bit where numpy's functions are the C library's, as there).  On a machine with
AVX-512, numpy's own ``exp``, ``log`` and ``pow`` differ from the C library's in the last bit at a few points
in a hundred; both are within an ulp of the exact value.

**Same flags.** numpy reads the processor's floating-point flags (overflow, underflow, division by zero,
invalid) after each operation, and the callers treat a grid with a flag raised as they must (log space for
the points that may have underflowed on the way).  The loop clears the flags, runs, and reads them, so it
reports what numpy would have: the C library raises them as numpy's calls of it do, and the compiler keeps
them honest (``-ftrapping-math``, its default).  The checks compare with ordinary operators, which raise
"invalid" for a NaN: harmless, because a NaN input is outside every domain (the loop reports that, and the
caller takes the general path) and a NaN value comes only from an operation that raised "invalid" itself.

The exact integer steps of :mod:`.steps` (``⌈log_b x⌉``, ``⌊log_b x⌋``, ``⌊a / q⌋``, ``⌈x⌉`` after snapping) are
printed as C that does what their numpy code does, step by step (the float log corrected against exact powers
of the base, numpy's ``floor_divide``), with the flags that code ignores ignored; past 2**52 in a base other
than 2, where that code turns to Python integers, the loop reports :data:`UNSUPPORTED` and the caller keeps
numpy.  Code with anything else (a log-space helper called from Python, a scipy special function) is not
printed: :func:`plain_loop` answers ``None`` and the caller keeps numpy.  The C code is compiled once per bound and
machine (:mod:`.native`, cached); without a C compiler, with a refused build, or with ``TBOUNDS_LOOPS=0``,
:meth:`Loop.run` answers ``None`` (and :attr:`Loop.reason` says why) and the caller keeps numpy.

>>> import numpy as np, sympy as sp
>>> from .linear import Evaluator
>>> N, d = sp.symbols("N d", positive=True)
>>> ev = Evaluator(sp.sqrt(N) * sp.log(d + 1), [N, d])
>>> loop = plain_loop(ev._array_function, [(0.0, math.inf, True, True, False)] * 2, False)
>>> print(loop.body.replace("(0x1.d0b15a491eb84p-931)", "SMALL").replace("(0x1.1a0fc668aac70p+930)", "BIG"))
for (int64_t i = 0; i < m; i++) {
    double t0_ = log1p(a1[i]); t0[i] = t0_;
}
for (int64_t i = 0; i < m; i++) {
    double t1 = sqrt(a0[i]);
    double t2 = t0[i] * t1;
    double v = t2;
    outside |= (int64_t)((!(a0[i] > (0x0.0p+0)) | !(a0[i] < INFINITY)) | (!(a1[i] > (0x0.0p+0)) | !(a1[i] < INFINITY)));
    o[i] = v;
    not_standing |= (int64_t)(!(v >= SMALL) | !(v <= BIG));
}
>>> x = np.linspace(1.0, 100.0, 5000)
>>> out = np.empty(5000)
>>> code = loop.run([x, x], out)
>>> code is None or (code == 0 and np.allclose(out, ev._array_function(x, x), rtol=1e-15, atol=0))  # (None: no compiler)
True
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np

from .blockcode import program_steps
from .native import BuildError, build_text

#: What :meth:`Loop.run` answers, as bits: an input outside its domain (the loop stopped), a value that does not
#: stand as it is (outside the range, NaN, not an integer), a floating-point flag raised on the way, a point the
#: loop does not compute as numpy's code would (an exact step past 2**52 in a base other than 2: the caller keeps
#: numpy for the grid).
OUTSIDE, NOT_STANDING, FLAGGED, UNSUPPORTED = 1, 2, 4, 8

#: -ffp-contract=off keeps ``a*b + c`` two roundings, as numpy computes it; -fno-math-errno lets ``sqrt`` be the
#: instruction (same value, same flags); the default -ftrapping-math keeps the flags the loop reports honest.
FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-shared", "-fPIC", "-std=c11"]

#: Points per block: each step runs over a block before the next, its buffers (a few KB) staying in the L1 cache.
BLOCK = 256


def _c_number(value: float) -> str:
    value = float(value)
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INFINITY" if value > 0 else "(-INFINITY)"
    return f"({value.hex()})"  # exact: a C99 hexadecimal float


#: numpy ufuncs by the C they are printed as; ``{0}``, ``{1}`` the operands.
_C = {
    np.add: "{0} + {1}", np.subtract: "{0} - {1}", np.multiply: "{0} * {1}", np.true_divide: "{0} / {1}",
    np.negative: "-{0}", np.positive: "{0}", np.square: "{0} * {0}", np.absolute: "fabs({0})",
    np.power: "pow({0}, {1})", np.maximum: "tb_max({0}, {1})", np.minimum: "tb_min({0}, {1})",
    **{getattr(np, name): name + "({0})" for name in
       ("sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "floor", "ceil")},
}

_PRELUDE = """#include <math.h>
#include <fenv.h>
#include <stdint.h>

/* numpy's maximum and minimum: NaN propagates from either side. */
static inline double tb_max(double a, double b) { return (a >= b || a != a) ? a : b; }
static inline double tb_min(double a, double b) { return (a <= b || a != a) ? a : b; }
/* x == floor(x) (infinities count, NaN does not) without floor, which the compiler does not vectorise while it
 * keeps the flags honest: below 2**52, adding and subtracting 2**52 rounds |x| to an integer (inexact, a flag
 * no caller reads). */
static inline int tb_integer(double x) {
    double t = fabs(x);
    return (t >= 0x1p52) | ((t + 0x1p52) - 0x1p52 == t);
}

/* The exact integer steps (tbounds.bounds.steps), as their numpy code computes them for an array.
 * snap_to_integer: within TB_SNAP (relative) of an integer, below 2**52, that integer (np.round: halves to even). */
static inline double tb_snap(double v) {
    double r = nearbyint(v);
    return ((fabs(v - r) <= TB_SNAP * fabs(v)) & (fabs(v) < 0x1p52)) ? r : v;
}
/* _vector_log: ceil (floor) of log_b x from the float log, corrected by one step either way against exact powers
 * of b; past 2**52 the exponent of x for b = 2, else *other is set (Python integers there: numpy answers). */
static inline double tb_step_log(double x, double b, double logb, int up, int64_t *other) {
    double guess = log(x) / logb;
    double k = up ? ceil(guess) : floor(guess);
    k = isfinite(k) ? k : NAN;
    int small = x < 0x1p52;
    for (int round = 0; round < 2; round++) {
        if (up) {
            double p = pow(b, k); k = (small & (p < x)) ? k + 1 : k;
            double q = pow(b, k - 1); k = (small & (q >= x)) ? k - 1 : k;
        } else {
            double p = pow(b, k); k = (small & (p > x)) ? k - 1 : k;
            double q = pow(b, k + 1); k = (small & (q <= x)) ? k + 1 : k;
        }
    }
    if (isfinite(x) && x >= 0x1p52) {
        if (b == 2.0) { int e; double m = frexp(x, &e); k = (m == 0.5 || !up) ? e - 1 : e; }
        else *other |= 1;
    }
    return x > 0 ? k : NAN;
}
/* numpy's floor_divide of two doubles (npy_floor_divide, npy_divmod).  Two integers below 2**53 take floor(a / b)
 * first: exact, as a/b is rounded by less than 1/|b|, its distance to an integer it is not (fmod, which the
 * general case needs, is the C library's slowest call here). */
static inline double tb_floor_divide(double a, double b) {
    if (tb_integer(a) & tb_integer(b) & (fabs(a) < 0x1p53) & (b != 0) & (fabs(b) < INFINITY)) return floor(a / b);
    if (!b) {
        double div = a / b;
        feraiseexcept((!a || isnan(a)) ? FE_INVALID : FE_DIVBYZERO);
        return div;
    }
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod) {
        if (isless(b, 0) != isless(mod, 0)) { mod += b; div -= 1.0; }
    }
    if (div) {
        double floordiv = floor(div);
        if (isgreater(div - floordiv, 0.5)) floordiv += 1.0;
        return floordiv;
    }
    return copysign(0.0, a / b);
}
"""


class _NotPrintable(Exception):
    """A step :func:`plain_loop` does not print as C (the caller keeps numpy)."""


def _inside(name: str, interval: tuple) -> str:
    """C that is 1 where ``name`` lies outside ``interval`` (as :func:`.onepass.all_inside` reads it; quiet)."""
    low, high, low_open, high_open, integer = interval
    parts = [f"!({name} {'>' if low_open else '>='} {_c_number(low)})", f"!({name} {'<' if high_open else '<='} {_c_number(high)})"]
    if integer:
        parts.append(f"!tb_integer({name})")
    return " | ".join(parts)


@dataclass
class Loop:
    """One bound's loop: :attr:`source` compiled on the first :meth:`run` (once per machine, then loaded)."""

    body: str
    arity: int
    source: str
    reason: str = ""
    _function: object = field(default=None, repr=False)
    _built: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def function(self) -> Optional[Callable]:
        """The compiled loop, or None (and :attr:`reason`) where it cannot be built."""
        if self._built:
            return self._function
        with self._lock:
            if not self._built:
                self._function, self.reason = _compiled(self.source, self.arity)
                self._built = True
        return self._function

    def run(self, arrays: Sequence[np.ndarray], out: np.ndarray) -> Optional[int]:
        """Values into ``out`` from ``arrays`` (C-contiguous float64, each of ``out``'s size); the bits of
        :data:`OUTSIDE`, :data:`NOT_STANDING`, :data:`FLAGGED` and :data:`UNSUPPORTED` that apply (0: every value
        stands as it is); or None where there is no compiled loop.  After :data:`OUTSIDE` or :data:`UNSUPPORTED`,
        ``out`` holds nothing to read."""
        fn = self.function()
        if fn is None:
            return None
        return fn(out.size, out.ctypes.data, *[a.ctypes.data for a in arrays])


_NO_COMPILER: list[str] = []  # (the first build that found no compiler: later loops do not try again)


def _compiled(source: str, arity: int) -> tuple[Optional[Callable], str]:
    if os.environ.get("TBOUNDS_LOOPS", "1").strip() == "0":
        return None, "switched off by TBOUNDS_LOOPS=0"
    if _NO_COMPILER:
        return None, _NO_COMPILER[0]
    import ctypes

    try:
        lib = build_text("loop", source, FLAGS)
    except BuildError as exc:
        return None, f"the compiled loop is unavailable: {exc}"
    except OSError as exc:  # no compiler, a cache folder that cannot be written
        _NO_COMPILER.append(f"the compiled loop is unavailable: {exc}")
        return None, _NO_COMPILER[0]
    fn = lib.tb_loop
    fn.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * (arity + 1)
    fn.restype = ctypes.c_int
    return fn, ""


def plain_loop(function: Callable, domains: Sequence[tuple], integer_valued: bool, log: bool = False) -> Optional[Loop]:
    """:class:`Loop` for ``function`` (the numpy code :class:`.linear.Evaluator` prints) with each input checked
    against its domain (``(low, high, low open, high open, integer)``, :attr:`.domain.Param.interval`) and each
    value against the range where it stands as it is (with ``log``, the code of a log: a finite value stands);
    None where the code has a step C does not print."""
    parsed = program_steps(function)
    if parsed is None or len(parsed[2]) != len(domains):
        return None
    steps, result, arguments, namespace = parsed
    try:
        lines = _lines(steps, result, arguments, namespace)
    except _NotPrintable:
        return None
    body, buffers = _staged(lines, domains, integer_valued, log)
    return Loop(body, len(arguments), _source(body, buffers, len(arguments)))


@dataclass
class _Line:
    """One step as C: ``dest = text``, reading the registers ``reads``; ``heavy`` where it calls the C library."""

    dest: str
    text: str
    reads: list
    heavy: bool
    quiet: bool = False  # (division by zero and invalid not reported: the numpy code ignores them there)


#: Steps that call the C library (or round, which the compiler does not vectorise while it keeps the flags honest):
#: each runs in a loop of its own, so that the arithmetic around it still runs four points to an instruction.
_HEAVY = {np.exp, np.exp2, np.expm1, np.log, np.log2, np.log10, np.log1p, np.cbrt, np.power, np.floor, np.ceil}


def _lines(steps: list, result: tuple, arguments: list[str], namespace: dict) -> list[_Line]:
    """The numpy code's steps as :class:`_Line`\\ s, in its order, the last one computing the value ``v``."""
    scope = {**namespace, "_np": np}
    inputs = {name: f"a{i}[i]" for i, name in enumerate(arguments)}

    def constant(text: str) -> str:
        try:
            value = eval(text, scope)  # (the same expression the numpy code evaluates, once)
        except Exception:
            raise _NotPrintable(text) from None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise _NotPrintable(text)
        try:
            return _c_number(float(value))
        except OverflowError:
            raise _NotPrintable(text) from None

    values: dict[str, str] = {}  # a step helper's value by the name the numpy code gives it

    def operand(o: tuple, reads: list) -> str:
        kind, ref = o
        if kind == "reg":
            reads.append(f"t{ref}")
            return f"t{ref}"
        if kind == "dyn":
            if ref in values:
                reads.append(values[ref])
                return values[ref]
            if ref not in inputs:
                raise _NotPrintable(ref)
            return inputs[ref]
        return constant(ref)

    def constant_value(o: tuple):
        if o[0] != "const":
            raise _NotPrintable(str(o))
        try:
            return eval(o[1], scope)
        except Exception:
            raise _NotPrintable(o[1]) from None

    lines = []
    for step in steps:
        if step.kind == "let":
            try:
                scope[step.dest] = eval(step.func, scope)
            except Exception:
                raise _NotPrintable(step.func) from None
            continue
        if step.kind == "call":
            lines.append(_step_line(step, scope, operand, constant_value))
            values[f"_v{step.dest}"] = lines[-1].dest
            continue
        if step.kind != "ufunc":
            raise _NotPrintable(step.func)
        try:
            ufunc = eval(step.func, scope)
        except Exception:
            raise _NotPrintable(step.func) from None
        template = _C.get(ufunc) if isinstance(ufunc, np.ufunc) else None
        if template is None:
            raise _NotPrintable(step.func)
        reads: list = []
        text = template.format(*[operand(o, reads) for o in step.operands])
        lines.append(_Line(f"t{step.dest}", text, reads, ufunc in _HEAVY))
    reads = []
    lines.append(_Line("v", operand(result, reads), reads, False))
    return lines


def _step_line(step, scope: dict, operand: Callable, constant_value: Callable) -> _Line:
    """A call of an exact integer step (:mod:`.steps`) as C that computes what its numpy code computes; any other
    call is not printed."""
    from . import steps

    try:
        helper = eval(step.func, scope)
    except Exception:
        raise _NotPrintable(step.func) from None
    dest, reads = f"c{step.dest}", []
    if helper in (steps.ceil_log_value, steps.floor_log_value) and len(step.operands) == 2:
        base = constant_value(step.operands[1])
        if not isinstance(base, (int, np.integer)) or isinstance(base, bool) or base < 2:
            raise _NotPrintable(step.func)
        up = int(helper is steps.ceil_log_value)
        x = operand(step.operands[0], reads)
        text = f"tb_step_log(tb_snap({x}), {_c_number(float(base))}, {_c_number(math.log(base))}, {up}, &unsupported)"
        return _Line(dest, text, reads, True, quiet=True)
    if helper is steps.floor_div_value and len(step.operands) == 2:
        a, q = (operand(o, reads) for o in step.operands)
        return _Line(dest, f"tb_floor_divide(tb_snap({a}), tb_snap({q}))", reads, True)
    if helper is steps.ceil_near_value and len(step.operands) == 1:
        return _Line(dest, f"ceil(tb_snap({operand(step.operands[0], reads)}))", reads, True)
    raise _NotPrintable(step.func)


def _staged(lines: list[_Line], domains: Sequence[tuple], integer_valued: bool, log: bool) -> tuple[str, list[str]]:
    """The statements for one block of ``m`` points, and the block buffers they use.

    Each heavy line is a loop of its own; the light lines between them share one loop, their values kept in
    locals; a value read in a later loop is kept in a block buffer.  The last loop also checks every input
    against its domain and every value against the range where it stands."""
    stages: list[list[_Line]] = []
    for line in lines:
        if line.heavy or not stages or stages[-1][-1].heavy:
            stages.append([line])
        else:
            stages[-1].append(line)
    stage_of = {line.dest: k for k, stage in enumerate(stages) for line in stage}
    # (in the order the values are defined: a set's order changes from process to process, and so would the
    # source, its cache key and so the compiled file)
    crossing = {r for k, stage in enumerate(stages) for line in stage for r in line.reads if stage_of[r] != k}
    buffered = [line.dest for line in lines if line.dest in crossing]
    outside = " | ".join(f"({_inside(f'a{i}[i]', d)})" for i, d in enumerate(domains)) or "0"
    small, big = _limits()
    standing = f"!(v >= {_c_number(small)}) | !(v <= {_c_number(big)})"
    if log:
        standing = "!(fabs(v) < INFINITY)"
    elif integer_valued:
        standing += " | !tb_integer(v)"
    out = []
    for k, stage in enumerate(stages):
        body = []
        for line in stage:
            reads = line.text
            for r in line.reads:
                if r in buffered and stage_of[r] != k:
                    reads = _replace_name(reads, r, f"{r}[i]")
            if line.dest == "v":
                body.append(f"double v = {reads};")
            elif line.dest in buffered:
                body.append(f"double {line.dest}_ = {reads}; {line.dest}[i] = {line.dest}_;")
                for later in stage[stage.index(line) + 1:]:  # (read in its own loop as the local)
                    later.text = _replace_name(later.text, line.dest, f"{line.dest}_")
            else:
                body.append(f"double {line.dest} = {reads};")
        if k == len(stages) - 1:
            body += [f"outside |= (int64_t)({outside});", "o[i] = v;", f"not_standing |= (int64_t)({standing});"]
        loop = "for (int64_t i = 0; i < m; i++) {\n    " + "\n    ".join(body) + "\n}"
        if any(line.quiet for line in stage):  # (what the loop raises of these two is dropped, the rest kept)
            loop = ("{\nfexcept_t saved;\nfegetexceptflag(&saved, FE_DIVBYZERO | FE_INVALID);\n" + loop +
                    "\nfesetexceptflag(&saved, FE_DIVBYZERO | FE_INVALID);\n}")
        out.append(loop)
    return "\n".join(out), buffered


def _replace_name(text: str, name: str, new: str) -> str:
    import re

    return re.sub(rf"\b{name}\b(?!\[)", new, text)


def _limits() -> tuple[float, float]:
    from .linear import BIG, SMALL

    return SMALL, BIG


def _source(body: str, buffers: list[str], arity: int) -> str:
    parameters = "".join(f", const double *restrict x{i}" for i in range(arity))
    blocks = " ".join(f"const double *restrict a{i} = x{i} + s;" for i in range(arity))
    declared = f"double {', '.join(f'{b}[{BLOCK}]' for b in buffers)};" if buffers else ""
    indent = "        "
    from .logspace import SNAP

    return _PRELUDE.replace("TB_SNAP", _c_number(SNAP)) + f"""
int tb_loop(int64_t n, double *restrict out{parameters}) {{
    int64_t outside = 0, not_standing = 0, unsupported = 0;
    {declared}
    feclearexcept(FE_ALL_EXCEPT);
    for (int64_t s = 0; s < n; s += {BLOCK}) {{
        int64_t m = s + {BLOCK} < n ? {BLOCK} : n - s;
        {blocks}
        double *restrict o = out + s;
{indent}{body.replace(chr(10), chr(10) + indent)}
        if (outside) {{ feclearexcept(FE_ALL_EXCEPT); return {OUTSIDE}; }}
    }}
    int flagged = fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    return (not_standing ? {NOT_STANDING} : 0) | (flagged ? {FLAGGED} : 0) | (unsupported ? {UNSUPPORTED} : 0);
}}
"""
