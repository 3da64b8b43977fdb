"""The paper's experiments (Appendix H): tuned search, quantisation, curves, readings, kept results."""

from __future__ import annotations

import json
import math

import pytest
import torch
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from tbounds.cli.main import cli
from tbounds.empirical import runner
from tbounds.empirical.ensemble import Criterion
from tbounds.empirical.errors import ConfigError
from tbounds.empirical.experiment import Context
from tbounds.empirical.memorization import FAMILY, kept, paper, paper_compare, profiles
from tbounds.empirical.memorization.models import Transformer
from tbounds.empirical.memorization.tasks import random_tokens
from tbounds.empirical.memorization.tuning import quantise, quantise_tensor, search_around, tune_size
from tbounds.empirical.memorization.units import CurveRecorder, CurveUnit, TunedCapacityUnit, run_unit
from tbounds.empirical.store import Store

torch.set_num_threads(1)
PAPER_EXPERIMENTS = ["exp_c", "exp_b", "exp_a", "precision"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(1, 40))
def test_search_around_finds_the_threshold_of_a_monotone_oracle(threshold, start, high):
    start = min(start, high)
    found = search_around(lambda k: k >= threshold, start, low=0, high=high)
    assert found == (threshold if threshold <= high else None)


def test_search_around_steps_down_from_a_success_and_rejects_a_bad_start():
    tried = []
    assert search_around(lambda k: tried.append(k) or k >= 2, 4) == 2 and tried == [4, 3, 2, 1]
    with pytest.raises(ConfigError, match="start"):
        search_around(lambda k: True, 5, high=3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=30), st.integers(2, 10))
def test_quantisation_uses_at_most_2_to_the_k_minus_1_levels_and_rounds_to_the_nearest(values, bits):
    w = torch.tensor(values, dtype=torch.float64)
    q = quantise_tensor(w, bits)
    top = 2 ** (bits - 1) - 1
    assert len(set(q.tolist())) <= 2 * top + 1
    scale = float(w.abs().max()) / top
    assert float((q - w).abs().max()) <= scale / 2 + 1e-12


def test_quantise_scales_each_tensor_on_its_own():
    model = Transformer(d=3, blocks=1)
    flat = model.init([0, 1])
    q = quantise(flat, model.layout, 4)
    for name, view in model.layout.views(q).items():
        levels = set(view[0].flatten().tolist())
        assert len(levels) <= 15, name
    assert not torch.equal(q, flat)


def test_tune_size_asks_lr_and_warmup_in_range_and_is_deterministic():
    ds = random_tokens(N=8, n=3, d=3, seed=0)
    kw = dict(trials=3, rounds=2, steps=40, lr_range=(1e-3, 0.3), warmup_range=(0.0, 0.3), patience=10,
              criterion=Criterion("mse", 0.01), seed=5)
    a = tune_size(lambda k: Transformer(d=3, blocks=k), 1, ds.X, ds.y, **kw)
    b = tune_size(lambda k: Transformer(d=3, blocks=k), 1, ds.X, ds.y, **kw)
    assert a["trials"] == b["trials"] and len(a["trials"]) == 3
    for t in a["trials"]:
        assert 1e-3 <= t["lr"] <= 0.3 and 0 <= t["warmup"] <= 0.3 and t["steps"] <= 40
        assert not (t["met"] and t["plateaued"])
    assert a["steps"] <= 2 * 40


def test_a_success_needs_the_criterion_in_float64():
    ds = random_tokens(N=4, n=2, d=3, seed=1)
    out = tune_size(lambda k: Transformer(d=3, blocks=k), 2, ds.X, ds.y, trials=2, steps=400,
                    criterion=Criterion("mse", 0.01), precisions=("fp32", "q2"))
    assert out["success"]["fp32"] == any(t["met"] for t in out["trials"])


def test_curve_recorder_records_every_few_steps():
    ds = random_tokens(N=5, n=3, d=3, seed=0)
    unit = CurveUnit(N=5, blocks=1, n=3, d=3, data="random", trials=2, steps=25, every=5)
    out = run_unit(unit, Context())
    assert out["curve"]["step"] == [0, 5, 10, 15, 20, 25]
    assert len(out["curve"]["loss"]) == 6 and all(0 <= a <= 1 for a in out["curve"]["accuracy"])
    assert out["final_loss"] == out["curve"]["loss"][-1]
    rec = CurveRecorder(Transformer(d=3, blocks=0), ds.y, 2)
    rec.forward(Transformer(d=3, blocks=0).init([0]), ds.X)
    assert rec.steps == [0]


@pytest.mark.parametrize("bad, match", [(dict(trials=0), "trials"), (dict(round_to="fp16"), "round_to"),
                                        (dict(precisions=("q1",)), "precision"), (dict(start=70), "start"),
                                        (dict(lr_low=0.5, lr_high=0.1), "lr range")])
def test_tuned_unit_rejects_bad_settings(bad, match):
    with pytest.raises(ConfigError, match=match):
        TunedCapacityUnit(N=4, n=2, **bad)


