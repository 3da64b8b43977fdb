"""The empirical engine (torch): tiny models trained in batches, measured, and put beside the bounds.

The engine, shared by every family:

- :mod:`.experiment` -- ``Experiment`` and ``Family`` records, the family registry, ``config_key``;
- :mod:`.runner` -- plan the units a profile needs, skip what the store has, run the rest, write each row;
- :mod:`.backends` -- where units run: serial (default), a process pool, Dask, SLURM (docs/sweeps.md);
- :mod:`.sweepfile` -- sweep files (``--config sweep.toml``);
- :mod:`.store` -- SQLite rows keyed by the units' content hashes;
- :mod:`.comparison` -- the shared comparison shape (rows, relations, extras);
- :mod:`.ensemble`, :mod:`.search` -- many models on a member axis, and the minimal-size search;
- :mod:`.fit` -- the one slope fit with confidence intervals; :mod:`.device`; :mod:`.errors`.

Families, each with the same parts (profiles, models, tasks, units, compare):
:mod:`.memorization` and :mod:`.generalization`.  Importing this package imports no torch;
a family's module does.
"""

from .results import load_results  # noqa: E402  (pandas is imported when it is called)

__all__ = ["load_results"]
