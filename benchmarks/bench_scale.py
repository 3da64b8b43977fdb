"""Scale of the bound commands (issue 13): many targets and long tables, against the per-item baseline.

Prints ratios measured in the same run: ``solve_many`` over K targets against K scalar ``solve``
calls (extrapolated from a sample), and the plain long-table renderer against rich's table.

    python benchmarks/bench_scale.py [--targets 100000] [--rows 100000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    from tbounds.bounds import get, solve, solve_many
    from tbounds.cli import render

    b = get("kajitsuka2025.seq2seq.lower_hardmax")
    targets = np.geomspace(1e2, 1e7, args.targets)
    t = time.process_time()
    solve_many(b, "N", targets, n=512)
    many = time.process_time() - t
    sample = targets[:: max(1, args.targets // 200)]
    t = time.process_time()
    for x in sample:
        solve(b, "N", float(x), n=512)
    scalar = (time.process_time() - t) / len(sample) * args.targets
    print(f"solve {args.targets} targets: vectorised {many:.2f} s CPU, scalar loop ~{scalar:.1f} s CPU "
          f"(extrapolated from {len(sample)}); ratio {scalar / many:.1f}x")

    rows = [{"N": i, "value": 1.5 * i} for i in range(args.rows)]
    t = time.process_time()
    render.render(rows, ["N", "value"], "table")
    plain = time.process_time() - t
    part = rows[:2000]
    t = time.process_time()
    saved, render._RICH_ROWS = render._RICH_ROWS, 10 ** 9
    try:
        render.render(part, ["N", "value"], "table")
    finally:
        render._RICH_ROWS = saved
    rich = (time.process_time() - t) / len(part) * args.rows
    print(f"table of {args.rows} rows: plain {plain:.2f} s CPU, rich ~{rich:.1f} s CPU (extrapolated from "
          f"{len(part)} rows); ratio {rich / plain:.1f}x")


if __name__ == "__main__":
    main()
