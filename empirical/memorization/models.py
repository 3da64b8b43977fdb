"""Models of the memorization paper, written for a leading model axis ``M``.

Each model is a frozen spec with an exact parameter count, an ``init`` that draws the
parameters of ``M`` members into one flat ``(M, P)`` tensor (one generator per member
seed, so a member's weights do not depend on who it is batched with), and a
``forward(flat, X)`` that runs all members at once with batched matmuls on views of
that tensor (no copies: ``flat[:, a:b].view(M, out, in)``).

- :class:`Transformer` -- ``E_out ∘ FFN-stack ∘ attention ∘ FFN-stack ∘ E_in`` (eq. 165 of
  arXiv 2409.17677): token-wise residual ReLU blocks ``h + W2 relu(W1 h + b1) + b2``,
  one single-head attention layer with ``uniform``, ``softmax`` or ``hardmax`` weights
  (no 1/sqrt(s) scaling, no LayerNorm), no positional encoding unless asked for.
  ``blocks`` is the number of FFN blocks in *each* stack.  ``output="last"`` reads the
  n-th token (next-token), ``"all"`` every token (sequence-to-sequence).
- :class:`FlatMLP` -- the baseline: the flattened sequence ``R^(dn)`` through ``E_in``,
  ``blocks`` residual blocks, ``E_out``; its first layer alone has ``d n m`` weights.

Parameter counts (every weight and bias): ``E_in`` d*m (no bias), each block
2mq + q + m, uniform attention W^V, W^O (2ms), softmax/hardmax also W^Q, W^K (4ms),
``E_out`` m + 1.  At m = 2, q = 8 a block has 42 parameters, as in the paper.

>>> t = Transformer(d=6, m=2, q=8, blocks=4)
>>> t.param_count() == 6*2 + 2*4*42 + 2*2*2 + 3
True
>>> import torch
>>> flat = t.init([0, 1, 2])
>>> tuple(flat.shape) == (3, t.param_count())
True
>>> tuple(t.forward(flat, torch.rand(5, 7, 6)).shape)
(3, 5)
>>> FlatMLP(d=6, n=7, m=2, q=8, blocks=2).param_count() == 6*7*2 + 2*42 + 3
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import torch

from ..errors import ConfigError
from ..seeds import generator

ATTENTIONS = ("uniform", "softmax", "hardmax")
OUTPUTS = ("last", "all")


class Layout:
    """Named tensors packed in one flat vector per member; :meth:`views` unpacks ``(M, P)``.

    >>> lay = Layout([("W", (2, 3)), ("b", (2,))])
    >>> lay.size, lay.offsets["b"]
    (8, 6)
    """

    def __init__(self, entries: Sequence[tuple[str, tuple[int, ...], ]]):
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.offsets: dict[str, int] = {}
        size = 0
        for name, shape in entries:
            self.shapes[name] = tuple(shape)
            self.offsets[name] = size
            size += math.prod(shape)
        self.size = size

    def views(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        M = flat.shape[0]
        return {name: flat[:, o:o + math.prod(s)].view(M, *s) for (name, s), o in
                zip(self.shapes.items(), self.offsets.values())}

    def fan_in(self, name: str) -> int:
        """Fan-in for the default init: a matrix's last dimension, a bias's matching weight."""
        shape = self.shapes[name]
        return shape[-1] if len(shape) > 1 else 0


def _init(layout: Layout, seeds: Sequence[int], scales: dict[str, float], device=None, dtype=torch.float32):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) per tensor (torch's default), one generator per member."""
    rows = []
    for seed in seeds:
        g = generator(int(seed))
        parts = []
        for name, shape in layout.shapes.items():
            fan = scales.get(name)
            bound = 1.0 / math.sqrt(fan) if fan else 0.0
            parts.append((torch.rand(math.prod(shape), generator=g, dtype=torch.float64) * 2 - 1) * bound)
        rows.append(torch.cat(parts))
    flat = torch.stack(rows).to(dtype=dtype)
    return flat.to(device) if device is not None else flat


