"""Properties of the bounds added for issue 13 (item 6), beyond what the registry-wide suite checks:
identities between readings, round trips of inverted formulas, and strict monotonicity where the theory moves."""

import math

import numpy as np
import pytest

from tbounds.bounds import get

WORKED = dict(d=6, r=math.sqrt(6), delta=0.01, C=2)


def value(bound_id, **params):
    return float(get(bound_id)(**params))


@pytest.mark.parametrize("N", [10, 1000, 10 ** 6, 10 ** 12])
def test_footnote2_grouping_reduces_to_theorem_b1_at_n_1(N):
    """With n = 1, log(nN) = log N: the substituted depth is Theorem B.1's depth shape."""
    point = dict(N=N, n=1, **WORKED)
    assert value("kajitsuka2025.next_token.upper.depth.footnote2.groups", **point) == pytest.approx(
        value("kajitsuka2025.next_token.upper.depth", **point), rel=1e-12)


@pytest.mark.parametrize("n", [1, 8, 1000])
def test_footnote2_printed_order_is_the_first_term_of_the_grouped_reading(n):
    grouped = value("kajitsuka2025.next_token.upper.depth.footnote2.groups", N=1000, n=n, **WORKED)
    printed = value("kajitsuka2025.next_token.upper.depth.footnote2", N=1000, n=n)
    assert printed == pytest.approx(math.sqrt(1000 * math.log(1000 * n)), rel=1e-12) and printed < grouped


@pytest.mark.parametrize("zeta", [2, 3, 11, 1000])
@pytest.mark.parametrize("N", [2, 211, 10 ** 6])
def test_madden_theorem_13_inverted_round_trips(N, zeta):
    k = value("madden2024.next_token.lower_explicit.empirical", N=N, zeta=zeta)
    contexts = (2 + 1 / (zeta - 1)) * k / (zeta - 1) + 1  # Theorem 13 at that k, real-valued k
    assert contexts == pytest.approx(N, rel=1e-12)
    assert k <= value("madden2024.next_token.lower_explicit", N=N, zeta=zeta)  # looser than Lemma 9's (zeta - 1) N


@pytest.mark.parametrize("bits", [1.0, 3.6e6, 1e300])
def test_morris_fit_and_its_inverse_agree(bits):
    params = value("morris2025.capacity.params_for_bits", bits=bits)
    assert params == pytest.approx(bits / 3.6, rel=1e-12)
    if params >= 1 and params == round(params):
        assert value("morris2025.capacity.bits", W=params) == pytest.approx(bits, rel=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
def test_positional_encoding_costs_exactly_n_factorial_more_value_layers(n):
    pe = value("yun2020.value_ff_layers.pe", n=n, d=2, delta=0.25)
    pe_free = value("yun2020.value_ff_layers", n=n, d=2, delta=0.25)
    assert pe / pe_free == pytest.approx(math.factorial(n), rel=1e-12)


@pytest.mark.parametrize("G", [1, 2, 4, 16, 1000])
@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_grid_multisets_are_stars_and_bars(n, G):
    count = value("yun2020.grid.multisets", n=n, G=G)
    assert count == pytest.approx(math.comb(G + n - 1, n), rel=1e-10)
    sequences = value("yun2020.grid.sequences", n=n, G=G)
    assert sequences / math.factorial(n) * (1 - 1e-12) <= count <= sequences * (1 + 1e-12)
    if G > 1 and n > 1:  # Pascal: a multiset either uses the last cell (n - 1 left) or not (G - 1 cells)
        assert count == pytest.approx(value("yun2020.grid.multisets", n=n, G=G - 1)
                                      + value("yun2020.grid.multisets", n=n - 1, G=G), rel=1e-10)


def test_grid_multisets_stay_finite_at_extreme_sizes():
    huge = get("yun2020.grid.multisets").log(n=np.array([3.0, 1e300]), G=np.array([1e300, 3.0]))
    assert np.all(np.isfinite(huge)) and huge[0] == pytest.approx(3 * math.log(1e300) - math.log(6), rel=1e-12)


@pytest.mark.parametrize("bound_id,name,low,high", [
    ("kajitsuka2025.deep_sets.depth", "M", 2, 3),
    ("kajitsuka2025.embedding.upper", "omega", 500, 501),
    ("bartlett2017.margin.gap", "gamma", 2.0, 1.0),
    ("yang2026.vc.transformer.upper", "T", 64, 65),
])
def test_the_theory_moves_strictly(bound_id, name, low, high):
    b = get(bound_id)
    base = b.example()
    assert float(b(**{**base, name: low})) < float(b(**{**base, name: high}))


def test_theorem_f1_transformer_needs_at_least_lemma_f1_ffn_depth():
    """Same shape, and Theorem F.1's R (with n^3 N^5) is above Lemma F.1's (N^2): never shallower."""
    for N in (100, 10 ** 4, 10 ** 8):
        for B in (2, 8, int(math.isqrt(N))):
            point = dict(N=N, B=B, **WORKED)
            assert value("kajitsuka2025.ffn.limited_bits.depth", **point) <= value(
                "kajitsuka2025.next_token.limited_bits.depth", n=8, **point)


def test_vardi_depth_limited_meets_theorem_3_1_order_at_sqrt_n():
    assert value("vardi2022.ffn.depth_limited", N=10 ** 8, L=10 ** 4) == pytest.approx(10 ** 4, rel=1e-12)


def test_vector_contraction_is_talagrand_times_sqrt_2():
    assert value("maurer2016.contraction.vector", L_loss=3, Rad_vec=0.2) == pytest.approx(
        math.sqrt(2) * value("contraction.talagrand", L_loss=3, Rad=0.2), rel=1e-14)


def test_theta_vc_halves_agree_and_keep_their_directions():
    point = dict(L=4, W=10 ** 5, T=512)
    assert value("yang2026.vc.transformer.upper", **point) == value("yang2026.vc.transformer.lower", **point)
    assert get("yang2026.vc.transformer.lower").relation_latex == r"\gtrsim"


def test_the_measurement_is_labelled_as_one():
    for bound_id in ("morris2025.capacity.bits", "morris2025.capacity.params_for_bits"):
        b = get(bound_id)
        assert b.kind == "fit" and b.status != "certificate" and "measurement" in b.statement
        assert b.relation_latex == r"\approx"


def test_show_calls_the_measurement_a_fit():
    from click.testing import CliRunner

    from tbounds.cli.main import cli
    out = CliRunner().invoke(cli, ["show", "morris2025.capacity.bits"])
    assert out.exit_code == 0 and "a fit to measurements" in out.output and "measurement, not a theorem" in out.output
