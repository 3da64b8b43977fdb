"""Experiments ``depth.khop`` and ``depth.width``: minimal depth for k-hop induction heads (Sanford, Hsu & Telgarsky,
arXiv 2402.09268), and whether doubling the width is worth a layer.

One unit is one depth search (:func:`.search.depth_search`) of the multi-task k-hop model (a
hop-count token, then letters with no immediate repeats, every position labelled: :mod:`.tasks`),
over L = 1, 2, ... with several seeds; L*(k) is read per k from the accuracy on the positions
whose target is a real letter (the paper's error measure).  Each trial records accuracy per k over
training and, per layer and head, the attention mass from each position to the pointer after j
hops (``j``) and to the previous position (``prev``, the construction's first layer), with the
step at which each appears.  ``width`` repeats the search at several widths.

The comparison puts L*(k) beside ``sanford2024.khop.upper`` (floor(log2 k) + 2 layers suffice; the
paper's experiments found low error exactly there) and the conditional Omega(log k) rate
``sanford2024.khop.lower`` (shape only).

This module is one of the depth family's experiment modules (see :mod:`tbounds.empirical.depth`).

>>> rows = [{"experiment": "khop", "k": k, "width": 32, "L95_best": L, "L95_median": L, "upper": u, "max_L": 5}
...         for k, L, u in ((1, 2, 2), (2, 3, 3), (3, 3, 3), (4, 4, 4))]
>>> relations(rows, None)[0].verdict
'matches floor(log2 k) + 2 at every k'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

import tbounds.bounds as bounds

from ..comparison import Relation
from ..errors import ConfigError
from ..experiment import Context, Experiment, TaskSpec, unit_from
from .models import IGNORE, ModelSpec
from .search import depth_search, minimal_depth, steps_at_depths
from .tasks import KhopVocab, khop_batch, khop_examples, khop_label
from .train import EvalSet, Phase

NAME = "khop"
VERSION = 1
UPPER, LOWER_RATE = "sanford2024.khop.upper", "sanford2024.khop.lower"


@dataclass(frozen=True)
class Section:
    """The k-hop and width experiments' settings at one scale (a field of the family profile)."""

    ks: tuple = (1, 2, 3, 4)
    n: int = 20
    alphabet: int = 4
    width: int = 32
    heads: int = 2
    positional: str = "rotary"
    layers: tuple = (1, 2, 3, 4)
    seeds: tuple = (0, 1, 2)
    lr: float = 1e-2
    steps: int = 1500
    batch: int = 32
    eval_every: int = 100
    eval_size: int = 256
    width_values: tuple = (16, 32)
    per_k: bool = False        # one model per k (no mixing), else one multi-task model over every k
    stop_median: float = 0.99  # the search over L stops once the median seed reaches this on every k
    steps_at: tuple = ()       # (L, steps) pairs: a different budget at those depths (e.g. longer for the deepest)

    def __post_init__(self):
        for name in ("n", "alphabet", "width", "heads", "steps", "batch", "eval_every", "eval_size"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"khop {name} must be a positive integer (got {v!r})")
        for name in ("ks", "layers", "seeds", "width_values"):
            v = getattr(self, name)
            if not v or any(not isinstance(x, int) or x < (0 if name == "seeds" else 1) for x in v):
                raise ConfigError(f"khop {name} must be positive integers (got {v!r})")
        steps_at_depths("khop", self.steps_at)
        if not 0 < self.stop_median <= 1:
            raise ConfigError(f"khop stop_median must be in (0, 1] (got {self.stop_median!r})")
        if max(self.ks) > 16:
            raise ConfigError(f"khop ks must be <= 16 (got {max(self.ks)})")
        if not 2 <= self.alphabet <= 26:
            raise ConfigError(f"khop alphabet must be between 2 and 26 (got {self.alphabet})")


