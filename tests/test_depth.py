"""Depth family: exact steps, inverses that round-trip, brackets, readings and statements."""

import math

import pytest
from hypothesis import given, strategies as st

import tbounds.bounds as bounds
from tbounds.bounds import get, get_statement, select_statements, solve

from .exact_steps import ceil_log2, ceil_log3

EXACT = 2 ** 44  # integer values are exact up to here (bounds/steps.py: about 1e13)


lengths = st.one_of(st.integers(1, EXACT), st.integers(0, 44).map(lambda k: 2 ** k),
                    st.integers(1, 44).map(lambda k: 2 ** k + 1))


@given(lengths)
def test_merrill_depths_are_the_exact_steps(n):
    c = ceil_log2(n)
    assert get("merrill2025.regular.nonuniform")(n=n) == 4 * c + 5
    assert get("merrill2025.regular.looped")(n=n) == 8 * c + 9
    if n >= 2:
        assert get("merrill2025.connectivity")(n=n) == 2 * c + 18


@given(st.integers(1, 10 ** 12))
def test_musat_and_khop_are_the_exact_steps(D):
    assert get("musat2025.retrieval.lower")(D=D) == ceil_log3(2 * D)
    assert get("musat2025.retrieval.upper_khop")(D=D) == D.bit_length() + 1
    assert get("sanford2024.khop.upper")(k=D) == D.bit_length() + 1


