"""Compile a sympy expression into a vectorised evaluator that works in log space.

Each node of the expression is evaluated as a pair ``(sign, log|value|)`` of numpy
arrays, so products of huge powers never overflow: ``N**5`` at ``N = 1e300`` is
just ``5 * log(N)``.  Sums use a signed log-sum-exp, ``log`` of a value is read
off its log directly, and the result is returned as the natural log of the
value together with its sign.

>>> import sympy as sp
>>> N = sp.Symbol("N", positive=True)
>>> f = compile_signed_log(sp.sqrt(N**5 + N), [N])
>>> sign, logabs = f(np.array([1e300]))
>>> float(sign[0]), round(float(logabs[0] / np.log(10)), 6)
(1.0, 750.0)

Functions without a handler are refused when the bound is built, not at run
time; :data:`HANDLERS` is the place to add one.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p


class _LazySpecial:
    """``scipy.special``, imported on first use (0.3 s that a bound without special functions never needs)."""

    def __getattr__(self, name):
        from scipy import special as module

        return getattr(module, name)


special = _LazySpecial()


class Signed(NamedTuple):
    """A value stored as ``sign * exp(log)``; zero is ``(0, -inf)``."""

    sign: np.ndarray
    log: np.ndarray


def from_linear(x) -> Signed:
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return Signed(np.sign(x), np.log(np.abs(x)))


def to_linear(v: Signed) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return v.sign * np.exp(v.log)


def logsumexp(x: np.ndarray, axis: int = -1, overwrite: bool = False) -> np.ndarray:
    """``log(sum(exp(x)))`` along ``axis`` without overflow; ``-inf`` where every term is ``-inf``.

    ``overwrite``: use the float array ``x`` as scratch (no temporary the size of ``x``: the quadrature's hot loop).
    """
    top = np.max(x, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    shifted = np.subtract(x, safe, out=x if overwrite else None)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(shifted, out=shifted), axis=axis, keepdims=True)) + safe
    out = np.where(np.isneginf(top), -np.inf, out)
    return np.squeeze(out, axis=axis)


def _positive(sign) -> bool:
    sign = np.asarray(sign)
    return sign.size > 0 and bool(sign.min() > 0)  # (a NaN fails)


def _add(terms: Sequence[Signed]) -> Signed:
    if len(terms) > 1 and all(_positive(t.sign) for t in terms):
        # Every term positive (the usual case): a chain of np.logaddexp, one pass per term instead of
        # the signed sum's stack, max, exp, sum and log (and no less exact: max + log1p(exp(-|a - b|))).
        logs = np.broadcast_arrays(*[t.log for t in terms])
        log = logs[0]
        with np.errstate(invalid="ignore"):  # logaddexp(inf, inf) is inf, with a warning
            for other in logs[1:]:
                log = np.logaddexp(log, other)
        return Signed(np.where(np.isneginf(log), 0.0, 1.0), log)
    logs = np.broadcast_arrays(*[t.log for t in terms])
    signs = np.broadcast_arrays(*[t.sign for t in terms])
    logs = np.stack([np.where(s == 0, -np.inf, lg) for s, lg in zip(signs, logs)])
    signs = np.stack(signs)
    top = np.max(logs, axis=0)
    safe_top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.sum(signs * np.exp(logs - safe_top), axis=0)
        # Terms that are all +inf in log space: the sum is +/-inf as well.
        scaled = np.where(np.isposinf(top), np.sum(signs * (logs == top), axis=0), scaled)
    with np.errstate(divide="ignore"):
        log = np.where(np.isposinf(top), np.inf, safe_top + np.log(np.abs(scaled)))
    log = np.where(np.isneginf(top), -np.inf, log)
    return Signed(np.where(np.isneginf(top), 0.0, np.sign(scaled)), log)


def _mul(factors: Sequence[Signed]) -> Signed:
    sign = np.prod(np.broadcast_arrays(*[f.sign for f in factors]), axis=0)
    with np.errstate(invalid="ignore"):
        log = np.sum(np.broadcast_arrays(*[f.log for f in factors]), axis=0)
    return Signed(sign, np.where(sign == 0, -np.inf, log))


def _pow_const(base: Signed, exponent: float) -> Signed:
    with np.errstate(invalid="ignore", over="ignore"):
        log = exponent * base.log
    if float(exponent).is_integer():
        sign = np.where(base.sign < 0, (-1.0) ** int(exponent), base.sign)
    else:
        sign = np.where(base.sign > 0, 1.0, np.where(base.sign == 0, 0.0, np.nan))
    if exponent < 0:
        sign = np.where(base.sign == 0, 1.0, sign)  # 1/0 -> +inf
    return Signed(sign, log)


def _pow(base: Signed, exponent: Signed) -> Signed:
    e = to_linear(exponent)
    with np.errstate(invalid="ignore", over="ignore"):
        log = e * base.log
    sign = np.where(base.sign > 0, 1.0, np.where((base.sign == 0) & (e > 0), 0.0, np.nan))
    return Signed(sign, log)


def _log(x: Signed) -> Signed:
    value = np.where(x.sign > 0, x.log, np.nan)
    return from_linear(value)


def _exp(x: Signed) -> Signed:
    return Signed(np.ones_like(x.sign), to_linear(x))


def _greater(a: Signed, b: Signed) -> np.ndarray:
    return (a.sign > b.sign) | (
        (a.sign == b.sign) & (((a.sign > 0) & (a.log > b.log)) | ((a.sign < 0) & (a.log < b.log)))
    )


def _max(args: Sequence[Signed]) -> Signed:
    best = args[0]
    for other in args[1:]:
        pick = _greater(other, best)
        best = Signed(np.where(pick, other.sign, best.sign), np.where(pick, other.log, best.log))
    return best


def _min(args: Sequence[Signed]) -> Signed:
    best = args[0]
    for other in args[1:]:
        pick = _greater(best, other)
        best = Signed(np.where(pick, other.sign, best.sign), np.where(pick, other.log, best.log))
    return best


EXACT_LIMIT = 2.0 ** 52  # beyond this every float is an integer
SNAP = 1e-11  # relative distance within which a value read back from log space is taken as an integer


def snap_to_integer(v: np.ndarray) -> np.ndarray:
    """Values within ``SNAP`` (relative) of an integer become that integer.

    A value read back from log space is ``exp(log x)``, which is ``x`` only up to
    rounding: ``ceil`` of ``100.00000000000001`` would be 101.

    >>> snap_to_integer(np.array([100.00000000000001, 2.5, 1e-13]))
    array([1.0e+02, 2.5e+00, 1.0e-13])
    """
    r = np.round(v)
    # Relative only: ceil(1e-13) is 1, not 0.
    near = (np.abs(v - r) <= SNAP * np.abs(v)) & (np.abs(v) < EXACT_LIMIT)
    return np.where(near, r, v)


def _rounding(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Signed], Signed]:
    def apply(x: Signed) -> Signed:
        # Beyond 2**52 every float is already an integer: keep the log as it is.
        small = x.log < np.log(EXACT_LIMIT)
        with np.errstate(over="ignore", invalid="ignore"):
            rounded = from_linear(fn(snap_to_integer(np.where(small, to_linear(x), 0.0))))
        return Signed(np.where(small, rounded.sign, x.sign), np.where(small, rounded.log, x.log))

    return apply


def _binomial(a: Signed, b: Signed) -> Signed:
    av, bv = to_linear(a), to_linear(b)
    log = special.gammaln(av + 1) - special.gammaln(bv + 1) - special.gammaln(av - bv + 1)
    return Signed(np.ones_like(log), log)


def _factorial(a: Signed) -> Signed:
    log = special.gammaln(to_linear(a) + 1)
    return Signed(np.ones_like(log), log)


def _gamma(a: Signed) -> Signed:
    av = to_linear(a)
    return Signed(special.gammasgn(av), special.gammaln(av))


def _lowergamma(a: Signed, x: Signed) -> Signed:
    av, xv = to_linear(a), to_linear(x)
    with np.errstate(divide="ignore"):
        log = np.log(special.gammainc(av, xv)) + special.gammaln(av)
    return Signed(np.sign(xv), log)


def _uppergamma(a: Signed, x: Signed) -> Signed:
    av, xv = to_linear(a), to_linear(x)
    with np.errstate(divide="ignore"):
        log = np.log(special.gammaincc(av, xv)) + special.gammaln(av)
    return Signed(np.ones_like(log), log)


def _erfc(x: Signed) -> Signed:
    # erfc(x) = erfcx(x) exp(-x^2) keeps the far tail (x >> 1) in log space instead of underflowing.
    xv = to_linear(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log = np.where(xv > 0, np.log(special.erfcx(np.maximum(xv, 0.0))) - np.maximum(xv, 0.0) ** 2,
                       np.log(special.erfc(np.minimum(xv, 0.0))))
    return Signed(np.ones_like(log), log)


def _log1p(x: Signed) -> Signed:
    # log(1 + x) keeps its precision for tiny x, and is log x + log1p(1/x) for huge x.
    big = x.log > 30
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.where(big, x.log + np.log1p(np.exp(-np.where(big, x.log, 0.0))),
                         np.log1p(np.where(big, 0.0, to_linear(x))))
    return from_linear(value)


def _expm1(x: Signed) -> Signed:
    # exp(x) - 1 keeps full relative precision for tiny x (1 - exp(-s^2) = -expm1(-s^2) at small s).
    xv = to_linear(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = np.expm1(np.minimum(xv, 700.0))
        log = np.where(xv > 700.0, xv, np.log(np.abs(value)))
    return Signed(np.where(xv > 700.0, 1.0, np.sign(value)), log)


def _abs(x: Signed) -> Signed:
    return Signed(np.abs(x.sign), x.log)


#: sympy function class -> handler taking the arguments' Signed values.
HANDLERS: dict[type, Callable[..., Signed]] = {
    sp.log: _log,
    sp.exp: _exp,
    sp.Max: lambda *a: _max(a),
    sp.Min: lambda *a: _min(a),
    sp.ceiling: _rounding(np.ceil),
    sp.floor: _rounding(np.floor),
    sp.binomial: _binomial,
    sp.factorial: _factorial,
    sp.gamma: _gamma,
    sp.lowergamma: _lowergamma,
    sp.uppergamma: _uppergamma,
    sp.Abs: _abs,
    sp.erfc: _erfc,
    log1p: _log1p,
    expm1: _expm1,
}


def _compile(expr: sp.Expr, index: dict[sp.Symbol, int]) -> Callable[[Sequence[Signed]], Signed]:
    if isinstance(expr, sp.Symbol):
        if expr not in index:
            raise ValueError(f"symbol {expr} is not a declared parameter")
        i = index[expr]
        return lambda env: env[i]
    if expr.is_number:
        value = sp.N(expr, 30)
        if not value.is_real:
            raise ValueError(f"constant {expr} is not real")
        sign = float(sp.sign(value))
        log = float(sp.log(sp.Abs(value)).evalf(30)) if sign != 0 else -np.inf
        const = Signed(np.array(sign), np.array(log))
        return lambda env: const
    if isinstance(expr, sp.Add):
        parts = [_compile(a, index) for a in expr.args]
        return lambda env: _add([p(env) for p in parts])
    if isinstance(expr, sp.Mul):
        parts = [_compile(a, index) for a in expr.args]
        return lambda env: _mul([p(env) for p in parts])
    if isinstance(expr, sp.Pow):
        base = _compile(expr.base, index)
        if expr.exp.is_number:
            e = float(expr.exp)
            return lambda env: _pow_const(base(env), e)
        exponent = _compile(expr.exp, index)
        return lambda env: _pow(base(env), exponent(env))
    for cls, handler in HANDLERS.items():
        if isinstance(expr, cls):
            parts = [_compile(a, index) for a in expr.args]
            return lambda env, h=handler: h(*[p(env) for p in parts])
    raise NotImplementedError(f"no log-space handler for {type(expr).__name__} in {expr}")


def check_supported(expr: sp.Expr) -> None:
    """Refuse, without compiling, an expression using a function that has no log-space handler.

    >>> check_supported(sp.gamma(sp.Symbol("x")) + 1)
    >>> check_supported(sp.sin(sp.Symbol("x")))
    Traceback (most recent call last):
    ...
    NotImplementedError: no log-space handler for sin in sin(x)
    """
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Symbol, sp.Add, sp.Mul, sp.Pow)) or node.is_number:
            continue
        if isinstance(node, sp.Function) and not any(isinstance(node, cls) for cls in HANDLERS):
            raise NotImplementedError(f"no log-space handler for {type(node).__name__} in {node}")


def compile_signed_log(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Callable[..., Signed]:
    """Return ``f(*arrays) -> Signed`` evaluating ``expr`` at broadcast arrays."""
    index = {s: i for i, s in enumerate(symbols)}
    root = _compile(expr, index)

    def evaluate(*values) -> Signed:
        env = [from_linear(v) for v in values]
        out = root(env)
        shape = np.broadcast_shapes(*[np.shape(v) for v in values]) if values else ()
        return Signed(np.broadcast_to(out.sign, shape).astype(float), np.broadcast_to(out.log, shape).astype(float))

    return evaluate
