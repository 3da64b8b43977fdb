"""Throughput of batched ensemble training against a plain loop over the same models, in one run.

For each width m (hidden width q = 4m) and ensemble size M, the same M transformers
(FFN stack, uniform attention, FFN stack; next-token MSE on random tokens) are trained

- batched: :func:`tbounds.empirical.ensemble.train` with all M members on one leading axis;
- looped: one model at a time (M = 1 forward, ``torch.optim.AdamW``), on a subset of the
  members, timed per model-step.

It prints model-steps per second for both, their ratio, achieved GFLOP/s (training FLOPs =
3 x 2 x multiply-adds of the forward) and the fraction of this machine's measured fp32 matmul
peak (a 1024 x 1024 matmul at the same thread count).  No assertion is made on timings.

    python benchmarks/bench_training.py                 # a few minutes on 2 cores
    python benchmarks/bench_training.py --widths 2,16 --members 64 --steps 20
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from tbounds.empirical.device import matmul_peak, resolve_device, set_threads, synchronize
from tbounds.empirical.ensemble import Criterion, train
from tbounds.empirical.memorization.models import Transformer


def bench_batched(model, X, y, M, steps, device) -> float:
    flat = model.init(range(M), device=device)
    train(model, flat, X, y, steps=2, lr=0.01, criterion=Criterion("none"))  # warm-up
    synchronize(device)
    start = time.perf_counter()
    train(model, flat, X, y, steps=steps, lr=0.01, criterion=Criterion("none"))
    synchronize(device)
    return M * steps / (time.perf_counter() - start)


def bench_loop(model, X, y, members, steps, device) -> float:
    total = 0.0
    for i in range(members):
        flat = model.init([i], device=device).requires_grad_(True)
        opt = torch.optim.AdamW([flat], lr=0.01)
        for s in range(steps + 2):
            if s == 2:
                synchronize(device)
                start = time.perf_counter()
            out = model.forward(flat, X)
            loss = ((out - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        synchronize(device)
        total += time.perf_counter() - start
    return members * steps / total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--widths", default="2,4,8,16", help="embedding widths m (q = 4m)")
    ap.add_argument("--members", default="64,256", help="ensemble sizes M")
    ap.add_argument("--N", type=int, default=64, help="sequences per model (full batch)")
    ap.add_argument("--n", type=int, default=8, help="tokens per sequence")
    ap.add_argument("--d", type=int, default=6, help="token dimension")
    ap.add_argument("--blocks", type=int, default=2, help="FFN blocks per stack")
    ap.add_argument("--steps", type=int, default=30, help="timed training steps (batched)")
    ap.add_argument("--loop-members", type=int, default=8, help="members timed in the plain loop")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default 1 or TBOUNDS_THREADS)")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    threads = set_threads(args.threads)
    torch.manual_seed(0)
    X = torch.rand(args.N, args.n, args.d, device=device)
    y = (torch.randint(0, 2, (args.N,), device=device) * 2 - 1).float()
    peak = matmul_peak(device)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"device {device}, {threads} thread(s), load average {load:.1f} on {os.cpu_count()} cores; "
          f"fp32 1024^2 matmul peak {peak:.1f} GFLOP/s (measured now); "
          f"N={args.N}, n={args.n}, d={args.d}, {args.blocks} blocks per stack")
    header = f"{'m':>3} {'q':>3} {'params':>6} {'M':>4} {'loop steps/s':>13} {'batched steps/s':>16} " \
             f"{'ratio':>6} {'GFLOP/s':>8} {'% peak':>7}"
    print(header)
    print("-" * len(header))
    ratios = []
    for m in [int(v) for v in args.widths.split(",")]:
        model = Transformer(d=args.d, m=m, q=4 * m, blocks=args.blocks)
        flops = 6.0 * model.macs(args.N, args.n)
        loop = bench_loop(model, X, y, args.loop_members, max(5, args.steps // 3), device)
        for M in [int(v) for v in args.members.split(",")]:
            batched = bench_batched(model, X, y, M, args.steps, device)
            gflops = batched * flops / 1e9
            ratios.append(batched / loop)
            print(f"{m:>3} {4 * m:>3} {model.param_count():>6} {M:>4} {loop:>13.1f} {batched:>16.1f} "
                  f"{batched / loop:>6.1f} {gflops:>8.2f} {100 * gflops / peak:>6.1f}%", flush=True)
    print(f"ratio batched/loop: min {min(ratios):.1f}x, max {max(ratios):.1f}x")


if __name__ == "__main__":
    main()
