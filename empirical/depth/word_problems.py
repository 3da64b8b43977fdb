"""Experiment ``depth.word_problems``: state tracking over n tokens (Merrill & Sabharwal, arXiv 2503.03961, §7 and
App. F), with looped models and abelian controls beside the paper's unlooped A5 runs.

One unit trains the seeds of one model shape (task, layers, looped or not, width) as members of one
:class:`~.models.DepthTransformer`, through a curriculum over lengths 2, 4, 8, ... (one phase per length,
the same model throughout: App. F), and evaluates per-position accuracy on a fixed held-out set at the
longest length at every checkpoint.  n* = n@0.05 (:mod:`.n_star`) is read from every seed and
checkpoint: the best over both (the paper's Figure 2), the median over seeds of each seed's best, and
the median at the final checkpoint.

Sweeps (one section of the family profile, :class:`Section`):

- depth sweep at fixed width, for A5 and the controls (:mod:`.word_tasks`: abelian Z2/Z5, cycle
  navigation, modular arithmetic; solvable S3/A4), unlooped;
- looped models (one block applied ``layers`` times) at the same numbers of layer applications;
- a width sweep at fixed depth (A5).

The comparison fits depth = a·log2(n*) + b (:func:`tbounds.empirical.fit.line`; the standard r², and
the paper script's swapped r² beside it) next to the slopes of Corollary 1.1 (4 layers per doubling,
``merrill2025.regular.nonuniform``), Theorem 1 (8, looped, ``merrill2025.regular.looped``) and the
paper's fit (4.8, ``merrill2025.a5_fit.depth``), and n* = a·log2(width) + b next to 7.2
(``merrill2025.a5_fit.width``).  The theorems are sufficiency results about what *some* weights can do
at a depth; a trained model that tracks longer or shorter words than the construction contradicts
neither, so each relation says what it can and cannot show.

This module is one of the depth family's experiment modules (see :mod:`tbounds.empirical.depth`).

>>> rows = [{"experiment": "word_problems", "task": "A5", "layers": L, "looped": False, "width": 64,
...          "n_star_best": n, "n_star_median": n, "censored": False, "eval_length": 64}
...         for L, n in ((1, 2), (2, 4), (3, 8), (4, 16))]
>>> fit = depth_fit(rows, "A5", looped=False, width=64)
>>> round(fit.slope, 2), round(fit.r2, 2)
(1.0, 1.0)
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

import tbounds.bounds as bounds

from ..comparison import Relation
from ..errors import ConfigError
from ..experiment import Context, Experiment, TaskSpec
from ..fit import LineFit, line
from .groups import STANDARD
from .n_star import EPS, n_at_eps, summarise
from .word_tasks import (cycle_navigation_examples, cycle_navigation_label, modular_arithmetic_examples,
                         modular_arithmetic_label, word_problem_examples, word_problem_label, word_task)

NAME = "word_problems"
VERSION = 2   # 2: phase budgets with a phase target
NONUNIFORM, LOOPED, PAPER_FIT = "merrill2025.regular.nonuniform", "merrill2025.regular.looped", "merrill2025.a5_fit.depth"
WIDTH_FIT, MAX_LENGTH = "merrill2025.a5_fit.width", "merrill2025.regular.max_length.exact"
#: layers per doubling of n: Corollary 1.1 (non-uniform), Theorem 1 (looped), the paper's Figure 2 fit
SLOPES = {"Corollary 1.1 (non-uniform)": 4.0, "Theorem 1 (looped)": 8.0, "paper fit (A5, unlooped)": 4.8}
PAPER_WIDTH_SLOPE = 7.2
EVAL_SEED = 90_210
PER_DOUBLING = ("the theorems give sufficient depths (some weights reach that length at that depth); a trained "
                "model may track longer words with fewer layers or fail to learn what a construction allows, "
                "so a slope is compared by shape: it can show how training scales, not refute a theorem")


def _positive(name, v):
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise ConfigError(f"word_problems {name} must be a positive integer (got {v!r})")


@dataclass(frozen=True)
class Section:
    """The word-problem experiment's settings at one scale (a field of the family profile)."""

    tasks: tuple = ("A5", "cycle", "modarith")        # depth-swept, unlooped
    looped_tasks: tuple = ("A5",)                      # also looped, at the same layer applications
    layers: tuple = (1, 2, 3)
    control_layers: tuple = ()                         # depths of the tasks after the first (() = layers)
    looped_layers: tuple = (2,)                        # layer applications of the looped runs (() = every layers > 1)
    width: int = 64
    width_task: str = "A5"
    width_layers: int = 1
    width_values: tuple = (32, 64)
    heads: int = 4
    positional: str = "learned"
    lengths: tuple = (2, 4, 8)
    first_steps: int = 800                             # the length-2 phase (learning the multiplication table)
    steps: int | tuple = 250                           # every later phase, or one budget per later phase
    batch: int = 256
    lr: float = 1e-2
    seeds: tuple = (0, 1)
    eval_every: int = 100
    eval_size: int = 256
    phase_target: float = 0.0                          # > 0: a phase ends once every seed reaches this on its lengths

    def __post_init__(self):
        for name in ("width", "width_layers", "heads", "first_steps", "batch", "eval_every", "eval_size"):
            _positive(name, getattr(self, name))
        if not isinstance(self.phase_target, (int, float)) or not 0 <= self.phase_target <= 1:
            raise ConfigError(f"word_problems phase_target must be in [0, 1] (got {self.phase_target!r})")
        for name in ("layers", "control_layers", "looped_layers", "width_values", "lengths", "seeds"):
            v = getattr(self, name)
            if (not v and name not in ("looped_layers", "control_layers")) or any(not isinstance(x, int) or isinstance(x, bool) or x < (0 if name == "seeds" else 1)
                            for x in v):
                raise ConfigError(f"word_problems {name} must be {'non-negative' if name == 'seeds' else 'positive'} "
                                  f"integers (got {v!r})")
        for name in ("tasks", "looped_tasks"):
            for t in getattr(self, name):
                word_task(t)   # a one-line error naming the allowed tasks
        word_task(self.width_task)
        if list(self.lengths) != sorted(set(self.lengths)) or self.lengths[0] < 1:
            raise ConfigError(f"word_problems lengths must be increasing (got {self.lengths!r})")
        budgets(self.first_steps, self.steps, self.lengths)   # a one-line error naming steps
        if not isinstance(self.lr, (int, float)) or not 0 < self.lr < 1:
            raise ConfigError(f"word_problems lr must be in (0, 1) (got {self.lr!r})")


