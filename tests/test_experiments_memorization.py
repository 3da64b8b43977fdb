"""Empirical engine at tiny scale: the relations the theory predicts, the store, bad input."""

from __future__ import annotations

import math

import pytest
import torch

from tbounds.empirical.memorization.construction import lemma_b1, lemma_b2, random_multisets
from tbounds.empirical.ensemble import Criterion, evaluate, train
from tbounds.empirical.errors import ConfigError, DataError, DeviceError
from tbounds.empirical.experiment import Context
from tbounds.empirical import runner
from tbounds.empirical.memorization import FAMILY, profiles, units as mem
from tbounds.empirical.memorization.measure import conflicts, separation
from tbounds.empirical.memorization.models import ATTENTIONS, FlatMLP, Transformer
from tbounds.empirical.search import minimal_size, try_size
from tbounds.empirical.store import Store
from tbounds.empirical.memorization.tasks import inconsistent, random_tokens, text_windows, with_labels

torch.set_num_threads(1)


# ------------------------------------------------------------------------------ models
@pytest.mark.parametrize("attention", ATTENTIONS)
def test_permuting_first_tokens_leaves_next_token_output_unchanged(attention):
    g = torch.Generator().manual_seed(1)
    X = torch.rand(7, 6, 5, generator=g, dtype=torch.float64)
    model = Transformer(d=5, m=3, q=6, blocks=2, attention=attention)
    flat = model.init([0, 1]).double()
    perm = torch.cat([torch.randperm(5, generator=g), torch.tensor([5])])
    assert torch.allclose(model.forward(flat, X), model.forward(flat, X[:, perm]), atol=1e-12)
    every = Transformer(d=5, m=3, q=6, blocks=2, attention=attention, output="all")
    full = torch.randperm(6, generator=g)
    assert torch.allclose(every.forward(flat, X)[:, :, full], every.forward(flat, X[:, full]), atol=1e-12)


def test_positional_encoding_breaks_permutation_invariance():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(4, 5, 3, generator=g, dtype=torch.float64)
    model = Transformer(d=3, blocks=1, positional=5)
    flat = model.init([0]).double()
    perm = torch.tensor([1, 0, 2, 3, 4])
    assert (model.forward(flat, X) - model.forward(flat, X[:, perm])).abs().max() > 1e-6


def test_parameter_counts_are_exact():
    t = Transformer(d=6, m=2, q=8, blocks=3, attention="softmax")
    by_formula = 6 * 2 + 2 * 3 * (2 * 2 * 8 + 8 + 2) + 4 * 2 * 2 + 2 + 1
    assert t.param_count() == by_formula == sum(math.prod(s) for s in t.layout.shapes.values())
    assert FlatMLP(d=6, n=8, m=2, q=8, blocks=0).param_count() == 6 * 8 * 2 + 3


def test_members_are_independent_of_their_batch():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(10, 4, 3, generator=g)
    y = torch.sign(torch.randn(10, generator=g))
    model = Transformer(d=3, m=2, q=8, blocks=1)
    together = train(model, model.init([5, 6, 7]), X, y, steps=40, lr=[0.01, 0.03, 0.1], criterion=Criterion("none"))
    alone = train(model, model.init([6]), X, y, steps=40, lr=0.03, criterion=Criterion("none"))
    assert torch.allclose(together.flat[1], alone.flat[0], atol=1e-5)


def test_members_freeze_when_they_meet_the_criterion():
    ds = random_tokens(N=6, n=3, d=4, seed=0)
    model = Transformer(d=4, m=2, q=8, blocks=1)
    res = train(model, model.init(range(4)), ds.X, ds.y, steps=400, lr=0.05, criterion=Criterion("sign"))
    assert res.met.any()
    loss, acc = evaluate(model, res.flat, ds.X, ds.y)
    assert bool((acc[res.met] == 1).all())  # frozen at weights that meet the criterion


# ------------------------------------------------------------------------------ capacity search
def test_minimal_model_memorizes_and_one_block_fewer_does_not():
    ds = random_tokens(N=24, n=3, d=2, seed=0)
    crit = Criterion("sign")
    kwargs = dict(restarts=2, lrs=(0.05,), steps=400, criterion=crit, seed=0)
    make = lambda k: Transformer(d=2, m=2, q=8, blocks=k)  # noqa: E731
    res = minimal_size(make, ds.X, ds.y, max_size=8, **kwargs)
    assert res.found and res.size >= 1
    loss, acc = evaluate(make(res.size), res.winner_flat, ds.X, ds.y, float64=True)
    assert bool(crit.met(loss, acc)[0])
    fewer, _ = try_size(make, res.size - 1, ds.X, ds.y, **kwargs)  # same seeds as inside the search
    assert not fewer.success


