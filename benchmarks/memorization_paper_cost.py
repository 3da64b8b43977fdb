"""Estimate the wall time of ``tbounds compare memorization --paper`` from measured slices (today's trainer).

For every tuned search and curve of the paper profile, a few training steps at the sizes the search is
expected to try are timed (the ensemble of that unit's trials, one thread), and multiplied by the steps
each size runs.  The sizes a search tries are predicted from an expected answer (the paper's, where it
has one) with the same search (:func:`tbounds.empirical.memorization.tuning.search_around`); every size is
charged the full step budget, so plateau stopping only makes the real run shorter.  This is an
estimate for sizing the profile, not a benchmark with a baseline: it prints seconds, not ratios.

    TBOUNDS_THREADS=1 python benchmarks/memorization_paper_cost.py [--probe-steps 3] [--profile paper]
"""

from __future__ import annotations

import argparse
import time

import torch

from tbounds.empirical.ensemble import Criterion, train
from tbounds.empirical.memorization import paper, profiles
from tbounds.empirical.memorization.models import Transformer
from tbounds.empirical.memorization.tasks import make_dataset
from tbounds.empirical.memorization.tuning import search_around

_cache: dict = {}


def seconds_per_step(N, n, d, data, blocks, members, probe_steps) -> float:
    key = (N, n, d, data, blocks, members)
    if key not in _cache:
        ds = make_dataset(data, N, n, d, 0)
        model = Transformer(d=d, blocks=blocks)
        flat = model.init(list(range(members)))
        start = time.process_time()
        train(model, flat, ds.X, ds.y, steps=probe_steps, lr=0.01, criterion=Criterion("none"))
        _cache[key] = (time.process_time() - start) / probe_steps
    return _cache[key]


def sizes_tried(expected: int, start: int, high: int = 64) -> list[int]:
    tried = []
    search_around(lambda k: tried.append(k) or k >= expected, start, high=high)
    return tried


def expected_blocks(unit) -> int:
    if unit.data == "text" and unit.N in paper.FIGURE3:
        return paper.FIGURE3[unit.N]
    return 4   # random data: the paper's Experiment C answer, used for the knee's N sweep too


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe-steps", type=int, default=3)
    parser.add_argument("--profile", default="paper")
    args = parser.parse_args()
    torch.set_num_threads(1)
    p = profiles.PROFILES[args.profile]
    total, worst_total = {}, {}
    for name, units in (("exp_c", profiles.exp_c_units(p)), ("exp_b", profiles.exp_b_units(p)),
                        ("precision", profiles.knee_units(p))):
        for u in units:
            cost = {}
            for label, answer in (("paper's answer", expected_blocks(u)), ("none found", u.max_blocks + 1)):
                sizes = sizes_tried(answer, u.start, u.max_blocks)
                cost[label] = (sizes, sum(u.steps * seconds_per_step(u.N, u.n, u.d, u.data, k, u.trials,
                                                                     args.probe_steps) for k in sizes))
            total[name] = total.get(name, 0.0) + cost["paper's answer"][1]
            worst_total[name] = worst_total.get(name, 0.0) + cost["none found"][1]
            print(f"{name} N={u.N} n={u.n} {u.precision}: " + "; ".join(
                f"{label}: sizes {sizes} -> {secs / 60:.1f} min" for label, (sizes, secs) in cost.items()), flush=True)
    for u in profiles.exp_a_units(p):
        secs = u.steps * seconds_per_step(u.N, u.n, u.d, u.data, u.blocks, u.trials, args.probe_steps)
        total["exp_a"] = total.get("exp_a", 0.0) + secs
        worst_total["exp_a"] = worst_total.get("exp_a", 0.0) + secs
        print(f"exp_a N={u.N} blocks={u.blocks}: {secs / 60:.1f} min", flush=True)
    for label, tot in (("if the minimal sizes are the paper's", total),
                       ("if no size up to max_blocks memorizes (every size charged all its steps)", worst_total)):
        print(label + ": " + ", ".join(f"{name} {secs / 3600:.2f} h" for name, secs in tot.items())
              + f"; all four {sum(tot.values()) / 3600:.2f} h on one core")


if __name__ == "__main__":
    main()
