"""The contract every registered experiment passes, like scikit-learn's ``parametrize_with_checks``.

A new family passes or fails the same checks: its units are frozen, hashable and picklable
with content keys that are stable across processes, and each unit travels with its ``run_unit``
to a worker process by pickle (the processes, Dask and SLURM backends); its profiles exist; a tiny unit of each
experiment runs, gives a JSON-ready result, and its row round-trips through the store; its
comparison has the shared shape; its CLI module names the same experiments; and every error
the package can raise survives pickling (a worker process sends errors back to the driver).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import pickle
import pkgutil
import subprocess
import sys

import pytest

import tbounds.bounds
import tbounds.empirical
from tbounds.bounds.errors import ParameterError, TboundsError
from tbounds.cli.families import load as load_cli
from tbounds.cli.options import EXPERIMENT_OPTIONS
from tbounds.empirical import runner
from tbounds.empirical.comparison import RELATION_FIELDS, Comparison, Relation
from tbounds.empirical.experiment import config_key, family_names, get_family
from tbounds.empirical.store import Store
from tbounds.bounds.record import STATUSES

FAMILIES = [get_family(name) for name in family_names()]
EXPERIMENTS = [(family, e) for family in FAMILIES for e in family.experiments]
PROFILES = ("quick", "paper", "tiny")


def _ids(pairs):
    return [e.name for _, e in pairs]


# ``tiny_runs`` (every family's tiny profile, run once into a store on disk) is in conftest.py: the
# report tests read the same store.


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_family_has_every_profile_and_a_cli_module(family):
    assert set(PROFILES) <= set(family.profiles)
    assert all(family.profiles[p].name == p for p in PROFILES)
    spec = load_cli(family.name)
    assert tuple(spec.EXPERIMENTS) == tuple(e.short_name for e in family.experiments)
    shared = {o(lambda: None).__click_params__[0].name for o in EXPERIMENT_OPTIONS}
    own = {o(lambda: None).__click_params__[0].name for o in spec.OPTIONS}
    assert not shared & own, f"{family.name} redefines shared options {shared & own}"


@pytest.mark.parametrize("family, experiment", EXPERIMENTS, ids=_ids(EXPERIMENTS))
def test_units_are_frozen_hashable_picklable_with_stable_keys(family, experiment):
    assert experiment.family == family.name
    for name in PROFILES:
        units = experiment.units(family.profiles[name])
        assert units or name == "paper", f"the {name} profile gives {experiment.name} no unit"
        for unit in units:
            assert dataclasses.is_dataclass(unit) and type(unit).__dataclass_params__.frozen
            field = dataclasses.fields(unit)[0].name
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(unit, field, getattr(unit, field))
            hash(unit)
            again = pickle.loads(pickle.dumps(unit))
            assert again == unit and config_key(again) == config_key(unit)


@pytest.mark.parametrize("family, experiment", EXPERIMENTS, ids=_ids(EXPERIMENTS))
def test_units_and_run_unit_pickle_for_a_worker(family, experiment):
    """Every backend but serial sends (unit, run_unit) to a worker by pickle: a lambda or a closure fails here."""
    from tbounds.empirical.backends import Job

    for unit in experiment.units(family.profiles["tiny"]):
        job = Job(config_key(unit), experiment.name, unit, experiment.run_unit)
        again = pickle.loads(pickle.dumps(job))
        assert again.unit == unit and again.run_unit is experiment.run_unit


@pytest.fixture(scope="module")
def fresh_process_keys() -> dict:
    """Every family's quick-profile content keys, computed in ONE fresh process (another hash seed)."""
    code = ("import json\nfrom tbounds.empirical.experiment import get_family, config_key, family_names\n"
            "print(json.dumps({name: [config_key(u) for e in get_family(name).experiments "
            "for u in e.units(get_family(name).profiles['quick'])] for name in family_names()}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONHASHSEED": "123"})
    return json.loads(done.stdout)


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_content_keys_are_the_same_in_a_fresh_process(family, fresh_process_keys):
    keys = [config_key(u) for e in family.experiments for u in e.units(family.profiles["quick"])]
    assert fresh_process_keys[family.name] == keys


@pytest.mark.parametrize("family, experiment", EXPERIMENTS, ids=_ids(EXPERIMENTS))
def test_a_tiny_unit_runs_and_its_row_round_trips(family, experiment, tiny_runs):
    path, runs = tiny_runs
    profile, results = runs[family.name]
    finished = results.of(experiment)
    assert finished and len(finished) == len(experiment.units(profile))
    with Store(path) as store:
        for unit, row in finished:
            json.dumps(row.result, allow_nan=False)  # strict JSON: no NaN or infinity passed off as a number
            stored = store.get(config_key(unit))
            assert stored.result == row.result and stored.config == dataclasses.asdict(unit) | stored.config
            assert stored.experiment in {e.name for e in family.experiments}


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_comparison_has_the_shared_shape(family, tiny_runs):
    _, runs = tiny_runs
    profile, results = runs[family.name]
    comparison = family.compare(results, profile)
    assert isinstance(comparison, Comparison) and comparison.family == family.name
    data = comparison.to_dict()
    json.dumps(data)
    assert {"family", "profile", "rows", "relations"} <= set(data)
    assert set(data) - {"family", "profile", "rows", "relations"} <= {family.name}
    assert all(isinstance(r, dict) for r in data["rows"])
    assert comparison.relations, f"{family.name} states no relation on its tiny run"
    for relation in comparison.relations:
        assert isinstance(relation, Relation)
        assert tuple(relation.to_dict()) == RELATION_FIELDS
        assert all(relation.to_dict()[k] for k in ("relation", "measured", "theory", "verdict"))
        assert all(status in STATUSES for _, status in relation.bounds)
    assert isinstance(family.measurements(results), list)
    empty = family.compare(runner.run(family.experiments, profile, Store(":memory:"), execute=False), profile)
    assert empty.rows == [] and empty.relations == []


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_every_task_prints_examples_with_one_target_per_position(family):
    assert family.tasks, f"{family.name} registers no task for `tbounds data`"
    for task in family.tasks:
        first = task.examples(count=2, seed=1, **task.settings)
        assert len(first) == 2 and first == task.examples(count=2, seed=1, **task.settings)  # seeded
        for example in first:
            assert set(example) == {"input", "target"} and len(example["input"]) == len(example["target"])
            json.dumps(example, allow_nan=False)


def _all_errors():
    for package in (tbounds.bounds, tbounds.empirical):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    seen, stack = [], [TboundsError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


@pytest.mark.parametrize("error", _all_errors(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_errors_pickle(error):
    instance = error("--seed", "must be an integer", got=-1) if issubclass(error, ParameterError) \
        else error("a one-line message")
    again = pickle.loads(pickle.dumps(instance))
    assert type(again) is error and str(again) == str(instance)
