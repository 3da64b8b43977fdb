"""Capacity search: the smallest size of a model family that reaches a training criterion.

:func:`minimal_size` tries sizes 0 (or ``start``), then doubles (exponential phase) until
some restart succeeds, then bisects between the largest failure and the smallest success.
At each size, ``restarts x len(lrs)`` members are trained together as one ensemble
(:func:`tbounds.empirical.ensemble.train`); a success is re-checked by evaluating the winning
member alone in float64 (:func:`tbounds.empirical.ensemble.evaluate`), so a lucky float32 reading
never counts.  Bisection assumes success is monotone in size; every size tried is kept in
``trials`` so the assumption can be inspected (and ``size - 1`` of the answer was always
tried and failed, unless the answer is ``start``).

Member seeds are ``seed * 1_000_003 + size * 1_009 + member``: the same (seed, size) always
gives the same initial weights, whatever else runs.

>>> import torch
>>> from tbounds.empirical.memorization.models import Transformer
>>> from tbounds.empirical.memorization.tasks import random_tokens
>>> ds = random_tokens(N=4, n=3, d=4, seed=0)
>>> res = minimal_size(lambda k: Transformer(d=4, m=2, q=8, blocks=k), ds.X, ds.y, restarts=2,
...                    lrs=(0.03,), steps=200, criterion=Criterion("sign"))
>>> res.found, res.size is not None and res.size >= 0
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import torch

from .ensemble import Criterion, evaluate, train
from .errors import ConfigError


@dataclass
class Trial:
    size: int
    params: int
    success: bool
    best_loss: float
    best_accuracy: float
    members: int
    steps: int
    winner: Optional[int] = None          # index of the member that succeeded (re-checked)
    winner_lr: Optional[float] = None
    winner_seed: Optional[int] = None


@dataclass
class SearchResult:
    size: Optional[int]                   # minimal size found (None: nothing up to max_size worked)
    params: Optional[int]
    found: bool
    trials: dict = field(default_factory=dict)   # size -> Trial
    winner_flat: Optional[torch.Tensor] = None   # parameters of the re-checked winner at the minimal size

    def to_dict(self) -> dict:
        return {"min_size": self.size, "min_params": self.params, "found": self.found,
                "trials": {str(k): vars(t) for k, t in sorted(self.trials.items())}}


def bisect_smallest(succeeds: Callable[[int], bool], lo: int, hi: int) -> int:
    """Smallest size in ``(lo, hi]`` that succeeds, given that ``lo`` fails and ``hi`` succeeds (monotone).

    >>> bisect_smallest(lambda k: k >= 5, 2, 16)
    5
    """
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if succeeds(mid):
            hi = mid
        else:
            lo = mid
    return hi


def member_seeds(seed: int, size: int, members: int) -> list[int]:
    return [seed * 1_000_003 + size * 1_009 + i for i in range(members)]


def try_size(make_model: Callable[[int], object], size: int, X, y, *, restarts: int, lrs: Sequence[float],
             steps: int, criterion: Criterion, seed: int = 0, device=None, weight_decay: float = 0.01,
             progress=None) -> tuple[Trial, Optional[torch.Tensor]]:
    """Train ``restarts x len(lrs)`` members of one size together; re-check the first success in float64."""
    model = make_model(size)
    members = restarts * len(lrs)
    seeds = member_seeds(seed, size, members)
    member_lrs = [lr for _ in range(restarts) for lr in lrs]
    flat = model.init(seeds, device=device)
    res = train(model, flat, X, y, steps=steps, lr=member_lrs, criterion=criterion, weight_decay=weight_decay,
                progress=progress)
    winner, winner_flat = None, None
    for i in torch.nonzero(res.met).flatten().tolist():
        loss, acc = evaluate(model, res.flat[i:i + 1], X[i:i + 1] if X.dim() == 4 else X,
                             y[i:i + 1] if X.dim() == 4 else y, float64=True)
        if bool(criterion.met(loss, acc)[0]):
            winner, winner_flat = i, res.flat[i:i + 1].detach().clone()
            break
    order = torch.argmin(res.loss).item()
    trial = Trial(size, model.param_count(), winner is not None, float(res.loss.min()), float(res.accuracy.max()),
                  members, int(res.total_steps), winner,
                  None if winner is None else member_lrs[winner], None if winner is None else seeds[winner])
    if winner is None:
        trial.best_loss = float(res.loss[order])
    return trial, winner_flat


def minimal_size(make_model: Callable[[int], object], X, y, *, restarts: int = 4, lrs: Sequence[float] = (0.03,),
                 steps: int = 2000, criterion: Criterion = Criterion(), start: int = 0, max_size: int = 64,
                 seed: int = 0, device=None, weight_decay: float = 0.01,
                 on_trial: Optional[Callable[[Trial], None]] = None) -> SearchResult:
    """Exponential then binary search for the smallest size whose ensemble meets ``criterion``."""
    if start < 0 or max_size < start:
        raise ConfigError(f"size range must satisfy 0 <= start <= max_size (got {start}..{max_size})")
    if restarts < 1 or not lrs:
        raise ConfigError("a capacity search needs at least one restart and one learning rate")
    trials: dict[int, Trial] = {}
    winners: dict[int, torch.Tensor] = {}

    def attempt(k: int) -> bool:
        if k not in trials:
            trial, flat = try_size(make_model, k, X, y, restarts=restarts, lrs=lrs, steps=steps, criterion=criterion,
                                   seed=seed, device=device, weight_decay=weight_decay)
            trials[k] = trial
            if flat is not None:
                winners[k] = flat
            if on_trial:
                on_trial(trial)
        return trials[k].success

    lo, hi = start - 1, None   # lo: largest known failure, hi: smallest known success
    k = start
    while k <= max_size:
        if attempt(k):
            hi = k
            break
        lo = k
        k = 1 if k == 0 else 2 * k
    if hi is None and lo < max_size:
        if attempt(max_size):
            hi = max_size
        else:
            lo = max_size
    if hi is None:
        return SearchResult(None, None, False, trials)
    hi = bisect_smallest(attempt, lo, hi)
    return SearchResult(hi, trials[hi].params, True, trials, winners.get(hi))
