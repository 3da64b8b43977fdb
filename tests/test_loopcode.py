"""The compiled loop of grid evaluation (``tbounds.bounds.loopcode``): one C loop that checks each point's inputs,
computes its value with the numpy code's steps and checks the value.

- every closed-form bound it prints: its values are the numpy code's, bit for bit where numpy computes its
  functions with the C library (as on this kind of machine), else within a few units in the last place;
- ``evaluate`` and ``signed_log`` through their loops give what they give without, in range and far out (values
  past the float range, flags raised: log space takes over where it did);
- what it reports: an input outside its domain (any kind), a value that does not stand, a flag raised; the
  flags are cleared for numpy afterwards;
- a value outside its domain and a failing assumption still get the general path's named errors;
- switched off, without a compiler, with a refused build or no cache folder: numpy answers, and the loop says why;
- the exact integer steps printed as C: their numpy code's values and flags, bit for bit, where they turn.
"""

import math
import re

import numpy as np
import pytest

import tbounds.bounds as bounds
from tbounds.bounds import loopcode
from tbounds.bounds.errors import AssumptionError, ParameterError
from tbounds.bounds.linear import BIG

from .fresh_python import check_fallbacks
from .test_checked_grid import POINTS, _grid
from .test_fast_evaluation import CLOSED

LOOPED = [b for b in CLOSED if b.numeric is None and b._loop is not None]


def _numpy_is_the_c_library() -> bool:
    """Whether numpy's exp, log, pow, ... give the C library's values here (they do where numpy has no vector code
    of its own for them; numpy's AVX-512 code differs in the last bit at a few points in a hundred)."""
    x = np.exp(np.random.default_rng(0).uniform(-30.0, 30.0, 4096))
    pairs = [(np.log, math.log, x), (np.exp, math.exp, np.log(x)), (np.log2, math.log2, x), (np.log1p, math.log1p, x),
             (np.expm1, math.expm1, np.log(x)), (np.cbrt, math.cbrt, x), (np.exp2, math.exp2, np.log(x))]
    same = all((f(v) == np.array([g(t) for t in v])).all() for f, g, v in pairs)
    return same and bool((np.power(x, 0.37) == np.array([math.pow(t, 0.37) for t in x])).all())


EXACT = _numpy_is_the_c_library()


def _compiled() -> bool:
    return LOOPED[0]._loop.function() is not None


def test_most_closed_form_bounds_have_a_loop():
    assert len(LOOPED) >= 120  # (those with a step helper or a scipy function keep numpy)


@pytest.mark.parametrize("bound", LOOPED, ids=lambda b: b.id)
def test_the_loop_computes_the_numpy_codes_values(bound):
    if not _compiled():
        pytest.skip(LOOPED[0]._loop.reason)
    for seed, spread in ((1, 0.5), (2, 3.0)):
        values = _grid(bound, seed, spread)
        arrays = [values[p.name] for p in bound.params]
        if arrays[0].size == 0:
            continue
        out = np.empty(arrays[0].shape)
        code = bound._loop.run(arrays, out)
        assert not code & loopcode.OUTSIDE, bound.id
        with np.errstate(all="ignore"):
            numpy = np.broadcast_to(bound._log_function._array_function(*arrays), out.shape)
        if EXACT or not re.search(r"\b(exp2?|expm1|log(2|10|1p)?|cbrt|pow)\(", bound._loop.body):
            np.testing.assert_array_equal(out, numpy, err_msg=bound.id)  # (+ - * / sqrt: correctly rounded in both)
        else:
            np.testing.assert_allclose(out, numpy, rtol=1e-12, err_msg=bound.id)
        with np.errstate(all="ignore"):
            stands = bool(np.all((out >= 1e-280) & (out <= BIG)))
        assert bool(code & loopcode.NOT_STANDING) == (not stands), bound.id


