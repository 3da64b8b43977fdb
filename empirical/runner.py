"""One pipeline for every family: plan the units a profile needs, skip what the store has, run the rest.

:func:`run` plans the ``(experiment, unit)`` pairs of the chosen experiments (a unit shared by two
experiments is measured once), reads the store once for all their keys, sends the missing
units to a backend (:mod:`.backends`; in-process by default) and writes each result to the
store the moment it arrives, so an interrupted sweep resumes where it stopped and nothing
finished is lost. It returns :class:`Results`, from which a family's ``compare`` builds its
comparison without reading the store again.

The runner alone writes the store, whatever the backend. Before a unit goes to the backend it
is claimed in the store (:meth:`.store.Store.claim`), so two runs of the same sweep on one
store share the units instead of both training each; a unit that a live concurrent run holds
is waited for, and a dead run's claims are taken over. A unit that raises on its worker
becomes a :class:`Failure` in ``Results.errors`` and the sweep goes on.

>>> from dataclasses import dataclass
>>> from tbounds.empirical.experiment import Experiment, Family
>>> from tbounds.empirical.store import Store
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> exp = Experiment("demo.square", "x squared", units=lambda p: [Square(x) for x in p],
...                  run_unit=lambda u, ctx: {"y": u.x ** 2})
>>> store = Store(":memory:")
>>> res = run([exp], (1, 2, 3), store)
>>> [row.result["y"] for _, row in res.of(exp)], res.fresh
([1, 4, 9], 3)
>>> again = run([exp], (1, 2, 3, 4), store)
>>> again.fresh, len(again.rows)
(1, 4)
>>> run([exp], (5,), store, execute=False).missing[0].unit
Square(x=5)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .backends import Backend, Job, Serial
from .experiment import Context, Experiment, config_dict, config_key
from .store import LEASE, Row, Store, owner_id


@dataclass(frozen=True)
class Planned:
    """One unit an experiment needs, with its content key."""

    experiment: Experiment
    unit: Any
    key: str


def plan(experiments: Sequence[Experiment], profile: Any) -> list[Planned]:
    """Every (experiment, unit) pair of ``profile``, in order."""
    return [Planned(e, u, config_key(u)) for e in experiments for u in e.units(profile)]


@dataclass
class Results:
    """The rows of a plan: found in the store or measured now."""

    planned: list
    rows: dict = field(default_factory=dict)  # key -> Row
    fresh: int = 0  # rows measured by this run
    errors: list = field(default_factory=list)  # Failure of each unit that raised

    def of(self, experiment: Experiment) -> list[tuple[Any, Row]]:
        """``(unit, row)`` of one experiment's finished units, in plan order."""
        return [(p.unit, self.rows[p.key]) for p in self.planned
                if p.experiment.name == experiment.name and p.key in self.rows]

    def finished(self) -> list[tuple[Planned, Row]]:
        return [(p, self.rows[p.key]) for p in self.planned if p.key in self.rows]

    @property
    def missing(self) -> list[Planned]:
        return [p for p in self.planned if p.key not in self.rows]

    @property
    def units(self) -> int:
        """Distinct units planned (a unit shared by experiments counts once)."""
        return len({p.key for p in self.planned})


