"""Per-position training of :class:`~.models.DepthTransformer` members, in phases (curriculum-ready).

- :class:`Phase` -- a sampler ``sample(rng, batch) -> (x, y)`` of fresh token ids and per-position
  targets (``IGNORE`` where unlabelled) and a number of steps; a curriculum is a list of phases
  (e.g. growing lengths), a plain run is one phase.  ``until(checkpoint) -> bool`` ends a phase
  early at a checkpoint (its steps are then a budget); ``TrainLog.phase_ends`` holds where each ended.
- :class:`EvalSet` -- fixed held-out ``x``, ``y``; ``scored`` marks the positions the headline
  accuracy counts (default: every labelled one); ``groups`` gives each position a group id
  (hop depth, k, length ...; -1 for none) so accuracy is also reported per group.
- :func:`train` -- AdamW with one learning rate per member (members of one shape differ by seed
  and learning rate), linear warm-up then cosine decay over the whole budget, gradient clipping
  per member, losses summed over members so gradients stay independent; evaluates every
  ``eval_every`` steps into a :class:`TrainLog` (accuracy per member, per group per member: the
  checkpoints of accuracy over steps) and stops early once every member (``stop="all"``) or one
  (``stop="any"``) reaches ``target`` on the headline accuracy.  ``on_checkpoint(step, model)``
  lets an experiment record more (attention maps) at the same checkpoints.

The batch is shared by all members (they differ by initialisation and learning rate); data come
from a numpy generator seeded by ``seed``, so a run is deterministic on CPU.

>>> import numpy as np, torch
>>> from tbounds.empirical.depth.models import ModelSpec, DepthTransformer
>>> def copy_task(rng, batch):      # label = the input token, every position
...     x = rng.integers(0, 4, size=(batch, 6)); return x, x
>>> ev = EvalSet.make(*copy_task(np.random.default_rng(9), 64))
>>> model = DepthTransformer(ModelSpec(vocab=4, classes=4, layers=1, width=16, heads=2, max_len=6), [0, 1])
>>> log = train(model, [Phase(copy_task, 200)], lrs=[1e-2, 3e-3], evaluation=ev, eval_every=50, target=0.99)
>>> log.final_accuracy[0] >= 0.99, len(log.checkpoints) >= 1
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..errors import ConfigError
from .models import IGNORE, DepthTransformer, correct_per_position, loss_per_member


@dataclass(frozen=True)
class Phase:
    """``steps`` optimiser steps on fresh batches from ``sample(rng, batch) -> (x, y)``."""

    sample: Callable[[np.random.Generator, int], tuple]
    steps: int
    name: str = ""
    until: Optional[Callable[["Checkpoint"], bool]] = None   # ends the phase early at a checkpoint


@dataclass
class EvalSet:
    """Held-out token ids ``x (B, T)``, targets ``y (B, T)``, the scored positions and a group id per position."""

    x: torch.Tensor
    y: torch.Tensor
    scored: torch.Tensor
    groups: Optional[torch.Tensor] = None
    group_names: dict = field(default_factory=dict)   # group id -> printable name

    @classmethod
    def make(cls, x, y, scored=None, groups=None, group_names=None) -> "EvalSet":
        x, y = torch.as_tensor(np.asarray(x), dtype=torch.long), torch.as_tensor(np.asarray(y), dtype=torch.long)
        scored = (y != IGNORE) if scored is None else torch.as_tensor(np.asarray(scored), dtype=torch.bool) & (y != IGNORE)
        if groups is not None:
            groups = torch.as_tensor(np.asarray(groups), dtype=torch.long)
            names = group_names or {int(g): str(int(g)) for g in torch.unique(groups).tolist() if g >= 0}
        else:
            names = {}
        return cls(x, y, scored, groups, names)

    def to(self, device) -> "EvalSet":
        return EvalSet(self.x.to(device), self.y.to(device), self.scored.to(device),
                       None if self.groups is None else self.groups.to(device), self.group_names)


@dataclass
class Checkpoint:
    step: int
    accuracy: list            # per member, headline (scored positions)
    by_group: dict            # group name -> per-member accuracy
    loss: list                # per member, training loss of the last step


@dataclass
class TrainLog:
    checkpoints: list = field(default_factory=list)
    reached: list = field(default_factory=list)   # per member: first checkpoint step at >= target, or None
    steps_run: int = 0
    phase_ends: list = field(default_factory=list)  # the step at which each phase that ran ended

    @property
    def final_accuracy(self) -> list:
        return self.checkpoints[-1].accuracy if self.checkpoints else []

    @property
    def best_accuracy(self) -> list:
        if not self.checkpoints:
            return []
        return [max(c.accuracy[m] for c in self.checkpoints) for m in range(len(self.checkpoints[0].accuracy))]

    def to_dict(self) -> dict:
        return {"steps": [c.step for c in self.checkpoints], "accuracy": [c.accuracy for c in self.checkpoints],
                "by_group": [c.by_group for c in self.checkpoints], "loss": [c.loss for c in self.checkpoints],
                "reached": self.reached, "steps_run": self.steps_run, "phase_ends": self.phase_ends}


@torch.no_grad()
def evaluate(model: DepthTransformer, ev: EvalSet, chunk: int = 256) -> tuple[list, dict]:
    """Headline accuracy per member on the scored positions, and accuracy per group per member."""
    M = model.members
    hits, group_hits = [], []
    for a in range(0, ev.x.shape[0], chunk):
        hits.append(correct_per_position(model(ev.x[a:a + chunk]), ev.y[a:a + chunk]))
    correct = torch.cat(hits, dim=1).float()                                   # (M, B, T)
    scored = ev.scored.float()
    acc = ((correct * scored).sum((1, 2)) / scored.sum().clamp_min(1)).tolist()
    by_group = {}
    if ev.groups is not None:
        for gid, name in ev.group_names.items():
            sel = ((ev.groups == gid) & (ev.y != IGNORE)).float()
            if sel.sum() > 0:
                by_group[name] = ((correct * sel).sum((1, 2)) / sel.sum()).tolist()
    del group_hits
    return [round(a, 5) for a in acc], {k: [round(a, 5) for a in v] for k, v in by_group.items()}


def _schedule(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def train(model: DepthTransformer, phases: Sequence[Phase], lrs: Sequence[float], evaluation: EvalSet, *,
          batch: int = 32, seed: int = 0, eval_every: int = 100, target: Optional[float] = None,
          stop: str = "all", weight_decay: float = 0.01, warmup: int = 50, clip: float = 1.0,
          betas=(0.9, 0.98), on_checkpoint: Optional[Callable[[int, DepthTransformer], None]] = None,
          target_groups: bool = False) -> TrainLog:
    """Train every member through ``phases``; evaluate every ``eval_every`` steps and at the end.

    ``target_groups``: a member reaches ``target`` only once its headline *and every group* do (e.g. every k of
    a multi-task model), so early stopping never cuts off the slowest group."""
    M = model.members
    if len(lrs) == 1:
        lrs = list(lrs) * M
    if len(lrs) != M:
        raise ConfigError(f"lrs needs one value or one per member ({M}), got {len(lrs)}")
    if stop not in ("all", "any"):
        raise ConfigError(f"stop must be 'all' or 'any' (got '{stop}')")
    if not phases or any(p.steps < 1 for p in phases):
        raise ConfigError("training needs at least one phase of >= 1 step")
    device = next(model.parameters()).device
    ev = evaluation.to(device)
    rng = np.random.default_rng(seed)
    total = sum(p.steps for p in phases)
    decayed = set(model.weight_names())
    params = list(model.named_parameters())
    lr = torch.tensor(list(lrs), dtype=torch.float32, device=device)
    m1 = [torch.zeros_like(p) for _, p in params]
    m2 = [torch.zeros_like(p) for _, p in params]
    b1, b2 = betas
    log = TrainLog(reached=[None] * M)
    step, losses = 0, torch.zeros(M)

    def checkpoint():
        acc, groups = evaluate(model, ev)
        log.checkpoints.append(Checkpoint(step, acc, groups, [round(v, 5) for v in losses.tolist()]))
        for i, a in enumerate(acc):
            if target_groups and groups:
                a = min([a] + [v[i] for v in groups.values()])
            if target is not None and log.reached[i] is None and a >= target:
                log.reached[i] = step
        if on_checkpoint is not None:
            on_checkpoint(step, model)
        done = [r is not None for r in log.reached]
        return target is not None and (all(done) if stop == "all" else any(done))

    for phase in phases:
        for _ in range(phase.steps):
            x, y = phase.sample(rng, batch)
            x = torch.as_tensor(np.asarray(x), dtype=torch.long, device=device)
            y = torch.as_tensor(np.asarray(y), dtype=torch.long, device=device)
            per = loss_per_member(model(x), y)
            model.zero_grad(set_to_none=True)
            per.sum().backward()
            losses = per.detach().cpu()
            with torch.no_grad():
                # per-member global-norm clipping: members must not share a scale
                sq = sum(p.grad.reshape(M, -1).pow(2).sum(1) for _, p in params)
                scale = (clip / (sq.sqrt() + 1e-6)).clamp(max=1.0)
                t = step + 1
                rate = lr * _schedule(step, total, warmup)
                for (name, p), a, v in zip(params, m1, m2):
                    shape = (M,) + (1,) * (p.dim() - 1)
                    g = p.grad * scale.view(shape)
                    a.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    update = (a / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + 1e-8)
                    if name in decayed and weight_decay:
                        update = update + weight_decay * p
                    p.sub_(rate.view(shape) * update)
            step += 1
            log.steps_run = step
            if step % eval_every == 0:
                if checkpoint():
                    log.phase_ends.append(step)
                    return log
                if phase.until is not None and phase.until(log.checkpoints[-1]):
                    break
        log.phase_ends.append(step)
    if not log.checkpoints or log.checkpoints[-1].step != step:
        checkpoint()
    return log
