"""Experiment ``depth.retrieval``: minimal depth for D chained lookups (our reconstruction of Mușat, arXiv 2411.12118).

One unit is one depth search (:func:`.search.depth_search`) for one D, with or without the implicit
curriculum (:mod:`.tasks`: labels at every resolvable fact, or at the query only), over L = 1, 2, ...
with several seeds.  With ``read="subqueries"`` (our design, the quick profile) one implicit-curriculum unit
over a chain of max(D) links gives L*(D) for every D from its depth-D sub-queries (the labels under the facts
of x_D), and the comparison with the final-query label alone is made at the query for ``no_curriculum_D``.
Each trial records accuracy per hop depth over training (which depths are learned first) and, per layer
and head, the attention mass from the query to the fact of each hop (``q1`` = the fact of x_D, ``q2`` = the fact of x_{D-1}, ...) and from each fact to the fact it
refers to (``link``), with the step at which each appears.

The comparison puts L* beside ``musat2025.retrieval.lower`` (t >= ceil(log3 2D), under Assumption 1)
and the reconstructed upper end ``musat2025.retrieval.upper_khop`` (floor(log2 D) + 2); a success
below the lower bound is reported as a violation of Assumption 1 (e.g. a positional shortcut).

This module is one of the depth family's experiment modules (see :mod:`tbounds.empirical.depth`).

>>> rows = [{"experiment": "retrieval", "D": D, "curriculum": True, "L95_best": L, "L95_median": L,
...          "L99_best": L, "L99_median": L, "lower": lo, "upper": up, "max_L": 4}
...         for D, L, lo, up in ((1, 1, 1, 2), (2, 1, 2, 3), (4, 3, 2, 4))]
>>> [r.verdict for r in relations(rows, None)][:1]
['VIOLATED at D = 2: success below the lower bound (Assumption 1 broken, e.g. a positional shortcut)']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import tbounds.bounds as bounds

from ..comparison import Relation
from ..errors import ConfigError
from ..experiment import Context, Experiment, TaskSpec, unit_from
from .models import INITS, ModelSpec
from .search import depth_search, depth_text, minimal_depth, steps_at_depths
from .tasks import RetrievalVocab, retrieval_batch, retrieval_example, retrieval_examples, retrieval_label, \
    retrieval_length
from .train import EvalSet, Phase

NAME = "retrieval"
VERSION = 4
#: How L*(D) is read: ``query`` -- one model per D, accuracy at the final query ``? x_D``; ``subqueries`` -- OUR DESIGN
#: for the quick scale: one implicit-curriculum model per depth over a chain of max(D) links, L*(D) read from its
#: depth-D sub-queries (the label under the fact of x_D: the value x_D resolves to, D chained lookups; depth.md A.3
#: calls these the depth-D sub-queries the implicit curriculum supervises), so every D comes from the same models.
READS = ("query", "subqueries")
QUERY_GROUP = 1000     # the group id of the final query (hop depths are the fact labels' groups)
LOWER, UPPER = "musat2025.retrieval.lower", "musat2025.retrieval.upper_khop"
RECONSTRUCTION = ("our reconstruction of Mușat's minimal formulation (depth.md A.3): the paper's own task, "
                  "sizes and training are not in our sources")


@dataclass(frozen=True)
class Section:
    """The retrieval experiment's settings at one scale (a field of the family profile)."""

    D_values: tuple = (1, 2, 3, 4)
    no_curriculum_D: tuple = (2, 3)        # D values also searched without the implicit curriculum (same budget)
    read: str = "query"                    # L*(D) read at the final query (one model per D) or at the sub-queries
    #                                        (one implicit-curriculum model over max(D_values) links: READS)
    compare_layers: tuple = ()             # depths of the with/without-curriculum comparison (default: layers)
    steps_at: tuple = ()                   # (L, steps) pairs: a different budget at those depths of the D sweep
    labels: str = "curriculum"             # the D sweep's labels: curriculum (Mușat's IC) or pointer (our design)
    value_curriculum_D: tuple = ()         # with labels=pointer: D values also searched with Mușat's IC labels
    distractors: int = 1
    values: int = 4
    variables: int = 16
    order: str = "interleaved"
    separator: bool = True                 # facts written lhs = rhs (A.3's '='), else lhs rhs
    width: int = 32
    heads: int = 2
    positional: str = "rotary"
    init: str = "gpt2"                     # the model's initialisation (models.INITS)
    layers: tuple = (1, 2, 3, 4)
    seeds: tuple = (0, 1, 2)
    lr: float = 1e-2
    steps: int = 1500
    batch: int = 32
    eval_every: int = 100
    eval_size: int = 256

    def __post_init__(self):
        for name in ("distractors", "values", "variables", "width", "heads", "steps", "batch", "eval_every",
                     "eval_size"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < (0 if name == "distractors" else 1):
                raise ConfigError(f"retrieval {name} must be a positive integer (got {v!r})")
        for name in ("D_values", "layers", "seeds"):
            v = getattr(self, name)
            if not v or any(not isinstance(x, int) or x < (0 if name == "seeds" else 1) for x in v):
                raise ConfigError(f"retrieval {name} must be positive integers (got {v!r})")
        if self.labels not in ("curriculum", "pointer"):
            raise ConfigError(f"retrieval labels must be curriculum or pointer (got {self.labels!r})")
        steps_at_depths("retrieval", self.steps_at)
        if self.read not in READS:
            raise ConfigError(f"retrieval read must be one of {', '.join(READS)} (got {self.read!r})")
        if self.init not in INITS:
            raise ConfigError(f"retrieval init must be one of {', '.join(INITS)} (got {self.init!r})")
        need = (1 + self.distractors) * (max(self.D_values) + 1)
        if self.variables < need:
            raise ConfigError(f"retrieval variables must be >= {need} for D up to {max(self.D_values)} with "
                              f"{self.distractors} distractor chains (got {self.variables})")


@dataclass(frozen=True)
class RetrievalUnit:
    """One depth search for one D."""

    D: int
    curriculum: bool = True
    labels: str = "curriculum"             # with curriculum: curriculum (value at every fact) or pointer (our design)
    distractors: int = 1
    values: int = 4
    variables: int = 16
    order: str = "interleaved"
    separator: bool = True                 # facts written lhs = rhs (A.3's '='), else lhs rhs
    read: str = "query"                    # subqueries: L* per hop depth 1..D of the facts' labels (READS)
    width: int = 32
    heads: int = 2
    positional: str = "rotary"
    init: str = "gpt2"
    layers: tuple = (1, 2, 3, 4)
    seeds: tuple = (0, 1, 2)
    lr: float = 1e-2
    steps: int = 1500
    steps_at: tuple = ()
    batch: int = 32
    eval_every: int = 100
    eval_size: int = 256
    version: int = VERSION


def units(profile) -> list:
    s = profile.retrieval
    if s.read == "subqueries":   # one sweep unit for every D, then the comparison at the final query
        compare = s.compare_layers or s.layers
        return ([unit_from(RetrievalUnit, s, D=max(s.D_values), curriculum=True, labels="curriculum")]
                + [unit_from(RetrievalUnit, s, D=D, curriculum=c, labels="curriculum" if c else "query", read="query",
                             layers=compare, steps_at=()) for D in s.no_curriculum_D for c in (True, False)])
    out = [unit_from(RetrievalUnit, s, D=D, curriculum=True) for D in s.D_values]
    if s.labels == "pointer":
        out += [unit_from(RetrievalUnit, s, D=D, curriculum=True, labels="curriculum") for D in s.value_curriculum_D]
    out += [unit_from(RetrievalUnit, s, D=D, curriculum=False, labels="query") for D in s.no_curriculum_D
            if D in s.D_values]
    return out


def probe_indicators(instances, D: int) -> dict:
    """Hop indicators (:mod:`.heads`): from the query to the fact of x_{D-j+1} (``qj``), and fact to referent (``link``)."""
    B, T = len(instances), len(instances[0].ids)
    out = {f"q{j}": torch.zeros(B, T, T) for j in range(1, D + 2)}
    out["link"] = torch.zeros(B, T, T)
    for b, inst in enumerate(instances):
        where = {fact: f for f, fact in enumerate(inst.facts)}
        for j in range(1, D + 2):
            f = where[(0, D - j + 1)]
            out[f"q{j}"][b, T - 1, inst.lhs_at(f):inst.rhs_at(f) + 1] = 1
        for (c, i), f in where.items():
            if i >= 1:
                g = where[(c, i - 1)]
                if g < f:
                    out["link"][b, inst.rhs_at(f), inst.lhs_at(g):inst.rhs_at(g) + 1] = 1
    return out


def run_unit(unit: RetrievalUnit, ctx: Context) -> dict:
    vocab = RetrievalVocab(unit.values, unit.variables)
    T = retrieval_length(unit.D, unit.distractors, unit.separator)
    pointer = unit.curriculum and unit.labels == "pointer"
    args = (unit.D, unit.distractors, unit.values, unit.variables, unit.curriculum, unit.order, unit.separator,
            pointer)
    ex, ey, edepth, equery = retrieval_batch(np.random.default_rng(10_000 + unit.D), unit.eval_size, *args)
    # every hop depth is evaluated (groups) even without the curriculum; the headline is the query alone
    _, full_y, full_depth, _ = retrieval_batch(np.random.default_rng(10_000 + unit.D), unit.eval_size, unit.D,
                                               unit.distractors, unit.values, unit.variables, True, unit.order,
                                               unit.separator, pointer)
    groups = np.where(equery, QUERY_GROUP, full_depth)     # the query is its own group, not hop depth D
    evaluation = EvalSet.make(ex, full_y, scored=equery, groups=groups,
                              group_names={**{i: str(i) for i in range(unit.D + 1)}, QUERY_GROUP: "query"})
    prng = np.random.default_rng(20_000 + unit.D)
    probes = [retrieval_example(prng, *args) for _ in range(32)]
    probe = (torch.tensor([p.ids for p in probes]), probe_indicators(probes, unit.D))

    def sample(rng, batch):
        x, y, _, _ = retrieval_batch(rng, batch, *args)
        return x, y

    def spec_for(L):
        # pointer labels name variables too: the classes are then every value and variable
        return ModelSpec(vocab=vocab.size, classes=vocab.eq if pointer else unit.values, layers=L, width=unit.width, heads=unit.heads,
                         max_len=T, positional=unit.positional, init=unit.init)

    def done(trial):   # the query's median seed at the top target; with subqueries, every depth's median at 95%
        if unit.read == "subqueries":
            return all(trial["groups"].get(str(d), {}).get("median", 0) >= 0.95 for d in range(1, unit.D + 1))
        return trial["median"] >= 0.99

    budget = steps_at_depths("retrieval", unit.steps_at)
    trials = depth_search(spec_for, lambda L: [Phase(sample, budget.get(L, unit.steps))], evaluation, unit.layers,
                          unit.seeds, (unit.lr,),
                          batch=unit.batch, eval_every=unit.eval_every, seed=unit.D, device=ctx.device, probe=probe,
                          done=done, report=lambda s: ctx.report(f"retrieval D={unit.D} IC={unit.curriculum}: {s}"))
    task = RECONSTRUCTION + (f"; L*(D) read at the depth-D sub-queries of one model over D = 1..{unit.D} (OUR DESIGN)"
                             if unit.read == "subqueries" else "")
    task += ("; labels: pointer, OUR DESIGN (each fact's rhs labelled one lookup further, over values and variables)"
             if pointer else "")
    return {"trials": trials, "length": T, "task": task}


def _bound(bound_id, **kw):
    try:
        return int(bounds.get(bound_id)(**kw))
    except Exception:
        return None


def _first_reach(curve: dict, group: str, member: int, target: float):
    for step, by_group in zip(curve["steps"], curve["by_group"]):
        if group in by_group and by_group[group][member] >= target:
            return step
    return None


def rows(experiment: Experiment, results) -> list[dict]:
    out = []
    for unit, row in results.of(experiment):
        trials = row.result["trials"]
        if getattr(unit, "read", "query") == "subqueries":
            out += [_row(unit, row, trials, D, str(D), last=D == unit.D) for D in range(1, unit.D + 1)]
        else:
            out.append(_row(unit, row, trials, unit.D, None, last=True))
    return out


def _row(unit, row, trials, D: int, group, last: bool) -> dict:
    """One row: L* for ``D`` read at the final query (``group`` None) or at the depth-``D`` sub-queries."""
    def acc(t, which):
        return t[which] if group is None else t["groups"].get(group, {}).get(which, 0.0)

    r = {"experiment": NAME, "D": D, "curriculum": unit.curriculum, "width": unit.width,
         "labels": unit.labels if unit.curriculum else "query", "read": getattr(unit, "read", "query"),
         "lower": _bound(LOWER, D=D), "upper": _bound(UPPER, D=D), "max_L": max(unit.layers),
         "searched": [t["L"] for t in trials], "best_by_L": {t["L"]: acc(t, "best") for t in trials},
         "median_by_L": {t["L"]: acc(t, "median") for t in trials}, "seconds": round(row.seconds, 1)}
    if group is not None:
        r["query_best_by_L"] = {t["L"]: t["best"] for t in trials}
    for target in (0.95, 0.99):
        tag = int(round(target * 100))
        r[f"L{tag}_best"] = minimal_depth(trials, target, "best", group)
        r[f"L{tag}_median"] = minimal_depth(trials, target, "median", group)
    if last:   # emergence once per model: at the L* of this D, else the deepest trial
        win = next((t for t in trials if t["L"] == r["L95_best"]), trials[-1])
        m = win["best_member"]
        r["depth_learned_at"] = {str(i): _first_reach(win["curve"], str(i), m, 0.95) for i in range(unit.D + 1)}
        r["emergence_L"] = win["L"]
        heads = win.get("heads")
        if heads:
            r["heads"] = {j: f"L{c['layer']}H{c['head']} ({c['mass']:.2f})" for j, c in heads["final"].items()}
            r["heads_order"] = heads["emergence"]["order"]
            r["heads_steps"] = heads["emergence"]["steps"]
    r["relation"] = verdict(r)
    return r


def verdict(r: dict) -> str:
    L, lo, up = r.get("L95_best"), r.get("lower"), r.get("upper")
    if L is None:
        return f"not reached up to L = {r['max_L']}"
    if lo is not None and L < lo:
        return "VIOLATED: below the lower bound (Assumption 1 broken)"
    if up is not None and L > up:
        return "above the bracket"
    return "within the bracket"


def _labels(r: dict) -> str:
    return r.get("labels", "curriculum") if r["curriculum"] else "query"


def relations(rows_: list[dict], profile) -> list[Relation]:
    mine = [r for r in rows_ if r["experiment"] == NAME]
    by_labels = {lab: sorted((r for r in mine if r["curriculum"] and _labels(r) == lab
                              and r.get("read") != "subqueries"), key=lambda r: r["D"])
                 for lab in ("pointer", "curriculum")}
    main = "pointer" if by_labels["pointer"] else "curriculum"
    ic = by_labels[main]
    tag = " (pointer labels, our design)" if main == "pointer" else ""
    sub = sorted((r for r in mine if r.get("read") == "subqueries"), key=lambda r: r["D"])
    if sub:   # the D sweep is the sub-query model's; the query-read rows are the curriculum comparison only
        ic, tag = sub, " (depth-D sub-queries of one implicit-curriculum model, our design)"
    out = []
    if ic:
        below = [r for r in ic if r["L95_best"] is not None and r["lower"] is not None and r["L95_best"] < r["lower"]]
        measured = ", ".join(f"D={r['D']}: {r['L95_best'] if r['L95_best'] is not None else '>' + str(r['max_L'])}"
                             f" [{r['lower']}, {r['upper']}]" for r in ic)
        if below:
            v = (f"VIOLATED at D = {', '.join(str(r['D']) for r in below)}: success below the lower bound "
                 "(Assumption 1 broken, e.g. a positional shortcut)")
        elif all(r["L95_best"] is not None for r in ic):
            v = "holds: every L* at or above ceil(log3 2D)"
        elif all(r["L95_best"] is None for r in ic):
            v = "untested: no D reached 95% within the searched depths (so no violation seen either)"
        else:
            v = "holds where reached; some D not reached within the searched depths"
        out.append(Relation.about("L*(D) >= ceil(log3 2D) (Mușat Thm 1, under Assumption 1)" + tag,
                                  "L*95 (best seed) (lower, upper): " + measured,
                                  "ceil(log3 2D) <= L* <= floor(log2 D) + 2 (upper end reconstructed)", v,
                                  (LOWER, UPPER)))
        found = [r["L95_best"] for r in ic if r["L95_best"] is not None]
        mono = all(a <= b for a, b in zip(found, found[1:]))
        out.append(Relation.about("L*(D) non-decreasing in D" + tag, ", ".join(map(str, found)) or "no D reached",
                                  "a longer chain never needs fewer layers",
                                  ("holds" if mono else "not monotone") if found else "nothing to compare"))
        inside = [r for r in ic if r["L95_best"] is not None and r["upper"] is not None and r["L95_best"] <= r["upper"]]
        out.append(Relation.about("L*(D) <= floor(log2 D) + 2 (pointer-doubling analogue, our reconstruction)" + tag,
                                  f"{len(inside)}/{len(ic)} D values at or below",
                                  "reconstructed upper end of the bracket",
                                  "holds" if len(inside) == len(ic) else "exceeded or not reached", (UPPER,)))
    plain = {r["D"]: r for r in mine if not r["curriculum"]}
    for lab, rows_lab in by_labels.items():
        both = [(r, plain[r["D"]]) for r in rows_lab if r["D"] in plain]
        if not both:
            continue

        def best_at(r):
            return max(r["best_by_L"].values())
        name = "IC" if lab == "curriculum" else "pointer"
        def depths(r):
            return ", ".join(map(str, sorted(r["best_by_L"])))
        text = "; ".join(f"D={a['D']} (L = {depths(a)}): {name} L*={depth_text(a['L95_best'])} (best acc "
                         f"{best_at(a):.2f}), none L*={depth_text(b['L95_best'])} (best acc {best_at(b):.2f}, "
                         f"L = {depths(b)})" for a, b in both)
        better = sum(best_at(a) > best_at(b) + 0.02 or (a["L95_best"] or 99) < (b["L95_best"] or 99) for a, b in both)
        title = ("implicit curriculum learns where the final-query label alone does not (same steps, same depths)"
                 if lab == "curriculum" else "pointer labels (our design) learn where the final-query label alone "
                 "does not (same steps, same depths)")
        out.append(Relation.about(title, text, "Mușat: IC succeeds, non-IC fails" if lab == "curriculum" else
                                  "our design: partial credit on every fact", f"{name} better in {better}/{len(both)}"))
    for r in ic:
        reach = r.get("depth_learned_at", {})
        learned = sorted((s, int(i)) for i, s in reach.items() if s is not None)
        if len(learned) >= 2:
            order = [i for _, i in learned]
            increasing = order == sorted(order) or all(reach[str(a)] <= reach[str(b)] for a, b in zip(order, order[1:]))
            out.append(Relation.about(
                f"emergence at D = {r['D']} (L = {r['emergence_L']}): hop depths learned in depth order",
                "95% reached at step: " + ", ".join(f"depth {i}: {s}" for s, i in learned)
                + ("; heads in order " + ", ".join(f"{h} (step {r['heads_steps'].get(h)})" for h in r["heads_order"])
                   if r.get("heads") and r.get("heads_order") else ""),
                "Mușat: heads emerge one at a time, in a fixed order (shallow hops first)",
                "in depth order" if sorted(order) == [i for _, i in sorted(learned)] and increasing else "other order"))
    return out


EXPERIMENTS = (
    Experiment("depth.retrieval", "Retrieval chains: minimal depth against D, with and without implicit curriculum",
               units, run_unit, (LOWER, UPPER, "musat2025.retrieval.max_steps"),
               "ceil(log3 2D) <= L*(D) <= floor(log2 D) + 2; IC learns, non-IC fails; hops emerge in order",
               "Our reconstruction of Mușat's minimal formulation (depth.md A.3)."),
)

TASKS = (
    TaskSpec("retrieval", "retrieval chains (our reconstruction of Mușat's minimal formulation): facts x=y, "
             "a query '? x_D'; the value each variable resolves to", retrieval_examples,
             {"D": 3, "distractors": 1, "values": 4, "variables": 16, "labels": "curriculum", "order": "interleaved",
              "separator": "="},
             retrieval_label),
)

PROFILES = {
    # OUR DESIGN at quick scale (docs/depth-experiments.md, "why the lookup was not learned"): the model's embeddings
    # N(0, 1) and block matrices N(0, 1/fan_in) (init="fan_in"; with GPT-2's N(0, 0.02) not even one lookup over 4
    # variables left the plateau in 8000 steps), the smallest variable pool two chains of 4 links need (10), 4 heads;
    # L*(D) for D = 1..4 read at the depth-D sub-queries of one implicit-curriculum model per depth (read="subqueries");
    # the implicit curriculum against the final-query label alone at D = 1, L = 3, the same steps
    "quick": Section(D_values=(1, 2, 3, 4), read="subqueries", no_curriculum_D=(1,), compare_layers=(3,), variables=10,
                     width=32, heads=4, init="fan_in", lr=3e-3, batch=64, layers=(1, 2, 3, 4), seeds=(0, 1),
                     steps=2000, steps_at=((4, 4000),), eval_every=250),
    # the paper profile (GPU scale, not yet run) keeps the one-model-per-D reading at the final query, and takes the
    # initialisation the quick-scale diagnosis found necessary
    "paper": Section(D_values=(1, 2, 3, 4, 6, 8, 12), no_curriculum_D=(2, 3, 4, 6), distractors=2, values=10,
                     variables=48, width=128, heads=4, init="fan_in", layers=(1, 2, 3, 4, 5, 6), seeds=(0, 1, 2),
                     lr=1e-3, steps=20000, batch=64, eval_every=250, eval_size=1000),
    "tiny": Section(D_values=(1, 2), read="subqueries", no_curriculum_D=(1,), init="fan_in", variables=8, width=16,
                    heads=2, layers=(1,), seeds=(0,), steps=20, batch=8, eval_every=10, eval_size=16),
}


def extras(experiments, results) -> dict:
    """For the figures: accuracy by hop depth over steps, and attention maps of the best seed, at the L* trial."""
    out = {}
    for e in experiments:
        for unit, row in results.of(e):
            trials = row.result["trials"]
            win = next((t for t in trials if t["L"] == minimal_depth(trials, 0.95)), trials[-1])
            m = win["best_member"]
            out[f"D={unit.D} {unit.labels if unit.curriculum else 'query'}"] = {
                "D": unit.D, "curriculum": unit.curriculum, "L": win["L"], "steps": win["curve"]["steps"],
                "by_group": {g: [c[g][m] for c in win["curve"]["by_group"]] for g in win["curve"]["by_group"][0]},
                "attention": win.get("attention"), "heads": (win.get("heads") or {}).get("final")}
    return out