@dataclass(frozen=True)
class WordUnit:
    """The seeds of one model shape, trained through one curriculum on one task."""

    task: str = "A5"
    layers: int = 2
    looped: bool = False
    width: int = 32
    heads: int = 4
    positional: str = "learned"
    lengths: tuple = (2, 4, 8, 16)
    first_steps: int = 500
    steps: int | tuple = 150
    batch: int = 128
    lr: float = 1e-2
    seeds: tuple = (0, 1)
    eval_every: int = 50
    eval_size: int = 256
    phase_target: float = 0.0
    version: int = VERSION

    @property
    def seed(self) -> int:
        """The first member's seed (what the store records)."""
        return self.seeds[0]


def _unit(s: Section, task: str, layers: int, looped: bool, width: int) -> WordUnit:
    return WordUnit(task=word_task(task).name, layers=layers, looped=looped, width=width, heads=s.heads,
                    positional=s.positional, lengths=tuple(s.lengths), first_steps=s.first_steps, steps=s.steps,
                    batch=s.batch, lr=float(s.lr), seeds=tuple(s.seeds), eval_every=s.eval_every,
                    eval_size=s.eval_size, phase_target=float(s.phase_target))


def units(profile) -> list:
    """Depth sweep (unlooped) per task (the first task at ``layers``, the others at ``control_layers``), looped at
    the same applications, then the width sweep; no duplicates."""
    s = profile.word_problems
    out = [_unit(s, t, L, False, s.width) for i, t in enumerate(s.tasks)
           for L in (s.layers if i == 0 else s.control_layers or s.layers)]
    looped = s.looped_layers or s.layers
    out += [_unit(s, t, L, True, s.width) for t in s.looped_tasks for L in looped if L > 1]  # L = 1: the same model
    out += [_unit(s, s.width_task, s.width_layers, False, w) for w in s.width_values]
    return list(dict.fromkeys(out))


