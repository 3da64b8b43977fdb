"""Generated code rewritten to write into reusable buffers (:mod:`tbounds.bounds.blockcode`) computes the
original code's values bit for bit, for every closed-form bound, in range and far out of it; its buffers
are reused only once dead, never shared between threads or nested calls; code it does not understand is
left alone."""

import threading

import numpy as np
import pytest

import tbounds.bounds as bounds
import tbounds.bounds.linear as linear
from tbounds.bounds.blockcode import NotFloat, block_program, scratch

from .test_blocked import _wide
from .test_fast_evaluation import CLOSED, _around_examples


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    nan = np.isnan(b)
    return a.shape == b.shape and (np.isnan(a) == nan).all() and (a[~nan].view(np.int64) == b[~nan].view(np.int64)).all()


@pytest.mark.parametrize("bound", CLOSED, ids=lambda b: b.id)
def test_program_equals_generated_code(bound):
    rng = np.random.default_rng(5)
    evaluator = bound._log_function
    for name in ("_array_function", "_log_array_function"):
        fn = getattr(evaluator, name)
        if fn is None:
            continue
        program = block_program(fn)
        assert program is not None, f"{bound.id}: the printers' code should be rewritten ({name})"
        for values in (_around_examples(bound, 300, rng, spread=0.5), _wide(bound, 300, rng)):
            arrays = [np.asarray(values[p.name], dtype=float) for p in bound.params]
            with np.errstate(all="ignore"):
                try:
                    expected = np.broadcast_to(np.asarray(fn(*arrays), dtype=float), arrays[0].shape)
                except NotFloat:
                    continue
                try:
                    got = program(*arrays, out=np.empty(arrays[0].shape))
                except NotFloat:  # (the caller then runs the original code)
                    continue
            assert _same_bits(got, expected), f"{bound.id} {name}"


def test_evaluate_through_programs_is_unchanged(monkeypatch):
    """``evaluate`` and ``signed_log`` on grids past :data:`linear.PROGRAM_FROM` give the bits they gave without."""
    rng = np.random.default_rng(11)
    for bound in CLOSED[::9]:
        values = _around_examples(bound, 700, rng, spread=0.25)
        monkeypatch.setattr(linear, "PROGRAM_FROM", 512)
        with_programs = bound.signed_log(check=False, **values)
        monkeypatch.setattr(linear, "PROGRAM_FROM", float("inf"))
        without = bound.signed_log(check=False, **values)
        assert _same_bits(with_programs.log, without.log), bound.id
        assert _same_bits(np.broadcast_to(with_programs.sign, without.log.shape),
                          np.broadcast_to(without.sign, without.log.shape)), bound.id


def _f(x, y):
    t = np.sqrt(x)
    u = x * y
    return 2.0 * t * y + np.log(u) / t - u


def test_buffers_are_reused_only_when_dead():
    program = block_program(_f, {"np": np})
    x, y = np.array([1.0, 4.0, 9.0, 0.5]), np.array([1.0, 2.0, 3.0, 7.0])
    assert _same_bits(program(x, y, out=np.empty(4)), _f(x, y))
    assert program.registers <= 3  # five intermediate values in at most three buffers and the output
    assert "out=x" not in program.source and "out=y" not in program.source  # inputs are never written over


def test_broadcast_inputs_and_single_values():
    program = block_program(_f, {"np": np})
    column, row = np.linspace(1, 5, 6)[:, None], np.linspace(0.5, 2, 4)[None, :]
    assert _same_bits(program(column, row, out=np.empty((6, 4))), _f(column, row))
    assert _same_bits(program(np.array(3.0), row, out=np.empty((1, 4))), _f(np.array(3.0), row))
    assert _same_bits(program(2.0, row, out=np.empty((1, 4))), _f(2.0, row))


def test_code_it_does_not_understand_is_left_alone():
    def comparison(x):
        return np.where(x > 1, x, 2 * x)

    def subscript(x):
        return x[0] * x

    def tuple_result(x):
        return x, x

    for fn in (comparison, subscript, tuple_result, np.log):
        assert block_program(fn, {"np": np}) is None


def test_constants_and_bare_results():
    def constant_subexpressions(x):
        c = np.log(2.0) * 3
        return x * c + c

    def bare_input(x):
        return x

    x = np.array([1.0, 2.0, 3.0])
    for fn in (constant_subexpressions, bare_input):
        program = block_program(fn, {"np": np})
        out = np.empty(3)
        assert _same_bits(program(x, out=out), fn(x))
        assert out is not x


def test_a_helper_answering_integers_is_refused():
    def helper(x):
        return np.ones(np.shape(x), dtype=np.int64)

    def fn(x):
        return helper(x) * x

    program = block_program(fn, {"helper": helper, "np": np})
    with pytest.raises(NotFloat):
        program(np.array([1.0, 2.0]), out=np.empty(2))


def test_threads_and_nested_calls_take_their_own_buffers():
    inner = block_program(_f, {"np": np})

    def nested(x, y):
        return inner(x, y, out=np.empty(np.shape(x))) + x * y

    outer = block_program(_calls_a_helper, {"helper": nested, "np": np})
    x, y = np.linspace(1, 9, 5000), np.linspace(0.1, 3, 5000)
    assert _same_bits(outer(x, y, out=np.empty(5000)), nested(x, y) * 2.0 + x)
    errors = []

    def work(seed):
        r = np.random.default_rng(seed)
        for _ in range(50):
            a, b = r.uniform(1, 9, 20000), r.uniform(0.1, 3, 20000)
            if not _same_bits(inner(a, b, out=np.empty(20000)), _f(a, b)):
                errors.append(seed)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(isinstance(b, np.ndarray) for b in scratch.free)


def _calls_a_helper(x, y):
    return helper(x, y) * 2.0 + x  # noqa: F821 (the program's namespace gives it)


def test_the_pool_keeps_no_huge_buffers():
    import tbounds.bounds.blockcode as blockcode

    program = block_program(_f, {"np": np})
    x = np.linspace(1, 2, blockcode.KEEP_AT_MOST + 1)
    program(x, x, out=np.empty(x.shape))
    assert all(b.size <= blockcode.KEEP_AT_MOST for b in scratch.free)


def test_an_array_squared_is_numpy_s_square():
    """``x**2`` of an array is what ndarray.__pow__ makes of it (square, bit for bit), not the slower power loop."""
    def squares(x, y):
        return x**2 + (x * y)**2 + 2**x

    program = block_program(squares, {"np": np})
    assert program.source.count("_np.square(") == 2 and "_np.power(2, " in program.source
    x, y = np.random.default_rng(0).uniform(-1e3, 1e3, (2, 1000))
    assert _same_bits(program(x, y, out=np.empty(1000)), squares(x, y))
