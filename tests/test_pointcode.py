"""One point through the generated point function (:mod:`tbounds.bounds.pointcode`) is the general path's
answer, bit for bit, or the general path's own error: at and around every closed-form bound's example, at
the float extremes, and for every kind of bad input; and it answers wherever the general path's ``math``
code does (so that it is the path single points take)."""

import math

import numpy as np
import pytest

import tbounds.bounds as bounds

from .test_fast_evaluation import CLOSED, EXTREMES


def _general(bound, monkeypatch):
    """``bound`` evaluated without its point function (the path before it)."""
    def evaluate(values, log=False):
        monkeypatch.setitem(bound.__dict__, "_point_function", None)
        try:
            return bound.signed_log(**values) if log else bound(**values)
        finally:
            monkeypatch.delitem(bound.__dict__, "_point_function")
    return evaluate


def _outcome(fn, values, **kwargs):
    try:
        return ("value", fn(values, **kwargs))
    except Exception as e:  # noqa: BLE001 (the error itself is what is compared)
        return ("error", type(e), str(e))


def _same(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return a == b
    x, y = a[1], b[1]
    if hasattr(x, "log"):
        return _bits(x.sign) == _bits(y.sign) and _bits(x.log) == _bits(y.log)
    return type(x) is type(y) and _bits(x) == _bits(y)


def _bits(v):
    v = np.asarray(v, dtype=float)
    return "nan" if np.isnan(v).any() else v.tobytes()


def _points(bound, rng):
    example = bound.example()
    yield dict(example)
    for _ in range(12):
        point = {}
        for p in bound.params:
            x = example[p.name] * 10 ** rng.uniform(-1, 1) if example[p.name] > 0 else example[p.name] + rng.uniform(-1, 1)
            x = min(max(x, p.low if math.isfinite(p.low) else x), p.high if math.isfinite(p.high) else x)
            point[p.name] = int(round(x)) if p.integer and rng.random() < 0.5 else (float(round(x)) if p.integer else x)
        yield point
    for extreme in EXTREMES:
        yield {p.name: (float(extreme) if not p.integer else float(max(round(extreme), 1))) for p in bound.params}


@pytest.mark.parametrize("bound", CLOSED, ids=lambda b: b.id)
def test_point_function_is_the_general_path(bound, monkeypatch):
    general = _general(bound, monkeypatch)
    rng = np.random.default_rng(23)
    for values in _points(bound, rng):
        for log in (False, True):
            fast = _outcome(lambda v, log: bound.signed_log(**v) if log else bound(**v), values, log=log)
            slow = _outcome(general, values, log=log)
            assert _same(fast, slow), (bound.id, values, log, fast, slow)


BAD = ["1000", None, True, math.nan, math.inf, -math.inf, -1.0, 10 ** 400, 2 ** 60 + 1, np.float32(3.0), np.int64(7),
       [1.0, 2.0], np.array(5.0), 0.5]


@pytest.mark.parametrize("bound", CLOSED[::5], ids=lambda b: b.id)
def test_bad_and_unusual_inputs_answer_as_before(bound, monkeypatch):
    general = _general(bound, monkeypatch)
    example = bound.example()
    cases = [{**example, p.name: bad} for p in bound.params for bad in BAD]
    cases += [{**example, "not_a_parameter": 1.0}, {k: v for k, v in list(example.items())[1:]}]
    for values in cases:
        fast = _outcome(lambda v: bound(**v), values)
        slow = _outcome(general, values)
        if fast[0] == "value" and isinstance(fast[1], np.ndarray) and fast[1].ndim:
            assert slow[0] == "value" and np.array_equal(fast[1], slow[1], equal_nan=True), (bound.id, values)
        else:
            assert _same(fast, slow), (bound.id, values, fast, slow)


@pytest.mark.parametrize("bound", CLOSED, ids=lambda b: b.id)
def test_point_function_answers_where_the_math_code_does(bound):
    example = {k: float(v) for k, v in bound.example().items()}
    point = bound._scalar_point(example, True)
    if point is None or bound._log_function.scalar(*point) is None:
        pytest.skip("the general path does not answer this point from math code either")
    assert bound._point_function is not None and bound._point_function(example) is not None, bound.id
