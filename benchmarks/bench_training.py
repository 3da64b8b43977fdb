"""Training throughput of the memorization transformer at the paper's sizes, against strong baselines, in one run.

The model is Appendix H's (arXiv 2409.17677): d = 6, m = 2, FFN width q = 8, K blocks in each of the
two token-wise stacks, uniform attention, next-token MSE on random tokens; full-batch AdamW.  For each
configuration (K, N, n) the same M members are trained by

- ``tbounds``: :func:`tbounds.empirical.ensemble.train`, which runs the token-wise stacks through the
  fused CPU kernel (:mod:`tbounds.empirical.fused`) when it is available;
- ``batched``: the same ensemble trainer with the kernel switched off (batched torch matmuls; the
  trainer before the kernel);
- ``vmap``: ``torch.func.vmap`` of ``functional_call`` over parameters stacked with
  ``torch.func.stack_module_state`` from M ``nn.Module`` copies, ``torch.func.grad``, and
  ``torch.optim.AdamW(foreach=True)`` on the stacked tensors;
- ``loop``: a plain loop, one ``nn.Module`` and one ``torch.optim.AdamW`` at a time.

It prints member-steps per second, achieved model GFLOP/s (training FLOPs = 3 x 2 x multiply-adds of
the forward, the kernel's recomputation not counted), the fraction of this machine's fp32 matmul peak
(a 1024^2 matmul at the same thread count, measured in the same run) and the ratios of ``tbounds``
to each baseline.  No assertion is made on timings.

    python benchmarks/bench_training.py                       # about two minutes on 2 cores
    python benchmarks/bench_training.py --threads 2 --configs 4:500:1000 --members 4
"""

from __future__ import annotations

import argparse
import os
import time

import torch
from torch import nn

from tbounds.empirical import fused
from tbounds.empirical.device import matmul_peak, set_threads
from tbounds.empirical.ensemble import Criterion, train
from tbounds.empirical.memorization.models import Transformer

# (blocks K, sequences N, tokens n): Experiment C at n = 10 and 1000, Experiment B at N = 1000 and 1700.
DEFAULT_CONFIGS = "4:500:10,4:500:1000,4:1000:8,16:1700:8"


class Block(nn.Module):
    def __init__(self, m, q):
        super().__init__()
        self.l1, self.l2 = nn.Linear(m, q), nn.Linear(q, m)

    def forward(self, h):
        return h + self.l2(torch.relu(self.l1(h)))


class PaperTransformer(nn.Module):
    """eq. 165 as an ``nn.Module``: the baselines' model (same parameter count as :class:`Transformer`)."""

    def __init__(self, d, m, q, blocks):
        super().__init__()
        self.E_in = nn.Linear(d, m, bias=False)
        self.ff1 = nn.Sequential(*[Block(m, q) for _ in range(blocks)])
        self.Wv, self.Wo = nn.Linear(m, m, bias=False), nn.Linear(m, m, bias=False)
        self.ff2 = nn.Sequential(*[Block(m, q) for _ in range(blocks)])
        self.E_out = nn.Linear(m, 1)

    def forward(self, X):                               # X (N, n, d) -> (N,)
        h = self.ff1(self.E_in(X))
        z = h[:, -1] + self.Wo(self.Wv(h.mean(dim=1)))
        return self.E_out(self.ff2(z)).squeeze(-1)


def _timed(fn, steps: int) -> float:
    fn(2)                                                # warm-up (and the kernel's first call)
    start = time.perf_counter()
    fn(steps)
    return time.perf_counter() - start


def bench_tbounds(model, X, y, M, steps, use_kernel: bool) -> float:
    os.environ["TBOUNDS_FUSED"] = "1" if use_kernel else "0"
    fused.KERNEL.reset()
    try:
        flat = model.init(range(M))
        return M * steps / _timed(lambda s: train(model, flat, X, y, steps=s, lr=0.01,
                                                  criterion=Criterion("none")), steps)
    finally:
        os.environ.pop("TBOUNDS_FUSED", None)
        fused.KERNEL.reset()


def bench_vmap(spec, X, y, M, steps) -> float:
    from torch.func import functional_call, grad, stack_module_state, vmap

    models = [PaperTransformer(*spec) for _ in range(M)]
    params, buffers = stack_module_state(models)
    base = PaperTransformer(*spec).to("meta")

    def loss_one(p, b):
        return ((functional_call(base, (p, b), (X,)) - y) ** 2).mean()

    grads = vmap(grad(loss_one))
    opt = torch.optim.AdamW(list(params.values()), lr=0.01, foreach=True)

    def run(s):
        for _ in range(s):
            g = grads(params, buffers)
            for name, tensor in params.items():
                tensor.grad = g[name]
            opt.step()

    for tensor in params.values():
        tensor.requires_grad_(True)
    return M * steps / _timed(run, steps)


def bench_loop(spec, X, y, members, steps) -> float:
    models = [PaperTransformer(*spec) for _ in range(members)]
    opts = [torch.optim.AdamW(mo.parameters(), lr=0.01) for mo in models]

    def run(s):
        for mo, opt in zip(models, opts):
            for _ in range(s):
                loss = ((mo(X) - y) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()

    return members * steps / _timed(run, steps)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default=DEFAULT_CONFIGS, help="comma-separated K:N:n (blocks, sequences, tokens)")
    ap.add_argument("--members", type=int, default=8, help="ensemble size M (trials x sizes of a search)")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per method")
    ap.add_argument("--loop-members", type=int, default=2, help="members timed in the plain loop")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default 1 or TBOUNDS_THREADS)")
    args = ap.parse_args(argv)
    threads = set_threads(args.threads)
    torch.manual_seed(0)
    peak = matmul_peak(torch.device("cpu"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CPU, {threads} thread(s), load average {load:.1f} on {os.cpu_count()} cores; fp32 1024^2 matmul "
          f"peak {peak:.1f} GFLOP/s (measured now); kernel: {fused.status()}; M = {args.members}")
    header = (f"{'K':>3} {'N':>5} {'n':>5} {'tbounds':>9} {'GFLOP/s':>8} {'% peak':>7} {'batched':>9} {'vmap':>9} "
              f"{'loop':>9} {'x batched':>9} {'x vmap':>7} {'x loop':>7}")
    print("member-steps per second, and tbounds' speed-up over each baseline")
    print(header)
    print("-" * len(header))
    for item in args.configs.split(","):
        K, N, n = (int(v) for v in item.split(":"))
        model = Transformer(d=6, m=2, q=8, blocks=K)
        X = torch.rand(N, n, 6)
        y = (torch.randint(0, 2, (N,)) * 2 - 1).float()
        steps = max(3, args.steps if N * n <= 20000 else args.steps // 4)
        ours = bench_tbounds(model, X, y, args.members, steps, True)
        batched = bench_tbounds(model, X, y, args.members, steps, False)
        vm = bench_vmap((6, 2, 8, K), X, y, args.members, steps)
        loop = bench_loop((6, 2, 8, K), X, y, args.loop_members, steps)
        gflops = ours * model.flops_per_step(N, n) / 1e9
        print(f"{K:>3} {N:>5} {n:>5} {ours:>9.1f} {gflops:>8.2f} {100 * gflops / peak:>6.1f}% {batched:>9.1f} "
              f"{vm:>9.1f} {loop:>9.1f} {ours / batched:>8.1f}x {ours / vm:>6.1f}x {ours / loop:>6.1f}x", flush=True)
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end {end_load:.1f}")


if __name__ == "__main__":
    main()
