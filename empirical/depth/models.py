"""The depth family's model: a causal pre-LN transformer, many members of one shape trained at once.

:class:`ModelSpec` fixes the shape (vocabulary, output classes, depth ``layers``, width ``width``,
``heads``, maximum length, positional encoding, looped or not); :class:`DepthTransformer` holds the
parameters of ``M`` members of that shape on a leading member axis (one generator per member
seed, so a member's weights do not depend on who it is batched with) and runs them all with
batched matmuls.  Every depth experiment uses it (retrieval chains, k-hop, word problems).

- pre-LN blocks ``h + Attn(LN(h))`` then ``h + MLP(LN(h))``, multi-head causal softmax attention
  (scale 1/sqrt(d_head)), MLP ``d -> 4d -> d`` with GELU, a final LayerNorm and an unembedding to
  ``classes`` logits at *every* position (token classification; targets equal to
  :data:`IGNORE` are skipped by :func:`loss_per_member`);
- positional encoding ``none``, ``learned`` (a trained ``(max_len, d)`` table), ``sinusoidal``
  (fixed, added to the embedding) or ``rotary`` (queries and keys rotated per head);
- ``looped=True``: one block's weights applied ``layers`` times (shared weights);
- inputs ``(B, T)`` shared by all members or ``(M, B, T)`` per member; logits ``(M, B, T, classes)``;
  ``forward(x, attention=True)`` also returns each layer's weights ``(M, B, H, T, T)``.

Initialisation follows GPT-2: normal(0, 0.02), residual output projections scaled by
1/sqrt(2 * layers).  Per-member learning rates live in the optimiser (:mod:`.train`), not here.

>>> import torch
>>> spec = ModelSpec(vocab=7, classes=5, layers=2, width=16, heads=2, max_len=12, positional="rotary")
>>> model = DepthTransformer(spec, seeds=[0, 1, 2])
>>> x = torch.randint(0, 7, (4, 10), generator=torch.Generator().manual_seed(0))
>>> tuple(model(x).shape)
(3, 4, 10, 5)
>>> single = DepthTransformer(spec, seeds=[1])
>>> bool(torch.allclose(model(x)[1], single(x)[0], atol=1e-5))    # members are independent
True
>>> spec.param_count() == sum(p[0].numel() for p in model.parameters())
True
>>> ModelSpec(vocab=7, classes=5, layers=3, width=16, heads=2, looped=True).param_count() == \\
...     ModelSpec(vocab=7, classes=5, layers=1, width=16, heads=2).param_count()
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError

POSITIONALS = ("none", "learned", "sinusoidal", "rotary")
INITS = ("gpt2", "fan_in")
IGNORE = -100  # target index skipped by the loss and by accuracy


@dataclass(frozen=True)
class ModelSpec:
    """The shape shared by every member of one :class:`DepthTransformer`."""

    vocab: int
    classes: int
    layers: int = 2
    width: int = 32
    heads: int = 2
    max_len: int = 64
    positional: str = "learned"
    looped: bool = False
    mlp_ratio: int = 4
    init: str = "gpt2"        # gpt2: every weight N(0, 0.02); fan_in: embeddings N(0, 1), block matrices N(0, 1/fan_in)

    def __post_init__(self):
        for name in ("vocab", "classes", "layers", "width", "heads", "max_len", "mlp_ratio"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{name} must be a positive integer (got {v!r})")
        if self.width % self.heads:
            raise ConfigError(f"width ({self.width}) must be a multiple of heads ({self.heads})")
        if self.init not in INITS:
            raise ConfigError(f"init must be one of {', '.join(INITS)} (got '{self.init}')")
        if self.positional not in POSITIONALS:
            raise ConfigError(f"positional must be one of {', '.join(POSITIONALS)} (got '{self.positional}')")
        if self.positional == "rotary" and (self.width // self.heads) % 2:
            raise ConfigError(f"rotary positions need an even head size (width/heads = {self.width // self.heads})")

    @property
    def head_size(self) -> int:
        return self.width // self.heads

    @property
    def blocks(self) -> int:
        """Blocks with their own weights: 1 when looped, else ``layers``."""
        return 1 if self.looped else self.layers

    def param_count(self) -> int:
        """Parameters of one member (every weight, bias and LayerNorm gain)."""
        d, f = self.width, self.mlp_ratio * self.width
        block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d)
        pos = self.max_len * d if self.positional == "learned" else 0
        return self.vocab * d + pos + self.blocks * block + 2 * d + d * self.classes + self.classes

    def flops_per_token(self, T: int) -> float:
        """Training FLOPs per token of one member: 3 x 2 x (multiply-adds of the forward), causal attention counted
        in full (what the kernels compute)."""
        d, f = self.width, self.mlp_ratio * self.width
        per_layer = 3 * d * d + d * d + 2 * d * f + 2 * T * d
        return 6.0 * (self.layers * per_layer + d * self.classes)


def _sinusoid(max_len: int, d: int) -> torch.Tensor:
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
    table = torch.zeros(max_len, d, dtype=torch.float64)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq[: d // 2])
    return table.float()


def _rotary_tables(max_len: int, dh: int) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / (10000.0 ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh))
    ang = torch.arange(max_len, dtype=torch.float64).unsqueeze(1) * inv          # (T, dh/2)
    return torch.cos(ang).float(), torch.sin(ang).float()


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary on ``x (..., T, dh)``: pairs (even, odd) rotated by the position's angles."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)


class DepthTransformer(nn.Module):
    """``len(seeds)`` members of one :class:`ModelSpec`, parameters stacked on a leading member axis."""

    def __init__(self, spec: ModelSpec, seeds: Sequence[int], device=None):
        super().__init__()
        if not len(seeds):
            raise ConfigError("a model needs at least one member seed")
        self.spec, self.seeds = spec, tuple(int(s) for s in seeds)
        d, f, nb, C = spec.width, spec.mlp_ratio * spec.width, spec.blocks, spec.classes
        shapes = {"embed": (spec.vocab, d), "ln1_g": (nb, d), "ln1_b": (nb, d), "qkv_w": (nb, d, 3 * d),
                  "qkv_b": (nb, 3 * d), "out_w": (nb, d, d), "out_b": (nb, d), "ln2_g": (nb, d), "ln2_b": (nb, d),
                  "fc_w": (nb, d, f), "fc_b": (nb, f), "proj_w": (nb, f, d), "proj_b": (nb, d),
                  "lnf_g": (d,), "lnf_b": (d,), "unembed_w": (d, C), "unembed_b": (C,)}
        if spec.positional == "learned":
            shapes["pos"] = (spec.max_len, d)
        members = [self._draw(shapes, seed, spec) for seed in self.seeds]
        for name in shapes:
            setattr(self, name, nn.Parameter(torch.stack([m[name] for m in members])))
        if spec.positional == "sinusoidal":
            self.register_buffer("sinusoid", _sinusoid(spec.max_len, d), persistent=False)
        if spec.positional == "rotary":
            cos, sin = _rotary_tables(spec.max_len, spec.head_size)
            self.register_buffer("rot_cos", cos, persistent=False)
            self.register_buffer("rot_sin", sin, persistent=False)
        if device is not None:
            self.to(device)

    @staticmethod
    def _draw(shapes: dict, seed: int, spec: ModelSpec) -> dict:
        g = torch.Generator().manual_seed(seed)
        resid = 0.02 / math.sqrt(2 * spec.layers)
        out = {}
        for name, shape in shapes.items():
            if name.endswith("_g"):
                out[name] = torch.ones(shape)
            elif name.endswith("_b"):
                out[name] = torch.zeros(shape)
            else:
                std = resid if name in ("out_w", "proj_w") else 0.02
                if spec.init == "fan_in" and name != "unembed_w":
                    std = 1.0 if name == "embed" else 0.02 if name == "pos" else 1 / math.sqrt(shape[-2])
                out[name] = torch.randn(shape, generator=g) * std
        return out

    @property
    def members(self) -> int:
        return len(self.seeds)

    def weight_names(self) -> list[str]:
        """Parameters that get weight decay (matrices and embeddings, not biases or LayerNorm)."""
        return [n for n, p in self.named_parameters() if not n.endswith(("_b", "_g"))]

    def forward(self, x: torch.Tensor, attention: bool = False):
        """``x (B, T)`` shared or ``(M, B, T)`` per member -> logits ``(M, B, T, classes)``
        (and the list of per-layer attention weights ``(M, B, H, T, T)`` when ``attention``)."""
        spec, M = self.spec, self.members
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(M, *x.shape)
        if x.dim() != 3 or x.shape[0] != M:
            raise ConfigError(f"inputs must be (B, T) or (M={M}, B, T) token ids (got shape {tuple(x.shape)})")
        _, B, T = x.shape
        if T > spec.max_len:
            raise ConfigError(f"sequence length {T} exceeds the model's max_len {spec.max_len}")
        idx = torch.arange(M, device=x.device).view(M, 1, 1)
        h = self.embed[idx, x]                                                          # (M, B, T, d)
        if spec.positional == "learned":
            h = h + self.pos[:, :T].unsqueeze(1)
        elif spec.positional == "sinusoidal":
            h = h + self.sinusoid[:T]
        maps = []
        for layer in range(spec.layers):
            i = 0 if spec.looped else layer
            a, w = self._attend(self._norm(h, self.ln1_g[:, i], self.ln1_b[:, i]), i, attention)
            h = h + a
            if attention:
                maps.append(w)
            z = self._dense(self._norm(h, self.ln2_g[:, i], self.ln2_b[:, i]), self.fc_w[:, i], self.fc_b[:, i])
            h = h + self._dense(F.gelu(z), self.proj_w[:, i], self.proj_b[:, i])
        logits = self._dense(self._norm(h, self.lnf_g, self.lnf_b), self.unembed_w, self.unembed_b)
        return (logits, maps) if attention else logits

    @staticmethod
    def _norm(h, g, b):
        return F.layer_norm(h, h.shape[-1:]) * g[:, None, None] + b[:, None, None]

    @staticmethod
    def _dense(h: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """``h (M, B, T, i) @ W (M, i, o) + b (M, o)`` as one batched matmul over members."""
        M, B, T, i = h.shape
        out = torch.baddbmm(b.unsqueeze(1), h.reshape(M, B * T, i), W)
        return out.view(M, B, T, -1)

    def _attend(self, h: torch.Tensor, i: int, keep: bool):
        spec = self.spec
        M, B, T, d = h.shape
        H, dh = spec.heads, spec.head_size
        qkv = self._dense(h, self.qkv_w[:, i], self.qkv_b[:, i]).view(M, B, T, 3, H, dh)
        q, k, v = (qkv[..., j, :, :].permute(0, 1, 3, 2, 4) for j in range(3))     # (M, B, H, T, dh)
        if spec.positional == "rotary":
            cos, sin = self.rot_cos[:T], self.rot_sin[:T]
            q, k = _rotate(q, cos, sin), _rotate(k, cos, sin)
        if keep:
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
            mask = torch.ones(T, T, dtype=torch.bool, device=h.device).tril()
            weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
            mixed = weights @ v
        else:
            weights = None
            mixed = F.scaled_dot_product_attention(q.reshape(M * B, H, T, dh), k.reshape(M * B, H, T, dh),
                                                   v.reshape(M * B, H, T, dh), is_causal=True).view(M, B, H, T, dh)
        mixed = mixed.permute(0, 1, 3, 2, 4).reshape(M, B, T, d)
        return self._dense(mixed, self.out_w[:, i], self.out_b[:, i]), (weights.detach() if keep else None)


def loss_per_member(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over labelled positions, per member: ``logits (M, B, T, C)``, targets ``(B, T)`` or
    ``(M, B, T)`` with :data:`IGNORE` where a position has no label.  Returns ``(M,)``.

    >>> logits = torch.zeros(2, 1, 3, 4); y = torch.tensor([[1, IGNORE, 3]])
    >>> [round(v, 4) for v in loss_per_member(logits, y).tolist()]
    [1.3863, 1.3863]
    """
    M, B, T, C = logits.shape
    y = targets.expand(M, B, T) if targets.dim() == 2 else targets
    losses = F.cross_entropy(logits.reshape(M * B * T, C), y.reshape(-1), ignore_index=IGNORE, reduction="none")
    labelled = (y != IGNORE).reshape(M, -1).to(logits.dtype)
    return (losses.view(M, -1) * labelled).sum(1) / labelled.sum(1).clamp_min(1)


def correct_per_position(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``(M, B, T)`` bool: the arg-max class equals the target (False where the target is :data:`IGNORE`)."""
    y = targets.expand(logits.shape[:3]) if targets.dim() == 2 else targets
    return (logits.argmax(-1) == y) & (y != IGNORE)
