"""Approximation family: Sumformer sizes, Linformer and Performer formulas, Yun et al.'s layer counts."""

import math

import pytest
from hypothesis import given, strategies as st

import tbounds.bounds as bounds
from tbounds.bounds import get, select_statements, solve

small_sizes = st.tuples(st.integers(1, 60), st.integers(1, 8))


@given(small_sizes)
def test_sumformer_dimension_is_the_number_of_power_sums(nd):
    """d' = C(n + d, d) - 1 exactly, and the constant-monomial reading is one more."""
    n, d = nd
    want = math.comb(n + d, d) - 1
    assert get("alberti2023.sumformer.latent_continuous")(n=n, d=d) == want
    assert get("alberti2023.sumformer.latent_continuous.with_constant")(n=n, d=d) == want + 1
    assert get("alberti2023.transformer.width")(n=n, d=d) == d + 2 * want
    assert get("alberti2023.transformer.width.overwrite")(n=n, d=d) == d + want


@given(st.integers(1, 10 ** 6))
def test_sumformer_at_d_1_meets_wagstaff(n):
    assert get("alberti2023.sumformer.latent_continuous")(n=n, d=1) == n == get("wagstaff2019.latent.lower")(n=n)
    assert get("wagstaff2019.latent.lower")(n=n) <= get("tabaghi2023.latent_continuous")(n=n, d=1)


@given(st.integers(1, 200), st.integers(1, 5))
def test_sumformer_monotone_in_size(n, d):
    b = get("alberti2023.sumformer.latent_continuous")
    assert b(n=n, d=d) < b(n=n + 1, d=d) and b(n=n, d=d) < b(n=n, d=d + 1)


@given(st.integers(6, 10 ** 7), st.integers(1, 6))  # d <= 6 <= budget: n = 1 always fits
def test_longest_sequence_for_a_latent_budget_round_trips(budget, d):
    b = get("alberti2023.sumformer.latent_continuous")
    n = solve(b, "n", budget, d=d).value
    assert b(n=n, d=d) <= budget < b(n=n + 1, d=d)


def test_sumformer_grows_past_float_range_without_overflow():
    b = get("alberti2023.sumformer.latent_continuous")
    assert math.isclose(float(b.log10(n=1e300, d=3)), 900 - math.log10(6), rel_tol=1e-12)
    assert math.isfinite(float(b.log10(n=8, d=1e300)))


@given(st.integers(2, 10 ** 9), st.integers(2, 4096), st.floats(0.01, 0.99))
def test_linformer_theorem_2_is_below_theorem_1(n, d, eps):
    """min(9 d ln d, 5 ln n)/eps^2 <= 5 ln n/(eps^2 - eps^3) <= 5 ln(n d)/(eps^2 - eps^3)."""
    k_linear = float(get("wang2020.linformer.k_linear")(n=n, d=d, eps=eps))
    k_rank = float(get("wang2020.linformer.k_rank")(n=n, eps=eps))
    k_union = float(get("wang2020.linformer.k_union")(n=n, d=d, eps=eps))
    assert k_linear <= k_rank * (1 + 1e-12) <= k_union * (1 + 1e-12)


@given(st.integers(1, 10 ** 4), st.floats(0.01, 0.99))
def test_linformer_union_bound_meets_its_tail(k, eps):
    """At k = 5 ln(n d)/(eps^2 - eps^3) the per-pair tail is 2 (n d)^(-5/4): small enough for a union bound."""
    n, d = 512, 64
    k_union = float(get("wang2020.linformer.k_union")(n=n, d=d, eps=eps))
    tail = float(get("wang2020.linformer.failure_probability")(k=max(1, math.ceil(k_union)), eps=eps))
    assert tail <= 2 * (n * d) ** -1.25 * (1 + 1e-9)


positive = st.floats(0.01, 4.0)


@given(positive, positive, st.integers(1, 64))
def test_performer_mse_relations(s, t, m):
    trig, pos, hyp = (float(get(f"choromanski2021.performer.mse_{k}")(s=s, t=t, m=m))
                      for k in ("trig", "positive", "hyperbolic"))
    assert hyp <= pos / 2 * (1 + 1e-12)  # the hyperbolic factor (1 - e^(-s^2))/2 is at most 1/2
    assert math.isclose(pos * m, float(get("choromanski2021.performer.mse_positive")(s=s, t=t, m=1)), rel_tol=1e-9)
    assert math.isclose(trig * m, float(get("choromanski2021.performer.mse_trig")(s=s, t=t, m=1)), rel_tol=1e-9)


