"""Depth experiments: measured minimal depth beside the depth bounds (retrieval chains, k-hop induction heads).

Parts:

* :mod:`.models` -- the causal pre-LN transformer (multi-head softmax attention, MLP 4d, positional
  none/learned/sinusoidal/rotary, looped variant), members of one shape on a leading member axis;
* :mod:`.train` -- per-position training in phases (curriculum-ready), accuracy per position group,
  checkpoints over steps; :mod:`.search` -- minimal depth L* by search over L with several seeds;
  :mod:`.heads` -- which heads carry which hop, and when they emerge;
* :mod:`.tasks` -- the seeded generators (``tbounds data retrieval``, ``tbounds data khop``);
* one module per experiment: :mod:`.chains` (``retrieval``), :mod:`.khop` (``khop``, ``width``);
* :mod:`.profiles` (quick, paper, tiny: one section per experiment module) and :mod:`.compare`.

**Adding an experiment** (the extension point): write one module ``empirical/depth/NAME.py`` with

* ``NAME`` -- the profile section's name; ``Section`` -- a frozen dataclass of its settings that
  validates itself in ``__post_init__``; ``PROFILES = {"quick": Section(...), "paper": ..., "tiny": ...}``;
* ``EXPERIMENTS`` -- its :class:`~tbounds.empirical.experiment.Experiment` specs (full names
  ``depth.SHORT``), whose ``units(profile)`` read ``profile.NAME`` and whose ``run_unit`` measures
  one unit (reuse :mod:`.models`, :mod:`.train`, :mod:`.search`, :mod:`.heads`);
* ``rows(experiment, results)`` -> list of flat dicts (key ``experiment`` = the short name),
  ``relations(rows, profile)`` -> list of :class:`~tbounds.empirical.comparison.Relation`,
  optionally ``extras(rows)`` -> dict; ``TASKS`` -- its :class:`~tbounds.empirical.experiment.TaskSpec`\\ s;

then add the module to ``MODULES`` in :mod:`.profiles` (one line: the family's experiments, tasks,
profile sections and comparison all follow from that list) and its short names and figures to
``cli/families/depth.py``.

>>> [e.short_name for e in FAMILY.experiments]
['retrieval', 'khop', 'width', 'word_problems']
>>> FAMILY.select(["khop"])[0].bound_ids[0]
'sanford2024.khop.upper'
"""

from ..experiment import Family
from . import compare, profiles

EXPERIMENTS = tuple(e for m in profiles.MODULES for e in m.EXPERIMENTS)
TASKS = tuple(t for m in profiles.MODULES for t in getattr(m, "TASKS", ()))

FAMILY = Family("depth", "Depth: measured minimal depth beside the log-depth bounds", EXPERIMENTS,
                profiles.PROFILES, compare.compare, compare.measurements, profiles.customise, TASKS)
