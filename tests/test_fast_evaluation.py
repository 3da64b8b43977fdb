"""The plain-float fast path agrees with log space; regressions of issue 13 (items 1, 2, 3 and 8).

- every closed-form bound: the array fast path, the single-point ``math`` path and the log-space
  compiler give the same value at points around its examples;
- no bound returns NaN at valid finite inputs, down to 5e-324 and up to 1.7e308;
- Dudley quadratures fall strictly with n below their cap (one that read another argument in n's
  place was constant in n, and the tie-accepting monotonicity test let it pass);
- Dudley twins read their arguments by name and stop where their cover's statement says ln N = 0;
- integer steps are exact past 2**52 and refuse Python integers no float holds.
"""

import math

import numpy as np
import pytest

import tbounds.bounds as bounds
from tbounds.bounds.errors import AssumptionError, ParameterError

ALL = [bounds.get(i) for i in bounds.ids()]
CLOSED = [b for b in ALL if b.params and b.expr is not None]
DUDLEY = [b for b in ALL if b.id.endswith(".dudley") or b.id == "dudley.parametric.quadrature"]
EXTREMES = (5e-324, 1e-300, 1e-100, 1e-12, 0.5, 1.0, 2.0, 1e3, 1e12, 1e78, 1e103, 1e300, 1.7e308)


def _around_examples(bound, count, rng, spread=1.0):
    example = bound.example()
    out = {}
    for p in bound.params:
        x = example[p.name] * 10 ** rng.uniform(-spread, spread, count) if example[p.name] > 0 else \
            example[p.name] + rng.uniform(-spread, spread, count)
        lo = p.low + (1 if p.integer else abs(p.low) * 1e-9 + 1e-300) if p.low_open else p.low
        hi = p.high if math.isfinite(p.high) else 1e300
        if p.high_open and math.isfinite(p.high):
            hi = p.high - 1 if p.integer else p.high * (1 - 1e-12)
        x = np.clip(x, lo, hi)
        out[p.name] = np.clip(np.round(x), math.ceil(lo), math.floor(hi)) if p.integer else x
    return out


@pytest.mark.parametrize("bound", CLOSED, ids=lambda b: b.id)
def test_fast_path_equals_log_space(bound):
    rng = np.random.default_rng(7)
    values = _around_examples(bound, 64, rng)
    arrays = [values[p.name] for p in bound.params]
    fast = bound._log_function(*arrays)
    slow = bound._log_function.log_function(*arrays)
    both = np.isfinite(fast.log) & np.isfinite(slow.log)
    assert (np.isfinite(fast.log) >= np.isfinite(slow.log)).all(), bound.id  # finite wherever log space is
    np.testing.assert_allclose(fast.log[both], slow.log[both], rtol=1e-9, atol=1e-9, err_msg=bound.id)
    assert (fast.sign[both] == slow.sign[both]).all(), bound.id
    for k in range(4):  # the single-point path answers the same
        point = [float(a[k]) for a in arrays]
        v = bound._log_function.scalar(*point)
        if v is not None:
            assert math.log(abs(v)) == pytest.approx(float(fast.log[k]), rel=1e-12, abs=1e-12), bound.id


@pytest.mark.parametrize("bound", [b for b in CLOSED if not b.integer_valued], ids=lambda b: b.id)
def test_linear_values_equal_the_signed_logs_and_never_alias_the_input(bound):
    """``evaluate``'s plain values (no log taken and undone) are exp of ``signed_log``'s, up to that round trip."""
    values = _around_examples(bound, 64, np.random.default_rng(11))
    arrays = [values[p.name] for p in bound.params]
    linear = bound._log_function.linear(*arrays)
    s = bound._log_function(*arrays)
    with np.errstate(over="ignore"):  # past the float range both are inf
        np.testing.assert_allclose(linear, s.sign * np.exp(s.log), rtol=1e-12, atol=0, err_msg=bound.id)
    for a in arrays:  # a bare symbol's plain function returns its input: the caller's array is not handed back
        assert not np.may_share_memory(linear, a), bound.id


@pytest.mark.parametrize("bound", [b for b in CLOSED if b.integer_valued and b.numeric is None], ids=lambda b: b.id)
def test_an_integer_valued_grid_gives_each_point_s_exact_integer(bound):
    """A grid's values are the integers each point evaluates to alone, bit for bit, also past 2**49 (where
    exp(log k) misses k by units: 2**50 read back from log space was 2**50 + 1, 2**54 was 2**54 + 20)."""
    values = _around_examples(bound, 48, np.random.default_rng(5), spread=2.5)
    with np.errstate(all="ignore"):
        keep = bound.assumptions_hold(values)
    values = {k: np.broadcast_to(v, keep.shape)[keep] for k, v in values.items()}
    assume_some = next(iter(values.values())).size
    assert assume_some > 0, bound.id
    grid = bound.evaluate(**values)
    alone = [float(bound.evaluate(**{k: float(v[i]) for k, v in values.items()})) for i in range(assume_some)]
    np.testing.assert_array_equal(grid, alone, err_msg=bound.id)


