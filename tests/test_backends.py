"""Sweeps on every backend give the same rows; failures are recorded; lost workers are retried.

Real engines, small sweeps: a pool of 2 processes, a Dask LocalCluster of 2 worker processes,
and submitit's local executor (subprocesses standing in for SLURM jobs).
"""

from __future__ import annotations

import pickle
import signal
import os
import sys

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical import runner
from tbounds.empirical.backends import Job, Processes, Serial, Slurm, WorkerSettings, make_backend, run_job
from tbounds.empirical.errors import BackendError
from tbounds.empirical.experiment import get_family
from tbounds.empirical.store import Store

from . import sweep_units as toy

MEMO = get_family("memorization")
EXPERIMENTS = MEMO.select(["lemmas", "size_vs_N"])
PROFILE = MEMO.profile("tiny", N_values=(4, 8))


def _rows(results):
    """What a row says, without when it was made or how long it took."""
    return {key: (row.experiment, row.config, row.result, row.seed) for key, row in results.rows.items()}


@pytest.fixture(scope="module")
def serial_rows():
    results = runner.run(EXPERIMENTS, PROFILE, Store(":memory:"))
    assert results.fresh == len(results.rows) == 3 and not results.errors
    return _rows(results)


def test_processes_and_a_dask_local_cluster_give_the_serial_rows(serial_rows, tmp_path):
    pytest.importorskip("distributed")
    with Store(tmp_path / "p.sqlite") as store:
        processes = runner.run(EXPERIMENTS, PROFILE, store, backend=make_backend("processes", workers=2))
    assert _rows(processes) == serial_rows and processes.fresh == 3
    with Store(tmp_path / "p.sqlite") as store:  # written as they arrived: the store has them all
        assert {k: (r.experiment, r.config, r.result, r.seed) for k, r in store.get_many(serial_rows).items()} \
            == serial_rows
    dask = runner.run(EXPERIMENTS, PROFILE, Store(tmp_path / "d.sqlite"), backend=make_backend("dask", workers=2))
    assert _rows(dask) == serial_rows and dask.fresh == 3


def test_killing_a_dask_worker_mid_sweep_loses_nothing(tmp_path):
    pytest.importorskip("distributed")
    backend = make_backend("dask", workers=2)
    killed = []

    def kill_a_busy_worker(row):
        if killed:
            return
        busy = [address for address, keys in backend.client.processing().items() if keys]
        address = busy[0] if busy else next(iter(backend.worker_pids()))
        pid = backend.worker_pids()[address]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    store = Store(tmp_path / "kill.sqlite")
    results = runner.run([toy.SQUARES], (6, 1.0), store, backend=backend, on_row=kill_a_busy_worker)
    assert killed
    assert not results.errors and results.fresh == 6
    assert sorted(row.result["y"] for row in results.rows.values()) == [x * x for x in range(6)]
    assert len(store) == 6 and store.claims() == {}


def test_submitit_local_executor_runs_units(tmp_path):
    pytest.importorskip("submitit")
    lemmas = MEMO.select(["lemmas"])
    expected = _rows(runner.run(lemmas, PROFILE, Store(":memory:")))
    backend = Slurm(folder=str(tmp_path / "jobs"), cluster="local", workers=2, time_limit=5, poll=0.2)
    results = runner.run(lemmas, PROFILE, Store(tmp_path / "s.sqlite"), backend=backend)
    assert _rows(results) == expected and results.fresh == len(expected) and not results.errors


def test_a_failing_unit_is_a_recorded_error_and_the_sweep_goes_on(tmp_path):
    store = Store(tmp_path / "f.sqlite")
    failures = []
    results = runner.run([toy.FAILING], (5, 0.0), store, on_error=failures.append)
    assert sorted(r.result["y"] for r in results.rows.values()) == [0, 1, 4, 16]
    [failure] = results.errors
    assert failures == [failure] and failure.config["x"] == 3
    assert failure.error == "ValueError: three is not allowed second line"  # one line
    assert "toy.failing" in failure.describe() and "x=3" in failure.describe()
    assert len(store) == 4 and store.claims() == {}  # nothing stored for it, its claim released
    again = runner.run([toy.FAILING], (5, 0.0), store)
    assert again.fresh == 0 and len(again.errors) == 1  # a rerun retries only the failed unit


