"""Low-rank heads at tiny scale: rank control, projections, Rademacher closed forms and estimates, bounds vs gaps."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tbounds.empirical.generalization import norms as N
from tbounds.empirical.generalization.control import Constraint, Control, apply_constraint
from tbounds.empirical.generalization.estimate import head_lower, linear_lower
from tbounds.empirical.generalization.profiles import Profile
from tbounds.empirical.generalization.units import Cell, run_cell
from tbounds.empirical.generalization.implied import implied_matrix
from tbounds.empirical.fit import slope
from tbounds.empirical.generalization.models import HeadSpec, forward, init_params, qk_matrix
from tbounds.empirical.generalization.projections import PROJECTIONS, project, soft_threshold_singular, truncate_rank
from tbounds.empirical.generalization.rademacher import CLASSES, closed_form, per_sign, score_features, sign_vectors
from tbounds.empirical.generalization.tasks import make_task, token_norm_bound
from tbounds.empirical.generalization.train import fit

torch.set_num_threads(1)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------------------------------ rank control
@pytest.mark.parametrize("constraint", [None, "WQK:spectral:0.5", "WQK:nuclear:1", "WQK:l11:2", "WQK:fro:0.7"])
def test_hard_factorisation_never_exceeds_rank(constraint):
    spec = HeadSpec(d=8, k=6)
    ranks = [1, 2, 3, 6]
    control = Control("factor", 0.0, (Constraint.parse(constraint),) if constraint else ())
    X = torch.randn(4, 20, 5, 8, generator=_gen(0))
    y = torch.sign(torch.randn(4, 20, generator=_gen(1)))
    p = fit(spec, init_params(spec, [0, 1, 2, 3], ranks), X, y, None, control, steps=40, lr=0.05)
    got = N.numerical_rank(qk_matrix(spec, {k: v.double() for k, v in p.items()}), tol=1e-9)
    assert all(int(g) <= r for g, r in zip(got, ranks))
    assert int(got[-1]) >= 2  # training does use the rank it is given


def test_nuclear_penalty_lowers_rank_and_norm():
    spec = HeadSpec(d=8, k=8, parametrisation="full")
    X = torch.randn(2, 30, 5, 8, generator=_gen(2))
    y = torch.sign(torch.randn(2, 30, generator=_gen(3)))
    free = fit(spec, init_params(spec, [0, 0]), X, y, None, Control("none"), steps=60, lr=0.05)
    shrunk = fit(spec, init_params(spec, [0, 0]), X, y, None, Control("nuclear", lam=2.0), steps=60, lr=0.05)
    assert (N.nuclear(qk_matrix(spec, shrunk)) < N.nuclear(qk_matrix(spec, free))).all()
    assert (N.numerical_rank(qk_matrix(spec, shrunk), 1e-6) < N.numerical_rank(qk_matrix(spec, free), 1e-6)).all()


def test_soft_threshold_is_the_nuclear_prox():
    W = torch.randn(6, 5, generator=_gen(4), dtype=torch.float64)
    tau = 0.7
    P = soft_threshold_singular(W, tau)
    objective = lambda Z: 0.5 * (Z - W).pow(2).sum() + tau * N.nuclear(Z)  # noqa: E731
    for k in range(20):  # the prox minimises the objective: no random perturbation does better
        Z = P + 0.05 * torch.randn(6, 5, generator=_gen(100 + k), dtype=torch.float64)
        assert objective(Z) >= objective(P) - 1e-12


# -------------------------------------------------------------------------------------------- projections
@settings(max_examples=40)
@given(norm=st.sampled_from(sorted(PROJECTIONS)), radius=st.floats(0.05, 5.0), seed=st.integers(0, 10 ** 6),
       scale=st.floats(0.01, 20.0))
def test_projections_land_inside_their_balls(norm, radius, seed, scale):
    W = torch.randn(3, 5, 4, generator=_gen(seed), dtype=torch.float64) * scale
    P = project(W, norm, radius)
    assert (N.NORMS[norm](P) <= radius * (1 + 1e-9) + 1e-12).all()
    inside = N.NORMS[norm](W) <= radius
    assert torch.allclose(P[inside], W[inside])  # points inside are fixed
    # Euclidean projection onto a convex set: <W - P, Z - P> <= 0 for any Z in the ball
    Z = project(torch.randn(3, 5, 4, generator=_gen(seed + 1), dtype=torch.float64) * scale, norm, radius)
    assert ((W - P) * (Z - P)).sum((-2, -1)).max() <= 1e-8 * (1 + W.abs().max() ** 2)


@pytest.mark.parametrize("text", ["WQK:spectral:0.3", "WQK:fro:0.3", "WQK:nuclear:0.5", "WQK:l21:0.4",
                                  "WQK:l11:0.6", "WV:spectral:0.5", "WV:l21:0.5", "w:l2:0.2", "w:l1:0.3"])
@pytest.mark.parametrize("parametrisation", ["factor", "full"])
def test_trained_weights_satisfy_their_constraints_exactly(text, parametrisation):
    c = Constraint.parse(text)
    spec = HeadSpec(d=6, k=3 if parametrisation == "factor" else 6, parametrisation=parametrisation)
    X = torch.randn(2, 16, 4, 6, generator=_gen(5))
    y = torch.sign(torch.randn(2, 16, generator=_gen(6)))
    control = Control("factor" if parametrisation == "factor" else "none", 0.0, (c,))
    p = fit(spec, init_params(spec, [0, 1], [3, 2] if parametrisation == "factor" else None), X, y, None, control,
            steps=30, lr=0.1)
    assert (c.value(spec, p) <= c.radius * (1 + 1e-5)).all()


def test_factorised_spectral_projection_is_exact():
    spec = HeadSpec(d=5, k=3)
    p = init_params(spec, [0], [3])
    p["WQ"], p["WK"] = p["WQ"] * 10, p["WK"] * 10
    target = project(qk_matrix(spec, p), "spectral", 1.0)
    apply_constraint(spec, p, Constraint("WQK", "spectral", 1.0))
    assert torch.allclose(qk_matrix(spec, p), target, atol=1e-5)


def test_implied_radii_are_valid_for_random_matrices():
    for seed in range(20):
        r = 1 + seed % 4
        W = truncate_rank(torch.randn(6, 6, generator=_gen(seed), dtype=torch.float64), r)
        for given_norm in ("fro", "spectral", "nuclear", "l11"):
            radii = implied_matrix({given_norm: float(N.NORMS[given_norm](W))}, 6, 6, r)
            for norm, radius in radii.items():
                assert float(N.NORMS[norm](W)) <= radius * (1 + 1e-9)


# -------------------------------------------------------------------------------------- Rademacher values
@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_closed_form_matches_monte_carlo_within_standard_error(cls):
    Z = torch.randn(12, 4, 3, generator=_gen(7))
    rank = 2 if cls.endswith("_rank") else None
    exact = closed_form(Z, cls, 1.5, rank=rank, exact=True)
    mc = closed_form(Z, cls, 1.5, rank=rank, samples=3000, seed=8)
    assert exact.exact and exact.samples == 2 ** 12
    assert abs(mc.value - exact.value) <= 4 * mc.stderr


def test_closed_forms_are_ordered_by_class_inclusion():
    Z = torch.randn(10, 5, 5, generator=_gen(9))
    v = {c: closed_form(Z, c, 1.0, rank=2 if c.endswith("_rank") else None, exact=True).value for c in CLASSES}
    assert v["fro_rank"] <= v["fro"] + 1e-12
    assert v["spectral_rank"] <= v["spectral"] + 1e-12
    assert v["nuclear"] <= v["fro"] + 1e-12 <= v["spectral"] + 2e-12  # nuclear ball ⊂ F ball ⊂ spectral ball
    assert v["l11"] <= v["l21"] + 1e-12 <= v["fro"] + 2e-12  # l11 ball ⊂ l21 ball ⊂ F ball
    # Jensen: E‖M_σ‖_F <= sqrt(Σ‖Z_i‖_F²)
    assert v["fro"] <= math.sqrt(float((Z.double() ** 2).sum())) / 10 + 1e-12
    ranks = [closed_form(Z, "fro_rank", 1.0, rank=r, exact=True).value for r in range(1, 6)]
    assert all(a <= b + 1e-12 for a, b in zip(ranks, ranks[1:]))


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_optimised_estimate_never_exceeds_the_closed_form(cls):
    Z = torch.randn(16, 4, 4, generator=_gen(10))
    s = sign_vectors(16, 12, seed=11)
    rank = 2 if cls.endswith("_rank") else None
    est = linear_lower(Z, s, cls, 1.0, rank=rank, steps=150)
    exact = per_sign(Z, s, cls, 1.0, rank=rank)
    assert (est <= exact * (1 + 1e-9) + 1e-12).all()
    assert est.mean() >= 0.95 * exact.mean()  # and the optimiser is not useless


def test_head_estimate_stays_below_a_containing_closed_form():
    data = make_task("teacher", 24, 5, 6, seed=0)
    spec = HeadSpec(d=6, k=2)
    control = Control("factor", 0.0, (Constraint("WQK", "fro", 3.0), Constraint("WV", "fro", 1.5),
                                      Constraint("w", "l2", 0.8)))
    s = sign_vectors(24, 8, seed=1, dtype=torch.float32)
    est = head_lower(spec, control, data.X, s, restarts=2, steps=60, seed=2)
    # {f : |f(X_i)| <= L_σ ‖w‖ ‖W_V‖_2 max_t ‖x_t‖} contains the head; its R̂ is the mean envelope exactly
    envelope = float((0.8 * 1.5 * data.X.norm(dim=-1).amax(-1)).mean())
    assert 0 < est.value <= envelope
    assert est.kind == "lower estimate"


def test_head_estimate_needs_output_constraints():
    from tbounds.empirical.errors import ConfigError

    data = make_task("teacher", 8, 4, 6, seed=0)
    with pytest.raises(ConfigError, match="norm constraints on w and WV"):
        head_lower(HeadSpec(d=6, k=2), Control(), data.X, sign_vectors(8, 2, 0, dtype=torch.float32))


def test_score_features_give_the_attention_score():
    data = make_task("teacher", 5, 4, 6, seed=3)
    W = torch.randn(6, 6, generator=_gen(12), dtype=torch.float64)
    Z = score_features(data.X, position=0)
    direct = torch.einsum("nd,de,ne->n", data.X[:, -1].double(), W, data.X[:, 0].double())
    assert torch.allclose((Z * W).sum((-2, -1)), direct)


# ------------------------------------------------------------------------------------ tasks and the model
def test_tasks_are_deterministic_and_bounded():
    for task in ("teacher", "sparse_majority", "random_labels"):
        a, b = make_task(task, 30, 8, 12, seed=4), make_task(task, 30, 8, 12, seed=4)
        assert torch.equal(a.X, b.X) and torch.equal(a.y, b.y)
        assert a.B_X <= token_norm_bound(task, 8, 12)
        assert set(a.y.tolist()) <= {-1.0, 1.0}


def test_teacher_has_its_planted_rank_and_is_learnable():
    d = make_task("teacher", 400, 6, 8, seed=0, teacher_rank=1, noise=0.0)
    assert 0.3 < float((d.y > 0).float().mean()) < 0.7  # balanced by the median threshold


def test_batched_forward_equals_one_member_at_a_time():
    spec = HeadSpec(d=6, k=3)
    p = init_params(spec, [0, 1, 2], [1, 2, 3])
    X = torch.randn(7, 5, 6, generator=_gen(13))
    together = forward(spec, p, X)
    for m in range(3):
        alone = forward(spec, {k: v[m:m + 1] for k, v in p.items()}, X)
        assert torch.allclose(together[m], alone[0], atol=1e-6)


def test_slope_recovers_a_power_law():
    ns = [64, 128, 256, 512, 1024] * 3
    noise = torch.randn(len(ns), generator=_gen(14)).numpy() * 0.05
    ys = [3 * n ** -0.5 * math.exp(e) for n, e in zip(ns, noise)]
    fit = slope(ns, ys)
    assert fit.low < -0.5 < fit.high and fit.points == 15


# ------------------------------------------------------------------------------- the experiment and bounds
TINY = dict(ns=(24, 48), ranks=(1, 3), Ts=(4,), seeds=(0, 1), d=6, steps=40, lr=0.05, n_test=200,
            constraints=("WQK:fro:3", "WV:fro:1.5", "w:l2:1"), rad_signs=4, rad_restarts=1, rad_steps=20,
            mc_signs=200)


@pytest.fixture(scope="module")
def tiny_cells():
    profile = Profile(**TINY)
    return [(c, run_cell(c)) for c in (profile.cell(T, n) for T in profile.Ts for n in profile.ns)]


def test_cells_measure_what_they_promise(tiny_cells):
    for cell, res in tiny_cells:
        assert len(res["members"]) == len(cell.ranks) * len(cell.seeds)
        for m in res["members"]:
            assert m["qk_rank"] <= m["rank"]
            assert m["qk_fro"] <= 3 * (1 + 1e-5) and m["v_fro"] <= 1.5 * (1 + 1e-5) and m["w_l2"] <= 1 + 1e-5
            assert m["qk_stable_rank"] <= m["qk_rank"] + 1e-9
            assert math.isclose(m["gap"], m["test_clipped"] - m["train_clipped"])
        for e in res["rademacher"]:
            assert 0 < e["rad_head"] <= e["rad_envelope"]


def test_every_evaluated_certificate_lies_above_the_measured_gap(tiny_cells):
    import tbounds.bounds as bounds
    from tbounds.empirical.experiment import config_dict
    from tbounds.empirical.generalization.compare import compare_rows

    rows = compare_rows([(config_dict(c), r) for c, r in tiny_cells], token_norm_bound("teacher", 4, 6))
    checked = [r for r in rows if r["basis"] == "constraints" and r["value"] is not None
               and r["status"] in ("certificate", "reconstructed")]
    assert checked, "no certificate was evaluated"
    ids = {r["bound"] for r in checked}
    assert ids & {b.id for b in bounds.select(family="generalization", quantity="generalisation gap")}
    for r in checked:
        assert r["value"] >= r["measured_value"], (r["bound"], r["measured"], r["value"], r["measured_value"])
        assert r["holds"].startswith("yes")
    assert all(r["holds"] == "shape only" for r in rows if r["status"] == "rate" and r["value"] is not None)


def test_sweep_resumes_from_the_store_and_is_deterministic(tmp_path):
    from tbounds.empirical import runner
    from tbounds.empirical.generalization import FAMILY
    from tbounds.empirical.store import Store

    profile = Profile(**{**TINY, "ns": (16,), "seeds": (0,), "length_Ts": ()})
    store = Store(tmp_path / "r.sqlite")
    first = runner.run(FAMILY.experiments, profile, store)
    again = runner.run(FAMILY.experiments, profile, store)
    assert first.fresh == 1 and again.fresh == 0 and len(store) == 1
    fresh = run_cell(profile.cell(4, 16))
    (_, row), = first.of(FAMILY.experiments[0])
    assert [m["gap"] for m in fresh["members"]] == [m["gap"] for m in row.result["members"]]


def test_bad_sweeps_are_one_line_errors():
    from tbounds.empirical.errors import ConfigError

    with pytest.raises(ConfigError, match="ranks must lie"):
        Profile(ranks=(0,))
    with pytest.raises(ConfigError, match="MATRIX:NORM:RADIUS"):
        Profile(constraints=("WQK:fro",))
    with pytest.raises(ConfigError, match="radius must be a positive"):
        Profile(constraints=("WQK:fro:-1",))
    assert isinstance(Cell().control_spec, Control)