def test_paper_readings_are_fitted_in_code_and_do_not_show_one_half():
    fit = paper.figure3_fit()
    assert fit.points == 12 and not fit.contains(0.5) and fit.slope > 1
    assert paper.transformer_params(4, 6) == Transformer(d=6, blocks=4).param_count()
    assert paper.bits_per_parameter(500, 4, 6) == round(500 / Transformer(d=6, blocks=4).param_count(), 2)


def test_paper_profile_keeps_its_cost_knobs_and_the_papers_settings():
    p = profiles.PAPER
    c = [u for u in profiles.exp_c_units(p) if u.criterion == "mse"]
    assert sorted(u.n for u in c) == [10, 100, 1000, 10000] and all(u.N == 500 and u.d == 6 and u.start == 4 for u in c)
    b = [u for u in profiles.exp_b_units(p) if u.criterion == "mse"]
    assert [u.N for u in b] == list(range(600, 1800, 100)) and all(u.n == 8 and u.trials == 10 for u in b)
    assert {u.criterion for u in profiles.exp_b_units(p) + profiles.exp_c_units(p)} == {"mse", "sign"}
    a = profiles.exp_a_units(p)
    assert sorted({(u.N, u.blocks) for u in a}) == sorted([(2000, k) for k in (1, 10, 20, 30, 40, 50)]
                                                         + [(3000, k) for k in (1, 10, 20, 30, 40)])
    assert all(u.steps == 1000 and u.criterion == "mse" and u.threshold == 0.01 for u in c + b)


@pytest.fixture(scope="module")
def tiny_paper(tmp_path_factory):
    path = tmp_path_factory.mktemp("paper") / "store.sqlite"
    profile = FAMILY.profile("tiny")
    with Store(path) as store:
        results = runner.run(FAMILY.select(PAPER_EXPERIMENTS), profile, store)
    return path, profile, results


def test_tiny_paper_run_gives_rows_beside_the_paper_and_relations(tiny_paper):
    _, profile, results = tiny_paper
    comp = FAMILY.compare(results, profile)
    names = {r["experiment"] for r in comp.rows}
    assert names == set(PAPER_EXPERIMENTS)
    assert {r["precision"] for r in comp.rows if r["experiment"] == "precision"} == {"fp32", "q4", "bf16"}
    text = " ".join(r.relation + r.verdict for r in comp.relations)
    assert "Experiment C" in text and "Experiment B" in text and "do not show 0.5 either" in text
    assert comp.extras["curves"] and comp.extras["curves"][0]["step"][0] == 0
    for r in comp.rows:
        if r.get("bits_per_param") is not None:
            assert math.isclose(r["bits_per_param"], r["N"] / r["min_params"], abs_tol=1e-3)


def test_kept_results_are_read_where_the_store_lacks_the_units(tiny_paper, tmp_path, monkeypatch):
    store_path, profile, results = tiny_paper
    # A mechanism test: the tiny run's rows, labelled as the paper profile's, stand in for a full run's file.
    out = kept.write(results, "paper", tmp_path / "memorization-paper.json", "tiny run (test)", 1.5)
    data = json.loads(out.read_text())
    assert data["machine"]["cores"] and data["machine"]["torch"] == torch.__version__
    assert len(data["rows"]) == len(results.finished())
    monkeypatch.setenv(kept.ENV, str(out))
    empty = tmp_path / "empty.sqlite"
    answer = CliRunner().invoke(cli, ["compare", "memorization", "--paper", "--no-run", "--store", str(empty),
                                      "--format", "json", "--plot-dir", ""])
    assert answer.exit_code == 0, answer.output
    shown = json.loads(answer.stdout)
    assert shown["relations"][0]["relation"] == "source of the paper-profile rows"
    assert "tiny run (test)" in shown["relations"][0]["measured"]
    assert f"kept results in {out}" in answer.stderr   # the user is told where the rows came from
    assert {r["experiment"] for r in shown["rows"]} >= {"exp_b", "exp_c"}
    assert kept.load("quick", out) is None  # another profile's file is never read


def test_exp_b_relation_states_the_papers_own_slope():
    rel = paper_compare.exp_b_relation([{"experiment": "exp_b", "N": N, "min_blocks": b, "found": True}
                                        for N, b in ((600, 1), (900, 2), (1200, 2), (1500, 3))])
    assert f"{paper.figure3_fit().slope:.2f}" in rel.verdict


def test_the_repository_keeps_a_full_paper_run_that_matches_todays_units(tmp_path):
    # The kept file (docs/results/memorization-paper.json) must be tracked and must cover every unit the
    # paper profile plans today: a unit whose meaning changed would silently drop out of --no-run.
    from tbounds.empirical.runner import run
    from tbounds.empirical.store import Store

    source = kept.load("paper", kept.REPO_ROOT / "docs" / "results" / "memorization-paper.json")
    assert source is not None and source.header["wall_seconds"] > 0
    with Store(tmp_path / "empty.sqlite") as store:
        results = run(FAMILY.experiments, FAMILY.profile("paper"), store, execute=False)
    merged = source.results(results)
    missing = [p.experiment.short_name for p in merged.planned if p.key not in merged.rows]
    assert not missing, f"kept file lacks units of: {sorted(set(missing))}"
