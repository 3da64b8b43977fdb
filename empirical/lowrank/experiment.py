"""The generalisation experiment: sweeps over n, rank r and T with seeds, one store row per cell.

A :class:`Sweep` is the user's grid.  It splits into :class:`Cell` s, one per
``(T, n)``: the cell trains every ``rank x seed`` member in one batch, measures
losses, gaps, norms and ranks, and estimates the Rademacher complexity of the
class each rank's members come from, on the training sample of the first seed.
Cells are the units of :func:`empirical.experiment.run_sweep`, so a finished
cell is never recomputed and an interrupted sweep resumes.

>>> sweep = Sweep(ns=(16, 32), ranks=(1, 2), Ts=(4,), seeds=(0,), d=6, steps=5, n_test=64, rad_signs=4,
...               rad_steps=3, mc_signs=50)
>>> [(c.T, c.n) for c in sweep.cells()]
[(4, 16), (4, 32)]
>>> res = run_cell(sweep.cells()[0])
>>> sorted(res)[:2]
['members', 'rademacher']
>>> m = res["members"][0]
>>> m["rank"], m["qk_rank"] <= 1, 0 <= m["train_error"] <= 1
(1, True, True)
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Callable, Optional

import torch

from tbounds.empirical.errors import ConfigError
from tbounds.empirical.experiment import Context, Experiment

from .control import Control, Constraint, parse_constraints
from .estimate import head_lower
from .measure import weight_measurements
from .model import LIPSCHITZ, HeadSpec, init_params
from .rademacher import closed_form, score_features
from .tasks import TASKS, heldout_seed, make_task
from .train import fit, losses

NAME = "generalization.lowrank"


@dataclass(frozen=True)
class Sweep:
    """A grid of training runs; every field is part of each cell's content hash."""

    task: str = "teacher"
    ns: tuple[int, ...] = (64, 128, 256, 512, 1024)
    ranks: tuple[int, ...] = (1, 2, 4, 16)
    Ts: tuple[int, ...] = (16,)
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
        if not self.ns or not self.ranks or not self.Ts or not self.seeds:
            raise ConfigError("a sweep needs at least one n, rank, T and seed")
        if any(r < 1 or r > self.d for r in self.ranks):
            raise ConfigError(f"ranks must lie in [1, d={self.d}] (got {list(self.ranks)})")
        if any(n < 2 for n in self.ns) or any(T < 1 for T in self.Ts):
            raise ConfigError("need n >= 2 and T >= 1")
        parse_constraints(self.constraints)
        Control(self.control, self.lam)

    def cells(self) -> list["Cell"]:
        fields = {k: v for k, v in asdict(self).items() if k not in ("ns", "Ts")}
        return [Cell(T=T, n=n, ns=(n,), Ts=(T,), **fields) for T in self.Ts for n in self.ns]


@dataclass(frozen=True)
class Cell(Sweep):
    """One ``(T, n)`` point of a sweep: all ranks and seeds, trained together."""

    T: int = 16
    n: int = 64

    def cells(self) -> list["Cell"]:  # pragma: no cover - a cell is already a unit
        return [self]

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
    from pathlib import Path

    from tbounds.empirical.experiment import config_key

    from .checkpoint import save

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


EXPERIMENT = Experiment(
    name=NAME,
    title="Low-rank single-layer transformers: measured gap and Rademacher complexity vs generalisation bounds",
    units=lambda sweep: sweep.cells(),
    run_unit=run_cell,
    relation="measured gap <= bound (certificates at the training constraints); rates: shape only",
    description="issue 6: gaps over n, rank and T; closed-form and optimisation-based Rademacher estimates",
)


def quick(**overrides) -> Sweep:
    """The ``--quick`` profile: a few minutes on 2 CPU cores."""
    base = Sweep(ns=(64, 128, 256, 512, 1024), ranks=(1, 2, 4, 16), Ts=(16,), seeds=(0, 1, 2), steps=300,
                 n_test=4000, rad_signs=16, rad_restarts=2, rad_steps=120, mc_signs=1000)
    return replace(base, **overrides)  # replace() re-runs the checks of __post_init__


def quick_sweeps(**overrides) -> list[Sweep]:
    """The quick profile's sweeps: the n x rank grid at T = 16, and T in {8, 32} at n = 256."""
    main = quick(**overrides)
    Ts = overrides.get("Ts")
    if Ts is not None:
        return [main]
    middle = sorted(main.ns)[len(main.ns) // 2]
    return [main, replace(main, ns=(middle,), Ts=(8, 32))]
