"""Benchmark: every registered bound on a 10^6-point grid, against per-point sympy evaluation.

For each bound, the grid path (one vectorised log-space call over arrays of
``--points`` values) is timed, and so is the plain baseline a user would write
without tbounds: ``expr.evalf(subs=...)`` point by point, on a sample of
``--sample`` points of the same grid, in the same run.  The table prints points
per second for both and their ratio.

    python benchmarks/bench_bounds.py                # all bounds, 10^6 points
    python benchmarks/bench_bounds.py --family memorization --sample 50
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
import sympy as sp

import tbounds.bounds as bounds
from tbounds.bounds.errors import AssumptionError


def grid_for(bound, points: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Points scattered over half a decade around the examples; only the first parameter if that breaks an assumption."""
    example = bound.example()
    values = {}
    for p in bound.params:
        x = example[p.name] * 10 ** rng.uniform(-0.25, 0.25, points)
        x = np.clip(x, p.low + (1 if p.integer and p.low_open else 0) + (1e-12 if p.low_open and not p.integer else 0),
                    p.high if math.isfinite(p.high) else np.inf)
        values[p.name] = np.round(x) if p.integer else x
    try:
        bound.prepare(values)
        return values
    except AssumptionError:
        first = bound.params[0]
        x = np.full(points, float(example[first.name]))
        return {**{k: np.full(points, float(v)) for k, v in example.items()}, first.name: x}


def time_grid(bound, values, repeats: int) -> float:
    """Best of ``repeats`` timings; a call over a second is timed once (quadrature bounds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        bound.signed_log(**values)
        times.append(time.perf_counter() - start)
        if times[-1] > 1.0:
            break
    return min(times)


def time_sympy(bound, values, sample: int, budget: float) -> float:
    """Seconds per point of ``expr.evalf(subs=...)``: up to ``sample`` points or ``budget`` seconds."""
    symbols = {p.name: p.symbol for p in bound.params}
    idx = np.linspace(0, len(next(iter(values.values()))) - 1, sample).astype(int)
    start = time.perf_counter()
    done = 0
    for i in idx:
        bound.expr.evalf(subs={symbols[k]: sp.Float(float(v[i])) for k, v in values.items()})
        done += 1
        if time.perf_counter() - start > budget:
            break
    return (time.perf_counter() - start) / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20, help="points evaluated one by one with sympy")
    parser.add_argument("--sympy-seconds", type=float, default=1.0, help="time budget per bound for the sympy sample")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--family", default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    chosen = [b for b in bounds.select(family=args.family) if b.params]
    print(f"{'bound':<58} {'grid pts/s':>12} {'sympy pts/s':>12} {'ratio':>10}")
    ratios = []
    for b in chosen:
        values = grid_for(b, args.points, rng)
        per_point = time_grid(b, values, args.repeats) / args.points
        if b.expr is not None:
            sympy_per_point = time_sympy(b, values, args.sample, args.sympy_seconds)
            ratio = sympy_per_point / per_point
            ratios.append(ratio)
            print(f"{b.id:<58} {1 / per_point:>12.3g} {1 / sympy_per_point:>12.3g} {ratio:>9.0f}x")
        else:
            print(f"{b.id:<58} {1 / per_point:>12.3g} {'(numeric)':>12} {'-':>10}")
    if ratios:
        print(f"\n{len(chosen)} bounds on {args.points:,} points; speed-up over per-point sympy: "
              f"median {statistics.median(ratios):,.0f}x, min {min(ratios):,.0f}x, max {max(ratios):,.0f}x")


if __name__ == "__main__":
    main()
