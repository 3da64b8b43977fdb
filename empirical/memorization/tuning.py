"""Tuned capacity search: at each size, Optuna suggests learning rate and warm-up, as the paper did.

Appendix H of arXiv 2409.17677 tuned the learning rate and the warm-up interval with Optuna
(2 trials per configuration for Figures 1-2, 10 for Figure 3) and kept the best model.  Here:

- :func:`tune_size` -- one size: ``trials`` (lr, warm-up) pairs asked from a seeded
  ``TPESampler`` (ask/tell), the pairs of one round trained together as one ensemble
  (per-member lr and warm-up, plateau stopping for failing members), each final loss told
  back.  A success is re-checked in float64 (as :mod:`tbounds.empirical.search` does).
  Every precision of ``precisions`` is judged on the same trained members: ``fp32`` (as
  trained), ``q<k>`` (k-bit symmetric uniform per-tensor quantisation of the trained weights,
  then the criterion in float64).  ``round_to="bf16"`` trains with bf16 parameters.
- :func:`search_around` -- the minimal size that succeeds, searched from a guess: down by
  one while it succeeds, up by doubling then bisection while it fails.  Sizes already
  trained are reused, so every precision's minimal size comes from one set of trainings.

With few trials TPE samples like random search: its first ``n_startup_trials`` (10 by
default) suggestions are independent random draws, so 2-10 trials per size are random
search over the box, not a model-guided search.

>>> from tbounds.empirical.memorization.tasks import random_tokens
>>> from tbounds.empirical.memorization.models import Transformer
>>> ds = random_tokens(N=6, n=3, d=3, seed=0)
>>> out = tune_size(lambda k: Transformer(d=3, blocks=k), 1, ds.X, ds.y, trials=2, steps=100,
...                 criterion=Criterion("sign"), precisions=("fp32", "q8"))
>>> sorted(out["success"]), len(out["trials"]), sorted(out["trials"][0])
(['fp32', 'q8'], 2, ['final_loss', 'lr', 'met', 'plateaued', 'steps', 'warmup'])
>>> out["flops"] == out["member_steps"] * Transformer(d=3, blocks=1).flops_per_step(6, 3) > 0
True
>>> quantise_tensor(torch.tensor([0.6, -1.0, 0.2]), 2).tolist()
[1.0, -1.0, 0.0]
"""

from __future__ import annotations

import logging
import math
from typing import Callable, Optional, Sequence

import torch

from ..ensemble import Criterion, evaluate, train
from ..errors import ConfigError
from ..search import bisect_smallest, member_seeds

PRECISIONS_TRAINED = ("fp32", "bf16")


def _optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("optuna").setLevel(logging.WARNING)
    return optuna


