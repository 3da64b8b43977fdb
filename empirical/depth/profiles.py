"""Depth profiles: one section per experiment module, assembled into the family's ``quick``, ``paper`` and ``tiny``.

Each experiment module (:data:`MODULES`) defines ``NAME`` and ``PROFILES = {"quick": Section(...), "paper":
..., "tiny": ...}``; :class:`Profile` has one field per module, named ``NAME``, holding that module's
section.  ``quick`` runs in minutes on 2 CPU cores; ``paper`` is GPU scale; ``tiny`` is the smallest run
of every experiment, for the contract suite.

Overrides: ``"retrieval.steps"`` sets one section's field; a plain ``"steps"`` sets it in every
section that has it (a section without it is left alone; a name no section has is an error).

>>> QUICK.retrieval.D_values
(1, 2, 3, 4)
>>> customise(QUICK, {"steps": 300}).retrieval.steps
300
>>> customise(QUICK, {"retrieval.width": 0})
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: retrieval width must be a positive integer (got 0)
"""

from __future__ import annotations

from dataclasses import fields, make_dataclass, replace

from ..errors import ConfigError
from . import chains, khop, word_problems

#: The experiment modules of the family, in order.  Adding an experiment adds one line here.
MODULES = (
    chains,
    khop,
    word_problems,
)

Profile = make_dataclass("Profile", [("name", str)] + [(m.NAME, m.Section) for m in MODULES], frozen=True)
Profile.__doc__ = "Every sweep of the depth family at one scale: one section per experiment module."


def _build(name: str):
    return Profile(name, **{m.NAME: m.PROFILES[name] for m in MODULES})


QUICK, PAPER, TINY = _build("quick"), _build("paper"), _build("tiny")
PROFILES = {"quick": QUICK, "paper": PAPER, "tiny": TINY}


def customise(profile, overrides: dict):
    """``profile`` with overrides routed to its sections (re-validated by each section)."""
    sections = {m.NAME: getattr(profile, m.NAME) for m in MODULES}
    changes: dict = {name: {} for name in sections}
    for key, value in overrides.items():
        if "." in key:
            section, field_name = key.split(".", 1)
            if section not in sections or field_name not in {f.name for f in fields(sections[section])}:
                raise ConfigError(f"not a depth profile setting: {key}")
            changes[section][field_name] = value
            continue
        hit = [s for s, sec in sections.items() if key in {f.name for f in fields(sec)}]
        if not hit:
            raise ConfigError(f"not a depth profile setting: {key}")
        for s in hit:
            changes[s].setdefault(key, value)
    return replace(profile, **{s: replace(sections[s], **c) for s, c in changes.items() if c})
