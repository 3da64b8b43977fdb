"""Experiment specs: a frozen config with a content hash, units of work, and a resumable runner.

Public API (shared by every experiment family: memorization, generalization, depth):

- :func:`config_key` -- the content hash of a frozen dataclass config (16 hex digits);
  it depends on the class name and the field values only, so the same config always
  maps to the same store row.
- :class:`Experiment` -- a named spec: ``units(config)`` lists the frozen unit configs
  (one store row each), ``run_unit(unit, context)`` measures one and returns a result
  dict, ``bound_ids`` and ``relation`` say what the measurement is compared with.
- :class:`Context` -- what a unit runs with: torch device, base seed, progress callback.
- :func:`run_sweep` -- runs every unit whose key is not yet in the store and puts its
  row at once; finished units are skipped, so an interrupted sweep resumes.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> config_key(Square(3)) == config_key(Square(3)), config_key(Square(3)) == config_key(Square(4))
(True, False)
>>> exp = Experiment("demo.square", "x squared", units=lambda c: [Square(x) for x in c],
...                  run_unit=lambda u, ctx: {"y": u.x ** 2})
>>> from tbounds.empirical.store import Store
>>> store = Store(":memory:")
>>> [r.result["y"] for r in run_sweep(exp, [1, 2, 3], store)]
[1, 4, 9]
>>> run_sweep(exp, [1, 2, 3, 4], store, only_new=True)[0].result
{'y': 16}
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .errors import ConfigError
from .store import Row, Store


def config_dict(config: Any) -> dict:
    """The fields of a frozen dataclass config as a JSON-ready dict (tuples become lists)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise ConfigError(f"an experiment config must be a dataclass instance (got {type(config).__name__})")
    return json.loads(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str))


def config_key(config: Any) -> str:
    """Content hash of a config: sha256 of its class name and fields, first 16 hex digits."""
    payload = json.dumps({"type": type(config).__name__, "fields": config_dict(config)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class Context:
    """What a unit runs with; ``progress(done, total, text)`` is optional."""

    device: Any = "cpu"
    seed: int = 0
    progress: Optional[Callable[..., None]] = None
    extra: dict = field(default_factory=dict)

    def report(self, *args, **kwargs) -> None:
        if self.progress is not None:
            self.progress(*args, **kwargs)


@dataclass(frozen=True)
class Experiment:
    """A named experiment: how a config splits into units, and how one unit is measured.

    ``relation`` states what the theory promises about the measurement, in words,
    e.g. ``"measured params >= bound (certificate)"`` or ``"fitted exponent vs 0.5"``.
    """

    name: str
    title: str
    units: Callable[[Any], Sequence[Any]]
    run_unit: Callable[[Any, Context], dict]
    bound_ids: tuple[str, ...] = ()
    relation: str = ""
    description: str = ""


def run_sweep(experiment: Experiment, config: Any, store: Store, context: Optional[Context] = None,
              only_new: bool = False, on_row: Optional[Callable[[Row, bool], None]] = None) -> list[Row]:
    """Run the units of ``config`` that the store lacks; return the rows of all units in order.

    Each new row is committed before the next unit starts. ``on_row(row, fresh)`` is
    called for every unit (``fresh`` is False for a row found in the store).
    With ``only_new`` the returned list holds just the rows computed in this call.
    """
    context = context or Context()
    rows: list[Row] = []
    for unit in experiment.units(config):
        key = config_key(unit)
        found = store.get(key)
        if found is not None:
            if on_row:
                on_row(found, False)
            if not only_new:
                rows.append(found)
            continue
        start = time.perf_counter()
        result = experiment.run_unit(unit, context)
        seconds = time.perf_counter() - start
        row = Row.make(key, experiment.name, config_dict(unit), result, seed=getattr(unit, "seed", context.seed),
                       device=str(context.device), seconds=seconds)
        store.put(row)
        if on_row:
            on_row(row, True)
        rows.append(row)
    return rows
