"""One pipeline for every family: plan the units a profile needs, skip what the store has, run the rest.

:func:`run` plans the ``(experiment, unit)`` pairs of the chosen experiments (a unit shared by two
experiments is measured once), reads the store once for all their keys, sends the missing
units to a backend (:mod:`.backends`; in-process by default) and writes each result to the
store the moment it arrives, so an interrupted sweep resumes where it stopped and nothing
finished is lost. It returns :class:`Results`, from which a family's ``compare`` builds its
comparison without reading the store again.

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

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .backends import Backend, InProcess, Job
from .experiment import Context, Experiment, config_dict, config_key
from .store import Row, Store


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
    fresh: int = 0

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
        on_row: Optional[Callable[[Row], None]] = None) -> Results:
    """Measure what the store lacks (unless ``execute`` is False) and return every planned row.

    ``on_start(missing, total)`` is called once before any unit runs, ``on_row(row)`` for
    each row as it is written.
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
        on_start(len(todo) if execute else 0, results.units)
    if not execute or not todo:
        return results
    backend = backend or InProcess()
    try:
        for outcome in backend.run(todo, context):
            job = outcome.job
            row = Row.make(job.key, job.experiment, config_dict(job.unit), outcome.result,
                           seed=getattr(job.unit, "seed", context.seed), device=str(context.device),
                           seconds=outcome.seconds)
            store.put(row)  # committed now: an interruption after this line loses nothing
            results.rows[job.key] = row
            results.fresh += 1
            if on_row:
                on_row(row)
    except BaseException:
        backend.cancel()
        raise
    return results
