"""Generalisation units: one ``(T, n)`` cell of a sweep, trained and measured in one batch.

A :class:`Cell` trains every ``rank x seed`` member together, measures losses, gaps, norms
and ranks, and estimates the Rademacher complexity of the class each rank's members come
from, on the training sample of the first seed.  Cells are the units the runner stores, so a
finished cell is never recomputed and an interrupted sweep resumes.

>>> cell = Cell(T=4, n=16, ranks=(1, 2), seeds=(0,), d=6, steps=5, n_test=64, rad_signs=4, rad_steps=3,
...             mc_signs=50)
>>> res = run_cell(cell)
>>> sorted(res)[:2]
['members', 'rademacher']
>>> m = res["members"][0]
>>> m["rank"], m["qk_rank"] <= 1, 0 <= m["train_error"] <= 1
(1, True, True)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch

from ..device import check_size
from ..errors import ConfigError
from ..experiment import Context, config_key
from .checkpoint import save
from .control import Control, Constraint, parse_constraints
from .estimate import head_lower
from .measure import weight_measurements
from .models import LIPSCHITZ, HeadSpec, init_params
from .rademacher import closed_form, score_features
from .tasks import TASKS, heldout_seed, make_task
from .train import fit, losses


MAX_LR = 10.0  # Adam moves each weight by about lr per step: past this a run only diverges


@dataclass(frozen=True)
class Setup:
    """What every run of a sweep shares; every field is part of each cell's content hash."""

    task: str = "teacher"
    ranks: tuple[int, ...] = (1, 2, 4, 16)
    seeds: tuple[int, ...] = (0, 1, 2)
    d: int = 16
    control: str = "factor"
    lam: float = 0.0
    constraints: tuple[str, ...] = ("WQK:fro:8", "WV:fro:6", "w:l2:4")
    activation: str = "relu"
    steps: int = 300
    lr: float = 0.02
    n_test: int = 4000
    teacher_rank: int = 1
    noise: float = 0.05
    s: int = 3
    rad_signs: int = 16
    rad_restarts: int = 2
    rad_steps: int = 150
    mc_signs: int = 1000

    def __post_init__(self):
        if self.task not in TASKS:
            raise ConfigError(f"unknown task '{self.task}'; use one of {', '.join(TASKS)}")
        if not self.ranks or not self.seeds:
            raise ConfigError("a sweep needs at least one rank and seed")
        if any(r < 1 or r > self.d for r in self.ranks):
            raise ConfigError(f"ranks must lie in [1, d={self.d}] (got {list(self.ranks)})")
        if not (math.isfinite(self.lr) and 0 < self.lr <= MAX_LR):
            raise ConfigError(f"--lr, the learning rate, must be a finite number in (0, {MAX_LR:g}] (got {self.lr})")
        parse_constraints(self.constraints)
        Control(self.control, self.lam)


@dataclass(frozen=True)
class Cell(Setup):
    """One ``(T, n)`` point of a sweep: all ranks and seeds, trained together."""

    T: int = 16
    n: int = 64

    def __post_init__(self):
        super().__post_init__()
        if self.n < 2 or self.T < 1:
            raise ConfigError(f"need n >= 2 and T >= 1 (got n={self.n}, T={self.T})")
        # refused before anything is allocated: the held-out set, and the training batch of every member
        check_size(f"the held-out set (n_test x T x d = {self.n_test} x {self.T} x {self.d})",
                   self.n_test * self.T * self.d, "use a smaller --n-test, --T or --d")
        members = len(self.ranks) * len(self.seeds)
        check_size(f"the training batch (members x n x T x d = {members} x {self.n} x {self.T} x {self.d})",
                   members * self.n * self.T * self.d, "use fewer ranks or seeds, or a smaller --n, --T or --d")

    @property
    def control_spec(self) -> Control:
        return Control(self.control, self.lam, parse_constraints(self.constraints))

    @property
    def task_options(self) -> dict:
        return {"teacher_rank": self.teacher_rank, "noise": self.noise, "s": self.s}

    def spec(self, rank: Optional[int] = None) -> HeadSpec:
        k = max(self.ranks) if rank is None else rank
        return HeadSpec(d=self.d, k=self.d if self.control != "factor" else k,
                        parametrisation=self.control_spec.parametrisation, activation=self.activation)


