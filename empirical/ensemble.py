"""Batched training core: M independent models on a leading model axis, trained together.

Public API (shared by every experiment family):

- :class:`Criterion` -- when a member counts as done: ``mse`` below a threshold or every
  ``sign`` right (or ``none``: train for the full budget).
- :func:`train` -- full-batch AdamW on flat parameters ``(M, P)`` of any model with
  ``forward(flat, X)`` (see :mod:`tbounds.empirical.memorization.models`).  Per-member learning rates, linear
  warm-up then cosine decay, one AdamW update for all members in a handful of tensor ops,
  per-member losses (``sum`` over members for backward, so gradients stay independent),
  and a mask that freezes members the moment they meet the criterion (their weights are
  then exactly the ones that met it).  Members are split into chunks that keep the largest
  activation within a byte budget (why: on CPU one huge tensor spills the cache and loses
  to a loop; shared/papers/performance.md, section 6.2).
- :func:`evaluate` -- per-member loss and sign accuracy, optionally in float64.
- :class:`TrainResult` -- final parameters, per-member loss, accuracy, met flag, steps used.

Deterministic on CPU for a given seed list and thread count.

>>> import torch
>>> from tbounds.empirical.memorization.models import Transformer
>>> model = Transformer(d=3, m=2, q=8, blocks=1)
>>> X = torch.rand(6, 4, 3, generator=torch.Generator().manual_seed(0))
>>> y = torch.tensor([1., -1, 1, -1, 1, -1])
>>> res = train(model, model.init([0, 1]), X, y, steps=300, lr=[0.03, 0.01])
>>> res.loss.shape, res.met.dtype
(torch.Size([2]), torch.bool)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch

from .errors import ConfigError

CRITERIA = ("mse", "sign", "none")


@dataclass(frozen=True)
class Criterion:
    """``mse``: loss < threshold; ``sign``: every output has the label's sign; ``none``: never stop early."""

    kind: str = "mse"
    threshold: float = 0.01

    def __post_init__(self):
        if self.kind not in CRITERIA:
            raise ConfigError(f"criterion must be one of {', '.join(CRITERIA)} (got '{self.kind}')")
        if not self.threshold > 0:
            raise ConfigError(f"criterion threshold must be positive (got {self.threshold})")

    def met(self, loss: torch.Tensor, correct: torch.Tensor) -> torch.Tensor:
        """Per member: ``loss (M,)``, ``correct (M,)`` fraction of right signs."""
        if self.kind == "mse":
            return loss < self.threshold
        if self.kind == "sign":
            return correct >= 1.0
        return torch.zeros_like(loss, dtype=torch.bool)


@dataclass
class TrainResult:
    flat: torch.Tensor       # (M, P) final parameters (frozen at the step a member met the criterion)
    loss: torch.Tensor       # (M,) MSE at those parameters
    accuracy: torch.Tensor   # (M,) fraction of outputs with the right sign
    met: torch.Tensor        # (M,) bool
    steps: torch.Tensor      # (M,) steps taken
    total_steps: int         # steps the ensemble ran (max over chunks)
    plateaued: Optional[torch.Tensor] = None  # (M,) bool: stopped early because the loss stopped falling
    member_steps: int = 0    # training steps computed, summed over members (what the run cost: FLOPs / step)


def _per_member(values, M: int, name: str) -> torch.Tensor:
    t = torch.as_tensor(values, dtype=torch.float32).flatten()
    if t.numel() == 1:
        t = t.expand(M).clone()
    if t.numel() != M:
        raise ConfigError(f"{name} needs one value or one per member ({M}), got {t.numel()}")
    return t


