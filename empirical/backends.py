"""Where units run: a backend takes the units the store lacks and yields each result as it completes.

The protocol is small so that other engines can stand behind it: ``run(jobs, context)``
yields :class:`Outcome` s as they finish (in any order), and ``cancel()`` stops handing out
work. The runner alone writes the store, so a backend never touches it.

:class:`InProcess` runs the units one after another in this process (the default).

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> jobs = [Job("k1", "demo.square", Square(2), lambda u, ctx: {"y": u.x ** 2})]
>>> [(o.job.key, o.result) for o in InProcess().run(jobs, Context())]
[('k1', {'y': 4})]
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol

from .experiment import Context


@dataclass(frozen=True)
class Job:
    """One unit to measure: its content key, experiment name, the unit and the function that measures it."""

    key: str
    experiment: str
    unit: Any
    run_unit: Callable[[Any, Context], dict]


@dataclass(frozen=True)
class Outcome:
    """A finished job: its JSON-ready result and the seconds it took."""

    job: Job
    result: dict
    seconds: float


class Backend(Protocol):
    name: str

    def run(self, jobs: Iterable[Job], context: Context) -> Iterator[Outcome]: ...

    def cancel(self) -> None: ...


class InProcess:
    """Runs jobs one by one in this process; an error in a unit propagates at once."""

    name = "serial"

    def __init__(self):
        self._cancelled = False

    def run(self, jobs: Iterable[Job], context: Context) -> Iterator[Outcome]:
        self._cancelled = False
        for job in jobs:
            if self._cancelled:
                return
            start = time.perf_counter()
            result = job.run_unit(job.unit, context)
            yield Outcome(job, result, time.perf_counter() - start)

    def cancel(self) -> None:
        self._cancelled = True
