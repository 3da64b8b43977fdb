"""numpy code for an expression with fewer passes over the arrays than ``sympy.lambdify`` prints (ours).

``sympy.lambdify`` prints every power as ``x**e``: numpy's ``pow`` (one slow pass per factor) even for
``x**(-1.0)`` or ``x**(1/3)``, and ``sqrt(N)*sqrt(n)`` as two square roots.  The printers here

* group the factors of a product by the root their exponents share (``N**(1/2) n**(1/2) L**(-1/2)`` is
  one ``sqrt(N*n/L)``), where that is exact: every base known non-negative, or, under an even root,
  at most one base of unknown sign (``sqrt`` of a negative product is NaN as either way);
* print small integer powers as products (``x*x``, ``square(square(x))``), negative ones as a division,
  and the roots as ``sqrt``/``cbrt`` (``cbrt`` only of bases known non-negative: numpy's ``pow`` of a
  negative base is NaN, ``cbrt`` is not);
* print :class:`LogOf` (the natural log of an expression, for :meth:`Evaluator.__call__`) without taking
  the value first where a product, a power or ``exp`` makes that cheaper: ``log(sqrt(N))`` is
  ``0.5*log(N)``, ``log(2**(d/4))`` is ``d/4*log(2)``.

NaN, ``inf`` and ``0`` stay what they were (a negative base under a root is NaN, an overflow ``inf``),
so the callers' checks and log-space rescue see the same points; values differ from lambdify's by
rounding only.

>>> import sympy as sp
>>> N, n = sp.symbols("N n", positive=True)
>>> L = sp.Symbol("L", real=True)
>>> print(numpy_source(sp.sqrt(N) * sp.sqrt(n) / sp.sqrt(L) + N ** -1 + N ** sp.Rational(4, 3)))
inplace(numpy.cbrt, integer_power(N, 4)) + 1/N + inplace(numpy.sqrt, N*n/L)
>>> print(numpy_source(LogOf(3 * sp.sqrt(N * n))))
1.0986122886681098 + 0.5*inplace(numpy.log, N*n)
>>> print(numpy_source(LogOf(2 ** (n / 4))))
0.17328679513998632*n
"""

from __future__ import annotations

import math

import sympy as sp
from sympy.codegen.cfunctions import exp2, expm1, log1p, log2, log10
from sympy.printing.numpy import NumPyPrinter, SciPyPrinter

#: Integer powers up to this are printed as products of squares; larger ones as ``x**p``.
SMALL_POWER = 8


class LogOf(sp.Function):
    """``log(x)``, kept unevaluated so that the printers below choose how to compute it (ours)."""

    nargs = 1


def _known_nonnegative(base: sp.Expr) -> bool:
    return bool(base.is_nonnegative)


#: Functions printed as numpy (or scipy) ufuncs that can write over their argument.
_UFUNCS = {"log", "exp", "exp2", "log1p", "expm1", "log2", "log10", "ceil", "floor", "erfc", "sqrt", "cbrt", "square"}


def _fresh(expr: sp.Expr) -> bool:
    """Whether the printed ``expr`` evaluates to a new array that nothing else holds (arithmetic, ufuncs, Max/Min):
    then a function of it may write over it.  A symbol, a shared subexpression or a helper's result may not."""
    if expr.is_Atom:
        return False
    if expr.is_Add or expr.is_Mul or expr.is_Pow:
        return True
    return isinstance(expr, (sp.log, sp.exp, sp.Max, sp.Min, sp.ceiling, sp.floor, sp.erfc, log1p, expm1, exp2, log2,
                             log10, LogOf))


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


#: Continuous functions whose arguments may be regrouped (an ulp in, an ulp out).
_CONTINUOUS = (sp.log, sp.exp, sp.Max, sp.Min, sp.erfc, sp.Abs, log1p, expm1, exp2, log2, log10, LogOf)


