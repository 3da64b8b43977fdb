"""Memorization units: the frozen configs of one measurement each, and the functions that measure them.

- :class:`CapacityUnit` -- the smallest number of FFN blocks per stack (and the exact parameter
  count) at which a model memorizes one dataset: N sequences of n tokens in R^d with consistent
  Rademacher labels, found by :func:`tbounds.empirical.search.minimal_size` with several restarts
  and learning rates trained as one ensemble.  ``model="mlp"`` searches the flattened-input MLP
  (its size is its total number of residual blocks).
- :class:`StructureUnit` -- checks that need no capacity search: outputs are unchanged by
  permuting the first n-1 tokens (and change when a positional encoding is added, the control);
  a dataset with a permuted copy carrying the opposite label cannot be memorized (MSE stays
  >= 2/(N+1)) while the same model memorizes the consistent data.
- :class:`LemmaUnit` -- Lemmas B.1 and B.2 on random multisets (:mod:`.construction`).

>>> from tbounds.empirical.experiment import config_key
>>> u = CapacityUnit(N=8, n=4, d=3, steps=200, restarts=2, lrs=(0.03,), max_blocks=4)
>>> len(config_key(u)), u.make_model(2).param_count() > u.make_model(1).param_count()
(16, True)
>>> run_lemma(LemmaUnit(N=50, M=4, support=20), None)["holds"]
True
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..ensemble import Criterion, evaluate, train
from ..errors import ConfigError
from ..experiment import Context
from ..search import minimal_size
from .construction import lemma_b1, lemma_b2, random_multisets
from .measure import describe
from .models import ATTENTIONS, FlatMLP, Transformer
from .tasks import inconsistent, make_dataset, random_tokens
from ..seeds import generator

VERSION = 1  # bump when a unit's meaning changes: old rows then no longer match


@dataclass(frozen=True)
class CapacityUnit:
    """One capacity search: the minimal size that memorizes one seeded dataset."""

    N: int
    n: int
    d: int = 6
    model: str = "transformer"      # transformer | mlp
    attention: str = "uniform"      # uniform | softmax | hardmax
    labels: str = "next_token"      # next_token | seq2seq
    data: str = "random"            # random | text
    corpus: str = ""                # text file ('' = Python's built-in language reference)
    m: int = 2
    q: int = 8
    criterion: str = "sign"         # sign: every sign right; mse: MSE < threshold
    threshold: float = 0.01
    restarts: int = 3
    lrs: tuple = (0.03, 0.1)
    steps: int = 1000
    max_blocks: int = 16
    weight_decay: float = 0.01
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        for name in ("N", "n", "d", "m", "q", "restarts", "steps"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{name} must be a positive integer (got {v!r})")
        if self.model not in ("transformer", "mlp"):
            raise ConfigError(f"model must be transformer or mlp (got '{self.model}')")
        if self.attention not in ATTENTIONS:
            raise ConfigError(f"attention must be one of {', '.join(ATTENTIONS)} (got '{self.attention}')")
        if self.model == "mlp" and self.labels != "next_token":
            raise ConfigError("the flattened MLP baseline is defined for next-token labels only")
        if self.max_blocks < 0:
            raise ConfigError(f"max_blocks must be >= 0 (got {self.max_blocks})")
        Criterion(self.criterion, self.threshold)

    def make_model(self, size: int):
        if self.model == "mlp":
            return FlatMLP(d=self.d, n=self.n, m=self.m, q=self.q, blocks=size)
        return Transformer(d=self.d, m=self.m, q=self.q, blocks=size, attention=self.attention,
                           output="last" if self.labels == "next_token" else "all")


@dataclass(frozen=True)
class StructureUnit:
    """A check of what permutation equivariance implies (no capacity search)."""

    check: str                      # permutation | inconsistent
    N: int = 16
    n: int = 6
    d: int = 6
    blocks: int = 4
    steps: int = 1000
    seed: int = 0
    version: int = VERSION


@dataclass(frozen=True)
class LemmaUnit:
    """Lemmas B.1 and B.2 on N random multisets of size <= M over `support` elements."""

    N: int
    M: int
    support: int
    seed: int = 0
    version: int = VERSION


def run_capacity(unit: CapacityUnit, ctx: Context) -> dict:
    ds = make_dataset(unit.data, unit.N, unit.n, unit.d, unit.seed, unit.labels, unit.corpus or None)
    data = describe(ds)
    device = torch.device(ctx.device) if not isinstance(ctx.device, torch.device) else ctx.device
    ds = ds.to(device)

    def on_trial(t):
        ctx.report(f"{unit.model}/{unit.attention} N={unit.N} n={unit.n}: {t.size} blocks "
                   f"{'memorized' if t.success else 'not yet'}")

    res = minimal_size(unit.make_model, ds.X, ds.y, restarts=unit.restarts, lrs=unit.lrs, steps=unit.steps,
                       criterion=Criterion(unit.criterion, unit.threshold), start=0, max_size=unit.max_blocks,
                       seed=unit.seed, device=device, weight_decay=unit.weight_decay, on_trial=on_trial)
    trials = [{"blocks": t.size, "params": t.params, "success": t.success, "best_loss": t.best_loss,
               "best_accuracy": t.best_accuracy, "steps": t.steps} for _, t in sorted(res.trials.items())]
    below = None
    if res.found:
        below = True if res.size == 0 else (res.size - 1 in res.trials and not res.trials[res.size - 1].success)
        winner = res.trials[res.size]
    return {"min_blocks": res.size, "min_params": res.params, "found": res.found,
            "one_fewer_fails": below, "winner_lr": winner.winner_lr if res.found else None,
            "winner_seed": winner.winner_seed if res.found else None, "trials": trials,
            "r": data["r"], "delta": data["delta"], "distinct_tokens": data["distinct_tokens"],
            "conflicts": data["conflicts"], "max_params_tried": unit.make_model(unit.max_blocks).param_count()}


def run_structure(unit: StructureUnit, ctx: Context) -> dict:
    g = generator(unit.seed)
    if unit.check == "permutation":
        ds = random_tokens(unit.N, unit.n, unit.d, unit.seed)
        perm = torch.cat([torch.randperm(unit.n - 1, generator=g), torch.tensor([unit.n - 1])])
        out = {}
        for attention in ATTENTIONS:
            last = Transformer(d=unit.d, blocks=unit.blocks, attention=attention)
            every = Transformer(d=unit.d, blocks=unit.blocks, attention=attention, output="all")
            flat = last.init([unit.seed, unit.seed + 1, unit.seed + 2]).double()
            X = ds.X.double()
            with torch.no_grad():
                diff_last = (last.forward(flat, X) - last.forward(flat, X[:, perm])).abs().max().item()
                full_perm = torch.randperm(unit.n, generator=g)
                diff_all = (every.forward(flat, X)[:, :, full_perm] - every.forward(flat, X[:, full_perm])).abs().max()
                pos = Transformer(d=unit.d, blocks=unit.blocks, attention=attention, positional=unit.n)
                pflat = pos.init([unit.seed]).double()
                pflat[:, pos.layout.offsets["pos"]:pos.layout.offsets["pos"] + unit.n * pos.m] = \
                    torch.randn(unit.n * pos.m, generator=g, dtype=torch.float64)
                diff_pos = (pos.forward(pflat, X) - pos.forward(pflat, X[:, perm])).abs().max().item()
            out[attention] = {"invariant_last": diff_last, "equivariant_all": float(diff_all),
                              "with_positional": diff_pos}
        worst = max(max(v["invariant_last"], v["equivariant_all"]) for v in out.values())
        control = min(v["with_positional"] for v in out.values())
        return {"max_abs_diff": worst, "positional_control_min_diff": control, "by_attention": out,
                "holds": worst <= 1e-9 and control > 1e-6}
    if unit.check == "inconsistent":
        base = random_tokens(unit.N, unit.n, unit.d, unit.seed)
        bad = inconsistent(base, unit.seed)
        model = Transformer(d=unit.d, blocks=unit.blocks)
        seeds = list(range(unit.seed * 100, unit.seed * 100 + 4))
        lrs = [0.03, 0.1, 0.03, 0.1]
        res_bad = train(model, model.init(seeds), bad.X, bad.y, steps=unit.steps, lr=lrs, criterion=Criterion("sign"))
        res_ok = train(model, model.init(seeds), base.X, base.y, steps=unit.steps, lr=lrs, criterion=Criterion("sign"))
        floor = 2.0 / (bad.N)
        loss_bad, acc_bad = evaluate(model, res_bad.flat, bad.X, bad.y, float64=True)
        return {"N_with_copy": bad.N, "mse_floor": floor, "best_mse_inconsistent": float(loss_bad.min()),
                "best_accuracy_inconsistent": float(acc_bad.max()), "consistent_memorized": bool(res_ok.met.any()),
                "holds": float(loss_bad.min()) >= floor * (1 - 1e-6) and float(acc_bad.max()) < 1.0}
    raise ConfigError(f"unknown structural check '{unit.check}' (permutation or inconsistent)")


def run_lemma(unit: LemmaUnit, ctx: Context) -> dict:
    ms = random_multisets(unit.N, unit.M, unit.support, unit.seed)
    b1, b2 = lemma_b1(ms), lemma_b2(ms, unit.seed)
    return {"b1": b1, "b2": b2, "holds": bool(b1["A_at_most_N"] and b1["distinct_on_A"] and b2["separated"]
                                              and b2["bounded"])}


def run_unit(unit, ctx: Context) -> dict:
    if isinstance(unit, CapacityUnit):
        return run_capacity(unit, ctx)
    if isinstance(unit, StructureUnit):
        return run_structure(unit, ctx)
    if isinstance(unit, LemmaUnit):
        return run_lemma(unit, ctx)
    raise ConfigError(f"not a memorization unit: {type(unit).__name__}")
