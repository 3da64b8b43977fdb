"""Generalisation experiments: low-rank single-head transformers, measured gaps beside the bounds.

Many heads train at once (ranks x seeds on a leading member axis); each cell measures gaps,
norms and ranks, estimates the empirical Rademacher complexity of the class, and the
comparison evaluates every registered generalisation bound at the training constraints
(genuine) and at the trained norms (post-hoc).

Parts, as in every family: :mod:`.profiles` (quick, paper, tiny), :mod:`.models` (the head),
:mod:`.tasks`, :mod:`.units` (one cell) and :mod:`.compare` (rows and relations); rank control
(:mod:`.control`, :mod:`.projections`, :mod:`.norms`), training (:mod:`.train`), measurement
(:mod:`.measure`, :mod:`.rademacher`, :mod:`.estimate`, :mod:`.implied`), summaries
(:mod:`.analysis`) and saved heads (:mod:`.checkpoint`).

>>> [e.short_name for e in FAMILY.experiments]
['gap', 'length']
"""

from ..experiment import Experiment, Family, TaskSpec
from . import compare, profiles
from .tasks import examples
from .units import run_cell

EXPERIMENTS = (
    Experiment("generalization.gap", "Measured gap and Rademacher complexity against n and the rank of W_QK",
               profiles.gap_units, run_cell, compare.GAP_RATES,
               "measured gap <= bound (certificates at the training constraints); rates: shape only",
               "Gaps over n and rank at fixed T; closed-form and optimisation-based Rademacher estimates."),
    Experiment("generalization.length", "Measured gap against the sequence length T at the middle n",
               profiles.length_units, run_cell, compare.GAP_RATES,
               "Truong and Trauger-Tewari bounds are flat in T, Edelman's grows like log T",
               "The same cells at other T, so the length effect is measured where the n sweep crosses it."),
)

TASKS = (
    TaskSpec("teacher", "tokens on the unit sphere labelled by a planted rank-r head (labels at its median, some flipped)",
             examples("teacher"), {"T": 4, "d": 3, "teacher_rank": 1, "noise": 0.05}),
    TaskSpec("sparse_majority", "Trauger & Tewari's sparse majority: the label is the majority of s relevant positions",
             examples("sparse_majority"), {"T": 4, "d": 3, "s": 3}),
    TaskSpec("random_labels", "tokens on the unit sphere with labels independent of them",
             examples("random_labels"), {"T": 4, "d": 3}),
)

FAMILY = Family("generalization", "Generalisation: measured gaps of low-rank heads beside the bounds", EXPERIMENTS,
                profiles.PROFILES, compare.compare, compare.measurements, profiles.customise, TASKS)