@dataclass(frozen=True)
class KhopUnit:
    """One depth search of the multi-task k-hop model at one width."""

    ks: tuple = (1, 2, 3, 4)
    n: int = 20
    alphabet: int = 4
    width: int = 32
    heads: int = 2
    positional: str = "rotary"
    layers: tuple = (1, 2, 3, 4)
    seeds: tuple = (0, 1, 2)
    lr: float = 1e-2
    steps: int = 1500
    batch: int = 32
    eval_every: int = 100
    eval_size: int = 256
    stop_median: float = 0.99
    steps_at: tuple = ()
    version: int = VERSION


def _unit(s: Section, width: int, ks=None) -> KhopUnit:
    return unit_from(KhopUnit, s, width=width, ks=tuple(s.ks) if ks is None else tuple(ks))


def _units_at(s: Section, width: int) -> list:
    """One multi-task unit over every k, or (``per_k``) one unit per k."""
    return [_unit(s, width, (k,)) for k in s.ks] if s.per_k else [_unit(s, width)]


def khop_units(profile) -> list:
    return _units_at(profile.khop, profile.khop.width)


def width_units(profile) -> list:
    return [u for w in profile.khop.width_values for u in _units_at(profile.khop, w)]


def pointers(letters, kmax: int) -> list:
    """``pointers[j][i]``: the position after j hops from i (-1 when a hop does not exist)."""
    last, prev = {}, []
    for p, c in enumerate(letters):
        prev.append(last.get(c, -1))
        last[c] = p
    out = [list(range(len(letters)))]
    for _ in range(kmax):
        out.append([prev[p] + 1 if p >= 0 and prev[p] >= 0 else -1 for p in out[-1]])
    return out


def probe_indicators(x: np.ndarray, kmax: int) -> dict:
    """From each letter position to the pointer after j hops (``"1"``..), and to the previous position (``prev``)."""
    B, T = x.shape
    out = {str(j): torch.zeros(B, T, T) for j in range(1, kmax + 1)}
    out["prev"] = torch.zeros(B, T, T)
    for b in range(B):
        ptr = pointers(x[b, 1:].tolist(), kmax)
        for i in range(T - 1):
            if i >= 1:
                out["prev"][b, i + 1, i] = 1
            for j in range(1, kmax + 1):
                if ptr[j][i] >= 0:
                    out[str(j)][b, i + 1, ptr[j][i] + 1] = 1
    return out


