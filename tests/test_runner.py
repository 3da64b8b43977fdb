"""The engine's pipeline: content keys, the store, and the runner that plans, skips, runs and writes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tbounds.empirical.experiment import Experiment, config_key
from tbounds.empirical.runner import plan, run
from tbounds.empirical.store import Row, Store


@dataclass(frozen=True)
class Unit:
    x: int
    seed: int = 0


def squares(calls=None, fail_at=None):
    def work(unit, ctx):
        if calls is not None:
            calls.append(unit.x)
        if fail_at is not None and unit.x == fail_at and calls.count(fail_at) == 1:
            raise KeyboardInterrupt
        return {"y": unit.x * 10}

    return Experiment("demo.squares", "demo", units=lambda xs: [Unit(x) for x in xs], run_unit=work)


def test_config_key_depends_on_content_only():
    assert config_key(Unit(1)) == config_key(Unit(1))
    assert config_key(Unit(1)) != config_key(Unit(2))
    assert config_key(Unit(1)) != config_key(Unit(1, seed=1))


def test_store_round_trip_and_versions(tmp_path):
    import torch

    path = tmp_path / "r.sqlite"
    with Store(path) as s:
        s.put(Row.make("k", "demo", {"a": 1}, {"b": float("inf"), "c": [1, 2]}, seed=3, device="cpu", seconds=0.5))
    again = Store(path)
    row = again.get("k")
    assert row.seed == 3 and row.result["c"] == [1, 2] and row.torch_version == torch.__version__
    assert row.tbounds_version and row.created.endswith("Z")
    assert again.keys("demo") == {"k"} and again.rows("other") == []
    assert set(again.get_many(["k", "missing"])) == {"k"}


def test_store_on_a_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(Exception) as info:
        Store(tmp_path)
    assert "directory" in str(info.value) and "\n" not in str(info.value)


def test_interrupted_sweep_resumes_without_redoing_rows(tmp_path):
    calls = []
    exp = squares(calls, fail_at=3)
    store = Store(tmp_path / "r.sqlite")
    with pytest.raises(KeyboardInterrupt):
        run([exp], [1, 2, 3, 4], store)
    assert len(store) == 2  # finished rows were committed before the interrupt
    results = run([exp], [1, 2, 3, 4], store)
    assert [row.result["y"] for _, row in results.of(exp)] == [10, 20, 30, 40]
    assert calls == [1, 2, 3, 3, 4]  # 1 and 2 were not trained again
    assert results.fresh == 2


def test_a_unit_shared_by_two_experiments_runs_once():
    calls = []
    a, b = squares(calls), squares(calls)
    b = Experiment("demo.other", "other", a.units, a.run_unit)
    results = run([a, b], [1, 2], Store(":memory:"))
    assert calls == [1, 2] and results.units == 2 and len(results.planned) == 4
    assert [row.result for _, row in results.of(b)] == [{"y": 10}, {"y": 20}]


def test_no_run_reports_what_is_missing_and_trains_nothing():
    calls = []
    exp = squares(calls)
    seen = []
    results = run([exp], [5, 6], Store(":memory:"), execute=False, on_start=lambda m, t: seen.append((m, t)))
    assert calls == [] and [p.unit.x for p in results.missing] == [5, 6] and seen == [(2, 2)]  # both missing, neither run


def test_rows_are_written_as_they_arrive():
    store = Store(":memory:")
    lengths = []
    exp = squares()
    run([exp], [1, 2, 3], store, on_row=lambda row: lengths.append(len(store)))
    assert lengths == [1, 2, 3]
    assert [p.key for p in plan([exp], [1, 2, 3])] == [config_key(Unit(x)) for x in (1, 2, 3)]