@given(st.integers(5, 180))
def test_largest_length_for_a_depth_round_trips(d):
    """solve() on the step function gives the closed-form inverse, and one more token needs more depth."""
    b = get("merrill2025.regular.nonuniform")
    n_max = solve(b, "n", d).value
    assert n_max == get("merrill2025.regular.max_length.exact")(d=d) == 2 ** ((d - 5) // 4)
    if n_max < EXACT:
        assert b(n=n_max) <= d < b(n=n_max + 1)


@given(st.integers(9, 360))
def test_looped_inverse_round_trips(d):
    n_max = solve(get("merrill2025.regular.looped"), "n", d).value
    assert n_max == get("merrill2025.regular.looped.max_length")(d=d) == 2 ** ((d - 9) // 8)


@given(st.integers(18, 100))
def test_connectivity_inverse_round_trips(d):
    n_max = solve(get("merrill2025.connectivity"), "n", d).value
    assert n_max == get("merrill2025.connectivity.max_vertices.exact")(d=d) == 2 ** ((d - 18) // 2)


@given(st.integers(1, 27))
def test_musat_inverse_round_trips(t):
    d_max = solve(get("musat2025.retrieval.lower"), "D", t).value
    assert d_max == (3 ** t - 1) // 2
    assert get("musat2025.retrieval.max_steps")(t=t) == d_max


@given(st.integers(2, 40))
def test_khop_inverse_round_trips(L):
    assert solve(get("sanford2024.khop.upper"), "k", L).value == get("sanford2024.khop.upper.max_hops")(L=L)


@given(st.integers(1, 10 ** 9))
def test_smallest_depth_for_a_length(n):
    """'How deep for n tokens': the smallest d whose guaranteed length reaches n is the depth formula itself."""
    d = solve(get("merrill2025.regular.max_length.exact"), "d", n, relation=">=").value
    assert d == get("merrill2025.regular.nonuniform")(n=n) or (n == 1 and d == 5)


@given(st.integers(1, 10 ** 12))
def test_retrieval_bracket(D):
    assert get("musat2025.retrieval.lower")(D=D) <= get("musat2025.retrieval.upper_khop")(D=D)


@given(st.integers(2, 300))
def test_retrieval_steps_bracket(t):
    assert get("musat2025.retrieval.upper_khop.max_steps")(t=t) <= get("musat2025.retrieval.max_steps")(t=t)


@given(st.integers(1, 10 ** 12))
def test_khop_bracket(k):
    assert get("sanford2024.khop.lower")(k=k) <= get("sanford2024.khop.upper")(k=k)


@given(st.integers(1, 10 ** 4), st.integers(2, 10 ** 12))
def test_qsa_bracket(q, N):
    assert get("sanford2023.qsa.lower")(q=q) <= get("sanford2023.qsa.upper")(q=q, N=N) * (1 + 1e-12)


@given(st.integers(20, 2000))
def test_corollary_readings_are_ordered(d):
    """relaxed <= exact <= intro: the text's relaxation is implied, the introduction's numbers are not."""
    relaxed, exact, intro = (get(f"merrill2025.regular.max_length.{r}")(d=d) for r in ("relaxed", "exact", "intro"))
    assert relaxed <= exact * (1 + 1e-12) and exact <= intro * (1 + 1e-12)
    relaxed, exact, intro = (get(f"merrill2025.connectivity.max_vertices.{r}")(d=d)
                             for r in ("relaxed", "exact", "intro"))
    assert relaxed <= exact * (1 + 1e-12) and exact <= intro * (1 + 1e-12)


def test_each_reading_is_labelled():
    for b in bounds.select(family="depth"):
        if ".max_length." in b.id or ".max_vertices." in b.id:
            assert b.reading, b.id


def test_a5_fits_invert_each_other():
    import sympy as sp

    depth, length = get("merrill2025.a5_fit.depth"), get("merrill2025.a5_fit.length")
    n, d = depth.params[0].symbol, length.params[0].symbol
    assert sp.simplify(depth.expr.subs(n, length.expr) - d) == 0
    width, needed = get("merrill2025.a5_fit.width"), get("merrill2025.a5_fit.width_needed")
    w, m = width.params[0].symbol, needed.params[0].symbol
    assert sp.simplify(width.expr.subs(w, needed.expr) - m) == 0


def test_a5_fits_agree_at_depth_6_width_512():
    """The notes: both fits give n* ≈ 23 at d = 6, w = 512."""
    assert abs(float(get("merrill2025.a5_fit.length")(d=6)) - float(get("merrill2025.a5_fit.width")(w=512))) < 0.5


def test_a5_fit_slope_lies_between_the_theorems():
    """4.8 layers per doubling sits between Corollary 1.1 (4) and Theorem 1 (8)."""
    fit = get("merrill2025.a5_fit.depth")
    per_doubling = float(fit(n=2048)) - float(fit(n=1024))
    nonuniform = get("merrill2025.regular.nonuniform")(n=2048) - get("merrill2025.regular.nonuniform")(n=1024)
    looped = get("merrill2025.regular.looped")(n=2048) - get("merrill2025.regular.looped")(n=1024)
    assert nonuniform < per_doubling < looped


def test_every_depth_bound_is_labelled_honestly():
    for b in bounds.select(family="depth"):
        assert b.source.arxiv or b.source.venue, b.id
        if b.status == "rate":
            assert b.relation_latex in (r"\lesssim", r"\gtrsim", r"\approx"), b.id
        if b.kind == "fit":
            assert b.status != "certificate", b.id


def test_statements_are_listed_with_classes_and_never_evaluated():
    s = get_statement("merrill2025.width_scaling.tc0")
    assert "TC0" in " ".join(s.classes) and s.source.label == "Theorem 3"
    cot = get_statement("merrill2025.cot_scaling.tc0")
    assert cot.source.label == "Theorem 4" and "L-uniform TC0" in cot.classes
    assert len(select_statements(family="depth")) >= 8
    with pytest.raises(bounds.UnknownBoundError):
        get("merrill2025.width_scaling.tc0")


def test_depth_family_covers_the_issue():
    ids = set(bounds.ids())
    for needed in ("musat2025.retrieval.lower", "musat2025.retrieval.max_steps", "musat2025.retrieval.upper_khop",
                   "merrill2025.regular.looped", "merrill2025.regular.nonuniform",
                   "merrill2025.regular.max_length.exact", "merrill2025.regular.max_length.intro",
                   "merrill2025.regular.max_length.relaxed", "merrill2025.connectivity",
                   "merrill2025.connectivity.input_length", "merrill2025.connectivity.max_vertices.exact",
                   "merrill2025.division", "merrill2025.a5_fit.depth", "merrill2025.a5_fit.width",
                   "sanford2024.khop.upper", "sanford2024.khop.lower", "liu2023.automata.depth"):
        assert needed in ids, needed


def test_every_depth_bound_renders():
    for b in bounds.select(family="depth"):
        assert b.latex and b.to_dict()["expression"], b.id