def _eval_set(unit: KhopUnit, vocab: KhopVocab) -> EvalSet:
    rng = np.random.default_rng(30_000)
    per = max(1, unit.eval_size // len(unit.ks))
    xs, ys, gs = [], [], []
    for k in unit.ks:
        x, y, _ = khop_batch(rng, per, unit.n, [k], vocab)
        letter = (y != IGNORE) & (y != vocab.none)
        xs.append(x)
        ys.append(y)
        gs.append(np.where(letter, k, -1))
    x, y, g = np.concatenate(xs), np.concatenate(ys), np.concatenate(gs)
    return EvalSet.make(x, y, scored=(g >= 0), groups=g, group_names={k: str(k) for k in unit.ks})


def run_unit(unit: KhopUnit, ctx: Context) -> dict:
    vocab = KhopVocab(unit.alphabet, 16)
    evaluation = _eval_set(unit, vocab)
    kmax = max(unit.ks)
    px, _, _ = khop_batch(np.random.default_rng(40_000), 32, unit.n, [kmax], vocab)
    probe = (torch.as_tensor(px), probe_indicators(px, kmax))

    def sample(rng, batch):
        x, y, _ = khop_batch(rng, batch, unit.n, list(unit.ks), vocab)
        return x, y

    def spec_for(L):
        return ModelSpec(vocab=vocab.size, classes=vocab.classes, layers=L, width=unit.width, heads=unit.heads,
                         max_len=unit.n, positional=unit.positional)

    def done(trial):   # the first L at which the median seed reaches the stop level on every k
        return all(g["median"] >= unit.stop_median for g in trial["groups"].values())

    budget = steps_at_depths("khop", unit.steps_at)
    trials = depth_search(spec_for, lambda L: [Phase(sample, budget.get(L, unit.steps))], evaluation, unit.layers,
                          unit.seeds, (unit.lr,),
                          batch=unit.batch, eval_every=unit.eval_every, seed=1, device=ctx.device, probe=probe,
                          done=done, train_target=max(unit.stop_median, 0.95), target_groups=True,
                          report=lambda s: ctx.report(f"khop width={unit.width} ks={list(unit.ks)}: {s}"))
    letters = float((evaluation.scored.sum() / (evaluation.y != IGNORE).sum()).item())
    return {"trials": trials, "letter_fraction": round(letters, 4)}


def _bound(bound_id, **kw):
    try:
        return float(bounds.get(bound_id)(**kw))
    except Exception:
        return None


def _emergence_trial(trials: list) -> dict:
    """The trial read for emergence and heads: the depth whose best seed did best (the deepest one on ties).

    A deeper model that trained worse (e.g. unstable at the same learning rate) would show less.
    """
    return max(reversed(trials), key=lambda t: t["best"])


def _first_reach(curve, group, member, target):
    for step, by_group in zip(curve["steps"], curve["by_group"]):
        if group in by_group and by_group[group][member] >= target:
            return step
    return None


def rows(experiment: Experiment, results) -> list[dict]:
    out = []
    short = experiment.short_name
    for unit, row in results.of(experiment):
        trials = row.result["trials"]
        deepest = _emergence_trial(trials)
        m = deepest["best_member"]
        heads = deepest.get("heads")
        for k in unit.ks:
            g = str(k)
            r = {"experiment": short, "k": k, "width": unit.width, "n": unit.n,
                 "upper": int(_bound(UPPER, k=k)), "lower_rate": round(_bound(LOWER_RATE, k=k), 3),
                 "max_L": max(unit.layers), "searched": [t["L"] for t in trials],
                 "best_by_L": {t["L"]: t["groups"].get(g, {}).get("best") for t in trials},
                 "median_by_L": {t["L"]: t["groups"].get(g, {}).get("median") for t in trials},
                 "seconds": round(row.seconds, 1)}
            for target in (0.95, 0.99):
                tag = int(round(target * 100))
                r[f"L{tag}_best"] = minimal_depth(trials, target, "best", g)
                r[f"L{tag}_median"] = minimal_depth(trials, target, "median", g)
            r["learned_at"] = _first_reach(deepest["curve"], g, m, 0.95)
            r["emergence_L"] = deepest["L"]
            if heads:
                c = heads["final"].get(g)
                if c:
                    r["head"] = f"L{c['layer']}H{c['head']} ({c['mass']:.2f})"
                    r["head_layer"] = c["layer"]
                r["head_step"] = heads["emergence"]["steps"].get(g)
                r["hop_heads_steps"] = {j: st for j, st in heads["emergence"]["steps"].items()}
            r["per_k"] = len(unit.ks) == 1
            r["relation"] = verdict(r)
            out.append(r)
    return out


def verdict(r: dict) -> str:
    L, up = r.get("L95_best"), r.get("upper")
    if L is None:
        return f"not reached up to L = {r['max_L']}"
    if L == up:
        return "at floor(log2 k) + 2"
    return "below floor(log2 k) + 2 (fewer layers than the construction)" if L < up else \
        "above floor(log2 k) + 2 (not learned at the construction's depth)"


def _emergence_per_model(rows_: list[dict]) -> Relation:
    """One model per k: in each, the step at which the head carrying hop j first passes the threshold, j = 1..k."""
    parts, ordered, seen = [], 0, 0
    for r in rows_:
        heads = r.get("hop_heads_steps") or {}
        steps = {int(j): s for j, s in heads.items() if str(j).isdigit()}
        found = [(steps[j], j) for j in range(1, r["k"] + 1) if j in steps]
        prev = f", previous-token head at step {heads['prev']}" if heads.get("prev") is not None else ""
        parts.append(f"k={r['k']} (L={r['emergence_L']}): " +
                     (", ".join(f"hop {j} at step {s}" for s, j in sorted(found)) or "no hop head found") + prev)
        if len(found) >= 2:
            seen += 1
            hops = [j for _, j in sorted(found)]
            ordered += hops == sorted(hops)
    verdict = f"hop heads appear in hop order in {ordered}/{seen} models" if seen else \
        "fewer than two hop heads found in every model"
    return Relation.about("emergence (one model per k): the head carrying hop j appears before hop j+1",
                          "; ".join(parts), "one head per layer adds hops (hop 1 first, then composed hops)", verdict)


def relations(rows_: list[dict], profile) -> list[Relation]:
    out = []
    main = sorted((r for r in rows_ if r["experiment"] == "khop"), key=lambda r: r["k"])
    if main:
        measured = ", ".join(f"k={r['k']}: {r['L95_best'] if r['L95_best'] is not None else '>' + str(r['max_L'])}"
                             f" (median {r['L95_median'] if r['L95_median'] is not None else '>' + str(r['max_L'])})"
                             f" vs {r['upper']}" for r in main)
        same = [r for r in main if r["L95_best"] == r["upper"]]
        if len(same) == len(main):
            v = "matches floor(log2 k) + 2 at every k"
        else:
            low = [r["k"] for r in main if r["L95_best"] is not None and r["L95_best"] < r["upper"]]
            high = [r["k"] for r in main if r["L95_best"] is None or r["L95_best"] > r["upper"]]
            v = f"matches at {len(same)}/{len(main)} k" + (f"; fewer layers at k = {low}" if low else "") + \
                (f"; more (or not reached) at k = {high}" if high else "")
        out.append(Relation.about("L*(k) = floor(log2 k) + 2 (Sanford et al.: construction and experiments)",
                                  "L*95 best seed (median) vs floor(log2 k)+2: " + measured,
                                  "floor(log2 k) + 2 layers suffice; their GPT-2 runs: low error exactly from there",
                                  v, (UPPER,)))
        found = [(r["k"], r["L95_best"]) for r in main if r["L95_best"] is not None]
        mono = all(a[1] <= b[1] for a, b in zip(found, found[1:]))
        if len(found) >= 2 and found[-1][0] > found[0][0]:
            per = (found[-1][1] - found[0][1]) / math.log2(found[-1][0] / found[0][0])
            text = f"{per:.2f} layers per doubling of k (k {found[0][0]} -> {found[-1][0]})"
        else:
            text = "too few k reached"
        out.append(Relation.about("L*(k) grows like log k (conditional Omega(log k) lower rate; shape only)", text,
                                  "about 1 layer per doubling of k", "non-decreasing" if mono else "not monotone",
                                  (LOWER_RATE, UPPER)))
        learned = sorted((r["learned_at"], r["k"]) for r in main if r.get("learned_at") is not None)
        separate = [r for r in main if r.get("per_k")]
        if separate:
            out.append(_emergence_per_model(separate))
        elif len(learned) >= 2:
            order = [k for _, k in learned]
            out.append(Relation.about(
                f"emergence (L = {main[0].get('emergence_L')}): hop counts learned in order of k",
                "95% reached at step: " + ", ".join(f"k={k}: {s}" for s, k in learned)
                + "; heads: " + ", ".join(f"hop {r['k']}: {r.get('head')} " + (f"from step {r['head_step']}"
                                          if r.get("head_step") is not None else "never above the 0.5 threshold")
                                          for r in main if r.get("head")),
                "one head per layer adds hops (layer l carries 2^(l-2) hops in the construction)",
                "in order of k" if order == sorted(order) else "other order"))
    wide = {}
    for r in rows_:
        if r["experiment"] == "width":
            wide.setdefault(r["width"], {})[r["k"]] = r["L95_best"]
    if len(wide) >= 2:
        ws = sorted(wide)
        parts, gains = [], []
        for a, b in zip(ws, ws[1:]):
            for k in sorted(set(wide[a]) & set(wide[b])):
                la, lb = wide[a][k], wide[b][k]
                parts.append(f"k={k}: width {a} L*={la}, width {b} L*={lb}")
                if la is not None and lb is not None:
                    gains.append(la - lb)
        mean = sum(gains) / len(gains) if gains else None
        out.append(Relation.about("doubling the width is worth about one layer (Sanford et al., App. G)",
                                  "; ".join(parts) + (f"; mean layers saved per doubling {mean:.2f}"
                                                      if mean is not None else ""),
                                  "about 1 layer saved per doubling of width",
                                  "inconclusive (too few reached)" if mean is None else
                                  ("about one layer" if 0.5 <= mean <= 1.5 else
                                   "less than one layer" if mean < 0.5 else "more than one layer"), (UPPER,)))
    return out


EXPERIMENTS = (
    Experiment("depth.khop", "k-hop induction heads: minimal depth against k (multi-task, hop-count token)",
               khop_units, run_unit, (UPPER, LOWER_RATE, "sanford2024.khop.upper.max_hops"),
               "L*(k) = floor(log2 k) + 2 (construction; the paper's experiments); heads add hops layer by layer",
               "Task exactly as Sanford, Hsu & Telgarsky define it (experiments-wave2.md §2), at CPU scale."),
    Experiment("depth.width", "k-hop: width against depth", width_units, run_unit, (UPPER,),
               "doubling the width saves about one layer",
               "The k-hop depth search repeated at several widths (Sanford et al., App. G)."),
)

TASKS = (
    TaskSpec("khop", "k-hop induction heads (Sanford et al.): letters with no immediate repeats, hop_k at every "
             "position (null: the hop does not exist); k = -1 mixes k = 0..16 behind a hop-count token",
             khop_examples, {"n": 16, "alphabet": 4, "k": -1}, khop_label),
)

PROFILES = {
    # one multi-task model over k = 1..4 per depth (as Sanford et al. train it: the easier k act as a curriculum;
    # one model per k did not learn k = 4 at this budget), n = 20 so that 4 hops exist at about a third of the
    # positions; the search over L stops at the first L whose median seed reaches 95% on every k, and training at a
    # depth stops once every seed has on every k (so 99% is read at that checkpoint)
    # 2500 steps per depth, 4000 at L = 4 (k = 4 was still rising at 2500; at L = 5 two of three seeds collapsed at
    # this learning rate, so L = 5 is left to the paper profile)
    "quick": Section(n=20, width=64, lr=5e-3, steps=2500, layers=(1, 2, 3, 4), per_k=False, stop_median=0.95,
                     steps_at=((4, 4000),), width_values=(32, 64)),
    "paper": Section(ks=tuple(range(1, 17)), n=100, alphabet=4, width=128, heads=4, layers=(1, 2, 3, 4, 5, 6, 7),
                     seeds=(0, 1, 2), lr=1e-3, steps=50000, batch=32, eval_every=1000, eval_size=1600,
                     width_values=(64, 128, 256)),
    "tiny": Section(ks=(1,), n=8, width=16, heads=2, layers=(2,), seeds=(0,), steps=20, batch=8, eval_every=10,
                    eval_size=16, width_values=(16,)),
}


def extras(experiments, results) -> dict:
    """For the figures: accuracy by k over steps and attention maps of the best seed, at the emergence trial."""
    out = {}
    for e in experiments:
        for unit, row in results.of(e):
            win = _emergence_trial(row.result["trials"])
            m = win["best_member"]
            out[f"{e.short_name} width={unit.width}"] = {
                "width": unit.width, "L": win["L"], "steps": win["curve"]["steps"],
                "by_group": {g: [c[g][m] for c in win["curve"]["by_group"]] for g in win["curve"]["by_group"][0]},
                "attention": win.get("attention"), "heads": (win.get("heads") or {}).get("final")}
    return out
