"""Regression tests for the outside audit (issue 13): each case it found, as it was found."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import tbounds.bounds as bounds
from tbounds.bounds.errors import ParameterError, SolveError, TboundsError, UnknownBoundError
from tbounds.bounds.grid import product_grid
from tbounds.cli.main import cli
from tbounds.cli.render import format_number, to_json

HARD = "kajitsuka2025.seq2seq.lower_hardmax"


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def one_line_error(result, *words):
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    for w in words:
        assert w in lines[0], lines[0]


# ----------------------------------------------------------------------------- item 4: exact integer edge
def _exact(bound, **values):
    subs = {p.symbol: sp.Integer(int(values[p.name])) if float(values[p.name]).is_integer()
            else sp.Float(values[p.name], 30) for p in bound.params}
    return sp.N(bound.expr.subs(subs), 40)


def test_solve_on_an_integer_is_the_exact_edge():
    b = bounds.get(HARD)
    s = bounds.solve(b, "N", 1e6, n=512)
    assert _exact(b, N=s.value, n=512) <= 10 ** 6 < _exact(b, N=s.value + 1, n=512)
    assert s.value == 981994599777  # the audit's 981994599779 already exceeds the target


def test_solve_many_agrees_with_solve():
    b = bounds.get(HARD)
    targets = np.geomspace(10, 1e7, 40)
    many = bounds.solve_many(b, "N", targets, n=512)
    assert [s.value for s in many] == [bounds.solve(b, "N", float(t), n=512).value for t in targets]


# ----------------------------------------------------------------------------- item 7: no traceback
def test_crossover_past_the_float_range_is_one_line():
    one_line_error(run("crossover", "sanford2024.khop.lower", "wang2020.linformer.failure_probability", "--for", "k",
                       "--example"), "no crossover", "10^")


@pytest.mark.parametrize("extra,word", [(["--range", "1:nan"], "--range"), (["--range", "5:1"], "--range"),
                                        (["--nonvacuous-at", "nan"], "--nonvacuous-at")])
def test_crossover_refuses_nan_ranges_and_levels(extra, word):
    one_line_error(run("crossover", "sanford2024.khop.lower", "wang2020.linformer.failure_probability", "--for", "k",
                       "--example", *extra), word)


def test_more_than_32_parameters():
    grid = product_grid({f"x{i}": [1.0, 2.0] if i < 2 else [1.0] for i in range(40)})
    assert len(grid) == 40 and grid["x0"].tolist() == [1, 1, 2, 2] and grid["x1"].tolist() == [1, 2, 1, 2]
    chosen = bounds.select(family="generalization")
    names = {}
    for b in chosen:
        for p in b.params:
            names.setdefault(p.name, p.example)
    assert len(names) > 32
    args = [a for n, v in names.items() for a in ("-p", f"{n}={v}")]
    result = run("eval", *[b.id for b in chosen], *args, "--format", "csv")
    assert result.exit_code == 0, result.output


def test_threads_variable_must_be_an_integer(monkeypatch):
    from tbounds.empirical.device import set_threads
    from tbounds.empirical.errors import ConfigError

    monkeypatch.setenv("TBOUNDS_THREADS", "abc")
    with pytest.raises(ConfigError, match="TBOUNDS_THREADS"):
        set_threads(None)


@pytest.mark.parametrize("lr", [math.nan, 1e308, -1.0, math.inf])
def test_learning_rate_must_be_finite_and_sane(lr):
    from tbounds.empirical.errors import ConfigError
    from tbounds.empirical.generalization.units import Setup

    with pytest.raises(ConfigError, match="--lr"):
        Setup(lr=lr)


def test_seeds_of_any_size_make_generators():
    from tbounds.empirical.seeds import generator

    top = 2 ** 63 - 1
    assert generator(top).initial_seed() == top  # in range: the stream is unchanged
    generator(7919 * top + 17)  # derived seeds past 2^64 fold instead of overflowing
    generator(1_000_003 * 2 + top)


def _malformed_checkpoints():
    import torch

    from tbounds.empirical.generalization.checkpoint import FORMAT

    spec = {"d": 4, "k": 4, "parametrisation": "full", "activation": "relu"}
    return {
        "list params": {"format": FORMAT, "spec": spec, "params": [1, 2]},
        "int weight": {"format": FORMAT, "spec": spec, "params": {"WV": 3, "w": torch.ones(4)}},
        "non-string keys": {1: torch.ones(3, 3), "out_proj.weight": torch.ones(3, 3)},
        "empty matrices": {"in_proj_weight": torch.ones(0, 0), "out_proj.weight": torch.ones(0, 0)},
        "int in_proj": {"in_proj_weight": 5, "out_proj.weight": torch.ones(3, 3)},
        "tensor format": {"format": torch.ones(2), "in_proj_weight": torch.ones(6, 2),
                          "out_proj.weight": torch.ones(2, 2) * float("nan")},
    }


@pytest.mark.parametrize("name", list(_malformed_checkpoints()))
def test_malformed_checkpoints_are_one_line_errors(name, tmp_path):
    import torch

    from tbounds.empirical.generalization.checkpoint import CheckpointError, load_heads

    path = tmp_path / "bad.pt"
    torch.save(_malformed_checkpoints()[name], path)
    with pytest.raises(CheckpointError) as info:
        load_heads(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["{bad", "null", "[]", "3"])
def test_a_corrupt_store_row_is_missing_with_a_warning(text, tmp_path):
    from tbounds.empirical.store import CorruptRowWarning, Row, Store

    store = Store(tmp_path / "s.sqlite")
    store.put(Row.make("k1", "demo", {"N": 4}, {"ok": 1}))
    store.put(Row.make("k2", "demo", {"N": 8}, {"ok": 2}))
    with store._db:
        store._db.execute("UPDATE rows SET result = ? WHERE key = 'k1'", (text,))
    with pytest.warns(CorruptRowWarning):
        assert store.get("k1") is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptRowWarning)
        assert not store.has("k1") and store.has("k2")
        assert [r.key for r in store.rows("demo")] == ["k2"]
        assert set(store.get_many(["k1", "k2"])) == {"k2"}


# ----------------------------------------------------------------------------- item 8: no NaN
def test_json_writes_infinity_explicitly():
    rows = json.loads(run("eval", "yun2020.value_ff_layers.for_eps", "--example", "-p", "eps=1e-6", "-p", "n=100",
                          "-p", "d=10", "--format", "json").output)
    assert rows[0]["value"] == "inf" and rows[0]["log10_value"] > 308
    assert json.loads(to_json([float("-inf"), float("nan")])) == ["-inf", None]


def test_a_log10_past_2_53_prints_a_power_only():
    assert format_number(float("inf"), 1e20) == "10^1e+20"
    assert format_number(float("inf"), 450.5) == "3.1623e+450"


def test_log10_of_zero_is_minus_infinity(monkeypatch):
    """A bound equal to 0 has log10 -inf (JSON "-inf"), never NaN."""
    from tbounds.bounds.logspace import Signed
    from tbounds.bounds.record import Bound
    from tbounds.bounds.tabulate import tabulate

    monkeypatch.setattr(Bound, "signed_log", lambda self, check=True, **v: Signed(np.zeros(1), np.full(1, -np.inf)))
    rows = tabulate([bounds.get(HARD)], {"N": [1000], "n": [8]})
    assert rows[0]["value"] == 0 and rows[0]["log10_value"] == -math.inf
    assert json.loads(to_json(rows))[0]["log10_value"] == "-inf"


def test_a_nan_from_a_bound_is_refused_or_absent():
    """The audit's NaN point: either the evaluator gives a number, or the CLI refuses naming the bound."""
    result = run("eval", "alberti2023.transformer.width", "-p", "n=1e78", "-p", "d=1e103", "--format", "json")
    if result.exit_code == 0:
        assert "nan" not in result.output.lower().replace('"value": null', "")
    else:
        one_line_error(result, "alberti2023.transformer.width", "NaN")