@given(positive, positive, st.integers(1, 64), st.integers(64, 10 ** 4))
def test_orthogonal_features_never_worse(s, t, m, d):
    assert (float(get("choromanski2021.performer.mse_orthogonal")(s=s, t=t, m=m, d=d))
            <= float(get("choromanski2021.performer.mse_positive")(s=s, t=t, m=m)) * (1 + 1e-12))


def test_positive_features_win_where_the_kernel_is_small():
    """Lemma 2's point: as SM -> 0 (t large) the positive MSE vanishes and the trigonometric one explodes."""
    trig = [float(get("choromanski2021.performer.mse_trig")(s=1, t=t, m=16)) for t in (1, 3, 6)]
    pos = [float(get("choromanski2021.performer.mse_positive")(s=1, t=t, m=16)) for t in (1, 3, 6)]
    assert trig[0] < trig[1] < trig[2] and pos[0] > pos[1] > pos[2]


@given(st.integers(1, 64), st.floats(1, 8), st.floats(0.01, 1))
def test_performer_feature_count_is_positive_and_grows_with_r(d, R, eps):
    b = get("choromanski2021.performer.features_uniform")
    assert 0 < float(b(d=d, R=R, eps=eps)) <= float(b(d=d, R=R * 1.5, eps=eps))


@given(st.integers(1, 4), st.floats(1, 4), st.floats(0.05, 1))
def test_yun_grid_from_eps_is_the_coarsest_that_works(d, p, eps):
    """g = ceil((3/eps)^(p/d)): delta = 1/g meets delta^(d/p) <= eps/3, and g - 1 does not."""
    g = round(float(get("yun2020.attention_layers.for_eps")(d=d, p=p, eps=eps)) - 1) ** (1 / d)
    g = round(g)
    assert (1 / g) ** (d / p) <= eps / 3 * (1 + 1e-9)
    if g > 1:
        assert (1 / (g - 1)) ** (d / p) > eps / 3 * (1 - 1e-9)


@given(st.integers(1, 4), st.integers(2, 10))
def test_yun_counts_at_a_grid(d, g):
    delta = 1 / g
    assert math.isclose(float(get("yun2020.attention_layers")(d=d, delta=delta)), g ** d + 1, rel_tol=1e-12)
    assert math.isclose(float(get("yun2020.quantization_ff_layers")(d=d, delta=delta)), d * g + d, rel_tol=1e-12)


@given(st.integers(1, 4), st.floats(1, 4), st.floats(0.05, 1))
def test_one_attention_layer_against_yun(d, p, eps):
    """How many attention layers each theory needs for accuracy eps: Sumformer's one against Yun's g^d + 1."""
    assert get("alberti2023.transformer.attention_layers")() == 1 == get("kajitsuka2024.attention_layers")()
    assert get("yun2020.attention_layers.for_eps")(d=d, p=p, eps=eps) >= 2


def test_expressivity_sizes_are_constants():
    assert get("alberti2023.linformer.projection_dim")() == 1
    assert get("alberti2023.performer.random_features")() == 1
    assert get("alberti2023.sumformer.latent_discontinuous")() == 1


def test_every_approximation_bound_is_labelled_honestly():
    chosen = bounds.select(family="approximation")
    assert len(chosen) >= 25
    for b in chosen:
        assert b.source.arxiv or b.source.venue, b.id
        if "alberti2023" in b.id and b.id != "alberti2023.transformer.attention_layers":
            assert b.status == "reconstructed", b.id  # the Sumformer body is not in our sources
        if b.status == "rate":
            assert b.relation_latex in (r"\lesssim", r"\gtrsim"), b.id
    readings = [b for b in chosen if b.reading]
    assert {b.id for b in readings} >= {"alberti2023.sumformer.latent_continuous",
                                        "alberti2023.sumformer.latent_continuous.with_constant"}


def test_statements_of_the_family():
    ids = {s.id for s in select_statements(family="approximation")}
    assert {"alberti2023.sumformer.universal", "yun2020.universal"} <= ids


def test_bad_inputs_raise_one_line():
    with pytest.raises(bounds.AssumptionError, match="m <= d"):
        get("choromanski2021.performer.mse_orthogonal")(s=1, t=1, m=9, d=8)
    with pytest.raises(bounds.ParameterError, match="'eps'"):
        get("wang2020.linformer.k_linear")(n=8, d=2, eps=1.5)


def test_every_approximation_bound_renders():
    for b in bounds.select(family="approximation"):
        assert b.latex and b.to_dict()["expression"], b.id