def test_a_lost_process_worker_is_replaced_and_its_unit_retried(tmp_path):
    marker = tmp_path / "died"
    from tbounds.empirical.experiment import Context

    results = runner.run([toy.DYING], (4, 0.0), Store(tmp_path / "l.sqlite"), Context(extra={"marker": str(marker)}),
                         backend=Processes(workers=2))
    assert marker.exists()  # unit 2 did kill its worker once
    assert not results.errors and sorted(r.result["y"] for r in results.rows.values()) == [0, 1, 4, 9]


def test_an_interrupted_sweep_cancels_the_backend_and_releases_its_claims(tmp_path):
    class Interrupted(Serial):
        cancelled = False

        def wait(self, timeout):
            outcomes = super().wait(timeout)
            if outcomes and outcomes[0].job.unit.x == 2:
                raise KeyboardInterrupt
            return outcomes

        def cancel(self):
            Interrupted.cancelled = True
            super().cancel()

    store = Store(tmp_path / "i.sqlite")
    with pytest.raises(KeyboardInterrupt):
        runner.run([toy.SQUARES], (5, 0.0), store, backend=Interrupted())
    assert Interrupted.cancelled and len(store) == 2 and store.claims() == {}
    assert runner.run([toy.SQUARES], (5, 0.0), store).fresh == 3


def test_run_job_sets_threads_and_turns_an_exception_into_an_error():
    import torch

    job = Job("k", "toy.failing", toy.Toy(3), toy.fails_on_three)
    job = pickle.loads(pickle.dumps(job))  # what a worker receives
    result, seconds, error = run_job(job, WorkerSettings(threads=1))
    assert result is None and error.startswith("ValueError") and torch.get_num_threads() == 1
    result, _, error = run_job(Job("k", "toy.squares", toy.Toy(4), toy.square), WorkerSettings(threads=1))
    assert result["y"] == 16 and error is None


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "ray"}, "unknown backend 'ray'"),
    ({"name": "serial", "workers": 2}, "--workers needs a parallel backend"),
    ({"name": "processes", "scheduler": "tcp://h:8786"}, "--scheduler belongs to the dask backend"),
    ({"name": "dask", "scheduler": "tcp://h:8786", "workers": 2}, "give one of them"),
    ({"name": "processes", "partition": "gpu"}, "--partition belongs to the slurm backend"),
    ({"name": "processes", "workers": -1}, "--workers must be a positive integer"),
])
def test_backend_options_are_checked_with_one_line_errors(kwargs, message):
    with pytest.raises(BackendError) as info:
        make_backend(kwargs.pop("name"), **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("backend, module, extra", [("dask", "distributed", "dask"), ("slurm", "submitit", "slurm")])
def test_a_missing_extra_is_one_line_naming_the_install_command(backend, module, extra, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)  # as if the extra were not installed
    done = CliRunner().invoke(cli, ["run", "memorization", "--backend", backend, "--store", str(tmp_path / "s.sqlite")])
    assert done.exit_code == 2
    assert done.output.strip() == (f"Error: the {backend} backend needs the optional extra tbounds[{extra}]; "
                                   f"install it with pip install 'tbounds[{extra}]'")


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    pytest.importorskip("distributed")
    store = Store(tmp_path / "u.sqlite")
    backend = make_backend("dask", scheduler="tcp://127.0.0.1:9")
    backend.connect_timeout = 2.0  # a closed port: no need to wait the default 20 s
    with pytest.raises(BackendError) as info:
        runner.run([toy.SQUARES], (1, 0.0), store, backend=backend)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in str(info.value)
    assert "\n" not in str(info.value) and store.claims() == {}


def test_the_cli_names_failed_units_in_its_summary_and_exits_1(tmp_path, monkeypatch):
    from tbounds.empirical.memorization import units

    def broken(unit, ctx):
        if unit.N == 30:
            raise RuntimeError("out of luck")
        return {"b1": {}, "b2": {}, "holds": True}

    monkeypatch.setattr(units, "run_lemma", broken)
    config = tmp_path / "sweep.toml"
    config.write_text('profile = "tiny"\nonly = ["lemmas"]\n[parameters]\nlemma_cases = [[20, 4, 10], [30, 4, 10]]\n')
    done = CliRunner().invoke(cli, ["run", "memorization", "--config", str(config), "--store", str(tmp_path / "s.sqlite"),
                                    "--format", "csv"])
    assert done.exit_code == 1
    assert "Error: 1 memorization unit failed" in done.output
    assert "memorization.lemmas [M=4 N=30 seed=0 support=10 version=1]: RuntimeError: out of luck" in done.output
    assert "Traceback" not in done.output
