"""Concurrent sweeps on one store share the units (claims), never write a row twice, and survive kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tbounds.empirical import runner
from tbounds.empirical.store import Row, Store, owner_id

from . import sweep_units as toy

ROOT = Path(__file__).resolve().parent.parent


def _sweep(store, count, seconds, *ready, backend="serial"):
    return subprocess.Popen([sys.executable, "-m", "tests.sweep_units", str(store), str(count), str(seconds),
                             *map(str, ready)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TBOUNDS_THREADS": "1", "TOY_BACKEND": backend})


def _wait_for_rows(path, at_least, seconds=240):
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(0.1)
        if path.exists():
            with sqlite3.connect(path, timeout=30) as db:
                try:
                    if db.execute("SELECT COUNT(*) FROM rows").fetchone()[0] >= at_least:
                        return
                except sqlite3.OperationalError:  # the table is not made yet
                    pass
    raise AssertionError(f"the sweep wrote fewer than {at_least} rows in {seconds} s")


def test_a_claim_is_exclusive_until_its_owner_dies_or_stops_beating(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    me, other = owner_id(), owner_id()
    assert store.claim("k", me) == "claimed" and store.claim("k", me) == "claimed"
    assert store.claim("k", other) == "busy"
    assert store.claim("k", other, lease=0.0) == "claimed"  # my heartbeat is older than a zero lease
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ghost = owner_id().replace(f":{os.getpid()}:", f":{dead.stdout.strip()}:")  # a finished process on this host
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE claims SET owner = ?, beat = ? WHERE key = 'k'", (ghost, time.time()))
    assert store.claim("k", me) == "claimed"  # its pid is gone: free at once, lease or not
    first = store.finish(Row.make("k", "demo", {}, {"v": 1}), me)
    second = store.finish(Row.make("k", "demo", {}, {"v": 2}), other)  # a late duplicate keeps the first row
    assert first.result == second.result == {"v": 1} and len(store) == 1 and store.claims() == {}
    assert store.claim("k", other) == "done"


def test_two_processes_share_one_sweep_without_duplicating_a_unit(tmp_path):
    path = tmp_path / "shared.sqlite"
    count = 12
    a = _sweep(path, count, 0.4, tmp_path / "a.ready", tmp_path / "b.ready")
    b = _sweep(path, count, 0.4, tmp_path / "b.ready", tmp_path / "a.ready")
    out_a, _ = a.communicate(timeout=300)
    out_b, _ = b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0
    trained_a, trained_b = set(out_a.split()), set(out_b.split())
    assert trained_a and trained_b, "both runs should have trained a share"
    assert not trained_a & trained_b  # no unit trained twice
    with Store(path) as store:
        assert len(store) == count and trained_a | trained_b == store.keys("toy.squares")
        assert store.claims() == {}


def test_kill_9_mid_sweep_loses_nothing_finished_and_a_rerun_takes_over(tmp_path):
    path = tmp_path / "killed.sqlite"
    count = 10
    sweep = _sweep(path, count, 0.5)
    _wait_for_rows(path, 3)
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    assert sweep.returncode == -signal.SIGKILL
    with Store(path) as store:
        before = {row.key: row for row in store.rows()}
        assert 3 <= len(before) < count
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(store.claims()) <= 1  # the unit it was training when killed
        results = runner.run([toy.SQUARES], (count, 0.5), store)  # the same units
        assert results.fresh == count - len(before)  # the dead run's claim was taken over at once
        assert len(store) == count and store.claims() == {}
        for key, row in before.items():
            assert store.get(key) == row  # every finished row is there, unchanged


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_ctrl_c_cancels_outstanding_units_and_keeps_what_finished(tmp_path, backend):
    path = tmp_path / "interrupted.sqlite"
    count = 20
    sweep = _sweep(path, count, 1.0, backend=backend)
    _wait_for_rows(path, 2)
    sweep.send_signal(signal.SIGINT)
    _, err = sweep.communicate(timeout=60)  # cancelled, not run to the end (20 more seconds of units)
    assert sweep.returncode != 0 and "KeyboardInterrupt" in err
    with Store(path) as store:
        kept = len(store)
        assert 2 <= kept < count and store.claims() == {}  # finished rows kept, claims released
        assert all(row.result["y"] == row.config["x"] ** 2 for row in store.rows())


def test_process_workers_end_when_their_driver_is_killed(tmp_path):
    path = tmp_path / "orphans.sqlite"
    sweep = _sweep(path, 20, 1.0, backend="processes")
    _wait_for_rows(path, 1)
    workers = subprocess.run(["ps", "-o", "pid=", "--ppid", str(sweep.pid)], capture_output=True, text=True)
    family = {int(p) for p in workers.stdout.split()}  # the forkserver (and resource tracker); workers are its children
    for pid in list(family):
        more = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
        family |= {int(p) for p in more.stdout.split()}
    assert len(family) >= 3  # forkserver, 2 workers
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    deadline = time.time() + 60
    alive = family
    while alive and time.time() < deadline:
        time.sleep(0.5)
        alive = {pid for pid in alive if _running(pid)}
    assert not alive, f"processes left running after their driver was killed: {sorted(alive)}"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
