"""Approximation experiments (Sumformer arXiv 2307.02301, Linformer 2006.04768, Performer 2009.14794; notes §6).

Our design, not a replication: the Sumformer paper's experiment section is not in our sources.
Parts, as in every family: :mod:`.profiles` (quick, paper, tiny), :mod:`.models` (Sumformer with MLP or
polynomial φ; Transformer, Linformer and Performer nets), :mod:`.tasks` (targets T1-T7), :mod:`.units`
and :mod:`.compare`; :mod:`.attention` holds the three attention mechanisms and :mod:`.mechanisms` the
exact float64 checks and the Monte Carlo checks of the Linformer and Performer bounds.

>>> [e.short_name for e in FAMILY.experiments][:3]
['mechanisms', 'exact_fit', 'latent']
>>> FAMILY.select(["linformer_jl"])[0].bound_ids[0]
'wang2020.linformer.failure_probability'
"""

from ..experiment import Experiment, Family, TaskSpec
from . import compare, profiles
from .tasks import TARGETS, examples_of
from .units import run_unit


def _spec(name, title, units, bound_ids, relation, description):
    return Experiment(f"approximation.{name}", title, units, run_unit, tuple(bound_ids), relation, description)


EXPERIMENTS = (
    _spec("mechanisms", "Exact mechanism checks (float64, no training)", profiles.mechanism_units,
          ("alberti2023.linformer.projection_dim", "alberti2023.performer.random_features",
           "alberti2023.sumformer.latent_continuous"),
          "Linformer k=1 all-ones sums; W_Q=W_K=0 softmax and FAVOR+ average; power sums separate multisets",
          "Notes §6.2 checks 1-4, on the models' own attention code."),
    _spec("exact_fit", "T1, T2 with d' below and above d", profiles.exact_fit_units, (),
          "d' >= d fits T1/T2; d' < d cannot be exact", "Prediction 1 of §6.4."),
    _spec("latent", "Error against the latent width d'", profiles.latent_units,
          ("alberti2023.sumformer.latent_continuous",),
          "error falls with d' and saturates at or before C(n+d,d)-1", "Prediction 2 of §6.4."),
    _spec("wagstaff", "T5 at d = 1: the Wagstaff floor for d' < n", profiles.wagstaff_units,
          ("wagstaff2019.latent.lower",), "an error floor for d' < n (hypothesis at finite width)",
          "Prediction 3 of §6.4."),
    _spec("truncated", "Truncated power sums on T7", profiles.truncated_units,
          ("alberti2023.sumformer.latent_continuous",), "degree < n: error floor; degree n: none",
          "Prediction 4 of §6.4."),
    _spec("poly_vs_mlp", "Polynomial against MLP phi, early and late", profiles.poly_units, (),
          "polynomial lower early, MLP catches up (the paper's reported observation)", "Prediction 5 of §6.4."),
    _spec("families", "Attention families at matched size, and the depth control", profiles.family_units,
          ("alberti2023.transformer.attention_layers", "alberti2023.linformer.attention_layers",
           "alberti2023.linformer.projection_dim", "alberti2023.performer.attention_layers",
           "alberti2023.performer.random_features"),
          "comparable error to the Sumformer; no systematic gain from depth; equivariance zero except learned E, F",
          "Predictions 6 and 7 of §6.4."),
    _spec("linformer_jl", "Linformer: JL failure rate against k", profiles.jl_units,
          ("wang2020.linformer.failure_probability", "wang2020.linformer.k_rank"),
          "failure rate falls with k, below 2 exp(-(eps^2 - eps^3) k / 4)", "Prediction 8 of §6.4."),
    _spec("performer_mse", "Performer: Monte Carlo MSE against Lemma 2 and Theorem 2", profiles.performer_units,
          ("choromanski2021.performer.mse_positive", "choromanski2021.performer.mse_orthogonal",
           "choromanski2021.performer.mse_trig"),
          "MC MSE = Lemma 2's formula; orthogonal <= iid minus the gap", "Prediction 9 of §6.4."),
)

TASKS = tuple(TaskSpec(f"{label.lower()}_{name}", f"{label}: {text} (tokens iid uniform on (low, 1)^d; approximation)",
                       examples_of(name), {"n": 4, "d": 2, "low": 0.0,
                                           **({"beta": 1.0, "teacher_seed": 0} if name == "teacher" else {})})
              for name, (label, text) in TARGETS.items())

FAMILY = Family("approximation", "Universal approximation: Sumformer, Linformer, Performer (our design)", EXPERIMENTS,
                profiles.PROFILES, compare.compare, compare.measurements, profiles.customise, TASKS)
