"""The exact step functions behind integer-valued bounds (tbounds.bounds.steps) agree with integer arithmetic everywhere."""

import math

import mpmath
import numpy as np
import sympy as sp
from hypothesis import given, strategies as st

from tbounds.bounds.steps import ceil_log, ceil_near, exact_integer, floor_div, floor_log
from tbounds.bounds.logspace import compile_signed_log, to_linear

from .exact_steps import ceil_log2, ceil_log3

n = sp.Symbol("n", integer=True, positive=True)
a = sp.Symbol("a", integer=True)
EXACT_RANGE = 2 ** 46  # the documented range of exact steps in log space


def log_space(expr, *values):
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    out = compile_signed_log(expr, symbols)(*[np.asarray(float(v)) for v in values])
    return float(to_linear(out))


powers_of_two = st.integers(0, 45).map(lambda k: 2 ** k)
near_powers = st.tuples(powers_of_two, st.integers(-1, 1)).map(lambda p: max(1, p[0] + p[1]))
integers = st.one_of(st.integers(1, EXACT_RANGE), near_powers)


@given(integers)
def test_ceil_and_floor_log2_are_exact(x):
    assert round(log_space(ceil_log(n, 2), x)) == ceil_log2(x)
    assert round(log_space(floor_log(n, 2), x)) == x.bit_length() - 1
    assert ceil_log(n, 2).subs(n, x) == ceil_log2(x)


@given(st.one_of(st.integers(1, 10 ** 12), st.integers(0, 25).map(lambda k: (3 ** k + 1) // 2)))
def test_ceil_log3_of_2d_is_exact(D):
    assert round(log_space(ceil_log(2 * n, 3), D)) == ceil_log3(2 * D)


@given(st.integers(-10 ** 12, 10 ** 12), st.sampled_from([1, 2, 3, 4, 8]))
def test_floor_div_is_exact(x, q):
    expr = floor_div(a, q)
    assert expr.subs(a, x) == x // q
    if x != 0:  # log space carries the sign separately
        assert round(log_space(expr, x)) == x // q


@given(integers)
def test_lambdify_mpmath_and_numpy_agree(x):
    f_mp = sp.lambdify([n], ceil_log(n, 2) + floor_log(n, 2), "mpmath")
    f_np = sp.lambdify([n], ceil_log(n, 2) + floor_log(n, 2), "numpy")
    want = ceil_log2(x) + x.bit_length() - 1
    with mpmath.workdps(40):
        assert f_mp(mpmath.mpf(x)) == want
    assert f_np(np.array([float(x)]))[0] == want


def test_lambdify_imports_the_helpers_under_their_installed_name():
    """Run from the repository root, a bare ``bounds.…`` path would load a second copy of the package."""
    import subprocess
    import sys

    code = ("import sys, sympy as sp; from tbounds.bounds import get; b = get('merrill2025.regular.nonuniform'); "
            "f = sp.lambdify([p.symbol for p in b.params], b.expr, 'mpmath'); assert f(128) == 33; "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'bounds'], 'a second copy was imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]


def test_past_the_exact_range_values_stay_finite():
    big = log_space(ceil_log(n, 2), 1e300)
    assert round(big) == math.ceil(math.log2(1e300))
    assert math.isfinite(log_space(floor_div(a, 4), 1e300))


def test_exact_integer_log_is_the_correctly_rounded_log():
    f = compile_signed_log(exact_integer(8 * ceil_log(n, 2) + 9), [n])
    logs = f(np.array([128.0, 3.0, 2.0 ** 30]))
    assert list(logs.log) == [math.log(65), math.log(25), math.log(249)]


def test_ceil_near_snaps_only_true_integers():
    e = sp.Symbol("e", positive=True)
    expr = ceil_near(3 / e)
    assert [round(log_space(expr, x)) for x in (0.75, 0.7, 1.0, 3.0)] == [4, 5, 3, 1]
    assert expr.subs(e, sp.Rational(3, 4)) == 4


def test_step_functions_refuse_non_integer_bases():
    import pytest

    with pytest.raises(ValueError, match="integer constant"):
        ceil_log(n, sp.Rational(3, 2))
    with pytest.raises(ValueError, match="positive argument"):
        ceil_log(sp.Integer(0), 2)
