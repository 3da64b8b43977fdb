"""An accurate binomial coefficient for the log-space compiler: binom_sum(a, b) = C(a + b, b).

Sumformer's latent dimension counts monomials: C(n + d, d) of degree at most n in d variables.
C(a + b, b) = 1 / ((a + b + 1) B(a + 1, b + 1)).  The generic handler takes
``gammaln(a + b + 1) - gammaln(b + 1) - gammaln(a + 1)``, which cancels to
nothing at ``a = 1e300``, and ``C(n + d, d)`` written with ``n + d`` loses ``n``
entirely when ``d = 1e300``.  Keeping the two parts apart and using ``betaln``
keeps full precision on the whole axis, so "the longest sequence (or the largest
token dimension) for a latent width of 1000" can be solved.

>>> import numpy as np, sympy as sp
>>> a, b = sp.symbols("a b", positive=True)
>>> binom_sum(a, 8).subs(a, 16)
735471
>>> from tbounds.bounds.logspace import compile_signed_log, to_linear
>>> f = compile_signed_log(binom_sum(a, b), [a, b])
>>> round(float(f(np.array(1e300), np.array(3.0)).log[()] / np.log(10)), 3)  # log10(1e900 / 6)
899.222
>>> round(float(f(np.array(8.0), np.array(1e300)).log[()] / np.log(10)), 3)  # C(1e300 + 8, 8) = C(1e300 + 8, 1e300)
2395.394
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import special

from ..logspace import HANDLERS, Signed, snap_to_integer, to_linear
from ..steps import with_power


class binom_sum(sp.Function):
    """C(a + b, b) for real a, b >= 0."""

    nargs = 2
    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, a, b):
        if a.is_Integer and b.is_Integer:
            return sp.binomial(a + b, b)
        if a.is_Number and b.is_Number:
            return sp.gamma(a + b + 1) / (sp.gamma(b + 1) * sp.gamma(a + 1))
        return None

    def _mpmathcode(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return f"{printer._module_format('mpmath.binomial')}(({a}) + ({b}), {b})"

    def _pythoncode(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return f"{printer._module_format('scipy.special.binom')}(({a}) + ({b}), {b})"

    _numpycode = _pythoncode

    def _latex(self, printer, exp=None):
        a, b = self.args
        return with_power(rf"\binom{{{printer._print(a + b)}}}{{{printer._print(b)}}}", exp)

    def _eval_evalf(self, prec):
        a, b = self.args
        return sp.binomial(a + b, b)._eval_evalf(prec)


_STIRLING = 1e5  # both arguments this large: Stirling's series, exact to float precision (betaln NaNs near 1e308)


def _stirling_log_binom(a, b):
    """``log C(a + b, b)`` for large ``a, b`` without cancellation: ``a log1p(b/a) + b log1p(a/b)``
    ``+ (1/2) log((a + b) / (2 pi a b))`` plus the ``1/(12x)`` terms of Stirling's series (error ``< 1e-16``).

    >>> round(float(_stirling_log_binom(np.float64(1e5), np.float64(2e5))), 6) == round(
    ...     math.lgamma(3e5 + 1) - math.lgamma(1e5 + 1) - math.lgamma(2e5 + 1), 6)
    True
    """
    a, b = np.maximum(a, 1.0), np.maximum(b, 1.0)
    s = a + b
    return (a * np.log1p(b / a) + b * np.log1p(a / b)
            + 0.5 * (np.log(s) - np.log(2 * np.pi) - np.log(a) - np.log(b))
            + (1 / s - 1 / a - 1 / b) / 12)


def _binom_handler(a: Signed, b: Signed) -> Signed:
    av, bv = to_linear(a), to_linear(b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log = -np.log(av + bv + 1) - special.betaln(av + 1, bv + 1)
        log = np.where(np.minimum(av, bv) >= _STIRLING, _stirling_log_binom(av, bv), log)
    # betaln is good to ~1e-11 only: where the value is an integer below 2**52, take the exact count.
    ai, bi = snap_to_integer(np.broadcast_to(av, log.shape)), snap_to_integer(np.broadcast_to(bv, log.shape))
    exact = (ai == np.round(ai)) & (bi == np.round(bi)) & (ai >= 0) & (bi >= 0) & (log < 36.0)
    if exact.any():
        # One complex key per pair: a 1-d unique sorts far faster than unique(axis=0) on rows.
        keys, where = np.unique(ai[exact] + 1j * bi[exact], return_inverse=True)
        logs = np.array([math.log(math.comb(int(k.real) + int(k.imag), int(k.imag))) for k in keys])
        log = np.array(log, dtype=float, copy=True)
        log[exact] = logs[np.ravel(where)]
    return Signed(np.ones_like(log), log)


HANDLERS.setdefault(binom_sum, _binom_handler)

__all__ = ["binom_sum"]