@pytest.mark.parametrize("bound", LOOPED, ids=lambda b: b.id)
def test_evaluate_through_the_loop_gives_what_numpy_gives(bound, monkeypatch):
    for seed, spread in ((1, 0.5), (2, 3.0), (3, 30.0)):  # (the last far enough that some values leave the float range)
        values = _grid(bound, seed, spread)
        if next(iter(values.values())).size < POINTS // 8:
            continue
        with np.errstate(all="ignore"):
            looped = bound.evaluate(**values)
        with monkeypatch.context() as m:
            m.setattr(type(bound), "_looped_grid", lambda self, arrays: None)
            with np.errstate(all="ignore"):
                plain = bound.evaluate(**values)
        if EXACT:
            np.testing.assert_array_equal(looped, plain, err_msg=bound.id)
        else:
            np.testing.assert_allclose(looped, plain, rtol=1e-12, err_msg=bound.id)
        for check in (True, False):  # signed_log (log, log10): the loop of the log's code
            looped = bound.signed_log(check=check, **values)
            with monkeypatch.context() as m:
                m.setattr(type(bound), "_looped_log", lambda self, arrays, check: None)
                plain = bound.signed_log(check=check, **values)
            np.testing.assert_array_equal(np.broadcast_to(looped.sign, plain.sign.shape), plain.sign, err_msg=bound.id)
            if EXACT:
                np.testing.assert_array_equal(looped.log, plain.log, err_msg=bound.id)
            else:
                np.testing.assert_allclose(looped.log, plain.log, rtol=1e-12, atol=1e-12, err_msg=bound.id)


def test_what_the_loop_reports():
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")  # N >= 2 and n >= 1, integers
    if b._loop is None or b._loop.function() is None:
        pytest.skip("no compiled loop here")
    N, n, out = np.full(POINTS, 1000.0), np.full(POINTS, 8.0), np.empty(POINTS)
    assert b._loop.run([N, n], out) == 0
    for wrong in (1.0, 2.5, np.nan, np.inf, -np.inf, -0.0):  # below, not an integer, NaN, infinite, negative zero
        bad = N.copy()
        bad[POINTS - 1] = wrong  # (the last point: the loop reads every block)
        assert b._loop.run([bad, n], out) & loopcode.OUTSIDE, wrong
    huge, many = np.full(POINTS, 1e300), np.full(POINTS, 1e10)
    code = b._loop.run([huge, many], out)  # N*n overflows: inf/inf is NaN (invalid), and no value stands
    assert code == loopcode.NOT_STANDING | loopcode.FLAGGED
    with np.errstate(all="raise"):  # the loop leaves no flag behind for numpy to find
        np.multiply(N, 2.0)
    v = b(N=huge, n=many)  # log space takes over: sqrt(N n / log(48 e N n)) / 3 * sqrt(log 2), about 1.5e154
    assert np.isfinite(v).all() and np.allclose(v, 1e155 * math.sqrt(math.log(2) / (math.log(48) + 1 + 310 * math.log(10))) / 3)


def test_the_loops_checks_are_the_general_paths_with_its_errors():
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")
    N, n = np.full(POINTS, 1000.0), np.full(POINTS, 8.0)
    bad = N.copy()
    bad[1234] = 2.5
    with pytest.raises(ParameterError, match="'N' must be an integer >= 2"):
        b(N=bad, n=n)
    t = bounds.get("kajitsuka2025.next_token.upper")  # delta <= 2r, an assumption
    values = {p.name: np.full(POINTS, float(p.example)) for p in t.params}
    values["delta"][7] = 3 * values["r"][7]
    with pytest.raises(AssumptionError):
        t(**values)


def test_without_the_loop_numpy_answers_and_the_loop_says_why(tmp_path):
    code = ("import numpy as np; import tbounds.bounds as b; x = b.get('kajitsuka2025.seq2seq.lower_hardmax'); "
            "N = np.arange(2.0, 5002.0); v = x(N=N, n=np.full(5000, 8.0)); "
            "print(bool(np.allclose(v, [x(N=a, n=8.0) for a in N], rtol=1e-14, atol=0)), '|', x._loop.reason)")
    check_fallbacks(code, tmp_path, "TBOUNDS_LOOPS", "True |")


