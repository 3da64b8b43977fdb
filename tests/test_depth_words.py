"""Depth family, word problems (issue 11): group tables, running products, controls, n@eps and the fits."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tbounds.empirical.depth.groups import STANDARD, compose, group, is_even, running_products
from tbounds.empirical.depth.n_star import n_at_eps, summarise
from tbounds.empirical.depth.word_tasks import (IGNORE, cycle_navigation_label, modular_arithmetic_label,
                                                word_problem_examples, word_problem_label, word_task)
from tbounds.empirical.errors import ConfigError
from tbounds.empirical.fit import line

# ---------------------------------------------------------------- groups


@pytest.mark.parametrize("name, order", [("Z2", 2), ("Z5", 5), ("S3", 6), ("A4", 12), ("A5", 60), ("S5", 120)])
def test_tables_are_groups(name, order):
    g = group(name)
    t = g.table
    assert g.order == order and t.shape == (order, order)
    assert (t[0] == np.arange(order)).all() and (t[:, 0] == np.arange(order)).all()  # index 0 is the identity
    for row in (*t, *t.T):                       # Latin square: every product exists once per row and column
        assert sorted(row) == list(range(order))
    assert (t[np.arange(order), g.inverses] == 0).all() and (t[g.inverses, np.arange(order)] == 0).all()
    a, b, c = np.meshgrid(*[np.arange(order)] * 3, indexing="ij")  # associativity, all triples
    assert (t[t[a, b], c] == t[a, t[b, c]]).all()


def test_permutation_groups_follow_the_authors_convention():
    for n in (3, 4, 5):
        S = group(f"S{n}")
        assert list(S.elements) == list(itertools.permutations(range(1, n + 1)))  # lexicographic
        A = group(f"A{n}")
        assert list(A.elements) == [p for p in S.elements if is_even(p)]
        for i, a in enumerate(S.elements):
            for j, b in enumerate(S.elements):
                # a∘b applies b first: (a∘b)(k) = a(b(k))
                assert S.elements[S.table[i, j]] == tuple(a[b[k] - 1] for k in range(n))


def test_a5_is_the_smallest_perfect_group_and_the_controls_are_solvable():
    A5 = group("A5")
    assert A5.order == 60 and A5.is_perfect and not A5.is_solvable and not A5.is_abelian
    assert group("S5").commutator_subgroup() == frozenset(
        i for i, p in enumerate(group("S5").elements) if is_even(p))     # [S5, S5] = A5
    assert not group("S5").is_solvable
    for name in ("Z2", "Z5"):
        assert group(name).is_abelian and group(name).is_solvable
    for name in ("S3", "A4"):
        assert not group(name).is_abelian and group(name).is_solvable and not group(name).is_perfect


def test_z_m_is_addition_mod_m():
    g = group("Z7")
    assert all(g.multiply(a, b) == (a + b) % 7 for a in range(7) for b in range(7))


@pytest.mark.parametrize("name", ["Q8", "Z1", "S7", "A0", "", "5"])
def test_unknown_groups_are_one_line_errors(name):
    with pytest.raises(ConfigError, match="group must be"):
        group(name)


# ---------------------------------------------------------------- running products


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["S3", "A4", "A5", "S5"]), st.integers(0, 2 ** 32 - 1), st.integers(1, 20))
def test_running_products_equal_brute_force_composition(name, seed, length):
    g = group(name)
    words = np.random.default_rng(seed).integers(0, g.order, size=(3, length))
    got = running_products(g, words)
    for word, labels in zip(words, got):
        acc = tuple(range(1, len(g.elements[0]) + 1))
        for letter, label in zip(word, labels):
            acc = compose(acc, g.elements[letter])      # x_1∘...∘x_t: the newest letter applied first
            assert g.elements[label] == acc


def test_parity_is_running_xor_and_cycle_navigation_is_a_walk():
    x = np.random.default_rng(0).integers(0, 2, size=(4, 30))
    assert (word_task("Z2").labels(x) == np.cumsum(x, axis=1) % 2).all()
    # Delétang et al.'s examples, actions -1/0/+1 written as tokens 0/1/2
    assert cycle_navigation_label("2,0,1,0,0")["target"][-1] == 3     # 1 -1 0 -1 -1 -> class 3
    assert cycle_navigation_label("2,2,2,0")["target"][-1] == 2       # 1 1 1 -1 -> class 2


@pytest.mark.parametrize("text, value", [("1+2*3", 2), ("1-1-1", 4), ("0*1+4*3-2", 0), ("4*4*4-3*2+1", 4)])
def test_modular_arithmetic_matches_delétang_examples_and_python(text, value):
    out = modular_arithmetic_label(text, modulus=5)
    assert out["target"][-1] == value == eval(text) % 5
    numbers = [i for i in range(len(out["input"])) if i % 2 == 0]
    assert all(out["target"][i] is not None for i in numbers)
    assert all(out["target"][i] is None for i in range(1, len(out["input"]), 2))
    for i in numbers:                                                  # every prefix ending in a number
        assert out["target"][i] == eval(text[: i + 1]) % 5


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.integers(1, 15))
def test_modular_prefixes_equal_python_eval(seed, length):
    task = word_task("modarith5")
    x, y = task.sample(np.random.default_rng(seed), 2, length)
    for row, labels in zip(x, y):
        text = "".join(str(v) if i % 2 == 0 else "+-*"[v - 5] for i, v in enumerate(row))
        for i in range(0, length, 2):
            assert labels[i] == eval(text[: i + 1]) % 5
        assert all(labels[i] == IGNORE for i in range(1, length, 2))


def test_the_cli_example_and_seeded_examples():
    assert word_problem_label("1,2,3", group="A5") == {"input": [1, 2, 3], "target": [1, 0, 3]}
    first = word_problem_examples(3, seed=4, group="S5", n=6)
    assert first == word_problem_examples(3, seed=4, group="S5", n=6)
    assert all(len(e["input"]) == len(e["target"]) == 6 for e in first)
    with pytest.raises(ConfigError, match="--input must be tokens 0..59"):
        word_problem_label("1,60", group="A5")
    with pytest.raises(ConfigError, match="must alternate"):
        modular_arithmetic_label("1,2,3")


def test_task_properties():
    assert [word_task(n).abelian for n in STANDARD] == [True, True, False, False, False, False]
    assert [word_task(n).solvable for n in STANDARD] == [True, True, True, True, False, False]
    assert word_task("cycle").abelian and word_task("modarith").solvable
    assert (word_task("A5").vocab, word_task("A5").classes) == (60, 60)
    assert (word_task("modarith5").vocab, word_task("modarith5").classes) == (8, 5)
    with pytest.raises(ConfigError, match="cycle<m> needs an integer m >= 2"):
        word_task("cycle1")


# ---------------------------------------------------------------- n@eps


def test_n_at_eps_is_the_first_failing_position_not_the_last_passing_one():
    acc = [1.0, 0.99, 0.93, 0.99, 0.99, 0.5]
    assert n_at_eps(acc) == 2                                  # not 5 ("largest index above 95%" reading)
    assert n_at_eps(acc, eps=0.1) == 5
    assert n_at_eps([0.2, 1.0]) == 0 and n_at_eps([]) == 0
    assert n_at_eps([0.95, 0.95]) == 2                         # exactly 95% passes
    assert n_at_eps([1.0, math.nan, 0.5]) == 2
    with pytest.raises(ValueError):
        n_at_eps([1.0], eps=0)


def test_summarise_takes_the_best_over_seeds_and_checkpoints_and_the_median():
    curves = [[[1, .2, 1, 1], [1, 1, 1, .9]],                   # seed 0: n* 1 then 3
              [[1, 1, 1, 1], [1, 1, .9, 1]],                    # seed 1: 4 (censored), then 2
              [[.9, 1, 1, 1]]]                                  # seed 2: 0
    s = summarise(curves)
    assert s["per_seed_best"] == [3, 4, 0] and s["best"] == 4 and s["censored"]
    assert s["median"] == 3 and s["per_seed_final"] == [3, 2, 0] and s["final_median"] == 2
    assert summarise([])["best"] is None


# ---------------------------------------------------------------- fits


def test_line_fit_recovers_a_known_line_with_an_interval_that_covers_it():
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(200):
        x = np.log2([4, 8, 16, 32, 64, 128])
        y = 4.8 * x - 15.8 + rng.normal(0, 1.0, size=x.size)
        f = line(x, y)
        covered += f.contains(4.8)
    assert 0.9 <= covered / 200 <= 0.99                         # a 95% interval covers about 95% of the time
    exact = line([1, 2, 3], [2, 4, 6])
    assert exact.slope == pytest.approx(2) and exact.r2 == pytest.approx(1) and exact.contains(2)


def test_standard_r2_and_the_papers_swapped_r2():
    from scipy import stats

    x = np.array([1.0, 2, 3, 4, 5, 6])
    y = np.array([1.0, 3, 2, 5, 4, 6])
    f = line(x, y)
    fitted = f.intercept + f.slope * x
    assert f.r2 == pytest.approx(stats.linregress(x, y).rvalue ** 2)
    assert f.r2 == pytest.approx(1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())
    # r2_score(fitted, y): the variance in the denominator is the fitted values'; for a least-squares
    # line that is 2 - 1/r2, never the same as r2 unless the fit is exact
    assert f.r2_swapped == pytest.approx(1 - ((y - fitted) ** 2).sum() / ((fitted - fitted.mean()) ** 2).sum())
    assert f.r2_swapped == pytest.approx(2 - 1 / f.r2) and f.r2_swapped < f.r2


def test_line_fit_drops_non_finite_points_and_reports_no_slope_when_x_is_constant():
    f = line([1, 2, math.inf, 3], [1, 2, 3, math.nan])
    assert f.points == 2 and f.dropped == 2 and math.isinf(f.high)
    assert not line([2, 2], [1, 3]).usable
    import json

    json.dumps(line([2, 2], [1, 3]).to_dict(), allow_nan=False)
    json.dumps(f.to_dict(), allow_nan=False)


# ---------------------------------------------------------------- the experiment: units, relations on synthetic rows

from tbounds.empirical.depth import models as depth_models  # noqa: E402
from tbounds.empirical.depth import word_problems as wp  # noqa: E402
from tbounds.empirical.depth.profiles import PROFILES  # noqa: E402


def _row(task, L, n, looped=False, width=64, T=256, params=1000):
    return {"experiment": "word_problems", "task": task, "kind": wp._kind(task), "layers": L, "looped": looped,
            "width": width, "n_star_best": n, "n_star_median": n, "censored": n >= T, "eval_length": T,
            "params": params, "depth_cor11_for_n_star": 4 * math.ceil(math.log2(n)) + 5 if n else None,
            "guaranteed_length_cor12": None}


def test_ignore_is_the_models_ignore():
    assert IGNORE == depth_models.IGNORE


def test_units_cover_the_sweeps_once_and_skip_looped_at_one_layer():
    for name, profile in PROFILES.items():
        units = wp.units(profile)
        assert len(units) == len(set(units))
        s = profile.word_problems
        assert {u.task for u in units if not u.looped} >= {wp.word_task(t).name for t in s.tasks}
        assert all(u.layers > 1 for u in units if u.looped)
        assert {u.width for u in units if u.layers == s.width_layers and u.task == wp.word_task(s.width_task).name} \
            >= set(s.width_values)


def test_section_errors_name_the_setting():
    with pytest.raises(ConfigError, match="word_problems lengths must be increasing"):
        wp.Section(lengths=(4, 2))
    with pytest.raises(ConfigError, match="group must be"):
        wp.Section(tasks=("Q8",))
    with pytest.raises(ConfigError, match="word_problems steps must be a positive integer"):
        wp.Section(steps=0)


def test_depth_fit_recovers_the_papers_slope_and_leaves_out_censored_points():
    rows = [_row("A5", round(4.8 * math.log2(n) - 15.8 + e), n) for n, e in ((32, 0.2), (64, -0.3), (128, 0.1),
                                                                             (200, 0.0))]
    rows.append(_row("A5", 40, 256))                      # at the ceiling: a lower bound, not a point
    fit = wp.depth_fit(rows, "A5", False, 64)
    assert fit.points == 4 and fit.contains(4.8) and fit.r2 > 0.9
    rel = wp.relations(rows, _profile(width=64, width_task="A5", tasks=("A5",)))[0]
    assert "CI contains" in rel.verdict and "4.8" in rel.verdict and "ceiling" in rel.measured
    assert dict(rel.bounds)["merrill2025.a5_fit.depth"] == "rate"


def _profile(**section):
    q = PROFILES["quick"]
    return q.__class__("synthetic", retrieval=q.retrieval, khop=q.khop, word_problems=wp.Section(**section))


def test_controls_flat_and_a5_growing_and_looped_counted():
    rows = [_row("A5", L, n) for L, n in ((1, 2), (2, 4), (3, 9))]
    rows += [_row("cycle5", L, 256) for L in (1, 2, 3)]             # at the ceiling at every depth: flat
    rows += [_row("A5", L, n, looped=True, params=400) for L, n in ((2, 3), (3, 9))]
    rels = wp.relations(rows, _profile(width=64, tasks=("A5", "cycle")))
    pick = lambda start: next(r for r in rels if r.relation.startswith(start))  # noqa: E731
    flat = pick("abelian controls need no depth growth")
    assert flat.verdict == "abelian flat in depth: 1 of 1 (cycle5); non-abelian growing: 1 of 1 (A5)"
    loop = pick("looped against unlooped")
    assert loop.verdict == "looped >= unlooped at 1/2 depths" and "400 vs 1000 params" in loop.measured


def test_width_fit_beside_the_papers_slope():
    rows = [_row("A5", 2, n, width=w) for w, n in ((128, 8), (256, 17), (512, 22), (1024, 31))]  # 7.2 log2 w - 41.7 ± 2
    rel = [r for r in wp.relations(rows, _profile(width=64, width_layers=2, width_values=(128, 256, 512, 1024)))
           if r.relation.startswith("n* = a·log2(width)")][0]
    assert rel.verdict == "CI contains 7.2"
    fits = wp.fits(rows)
    assert fits["width"]["layers"] == 2 and fits["width"]["slope"] == pytest.approx(7.4)
    flat = [_row("A5", 2, n, width=w) for w, n in ((128, 9), (256, 9), (512, 10), (1024, 9))]
    assert [r.verdict for r in wp.relations(flat, _profile(width=64, width_layers=2))
            if r.relation.startswith("n* = a")] == ["slope 0.10: 7.2 outside the CI"]


def test_a_tiny_unit_reads_n_star_from_its_own_curves():
    from tbounds.empirical.experiment import Context

    unit = wp.WordUnit(task="cycle5", layers=1, width=16, heads=2, lengths=(2, 4), first_steps=20, steps=10,
                       batch=16, seeds=(0, 1), eval_every=10, eval_size=32)
    res = wp.run_unit(unit, Context())
    assert len(res["curves"]) == 2 and all(len(c[0]) == 4 for c in res["curves"])
    assert res["n_star"]["per_seed_best"] == [max(n_at_eps(c) for c in member) for member in res["curves"]]
    assert res["phase_end_steps"] == [20, 30] and res["steps"][-1] == 30
    again = wp.run_unit(unit, Context())
    assert again["curves"] == res["curves"]                         # deterministic on CPU


def test_cli_data_prints_the_word_problem_and_bad_input_is_one_line():
    import json

    from click.testing import CliRunner

    from tbounds.cli.main import cli

    runner = CliRunner()
    out = runner.invoke(cli, ["data", "word-problem", "--group", "A5", "--input", "1,2,3", "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.output) == {"input": [1, 2, 3], "target": [1, 0, 3]}
    bad = runner.invoke(cli, ["data", "word-problem", "--group", "Q8", "--input", "1"])
    assert bad.exit_code == 2 and "group must be" in bad.output and "Traceback" not in bad.output
    mod = runner.invoke(cli, ["data", "modular-arithmetic", "--input", "1+2*3", "--format", "json"])
    assert json.loads(mod.output)["target"] == [1, None, 3, None, 2]


def test_figures_and_table_from_synthetic_rows(tmp_path):
    from tbounds.cli.families import _depth_words, depth as depth_cli
    from tbounds.empirical.comparison import Comparison

    rows = [_row("A5", L, n, T=64) for L, n in ((1, 2), (2, 4), (3, 9))]
    rows += [_row("cycle5", L, 64, T=64) for L in (1, 2, 3)]
    rows += [_row("A5", L, n, looped=True, T=64) for L, n in ((2, 3), (3, 5))]
    rows += [_row("A5", 1, n, width=w, T=64) for w, n in ((32, 1), (128, 3))]
    curves = [{"task": r["task"], "layers": r["layers"], "looped": r["looped"], "width": r["width"],
               "best": [1.0, 0.97, None, 0.4], "best_step": 10, "final_median": [1.0, 0.9, None, 0.3]} for r in rows]
    comparison = Comparison("depth", "synthetic", rows, wp.relations(rows, _profile(width=64, width_layers=1)),
                            {"word_problems": {"fits": wp.fits(rows), "curves": curves}})
    paths = depth_cli.figures(comparison, tmp_path)
    names = {p.name for p in paths}
    assert {"n_star_vs_depth.png", "n_star_by_task.png", "looped_vs_unlooped.png", "n_star_vs_width.png",
            "per_position_accuracy.png"} <= names and all(p.stat().st_size > 0 for p in paths)
    text = "\n".join(depth_cli.tables(comparison, "markdown"))
    assert "n_star_best" in text and "censored" in text
    assert _depth_words.tables(Comparison("depth", "x", [{"experiment": "khop", "k": 1}]), "markdown",
                               ["experiment", "k"])[0].count("khop") == 1


def test_two_points_give_no_interval_and_no_verdict_on_the_papers_slope():
    rows = [_row("A5", 1, 2, width=w) for w in (32, 64)]
    rel = [r for r in wp.relations(rows, _profile(width=64, width_layers=1)) if r.relation.startswith("n* = a")]
    assert rel[0].verdict == "two points: slope 0.00, no interval"


def test_a_phase_ends_early_at_its_target_and_the_log_says_where():
    import torch  # noqa: F401  (the depth models need torch)

    from tbounds.empirical.depth.models import DepthTransformer, ModelSpec
    from tbounds.empirical.depth.train import EvalSet, Phase, train

    def copy(rng, batch):
        x = rng.integers(0, 4, size=(batch, 4))
        return x, x

    model = DepthTransformer(ModelSpec(vocab=4, classes=4, layers=1, width=16, heads=2, max_len=4), [0])
    ev = EvalSet.make(*copy(np.random.default_rng(3), 64))
    log = train(model, [Phase(copy, 400, until=lambda c: min(c.accuracy) >= 0.99), Phase(copy, 30)], lrs=[1e-2],
                evaluation=ev, eval_every=10)
    first = log.phase_ends[0]
    assert first < 400 and log.checkpoints[[c.step for c in log.checkpoints].index(first)].accuracy[0] >= 0.99
    assert log.phase_ends == [first, first + 30] and log.steps_run == first + 30


def test_phase_budgets_and_the_phase_target_are_checked():
    assert wp.budgets(600, (800, 400), (2, 4, 8)) == [600, 800, 400]
    with pytest.raises(ConfigError, match="word_problems steps must be a positive integer or one per later length"):
        wp.Section(steps=(800,), lengths=(2, 4, 8))
    with pytest.raises(ConfigError, match="word_problems phase_target must be in"):
        wp.Section(phase_target=1.5)


@pytest.mark.parametrize("points, says", [
    (((1, 2), (2, 4)), "no interval: 2 depth(s) below the ceiling with 2 distinct n* (2, 4)"),
    (((1, 2), (2, 2), (3, 2)), "no slope: 3 depth(s) below the ceiling with 1 distinct n* (2)"),
    (((1, 2), (2, 4), (3, 256)), "no interval: 2 depth(s) below the ceiling with 2 distinct n* (2, 4), 1 at the ceiling"),
])
def test_the_depth_fit_says_why_it_has_no_slope_or_interval(points, says):
    rows = [_row("A5", L, n) for L, n in points]
    rel = wp.relations(rows, _profile(width=64, width_task="A5", tasks=("A5",)))[0]
    assert rel.verdict.startswith(says) and "4, 8 and 4.8 are not compared" in rel.verdict


def test_the_depth_fit_gives_slope_interval_and_r2_from_three_distinct_points():
    rows = [_row("A5", L, n) for L, n in ((1, 2), (2, 4), (3, 6), (4, 7))]
    fit = wp.depth_fit(rows, "A5", False, 64)
    assert fit.points == 4 and math.isfinite(fit.low) and math.isfinite(fit.high) and fit.low < fit.slope < fit.high
    rel = wp.relations(rows, _profile(width=64, width_task="A5", tasks=("A5",)))[0]
    assert "r²" in rel.measured and rel.verdict.startswith("CI ")


def test_an_interval_containing_every_theory_slope_says_it_cannot_tell_them_apart():
    rows = [_row("A5", L, n) for L, n in ((1, 3), (2, 4), (3, 4))]      # the shape of the quick profile's A5 sweep
    rel = wp.relations(rows, _profile(width=64, width_task="A5", tasks=("A5",)))[0]
    assert rel.verdict.startswith("CI contains 4, 8, 4.8 (too wide to tell them apart: 3 points, 2 distinct n*, "
                                  "1 degree(s) of freedom)")