def _loss_and_correct(out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-member MSE and sign accuracy; ``y`` shared ``out.shape[1:]`` or per member ``out.shape``."""
    diff = out - y
    dims = tuple(range(1, out.dim()))
    loss = (diff * diff).mean(dim=dims)
    correct = ((out * y) > 0).to(out.dtype).mean(dim=dims)
    return loss, correct


def evaluate(model, flat: torch.Tensor, X: torch.Tensor, y: torch.Tensor, float64: bool = False):
    """``(loss, accuracy)`` per member, without gradients; ``float64`` re-checks at double precision."""
    with torch.no_grad():
        if float64:
            flat, X, y = flat.double(), X.double(), y.double()
        return _loss_and_correct(model.forward(flat, X), y)


def chunk_size(model, X: torch.Tensor, M: int, budget_bytes: float, per_member_data: bool) -> int:
    """Members per chunk so that the largest activation (tokens x hidden width) stays under budget."""
    tokens = X.shape[-3] * X.shape[-2] if X.dim() >= 3 else X.shape[0]
    hidden = max(getattr(model, "q", 1), getattr(model, "m", 1), 1)
    per_member = tokens * hidden * 4 * 3  # forward activation, its grad and a temporary
    return max(1, min(M, int(budget_bytes // max(per_member, 1))))


def train(model, flat: torch.Tensor, X: torch.Tensor, y: torch.Tensor, *, steps: int, lr=1e-2,
          weight_decay: float = 0.01, betas=(0.9, 0.999), eps: float = 1e-8, warmup: float = 0.05,
          criterion: Criterion = Criterion(), check_every: int = 10, chunk: Optional[int] = None,
          budget_bytes: Optional[float] = None, progress: Optional[Callable[[int, int], None]] = None,
          mask: Optional[torch.Tensor] = None, patience: Optional[int] = None,
          min_improvement: float = 0.01, round_to: Optional[torch.dtype] = None) -> TrainResult:
    """Train every member of ``flat (M, P)`` on its data (``X``/``y`` shared, or with a leading M axis).

    ``X``: ``(N, n, d)`` shared by all members, or ``(M, N, n, d)`` with labels ``(M, ...)``.
    ``lr`` and ``warmup`` (fraction of the budget spent warming up) are one value or one per
    member.  ``patience``: stop a member that has not met the criterion when its best loss has
    not fallen by a factor ``1 - min_improvement`` for that many steps (it counts as failed, and
    ``plateaued`` says so); ``None`` trains every member for the full budget.  ``round_to``
    (e.g. ``torch.bfloat16``) rounds the parameters to that type after every update, with no
    full-precision master copy: the model then only ever holds that many bits per parameter.  ``mask (M, P)`` (e.g. ``model.size_mask(sizes)``)
    pins masked parameters at zero, so members of different sizes train in one ensemble.  Full batch: every step sees all N sequences.
    ``progress(done_steps, total_steps)`` is called every ``check_every`` steps.
    """
    if steps < 1:
        raise ConfigError(f"steps must be >= 1 (got {steps})")
    M = flat.shape[0]
    lrs = _per_member(lr, M, "lr").to(flat.device)
    warmups = _per_member(warmup, M, "warmup").to(flat.device)
    if bool(((warmups < 0) | (warmups >= 1)).any()):
        raise ConfigError(f"warmup must be a fraction in [0, 1) of the steps (got {warmup})")
    if patience is not None and (not isinstance(patience, int) or patience < 1):
        raise ConfigError(f"patience must be a positive number of steps or None (got {patience!r})")
    if X.dim() == 4 and y.shape[0] != M:
        raise ConfigError(f"per-member inputs (M, N, n, d) need per-member labels with a leading axis of {M}")
    if budget_bytes is None:  # a few MB keeps CPU chunks in cache; a GPU wants everything at once
        budget_bytes = 8e6 if flat.device.type == "cpu" else 2e9
    if chunk is None and getattr(model, "uses_fused", None) and model.uses_fused(flat, X):
        chunk = M   # the fused kernel never materialises token activations: no reason to split members
    size = chunk or chunk_size(model, X, M, budget_bytes, X.dim() == 4)
    parts = []
    for start in range(0, M, size):
        sl = slice(start, min(M, start + size))
        Xc = X[sl] if X.dim() == 4 else X
        yc = y[sl] if X.dim() == 4 else y
        mc = None if mask is None else mask[sl].to(flat.device, flat.dtype)
        parts.append(_train_chunk(model, flat[sl].detach().clone(), Xc, yc, steps, lrs[sl], weight_decay, betas,
                                  eps, warmups[sl], criterion, check_every, progress, mc, patience, min_improvement,
                                  round_to))
    return TrainResult(torch.cat([p.flat for p in parts]), torch.cat([p.loss for p in parts]),
                       torch.cat([p.accuracy for p in parts]), torch.cat([p.met for p in parts]),
                       torch.cat([p.steps for p in parts]), max(p.total_steps for p in parts),
                       torch.cat([p.plateaued for p in parts]), sum(p.member_steps for p in parts))


def _schedule(step: int, steps: int, warmup) -> torch.Tensor:
    """Per member: linear warm-up over ``warmup (M,)`` of the budget, then cosine decay to 10%.

    >>> _schedule(0, 100, torch.tensor([0.0, 0.1])).tolist()
    [1.0, 0.10000000149011612]
    """
    w = torch.clamp((warmup * steps).floor(), min=1)
    t = ((step - w) / torch.clamp(steps - w, min=1)).clamp(min=0)
    decay = 0.1 + 0.9 * 0.5 * (1 + torch.cos(math.pi * t))
    return torch.where(step < w, (step + 1) / w, decay)


def _train_chunk(model, flat, X, y, steps, lrs, weight_decay, betas, eps, warmup, criterion, check_every,
                 progress, mask=None, patience=None, min_improvement=0.01, round_to=None) -> TrainResult:
    """Train one chunk.  Members that finish (met the criterion, or plateaued) are frozen at once and
    dropped from the working set at the next check, so the remaining steps cost only what is still
    training (why: in a capacity search most members finish long before the budget ends)."""
    M, dev = flat.shape[0], flat.device
    if mask is not None:
        flat.mul_(mask)
    if round_to is not None:
        flat.copy_(flat.to(round_to))
    final = flat.detach().clone()                  # a member's row is written back when it leaves
    used = torch.full((M,), steps, dtype=torch.long, device=dev)
    best_loss = torch.full((M,), float("inf"), device=dev)
    best_acc = torch.zeros(M, device=dev)
    plateaued = torch.zeros(M, dtype=torch.bool, device=dev)
    met = torch.zeros(M, dtype=torch.bool, device=dev)
    # The working set: rows of the members still training, and their optimiser state.
    rows = torch.arange(M, device=dev)
    w = flat.detach().clone().requires_grad_(True)
    m1, m2 = torch.zeros_like(w), torch.zeros_like(w)
    active = torch.ones(M, dtype=torch.bool, device=dev)
    running_best = torch.full((M,), float("inf"), device=dev)   # best loss so far (plateau test)
    last_gain = torch.zeros(M, dtype=torch.long, device=dev)    # step of the last real improvement
    lr_col, warm = lrs.view(M, 1), warmup
    per_member = X.dim() == 4
    Xw, yw, mask_w = X, y, mask
    b1, b2 = betas
    stops = criterion.kind != "none" or patience is not None
    done = computed = 0
    for step in range(steps):
        out = model.forward(w, Xw)
        loss, correct = _loss_and_correct(out, yw)
        with torch.no_grad():
            finished = torch.zeros_like(active)
            if criterion.kind != "none":
                # Freeze members that met the criterion at these (pre-update) weights.
                met_now = criterion.met(loss, correct) & active
                used.index_copy_(0, rows, torch.where(met_now, torch.full_like(rows, step), used[rows]))
                best_loss.index_copy_(0, rows, torch.where(met_now, loss, best_loss[rows]))
                best_acc.index_copy_(0, rows, torch.where(met_now, correct, best_acc[rows]))
                met.index_copy_(0, rows, met[rows] | met_now)
                finished |= met_now
            if patience is not None:
                gained = loss < running_best * (1 - min_improvement)
                running_best = torch.where(gained, loss, torch.minimum(running_best, loss))
                last_gain = torch.where(gained, torch.full_like(last_gain, step), last_gain)
                stalled = active & ~finished & (step - last_gain >= patience)
                used.index_copy_(0, rows, torch.where(stalled, torch.full_like(rows, step), used[rows]))
                plateaued.index_copy_(0, rows, plateaued[rows] | stalled)
                finished |= stalled
            active = active & ~finished
        done = step + 1
        check = (step + 1) % check_every == 0
        if check:
            if progress is not None:
                progress(step + 1, steps)
            if stops and not bool(active.any()):
                break
        if w.grad is not None:
            w.grad = None
        loss.sum().backward()  # sum, not mean: each member's gradient is its own
        computed += int(rows.numel())
        with torch.no_grad():
            g = w.grad
            t = step + 1
            m1.mul_(b1).add_(g, alpha=1 - b1)
            m2.mul_(b2).addcmul_(g, g, value=1 - b2)
            scale = lr_col * (_schedule(step, steps, warm) * active.to(w.dtype)).view(-1, 1)
            denom = (m2 / (1 - b2 ** t)).sqrt_().add_(eps)
            update = (m1 / (1 - b1 ** t)) / denom + weight_decay * w
            if mask_w is not None:
                update.mul_(mask_w)
            w.sub_(scale * update)
            if round_to is not None:
                w.copy_(w.to(round_to))
            if check and stops and not bool(active.all()):
                # Frozen members leave the working set (their rows were not updated this step).
                final[rows[~active]] = w[~active]
                keep = active
                rows = rows[keep]
                w = w[keep].clone().requires_grad_(True)
                m1, m2, lr_col, warm = m1[keep], m2[keep], lr_col[keep], warm[keep]
                running_best, last_gain, active = running_best[keep], last_gain[keep], active[keep]
                if mask_w is not None:
                    mask_w = mask_w[keep]
                if per_member:
                    Xw, yw = Xw[keep], yw[keep]
    with torch.no_grad():
        if rows.numel():
            final[rows] = w.detach()
        final_loss, final_acc = _loss_and_correct(model.forward(final, X), y)
        loss_out = torch.where(met, best_loss, final_loss)
        acc_out = torch.where(met, best_acc, final_acc)
    return TrainResult(final, loss_out, acc_out, met, used, done, plateaued, computed)
