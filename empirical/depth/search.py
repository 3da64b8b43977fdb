"""Minimal depth by search over L: train every seed at L = 1, 2, ... and read L* at 95% and 99%.

:func:`depth_search` trains, for each depth L in turn, one :class:`~.models.DepthTransformer`
whose members are the seeds (times the learning rates), on the same phases, evaluating on one
held-out set; at every checkpoint it also records which heads carry which hop
(:mod:`.heads`).  It stops climbing once ``done(trial)`` says the last depth is enough (by default:
the median seed reached the top target on every group).  Each trial keeps per-seed accuracy
(headline and per group, at the last checkpoint), the accuracy curves over steps, the heads' masses
and their emergence, and one attention map per head of the best seed.

:func:`minimal_depth` reads L* from the trials: the smallest L at which the best seed (or the
median seed) reaches the target, ``None`` when no searched depth did.

>>> trials = [{"L": 1, "best": 0.6, "median": 0.5}, {"L": 2, "best": 0.97, "median": 0.9},
...           {"L": 3, "best": 1.0, "median": 0.995}]
>>> minimal_depth(trials, 0.95), minimal_depth(trials, 0.99, "median")
(2, 3)
"""

from __future__ import annotations

import statistics
from typing import Callable, Optional, Sequence

import torch

from ..errors import ConfigError
from .heads import carriers, emergence, hop_mass
from .models import DepthTransformer, ModelSpec
from .train import EvalSet, Phase, train

TARGETS = (0.95, 0.99)


def minimal_depth(trials: Sequence[dict], target: float, which: str = "best", group: Optional[str] = None):
    """Smallest L whose ``which`` seed (best or median) reached ``target`` (on ``group`` when given)."""
    for t in sorted(trials, key=lambda t: t["L"]):
        value = t[which] if group is None else t.get("groups", {}).get(group, {}).get(which)
        if value is not None and value >= target:
            return t["L"]
    return None


def steps_at_depths(section: str, steps_at) -> dict:
    """A section's ``steps_at`` (``(layers, steps)`` pairs: a different budget at those depths) as ``{L: steps}``;
    a one-line error naming ``{section} steps_at`` otherwise.

    >>> steps_at_depths("khop", ((4, 4000),))
    {4: 4000}
    >>> try:
    ...     steps_at_depths("khop", ((4,),))
    ... except ConfigError as e:
    ...     print(e)
    khop steps_at must be (layers, steps) pairs of positive integers (got ((4,),))
    """
    if any(not isinstance(p, (tuple, list)) or len(p) != 2 or any(not isinstance(v, int) or v < 1 for v in p)
           for p in steps_at):
        raise ConfigError(f"{section} steps_at must be (layers, steps) pairs of positive integers (got {steps_at!r})")
    return {int(L): int(n) for L, n in steps_at}


def depth_text(layers: Optional[int], above: Optional[int] = None) -> str:
    """A minimal depth for a sentence: the number, or 'not reached' (``None``; 'not reached up to L = above').

    >>> depth_text(3), depth_text(None), depth_text(None, above=4)
    ('3', 'not reached', 'not reached up to L = 4')
    """
    if layers is not None:
        return str(layers)
    return "not reached" + (f" up to L = {above}" if above is not None else "")


def _summary(values: Sequence[float]) -> dict:
    return {"best": max(values), "median": statistics.median(values)}


def depth_search(spec_for: Callable[[int], ModelSpec], phases, evaluation: EvalSet,
                 layers: Sequence[int], seeds: Sequence[int], lrs: Sequence[float] = (1e-3,), *, batch: int = 32,
                 eval_every: int = 100, seed: int = 0, device="cpu", probe: Optional[tuple] = None,
                 done: Optional[Callable[[dict], bool]] = None, head_threshold: float = 0.5,
                 train_target: float = TARGETS[-1], target_groups: bool = False,
                 report: Callable[[str], None] = lambda s: None) -> list[dict]:
    """Trials at increasing depth (see the module docstring).  ``probe = (x, indicators)``: a small batch and
    its hop indicators (:func:`.heads.hop_mass`) for the heads; ``None`` skips the head analysis.  Training at one
    depth stops early once every member reaches ``train_target`` (default the top target, 99%; a lower one saves
    time but then a 99% not reached by that checkpoint is reported as not reached); with ``target_groups`` every
    group must reach it too.  ``phases`` is a list of phases, or a callable ``L -> phases`` (a budget per depth)."""
    member_seeds = [s for s in seeds for _ in lrs]
    member_lrs = [lr for _ in seeds for lr in lrs]
    done = done or (lambda t: all(g["median"] >= TARGETS[-1] for g in t["groups"].values()) and
                    t["median"] >= TARGETS[-1])
    trials = []
    for L in layers:
        spec = spec_for(L)
        model = DepthTransformer(spec, member_seeds, device=device)
        history: list = []

        def on_checkpoint(step, m, history=history):
            if probe is None:
                return
            with torch.no_grad():
                _, maps = m(probe[0].to(device), attention=True)
            mass = hop_mass(maps, probe[1])
            history.append((step, mass))

        log = train(model, phases(L) if callable(phases) else phases, member_lrs, evaluation, batch=batch, seed=seed, eval_every=eval_every,
                    target=train_target, stop="all", on_checkpoint=on_checkpoint, target_groups=target_groups)
        last = log.checkpoints[-1]
        per_seed = _per_seed(last.accuracy, len(seeds), len(lrs))
        groups = {g: {**_summary(_per_seed(v, len(seeds), len(lrs))),
                      "per_seed": _per_seed(v, len(seeds), len(lrs))} for g, v in last.by_group.items()}
        best_member = max(range(len(member_seeds)), key=lambda i: last.accuracy[i])
        trial = {"L": L, "params": spec.param_count(), **_summary(per_seed), "per_seed": per_seed, "groups": groups,
                 "steps_run": log.steps_run, "reached": log.reached, "best_member": best_member,
                 "curve": {"steps": [c.step for c in log.checkpoints],
                           "accuracy": [c.accuracy for c in log.checkpoints],
                           "by_group": [c.by_group for c in log.checkpoints]}}
        if probe is not None and history:
            found = [(step, carriers(mass, best_member)) for step, mass in history]
            trial["heads"] = {"final": found[-1][1], "mass": {j: v[best_member] for j, v in history[-1][1].items()},
                              "emergence": emergence(found, head_threshold), "threshold": head_threshold,
                              "history": [{"step": s, "mass": {j: c["mass"] for j, c in f.items()}} for s, f in found]}
            with torch.no_grad():
                _, maps = model(probe[0][:1].to(device), attention=True)
            trial["attention"] = [[[[round(float(v), 3) for v in row] for row in maps[l][best_member, 0, h]]
                                   for h in range(spec.heads)] for l in range(len(maps))]
        trials.append(trial)
        report(f"L={L}: best {trial['best']:.3f}, median {trial['median']:.3f} after {log.steps_run} steps")
        if done(trial):
            break
    return trials


def _per_seed(values: Sequence[float], n_seeds: int, n_lrs: int) -> list:
    """Members are seed-major; a seed's accuracy is its best over learning rates."""
    return [max(values[s * n_lrs:(s + 1) * n_lrs]) for s in range(n_seeds)]
