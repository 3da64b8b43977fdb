"""Sweep backends on this machine: wall time of a real sweep, and each backend's per-unit overhead.

1. **Sweep**: the same memorization sweep (minimal-size searches; by default size_vs_N of the
   quick profile at N = 16..96, 6 units) through ``serial`` (the baseline, measured in the same
   run), ``processes`` with 2 workers and a Dask LocalCluster of 2 worker processes. It prints
   each backend's wall time (start-up included, as a user waits for it) and the speed-up
   ``serial / backend``; the rows must be identical (checked).
2. **Overhead**: K and then 2K no-op units through each backend (and submitit's local
   executor, which starts one process per unit): per unit ``(wall(2K) - wall(K)) / K``, and
   the fixed start-up ``wall(K) - K x per unit`` (pools start their workers lazily, so the two
   are separated by difference, not by timing ``start``).

The machine's load average is printed before and after: on a shared machine the ratio is
only as good as the load lets it be. No assertion is made on timings.

    python benchmarks/bench_backends.py                       # a few minutes on 2 cores
    python benchmarks/bench_backends.py --workers 2 --noop 40 --backends serial,processes
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass

from tbounds.empirical import runner
from tbounds.empirical.backends import Slurm, make_backend
from tbounds.empirical.experiment import Experiment, get_family
from tbounds.empirical.store import Store


@dataclass(frozen=True)
class Noop:
    i: int


def noop(unit: Noop, ctx) -> dict:
    return {"i": unit.i}


NOOP = Experiment("bench.noop", "no-op", units=lambda k: [Noop(i) for i in range(k)], run_unit=noop)


def backend(name: str, workers: int, folder: str):
    if name == "slurm-local":
        return Slurm(folder=folder, cluster="local", workers=workers, time_limit=10, poll=0.1)
    return make_backend(name, workers=None if name == "serial" else workers, threads=1)


def sweep(name, experiments, profile, workers, folder):
    start = time.perf_counter()
    results = runner.run(experiments, profile, Store(":memory:"), backend=backend(name, workers, folder), poll=0.05)
    wall = time.perf_counter() - start
    assert not results.errors, results.errors
    rows = {k: (r.config, r.result) for k, r in results.rows.items()}
    return wall, rows


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="serial,processes,dask")
    parser.add_argument("--profile", default="quick", help="memorization profile of the sweep")
    parser.add_argument("--only", default="size_vs_N")
    parser.add_argument("--N", default="16,24,32,48,64,96", help="N_values of the sweep ('' keeps the profile's)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the profile's)")
    parser.add_argument("--noop", type=int, default=40, help="no-op units for the overhead")
    parser.add_argument("--noop-backends", default="serial,processes,dask,slurm-local")
    args = parser.parse_args()
    os.environ.setdefault("TBOUNDS_THREADS", "1")
    family = get_family("memorization")
    overrides = {"steps": args.steps} if args.steps else {}
    if args.N:
        overrides["N_values"] = tuple(int(x) for x in args.N.split(","))
    profile = family.profile(args.profile, **overrides)
    experiments = family.select(args.only.split(","))
    folder = tempfile.mkdtemp(prefix="bench-backends-")
    print(f"before: {load()}")
    print(f"sweep: memorization {args.profile} --only {args.only} {overrides} "
          f"({len(runner.plan(experiments, profile))} units), {args.workers} workers, torch threads 1 per worker")
    base_wall = base_rows = None
    for name in args.backends.split(","):
        wall, rows = sweep(name, experiments, profile, args.workers, folder)
        if base_rows is None:
            base_wall, base_rows = wall, rows
        same = "identical rows" if rows == base_rows else "ROWS DIFFER"
        print(f"  {name:<10} wall {wall:7.1f} s   speed-up vs serial {base_wall / wall:5.2f}x  [{same}]", flush=True)
    print(f"overhead: K = {args.noop} and 2K no-op units (slurm-local: K = {max(2, args.noop // 10)})")
    for name in args.noop_backends.split(","):
        k = max(2, args.noop // 10) if name == "slurm-local" else args.noop
        once, rows = sweep(name, [NOOP], k, args.workers, folder)
        twice, rows2 = sweep(name, [NOOP], 2 * k, args.workers, folder)
        assert len(rows) == k and len(rows2) == 2 * k
        per_unit = max(0.0, (twice - once) / k)
        print(f"  {name:<11} start-up {once - k * per_unit:6.2f} s   per unit {1000 * per_unit:8.1f} ms   "
              f"(wall {once:.2f} s for K, {twice:.2f} s for 2K)", flush=True)
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
