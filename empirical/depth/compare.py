"""Depth comparison: each experiment module's rows and relations, in the shared shape.

Every module in :data:`.profiles.MODULES` provides ``rows(experiment, results)`` and
``relations(rows, profile)`` (and optionally ``extras(experiments, results)``: curves and maps for
the figures, nested under the module's ``NAME``); this module only gathers them, so adding an
experiment needs no change here.

>>> from tbounds.empirical.depth.profiles import TINY
>>> from tbounds.empirical.runner import Results
>>> compare(Results([]), TINY).to_dict()["rows"]
[]
"""

from __future__ import annotations

from ..comparison import Comparison
from ..runner import Results
from .profiles import MODULES


def _by_module(results: Results):
    experiments = {p.experiment.name: p.experiment for p in results.planned}
    for module in MODULES:
        for e in module.EXPERIMENTS:
            if e.name in experiments:
                yield module, e


def measurements(results: Results) -> list[dict]:
    """Every finished unit's row (what ``tbounds run`` prints)."""
    return [row for module, e in _by_module(results) for row in module.rows(e, results)]


def compare(results: Results, profile) -> Comparison:
    rows, relations, extras = [], [], {}
    for module in MODULES:
        mine = [row for m, e in _by_module(results) if m is module for row in module.rows(e, results)]
        if not mine:
            continue
        rows += mine
        relations += module.relations(mine, profile)
        if hasattr(module, "extras"):
            extras[module.NAME] = module.extras([e for m, e in _by_module(results) if m is module], results)
    return Comparison("depth", profile.name, rows, relations, extras)