@pytest.mark.parametrize("bound", [b for b in CLOSED if b.integer_valued and b.numeric is None], ids=lambda b: b.id)
def test_the_integer_shortcut_gives_what_the_general_path_gives(bound, monkeypatch):
    """Where every plain value is an exact integer in range, evaluate and signed_log skip the masks and logs of
    the general path: bit for bit the same values and logs (on a grid past math.log's 4096 points)."""
    values = _around_examples(bound, 5000, np.random.default_rng(9), spread=0.5)
    with np.errstate(all="ignore"):
        keep = bound.assumptions_hold(values)
    values = {k: np.broadcast_to(v, keep.shape)[keep] for k, v in values.items()}
    arrays = [values[p.name] for p in bound.params]
    evaluator = bound._log_function
    fast_values, fast = evaluator.linear(*arrays), evaluator(*arrays)
    monkeypatch.setattr(type(evaluator), "_plain_stands", lambda *args: False)
    np.testing.assert_array_equal(fast_values, evaluator.linear(*arrays), err_msg=bound.id)
    slow = evaluator(*arrays)
    np.testing.assert_array_equal(fast.log, slow.log, err_msg=bound.id)
    np.testing.assert_array_equal(np.broadcast_to(fast.sign, slow.sign.shape), slow.sign, err_msg=bound.id)


@pytest.mark.parametrize("bound", CLOSED, ids=lambda b: b.id)
def test_a_point_given_as_numpy_values_answers_as_plain_numbers_do(bound):
    """0-d arrays, float32 and int32 values take the array path: the same value as Python numbers, and a 0-d answer."""
    example = bound.example()
    want = bound.evaluate(**example)
    as_arrays = bound.evaluate(**{k: np.array(float(v)) for k, v in example.items()})
    assert np.ndim(as_arrays) == 0 and float(as_arrays) == pytest.approx(float(want), rel=1e-12), bound.id
    narrow = {p.name: (np.int32(example[p.name]) if p.integer and abs(example[p.name]) < 2 ** 31 else
                       np.float64(example[p.name])) for p in bound.params}
    assert float(bound.evaluate(**narrow)) == pytest.approx(float(want), rel=1e-12), bound.id


def test_integer_steps_past_2_to_the_49_are_exact_on_a_grid():
    b = bounds.get("merrill2025.connectivity.max_vertices.exact")  # 2**floor((d - 18) / 2)
    d = np.arange(100.0, 131.0)
    np.testing.assert_array_equal(b.evaluate(d=d), 2.0 ** np.floor((d - 18) / 2))
    np.testing.assert_array_equal(b.evaluate(d=np.repeat(d, 5000))[::5000], 2.0 ** np.floor((d - 18) / 2))


def test_integer_arrays_skip_the_integrality_pass_but_not_the_domain():
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")
    as_ints = b(N=np.array([10, 1000]), n=np.array([8, 8]))
    np.testing.assert_array_equal(as_ints, b(N=np.array([10.0, 1000.0]), n=np.array([8.0, 8.0])))
    with pytest.raises(ParameterError, match="'N'"):
        b(N=np.array([1, 1000]), n=np.array([8, 8]))


def _extreme_values(p):
    out = set()
    for x in (*EXTREMES, p.low, p.high, p.example):
        for y in (x, x + 1, x - 1):
            y = float(round(y)) if p.integer and math.isfinite(y) else float(y)
            if math.isfinite(y) and p.contains(np.asarray(y)).all():
                out.add(y)
    return sorted(out)


@pytest.mark.parametrize("bound", [b for b in ALL if b.params], ids=lambda b: b.id)
def test_no_nan_at_valid_extreme_inputs(bound):
    rng = np.random.default_rng(3)
    count = 150 if bound.expr is not None else 12
    choices = [_extreme_values(p) for p in bound.params]
    values = {p.name: np.array([rng.choice(c) for _ in range(count)]) for p, c in zip(bound.params, choices)}
    example = bound.example()
    for p, c in zip(bound.params, choices):  # each parameter alone at every extreme
        for q in bound.params:
            values[q.name] = np.append(values[q.name], c if q is p else np.full(len(c), example[q.name]))
    valid = bound.assumptions_hold(values)
    s = bound.signed_log(check=False, **values)
    nan = valid & (np.isnan(s.log) | np.isnan(s.sign))
    where = {k: float(v[np.argmax(nan)]) for k, v in values.items()}
    assert not nan.any(), (bound.id, int(nan.sum()), where)


@pytest.mark.parametrize("bound", DUDLEY, ids=lambda b: b.id)
def test_dudley_bounds_fall_strictly_with_n(bound):
    """Below its cap b, Dudley's bound is (12/sqrt n) times an integral plus 4 alpha: strictly smaller
    for more samples (a quadrature reading another argument in n's place is constant in n)."""
    point = bound.example()
    values = [float(bound(**{**point, "n": n})) for n in (1e4, 1e5, 1e6, 1e7, 1e8)]
    cap = float(point.get("b", math.inf))
    below = [v for v in values if v < cap]
    assert len(below) >= 2 and all(x > y for x, y in zip(below, below[1:])), (bound.id, values)


