"""Approximation family at tiny scale: exact mechanisms, generators, models, verdicts on synthetic rows, bad input."""

from __future__ import annotations

import json
import math

import pytest
import torch
from click.testing import CliRunner

import tbounds.bounds as bounds
from tbounds.cli.main import cli
from tbounds.empirical.approximation import FAMILY, compare, mechanisms, profiles
from tbounds.empirical.approximation.attention import (favor_attention, linformer_attention, orthogonal_features,
                                                       softmax_attention)
from tbounds.empirical.approximation.models import AttentionNet, Sumformer, monomial_exponents, param_count
from tbounds.empirical.approximation.tasks import TARGETS, target, uniform_sets
from tbounds.empirical.approximation.units import JLUnit, MechanismUnit, PerformerUnit, TrainUnit, run_unit
from tbounds.empirical.errors import ConfigError

torch.set_num_threads(1)


# ------------------------------------------------------------------------------ exact mechanisms (float64)
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", (2, 4, 8))
def test_linformer_all_ones_k1_sums_values_whatever_wq_wk(n, seed):
    assert mechanisms.linformer_sums(n=n, h=3, seed=seed) < 1e-10


@pytest.mark.parametrize("seed", range(5))
def test_softmax_with_zero_queries_and_keys_averages(seed):
    assert mechanisms.softmax_averages(n=6, h=4, seed=seed) < 1e-12


@pytest.mark.parametrize("m", (1, 2, 3, 17, 64))
@pytest.mark.parametrize("seed", range(3))
def test_favor_with_zero_queries_and_keys_averages_for_any_m_and_seed(m, seed):
    assert mechanisms.favor_averages(n=5, h=4, m=m, seed=seed) < 1e-12


def test_favor_is_a_proper_attention_otherwise():
    """Not a trivial average once Q, K are nonzero; it approaches softmax as m grows (sanity of the code)."""
    g = torch.Generator().manual_seed(0)
    Q, K, V = (torch.randn(6, 4, generator=g, dtype=torch.float64) * 0.5 for _ in range(3))
    exact = softmax_attention(Q, K, V)
    few = favor_attention(Q, K, V, orthogonal_features(2, 4, g))
    many = favor_attention(Q, K, V, orthogonal_features(20000, 4, g))
    assert (few - V.mean(0)).abs().max() > 1e-3
    assert (many - exact).abs().max() < 0.05 < (V.mean(0) - exact).abs().max() + 0.05


@pytest.mark.parametrize("n", (2, 3, 4, 6, 8))
def test_power_sums_separate_and_truncations_collide(n):
    res = mechanisms.power_sums(n=n, seed=n)
    assert res["example_degree1_equal"] and res["example_degree2_differs"]
    assert res["recovery_max_error_d1"] < 1e-6 and res["recovery_max_error_d2"] < 1e-6
    assert res["truncated_pair_real"] and res["truncated_collision_max_diff"] < 1e-10
    assert res["multiset_distance"] > 1e-4 and res["degree_n_difference"] > 1e-12


def test_monomial_count_is_the_registered_power_sum_width():
    for n in (1, 2, 4, 8):
        for d in (1, 2, 3):
            width = float(bounds.get("alberti2023.sumformer.latent_continuous")(n=n, d=d))
            assert len(monomial_exponents(d, n)) == width == math.comb(n + d, d) - 1


def test_orthogonal_features_are_orthogonal_within_a_block_and_gaussian_in_norm():
    g = torch.Generator().manual_seed(0)
    w = orthogonal_features(8, 8, g)
    gram = w @ w.T
    assert (gram - torch.diag(torch.diagonal(gram))).abs().max() < 1e-10
    draws = orthogonal_features(4, 16, g, draws=4000)
    assert abs(float((draws ** 2).sum(-1).mean()) - 16) < 0.5  # E|ω|² = h, as for N(0, I_h)


# ------------------------------------------------------------------------------ generators
def test_targets_by_hand():
    X = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]], dtype=torch.float64)
    assert target("product", X).tolist() == [[[0.0, 0.5], [0.5, 0.0]]]
    assert target("centering", X).tolist() == [[[-0.5, 0.5], [0.5, -0.5]]]
    k = math.exp(-2 / 0.25)
    assert torch.allclose(target("kernel", X), torch.tensor([[[1 + k], [1 + k]]], dtype=torch.float64))
    assert target("max_gap", X).tolist() == [[[1.0], [0.0]]]
    assert target("rank", X).tolist() == [[[0.0], [0.5]]]
    assert target("sorted", X)[0, 1].tolist() == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    same = torch.tensor([[[0.3, 0.3], [0.3, 0.3]]], dtype=torch.float64)
    assert torch.allclose(target("teacher", same), same)  # softmax average of equal tokens


