"""Approximation units: the frozen configs of one measurement each, and the functions that measure them.

* :class:`TrainUnit` -- one model family trained on one target (T1-T7), its members (init seeds)
  trained together; test MSE, relative error, sup error over a dense test set, equivariance error
  under random permutations (float64), and the test MSE at fixed early steps.  Attention models
  (``hidden=0``) get the FF width that matches the parameter count of the Sumformer-MLP with the
  same n, d, latent width and widths.
* :class:`MechanismUnit` -- one exact float64 check (:mod:`.mechanisms`).
* :class:`JLUnit` -- Linformer's JL failure rates at one k.
* :class:`PerformerUnit` -- Monte Carlo MSE of the m-feature estimators at one (s, t, m).

>>> u = TrainUnit(target="product", n=4, d=2, model="sumformer_mlp", latent=2, steps=5, batch=8, train_size=32,
...               test_size=16, sup_size=16, early=(2,), members=2, hidden=8, phi_hidden=8)
>>> r = run_unit(u, None)
>>> sorted(r)[:4], len(r["test_mse"]), r["equivariance_error"] < 1e-12
(['early', 'equivariance_error', 'equivariance_error_members', 'hidden'], 2, True)
>>> TrainUnit(target="product", n=4, d=2, model="mlp")
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: model must be one of sumformer_mlp, sumformer_poly, transformer, linformer_ones, linformer, performer (got 'mlp')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..errors import ConfigError
from ..experiment import Context
from . import mechanisms
from .models import AttentionNet, Sumformer, match_hidden, param_count
from .tasks import check_target, output_dim, target, uniform_sets

VERSION = 1  # bump when a unit's meaning changes: old rows then no longer match
MODELS = ("sumformer_mlp", "sumformer_poly", "transformer", "linformer_ones", "linformer", "performer")
ATTENTION_OF = {"transformer": "softmax", "linformer_ones": "linformer_ones", "linformer": "linformer",
                "performer": "performer"}


def _positive(unit, names):
    for name in names:
        v = getattr(unit, name)
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ConfigError(f"{name} must be a positive integer (got {v!r})")


@dataclass(frozen=True)
class TrainUnit:
    """One model trained on one target; ``members`` init seeds trained together."""

    target: str
    n: int
    d: int
    model: str = "sumformer_mlp"
    latent: int = 4          # d' of the Sumformer-MLP (and of the reference an attention model is matched to)
    degree: int = 0          # polynomial Sumformer: monomial degree (0: n, the full power sums)
    layers: int = 1          # attention layers
    d_model: int = 16
    hidden: int = 64         # psi width (Sumformer) / reference width; attention FF width is matched
    phi_hidden: int = 32
    k: int = 1               # Linformer projection rows
    m: int = 8               # Performer random features
    redraw: bool = True      # Performer: fresh features every step (else fixed)
    steps: int = 800
    batch: int = 128
    lr: float = 1e-3
    train_size: int = 8192
    test_size: int = 2048
    sup_size: int = 8192
    early: tuple = (100, 400)
    members: int = 3
    low: float = 0.0
    beta: float = 1.0
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        check_target(self.target)
        if self.model not in MODELS:
            raise ConfigError(f"model must be one of {', '.join(MODELS)} (got {self.model!r})")
        _positive(self, ("n", "d", "latent", "layers", "d_model", "hidden", "phi_hidden", "k", "m", "steps",
                         "batch", "train_size", "test_size", "sup_size", "members"))
        if self.degree < 0:
            raise ConfigError(f"degree must be >= 0 (got {self.degree})")
        if self.model == "linformer_ones" and self.k != 1:
            raise ConfigError(f"all-ones Linformer projections need k = 1 (got k={self.k})")
        if not self.lr > 0:
            raise ConfigError(f"lr must be positive (got {self.lr})")

    @property
    def d_out(self) -> int:
        return output_dim(self.target, self.n, self.d)

    def reference(self, members: int = 1, seed: int = 0) -> Sumformer:
        return Sumformer(self.d, self.d_out, self.n, "mlp", self.latent, hidden=self.hidden,
                         phi_hidden=self.phi_hidden, members=members, seed=seed)

    def build(self, members: int = 1, seed: int = 0):
        """The model, and the attention models' matched FF width (None for Sumformers)."""
        if self.model == "sumformer_mlp":
            return self.reference(members, seed), None
        if self.model == "sumformer_poly":
            return Sumformer(self.d, self.d_out, self.n, "poly", degree=self.degree or self.n, hidden=self.hidden,
                             members=members, seed=seed), None

        def net(h, members=1, seed=0):
            return AttentionNet(self.d, self.d_out, self.n, ATTENTION_OF[self.model], self.layers, self.d_model, h,
                                k=self.k, m=self.m, redraw=self.redraw, members=members, seed=seed)
        h, _ = match_hidden(net, param_count(self.reference()), low=2, high=4 * self.hidden)
        return net(h, members, seed), h