class _FewerPasses:
    """Printer methods shared by the numpy and the scipy printers."""

    def _np(self, name: str) -> str:
        return self._module_format(f"numpy.{name}")

    _exact = 0  # > 0 inside a step function: printed as lambdify and math print it

    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Function) and not isinstance(expr, _CONTINUOUS):
            # A step (ceiling, floor, the exact integer steps) moves by one where its argument moves by an ulp:
            # its argument is computed as the single-point (math) path and lambdify compute it, so that solve()
            # sees one function on both paths.  So are the arguments of any function we do not know.
            self._exact += 1
            try:
                text = super()._print(expr, **kwargs)
            finally:
                self._exact -= 1
        else:
            text = super()._print(expr, **kwargs)
        if isinstance(expr, sp.Function) and len(expr.args) == 1 and _fresh(expr.args[0]):
            name, _, rest = text.partition("(")
            if name.rsplit(".", 1)[-1] in _UFUNCS and rest.endswith(")") and _balanced(rest[:-1]):
                return f"inplace({name}, {rest[:-1]})"  # log(a*b): log written over the product
        return text

    def _fold(self, ufunc: str, expr):
        """Max/Min accumulated in a fresh argument where there is one (:func:`fold_inplace`)."""
        args = list(expr.args)
        fresh = [a for a in args if _fresh(a)]
        if not fresh:
            return super()._print_Max(expr) if ufunc == "maximum" else super()._print_Min(expr)
        args.remove(fresh[0])
        return f"fold_inplace({self._np(ufunc)}, {', '.join(self._print(a) for a in [fresh[0], *args])})"

    def _print_Max(self, expr):
        return self._fold("maximum", expr)

    def _print_Min(self, expr):
        return self._fold("minimum", expr)

    def _integer_power(self, base: str, p: int, compound: bool = False) -> str:
        """``base**p`` for a positive integer ``p`` with squares and products (one pass each); a compound
        base is printed once, through :func:`integer_power`."""
        if p == 1:
            return base
        if p > SMALL_POWER:
            return f"{base}**{p}"
        if p > 2:
            return f"integer_power({base}, {p})"
        return self._call("square", base, compound)

    def _call(self, name: str, text: str, compound: bool) -> str:
        """``numpy.name(text)``, written over the argument where that is a temporary (:func:`inplace`)."""
        return f"inplace({self._np(name)}, {text})" if compound else f"{self._np(name)}({text})"

    def _root(self, text: str, q: int, nonnegative: bool, compound: bool = True) -> str:
        if q == 1:
            return text
        if q == 2:
            return self._call("sqrt", text, compound)
        if q == 4:
            return self._call("sqrt", self._call("sqrt", text, compound), True)
        if q == 3 and nonnegative:
            return self._call("cbrt", text, compound)
        return f"({text})**(1/{q})"

    def _split(self, expr: sp.Expr):
        """``(constant, {q: (numerator [(base, p)], denominator [(base, p)])}, others, unknown, rewritten)`` of a
        product: numeric factors folded into one float (None if not real), the rest grouped by the root of their
        exponent, ``unknown`` counting the bases of unknown sign under each root, ``rewritten`` if a log became log2."""
        factors = list(expr.args) if expr.is_Mul else [expr]
        rewritten = False
        for base, name in ((2, log2), (10, log10)):  # log(x)/log(2) is log2(x): one pass, and log2(32) is 5
            scale = sp.Pow(sp.log(base), -1)
            logs = [f for f in factors if isinstance(f, sp.log)]
            if scale in factors and logs:
                factors.remove(scale)
                factors[factors.index(logs[0])] = name(logs[0].args[0])
                rewritten = True
        try:
            constant = float(sp.N(sp.Mul(*[f for f in factors if f.is_number]), 20))
        except TypeError:
            constant = None
        groups: dict[int, tuple[list, list]] = {}
        unknown: dict[int, int] = {}  # bases of unknown sign in each group
        others = []
        for f in factors:
            if f.is_number:
                continue
            base, e = f.as_base_exp()
            if base.is_Pow and base.exp == -1 and e.is_Rational:  # (1/x)**(1/2) is x**(-1/2), NaN where x < 0 alike
                base, e = base.base, -e
            if not e.is_Rational or abs(e.p) > SMALL_POWER * 64:
                others.append(f)
                continue
            q, p = int(e.q), int(e.p)
            if not _known_nonnegative(base) and q > 1:
                # Exact only under an even root holding one such base (NaN stays NaN).
                if q % 2 == 1 or unknown.get(q, 0) >= 1:
                    others.append(f)
                    continue
                unknown[q] = unknown.get(q, 0) + 1
            num, den = groups.setdefault(q, ([], []))
            (num if p > 0 else den).append((base, abs(p)))
        return constant, groups, others, unknown, rewritten

    def _monomial(self, num, den) -> tuple[list, list]:
        """Texts to multiply and to divide by; factors sharing an integer power share one power
        (``a**2 b**2 / c**2`` is ``square(a*b/c)``: three passes, not six)."""
        by_power: dict[int, tuple[list, list]] = {}
        for factors, below in ((num, False), (den, True)):
            for base, p in factors:
                by_power.setdefault(p, ([], []))[below].append(base)
        top, bottom = [], []
        for p in sorted(by_power):
            n_, d_ = by_power[p]
            if p == 1:
                top += [self.parenthesize(b, 60) for b in n_]
                bottom += [self.parenthesize(b, 60) for b in d_]
                continue
            inner = self._ratio_text([self.parenthesize(b, 60) for b in n_ or d_],
                                     [self.parenthesize(b, 60) for b in d_] if n_ else [])
            single = len(n_) + len(d_) == 1 and not _fresh((n_ or d_)[0])
            (top if n_ else bottom).append(self._integer_power(inner, p, not single))
        return top, bottom

    @staticmethod
    def _ratio_text(top: list, bottom: list) -> str:
        text = "*".join(top) if top else "1"
        if not bottom:
            return text
        below = "*".join(bottom)
        return f"{text}/{below}" if len(bottom) == 1 and not any(c in below for c in "*/ ") else f"{text}/({below})"

    def _ratio(self, num, den) -> str:
        return self._ratio_text(*self._monomial(num, den))

    def _product(self, expr, fallback):
        if self._exact:
            return fallback()
        constant, groups, others, unknown, rewritten = self._split(expr)
        gain = any(q > 1 or den or any(p > 1 for _, p in num) for q, (num, den) in groups.items()) or \
            sum(f.is_number for f in expr.args) > 1 or rewritten  # 36*log(n)/(5*log(2)): 7.2*log2(n)
        if constant is None or not gain:
            return fallback()
        top, bottom = self._monomial(*groups.get(1, ([], [])))
        for q in sorted(groups):
            if q > 1:  # a root of only denominators divides (1/sqrt(n), not sqrt(1/n))
                n_, d_ = groups[q]
                factors = (n_ or d_) + (d_ if n_ else [])
                fresh = len(factors) > 1 or factors[0][1] > 1 or _fresh(factors[0][0])
                (top if n_ else bottom).append(self._root(self._ratio(n_ or d_, d_ if n_ else []), q,
                                                          not unknown.get(q), fresh))
        top += [self.parenthesize(f, 60) for f in others]
        sign = "-" if constant < 0 else ""
        if abs(constant) != 1:
            top.insert(0, repr(abs(constant)))
        return f"{sign}{self._ratio_text(top, bottom)}"

    def _exponential_logs(self, arg):
        """Logs of the factors ``exp(a)**e`` and ``expm1(a)**e`` (``e`` a number) of a product, and the rest."""
        terms, rest = [], []
        for f in sp.Mul.make_args(arg):
            base, e = f.as_base_exp()
            if base.is_Pow and base.exp == -1:
                base, e = base.base, -e
            if isinstance(base, (sp.exp, expm1)) and e.is_number:
                log = self.parenthesize(base.args[0], 60) if isinstance(base, sp.exp) else \
                    f"log_expm1({self._print(base.args[0])})"
                terms.append(log if e == 1 else f"-{log}" if e == -1 else f"{repr(float(e))}*{log}")
            else:
                rest.append(f)
        return terms, sp.Mul(*rest)

    def _print_Mul(self, expr):
        return self._product(expr, lambda: super(_FewerPasses, self)._print_Mul(expr))

    def _print_Pow(self, expr, rational=False):
        e = expr.exp
        if not self._exact and e.is_Rational and e not in (sp.S.Half, -sp.S.Half, 2):
            return self._product(expr, lambda: super(_FewerPasses, self)._print_Pow(expr, rational=rational))
        return super()._print_Pow(expr, rational=rational)

    def _print_LogOf(self, expr):
        """``log`` of the argument, distributed over a product's groups, powers, ``exp`` and ``expm1``."""
        arg = expr.args[0]
        terms, rest = self._exponential_logs(arg)
        if terms:  # log(2R/expm1(L/D)) = log(2R) - log_expm1(L/D): no overflow at large L/D
            if rest != 1:
                terms.insert(0, self._print_LogOf(LogOf(rest)))
            return " + ".join(terms)
        plain = self._call("log", self._print(arg), _fresh(arg))
        if isinstance(arg, sp.exp):
            return self._print(arg.args[0])
        if not (arg.is_Mul or arg.is_Pow):
            return plain
        constant, groups, others, unknown, _ = self._split(arg)
        if constant is None or constant <= 0:
            return plain
        terms = [repr(math.log(constant))] if constant != 1 else []
        for q in sorted(groups):
            num, den = groups[q]
            factors = (num or den) + (den if num else [])
            fresh = len(factors) > 1 or factors[0][1] > 1 or _fresh(factors[0][0])
            log = self._call("log", self._ratio(num or den, den if num else []), fresh)
            scale = (1 / q) if num else -(1 / q)
            terms.append(log if scale == 1 else f"-{log}" if scale == -1 else f"{repr(scale)}*{log}")
        for f in others:
            base, e = f.as_base_exp()
            if isinstance(f, sp.exp):
                terms.append(self.parenthesize(f.args[0], 20))
            elif base.is_number and base.is_positive:  # 2**(d/4 - 5/4): the exponent times log 2
                scale, rest = e.as_coeff_Mul()
                terms.append(f"{repr(float(sp.log(base) * scale))}*{self.parenthesize(rest, 60)}")
            elif e != 1:  # G**n: n log G (where G < 0 or G = 0 meets n = 0 this is NaN, and is recomputed)
                terms.append(f"{self.parenthesize(e, 60)}*{self._call('log', self._print(base), _fresh(base))}")
            else:
                terms.append(self._call("log", self._print(f), _fresh(f)))
        return " + ".join(terms) if terms else "0.0"


