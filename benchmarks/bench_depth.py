"""Throughput of the depth family's batched training against a plain loop over the same models, in one run.

For each depth L and member count M, M causal pre-LN transformers of one shape (k-hop task, per-position
cross-entropy) are trained

- batched: one :class:`tbounds.empirical.depth.models.DepthTransformer` with all M members on a leading
  axis and the family's per-member AdamW (:func:`tbounds.empirical.depth.train.train`, no evaluation);
- looped: the same model with one member at a time and ``torch.optim.AdamW`` (fused where available),
  over a subset of the members, timed per model-step.  Same data, same math: the baseline only
  loses the member axis.

It prints model-steps per second for both, their ratio, achieved GFLOP/s (training FLOPs per token from
:meth:`ModelSpec.flops_per_token`, times tokens) and the fraction of this machine's measured fp32 matmul
peak (a 1024 x 1024 matmul at the same thread count).  No assertion is made on timings.

    python benchmarks/bench_depth.py                         # about a minute of CPU
    python benchmarks/bench_depth.py --layers 2,4 --members 8 --steps 20 --width 64
    python benchmarks/bench_depth.py --device cuda --width 128 --members 16 --batch 64
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from tbounds.empirical.depth.models import DepthTransformer, ModelSpec, loss_per_member
from tbounds.empirical.depth.tasks import KhopVocab, khop_batch
from tbounds.empirical.depth.train import EvalSet, Phase, train
from tbounds.empirical.device import matmul_peak, resolve_device, set_threads, synchronize


def _data(n, batch, steps, vocab):
    rng = np.random.default_rng(0)
    return [khop_batch(rng, batch, n, [1, 2, 3, 4], vocab)[:2] for _ in range(steps)]


def bench_batched(spec, M, data, device) -> float:
    model = DepthTransformer(spec, list(range(M)), device=device)
    it = iter(data * 2)

    def sample(rng, batch):
        return next(it)

    x, y = data[0]
    ev = EvalSet.make(x[:1], y[:1])
    train(model, [Phase(sample, 2)], [1e-3], ev, batch=len(x), eval_every=10 ** 9)     # warm-up
    synchronize(device)
    start = time.perf_counter()
    train(model, [Phase(sample, len(data))], [1e-3], ev, batch=len(x), eval_every=10 ** 9)
    synchronize(device)
    return M * len(data) / (time.perf_counter() - start)


def bench_loop(spec, members, data, device) -> float:
    total = 0.0
    for i in range(members):
        model = DepthTransformer(spec, [i], device=device)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.01)
        batches = [(torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)) for x, y in data]
        for x, y in batches[:2]:
            loss_per_member(model(x), y).sum().backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        synchronize(device)
        start = time.perf_counter()
        for x, y in batches:
            loss = loss_per_member(model(x), y).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        synchronize(device)
        total += time.perf_counter() - start
    return members * len(data) / total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default="1,2,4")
    ap.add_argument("--members", default="3,12")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--loop-members", type=int, default=3, help="members timed in the plain loop (per-model rate)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    device = resolve_device(args.device)
    threads = set_threads(args.threads)
    vocab = KhopVocab(4, 16)
    data = _data(args.n, args.batch, args.steps, vocab)
    peak = matmul_peak(device)
    print(f"device {device}, {threads} thread(s); fp32 1024^2 matmul peak {peak:.1f} GFLOP/s (measured now); "
          f"width {args.width}, heads {args.heads}, n {args.n}, batch {args.batch}, {args.steps} steps")
    print(f"{'L':>3} {'M':>4} {'batched/s':>10} {'loop/s':>8} {'ratio':>6} {'GFLOP/s':>8} {'% peak':>7}")
    for L in (int(v) for v in args.layers.split(",")):
        spec = ModelSpec(vocab=vocab.size, classes=vocab.classes, layers=L, width=args.width, heads=args.heads,
                         max_len=args.n)
        loop = bench_loop(spec, min(args.loop_members, 4), data, device)
        for M in (int(v) for v in args.members.split(",")):
            batched = bench_batched(spec, M, data, device)
            gflops = batched * spec.flops_per_token(args.n) * args.batch * args.n / 1e9
            print(f"{L:>3} {M:>4} {batched:>10.1f} {loop:>8.1f} {batched / loop:>6.2f} {gflops:>8.2f} "
                  f"{100 * gflops / peak:>6.1f}%", flush=True)


if __name__ == "__main__":
    main()