@dataclass(frozen=True)
class MechanismUnit:
    """One exact check: ``linformer_sum``, ``softmax_mean``, ``favor_mean`` or ``power_sums``."""

    check: str
    n: int = 4
    h: int = 3
    m: int = 1
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        if self.check not in ("linformer_sum", "softmax_mean", "favor_mean", "power_sums"):
            raise ConfigError(f"check must be linformer_sum, softmax_mean, favor_mean or power_sums (got {self.check!r})")
        _positive(self, ("n", "h", "m"))


@dataclass(frozen=True)
class JLUnit:
    n: int
    k: int
    eps: float = 0.5
    trials: int = 1000
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        _positive(self, ("n", "k", "trials"))
        if not 0 < self.eps < 1:
            raise ConfigError(f"eps must be in (0, 1) (got {self.eps})")


@dataclass(frozen=True)
class PerformerUnit:
    s: float
    t: float
    d: int
    m: int
    trials: int = 20000
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        _positive(self, ("d", "m", "trials"))
        if not (self.s > 0 and self.t > 0):
            raise ConfigError(f"s and t must be positive (got s={self.s}, t={self.t})")


# ------------------------------------------------------------------------------ training
def _metrics(model, X, Y):
    with torch.no_grad():
        out = model(X)
        err = out - Y
        mse = (err ** 2).mean(dim=(1, 2, 3))
        rel = err.flatten(1).norm(dim=1) / Y.norm()
        sup = err.abs().flatten(1).max(dim=1).values
    return mse, rel, sup


def _chunks(model, X, Y, size=4096):
    """Metrics over X in chunks (the dense sup set can be large)."""
    se, sq_norm, sup = 0.0, 0.0, None
    for i in range(0, len(X), size):
        with torch.no_grad():
            err = model(X[i:i + size]) - Y[i:i + size]
        se = se + (err ** 2).sum(dim=(1, 2, 3))
        sq_norm += float((Y[i:i + size] ** 2).sum())
        part = err.abs().flatten(1).max(dim=1).values
        sup = part if sup is None else torch.maximum(sup, part)
    count = Y.numel()
    return se / count, (se / sq_norm).sqrt(), sup