def _linear(H: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """Feature-major ``H (M, in, T) -> (M, out, T)`` with ``W (M, out, in)``, ``b (M, out)``.

    Why feature-major: with tokens on the last (long, contiguous) axis a batched matmul of
    tiny weights ran 5-7x faster on CPU than the tokens-first layout (measured for m = 2).
    """
    if b is None:
        return torch.bmm(W, H)
    return torch.baddbmm(b.unsqueeze(2), W, H)


def _embed(X: torch.Tensor, W: torch.Tensor, shared: bool) -> torch.Tensor:
    """``E_in`` on inputs ``(N, ..., f)`` shared by all members or ``(M, N, ..., f)``: returns ``(M, m, tokens)``."""
    M, m, f = W.shape
    if shared:
        flat = X.reshape(-1, f)                                   # (T, f), shared data: one plain mm
        return (W.reshape(M * m, f) @ flat.T).view(M, m, -1)
    return torch.bmm(W, X.reshape(M, -1, f).transpose(1, 2))


def _ffn_stack(H: torch.Tensor, p: dict, prefix: str, blocks: int) -> torch.Tensor:
    """Residual token-wise blocks on feature-major ``H (M, m, T)``."""
    for i in range(blocks):
        k = f"{prefix}{i}."
        H = H + _linear(torch.relu(_linear(H, p[k + "W1"], p[k + "b1"])), p[k + "W2"], p[k + "b2"])
    return H


def _block_entries(prefix: str, blocks: int, m: int, q: int):
    out = []
    for i in range(blocks):
        k = f"{prefix}{i}."
        out += [(k + "W1", (q, m)), (k + "b1", (q,)), (k + "W2", (m, q)), (k + "b2", (m,))]
    return out


def _block_scales(layout: Layout, blocks_total: int) -> dict[str, float]:
    """Fan-ins for the default init.  A bias ``x.bK`` uses the fan-in of ``x.WK``.  The second
    layer of each block is scaled down by the number of blocks (fan-in times blocks^2) so that
    deep residual stacks start near the identity (why: keeps 2 x 16 blocks trainable)."""
    scales = {}
    for name, shape in layout.shapes.items():
        prefix, _, base = name.rpartition(".")
        if len(shape) > 1:
            fan = shape[-1]
        else:
            partner = (prefix + "." if prefix else "") + "W" + base[1:]
            fan = layout.shapes[partner][-1] if base.startswith("b") and partner in layout.shapes else 1
        if base in ("W2", "b2"):
            fan = fan * max(1, blocks_total) ** 2
        scales[name] = fan
    return scales


class _Model:
    layout: Layout

    def param_count(self) -> int:
        """Exact number of parameters of one member (every weight and bias)."""
        return self.layout.size

    def init(self, seeds: Sequence[int], device=None, dtype=torch.float32) -> torch.Tensor:
        """Flat ``(len(seeds), P)`` parameters, member i drawn from a generator seeded ``seeds[i]``."""
        return _init(self.layout, seeds, self._scales(), device, dtype)

    def flops_per_step(self, N: int, n: int = 8) -> float:
        """Training FLOPs of one member on N sequences: 3 x (2 x multiply-adds of the forward)."""
        return 3.0 * 2.0 * self.macs(N, n)

    def size_mask(self, sizes: Sequence[int], device=None) -> torch.Tensor:
        """``(M, P)`` 0/1 mask that turns this model into smaller ones of the same architecture.

        Member i keeps the blocks with index < ``sizes[i]`` in every stack; the other blocks
        are zero, which makes a residual block the identity, and :func:`tbounds.empirical.ensemble.train`
        keeps them zero (``mask=``).  So sizes of one architecture share one ensemble.
        """
        M = len(sizes)
        mask = torch.ones(M, self.layout.size)
        for name, shape in self.layout.shapes.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[1].isdigit():
                o = self.layout.offsets[name]
                for i, k in enumerate(sizes):
                    if int(parts[1]) >= k:
                        mask[i, o:o + math.prod(shape)] = 0
        return mask if device is None else mask.to(device)

    def transfer(self, flat: torch.Tensor, smaller: "_Model") -> torch.Tensor:
        """The tensors of ``smaller`` (same names) copied out of this model's flat parameters."""
        big = self.layout.views(flat)
        return torch.cat([big[name].reshape(flat.shape[0], -1) for name in smaller.layout.shapes], dim=1)


@dataclass(frozen=True)
class Transformer(_Model):
    """FFN stack, one attention layer, FFN stack (arXiv 2409.17677, eq. 165)."""

    d: int
    m: int = 2
    q: int = 8
    blocks: int = 1
    attention: str = "uniform"
    output: str = "last"
    head: int = 0          # head size s; 0 means s = m
    positional: int = 0    # 0: no positional encoding; n > 0: learned (n, m) encoding for length n

    def __post_init__(self):
        for name in ("d", "m", "q"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"transformer {name} must be a positive integer (got {getattr(self, name)})")
        if self.blocks < 0:
            raise ConfigError(f"number of blocks must be >= 0 (got {self.blocks})")
        if self.attention not in ATTENTIONS:
            raise ConfigError(f"attention must be one of {', '.join(ATTENTIONS)} (got '{self.attention}')")
        if self.output not in OUTPUTS:
            raise ConfigError(f"output must be 'last' (next-token) or 'all' (seq2seq) (got '{self.output}')")
        s = self.s
        entries = [("E_in", (self.m, self.d))]
        if self.positional:
            entries.append(("pos", (self.positional, self.m)))
        entries += _block_entries("ff1.", self.blocks, self.m, self.q)
        if self.attention != "uniform":
            entries += [("Wq", (s, self.m)), ("Wk", (s, self.m))]
        entries += [("Wv", (s, self.m)), ("Wo", (self.m, s))]
        entries += _block_entries("ff2.", self.blocks, self.m, self.q)
        entries += [("E_out", (1, self.m)), ("b_out", (1,))]
        object.__setattr__(self, "layout", Layout(entries))

    @property
    def s(self) -> int:
        return self.head or self.m

    def uses_fused(self, flat: torch.Tensor, X: torch.Tensor) -> bool:
        """Whether :meth:`forward` runs the fused kernel on these tensors (the paper's model on CPU float32)."""
        if self.attention != "uniform" or self.output != "last" or self.positional:
            return False
        from .. import fused as kernel
        return kernel.supports(self, flat, X)

    def _scales(self):
        scales = _block_scales(self.layout, 2 * self.blocks)
        scales["pos"] = 1
        scales["b_out"] = self.m
        return scales

    def forward(self, flat: torch.Tensor, X: torch.Tensor, fused: bool = True) -> torch.Tensor:
        """``X``: ``(N, n, d)`` shared by all members or ``(M, N, n, d)``; returns ``(M, N)`` or ``(M, N, n)``.

        The paper's model (uniform attention, next-token output, no positional encoding) runs its
        token-wise first stack through the fused CPU kernel (:mod:`tbounds.empirical.fused`) when it
        can; ``fused=False`` forces plain torch (the reference the kernel is tested against).
        """
        p = self.layout.views(flat)
        M, m, s = flat.shape[0], self.m, self.s
        N, n = X.shape[-3], X.shape[-2]
        if fused and self.uses_fused(flat, X):
            from .. import fused as kernel
            mean, last = kernel.ffn_pool(flat, X, self)                                       # (M, m, N) each
            mixed = torch.bmm(p["Wv"], mean)                      # uniform attention: W^V of the mean
            Z = last + torch.bmm(p["Wo"], mixed)
            Z = kernel.ffn_stack(flat, Z, self, "ff2.")
            return _linear(Z, p["E_out"], p["b_out"]).view(M, N)
        H = _embed(X, p["E_in"], X.dim() == 3)                                                    # (M, m, N n)
        if self.positional:
            if self.positional != n:
                raise ConfigError(f"positional encoding was built for length {self.positional}, data have n = {n}")
            H = (H.view(M, m, N, n) + p["pos"].transpose(1, 2).unsqueeze(2)).view(M, m, N * n)
        H = _ffn_stack(H, p, "ff1.", self.blocks)
        H4 = H.view(M, m, N, n)
        last = self.output == "last"
        # For next-token only the n-th query is needed (why: FFN2 is token-wise, saves a factor n).
        Q_in = H4[..., -1:] if last else H4                                           # (M, m, N, nq)
        nq = Q_in.shape[-1]
        V = _linear(H, p["Wv"]).view(M, s, N, n)
        if self.attention == "uniform":
            mixed = V.mean(dim=-1, keepdim=True).expand(M, s, N, nq)
        else:
            Qm = _linear(Q_in.reshape(M, m, N * nq), p["Wq"]).view(M, s, N, nq)
            Km = _linear(H, p["Wk"]).view(M, s, N, n)
            scores = torch.matmul(Qm.permute(0, 2, 3, 1), Km.permute(0, 2, 1, 3))     # (M, N, nq, n)
            if self.attention == "softmax":
                weights = torch.softmax(scores, dim=-1)
            else:  # hardmax: ties share the mass equally (sigma_H of the paper)
                top = scores == scores.amax(dim=-1, keepdim=True)
                weights = top.to(scores.dtype) / top.sum(dim=-1, keepdim=True)
            mixed = torch.matmul(weights, V.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # (M, s, N, nq)
        Z = Q_in + _linear(mixed.reshape(M, s, N * nq), p["Wo"]).view(M, m, N, nq)
        Z = _ffn_stack(Z.reshape(M, m, N * nq), p, "ff2.", self.blocks)
        out = _linear(Z, p["E_out"], p["b_out"]).view(M, N, nq)
        return out[:, :, 0] if last else out

    def macs(self, N: int, n: int = 8) -> float:
        block = 2 * self.m * self.q
        tokens2 = N if self.output == "last" else N * n
        attn = N * n * self.s * self.m * (1 if self.attention == "uniform" else 2) + tokens2 * self.s * self.m
        if self.attention != "uniform":
            attn += tokens2 * self.s * (self.m + n * 2)
        return N * n * (self.d * self.m + self.blocks * block) + attn + tokens2 * (self.blocks * block + self.m)


@dataclass(frozen=True)
class FlatMLP(_Model):
    """Flattened-input baseline: R^(dn) -> E_in (dn*m) -> ``blocks`` residual blocks -> E_out."""

    d: int
    n: int
    m: int = 2
    q: int = 8
    blocks: int = 1
    output: str = "last"

    def __post_init__(self):
        for name in ("d", "n", "m", "q"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"MLP {name} must be a positive integer (got {getattr(self, name)})")
        if self.blocks < 0:
            raise ConfigError(f"number of blocks must be >= 0 (got {self.blocks})")
        if self.output != "last":
            raise ConfigError("the flattened MLP baseline predicts one label per sequence (output='last')")
        entries = [("E_in", (self.m, self.d * self.n))] + _block_entries("ff.", self.blocks, self.m, self.q)
        entries += [("E_out", (1, self.m)), ("b_out", (1,))]
        object.__setattr__(self, "layout", Layout(entries))

    def _scales(self):
        scales = _block_scales(self.layout, self.blocks)
        scales["b_out"] = self.m
        return scales

    def forward(self, flat: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """``X``: ``(N, n, d)`` shared or ``(M, N, n, d)``; returns ``(M, N)``."""
        p = self.layout.views(flat)
        M, N = flat.shape[0], X.shape[-3]
        Xf = X.reshape(N, -1) if X.dim() == 3 else X.reshape(M, N, -1)
        H = _ffn_stack(_embed(Xf, p["E_in"], X.dim() == 3), p, "ff.", self.blocks)
        return _linear(H, p["E_out"], p["b_out"]).view(M, N)

    def macs(self, N: int, n: int = 0) -> float:
        return N * (self.d * self.n * self.m + self.blocks * 2 * self.m * self.q + self.m)
