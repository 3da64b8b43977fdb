"""The fused CPU kernel against plain torch: same outputs and gradients, thread-count independent, safe fallbacks."""

from __future__ import annotations


import pytest
import torch

from tbounds.empirical import fused
from tbounds.empirical.ensemble import Criterion, train
from tbounds.empirical.memorization.models import Transformer

from .fresh_python import check_fallbacks

pytestmark = pytest.mark.skipif(not fused.available(), reason=f"no fused kernel here: {fused.status()}")


def _perturbed(model, members, seed):
    g = torch.Generator().manual_seed(seed)
    flat = model.init(list(range(members)))
    return flat + 0.3 * torch.randn(flat.shape, generator=g)


def _outputs_and_grads(model, flat, X, y, use_fused):
    f = flat.clone().requires_grad_(True)
    out = model.forward(f, X, fused=use_fused)
    ((out - y) ** 2).mean(dim=1).sum().backward()
    return out.detach(), f.grad


@pytest.mark.parametrize("blocks,N,n,d,q", [(0, 5, 3, 4, 8), (1, 4, 5, 3, 8), (3, 7, 17, 6, 8), (4, 33, 40, 6, 8),
                                              (2, 3, 1, 16, 8), (5, 200, 3, 6, 8), (2, 20, 9, 6, 64), (1, 17, 16, 2, 3)])
def test_fused_forward_and_gradients_match_plain_torch(blocks, N, n, d, q):
    model = Transformer(d=d, q=q, blocks=blocks)
    flat = _perturbed(model, 3, seed=blocks + N)
    g = torch.Generator().manual_seed(N)
    X = torch.rand(N, n, d, generator=g)
    y = torch.randint(0, 2, (N,), generator=g).float() * 2 - 1
    assert model.uses_fused(flat, X)
    out_f, grad_f = _outputs_and_grads(model, flat, X, y, True)
    out_t, grad_t = _outputs_and_grads(model, flat, X, y, False)
    assert torch.allclose(out_f, out_t, rtol=1e-5, atol=1e-5)
    assert torch.allclose(grad_f, grad_t, rtol=1e-4, atol=1e-5 * float(grad_t.abs().max()))


def test_fused_results_do_not_depend_on_the_number_of_threads():
    model = Transformer(d=6, blocks=3)
    flat = _perturbed(model, 4, seed=1)
    X = torch.rand(300, 70, 6, generator=torch.Generator().manual_seed(2))
    y = torch.ones(300)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = _outputs_and_grads(model, flat, X, y, True)
        torch.set_num_threads(2)
        two = _outputs_and_grads(model, flat, X, y, True)
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one[0], two[0]) and torch.equal(one[1], two[1])


def test_size_masked_training_keeps_masked_blocks_zero_under_the_kernel():
    model = Transformer(d=6, blocks=3)
    X = torch.rand(20, 6, 6, generator=torch.Generator().manual_seed(0))
    y = torch.sign(torch.randn(20, generator=torch.Generator().manual_seed(1)))
    mask = model.size_mask([1, 3])
    res = train(model, model.init([0, 1]), X, y, steps=30, lr=0.05, criterion=Criterion("none"), mask=mask)
    assert torch.equal(res.flat * (1 - mask), torch.zeros_like(res.flat))


def test_models_the_kernel_does_not_cover_use_plain_torch():
    X = torch.rand(4, 3, 6)
    flat = Transformer(d=6, blocks=1).init([0])
    assert not Transformer(d=6, blocks=1, attention="softmax").uses_fused(flat, X)     # softmax attention
    assert not Transformer(d=6, blocks=1, output="all").uses_fused(flat, X)            # seq2seq
    assert not Transformer(d=6, blocks=1).uses_fused(flat.double(), X.double())        # float64 re-checks
    assert not Transformer(d=6, blocks=1).uses_fused(flat, X.expand(1, 4, 3, 6))       # per-member data
    wide = Transformer(d=6, q=fused.MAX_HIDDEN + 1, blocks=1)
    assert not wide.uses_fused(wide.init([0]), X)


def test_switching_the_kernel_off_or_a_broken_compiler_falls_back_with_a_reason(tmp_path):
    code = "from tbounds.empirical import fused; print(fused.available(), '|', fused.status())"
    check_fallbacks(code, tmp_path, "TBOUNDS_FUSED", "False |")