def quantise_tensor(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Symmetric uniform k-bit quantisation of one tensor: levels ``s * j``, ``|j| <= 2^(k-1) - 1``,
    ``s = max|w| / (2^(k-1) - 1)`` (so 2-bit keeps {-s, 0, s})."""
    if bits < 2:
        raise ConfigError(f"quantisation needs at least 2 bits (got {bits})")
    top = 2 ** (bits - 1) - 1
    scale = w.abs().max() / top
    if scale == 0:
        return w.clone()
    return torch.round(w / scale).clamp(-top, top) * scale


def quantise(flat: torch.Tensor, layout, bits: int) -> torch.Tensor:
    """Every named tensor of each member (row of ``flat``) quantised on its own (per-tensor scale)."""
    out = flat.detach().clone()
    for name, shape in layout.shapes.items():
        o, size = layout.offsets[name], math.prod(shape)
        for i in range(flat.shape[0]):
            out[i, o:o + size] = quantise_tensor(flat[i, o:o + size].double(), bits).to(flat.dtype)
    return out


def _precision_bits(name: str) -> Optional[int]:
    return int(name[1:]) if name.startswith("q") else None


def check_precisions(precisions: Sequence[str]) -> None:
    for p in precisions:
        if p not in PRECISIONS_TRAINED and not (p.startswith("q") and p[1:].isdigit() and int(p[1:]) >= 2):
            raise ConfigError(f"precision must be fp32, bf16 or q<k> with k >= 2 (got {p!r})")


def tune_size(make_model: Callable[[int], object], size: int, X, y, *, trials: int = 2, rounds: int = 1,
              lr_range=(1e-3, 0.3), warmup_range=(0.0, 0.3), steps: int = 1000,
              criterion: Criterion = Criterion("mse", 0.01), patience: Optional[int] = None, seed: int = 0,
              weight_decay: float = 0.01, round_to: str = "", precisions: Sequence[str] = ("fp32",),
              device=None, recorder=None) -> dict:
    """Tune (lr, warm-up) at one size with ``trials`` Optuna trials in ``rounds`` ensembles; judge each precision.

    Returns ``{"size", "params", "success": {precision: bool}, "best_loss", "trials": [...], "steps"}``.
    ``recorder``: an optional wrapper ``recorder(model) -> model`` (e.g. a curve recorder).
    """
    check_precisions(precisions)
    if trials < 1 or rounds < 1:
        raise ConfigError(f"trials and rounds must be positive (got {trials}, {rounds})")
    optuna = _optuna()
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed * 1_000_003 + size * 1_009))
    model = make_model(size)
    per_round = [trials // rounds + (1 if r < trials % rounds else 0) for r in range(rounds)]
    records, steps_used, member_steps = [], 0, 0
    success = {p: False for p in precisions}
    best = math.inf
    member = 0
    dtype = torch.bfloat16 if round_to == "bf16" else None
    for count in (c for c in per_round if c):
        asked = [study.ask() for _ in range(count)]
        lrs = [t.suggest_float("lr", lr_range[0], lr_range[1], log=True) for t in asked]
        warmups = [t.suggest_float("warmup", warmup_range[0], warmup_range[1]) for t in asked]
        seeds = member_seeds(seed, size, member + count)[member:]
        member += count
        flat = model.init(seeds, device=device)
        trained = recorder(model) if recorder else model
        res = train(trained, flat, X, y, steps=steps, lr=lrs, warmup=warmups, criterion=criterion,
                    weight_decay=weight_decay, patience=patience, round_to=dtype,
                    chunk=len(seeds) if recorder else None)
        steps_used += int(res.total_steps)
        member_steps += int(res.member_steps)
        plateaued = res.plateaued if res.plateaued is not None else torch.zeros(count, dtype=torch.bool)
        for i, t in enumerate(asked):
            loss = float(res.loss[i])
            study.tell(t, loss if math.isfinite(loss) else 1e30)
            best = min(best, loss)
            records.append({"lr": lrs[i], "warmup": warmups[i], "final_loss": loss, "met": bool(res.met[i]),
                            "plateaued": bool(plateaued[i]), "steps": int(res.steps[i])})
        for p in precisions:
            if success[p]:
                continue
            bits = _precision_bits(p)
            cand = res.flat if bits is None else quantise(res.flat, model.layout, bits)
            loss, acc = evaluate(model, cand, X, y, float64=True)
            met = criterion.met(loss, acc)
            if bits is None:
                met = met & res.met   # a trained success, re-checked in float64
            success[p] = bool(met.any())
    # Model FLOPs of the training actually computed (what a run's fraction of peak is made of).
    flops = member_steps * model.flops_per_step(X.shape[-3], X.shape[-2])
    return {"size": size, "params": model.param_count(), "success": success, "best_loss": best,
            "trials": records, "steps": steps_used, "member_steps": member_steps, "flops": flops}


def search_around(succeeds: Callable[[int], bool], start: int, *, low: int = 0, high: int = 64) -> Optional[int]:
    """Smallest size in ``[low, high]`` for which ``succeeds`` holds (assumed monotone), tried from ``start``.

    Down by one while it succeeds; up by doubling, then bisection, while it fails.

    >>> tried = []
    >>> search_around(lambda k: tried.append(k) or k >= 5, 4, high=16), tried
    (5, [4, 8, 6, 5])
    >>> search_around(lambda k: k >= 2, 4), search_around(lambda k: False, 3, high=5)
    (2, None)
    """
    if not low <= start <= high:
        raise ConfigError(f"the search needs low <= start <= high (got {low} <= {start} <= {high})")
    if succeeds(start):
        k = start
        while k > low and succeeds(k - 1):
            k -= 1
        return k
    lo, k = start, start
    while True:
        k = min(high, max(k + 1, 2 * k))
        if succeeds(k):
            break
        lo = k
        if k == high:
            return None
    return bisect_smallest(succeeds, lo, k)