@pytest.mark.parametrize("name", list(TARGETS))
def test_targets_are_permutation_equivariant(name):
    X = uniform_sets(16, 5, 2, seed=3, dtype=torch.float64)
    perm = torch.tensor([3, 0, 4, 1, 2])
    assert torch.allclose(target(name, X[:, perm]), target(name, X)[:, perm], atol=1e-12)


def test_task_examples_are_seeded_and_printable():
    result = CliRunner().invoke(cli, ["data", "t7_sorted", "--count", "2", "--n", "3", "--d", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    examples = json.loads(result.output)
    assert len(examples) == 2 and len(examples[0]["target"]) == 3 and len(examples[0]["target"][0]) == 4


# ------------------------------------------------------------------------------ models
def _equivariance(model, n=4, d=2):
    g = torch.Generator().manual_seed(0)
    X = torch.rand(6, n, d, generator=g, dtype=torch.float64)
    perm = torch.randperm(n, generator=g)
    model = model.double()
    with torch.no_grad():
        return float((model(X[:, perm]) - model(X)[:, :, perm]).abs().max())


@pytest.mark.parametrize("make", [
    lambda: Sumformer(2, 3, 4, "mlp", 5, hidden=8, members=2),
    lambda: Sumformer(2, 3, 4, "poly", hidden=8, members=2),
    lambda: AttentionNet(2, 3, 4, "softmax", 2, 8, 8, members=2),
    lambda: AttentionNet(2, 3, 4, "linformer_ones", 1, 8, 8, members=2),
    lambda: AttentionNet(2, 3, 4, "performer", 1, 8, 8, m=5, members=2),
], ids=["sumformer_mlp", "sumformer_poly", "softmax", "linformer_ones", "performer"])
def test_models_are_equivariant_by_construction(make):
    assert _equivariance(make()) < 1e-12


def test_learned_linformer_projections_break_equivariance():
    assert _equivariance(AttentionNet(2, 3, 4, "linformer", 1, 8, 8, k=2, members=2)) > 1e-4


@pytest.mark.parametrize("make", [lambda: Sumformer(2, 1, 4, "mlp", 3, hidden=8, members=3),
                                  lambda: AttentionNet(2, 1, 4, "performer", 2, 8, 8, m=4, members=3)],
                         ids=["sumformer", "performer"])
def test_members_do_not_interact(make):
    """Member 0's output and gradient ignore the other members' weights (so training them together is exact)."""
    model = make()
    X = torch.rand(5, 4, 2, generator=torch.Generator().manual_seed(0))
    first = model(X)[0].detach().clone()
    loss = model(X).pow(2).mean(dim=(1, 2, 3)).sum()
    grads = \
        torch.autograd.grad(loss, list(model.parameters()))
    with torch.no_grad():
        for p in model.parameters():
            p[1:] += torch.randn_like(p[1:])
    assert torch.equal(model(X)[0], first)
    again = torch.autograd.grad(model(X).pow(2).mean(dim=(1, 2, 3)).sum(), list(model.parameters()))
    assert all(torch.allclose(a[0], b[0]) for a, b in zip(grads, again))


def test_attention_models_are_matched_to_the_sumformer_within_20_percent():
    for unit in profiles.family_units(profiles.QUICK):
        model, _ = unit.build()
        ratio = param_count(model) / param_count(unit.reference())
        assert 0.8 <= ratio <= 1.2, (unit.model, unit.layers, ratio)


# ------------------------------------------------------------------------------ verdicts on synthetic rows
def _latent_rows(errors, n=4, d=2):
    return [{"experiment": "latent", "target": "kernel", "n": n, "d": d, "latent": lat, "relative_error": e}
            for lat, e in errors]


def test_latent_saturation_beside_the_power_sum_width():
    rel = compare.latent_relation(_latent_rows([(1, 0.5), (2, 0.3), (4, 0.1), (8, 0.1), (14, 0.1)]))[0]
    assert rel.verdict.startswith("saturates at d' = 4 <= C(n+d,d)-1 = 14; monotone")
    late = compare.latent_relation(_latent_rows([(1, 0.5), (14, 0.3), (24, 0.1)]))[0]
    assert "d' = 24 > C(n+d,d)-1 = 14" in late.verdict


def test_wagstaff_and_truncated_verdicts():
    flat = [{"experiment": "wagstaff", "n": 4, "latent": lat, "relative_error": 0.1} for lat in (1, 2, 4, 8)]
    assert compare.wagstaff_relation(flat)[0].verdict.startswith("no clear floor")
    rows = [{"experiment": "truncated", "n": 4, "degree": deg, "latent": deg, "relative_error": e, "sup_error": e}
            for deg, e in ((1, 0.3), (2, 0.2), (3, 0.1), (4, 0.2))]
    assert "relative error: not seen" in compare.truncated_relation(rows)[0].verdict


def test_equivariance_verdict_catches_a_broken_symmetry():
    rows = [{"experiment": "families", "model": "transformer", "equivariance_error": 1e-15},
            {"experiment": "families", "model": "linformer", "equivariance_error": 0.3}]
    assert compare.equivariance_relation(rows)[0].verdict == "holds"
    rows[0]["equivariance_error"] = 1e-3
    assert compare.equivariance_relation(rows)[0].verdict == "VIOLATED"


def _jl(k, norm, trials=1000):
    tail = float(bounds.get("wang2020.linformer.failure_probability")(k=k, eps=0.5))
    return {"experiment": "linformer_jl", "n": 64, "eps": 0.5, "k": k, "fail_norm": norm, "fail_inner": 0.5,
            "fail_theorem1": 0.9, "tail_bound": tail, "trials": trials,
            "k_rank": float(bounds.get("wang2020.linformer.k_rank")(n=64, eps=0.5))}


def test_jl_verdict_flags_a_rate_above_the_tail_bound():
    ok = compare.jl_relation([_jl(1, 0.8), _jl(64, 0.01), _jl(167, 0.0)])[0]
    assert ok.verdict.startswith("holds (norm reading); falls with k")
    bad = compare.jl_relation([_jl(1, 0.8), _jl(167, 0.2)])[0]
    assert bad.verdict.startswith("VIOLATED at k = [167]")
    assert ok.bounds[0] == ("wang2020.linformer.failure_probability", "certificate")


def test_performer_verdicts_against_the_registered_formulas():
    def row(mse, se):
        f = float(bounds.get("choromanski2021.performer.mse_positive")(s=1.0, t=1.0, m=4))
        ft = float(bounds.get("choromanski2021.performer.mse_trig")(s=1.0, t=1.0, m=4))
        b = float(bounds.get("choromanski2021.performer.mse_orthogonal")(s=1.0, t=1.0, m=4, d=16))
        return {"experiment": "performer_mse", "s": 1.0, "t": 1.0, "m": 4, "d": 16, "SM": 1.0, "trials": 1000,
                "mse_positive": mse if mse is not None else f, "se_positive": se, "formula_positive": f,
                "mse_trig": ft, "se_trig": se, "formula_trig": ft, "mse_orthogonal": b, "se_orthogonal": se,
                "bound_orthogonal": b, "attention_sup_error": 1.0}
    rel = compare.performer_relation([row(None, 0.01)])
    assert rel[0].verdict.startswith("agrees") and rel[1].verdict.startswith("holds")
    assert compare.performer_relation([row(10.0, 0.01)])[0].verdict.startswith("differs")


def test_mechanism_units_hold_and_jl_performer_units_run():
    assert run_unit(MechanismUnit("power_sums", n=4), None)["holds"]
    rates = run_unit(JLUnit(n=16, k=64, trials=200), None)
    assert rates["norm"] <= 0.1
    mse = run_unit(PerformerUnit(1.0, 1.0, d=8, m=4, trials=2000), None)
    f = float(bounds.get("choromanski2021.performer.mse_positive")(s=1.0, t=1.0, m=4))
    assert abs(mse["positive"]["mse"] - f) < 5 * mse["positive"]["se"]


# ------------------------------------------------------------------------------ bad input
def test_bad_settings_are_one_line_errors():
    with pytest.raises(ConfigError, match="target must be one of"):
        TrainUnit(target="cube", n=4, d=2)
    with pytest.raises(ConfigError, match="k = 1"):
        TrainUnit(target="kernel", n=4, d=2, model="linformer_ones", k=2)
    with pytest.raises(ConfigError, match="eps must be in"):
        JLUnit(n=4, k=2, eps=1.5)
    with pytest.raises(ConfigError, match="latents must be positive"):
        FAMILY.profile("quick", latents=(0,))


def test_cli_bad_target_exits_2_with_one_line():
    result = CliRunner().invoke(cli, ["run", "approximation", "--target", "cube", "--no-run"])
    assert result.exit_code == 2 and "target must be one of" in result.output and "Traceback" not in result.output


def test_cli_compare_prints_relations_and_draws_the_figures(tmp_path):
    result = CliRunner().invoke(cli, ["compare", "approximation", "--only", "linformer_jl", "--only", "performer_mse",
                                      "--only", "mechanisms", "--trials", "200", "--k", "1,8", "--m", "1,4",
                                      "--store", str(tmp_path / "s.sqlite"), "--plot-dir", str(tmp_path),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert {r["relation"][:3] for r in data["relations"]} == {"(T)"}
    assert sorted(p.rsplit("/", 1)[1] for p in data["plots"]) == ["linformer_jl.png", "performer_mse.png"]
