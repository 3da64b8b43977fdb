"""Save and load heads safely, and read the matrices the bounds need from a checkpoint.

Loading always uses ``torch.load(..., weights_only=True)``: a checkpoint is a
plain dict of tensors, strings and numbers, never pickled code.  Two layouts
are understood:

* ours: ``{"format": "tbounds.lowrank/1", "spec": {...}, "params": {...}}`` as written
  by :func:`save` (one member, or the first of a batch);
* a ``torch.nn.MultiheadAttention`` state dict (``in_proj_weight``, ``out_proj.weight``;
  or the separate ``q_proj_weight``/``k_proj_weight``/``v_proj_weight``), also under an
  optional prefix such as ``attn.``.  Each head ``h`` gives ``W_QK = W_Q,h W_K,h^T / sqrt(d_h)``
  (PyTorch scales scores by ``1/sqrt(d_h)``) and the value map into the output
  ``W_V = W_V,h W_O,h^T``; there is no readout vector, so ``‖w‖_2`` is an input, and
  the state dict does not record the number of heads, so that is an input too.

A missing or corrupt file or a wrong shape is a one-line :class:`CheckpointError`.

>>> import torch, tempfile, os
>>> mha = torch.nn.MultiheadAttention(8, 2)
>>> path = os.path.join(tempfile.mkdtemp(), "mha.pt")
>>> torch.save(mha.state_dict(), path)
>>> heads = load_heads(path, num_heads=2)  # the state dict does not record the number of heads
>>> [(h.name, tuple(h.WQK.shape), tuple(h.WV.shape), h.w is None) for h in heads]
[('head 0', (8, 8), (8, 8), True), ('head 1', (8, 8), (8, 8), True)]
>>> load_heads(os.path.join(tempfile.mkdtemp(), "nothing.pt"))
Traceback (most recent call last):
...
tbounds.empirical.generalization.checkpoint.CheckpointError: checkpoint ...nothing.pt does not exist
"""

from __future__ import annotations

import math
import pickle
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import torch

from ..errors import ConfigError

from .models import HeadSpec, qk_matrix

FORMAT = "tbounds.lowrank/1"


class CheckpointError(ConfigError):
    """A checkpoint that cannot be read or does not hold a head."""


@dataclass
class Head:
    """The matrices of one head as the bounds see them (score ``x_τ^T W_QK x_t``, output ``w^T σ(W_V^T h)``)."""

    name: str
    WQK: torch.Tensor
    WV: torch.Tensor
    w: Optional[torch.Tensor]
    activation: str = "identity"
    note: str = ""


def save(path, spec: HeadSpec, params: dict, member: int = 0) -> Path:
    """Write member ``member`` of a batch of heads as a plain, pickle-free-loadable dict."""
    keep = {k: v[member].detach().cpu().clone() for k, v in params.items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "spec": asdict(spec), "params": keep}, path)
    return path


def _read(path) -> dict:
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} does not exist")
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a directory; give a .pt file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckpointError(f"cannot read checkpoint {path} safely (weights only): {first[:200]}") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint {path} holds a {type(state).__name__}, not a dict of tensors")
    _string_keys(path, state, "the checkpoint")
    return state


def _string_keys(path, mapping: dict, what: str) -> None:
    bad = [k for k in mapping if not isinstance(k, str)]
    if bad:
        raise CheckpointError(f"checkpoint {path}: the keys of {what} must be strings (got {bad[0]!r})")


def _tensor(path, name: str, value, dims: Optional[int] = None) -> torch.Tensor:
    """``value`` as a float64 tensor, or a one-line error: not a tensor, wrong rank, empty, or not finite."""
    if not torch.is_tensor(value):
        raise CheckpointError(f"checkpoint {path}: {name} must be a tensor (got {type(value).__name__})")
    if dims is not None and value.dim() != dims:
        raise CheckpointError(f"checkpoint {path}: {name} must be a {dims}-D tensor (got shape {tuple(value.shape)})")
    if value.numel() == 0:
        raise CheckpointError(f"checkpoint {path}: {name} is empty (shape {tuple(value.shape)})")
    if value.is_complex() or value.dtype == torch.bool:
        raise CheckpointError(f"checkpoint {path}: {name} must hold real numbers (got {value.dtype})")
    value = value.double()
    if not bool(torch.isfinite(value).all()):
        raise CheckpointError(f"checkpoint {path}: {name} has non-finite entries")
    return value


def load_heads(path, num_heads: Optional[int] = None) -> list[Head]:
    """Every head in the checkpoint (ours: one; MultiheadAttention: ``num_heads`` of them, default 1)."""
    state = _read(path)
    if isinstance(state.get("format"), str) and state["format"] == FORMAT:
        return [_ours(path, state)]
    return _multihead(path, state, num_heads)