def run_unit(unit: WordUnit, ctx: Context) -> dict:
    from .models import DepthTransformer, ModelSpec
    from .train import EvalSet, Phase, train

    task = word_task(unit.task)
    T = max(unit.lengths)
    spec = ModelSpec(vocab=task.vocab, classes=task.classes, layers=unit.layers, width=unit.width, heads=unit.heads,
                     max_len=T, positional=unit.positional, looped=unit.looped)
    model = DepthTransformer(spec, unit.seeds, device=ctx.device)
    x, y = task.sample(np.random.default_rng(EVAL_SEED), unit.eval_size, T)
    position = np.tile(np.arange(T), (x.shape[0], 1))
    evaluation = EvalSet.make(x, y, groups=position, group_names={t: str(t) for t in range(T)})
    phases = [Phase(lambda rng, b, L=L: task.sample(rng, b, L), n, f"length {L}",
                    _reached(L, unit.phase_target) if unit.phase_target else None)
              for n, L in zip(budgets(unit.first_steps, unit.steps, unit.lengths), unit.lengths)]
    label = f"{unit.task} L={unit.layers}{' looped' if unit.looped else ''} w={unit.width}"
    ctx.report(f"word_problems {label}: curriculum {'/'.join(map(str, unit.lengths))}")
    start = time.perf_counter()
    log = train(model, phases, lrs=[unit.lr], evaluation=evaluation, batch=unit.batch, seed=unit.seeds[0] + 1,
                eval_every=unit.eval_every, warmup=min(50, unit.first_steps))
    seconds = time.perf_counter() - start
    M = len(unit.seeds)
    # curves[member][checkpoint][position]: accuracy, or None where the position has no label
    curves = [[[(c.by_group.get(str(t)) or [None] * M)[m] for t in range(T)] for c in log.checkpoints]
              for m in range(M)]
    steps = [c.step for c in log.checkpoints]
    ends = [int(e) for e in log.phase_ends]          # phases may end early (phase_target)
    ran = [e - s for s, e in zip([0] + ends, ends)]
    at_end = at_phase_ends(curves, steps, ends)
    tokens = sum(n * unit.batch * L for n, L in zip(ran, unit.lengths))
    return {"n_star": summarise(curves), "n_star_at_phase_end": at_end, "phase_end_steps": ends,
            "steps": steps, "curves": curves, "final_accuracy": log.final_accuracy,
            "params": spec.param_count(), "tokens": int(tokens),
            "model_flops": float(sum(n * unit.batch * L * spec.flops_per_token(L) * M
                                     for n, L in zip(ran, unit.lengths))),
            "train_seconds": round(seconds, 3), "device": str(ctx.device)}


def budgets(first: int, later, lengths) -> list:
    """The step budget of each phase: ``first`` for the first length, then ``later`` (one int for every later
    phase, or one per later phase).

    >>> budgets(600, 300, (2, 4, 8)), budgets(600, (800, 400), (2, 4, 8))
    ([600, 300, 300], [600, 800, 400])
    >>> try:
    ...     budgets(600, (800,), (2, 4, 8))
    ... except ConfigError as e:
    ...     print(str(e)[:60])
    word_problems steps must be a positive integer or one per la
    """
    rest = [later] * (len(lengths) - 1) if isinstance(later, int) and not isinstance(later, bool) else list(later) \
        if isinstance(later, (tuple, list)) else None
    if rest is None or len(rest) != len(lengths) - 1 or any(
            not isinstance(v, int) or isinstance(v, bool) or v < 1 for v in rest):
        raise ConfigError(f"word_problems steps must be a positive integer or one per later length "
                          f"({len(lengths) - 1} for lengths {tuple(lengths)}); got {later!r}")
    return [first] + rest


