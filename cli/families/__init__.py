"""What the CLI knows of each experiment family: its own options, tables and figures.

Each module here is named after a registered family (:data:`tbounds.empirical.experiment.FAMILIES`)
and has the same parts, so ``tbounds run FAMILY`` and ``tbounds compare FAMILY`` are generated
for it (:mod:`tbounds.cli.commands.experiments`):

* ``EXPERIMENTS`` -- the short names of the family's experiments (for ``--only``'s help);
* ``OPTIONS`` -- click options named after the family's own parameters (a paper's symbols keep
  their names; the help says what each means);
* ``overrides(**values)`` -- option values to profile overrides (parsing only: the family
  validates them and builds the profile);
* ``progress(row)`` -- one line about a finished unit;
* ``RUN_COLUMNS``, ``ROW_COLUMNS`` and ``NOTE`` -- what ``run`` and ``compare`` tables show;
* ``figures(comparison, folder)`` -- the family's figures, drawn through :mod:`tbounds.cli.figures`;
* optional: ``tables(comparison, fmt)`` for a layout of its own, ``context_extras(**values)``,
  and ``intercept(verb, values)`` for a mode that is not a sweep.

Importing these modules imports neither torch nor the family's experiments.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")