def _ours(path, state) -> Head:
    for part in ("spec", "params"):
        if not isinstance(state.get(part), dict):
            raise CheckpointError(f"checkpoint {path} is a malformed tbounds head: '{part}' must be a dict "
                                  f"(got {type(state.get(part)).__name__})")
        _string_keys(path, state[part], f"'{part}'")
    try:
        spec = HeadSpec(**state["spec"])
        # float64: exact rank
        params = {k: _tensor(path, f"params[{k!r}]", v).unsqueeze(0) for k, v in state["params"].items()}
        WQK = qk_matrix(spec, params)[0]
        WV, w = params["WV"][0], params["w"][0]
    except CheckpointError:
        raise
    except (KeyError, TypeError, RuntimeError, IndexError, ValueError, AttributeError, ZeroDivisionError) as error:
        raise CheckpointError(f"checkpoint {path} is a malformed tbounds head: {error}") from None
    if WQK.shape != (spec.d, spec.d) or WV.shape[0] != spec.d or w.shape != (WV.shape[1],):
        raise CheckpointError(f"checkpoint {path}: shapes do not match the spec (W_QK {tuple(WQK.shape)}, "
                              f"W_V {tuple(WV.shape)}, w {tuple(w.shape)}, d={spec.d})")
    return Head("head", WQK.double(), WV.double(), w.double(), spec.activation)


def _find(state, name):
    hits = [k for k in state if k == name or k.endswith("." + name)]
    return state[hits[0]] if hits else None


def _multihead(path, state, num_heads: Optional[int]) -> list[Head]:
    in_proj = _find(state, "in_proj_weight")
    out = _find(state, "out_proj.weight")
    if in_proj is not None:
        in_proj = _tensor(path, "in_proj_weight", in_proj, dims=2)
        if in_proj.shape[0] % 3:
            raise CheckpointError(f"checkpoint {path}: in_proj_weight has shape {tuple(in_proj.shape)}, "
                                  "expected (3E, E)")
        Wq, Wk, Wv = in_proj.double().chunk(3)
    else:
        parts = [_find(state, f"{x}_proj_weight") for x in "qkv"]
        if any(p is None for p in parts):
            raise CheckpointError(f"checkpoint {path} is neither a tbounds head nor an nn.MultiheadAttention state "
                                  "dict (no in_proj_weight or q/k/v_proj_weight)")
        Wq, Wk, Wv = (_tensor(path, f"{x}_proj_weight", p, dims=2) for x, p in zip("qkv", parts))
    if out is None:
        raise CheckpointError(f"checkpoint {path}: no out_proj.weight (an nn.MultiheadAttention state dict has one)")
    out = _tensor(path, "out_proj.weight", out, dims=2)
    E = Wq.shape[0]
    if Wk.shape[0] != E or Wv.shape[0] != E or out.shape != (E, E):
        raise CheckpointError(f"checkpoint {path}: projection shapes {tuple(Wq.shape)}, {tuple(Wk.shape)}, "
                              f"{tuple(Wv.shape)}, out {tuple(out.shape)} do not fit one embedding size")
    biases = [k for k in state if k.endswith(("in_proj_bias", "out_proj.bias", "bias_k", "bias_v"))
              and torch.is_tensor(state[k]) and bool(state[k].abs().max() > 0)]
    note = f"ignored non-zero biases ({', '.join(sorted(biases))}): the bounds' head has none" if biases else ""
    heads = _heads_count(state, E, num_heads)
    dh = E // heads
    result = []
    for h in range(heads):
        rows = slice(h * dh, (h + 1) * dh)
        WQK = Wq[rows].T @ Wk[rows] / math.sqrt(dh)  # score x_q^T W_Q,h W_K,h^T x_k / sqrt(d_h)
        WV = Wv[rows].T @ out.double()[:, rows].T  # value map of head h into the output space
        result.append(Head(f"head {h}", WQK, WV, None, "identity", note))
    return result


def _heads_count(state, E: int, num_heads: Optional[int]) -> int:
    # nn.MultiheadAttention does not store num_heads in its state dict: the caller says it (or a
    # 'num_heads' entry saved beside the weights does); the default is one head
    value = num_heads if num_heads is not None else state.get("num_heads", 1)
    try:
        heads = int(value)
    except (TypeError, ValueError):
        raise CheckpointError(f"num_heads must be an integer (got {value!r})") from None
    if heads < 1 or E % heads:
        raise CheckpointError(f"num_heads={heads} does not divide the embedding size {E}")
    return heads
