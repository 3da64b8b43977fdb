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
from .tuning import check_precisions, search_around, tune_size
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
    if isinstance(unit, TunedCapacityUnit):
        return run_tuned(unit, ctx)
    if isinstance(unit, CurveUnit):
        return run_curve(unit, ctx)
    raise ConfigError(f"not a memorization unit: {type(unit).__name__}")


# ------------------------------------------------------------------ the paper's experiments (Appendix H)
@dataclass(frozen=True)
class TunedCapacityUnit:
    """The minimal blocks that memorize one dataset, with Optuna-tuned lr and warm-up at each size
    (:mod:`.tuning`); every precision in ``precisions`` gets its own minimal size from the same trainings."""

    N: int
    n: int
    d: int = 6
    data: str = "random"            # random | text
    corpus: str = ""
    m: int = 2
    q: int = 8
    criterion: str = "mse"
    threshold: float = 0.01
    trials: int = 2
    rounds: int = 1
    lr_low: float = 1e-3
    lr_high: float = 0.1
    warmup_high: float = 0.3
    steps: int = 1000
    patience: int = 200
    start: int = 1
    max_blocks: int = 64
    weight_decay: float = 0.01
    round_to: str = ""              # "" (fp32 training) | bf16
    precisions: tuple = ("fp32",)   # fp32 (as trained) and q<k> (k-bit post-training quantisation)
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        for name in ("N", "n", "d", "m", "q", "trials", "rounds", "steps", "patience"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{name} must be a positive integer (got {v!r})")
        if not 0 <= self.start <= self.max_blocks:
            raise ConfigError(f"start must be in 0..max_blocks (got {self.start}, max_blocks {self.max_blocks})")
        if self.round_to not in ("", "bf16"):
            raise ConfigError(f"round_to must be '' or bf16 (got {self.round_to!r})")
        if not 0 < self.lr_low < self.lr_high:
            raise ConfigError(f"the lr range needs 0 < lr_low < lr_high (got {self.lr_low}, {self.lr_high})")
        if not 0 <= self.warmup_high < 1:
            raise ConfigError(f"warmup_high must be a fraction in [0, 1) (got {self.warmup_high})")
        check_precisions(self.precisions)
        Criterion(self.criterion, self.threshold)

    def make_model(self, size: int):
        return Transformer(d=self.d, m=self.m, q=self.q, blocks=size)

    @property
    def precision(self) -> str:
        """The main precision: the training type (fp32 or bf16)."""
        return self.round_to or "fp32"


@dataclass(frozen=True)
class CurveUnit:
    """Training loss and sign accuracy against epochs at one fixed size (Figures 1-2), best of ``trials``."""

    N: int
    blocks: int
    n: int = 8
    d: int = 16
    data: str = "text"
    corpus: str = ""
    m: int = 2
    q: int = 8
    trials: int = 2
    lr_low: float = 1e-3
    lr_high: float = 0.1
    warmup_high: float = 0.3
    steps: int = 1000
    every: int = 10
    weight_decay: float = 0.01
    seed: int = 0
    version: int = VERSION

    def __post_init__(self):
        for name in ("N", "n", "d", "m", "q", "trials", "steps", "every"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{name} must be a positive integer (got {v!r})")
        if self.blocks < 0:
            raise ConfigError(f"blocks must be >= 0 (got {self.blocks})")


def _tuned_kwargs(unit) -> dict:
    return dict(trials=unit.trials, lr_range=(unit.lr_low, unit.lr_high), warmup_range=(0.0, unit.warmup_high),
                steps=unit.steps, seed=unit.seed, weight_decay=unit.weight_decay)


def run_tuned(unit: TunedCapacityUnit, ctx: Context) -> dict:
    ds = make_dataset(unit.data, unit.N, unit.n, unit.d, unit.seed, "next_token", unit.corpus or None)
    data = describe(ds)
    device = torch.device(ctx.device) if not isinstance(ctx.device, torch.device) else ctx.device
    ds = ds.to(device)
    crit = Criterion(unit.criterion, unit.threshold)
    precisions = (unit.precision, *[p for p in unit.precisions if p != "fp32"])
    sizes: dict[int, dict] = {}

    def outcome(k: int) -> dict:
        if k not in sizes:
            sizes[k] = tune_size(unit.make_model, k, ds.X, ds.y, rounds=unit.rounds, criterion=crit,
                                 patience=unit.patience, round_to=unit.round_to, precisions=precisions,
                                 device=device, **_tuned_kwargs(unit))
            ctx.report(f"tuned N={unit.N} n={unit.n} {unit.precision}: {k} blocks "
                       + ", ".join(f"{p} {'yes' if s else 'no'}" for p, s in sizes[k]["success"].items()))
        return sizes[k]

    by_precision = {}
    for p in precisions:
        k = search_around(lambda s: outcome(s)["success"][p], unit.start, low=0, high=unit.max_blocks)
        by_precision[p] = {"min_blocks": k, "min_params": None if k is None else unit.make_model(k).param_count()}
    main = by_precision[unit.precision]
    return {"min_blocks": main["min_blocks"], "min_params": main["min_params"], "found": main["min_blocks"] is not None,
            "precision": unit.precision, "by_precision": by_precision,
            "sizes": [sizes[k] for k in sorted(sizes)], "steps_total": sum(s["steps"] for s in sizes.values()),
            "flops": sum(s["flops"] for s in sizes.values()),
            "r": data["r"], "delta": data["delta"], "distinct_tokens": data["distinct_tokens"],
            "conflicts": data["conflicts"], "max_params_tried": unit.make_model(unit.max_blocks).param_count()}


class CurveRecorder:
    """A model wrapper that records each member's loss and sign accuracy every ``every`` forward calls.

    :func:`tbounds.empirical.ensemble.train` calls ``forward`` once per step (then once more at the
    end), so call ``t`` sees the weights after ``t`` updates; trained as one chunk.
    """

    def __init__(self, model, y, every: int):
        self.model, self.y, self.every = model, y, every
        self.m, self.q, self.layout = model.m, model.q, model.layout
        self.calls, self.steps, self.loss, self.accuracy = 0, [], [], []

    def forward(self, flat, X):
        out = self.model.forward(flat, X)
        if self.calls % self.every == 0:
            with torch.no_grad():
                diff = out.detach() - self.y
                self.steps.append(self.calls)
                self.loss.append((diff * diff).mean(dim=1).tolist())
                self.accuracy.append(((out.detach() * self.y) > 0).float().mean(dim=1).tolist())
        self.calls += 1
        return out


def run_curve(unit: CurveUnit, ctx: Context) -> dict:
    ds = make_dataset(unit.data, unit.N, unit.n, unit.d, unit.seed, "next_token", unit.corpus or None)
    device = torch.device(ctx.device) if not isinstance(ctx.device, torch.device) else ctx.device
    ds = ds.to(device)
    recorders = []

    def record(model):
        recorders.append(CurveRecorder(model, ds.y, unit.every))
        return recorders[-1]

    make = lambda k: Transformer(d=unit.d, m=unit.m, q=unit.q, blocks=k)  # noqa: E731
    out = tune_size(make, unit.blocks, ds.X, ds.y, criterion=Criterion("none"), recorder=record, device=device,
                    **_tuned_kwargs(unit))
    rec = recorders[0]
    best = min(range(len(out["trials"])), key=lambda i: out["trials"][i]["final_loss"])
    curve = {"step": rec.steps, "loss": [row[best] for row in rec.loss], "accuracy": [row[best] for row in rec.accuracy]}
    ctx.report(f"curve N={unit.N} {unit.blocks} blocks: loss {curve['loss'][-1]:.4f}")
    return {"blocks": unit.blocks, "params": out["params"], "final_loss": curve["loss"][-1],
            "final_accuracy": curve["accuracy"][-1], "best_trial": best, "curve": curve, "trials": out["trials"],
            "flops": out["flops"]}