def test_fits_over_no_points_say_so():
    from tbounds.empirical.fit import slope

    fit = slope([], [])
    assert fit.describe() == "no slope (no points)"
    assert fit.to_dict()["slope"] is None and fit.to_dict()["note"] == "no points"
    assert "nan" not in fit.describe()


# ----------------------------------------------------------------------------- item 9: refuse what cannot fit
def test_a_grid_too_large_is_refused_before_allocating():
    one_line_error(run("eval", HARD, "-p", "N=lin:2:1e7:10000000", "-p", "n=8"), "1000000")


@pytest.mark.parametrize("args,word", [(["run", "memorization", "--N", "1000000000"], "2^28"),
                                       (["run", "generalization", "--n-test", "10000000"], "--n-test")])
def test_experiments_too_large_are_refused(args, word, tmp_path):
    one_line_error(run(*args, "--store", str(tmp_path / "s.sqlite")), word)


def test_the_corpus_is_streamed_and_dev_null_is_empty():
    from tbounds.empirical.errors import DataError
    from tbounds.empirical.memorization.tasks import _word_ids, text_windows, tokenize

    text = "The cat sat; on the mat 42 times.\nΣίσυφος  " * 50
    whole, _ = _word_ids([text])
    pieces, _ = _word_ids([text[i:i + 7] for i in range(0, len(text), 7)])
    assert whole.tolist() == pieces.tolist() and len(whole) == len(tokenize(text))
    with pytest.raises(DataError, match="0 words"):
        text_windows(4, 8, 4, 0, "/dev/null")


# ----------------------------------------------------------------------------- item 11: the Python API
@pytest.mark.parametrize("call,error,word", [
    (lambda b: b(N=10 ** 400, n=8), ParameterError, "'N'"),
    (lambda b: b(N=[1000, 2000, 3000], n=[8, 9]), ParameterError, "broadcast"),
    (lambda b: bounds.get(None), UnknownBoundError, "string"),
    (lambda b: bounds.solve(b, "N", [1e6], n=512), SolveError, "one number"),
    (lambda b: b(N=None, n=8), ParameterError, "'N' has no value"),
    (lambda b: b(N="1000", n=8), ParameterError, "not text"),
    (lambda b: b(N=[1000, None], n=8), ParameterError, "'N'"),
])
def test_api_raises_its_own_errors(call, error, word):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy must not warn on the way to the error
        with pytest.raises(error) as info:
            call(bounds.get(HARD))
    assert word in str(info.value) and isinstance(info.value, TboundsError)
