"""The fused CPU kernel for the token-wise stack of the memorization transformer, as one autograd op.

:func:`ffn_pool` computes, for ``M`` members at once, ``E_in`` and the first stack of residual
ReLU blocks on every token, and returns per sequence the mean of the last hidden state over the
tokens and the last token's hidden state: all that uniform attention with next-token output
needs (:class:`tbounds.empirical.memorization.models.Transformer` calls it).  :func:`ffn_stack`
runs the second stack on those per-sequence vectors.  Its backward pass
recomputes the forward in L1-sized groups of 64 tokens instead of storing activations.

The C source (``kernels/ffn_pool.c``) is compiled once per machine with the system C compiler
(``cc -O3 -march=native -fopenmp``) into the cache's ``kernels/`` folder (:mod:`tbounds.bounds.native`).
Without a compiler, or with ``TBOUNDS_FUSED=0``, :func:`available` is False and callers use plain torch;
:func:`status` says why.

>>> import torch
>>> from tbounds.empirical.memorization.models import Transformer
>>> t = Transformer(d=3, blocks=2)
>>> flat, X = t.init([0, 1]), torch.rand(4, 5, 3)
>>> if available():
...     mean, last = ffn_pool(flat, X, t)
...     ref = t.forward(flat, X, fused=False)
...     assert torch.allclose(t.forward(flat, X), ref, atol=1e-5)
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Optional

import torch

from tbounds.bounds import native

_SOURCE = Path(__file__).with_name("kernels") / "ffn_pool.c"
_FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=c11"]
MAX_HIDDEN = 64          # the widest FFN tests/test_fused.py checks against torch; wider models use torch
CHUNK_TOKENS = 16384     # tokens per task (whole sequences); depends only on (N, n): deterministic


def _declare(lib: ctypes.CDLL) -> None:
    i64, ptr = ctypes.c_int64, ctypes.c_void_p
    lib.ffn_pool_forward.argtypes = [ptr, ptr, ptr, ptr] + [i64] * 11 + [ctypes.c_int]
    lib.ffn_pool_backward.argtypes = [ptr, ptr, ptr, ptr, ptr] + [i64] * 11 + [ctypes.c_int]
    lib.ffn_stack_forward.argtypes = [ptr, ptr, ptr] + [i64] * 7 + [ctypes.c_int]
    lib.ffn_stack_backward.argtypes = [ptr, ptr, ptr, ptr, ptr] + [i64] * 7 + [ctypes.c_int]
    for f in (lib.ffn_pool_forward, lib.ffn_pool_backward, lib.ffn_stack_forward, lib.ffn_stack_backward):
        f.restype = ctypes.c_int


KERNEL = native.Kernel("the fused kernel", _SOURCE, _FLAGS, "TBOUNDS_FUSED", _declare)


def _lib() -> Optional[ctypes.CDLL]:
    return KERNEL.lib()


def available() -> bool:
    """True when the compiled kernel can be used on this machine."""
    return _lib() is not None


def status() -> str:
    """One line: the kernel in use, or why plain torch is used instead."""
    return "fused CPU kernel" if available() else KERNEL.reason or "plain torch"


def supports(model, flat: torch.Tensor, X: torch.Tensor) -> bool:
    """Whether :func:`ffn_pool` can run this forward: float32 CPU tensors, inputs shared by all members."""
    return (flat.device.type == "cpu" and X.device.type == "cpu" and flat.dtype == torch.float32
            and X.dtype == torch.float32 and X.dim() == 3 and getattr(model, "q", MAX_HIDDEN + 1) <= MAX_HIDDEN
            and available())


def _spec(model, X: torch.Tensor):
    N, n, d = X.shape
    lay = model.layout
    off_ff1 = lay.offsets["ff1.0.W1"] if model.blocks else lay.offsets["E_in"]
    chunk = max(1, min(-(-CHUNK_TOKENS // n), -(-N // 4)))
    return N, n, d, model.m, model.q, model.blocks, lay.size, lay.offsets["E_in"], off_ff1, chunk


class _FFNPool(torch.autograd.Function):
    @staticmethod
    def forward(ctx, flat, X, spec):
        flat_c, X_c = flat.detach().contiguous(), X.detach().contiguous()
        M = flat_c.shape[0]
        N, m = spec[0], spec[3]
        mean = torch.empty(M, m, N)
        last = torch.empty(M, m, N)
        _check(_lib().ffn_pool_forward(flat_c.data_ptr(), X_c.data_ptr(), mean.data_ptr(), last.data_ptr(), M, *spec,
                                       torch.get_num_threads()))
        ctx.save_for_backward(flat_c, X_c)
        ctx.spec = spec
        return mean, last

    @staticmethod
    def backward(ctx, gmean, glast):
        flat, X = ctx.saved_tensors
        M, m, N = flat.shape[0], ctx.spec[3], ctx.spec[0]
        gmean = torch.zeros(M, m, N) if gmean is None else gmean.contiguous()
        glast = torch.zeros(M, m, N) if glast is None else glast.contiguous()
        grad = torch.zeros_like(flat)
        _check(_lib().ffn_pool_backward(flat.data_ptr(), X.data_ptr(), gmean.data_ptr(), glast.data_ptr(),
                                        grad.data_ptr(), M, *ctx.spec, torch.get_num_threads()))
        return grad, None, None


def _check(rc: int) -> None:
    if rc:
        raise MemoryError("the fused kernel could not allocate its scratch memory")


class _FFNStack(torch.autograd.Function):
    """Residual blocks on one vector per sequence: ``Z (M, m, N)`` to ``(M, m, N)``."""

    @staticmethod
    def forward(ctx, flat, Z, spec):
        flat_c, Z_c = flat.detach().contiguous(), Z.detach().contiguous()
        out = torch.empty_like(Z_c)
        _check(_lib().ffn_stack_forward(flat_c.data_ptr(), Z_c.data_ptr(), out.data_ptr(), flat_c.shape[0], *spec,
                                        torch.get_num_threads()))
        ctx.save_for_backward(flat_c, Z_c)
        ctx.spec = spec
        return out

    @staticmethod
    def backward(ctx, gout):
        flat, Z = ctx.saved_tensors
        grad, gZ = torch.zeros_like(flat), torch.empty_like(Z)
        _check(_lib().ffn_stack_backward(flat.data_ptr(), Z.data_ptr(), gout.contiguous().data_ptr(), gZ.data_ptr(),
                                         grad.data_ptr(), flat.shape[0], *ctx.spec, torch.get_num_threads()))
        return grad, gZ, None


def ffn_stack(flat: torch.Tensor, Z: torch.Tensor, model, prefix: str = "ff2.") -> torch.Tensor:
    """The residual blocks named ``prefix`` applied to ``Z (M, m, N)``, one vector per sequence."""
    lay = model.layout
    N = Z.shape[-1]
    off = lay.offsets[f"{prefix}0.W1"] if model.blocks else 0
    return _FFNStack.apply(flat, Z, (N, model.m, model.q, model.blocks, lay.size, off))


def ffn_pool(flat: torch.Tensor, X: torch.Tensor, model) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean, last)``, each ``(M, m, N)``: the first stack's output averaged over each sequence and at its last token."""
    return _FFNPool.apply(flat, X, _spec(model, X))