def test_trauger_dudley_depends_on_n():
    b = bounds.get("trauger2024.cover.linear.dudley")
    point = {**b.example(), "M_W": 1e4, "B_x": 1e-6}
    values = [float(b(**{**point, "n": n})) for n in (1e3, 1e4, 1e6)]
    assert values[0] > values[1] > values[2], values


def test_candes_plan_dudley_stops_where_its_cover_is_one():
    """ln N = 0 above eps = B_w B_x: past that scale a larger b adds nothing to the integral."""
    b = bounds.get("candes_plan2011.cover.rank.dudley")
    point = {**b.example(), "B_w": 1.0, "B_x": 1.0, "n": 1e8}
    at = [float(b(**{**point, "b": v})) for v in (2.0, 8.0)]
    assert at[0] == pytest.approx(at[1], rel=1e-9), at
    assert at[0] < 2.0  # the cap min(b, .) is not what holds it still


def test_integer_steps_exact_past_2_to_52():
    b = bounds.get("merrill2025.regular.looped")
    assert float(b(n=2 ** 52 + 1)) == 433.0
    assert float(b(n=float(2 ** 52 + 1))) == 433.0
    assert float(b(n=2.0 ** 60)) == 8 * 60 + 9 and float(b(n=2.0 ** 60 + 256)) == 8 * 61 + 9
    assert b(n=[2.0 ** 52, 2.0 ** 52 + 1, 2.0 ** 70 + 2 ** 18]).tolist() == [425.0, 433.0, 577.0]
    with pytest.raises(ParameterError, match="2\\*\\*53"):
        b(n=2 ** 53 + 1)


def test_extreme_values_named_in_the_audit():
    width = bounds.get("alberti2023.transformer.width")
    assert np.isfinite(width.log(n=1e78, d=1e103))
    assert float(width.log(n=1e78, d=1e103)) == pytest.approx(5.85646273248511e79, rel=1e-12)  # mpmath, 400 digits
    assert np.isfinite(bounds.get("yun2020.total_layers").log(n=1.7e308, d=2, delta=1.0))


def test_one_id_loads_one_module_and_the_full_load_keeps_its_order(tmp_path):
    """With a current index, get(id) imports only the module registering id; a later full load restores the order."""
    import json
    import subprocess
    import sys

    env = {**__import__("os").environ, "TBOUNDS_CACHE_DIR": str(tmp_path)}
    listing = ("import json, sys, tbounds.bounds.registry as r; {pre}"
               "print(json.dumps([{alone}, r.ids(), r.statement_ids()]))")
    first = subprocess.run([sys.executable, "-c", listing.format(pre="", alone="None")], env=env,
                           capture_output=True, text=True, check=True)
    _, ids, statements = json.loads(first.stdout)
    assert list(tmp_path.glob("bounds/registry-index-*.json"))  # the full load wrote the index
    pre = ("b = r.get('kajitsuka2025.seq2seq.lower_hardmax'); "
           "alone = 'tbounds.bounds.memorization.next_token' not in sys.modules "
           "and 'tbounds.bounds.generalization.covers' not in sys.modules; ")
    second = subprocess.run([sys.executable, "-c", listing.format(pre=pre, alone="alone")], env=env,
                            capture_output=True, text=True, check=True)
    alone, ids2, statements2 = json.loads(second.stdout)
    assert alone
    assert ids2 == ids and statements2 == statements


def test_log_of_one_plus_a_tiny_term_keeps_the_term():
    """``D ln(1 + 2R/eps)`` with ``2R/eps`` below 1e-16: log space once summed ``1 + x`` to 1 (value 0, or a
    Dudley integral missing its tail, off by e^340); ``np.logaddexp`` keeps ``x``.  References: for
    ball.cover, ``ln(1 + x) = x (1 - x/2 + ...)`` to double precision; for ball.cover.dudley, mpmath at
    400 digits (``4 alpha + 12/sqrt(n) int_alpha^b sqrt(ln(1 + 2R/eps)) d eps`` at ``ln N(alpha) = n/9``)."""
    D, R, eps = 1.0040474724986432e+183, 2.1933003130761736e+153, 5.0992864388488313e+225
    cover = bounds.get("ball.cover").signed_log(D=D, R=R, eps=eps)
    x = 2 * R / eps
    assert float(cover.sign) == 1.0
    assert float(cover.log) == pytest.approx(math.log(D) + math.log(x) + math.log1p(-x / 2), rel=1e-13)
    dudley = bounds.get("ball.cover.dudley").signed_log(D=1.0, R=2.3614623221112188e-116, n=1.0,
                                                       b=1.5293067514743974e+197)
    assert float(dudley.log) == pytest.approx(97.42137147902224, rel=1e-12)
