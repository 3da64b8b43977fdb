"""The compiled one-pass checks answer exactly as their numpy reference, on the values where that is hard."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import tbounds.bounds as bounds
from tbounds.bounds import onepass

from .fresh_python import check_fallbacks

needs_kernel = pytest.mark.skipif(onepass._lib() is None, reason=f"no one-pass kernel here: {onepass.status()}")

TINY = 5e-324
#: Values where an interval or integrality test can go wrong: signed zeros and infinities, NaN, subnormals,
#: the float limits, integers and their neighbours around 2**53 (every float there is an integer).
HARD = [0.0, -0.0, math.inf, -math.inf, math.nan, TINY, -TINY, 2.2250738585072014e-308, 1.7976931348623157e308,
        -1.7976931348623157e308, 1.0, -1.0, 0.5, 1.5, 2.0, 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 53 - 0.5, 2.0 ** 52 + 0.5,
        1e300, 1e-300, 3.0, np.nextafter(3.0, 4.0), np.nextafter(3.0, 2.0), 1e280, 1e-280]
values = st.one_of(st.sampled_from(HARD), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10 ** 6, 10 ** 6).map(float))


@st.composite
def planted(draw, filler=None):
    """An array of a kernel's size (chunk edges included) of one ordinary value, with a few hard ones planted."""
    n = draw(st.sampled_from([onepass.KERNEL_FROM, 2048 * 3, 2048 * 3 + 7, 10_001]))
    x = np.full(n, draw(st.sampled_from([3.0, 1.0, 0.5, 1e10])) if filler is None else filler)
    for _ in range(draw(st.integers(0, 3))):
        x[draw(st.sampled_from([0, 1, 2047, 2048, n - 1, n // 2])) % n] = draw(values)
    return x


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(x=planted(), low=values, high=values, low_open=st.booleans(), high_open=st.booleans(), integer=st.booleans())
def test_interval_test_equals_numpy(x, low, high, low_open, high_open, integer):
    assert onepass.all_inside(x, low, high, low_open, high_open, integer) == \
        onepass.all_inside_numpy(x, low, high, low_open, high_open, integer)


@st.composite
def sides(draw, arrays):
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from([0.0, 2.0, -1.0, 1e300, 3.0])), None, None
    x = draw(st.sampled_from(arrays))
    return (draw(st.sampled_from([1.0, 2.0, -1.0, 3.0, 1e300])), x, None) if kind == 1 else \
        (1.0, x, draw(st.sampled_from(arrays)))


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(data=st.data(), op=st.sampled_from(["<=", "<", ">=", ">"]))
def test_relation_test_equals_numpy(data, op):
    n = data.draw(st.sampled_from([onepass.KERNEL_FROM, 6151]))
    arrays = [data.draw(planted(filler=f)) for f in (2.0, 3.0)]
    arrays = [np.resize(a, n) for a in arrays]
    arrays.append(np.full(1, data.draw(values)))  # a single value, folded into its side's constant
    left, right = data.draw(sides(arrays)), data.draw(sides(arrays))
    assert onepass.all_related(op, left, right) in (None, onepass.all_related_numpy(op, left, right))
    if all(a is None or a.size > 1 for a in (*left[1:], *right[1:])) and any(
            a is not None for a in (*left[1:], *right[1:])):
        assert onepass.all_related(op, left, right) is not None  # the kernel answered


def test_relation_test_takes_only_sides_computed_as_numpy_computes_them():
    a, b, c = sp.symbols("a b c", real=True)
    for rel in (a <= 2 * b, a < b * c, a ** 2 >= b, -a > c, a >= 7):
        assert onepass.relation_test(rel, [a, b, c]) is not None, rel
    for rel in (a <= 2 * b * c, a <= b / 3, a <= sp.log(b), a <= sp.Rational(1, 3) * b, a <= 10 ** 20 * b,
                a <= sp.Float(0.1) * b, sp.Eq(a, b)):
        assert onepass.relation_test(rel, [a, b, c]) is None, rel


def test_every_checkable_registered_assumption_is_judged_as_numpy_judges_it():
    """On a grid where each assumption holds and on one where it fails, the one-pass test never says True
    where numpy says False (a False or None hands the decision back to numpy)."""
    checked = 0
    for b in bounds.select():
        if b.expr is None:
            continue
        for (assumption, predicate), test in zip(b._assumption_checks, b._assumption_tests):
            if test is None:
                continue
            rng = np.random.default_rng(0)
            example = b.example()
            arrays = [np.asarray(example[p.name] * rng.uniform(0.25, 4, 5000)) for p in b.params]
            arrays = [np.round(a) if p.integer else a for p, a in zip(b.params, arrays)]
            with np.errstate(all="ignore"):
                truth = bool(np.all(predicate(*arrays)))
            answer = test(arrays)
            assert answer in (None, truth), (b.id, assumption.name)
            checked += answer is not None
    assert onepass._lib() is None or checked >= 50


def test_evaluate_on_no_points_gives_no_values():
    b = bounds.get("kajitsuka2025.next_token.lower")
    assert b.evaluate(N=np.array([])).shape == (0,)
    assert b.signed_log(N=np.array([])).log.shape == (0,)


def test_switched_off_without_a_compiler_or_a_cache_folder_numpy_answers_and_says_why(tmp_path):
    code = ("import numpy as np; from tbounds.bounds import onepass; x = np.arange(1.0, 5000.0); "
            "print(onepass.all_inside(x, 1.0, 4999.0, False, False, True), onepass.all_inside(x, 2.0, 5e3, 0, 0, 1), "
            "'|', onepass.status())")
    check_fallbacks(code, tmp_path, "TBOUNDS_ONEPASS", "True False |")