def run(experiments: Sequence[Experiment], profile: Any, store: Store, context: Optional[Context] = None, *,
        backend: Optional[Backend] = None, execute: bool = True,
        on_start: Optional[Callable[[int, int], None]] = None,
        on_row: Optional[Callable[[Row], None]] = None,
        on_error: Optional[Callable[["Failure"], None]] = None,
        lease: float = LEASE, poll: float = 0.5) -> Results:
    """Measure what the store lacks (unless ``execute`` is False) and return every planned row.

    ``on_start(missing, total)`` is called once before any unit runs, ``on_row(row)`` for each
    row as it arrives (measured here, or finished meanwhile by a concurrent run on the same
    store), ``on_error(failure)`` for each unit that failed (recorded in ``Results.errors``;
    the sweep goes on). Units are claimed in the store one at a time as the backend has room,
    so concurrent runs share the work; on any interruption the outstanding units are cancelled
    and this run's claims released.
    """
    context = context or Context()
    planned = plan(experiments, profile)
    results = Results(planned, store.get_many({p.key for p in planned}))
    todo, seen = [], set()
    for p in results.missing:
        if p.key not in seen:
            seen.add(p.key)
            todo.append(Job(p.key, p.experiment.name, p.unit, p.experiment.run_unit))
    if on_start:
        on_start(len(todo), results.units)  # the units missing from the store, run or not (--no-run)
    if not execute or not todo:
        return results
    backend = backend or Serial()
    owner = owner_id()
    sweep = _Claims(store, owner, todo, lease)

    def arrived(row: Row, fresh: bool) -> None:
        results.rows[row.key] = row
        results.fresh += fresh
        if on_row:
            on_row(row)

    with _Heartbeat(store, owner, lease):
        try:
            backend.start(context)
            while True:
                while backend.pending() < backend.capacity():
                    job = sweep.next_job(arrived)
                    if job is None:
                        break
                    backend.submit(job)
                if not backend.pending():
                    if sweep.exhausted():
                        break
                    time.sleep(poll)  # the rest is claimed by live concurrent runs: wait for their rows
                    sweep.recheck(arrived)
                    continue
                for outcome in backend.wait(poll):
                    job = outcome.job
                    if outcome.error is not None:
                        store.release(owner, job.key)
                        failure = Failure(job.key, job.experiment, config_dict(job.unit), outcome.error)
                        results.errors.append(failure)
                        if on_error:
                            on_error(failure)
                        continue
                    row = Row.make(job.key, job.experiment, config_dict(job.unit), outcome.result,
                                   seed=getattr(job.unit, "seed", context.seed), device=str(context.device),
                                   seconds=outcome.seconds)
                    stored = store.finish(row, owner)  # committed now: an interruption after this loses nothing
                    arrived(stored, stored is row)
        except BaseException:
            backend.cancel()
            raise
        finally:
            backend.close()
            store.release(owner)
    return results


@dataclass(frozen=True)
class Failure:
    """A unit that raised on its worker: the sweep went on without it (nothing is stored for it)."""

    key: str
    experiment: str
    config: dict
    error: str

    def describe(self) -> str:
        fields = " ".join(f"{k}={v}" for k, v in self.config.items() if not isinstance(v, (list, dict)))
        return f"{self.experiment} [{fields}]: {self.error}"


class _Claims:
    """The units this run still needs, claimed in the store one at a time (see :meth:`Store.claim`)."""

    def __init__(self, store: Store, owner: str, jobs: list, lease: float):
        self.store, self.owner, self.lease = store, owner, lease
        self.todo = list(jobs)  # not yet claimed by this run
        self.busy: list = []  # held by a live concurrent run when last asked

    def next_job(self, arrived) -> Optional[Job]:
        """The next unit this run claimed, or None when none is free now."""
        while self.todo:
            job = self.todo.pop(0)
            state = self.store.claim(job.key, self.owner, self.lease)
            if state == "claimed":
                return job
            if state == "done":
                arrived(self.store.get(job.key), False)
            else:
                self.busy.append(job)
        return None

    def recheck(self, arrived) -> None:
        """Units held by others go back on the list: finished ones arrive, stale claims get taken over."""
        self.todo, self.busy = self.busy, []

    def exhausted(self) -> bool:
        return not self.todo and not self.busy


class _Heartbeat:
    """Renews this run's claims every ``lease / 4`` seconds from a thread with its own connection.

    A thread, so that a long unit on the serial backend does not let the claims go stale.
    """

    def __init__(self, store: Store, owner: str, lease: float):
        self.path, self.owner, self.every = store.path, owner, max(0.05, lease / 4)
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        if self.path != ":memory:":  # an in-memory store has no other process to share with
            self._thread = threading.Thread(target=self._beat, name="tbounds-heartbeat", daemon=True)
            self._thread.start()
        return self

    def _beat(self) -> None:
        store = Store(self.path)
        try:
            while not self._stop.wait(self.every):
                try:
                    store.heartbeat(self.owner)
                except Exception:  # a locked store now: the next beat tries again, well within the lease
                    pass
        finally:
            store.close()

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