def base_two_powers(expr: sp.Expr) -> sp.Expr:
    """``2**e`` as ``exp2(e)`` wherever ``e`` is not a number, except inside a step function (whose argument is
    printed as lambdify and ``math`` print it, see ``_FewerPasses._print``).

    numpy's ``exp2`` is several times faster than its ``pow`` with base 2 and as accurate (both within an ulp,
    and exact at integers); ``math.exp2`` and ``math.pow`` are the same pair for one point.  The plain code of
    both paths uses it (:class:`.linear.Evaluator`); the log printer reads ``2**e`` as ``e log 2`` itself.

    >>> d = sp.Symbol("d", positive=True)
    >>> base_two_powers(3 * 2 ** (d / 4) + sp.ceiling(2 ** d) + 2 ** 5)
    ceiling(2**d) + 3*exp2(d/4) + 32
    """
    if expr.is_Atom or (isinstance(expr, sp.Function) and not isinstance(expr, _CONTINUOUS)):
        return expr
    args = tuple(base_two_powers(a) for a in expr.args)
    if expr.is_Pow and expr.base == 2 and not expr.exp.is_number:
        return exp2(args[1])
    return expr.func(*args) if args != expr.args else expr


def integer_power(x, p: int):
    """``x**p`` for an integer ``p >= 2`` by squaring into one new array (numpy's ``pow`` is several times slower).

    >>> import numpy as np
    >>> integer_power(np.array([2.0, -3.0]), 5).tolist()
    [32.0, -243.0]
    """
    import numpy as np

    bits = bin(p)[3:]
    out = x * x
    if bits[0] == "1":
        out *= x
    for bit in bits[1:]:
        out = np.square(out, out=out) if isinstance(out, np.ndarray) else out * out
        if bit == "1":
            out *= x
    return out