def _train_cell(cell: Cell, device) -> tuple[list[dict], dict, dict]:
    members = [(r, s) for r in cell.ranks for s in cell.seeds]
    data = {s: make_task(cell.task, cell.n, cell.T, cell.d, s, **cell.task_options) for s in cell.seeds}
    test = make_task(cell.task, cell.n_test, cell.T, cell.d, heldout_seed(0), **cell.task_options)
    X = torch.stack([data[s].X for _, s in members]).to(device)
    y = torch.stack([data[s].y for _, s in members]).to(device)
    spec = cell.spec()
    control = cell.control_spec
    # for the full parametrisation the rank is controlled by the penalty, not a mask
    ranks = [r for r, _ in members] if control.kind == "factor" else [spec.k] * len(members)
    params = init_params(spec, [1000 * s + r for r, s in members], ranks, device=device)
    params = fit(spec, params, X, y, None, control, steps=cell.steps, lr=cell.lr)
    if not all(bool(torch.isfinite(p).all()) for p in params.values()):
        raise ConfigError(f"training diverged (non-finite weights) at lr={cell.lr:g}, T={cell.T}, n={cell.n}; "
                          "use a smaller --lr")
    train = losses(spec, params, X, y)
    held = losses(spec, params, test.X.to(device), test.y.to(device))
    weights = weight_measurements(spec, params)
    rows = []
    for i, (r, s) in enumerate(members):
        row = {"rank": r, "seed": s, "B_X": data[s].B_X, "B_X_test": test.B_X}
        for name in ("logistic", "clipped", "error"):
            row[f"train_{name}"] = float(train[name][i])
            row[f"test_{name}"] = float(held[name][i])
        row["gap"] = row["test_clipped"] - row["train_clipped"]
        row["gap_error"] = row["test_error"] - row["train_error"]
        row.update(weights[i])
        rows.append(row)
    return rows, data, {"spec": spec, "params": params}


def _rademacher(cell: Cell, rows: list[dict], data, device) -> list[dict]:
    """Per rank, on the first seed's sample: closed forms of the score class and the head's lower estimate."""
    from .rademacher import sign_vectors

    sample = data[cell.seeds[0]]
    X = sample.X.to(device)
    Z = score_features(sample.X)
    control = cell.control_spec
    given = {c.matrix: c for c in control.constraints}
    out = []
    for r in cell.ranks:
        mine = [m for m in rows if m["rank"] == r]
        first = next(m for m in mine if m["seed"] == cell.seeds[0])
        # The class: the training constraints where they exist (genuine), else the measured norms (post-hoc).
        qk = given.get("WQK") or Constraint("WQK", "fro", first["qk_fro"])
        wv = given.get("WV") or Constraint("WV", "spectral", first["v_spectral"])
        w = given.get("w") or Constraint("w", "l2", first["w_l2"])
        post_hoc = [c.matrix for c in (qk, wv, w) if c.matrix not in given]
        rank = r if control.kind == "factor" else cell.d
        entry = {"rank": r, "class": f"rank<={rank}, {qk.label}, {wv.label}, {w.label}",
                 "class_basis": "post-hoc (measured norms of " + ", ".join(post_hoc) + ")" if post_hoc
                 else "training constraints"}
        qk_cls = {"fro": "fro_rank", "spectral": "spectral_rank"}.get(qk.norm, qk.norm)
        score = closed_form(Z, qk_cls, qk.radius, rank=rank if qk_cls.endswith("_rank") else None,
                            samples=cell.mc_signs, seed=17)
        entry.update(score.to_dict("rad_score"))
        entry["rad_score_class"] = f"x_tau^T W x_0 with {qk_cls}<={qk.radius:g}" + (f", rank<={rank}"
                                                                                   if qk_cls.endswith("_rank") else "")
        sigmas = sign_vectors(cell.n, cell.rad_signs, seed=29, dtype=X.dtype)
        spec = HeadSpec(d=cell.d, k=rank, parametrisation="factor", activation=cell.activation)
        head = head_lower(spec, Control("factor", 0.0, (qk, wv, w)), X, sigmas, restarts=cell.rad_restarts,
                          steps=cell.rad_steps, seed=31)
        entry.update(head.to_dict("rad_head"))
        # the class of all functions with |f(X_i)| <= b_i contains the head; its R̂ is exactly mean(b_i)
        b = LIPSCHITZ[cell.activation] * w.radius * _spectral_radius(wv) * X.norm(dim=-1).amax(-1)
        entry["rad_envelope"] = float(b.mean())
        out.append(entry)
    return out


def _spectral_radius(c: Constraint) -> float:
    """An upper bound on ‖W_V‖_2 implied by a norm ball (every norm we use dominates the spectral norm)."""
    return c.radius


def _save_members(cell: Cell, rows: list[dict], model: dict, folder) -> None:
    for i, m in enumerate(rows):
        name = f"{cell.task}_T{cell.T}_n{cell.n}_r{m['rank']}_s{m['seed']}_{config_key(cell)[:8]}.pt"
        save(Path(folder) / name, model["spec"], model["params"], member=i)


def run_cell(cell: Cell, context: Optional[Context] = None) -> dict:
    """Train, measure and estimate one cell; the result is JSON-ready."""
    context = context or Context()
    device = context.device
    start = time.perf_counter()
    rows, data, trained_model = _train_cell(cell, device)
    if context.extra.get("checkpoints"):  # optional: keep every member's weights (plain tensors)
        _save_members(cell, rows, trained_model, context.extra["checkpoints"])
    trained = time.perf_counter() - start
    rad = _rademacher(cell, rows, data, device)
    return {"members": rows, "rademacher": rad, "train_seconds": trained,
            "rademacher_seconds": time.perf_counter() - start - trained}
