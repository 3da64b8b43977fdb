"""An accurate binomial coefficient for the log-space compiler: C(a, b) = 1 / ((a + 1) B(a - b + 1, b + 1)).

The generic handler takes ``gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)``,
which cancels to nothing at ``a = 1e300``; ``betaln`` keeps full precision there,
so "the longest sequence for a latent width of 1000" can be solved over the whole axis.

>>> import numpy as np, sympy as sp
>>> a = sp.Symbol("a", positive=True)
>>> binom(a + 8, 8).subs(a, 16)
735471
>>> from bounds.logspace import compile_signed_log, to_linear
>>> f = compile_signed_log(binom(a + 3, 3), [a])
>>> round(float(f(np.array(1e300)).log[()] / np.log(10)), 3)  # log10(1e900 / 6)
899.222
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import special

from .logspace import HANDLERS, Signed, to_linear


class binom(sp.Function):
    """C(a, b) for real a >= b >= 0 (a - b + 1 >= 1)."""

    nargs = 2
    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, a, b):
        if a.is_Integer and b.is_Integer:
            return sp.binomial(a, b)
        if a.is_Number and b.is_Number:
            return sp.gamma(a + 1) / (sp.gamma(b + 1) * sp.gamma(a - b + 1))
        return None

    def _mpmathcode(self, printer):
        return f"{printer._module_format('mpmath.binomial')}({printer._print(self.args[0])}, {printer._print(self.args[1])})"

    def _pythoncode(self, printer):
        return f"{printer._module_format('scipy.special.binom')}({printer._print(self.args[0])}, {printer._print(self.args[1])})"

    _numpycode = _pythoncode

    def _latex(self, printer):
        return rf"\binom{{{printer._print(self.args[0])}}}{{{printer._print(self.args[1])}}}"

    def _eval_evalf(self, prec):
        return sp.binomial(*self.args)._eval_evalf(prec)


def _binom_handler(a: Signed, b: Signed) -> Signed:
    av, bv = to_linear(a), to_linear(b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log = -np.log1p(av) - special.betaln(av - bv + 1, bv + 1)
    return Signed(np.ones_like(log), log)


HANDLERS.setdefault(binom, _binom_handler)

__all__ = ["binom"]