def _step_cases():
    """Values where the exact steps turn: powers of the base and their neighbours, values within the snap of an
    integer and just outside it, halves, 2**52 and past it, zero, negatives and infinities."""
    powers = [float(b) ** k for b in (2, 3, 10) for k in range(0, 60) if float(b) ** k < 2.0 ** 60]
    near = [p * (1 + e) for p in powers for e in (0.0, 1e-12, -1e-12, 1e-10, -1e-10, 2 ** -52, -(2 ** -53))]
    other = [0.5, 1.5, 2.5, 3.5, -2.5, 0.0, -0.0, -1.0, -7.0, 1e-300, 5e-324, 2.0 ** 52 - 0.5, 2.0 ** 52 + 2,
             2.0 ** 53 + 2, 1e300, np.inf, -np.inf]  # (NaN is outside every domain: the loop stops there)
    rng = np.random.default_rng(7)
    rand = list(rng.integers(1, 10 ** 6, 2000).astype(float)) + list(rng.uniform(-50, 50, 2000))
    return np.array(near + other + rand)


@pytest.mark.parametrize("step", ["ceil_log2", "floor_log2", "ceil_log3", "floor_log10", "floor_div", "ceil_near"])
def test_the_exact_steps_in_c_are_their_numpy_codes(step):
    """Each step helper the loop prints (a ceiling or floor of a log in base 2, 3 or 10, a floor division, a ceiling
    after snapping) gives the numpy code's values bit for bit, with the same flags raised, on its turning points."""
    import sympy as sp

    from tbounds.bounds import steps
    from tbounds.bounds.linear import Evaluator, _call_flagged

    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    expr = {"ceil_log2": steps.ceil_log(x, 2), "floor_log2": steps.floor_log(x, 2), "ceil_log3": steps.ceil_log(x, 3),
            "floor_log10": steps.floor_log(x, 10), "floor_div": steps.floor_div(x, y),
            "ceil_near": steps.ceil_near(x)}[step]
    symbols = [x, y] if step == "floor_div" else [x]
    ev = Evaluator(expr, symbols)
    everywhere = (-math.inf, math.inf, False, False, False)
    loop = loopcode.plain_loop(ev._array_function, [everywhere] * len(symbols), False)
    assert loop is not None and "tb_" in loop.body
    if loop.function() is None:
        pytest.skip(loop.reason)
    values = _step_cases()
    grids = [[values]] if step != "floor_div" else [[values, np.full(values.size, q)] for q in (1.0, 2.0, 3.0, 4.0, 7.0,
                                                                                              -3.0, 0.5, 0.0, np.inf)]
    for arrays in grids:
        for part in (arrays, [a[values.size - 4096:] for a in arrays]):  # (a grid with and one without the extremes)
            part = [np.ascontiguousarray(a) for a in part]
            out = np.empty(part[0].size)
            code = loop.run(part, out)
            numpy, flags = _call_flagged(ev._array_function, part, out.shape)
            huge_other = step in ("ceil_log3", "floor_log10") and bool(np.any(np.isfinite(part[0]) & (part[0] >= 2.0 ** 52)))
            assert bool(code & loopcode.UNSUPPORTED) == huge_other, step
            finite = ~np.isnan(numpy)
            if not huge_other:
                np.testing.assert_array_equal(out, numpy, err_msg=step)
                assert (out[finite].view(np.int64) == numpy[finite].view(np.int64)).all(), step  # (signed zeros too)
            assert bool(code & loopcode.FLAGGED) == flags.raised, (step, code, flags.raised)


def test_a_loops_source_is_the_same_in_every_process(tmp_path):
    """The source keys the compiled file in the cache: printed differently in another process (Python's hash seed
    orders sets), it would be compiled again there.  Bounds whose loops keep a step's value and a ufunc's in block
    buffers side by side."""
    from .fresh_python import fresh_python

    code = ("import hashlib; import tbounds.bounds as b; ids = ['musat2025.retrieval.lower', "
            "'merrill2025.regular.max_length.exact', 'merrill2025.connectivity.max_vertices.exact']; "
            "print(hashlib.sha256(''.join(b.get(i)._loop.source for i in ids).encode()).hexdigest())")
    printed = {fresh_python(code, tmp_path, PYTHONHASHSEED=str(seed)).stdout.strip() for seed in (1, 2, 3, 4)}
    assert len(printed) == 1 and len(next(iter(printed))) == 64, printed