def log_expm1(x):
    """``log(exp(x) - 1)`` without overflow: ``x + log1p(-exp(-x))`` past ``x = 1`` (NaN where ``x < 0``).

    >>> import numpy as np
    >>> log_expm1(np.array([1e-20, 1.0, 1000.0])).round(12).tolist()
    [-46.051701859881, 0.541324854613, 1000.0]
    """
    import numpy as np

    with np.errstate(all="ignore"):  # (the branch not taken may overflow; e^-x may underflow to 0, exactly enough)
        return np.where(x > 1, x + np.log1p(-np.exp(-x)), np.log(np.expm1(x)))


def inplace(ufunc, t):
    """``ufunc(t)`` written over ``t``, a temporary array nothing else holds (the printers below pass only
    those): one large array less to allocate, which on this machine costs more than the pass itself."""
    import numpy as np

    if type(t) is np.ndarray and t.dtype == np.float64:
        return ufunc(t, out=t)
    return ufunc(t)


def fold_inplace(ufunc, first, *rest):
    """``ufunc(ufunc(first, rest[0]), ...)`` accumulated in ``first``, a temporary, where the shapes allow it."""
    import numpy as np

    out = first
    for other in rest:
        if type(out) is np.ndarray and out.dtype == np.float64 and (np.ndim(other) == 0 or out.shape == np.shape(other)):
            out = ufunc(out, other, out=out)
        else:
            out = ufunc(out, other)
    return out


class FastNumPyPrinter(_FewerPasses, NumPyPrinter):
    """:class:`sympy.printing.numpy.NumPyPrinter` with fewer passes (ours)."""


class FastSciPyPrinter(_FewerPasses, SciPyPrinter):
    """:class:`sympy.printing.numpy.SciPyPrinter` with fewer passes (ours)."""


def numpy_source(expr: sp.Expr) -> str:
    """The numpy code :class:`FastNumPyPrinter` prints for ``expr`` (for reading and the doctests)."""
    return FastNumPyPrinter({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": True,
                             "user_functions": {}})._print(expr)