def _reached(length: int, target: float):
    """A phase's stopping rule: every member at ``target`` or better on every labelled position below ``length``
    (modular arithmetic's operator positions have no label, so no group).

    >>> from types import SimpleNamespace as C
    >>> done = _reached(3, 0.99)
    >>> done(C(by_group={"0": [1.0, 1.0], "2": [0.995, 0.99]})), done(C(by_group={"0": [1.0, 0.9], "2": [1.0, 1.0]}))
    (True, False)
    """
    def done(checkpoint) -> bool:
        return all(min(checkpoint.by_group[str(t)]) >= target for t in range(length) if str(t) in checkpoint.by_group)
    return done


def at_phase_ends(curves, steps, ends) -> list:
    """Per member, n* at the last checkpoint of each phase (None for a phase without a checkpoint).

    >>> at_phase_ends([[[1, .2], [1, 1], [.5, 1]]], steps=[100, 200, 250], ends=[150, 250])
    [[1, 0]]
    """
    out = []
    for member in curves:
        row = []
        for i, end in enumerate(ends):
            start = ends[i - 1] if i else 0
            inside = [c for c, s in enumerate(steps) if start < s <= end]
            row.append(n_at_eps(member[inside[-1]]) if inside else None)
        out.append(row)
    return out


# ---------------------------------------------------------------- rows


def _bound(bound_id: str, **params) -> Optional[float]:
    try:
        return float(bounds.get(bound_id)(**params))
    except Exception:  # outside the bound's assumptions (e.g. fewer than 5 layers): it says nothing there
        return None


def _kind(task: str) -> str:
    t = word_task(task)
    return "abelian" if t.abelian else ("solvable" if t.solvable else "non-solvable")


def rows(experiment: Experiment, results) -> list[dict]:
    out = []
    for unit, row in results.of(experiment):
        res = row.result
        ns = res["n_star"]
        best = ns["best"]
        r = {"experiment": experiment.short_name, "task": unit.task, "kind": _kind(unit.task), "layers": unit.layers,
             "looped": unit.looped, "width": unit.width, "params": res["params"], "seeds": len(unit.seeds),
             "eval_length": ns["length"], "n_star_best": best, "n_star_median": ns["median"],
             "n_star_final_median": ns["final_median"], "per_seed_best": ns["per_seed_best"],
             "censored": ns["censored"],
             "n_star_at_phase_end": at_phase_ends(res["curves"], res["steps"], res["phase_end_steps"]),
             # what the constructions need for the measured n*, and what they guarantee at this depth
             "depth_cor11_for_n_star": _bound(NONUNIFORM, n=best) if best else None,
             "depth_thm1_for_n_star": _bound(LOOPED, n=best) if best else None,
             "guaranteed_length_cor12": _bound(MAX_LENGTH, d=unit.layers),
             "paper_fit_depth": _bound(PAPER_FIT, n=best) if best else None,
             "model_flops": res.get("model_flops"), "train_seconds": res.get("train_seconds"),
             "seconds": round(row.seconds, 1)}
        r["relation"] = (f"{unit.task} L={unit.layers}{' looped' if unit.looped else ''} w={unit.width}: n* best "
                         f"{best}{'+' if ns['censored'] else ''}, median {ns['median']} of {ns['length']} positions")
        out.append(r)
    return out


# ---------------------------------------------------------------- fits and relations


def _usable(r: dict, which: str = "n_star_best") -> bool:
    """A point for a log2 fit: n* >= 1 and not at the evaluation ceiling (censored n* is only a lower bound)."""
    v = r.get(which)
    return v is not None and v >= 1 and not (v >= r["eval_length"])


def _sweep(rows_, task, looped, width):
    return sorted((r for r in rows_ if r["task"] == task and r["looped"] == looped and r["width"] == width),
                  key=lambda r: r["layers"])


def depth_fit(rows_: list[dict], task: str, looped: bool, width: int, which: str = "n_star_best") -> LineFit:
    """depth = a·log2(n*) + b over the depth sweep (points at the ceiling or with n* = 0 left out)."""
    pts = [r for r in _sweep(rows_, task, looped, width) if _usable(r, which)]
    return line([math.log2(r[which]) for r in pts], [r["layers"] for r in pts])


