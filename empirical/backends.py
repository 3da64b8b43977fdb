"""Where units run: a backend takes the units the store lacks and yields each result as it completes.

The protocol is small so that other engines can stand behind it: ``run(tasks, context)``
yields :class:`Outcome` s as they finish (in any order), and ``cancel()`` stops handing out
work. The runner alone writes the store, so a backend never touches it.

:class:`InProcess` runs the units one after another in this process (the default).

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> tasks = [Task("k1", "demo.square", Square(2), lambda u, ctx: {"y": u.x ** 2})]
>>> [(o.task.key, o.result) for o in InProcess().run(tasks, Context())]
[('k1', {'y': 4})]
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Protocol

from .experiment import Context


@dataclass(frozen=True)
class Task:
    """One unit to measure: its content key, experiment name, the unit and the function that measures it."""

    key: str
    experiment: str
    unit: Any
    run_unit: Callable[[Any, Context], dict]


@dataclass(frozen=True)
class Outcome:
    """A finished task: its JSON-ready result and the seconds it took."""

    task: Task
    result: dict
    seconds: float


class Backend(Protocol):
    name: str

    def run(self, tasks: Iterable[Task], context: Context) -> Iterator[Outcome]: ...

    def cancel(self) -> None: ...


class InProcess:
    """Runs tasks one by one in this process; an error in a unit propagates at once."""

    name = "serial"

    def __init__(self):
        self._cancelled = False

    def run(self, tasks: Iterable[Task], context: Context) -> Iterator[Outcome]:
        self._cancelled = False
        for task in tasks:
            if self._cancelled:
                return
            start = time.perf_counter()
            result = task.run_unit(task.unit, context)
            yield Outcome(task, result, time.perf_counter() - start)

    def cancel(self) -> None:
        self._cancelled = True
