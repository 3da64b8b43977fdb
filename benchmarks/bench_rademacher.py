"""Batched Rademacher estimation and batched training of low-rank heads, against a plain loop, in one run.

Two workloads of issue 6, each timed two ways on the same inputs:

- Rademacher lower estimate of the head class: ``K`` sign vectors x ``R`` restarts of
  projected ascent in one batch (:func:`tbounds.empirical.generalization.estimate.head_lower`), against
  a loop that runs the same estimator one sign vector at a time;
- training: ``M`` heads (ranks x seeds) in one batch (:func:`tbounds.empirical.generalization.train.fit`),
  against a loop that trains each head alone.

The batched and looped results are also compared (the per-σ maxima and the final losses
agree up to floating-point reduction order).  No assertion is made on timings.

    python benchmarks/bench_rademacher.py                  # about a minute on 2 cores
    python benchmarks/bench_rademacher.py --n 1024 --signs 64 --members 24 --device cuda
"""

from __future__ import annotations

import argparse
import time

import torch

from tbounds.empirical.device import describe, resolve_device, set_threads, synchronize
from tbounds.empirical.generalization.control import Constraint, Control
from tbounds.empirical.generalization.estimate import head_lower
from tbounds.empirical.generalization.models import HeadSpec, init_params
from tbounds.empirical.generalization.rademacher import sign_vectors
from tbounds.empirical.generalization.tasks import make_task
from tbounds.empirical.generalization.train import fit, losses


def timed(fn, device):
    synchronize(device)
    start = time.perf_counter()
    out = fn()
    synchronize(device)
    return out, time.perf_counter() - start


def bench_rademacher(args, device):
    data = make_task("teacher", args.n, args.T, args.d, seed=0)
    X = data.X.to(device)
    spec = HeadSpec(d=args.d, k=args.rank)
    control = Control("factor", 0.0, (Constraint("WQK", "fro", 8.0), Constraint("WV", "fro", 2.0),
                                      Constraint("w", "l2", 2.0)))
    s = sign_vectors(args.n, args.signs, seed=1, dtype=X.dtype).to(device)
    kw = dict(restarts=args.restarts, steps=args.rad_steps, seed=2)
    batched, t_batch = timed(lambda: head_lower(spec, control, X, s, **kw), device)
    loop = args.loop_signs
    looped, t_loop = timed(lambda: [head_lower(spec, control, X, s[k:k + 1], **kw).value for k in range(loop)],
                           device)
    per_batch = t_batch / args.signs
    per_loop = t_loop / loop
    return {"workload": f"Rademacher estimate (n={args.n}, T={args.T}, d={args.d}, rank {args.rank}, "
                        f"{args.restarts} restarts x {args.rad_steps} steps)",
            "batched": f"{args.signs} signs in {t_batch:.2f}s ({per_batch * 1e3:.1f} ms/sign)",
            "loop": f"{loop} signs in {t_loop:.2f}s ({per_loop * 1e3:.1f} ms/sign)",
            "ratio": per_loop / per_batch,
            "check": f"R_head batched {batched.value:.4f} ± {batched.stderr:.4f}; loop mean over its {loop} signs "
                     f"{sum(looped) / loop:.4f}"}


def bench_training(args, device):
    ranks = [1 + (i % args.d) for i in range(args.members)]
    seeds = list(range(args.members))
    data = make_task("teacher", args.n, args.T, args.d, seed=0)
    X = data.X.to(device).expand(args.members, *data.X.shape)
    y = data.y.to(device).expand(args.members, -1)
    spec = HeadSpec(d=args.d, k=args.d)
    control = Control("factor", 0.0, (Constraint("WQK", "fro", 8.0),))
    p0 = init_params(spec, seeds, ranks, device=device)
    batched, t_batch = timed(lambda: fit(spec, p0, X, y, None, control, steps=args.steps, lr=0.02), device)
    loop = args.loop_members
    looped, t_loop = timed(lambda: [fit(spec, {k: v[m:m + 1] for k, v in p0.items()}, X[m:m + 1], y[m:m + 1], None,
                                        control, steps=args.steps, lr=0.02) for m in range(loop)], device)
    per_batch, per_loop = t_batch / args.members, t_loop / loop
    lb = losses(spec, batched, X, y)["logistic"][:loop]
    ll = torch.cat([losses(spec, p, X[:1], y[:1])["logistic"] for p in looped])
    return {"workload": f"training (n={args.n}, T={args.T}, d={args.d}, {args.steps} Adam steps, ranks 1..{args.d})",
            "batched": f"{args.members} heads in {t_batch:.2f}s ({per_batch * 1e3:.0f} ms/head)",
            "loop": f"{loop} heads in {t_loop:.2f}s ({per_loop * 1e3:.0f} ms/head)",
            "ratio": per_loop / per_batch,
            "check": f"max |final loss batched - loop| over {loop} heads = {float((lb - ll).abs().max()):.2e}"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--T", type=int, default=16)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--signs", type=int, default=16, help="sign vectors in the batched estimate")
    ap.add_argument("--loop-signs", type=int, default=4, help="sign vectors timed one at a time")
    ap.add_argument("--restarts", type=int, default=2)
    ap.add_argument("--rad-steps", type=int, default=100)
    ap.add_argument("--members", type=int, default=16, help="heads in the batched training")
    ap.add_argument("--loop-members", type=int, default=4, help="heads trained one at a time")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    set_threads(args.threads)
    print(f"device: {describe(device)}; torch {torch.__version__}")
    for row in (bench_rademacher(args, device), bench_training(args, device)):
        print(f"\n{row['workload']}\n  batched: {row['batched']}\n  loop:    {row['loop']}\n"
              f"  speed-up of batching (per item): {row['ratio']:.1f}x\n  {row['check']}")


if __name__ == "__main__":
    main()