def width_fit(rows_: list[dict], task: str, layers: int, which: str = "n_star_best") -> LineFit:
    """n* = a·log2(width) + b over the width sweep (points at the ceiling left out)."""
    pts = sorted((r for r in rows_ if r["task"] == task and not r["looped"] and r["layers"] == layers
                  and _usable(r, which)), key=lambda r: r["width"])
    return line([math.log2(r["width"]) for r in pts], [r[which] for r in pts])


def _fmt_n(r, which="n_star_best"):
    v = r.get(which)
    return "-" if v is None else f"{v}{'+' if r.get('censored') and which == 'n_star_best' else ''}"


def _by_depth(sweep, which="n_star_best"):
    return ", ".join(f"L={r['layers']}: {_fmt_n(r, which)}" for r in sweep)


def _slope_verdict(fit: LineFit, sweep=(), which: str = "n_star_best") -> str:
    """What the depth fit says beside 4, 8 and 4.8, or exactly why it cannot say it (a slope with an interval
    needs at least 3 points below the ceiling with at least 2 distinct n*)."""
    pts = [r for r in sweep if _usable(r, which)]
    distinct = sorted({r[which] for r in pts})
    ceiling = sum(1 for r in sweep if r.get(which) is not None and r[which] >= r["eval_length"])
    if not fit.usable or len(pts) < 3:
        return (f"no {'slope' if not fit.usable else 'interval'}: {len(pts)} depth(s) below the ceiling with "
                f"{len(distinct)} distinct n* ({', '.join(map(str, distinct)) or '-'})"
                + (f", {ceiling} at the ceiling (left out)" if ceiling else "")
                + "; a slope with an interval needs >= 3 points and >= 2 distinct n*, so 4, 8 and 4.8 are not compared")
    inside = [f"{v:g}" for v in SLOPES.values() if fit.contains(v)]
    where = ("CI contains " + ", ".join(inside)) if inside else "CI excludes 4, 8 and 4.8"
    if len(inside) == len(SLOPES):
        where += (f" (too wide to tell them apart: {len(pts)} points, {len(distinct)} distinct n*, "
                  f"{len(pts) - 2} degree(s) of freedom)")
    if fit.slope <= 0:
        return f"{where}; n* does not grow with depth here"
    return f"{where}; {fit.slope:.2f} layers per doubling of n* (fewer than 4 means more length per layer than " \
           f"the non-uniform construction)"


def _width_verdict(fit: LineFit) -> str:
    if not fit.usable:
        return "no slope (n* does not vary, or too few points below the ceiling)"
    if math.isinf(fit.high) or math.isinf(fit.low):
        return f"two points: slope {fit.slope:.2f}, no interval"
    return "CI contains 7.2" if fit.contains(PAPER_WIDTH_SLOPE) else f"slope {fit.slope:.2f}: 7.2 outside the CI"


