"""Approximation profiles: every sweep of the family at one scale, and the units each experiment needs.

Our design (notes §6, "our design, not a replication": the Sumformer paper's experiment section
is not in our sources).  ``quick`` runs in about 5 minutes on 2 CPU cores (n = 4, d <= 2, 1000 steps,
learning rate 1e-2); ``paper`` is the notes' scale (n in {4, 8}, d in {1, 2, 3}, 10k steps at 1e-3,
batch 256, 20k/5k/20k train/test/sup sequences, 3 seeds; use a GPU); ``tiny`` is the smallest run of
every experiment, for the contract suite.

>>> [u.latent for u in latent_units(QUICK)]
[1, 2, 4, 8, 14, 24]
>>> customise(QUICK, {"steps": 0})
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: steps must be a positive integer (got 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import ConfigError
from .tasks import check_target
from .units import JLUnit, MechanismUnit, PerformerUnit, TrainUnit


def power_sum_width(n: int, d: int) -> int:
    """C(n + d, d) − 1, the number of monomials of degree 1..n (the Sumformer latent width we test)."""
    return math.comb(n + d, d) - 1


@dataclass(frozen=True)
class Profile:
    """Every sweep of the approximation family at one scale."""

    name: str
    seeds: tuple = (0,)
    members: int = 3
    steps: int = 1000
    lr: float = 1e-2
    batch: int = 128
    train_size: int = 8192
    test_size: int = 2048
    sup_size: int = 8192
    early: tuple = (100, 400)
    hidden: int = 64
    phi_hidden: int = 32
    d_model: int = 16
    # prediction 1: T1, T2 at d' below and above d
    exact_targets: tuple = ("product", "centering")
    exact_nd: tuple = ((4, 2),)
    exact_latents: tuple = (1, 2, 4)
    # prediction 2: error against d' (the power-sum width is always added)
    latent_targets: tuple = ("kernel",)
    latent_nd: tuple = ((4, 2),)
    latents: tuple = (1, 2, 4, 8, 24)
    # prediction 3: T5 at d = 1
    wagstaff_ns: tuple = (4,)
    wagstaff_latents: tuple = (1, 2, 3, 4, 6, 8)
    # prediction 4: truncated power sums on T7, d = 1
    truncated_ns: tuple = (4,)
    # prediction 5: polynomial against MLP phi
    poly_targets: tuple = (("kernel", 4, 2), ("sorted", 4, 1))
    # predictions 6-7: attention families at matched size
    family_targets: tuple = ("kernel", "teacher")
    family_nd: tuple = ((4, 2),)
    linformer_ks: tuple = (2,)
    performer_ms: tuple = (8,)
    depths: tuple = (2, 4)
    depth_families: tuple = ("transformer",)
    # prediction 8: Linformer JL
    jl_n: tuple = (64,)
    jl_ks: tuple = (1, 2, 4, 8, 16, 32, 64, 128)
    jl_eps: float = 0.5
    jl_trials: int = 1000
    # prediction 9: Performer
    performer_d: int = 16
    performer_pairs: tuple = ((1.0, 1.0), (0.5, 2.5))
    performer_mse_ms: tuple = (1, 2, 4, 8, 16)
    performer_trials: int = 20000
    # exact checks
    mechanism_ns: tuple = (4, 8)
    mechanism_ms: tuple = (1, 4, 16)

    def train(self, target, n, d, model="sumformer_mlp", seed=0, **overrides) -> TrainUnit:
        base = dict(steps=self.steps, lr=self.lr, batch=self.batch, train_size=self.train_size,
                    test_size=self.test_size, sup_size=self.sup_size,
                    early=tuple(s for s in self.early if s < self.steps), members=self.members,
                    hidden=self.hidden, phi_hidden=self.phi_hidden, d_model=self.d_model)
        base.update(overrides)
        return TrainUnit(target=target, n=n, d=d, model=model, seed=seed, **base)


QUICK = Profile("quick", latents=(1, 2, 4, 8, 24))
PAPER = Profile("paper", seeds=(0,), members=3, steps=10000, lr=1e-3, batch=256, train_size=20000, test_size=5000,
                sup_size=20000, early=(100, 500), hidden=128, phi_hidden=64, d_model=32,
                exact_nd=((4, 1), (4, 2), (4, 3), (8, 2)), exact_latents=(1, 2, 3, 4, 8),
                latent_targets=("kernel", "teacher", "rank", "sorted"),
                latent_nd=((4, 1), (4, 2), (4, 3), (8, 1), (8, 2), (8, 3)),
                latents=(1, 2, 4, 8, 16, 32, 64), wagstaff_ns=(4, 8), wagstaff_latents=(1, 2, 3, 4, 6, 8, 12, 16),
                truncated_ns=(4, 8),
                poly_targets=(("product", 4, 2), ("kernel", 4, 2), ("teacher", 4, 2), ("max_gap", 4, 1),
                              ("rank", 4, 1), ("sorted", 4, 1), ("kernel", 8, 2)),
                family_targets=("product", "centering", "kernel", "teacher", "max_gap"),
                family_nd=((4, 2), (8, 2)), linformer_ks=(2, 4, 8), performer_ms=(1, 4, 16, 64),
                depths=(2, 4), depth_families=("transformer", "linformer_ones", "performer"),
                jl_n=(64, 256), jl_ks=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512), jl_trials=10000,
                performer_pairs=((1.0, 1.0), (0.5, 2.5), (2.0, 1.0)), performer_mse_ms=(1, 2, 4, 8, 16, 32, 64),
                performer_trials=100000, performer_d=64)
TINY = Profile("tiny", members=2, steps=30, batch=16, train_size=64, test_size=32, sup_size=64, early=(10,),
               hidden=8, phi_hidden=8, d_model=4, exact_latents=(1, 2), latents=(1, 2), wagstaff_latents=(1, 4),
               family_targets=("kernel",), depths=(2,), jl_ks=(1, 8), jl_trials=50, performer_mse_ms=(1, 4),
               performer_trials=200, performer_pairs=((1.0, 1.0),), mechanism_ns=(4,), mechanism_ms=(1,),
               poly_targets=(("sorted", 4, 1),))
PROFILES = {"quick": QUICK, "paper": PAPER, "tiny": TINY}

_POSITIVE_INTS = ("steps", "batch", "members", "train_size", "test_size", "sup_size", "hidden", "phi_hidden",
                  "d_model", "jl_trials", "performer_trials", "performer_d")
_POSITIVE_TUPLES = ("latents", "wagstaff_latents", "wagstaff_ns", "truncated_ns", "jl_ks", "performer_mse_ms",
                    "linformer_ks", "performer_ms", "depths", "jl_n", "seeds")


def customise(profile: Profile, overrides: dict) -> Profile:
    """``profile`` with validated overrides (a one-line error names the bad one)."""
    for name, value in overrides.items():
        if name not in Profile.__dataclass_fields__ or name == "name":
            raise ConfigError(f"unknown approximation setting {name!r}")
        if name in _POSITIVE_INTS and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"{name} must be a positive integer (got {value!r})")
        if name in _POSITIVE_TUPLES and (not value or any(not isinstance(v, int) or v < (0 if name == "seeds" else 1)
                                                          for v in value)):
            raise ConfigError(f"{name} must be {'non-negative' if name == 'seeds' else 'positive'} integers "
                              f"(got {value!r})")
    if "lr" in overrides and not (isinstance(overrides["lr"], (int, float)) and overrides["lr"] > 0):
        raise ConfigError(f"lr must be a positive number (got {overrides['lr']!r})")
    if "jl_eps" in overrides and not 0 < overrides["jl_eps"] < 1:
        raise ConfigError(f"jl_eps must be in (0, 1) (got {overrides['jl_eps']!r})")
    for name in ("latent_targets", "family_targets", "exact_targets"):
        for t in overrides.get(name, ()):
            check_target(t)
    return replace(profile, **overrides)


def exact_fit_units(p: Profile):
    return [p.train(t, n, d, latent=lat, seed=s) for s in p.seeds for (n, d) in p.exact_nd for t in p.exact_targets
            for lat in p.exact_latents]


def latent_units(p: Profile):
    return [p.train(t, n, d, latent=lat, seed=s) for s in p.seeds for (n, d) in p.latent_nd for t in p.latent_targets
            for lat in sorted(set(p.latents) | {power_sum_width(n, d)})]


def wagstaff_units(p: Profile):
    return [p.train("max_gap", n, 1, latent=lat, seed=s) for s in p.seeds for n in p.wagstaff_ns
            for lat in sorted(set(p.wagstaff_latents) | {n})]


def truncated_units(p: Profile):
    return [p.train("sorted", n, 1, "sumformer_poly", degree=deg, seed=s) for s in p.seeds for n in p.truncated_ns
            for deg in range(1, n + 1)]


def poly_units(p: Profile):
    out = []
    for s in p.seeds:
        for t, n, d in p.poly_targets:
            width = power_sum_width(n, d)
            out += [p.train(t, n, d, "sumformer_poly", degree=n, seed=s), p.train(t, n, d, latent=width, seed=s)]
    return out


def family_units(p: Profile):
    out = []
    for s in p.seeds:
        for n, d in p.family_nd:
            width = power_sum_width(n, d)
            for t in p.family_targets:
                one = lambda model, **kw: p.train(t, n, d, model, latent=width, seed=s, **kw)  # noqa: E731
                out += [one("sumformer_mlp"), one("transformer"), one("linformer_ones")]
                out += [one("linformer", k=k) for k in p.linformer_ks if k <= n]
                out += [one("performer", m=m, redraw=r) for m in p.performer_ms for r in (True, False)]
                for L in p.depths:
                    for fam in p.depth_families:
                        out.append(one(fam, layers=L))
    return out


def jl_units(p: Profile):
    import tbounds.bounds as bounds

    out = []
    for s in p.seeds:
        for n in p.jl_n:
            k_rank = math.ceil(float(bounds.get("wang2020.linformer.k_rank")(n=n, eps=p.jl_eps)))
            out += [JLUnit(n, k, p.jl_eps, p.jl_trials, seed=s) for k in sorted(set(p.jl_ks) | {k_rank})]
    return out


def performer_units(p: Profile):
    return [PerformerUnit(s_, t_, p.performer_d, m, p.performer_trials, seed=s) for s in p.seeds
            for (s_, t_) in p.performer_pairs for m in p.performer_mse_ms]


def mechanism_units(p: Profile):
    out = []
    for s in p.seeds:
        for n in p.mechanism_ns:
            out += [MechanismUnit("linformer_sum", n, seed=s), MechanismUnit("softmax_mean", n, seed=s),
                    MechanismUnit("power_sums", n, seed=s)]
            out += [MechanismUnit("favor_mean", n, m=m, seed=s) for m in p.mechanism_ms]
    return out