def run_train(unit: TrainUnit, ctx: Context | None) -> dict:
    device = torch.device(getattr(ctx, "device", "cpu") or "cpu")
    make = lambda count, offset: uniform_sets(count, unit.n, unit.d, unit.seed * 1000 + offset, unit.low)  # noqa: E731
    label = lambda X: target(unit.target, X.double(), beta=unit.beta).float()  # noqa: E731
    Xtr, Xte, Xsup = make(unit.train_size, 1), make(unit.test_size, 2), make(unit.sup_size, 3)
    Ytr, Yte, Ysup = label(Xtr), label(Xte), label(Xsup)
    Xtr, Ytr, Xte, Yte = Xtr.to(device), Ytr.to(device), Xte.to(device), Yte.to(device)
    model, hidden = unit.build(unit.members, unit.seed)
    model.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=unit.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, unit.steps) / unit.steps)))
    g = torch.Generator().manual_seed(unit.seed + 17)
    early = {}
    for step in range(1, unit.steps + 1):
        idx = torch.randint(0, len(Xtr), (unit.batch,), generator=g).to(device)
        if hasattr(model, "resample"):
            model.resample()
        loss = ((model(Xtr[idx]) - Ytr[idx]) ** 2).mean(dim=(1, 2, 3)).sum()  # members are independent
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()
        if step in unit.early and step < unit.steps:
            early[str(step)] = _metrics(model, Xte, Yte)[0].tolist()
        if ctx is not None and step % 200 == 0:
            ctx.report(f"{unit.model} on {unit.target}: step {step}/{unit.steps}")
    mse, rel, _ = _metrics(model, Xte, Yte)
    early[str(unit.steps)] = mse.tolist()
    model.cpu()
    _, _, sup = _chunks(model, Xsup, Ysup)
    # equivariance in float64, so that exact symmetry reads as ~1e-15 and a broken one stands out
    model.double()
    X = Xte[:1024].cpu().double()
    perm = torch.stack([torch.randperm(unit.n, generator=g) for _ in range(len(X))])
    Xp = torch.gather(X, 1, perm[..., None].expand_as(X))
    with torch.no_grad():
        out, outp = model(X), model(Xp)
    permuted = torch.gather(out, 2, perm[None, ..., None].expand(out.shape[0], *perm.shape, out.shape[-1]))
    equi = (outp - permuted).abs().flatten(1).max(dim=1).values
    return {"params": param_count(model), "reference_params": param_count(unit.reference()),
            "hidden": hidden, "latent_width": getattr(model, "latent", None),
            "test_mse": mse.tolist(), "relative_error": rel.tolist(), "sup_error": sup.tolist(),
            "equivariance_error_members": equi.tolist(), "equivariance_error": float(equi.max()),
            "early": early, "target_rms": float(Yte.pow(2).mean().sqrt())}


def run_mechanism(unit: MechanismUnit, ctx) -> dict:
    if unit.check == "power_sums":
        res = mechanisms.power_sums(unit.n, unit.seed)
        res["holds"] = bool(res["example_degree1_equal"] and res["example_degree2_differs"]
                            and res["recovery_max_error_d1"] < 1e-6 and res["recovery_max_error_d2"] < 1e-6
                            and res["truncated_pair_real"] and res["truncated_collision_max_diff"] < 1e-10
                            and res["multiset_distance"] > 1e-6)
        return res
    worst = {"linformer_sum": lambda: mechanisms.linformer_sums(unit.n, unit.h, unit.seed),
             "softmax_mean": lambda: mechanisms.softmax_averages(unit.n, unit.h, unit.seed),
             "favor_mean": lambda: mechanisms.favor_averages(unit.n, unit.h, unit.m, unit.seed)}[unit.check]()
    return {"max_abs_error": worst, "holds": worst < 1e-10}


def run_jl(unit: JLUnit, ctx) -> dict:
    return mechanisms.jl_failure_rates(unit.n, unit.k, unit.eps, unit.trials, unit.seed)


def run_performer(unit: PerformerUnit, ctx) -> dict:
    out = mechanisms.performer_mse(unit.s, unit.t, unit.d, unit.m, unit.trials, unit.seed)
    out["attention_sup_error"] = mechanisms.attention_sup_error(8, unit.d, unit.m, 50, unit.seed)
    return out


def run_unit(unit, ctx: Context | None) -> dict:
    for kind, fn in ((TrainUnit, run_train), (MechanismUnit, run_mechanism), (JLUnit, run_jl),
                     (PerformerUnit, run_performer)):
        if isinstance(unit, kind):
            return fn(unit, ctx)
    raise ConfigError(f"not an approximation unit: {type(unit).__name__}")