def relations(rows_: list[dict], profile) -> list[Relation]:
    s = getattr(profile, NAME, None) or Section()
    mine = [r for r in rows_ if r.get("experiment") == NAME]
    out = []
    tasks = list(dict.fromkeys(r["task"] for r in mine))
    main = s.width_task if s.width_task in tasks else (tasks[0] if tasks else None)
    if main is None:
        return out
    sweep = _sweep(mine, main, False, s.width)
    if sweep:
        fit, med = depth_fit(mine, main, False, s.width), depth_fit(mine, main, False, s.width, "n_star_median")
        censored = [r["layers"] for r in sweep if r["censored"]]
        out.append(Relation.about(
            f"depth = a·log2(n*) + b ({main}, unlooped, width {s.width}; best over seeds and checkpoints)",
            f"n* by depth {_by_depth(sweep)}; a = {fit.describe()}"
            + (f", b = {fit.intercept:.2f}" if fit.usable else "")
            + (f", paper-script r² {fit.r2_swapped:.2f}" if math.isfinite(fit.r2_swapped) else "")
            + f"; median-seed n*: a = {med.describe()}"
            + (f"; at the ceiling (left out of the fit): L = {censored}" if censored else ""),
            "a = 4 (Cor 1.1, non-uniform), 8 (Thm 1, looped), 4.8 (paper fit, r² 0.93, depths 6-24, width 512); "
            + PER_DOUBLING, _slope_verdict(fit, sweep), (NONUNIFORM, LOOPED, PAPER_FIT)))
        guaranteed = [(r["layers"], r["guaranteed_length_cor12"]) for r in sweep]
        need = [(r["layers"], r["n_star_best"], r["depth_cor11_for_n_star"]) for r in sweep if r["n_star_best"]]
        below = [L for L, n, d in need if d is not None and L < d]
        out.append(Relation.about(
            f"measured n* against the lengths the constructions guarantee ({main})",
            "Cor 1.2 guarantees " + ", ".join(f"length {g:g} at L={L}" if g is not None else f"nothing at L={L} (< 5)"
                                              for L, g in guaranteed)
            + ("; Cor 1.1's construction uses " + ", ".join(f"{d:g} layers for n*={n} (measured at L={L})"
                                                           for L, n, d in need if d is not None) if need else ""),
            "4·ceil(log2 n)+5 layers suffice (Cor 1.1); the constructions are not minimal, and training need not "
            "find them: neither a longer nor a shorter measured n* refutes them (not a test)",
            (f"trained models track n* with fewer layers than the construction at L = {', '.join(map(str, below))}"
             if below else "no depth tracks beyond what the construction needs"), (NONUNIFORM, MAX_LENGTH)))
    # controls: flat against growing
    per_task = []
    for t in tasks:
        sw = _sweep(mine, t, False, s.width)
        if len(sw) >= 2:
            first, last = sw[0], sw[-1]
            grows = (last["n_star_best"] or 0) > (first["n_star_best"] or 0) and not first["censored"]
            flat_top = all(r["censored"] for r in sw)
            per_task.append((t, _kind(t), sw, grows, flat_top))
    if len(per_task) >= 2:
        text = "; ".join(f"{t} ({k}): {_by_depth(sw)}" for t, k, sw, _, _ in per_task)
        ab = [(t, g, f) for t, k, _, g, f in per_task if k == "abelian"]
        non = [(t, g, f) for t, k, _, g, f in per_task if k != "abelian"]
        ab_flat = [t for t, g, f in ab if f or not g]
        non_grow = [t for t, g, f in non if g]
        verdict = (f"abelian flat in depth: {_count_of(ab_flat, ab)}; "
                   f"non-abelian growing: {_count_of(non_grow, non)}")
        out.append(Relation.about(
            "abelian controls need no depth growth; A5 (NC1-complete) does",
            text + " ('+': every position of the evaluation length reached, a lower bound)",
            "solvable word problems are in TC0: a fixed depth suffices for every n (in principle; parity is hard to "
            "learn); A5 needs depth growing like log n unless TC0 = NC1 (merrill2025.regular.fixed_depth_impossible); "
            "a flat control shows depth is not the bottleneck there, it cannot show the TC0 ≠ NC1 conjecture",
            verdict, (NONUNIFORM,)))
    # looped against unlooped, same number of layer applications
    for t in dict.fromkeys(r["task"] for r in mine if r["looped"]):
        loop = {r["layers"]: r for r in _sweep(mine, t, True, s.width)}
        flat = {r["layers"]: r for r in _sweep(mine, t, False, s.width)}
        both = sorted(set(loop) & set(flat))
        if not both:
            continue
        pairs = ", ".join(f"L={L}: {_fmt_n(loop[L])} vs {_fmt_n(flat[L])} "
                          f"({loop[L]['params']} vs {flat[L]['params']} params)" for L in both)
        ge = sum((loop[L]["n_star_best"] or 0) >= (flat[L]["n_star_best"] or 0) for L in both)
        lf = depth_fit(mine, t, True, s.width)
        out.append(Relation.about(
            f"looped against unlooped at the same layer applications ({t}, width {s.width})",
            f"n* looped vs unlooped: {pairs}; looped slope a = {lf.describe()}",
            "Thm 1 (looped, 8 per doubling) needs twice the layers per doubling of Cor 1.1 (non-uniform, 4); "
            "the paper trained only unlooped models. A looped model shares one block's weights, so it is a "
            "special case of the unlooped one at equal applications: it can match, not exceed, what the "
            "unlooped class can express; training may still favour either",
            f"looped >= unlooped at {ge}/{len(both)} depths", (LOOPED, NONUNIFORM)))
    # width
    wrows = sorted((r for r in mine if r["task"] == s.width_task and not r["looped"] and r["layers"] == s.width_layers),
                   key=lambda r: r["width"])
    if len({r["width"] for r in wrows}) >= 2:
        wf = width_fit(mine, s.width_task, s.width_layers)
        out.append(Relation.about(
            f"n* = a·log2(width) + b ({s.width_task}, depth {s.width_layers})",
            "n* by width " + ", ".join(f"w={r['width']}: {_fmt_n(r)}" for r in wrows)
            + f"; a = {wf.describe()}, b = {wf.intercept:.2f}" if wf.usable else
            "n* by width " + ", ".join(f"w={r['width']}: {_fmt_n(r)}" for r in wrows) + f"; {wf.describe()}",
            f"paper: a = {PAPER_WIDTH_SLOPE} (r² 0.98, depth 6, widths 128-1024): n* grows only logarithmically "
            "in width, so width must grow exponentially in n (Thm 3: polynomial width stays in TC0); a fit, "
            "compared by shape",
            _width_verdict(wf), (WIDTH_FIT,)))
    return out


