"""The depth family's shared model and training loop: shapes, member independence, variants, per-position loss."""

import numpy as np
import pytest
import torch

from tbounds.empirical.depth.models import IGNORE, DepthTransformer, ModelSpec, correct_per_position, loss_per_member
from tbounds.empirical.depth.train import EvalSet, Phase, train
from tbounds.empirical.errors import ConfigError


def _x(B=3, T=9, V=7, seed=0):
    return torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("positional", ["none", "learned", "sinusoidal", "rotary"])
@pytest.mark.parametrize("looped", [False, True])
def test_every_variant_runs_and_counts_its_parameters(positional, looped):
    spec = ModelSpec(vocab=7, classes=4, layers=3, width=16, heads=4, max_len=12, positional=positional, looped=looped)
    model = DepthTransformer(spec, [0, 1])
    logits, maps = model(_x(), attention=True)
    assert logits.shape == (2, 3, 9, 4) and len(maps) == 3 and maps[0].shape == (2, 3, 4, 9, 9)
    assert spec.param_count() == sum(p[0].numel() for p in model.parameters())
    # the fused kernel and the explicit softmax agree
    assert torch.allclose(model(_x()), logits, atol=1e-5)


def test_members_are_independent_of_their_batch_mates():
    spec = ModelSpec(vocab=7, classes=4, layers=2, width=16, heads=2, max_len=12)
    both = DepthTransformer(spec, [3, 4])
    alone = DepthTransformer(spec, [4])
    assert torch.allclose(both(_x())[1], alone(_x())[0], atol=1e-5)
    per_member = torch.stack([_x(seed=1), _x(seed=2)])
    assert torch.allclose(both(per_member)[0], both(_x(seed=1))[0], atol=1e-5)


def test_attention_is_causal():
    spec = ModelSpec(vocab=7, classes=4, layers=2, width=16, heads=2, max_len=12, positional="rotary")
    model = DepthTransformer(spec, [0])
    x = _x()
    y = x.clone()
    y[:, -1] = (y[:, -1] + 1) % 7
    assert torch.allclose(model(x)[:, :, :-1], model(y)[:, :, :-1], atol=1e-6)
    _, maps = model(x, attention=True)
    assert float(maps[0].triu(1).abs().max()) == 0.0


def test_looped_model_shares_one_block():
    spec = ModelSpec(vocab=7, classes=4, layers=4, width=16, heads=2, looped=True)
    model = DepthTransformer(spec, [0])
    assert model.qkv_w.shape[1] == 1


def test_loss_and_accuracy_skip_ignored_positions():
    logits = torch.zeros(1, 1, 3, 2)
    logits[0, 0, :, 1] = 5.0
    y = torch.tensor([[1, IGNORE, 0]])
    assert correct_per_position(logits, y).tolist() == [[[True, False, False]]]
    full = loss_per_member(logits, torch.tensor([[1, 1, 0]]))
    part = loss_per_member(logits, y)
    assert part.item() == pytest.approx((full.item() * 3 - loss_per_member(logits[:, :, 1:2], torch.tensor([[1]])).item())
                                        / 2, rel=1e-5)


def test_bad_shapes_are_one_line_errors():
    with pytest.raises(ConfigError, match="multiple of heads"):
        ModelSpec(vocab=7, classes=4, width=10, heads=3)
    with pytest.raises(ConfigError, match="positional"):
        ModelSpec(vocab=7, classes=4, positional="alibi")
    model = DepthTransformer(ModelSpec(vocab=7, classes=4, max_len=4), [0])
    with pytest.raises(ConfigError, match="max_len"):
        model(_x(T=6))


def test_training_in_phases_logs_accuracy_per_group_and_per_member_learning_rates():
    def copy(rng, batch):
        x = rng.integers(0, 4, size=(batch, 5))
        return x, x

    x, y = copy(np.random.default_rng(1), 32)
    groups = np.tile(np.arange(5), (32, 1))
    ev = EvalSet.make(x, y, groups=groups)
    model = DepthTransformer(ModelSpec(vocab=4, classes=4, layers=1, width=16, heads=2, max_len=5), [0, 1])
    log = train(model, [Phase(copy, 30), Phase(copy, 30)], lrs=[1e-2, 0.0], evaluation=ev, eval_every=20)
    assert [c.step for c in log.checkpoints] == [20, 40, 60]
    assert set(log.checkpoints[-1].by_group) == {"0", "1", "2", "3", "4"}
    # member 1 has learning rate 0: its accuracy never moves; member 0 learns
    assert len({c.accuracy[1] for c in log.checkpoints}) == 1
    assert log.checkpoints[-1].accuracy[0] > log.checkpoints[-1].accuracy[1]