def test_inconsistent_labels_cannot_be_memorized():
    res = mem.run_structure(mem.StructureUnit("inconsistent", N=8, n=4, d=3, blocks=2, steps=300), Context())
    assert res["best_mse_inconsistent"] >= res["mse_floor"] * (1 - 1e-6)
    assert res["best_accuracy_inconsistent"] < 1 and res["consistent_memorized"] and res["holds"]


def test_structure_permutation_unit_holds():
    res = mem.run_structure(mem.StructureUnit("permutation", N=5, n=4, d=3, blocks=1), Context())
    assert res["holds"] and res["max_abs_diff"] <= 1e-9


# ------------------------------------------------------------------------------ data and measurement
def test_separation_of_a_known_dataset():
    X = torch.tensor([[[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 0.5]]])
    s = separation(X)
    assert s == {"r": 5.0, "delta": 0.5, "distinct_tokens": 3}


def test_vocabulary_data_have_consistent_labels_and_inconsistency_is_detected():
    ds = random_tokens(N=200, n=3, d=2, seed=1, vocab=4)  # many repeats and permutations
    assert conflicts(ds) == 0 and conflicts(with_labels(ds, "seq2seq", 2)) == 0
    assert conflicts(inconsistent(ds)) >= 1


def test_text_windows_from_the_builtin_corpus_are_distinct_and_seeded():
    a = text_windows(N=30, n=6, d=8, seed=3)
    b = text_windows(N=30, n=6, d=8, seed=3)
    assert a.X.equal(b.X) and conflicts(a) == 0
    keys = {(tuple(sorted(r)), r[-1]) for r in a.ids.tolist()}
    assert len(keys) == 30


def test_missing_corpus_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="corpus file not found"):
        text_windows(N=3, n=2, path=str(tmp_path / "nope.txt"))


def test_impossible_configs_raise_one_line_errors():
    for bad in (lambda: Transformer(d=0), lambda: Transformer(d=2, attention="linear"),
                lambda: random_tokens(N=0, n=2), lambda: mem.CapacityUnit(N=4, n=2, model="mlp", labels="seq2seq"),
                lambda: Criterion("accuracy")):
        with pytest.raises(ConfigError) as info:
            bad()
        assert "\n" not in str(info.value)


def test_cuda_request_without_cuda_is_a_device_error():
    from tbounds.empirical.device import resolve_device

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceError, match="no CUDA"):
        resolve_device("cuda")


def test_lemmas_b1_b2_hold_on_random_multisets():
    for N, M, S, seed in ((60, 5, 12, 0), (300, 10, 80, 1)):
        ms = random_multisets(N, M, S, seed)
        b1, b2 = lemma_b1(ms), lemma_b2(ms, seed)
        assert b1["A_size"] <= N and b1["distinct_on_A"]
        assert b2["separated"] and b2["bounded"] and b2["f_positive"]


def test_fit_recovers_a_power_law():
    from tbounds.empirical.fit import slope

    f = slope([10, 40, 160, 640], [3 * x ** 0.5 for x in (10, 40, 160, 640)])
    assert abs(f.slope - 0.5) < 1e-9 and f.contains(0.5)


def test_training_is_deterministic_for_a_seed_on_cpu():
    ds = random_tokens(N=10, n=3, d=3, seed=4)
    make = lambda k: Transformer(d=3, m=2, q=8, blocks=k)  # noqa: E731
    kwargs = dict(restarts=2, lrs=(0.03, 0.1), steps=60, criterion=Criterion("sign"), seed=7)
    a, fa = try_size(make, 1, ds.X, ds.y, **kwargs)
    b, fb = try_size(make, 1, ds.X, ds.y, **kwargs)
    assert vars(a) == vars(b)
    assert (fa is None and fb is None) or torch.equal(fa, fb)


@pytest.mark.slow
def test_quick_profile_end_to_end(tmp_path):
    """The README's main job: every promised structural relation holds and every N is memorized."""
    store = Store(tmp_path / "q.sqlite")
    comparison = FAMILY.compare(runner.run(FAMILY.experiments, profiles.QUICK, store), profiles.QUICK)
    rows = comparison.rows
    assert all(r["found"] for r in rows)
    verdicts = {r.relation: r.verdict for r in comparison.relations}
    assert all(v == "holds" for k, v in verdicts.items() if k.startswith(("permuting", "inconsistent", "Lemmas")))
    sizes = [r["min_params"] for r in rows if r["experiment"] == "size_vs_N"]
    assert sizes == sorted(sizes)  # more sequences never need a smaller model here