def _sweeps(rows_: list[dict]) -> tuple:
    """The depth sweep (task, width) and width sweep (task, layers) the rows hold, found without the profile:
    the unlooped non-abelian task (A5 first) and the width (layers) with the most distinct depths (widths)."""
    flat = [r for r in rows_ if not r["looped"]]
    if not flat:
        return None, None
    tasks = sorted({r["task"] for r in flat}, key=lambda t: (t != "A5", _kind_rank(t), t))
    task = tasks[0]

    def most(key, other):
        counts = {}
        for r in flat:
            if r["task"] == task:
                counts.setdefault(r[key], set()).add(r[other])
        return max(counts, key=lambda k: (len(counts[k]), k)), counts

    width, by_width = most("width", "layers")
    layers, by_layers = most("layers", "width")
    return (task, width), ((task, layers) if len(by_layers[layers]) >= 2 else None)


def _kind_rank(task: str) -> int:
    return {"non-solvable": 0, "solvable": 1, "abelian": 2}[_kind(task)]


def fits(rows_: list[dict]) -> dict:
    """The depth and width fits of the sweeps in ``rows_`` (JSON-ready)."""
    depth, width = _sweeps([r for r in rows_ if r.get("experiment") == NAME])
    out = {}
    if depth:
        task, w = depth
        out["depth"] = {"task": task, "width": w, **depth_fit(rows_, task, False, w).to_dict(),
                        "median": depth_fit(rows_, task, False, w, "n_star_median").to_dict(),
                        "looped": depth_fit(rows_, task, True, w).to_dict()}
    if width:
        task, L = width
        out["width"] = {"task": task, "layers": L, **width_fit(rows_, task, L).to_dict()}
    return out


def extras(experiments, results) -> dict:
    """For the figures and JSON: the fits, and per unit the per-position accuracy at its best checkpoint."""
    out = {"curves": [], "fits": fits([r for e in experiments for r in rows(e, results)])}
    for e in experiments:
        for unit, row in results.of(e):
            res = row.result
            best = None
            for m, member in enumerate(res["curves"]):
                for c, curve in enumerate(member):
                    n = n_at_eps(curve)
                    if best is None or n > best[0]:
                        best = (n, m, c)
            if best is None:
                continue
            n, m, c = best
            final = [res["curves"][k][-1] for k in range(len(res["curves"]))]
            median = [statistics.median(v for v in col if v is not None) if any(v is not None for v in col)
                      else None for col in zip(*final)]
            out["curves"].append({"task": unit.task, "layers": unit.layers, "looped": unit.looped,
                                  "width": unit.width, "best": res["curves"][m][c], "best_step": res["steps"][c],
                                  "final_median": median})
    return out


