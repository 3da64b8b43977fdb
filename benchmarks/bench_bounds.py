"""Benchmark: every registered bound against ``sympy.lambdify`` of its own expression, in the same run.

For each closed-form bound, on an in-range grid (half a decade around its examples) and on a wide one
(every parameter spread over 10^-300 .. 10^300, clipped to its domain), it times tbounds'
``signed_log(check=False, ...)`` (domains validated, assumptions not checked: lambdify checks
neither) and ``sympy.lambdify(modules=["scipy", "numpy"])`` of ``bound.expr`` on the same arrays,
and prints (each the best of ``--repeats`` rounds, a round timing every side once in turn, so that a drift
of the machine's state falls on all sides alike)

* ``ratio`` -- tbounds' time over lambdify's (<= 1 is as fast or faster);
* ``eval in`` -- the same for ``bound.evaluate(**grid)`` (linear values, as lambdify returns; domains
  and assumptions checked; blank where an assumption fails on the grid and evaluate refuses);
* ``floor in`` -- lambdify followed by one ``np.log`` of its values, over lambdify alone: what a log-valued
  result costs at the least, before any domain check;
* ``code in`` -- tbounds' generated code for the plain values alone (its buffer-reusing program, or the code
  where there is none: what ``evaluate`` computes, without the domain and assumption checks and the range
  check), over lambdify: where the printer and the buffers stand against lambdify's code;
* ``overflow`` -- the share of the grid where lambdify's value is inf, nan or 0 while tbounds' is a
  finite, non-zero number (tbounds is finite there in log space);
* ``1pt us`` -- single-point latency of ``bound(**point)`` (assumptions checked) and of the lambdified
  function on Python floats, in microseconds (best of 5 batches each);
* for numeric (quadrature) bounds, points per second (CPU time, best of 7) on distinct points, and the same for a baseline
  checkout (``--baseline REF``, default ``main``: its ``bounds/`` is exported to a temporary folder and
  timed in a subprocess of this run, on the same points), with the speed-up and the largest relative
  difference of the values (the closed forms and the adaptive rule must agree within the estimate);
* start-up: ``tbounds --help``, ``tbounds eval ID --example`` and ``python -c "import numpy, sympy"``, wall clock
  and CPU time (user + sys), best of 5 each, and eval's CPU over the import's.

    python benchmarks/bench_bounds.py                      # 10^5 points per grid
    python benchmarks/bench_bounds.py --points 1000000 --family memorization
    python benchmarks/bench_bounds.py --only quadrature --baseline 7dddeb1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

if os.environ.get("TBOUNDS_BENCH_BASELINE"):  # a baseline run: import tbounds.bounds from the exported checkout
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, os.environ["TBOUNDS_BENCH_BASELINE"])

import numpy as np
import sympy as sp

import tbounds.bounds as bounds


def _clipped(p, x: np.ndarray) -> np.ndarray:
    lo = p.low if not p.low_open else (p.low + 1 if p.integer else p.low + abs(p.low) * 1e-9 + 1e-300)
    hi = p.high if math.isfinite(p.high) else 1e300
    if p.high_open and math.isfinite(p.high):
        hi = p.high - 1 if p.integer else p.high * (1 - 1e-12)
    x = np.clip(x, lo, hi)
    return np.clip(np.round(x), math.ceil(lo), math.floor(hi)) if p.integer else x


def in_range_grid(bound, points: int, rng) -> dict[str, np.ndarray]:
    example = bound.example()
    return {p.name: _clipped(p, example[p.name] * 10 ** rng.uniform(-0.25, 0.25, points) if example[p.name] > 0
                             else example[p.name] + rng.uniform(-0.25, 0.25, points)) for p in bound.params}


def wide_grid(bound, points: int, rng) -> dict[str, np.ndarray]:
    return {p.name: _clipped(p, 10 ** rng.uniform(-300, 300, points)) for p in bound.params}


def best_times(fns: dict, repeats: int, clock=time.perf_counter) -> dict:
    """The best time of each function over ``repeats`` rounds, each round calling every function once in turn:
    a drift of the machine's state (its clock, another process) falls on all of them alike, not on whichever ran
    during it.  Rounds stop early once a round takes over 2 s."""
    best = {name: math.inf for name in fns}
    for _ in range(repeats):
        spent = 0.0
        for name, fn in fns.items():
            start = clock()
            fn()
            took = clock() - start
            best[name] = min(best[name], took)
            spent += took
        if spent > 2.0:
            break
    return best


def best_time(fn, repeats: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
        if times[-1] > 1.0:
            break
    return min(times)


def per_call(fn, budget: float = 0.2, most: int = 2000) -> float:
    """Seconds per call: the best of 5 batches (a batch about ``budget / 5``): on a shared machine one
    long run of either side takes whatever load comes, the best batch what the code costs."""
    import timeit

    fn()  # warm (first use compiles)
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, min(most // 5, int(budget / 5 / once)))
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def compare_grid(bound, lam, values, repeats, linear: bool = False):
    """``(ratio, overflow share, finite share)``, and with ``linear`` also the ratios of ``evaluate`` and of
    the floor (lambdify plus one ``np.log`` of its values: what any log-valued evaluator pays at least)."""
    ordered = [values[p.name] for p in bound.params]
    s = bound.signed_log(check=False, **values)  # first use compiles: not timed (lambdify's compile is not either)
    with np.errstate(all="ignore"):
        plain = np.broadcast_to(np.asarray(lam(*ordered), dtype=float), ordered[0].shape)
    fns = {"lambdify": lambda: lam(*ordered), "signed_log": lambda: bound.signed_log(check=False, **values)}
    if linear:
        try:
            bound.evaluate(**values)  # (compiles the assumption checks)
            fns["evaluate"] = lambda: bound.evaluate(**values)
        except bounds.TboundsError:  # an assumption fails somewhere on the grid: evaluate refuses (lambdify checks none)
            pass
        fns["floor"] = lambda: np.log(np.abs(lam(*ordered)))
        fns["code"] = _code_call(bound, ordered)
    with np.errstate(all="ignore"):
        best = best_times(fns, repeats)
    theirs = best["lambdify"]
    ours_ok = np.isfinite(s.log) & (s.sign != 0)
    theirs_bad = ~np.isfinite(plain) | (plain == 0)
    out = (best["signed_log"] / theirs, float(np.mean(ours_ok & theirs_bad)),
           float(np.mean(np.isfinite(s.log) | (s.sign == 0))))
    if not linear:
        return out
    return (*out, best.get("evaluate", math.nan) / theirs, best["floor"] / theirs, best["code"] / theirs)


def _code_call(bound, ordered):
    """A call of the generated plain-value code alone (no checks), as ``evaluate`` runs it on this grid."""
    from tbounds.bounds import linear

    evaluator = bound._log_function
    arrays = [np.asarray(x, dtype=float) for x in ordered]
    shape = np.broadcast_shapes(*[a.shape for a in arrays])
    program = evaluator._array_program if math.prod(shape) >= linear.PROGRAM_FROM else None
    if program is not None:
        out = np.empty(shape)
        return lambda: program(*arrays, out=out)
    return lambda: evaluator._array_function(*arrays)


def quadrature_rates(points: int, family=None) -> dict[str, tuple[float, list[float]]]:
    """Points per second and the log-values of every numeric bound on ``points`` distinct in-range points."""
    out = {}
    for b in bounds.select(family=family):
        if not b.params or b.expr is not None:
            continue
        values = in_range_grid(b, points, np.random.default_rng(_seed(b.id)))
        b.signed_log(check=False, **{k: v[:2] for k, v in values.items()})  # first use builds and compiles
        # CPU time, best of 7: a run of a few ms on a shared machine is often preempted (same rule for the baseline)
        seconds = best_time(lambda: b.signed_log(check=False, **values), 7, clock=time.process_time)
        out[b.id] = (points / seconds, b.signed_log(check=False, **values).log.tolist())
    return out


def _seed(text: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(text))


def baseline_rates(ref: str, points: int, family=None) -> dict:
    """:func:`quadrature_rates` of ``ref``'s ``bounds/``, in a subprocess of this run."""
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                          check=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "tbounds"))
        archive = subprocess.run(["git", "archive", ref, "bounds"], capture_output=True, check=True, cwd=root).stdout
        subprocess.run(["tar", "-x", "-C", os.path.join(tmp, "tbounds")], input=archive, check=True)
        env = {**os.environ, "TBOUNDS_BENCH_BASELINE": tmp}
        argv = [sys.executable, os.path.abspath(__file__), "--baseline-child", "--quadrature-points", str(points)]
        if family:
            argv += ["--family", family]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def startup(argv: list[str], repeats: int = 5) -> tuple[float, float]:
    """Best wall-clock seconds and best CPU seconds (user + sys of the child) of ``repeats`` runs."""
    import resource

    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--quadrature-points", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=7, help="rounds per grid (each times every side once)")
    parser.add_argument("--family", default=None)
    parser.add_argument("--baseline", default="main", help="git ref timed for quadrature in the same run ('' skips)")
    parser.add_argument("--only", choices=["quadrature"], default=None, help="run only the quadrature section")
    parser.add_argument("--baseline-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.baseline_child:
        print(json.dumps(quadrature_rates(args.quadrature_points, args.family)))
        return
    if args.only == "quadrature":
        quadrature_section(args)
        return
    rng = np.random.default_rng(0)
    chosen = [b for b in bounds.select(family=args.family) if b.params]
    print(f"{'bound':<56} {'ratio in':>8} {'ratio wide':>10} {'overflow':>8} {'1pt us':>7} {'lambdify':>8} "
          f"{'eval in':>7} {'floor in':>8} {'code in':>7}")
    ratios_in, ratios_wide, latency, overflow, evals, floors, codes = [], [], [], [], [], [], []
    for b in chosen:
        if b.expr is None:
            continue
        lam = sp.lambdify([p.symbol for p in b.params], b.expr, modules=["scipy", "numpy"])
        r_in, _, _, r_eval, r_floor, r_code = compare_grid(b, lam, in_range_grid(b, args.points, rng), args.repeats,
                                                           linear=True)
        r_wide, share, _ = compare_grid(b, lam, wide_grid(b, args.points, rng), args.repeats)
        point = b.example()
        ordered = [float(point[p.name]) for p in b.params]
        ours_1 = per_call(lambda: b(**point))
        with np.errstate(all="ignore"):
            theirs_1 = per_call(lambda: lam(*ordered))
        ratios_in.append(r_in)
        ratios_wide.append(r_wide)
        overflow.append(share)
        latency.append(ours_1 / theirs_1)
        floors.append(r_floor)
        codes.append(r_code)
        if math.isfinite(r_eval):
            evals.append(r_eval)
        print(f"{b.id:<56} {r_in:>8.2f} {r_wide:>10.2f} {share:>8.0%} {ours_1 * 1e6:>7.1f} {theirs_1 * 1e6:>8.1f} "
              f"{r_eval:>7.2f} {r_floor:>8.2f} {r_code:>7.2f}", flush=True)
    print(f"\n{len(ratios_in)} closed-form bounds, {args.points:,} points per grid (ratio = tbounds time / lambdify time)")
    if ratios_in:
        print(f"  grid ratio, in range: median {statistics.median(ratios_in):.2f}  (min {min(ratios_in):.2f}, "
              f"max {max(ratios_in):.2f})")
        print(f"  floor, in range (lambdify + one np.log of its values, over lambdify): median "
              f"{statistics.median(floors):.2f}  (min {min(floors):.2f}, max {max(floors):.2f})")
        print(f"  generated code alone (plain values, no checks), in range, over lambdify: median "
              f"{statistics.median(codes):.2f}  (min {min(codes):.2f}, max {max(codes):.2f})")
        if evals:
            print(f"  evaluate (linear values, domains and assumptions checked), in range: median "
                  f"{statistics.median(evals):.2f} over the {len(evals)} bounds whose assumptions hold on the grid "
                  f"(min {min(evals):.2f}, max {max(evals):.2f}; {sum(r <= 1.0 for r in evals)} at or below 1.0)")
        print(f"  grid ratio, wide:     median {statistics.median(ratios_wide):.2f}  (min {min(ratios_wide):.2f}, "
              f"max {max(ratios_wide):.2f})")
        print(f"  wide grid points where lambdify is inf/nan/0 and tbounds finite: median {statistics.median(overflow):.0%},"
              f" max {max(overflow):.0%}")
        print(f"  single point, tbounds / lambdify latency: median {statistics.median(latency):.2f}, "
              f"max {max(latency):.2f}")
    quadrature_section(args)
    exe = [sys.executable, "-c", "from tbounds.cli.main import cli; cli()"]
    runs = {"--help": exe + ["--help"],
            "eval one bound": exe + ["eval", "kajitsuka2025.seq2seq.lower_hardmax", "--example"],
            "import numpy+sympy": [sys.executable, "-c", "import numpy, sympy"],
            "import numpy+scipy.special+sympy": [sys.executable, "-c", "import numpy, scipy.special, sympy"]}
    startup(runs["eval one bound"], repeats=1)  # (writes the registry index if the sources changed)
    times = {name: startup(argv) for name, argv in runs.items()}
    print("  start-up (best of 5; wall seconds / CPU seconds): "
          + ", ".join(f"{name} {wall:.2f} / {cpu:.2f}" for name, (wall, cpu) in times.items()))
    print(f"  eval one bound over import numpy+sympy, CPU: {times['eval one bound'][1] / times['import numpy+sympy'][1]:.2f}")


def quadrature_section(args) -> None:
    """Numeric bounds: throughput now and, in the same run, at ``--baseline``; speed-up and agreement."""
    ours = quadrature_rates(args.quadrature_points, args.family)
    theirs = baseline_rates(args.baseline, args.quadrature_points, args.family) if args.baseline else {}
    print(f"\n{'numeric bound':<56} {'points/s':>10} {'baseline':>10} {'speed-up':>8} {'max rel diff':>12}")
    speedups = []
    for name, (rate, logs) in ours.items():
        if name in theirs:
            base, base_logs = theirs[name]
            a, b = np.asarray(logs), np.asarray(base_logs)
            both = np.isfinite(a) & np.isfinite(b)
            diff = float(np.max(np.abs(np.expm1(a[both] - b[both])))) if both.any() else float("nan")
            speedups.append(rate / base)
            print(f"{name:<56} {rate:>10.3g} {base:>10.3g} {rate / base:>8.1f} {diff:>12.2g}")
        else:
            print(f"{name:<56} {rate:>10.3g} {'-':>10}")
    rates = [r for r, _ in ours.values()]
    if rates:
        print(f"  quadrature ({len(rates)} bounds, {args.quadrature_points:,} distinct points): median "
              f"{statistics.median(rates):.3g} points/s (min {min(rates):.3g}, max {max(rates):.3g})")
    if speedups:
        print(f"  speed-up over {args.baseline} (same run): median {statistics.median(speedups):.1f} "
              f"(min {min(speedups):.1f}, max {max(speedups):.1f})")


if __name__ == "__main__":
    main()
