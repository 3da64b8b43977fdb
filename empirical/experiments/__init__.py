"""Experiments: frozen configs, units of work, runners and comparisons, one module per family.

Each family module exposes its :class:`empirical.experiment.Experiment` specs and functions to
run a profile into a :class:`empirical.store.Store` and to build comparison rows from it.

- :mod:`empirical.experiments.memorization` -- minimal memorizing size against N, n, label kind,
  attention kind and a flattened MLP; structural checks; Lemma B.1/B.2 checks.
"""
