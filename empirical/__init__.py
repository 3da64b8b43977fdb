"""Empirical engine (torch): tiny transformers, batched training, measurements, experiments.

Shared modules (any experiment family may use them):

- :mod:`empirical.store` -- ``Store(path)``: SQLite rows keyed by config hash (``has``, ``get``, ``put``, ``rows``).
- :mod:`empirical.experiment` -- ``config_key(frozen_config)``, ``Experiment`` specs, ``run_sweep`` (resumable).
- :mod:`empirical.ensemble` -- ``train(model, flat, X, y, ...)``: M models on a leading axis, full-batch AdamW.
- :mod:`empirical.device` -- ``resolve_device("auto"|"cpu"|"cuda")``, ``set_threads``.
- :mod:`empirical.models`, :mod:`empirical.tasks`, :mod:`empirical.measure`, :mod:`empirical.search`,
  :mod:`empirical.construction`, :mod:`empirical.plots`.

Families: :mod:`empirical.experiments.memorization` (and the low-rank generalization package).
"""
