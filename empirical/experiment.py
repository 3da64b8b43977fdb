"""Experiments and their registry: what a family measures, in units of work with content keys.

* :class:`Experiment` -- one named measurement of a family: ``units(profile)`` lists the frozen
  unit configs it needs (one store row each) and ``run_unit(unit, context)`` measures one,
  returning a JSON-ready dict; ``bound_ids`` and ``relation`` say what it is compared with.
* :class:`Family` -- the experiments of one family with its profiles (``quick``, ``paper``,
  and ``tiny`` for the contract suite), how a profile takes overrides, and ``compare``, which
  turns finished rows into the shared comparison shape (:mod:`.comparison`).
* The registry: :data:`FAMILIES` names each family's module (one line per family); a family
  is imported on first use, so listing the families imports no torch.
* :func:`config_key` -- the content hash of a unit: the same config always maps to the same
  store row, in any process.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> config_key(Square(3)) == config_key(Square(3)), config_key(Square(3)) == config_key(Square(4))
(True, False)
>>> family_names()
['memorization', 'generalization', 'depth', 'approximation']
>>> get_family("memorisation")
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: unknown experiment family 'memorisation'; did you mean memorization?
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Optional, Sequence

from .errors import ConfigError

#: Every experiment family, by the module that defines its ``FAMILY``: adding a family adds one line.
FAMILIES: dict[str, str] = {
    "memorization": "tbounds.empirical.memorization",
    "generalization": "tbounds.empirical.generalization",
    "depth": "tbounds.empirical.depth",
    "approximation": "tbounds.empirical.approximation",
}


def unit_from(unit_type, settings, **given):
    """A ``unit_type`` whose fields are read off ``settings`` (a profile section), ``given`` winning.

    Fields the section lacks keep the unit's default (``version``); lists become tuples, so equal
    settings give equal content keys.

    >>> @dataclass(frozen=True)
    ... class Unit:
    ...     D: int
    ...     width: int = 8
    ...     seeds: tuple = (0,)
    ...     version: int = 1
    >>> @dataclass(frozen=True)
    ... class Section:
    ...     width: int = 32
    ...     seeds: list = field(default_factory=lambda: [0, 1])
    >>> unit_from(Unit, Section(), D=3)
    Unit(D=3, width=32, seeds=(0, 1), version=1)
    """
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(unit_type)
              if f.name not in given and hasattr(settings, f.name)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return unit_type(**values, **given)


def config_dict(config: Any) -> dict:
    """The fields of a frozen dataclass config as a JSON-ready dict (tuples become lists)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise ConfigError(f"an experiment unit must be a dataclass instance (got {type(config).__name__})")
    return json.loads(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str))


def config_key(config: Any) -> str:
    """Content hash of a unit: sha256 of its class name and fields, first 16 hex digits."""
    payload = json.dumps({"type": type(config).__name__, "fields": config_dict(config)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class Context:
    """What a unit runs with: the torch device, a base seed, optional progress text and extras."""

    device: Any = "cpu"
    seed: int = 0
    progress: Optional[Callable[[str], None]] = None
    extra: dict = field(default_factory=dict)

    def report(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)


@dataclass(frozen=True)
class Experiment:
    """One named measurement: how a profile splits into units, and how one unit is measured.

    ``relation`` states what the theory promises about the measurement, in words.
    """

    name: str
    title: str
    units: Callable[[Any], Sequence[Any]]
    run_unit: Callable[[Any, Context], dict]
    bound_ids: tuple[str, ...] = ()
    relation: str = ""
    description: str = ""

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class TaskSpec:
    """A seeded task generator, printable with ``tbounds data NAME``.

    ``examples(count, seed, **settings)`` returns ``[{"input": [...], "target": [...]}]`` with one
    target per input position (``None`` where a position carries no label); ``settings`` are the
    generator's own settings with their defaults; ``label(text, **settings)``, where a task can
    label a given input, returns one such example for it.
    """

    name: str
    title: str
    examples: Callable[..., list]
    settings: Mapping[str, Any] = field(default_factory=dict)
    label: Optional[Callable[..., dict]] = None


@dataclass(frozen=True)
class Family:
    """The experiments of one family, its profiles and its comparison.

    ``profiles`` maps ``quick``, ``paper`` and ``tiny`` to frozen profile dataclasses;
    ``customise(profile, overrides)`` returns the profile with validated overrides (a
    :class:`~tbounds.empirical.errors.ConfigError` names the bad one); ``compare(results,
    profile)`` builds a :class:`~tbounds.empirical.comparison.Comparison` from the rows the
    runner returned, reading nothing else; ``measurements(results)`` lists the measured rows
    alone (what ``tbounds run`` prints).
    """

    name: str
    title: str
    experiments: tuple[Experiment, ...]
    profiles: Mapping[str, Any]
    compare: Callable[[Any, Any], Any]
    measurements: Callable[[Any], list]
    customise: Callable[[Any, dict], Any] = lambda profile, overrides: replace(profile, **overrides)
    tasks: tuple[TaskSpec, ...] = ()

    def profile(self, name: str = "quick", **overrides) -> Any:
        """A named profile with overrides (``None`` values are ignored), validated by the family."""
        if name not in self.profiles:
            raise ConfigError(f"unknown profile '{name}' for {self.name}; choose {', '.join(self.profiles)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        return self.customise(self.profiles[name], given) if given else self.profiles[name]

    def select(self, names: Optional[Sequence[str]] = None) -> list[Experiment]:
        """Experiments by short or full name (``size_vs_N`` or ``memorization.size_vs_N``); all when empty."""
        if not names:
            return list(self.experiments)
        by_name = {e.name: e for e in self.experiments}
        chosen = []
        for name in names:
            full = name if name.startswith(self.name + ".") else f"{self.name}.{name}"
            if full not in by_name:
                short = ", ".join(e.short_name for e in self.experiments)
                raise ConfigError(f"unknown {self.name} experiment '{name}' (choose from {short})")
            if by_name[full] not in chosen:
                chosen.append(by_name[full])
        return chosen


def family_names() -> list[str]:
    return list(FAMILIES)


def get_family(name: str) -> Family:
    """The registered family ``name`` (imports its module, and so torch, on first use)."""
    if name not in FAMILIES:
        close = difflib.get_close_matches(name, FAMILIES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f"; choose {' or '.join(FAMILIES)}"
        raise ConfigError(f"unknown experiment family '{name}'{hint}")
    return importlib.import_module(FAMILIES[name]).FAMILY


def tasks() -> list[TaskSpec]:
    """Every task generator of every family."""
    return [task for name in FAMILIES for task in get_family(name).tasks]


def get_task(name: str) -> TaskSpec:
    """A task by name (``random_tokens`` or ``random-tokens``); an unknown one names the known ones."""
    known = {t.name: t for t in tasks()}
    key = name.replace("-", "_")
    if key not in known:
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; choose {', '.join(known)}"
        raise ConfigError(f"unknown task '{name}'{hint}")
    return known[key]