EXPERIMENTS = (
    Experiment("depth.word_problems",
               "State tracking: n* = n@0.05 against depth, width and looping (group word problems and controls)",
               units, run_unit, (NONUNIFORM, LOOPED, PAPER_FIT, WIDTH_FIT, MAX_LENGTH),
               "depth = a·log2(n*) + b beside 4 (Cor 1.1), 8 (Thm 1), 4.8 (paper fit); n* ~ 7.2·log2(width); "
               "abelian controls flat; looped against unlooped (sufficiency results: shape, not a test)",
               "A5 and controls with a label at every position, curriculum 2, 4, 8, ... (arXiv 2503.03961 §7, "
               "App. F); the looped runs and the controls go beyond the paper."),
)

TASKS = (
    TaskSpec("word_problem", "group word problem (arXiv 2503.03961): element indices, the running product at every "
             f"position (index 0 the identity; S_n/A_n lexicographic; a∘b applies b first); groups {', '.join(STANDARD)}",
             word_problem_examples, {"group": "A5", "n": 8}, word_problem_label),
    TaskSpec("cycle_navigation", "cycle navigation (Delétang et al.): actions 0, 1, 2 = -1, 0, +1 on a cycle from 0, "
             "the position after every prefix", cycle_navigation_examples, {"cycle": 5, "n": 8},
             cycle_navigation_label),
    TaskSpec("modular_arithmetic", "modular arithmetic without brackets (Delétang et al.): residues and + - * "
             "(tokens m, m+1, m+2) alternating, each prefix ending in a number labelled with its value mod m",
             modular_arithmetic_examples, {"modulus": 5, "n": 9}, modular_arithmetic_label),
)

PROFILES = {
    # our design at CPU scale (learning-curve probes in docs/depth-experiments.md): batch 512 and lr 3e-3 learn
    # A5's table in about 400 steps at width 64 (width 32 or, at batch 256, lr 1e-2: over twice as many steps);
    # a phase ends once both seeds reach 99% on all of its positions, so its steps are a budget
    "quick": Section(tasks=("A5", "cycle", "modarith"), looped_tasks=("A5",), layers=(1, 2, 3), control_layers=(1, 2),
                     looped_layers=(2, 3), width=64, width_task="A5", width_layers=1, width_values=(32, 64), heads=4,
                     positional="learned", lengths=(2, 4, 8), first_steps=600, steps=(800, 300), batch=512, lr=3e-3,
                     seeds=(0, 1), eval_every=100, eval_size=256, phase_target=0.99),
    "paper": Section(tasks=("A5", "S5", "A4", "S3", "Z2", "Z5", "cycle", "modarith"), looped_tasks=("A5", "S3"),
                     layers=(2, 4, 6, 8, 12), looped_layers=(), width=256, width_layers=4, width_values=(64, 128, 256, 512),
                     heads=8, positional="sinusoidal", lengths=(2, 4, 8, 16, 32, 64, 128), first_steps=4000,
                     steps=2000, batch=256, lr=3e-4, seeds=(0, 1, 2), eval_every=250, eval_size=1024),
    "tiny": Section(tasks=("A5", "cycle"), looped_tasks=("A5",), layers=(1, 2), looped_layers=(), width=16, width_values=(16, 32),
                    width_layers=1, heads=2, lengths=(2, 4), first_steps=10, steps=5, batch=8, seeds=(0,),
                    eval_every=5, eval_size=16),
}


def _count_of(chosen: list[str], among: list[tuple]) -> str:
    """'2 of 2 (cycle5, modarith5)': how many of the tasks ``among`` are ``chosen``, naming them.

    >>> _count_of(["cycle5"], [("cycle5", 0, 0), ("modarith5", 0, 0)])
    '1 of 2 (cycle5)'
    >>> _count_of([], [("A5", 0, 0)])
    '0 of 1'
    """
    names = f" ({', '.join(chosen)})" if chosen else ""
    return f"{len(chosen)} of {len(among)}{names}"