def test_sizes_of_one_architecture_share_an_ensemble():
    ds = random_tokens(N=10, n=3, d=3, seed=2)
    big = Transformer(d=3, m=2, q=8, blocks=3)
    small = Transformer(d=3, m=2, q=8, blocks=1)
    mask = big.size_mask([3, 1])
    res = train(big, big.init([0, 1]), ds.X, ds.y, steps=30, lr=0.03, criterion=Criterion("none"), mask=mask)
    assert torch.all(res.flat[1][mask[1] == 0] == 0)  # the missing blocks stayed identity
    as_small = big.transfer(res.flat[1:2], small)
    assert torch.allclose(big.forward(res.flat[1:2], ds.X), small.forward(as_small, ds.X), atol=1e-6)
    assert int(mask[1].sum()) == small.param_count()


def test_a_member_whose_loss_stops_falling_is_stopped_and_counts_as_failed():
    model = Transformer(d=3, blocks=1)
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    # lr 0 for member 0: its loss never falls, so it must stop after `patience` steps; member 1 learns.
    res = train(model, model.init([0, 1]), ds.X, ds.y, steps=400, lr=[0.0, 0.05], criterion=Criterion("sign"),
                patience=50)
    assert bool(res.plateaued[0]) and not bool(res.met[0])
    assert 50 <= int(res.steps[0]) <= 60
    assert not bool(res.plateaued[1]) or not bool(res.met[1])   # never both


def test_per_member_warmup_changes_only_that_member():
    model = Transformer(d=3, blocks=1)
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    kw = dict(steps=40, lr=0.05, criterion=Criterion("none"))
    a = train(model, model.init([0, 1]), ds.X, ds.y, warmup=[0.0, 0.5], **kw)
    b = train(model, model.init([0, 1]), ds.X, ds.y, warmup=[0.0, 0.0], **kw)
    assert torch.equal(a.flat[0], b.flat[0]) and not torch.equal(a.flat[1], b.flat[1])
    with pytest.raises(ConfigError, match="warmup"):
        train(model, model.init([0]), ds.X, ds.y, warmup=1.5, **kw)
    with pytest.raises(ConfigError, match="patience"):
        train(model, model.init([0]), ds.X, ds.y, patience=0, **kw)


def test_round_to_bf16_keeps_every_parameter_representable_in_bf16():
    model = Transformer(d=3, blocks=1)
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    res = train(model, model.init([0]), ds.X, ds.y, steps=30, lr=0.05, criterion=Criterion("none"),
                round_to=torch.bfloat16)
    assert torch.equal(res.flat, res.flat.to(torch.bfloat16).to(torch.float32))


def test_members_that_finish_leave_the_ensemble_without_changing_the_others():
    # Member 0 (lr 0) plateaus after 20 steps and member 1 memorizes early; member 2 must train exactly
    # as it would alone, with shared and with per-member data.
    model = Transformer(d=3, blocks=1)
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    kw = dict(steps=300, criterion=Criterion("mse", 1e-4), patience=20)
    together = train(model, model.init([0, 1, 2]), ds.X, ds.y, lr=[0.0, 0.1, 0.01], **kw)
    alone = train(model, model.init([2]), ds.X, ds.y, lr=0.01, **kw)
    assert bool(together.plateaued[0]) and int(together.steps[0]) < 60
    assert torch.allclose(together.flat[2], alone.flat[0], atol=1e-5)
    assert int(together.steps[2]) == int(alone.steps[0])
    Xs, ys = ds.X.expand(3, *ds.X.shape).clone(), ds.y.expand(3, *ds.y.shape).clone()
    per = train(model, model.init([0, 1, 2]), Xs, ys, lr=[0.0, 0.1, 0.01], **kw)
    assert torch.allclose(per.flat[2], alone.flat[0], atol=1e-5) and torch.equal(per.met, together.met)


def test_member_steps_count_only_what_was_computed():
    model = Transformer(d=3, blocks=1)
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    full = train(model, model.init([0, 1]), ds.X, ds.y, steps=50, lr=0.05, criterion=Criterion("none"))
    assert full.member_steps == 100
    early = train(model, model.init([0, 1]), ds.X, ds.y, steps=300, lr=[0.0, 0.05], criterion=Criterion("sign"),
                  patience=20)
    assert early.member_steps < 2 * 300 and early.member_steps >= int(early.steps.sum())
