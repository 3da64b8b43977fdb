"""Depth experiments: generators against hand-worked examples, data labelling, verdicts on synthetic rows,
and a two-layer model that learns k = 1 at tiny scale."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.depth import chains, khop
from tbounds.empirical.depth.heads import carriers, emergence, hop_mass
from tbounds.empirical.depth.models import IGNORE
from tbounds.empirical.depth.search import minimal_depth
from tbounds.empirical.depth.tasks import (KhopVocab, hop, khop_batch, khop_letters, retrieval_example,
                                           retrieval_label, retrieval_length)
from tbounds.empirical.errors import ConfigError


# ------------------------------------------------------------------ k-hop, worked by hand
def test_hop_worked_by_hand():
    # s = a b c a b c a b (0..7)
    s = "abcabcab"
    assert hop(s, 0) == list(s)
    # one hop = induction head: the token after the previous occurrence
    assert hop(s, 1) == [None, None, None, "b", "c", "a", "b", "c"]
    # position 7 (b): b at 4 -> pointer 5 (c); c at 2 -> pointer 3 (a)
    # position 6 (a): a at 3 -> pointer 4 (b); b at 1 -> pointer 2 (c)
    assert hop(s, 2) == [None, None, None, None, None, "b", "c", "a"]
    # the search is relative to the current pointer, not the original position: from 7, hop 3 looks
    # for an a strictly left of pointer 3 (position 0) and lands on 1 (b)
    assert hop(s, 3)[7] == "b"


def test_hop_on_the_issue_example():
    assert hop("abcadb", 1) == [None, None, None, "b", None, "c"]
    assert hop("abcadb", 3) == [None] * 6


def test_letters_have_no_immediate_repeats_and_batches_are_labelled_everywhere():
    s = khop_letters(np.random.default_rng(0), 500, 4)
    assert (s[1:] != s[:-1]).all() and set(s.tolist()) == {0, 1, 2, 3}
    vocab = KhopVocab(4, 16)
    x, y, ks = khop_batch(np.random.default_rng(1), 20, 12, [0, 2, 5], vocab)
    assert (y[:, 0] == IGNORE).all() and (y[:, 1:] != IGNORE).all()
    for b in range(20):
        assert x[b, 0] == 4 + ks[b]
        expected = [vocab.none if t is None else t for t in hop(x[b, 1:].tolist(), int(ks[b]))]
        assert y[b, 1:].tolist() == expected


def test_pointers_match_hop():
    s = list("abcabdacbd")
    ptr = khop.pointers(s, 3)
    for j in range(4):
        assert [s[p] if p >= 0 else None for p in ptr[j]] == hop(s, j)


# ------------------------------------------------------------------ retrieval, worked by hand
def test_retrieval_instance_structure():
    rng = np.random.default_rng(3)
    for order, separator in (("interleaved", True), ("shuffled", True), ("interleaved", False)):
        r = retrieval_example(rng, D=3, distractors=2, values=5, variables=20, order=order, separator=separator)
        w = 3 if separator else 2
        assert len(r.ids) == retrieval_length(3, 2, separator) == 1 + w * 12 + 2
        assert r.tokens[0] == "<s>" and r.tokens[-2] == "?"
        env = {}
        for f in range(12):
            fact = r.tokens[r.lhs_at(f): r.rhs_at(f) + 1]
            assert len(fact) == w and (fact[1] == "=") == separator
            lhs, rhs = fact[0], fact[-1]
            env[lhs] = rhs
        name = r.tokens[-1]
        for _ in range(4):
            name = env[name]
        assert name == r.labels[-1] and r.depth[-1] == 3
        if order == "interleaved":   # every fact's label resolvable from its prefix
            assert sum(v is not None for v in r.labels) == 13


def test_query_only_labels_the_query():
    r = retrieval_example(np.random.default_rng(0), D=2, curriculum=False)
    assert [i for i, v in enumerate(r.labels) if v is not None] == [len(r.ids) - 1]


def test_retrieval_label_of_a_written_instance():
    out = retrieval_label("A=3 C=B B=A ? C", separator=False)
    # C=B comes before B is defined: not resolvable at that point, so unlabelled
    assert out["input"] == ["A", "3", "C", "B", "B", "A", "?", "C"]
    assert out["target"] == [None, "3", None, None, None, "3", None, "3"]
    out = retrieval_label("A=3 C=B B=A ? C")
    assert out["input"] == ["A", "=", "3", "C", "=", "B", "B", "=", "A", "?", "C"]
    assert out["target"] == [None, None, "3", None, None, None, None, None, "3", None, "3"]


def test_retrieval_rejects_too_few_variables():
    with pytest.raises(ConfigError, match="variables"):
        retrieval_example(np.random.default_rng(0), D=5, distractors=2, variables=10)


# ------------------------------------------------------------------ tbounds data
def test_data_labels_the_issue_example():
    res = CliRunner().invoke(cli, ["data", "khop", "--k", "1", "--input", "abcadb", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"input": list("abcadb"), "target": [None, None, None, "b", None, "c"]}
    res = CliRunner().invoke(cli, ["data", "khop", "--k", "3", "--input", "abcadb", "--format", "json"])
    assert json.loads(res.output)["target"] == [None] * 6


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "latex", "table"])
def test_data_prints_every_format(fmt):
    for task in ("khop", "retrieval"):
        res = CliRunner().invoke(cli, ["data", task, "--count", "2", "--format", fmt])
        assert res.exit_code == 0, res.output


def test_data_bad_setting_is_one_line():
    res = CliRunner().invoke(cli, ["data", "retrieval", "--labels", "all"])
    assert res.exit_code == 2 and "labels must be" in res.output and "Traceback" not in res.output


# ------------------------------------------------------------------ heads
def test_hop_mass_and_emergence():
    A = torch.zeros(2, 1, 1, 4, 4)
    A[0, 0, 0, 3, 1] = 0.8
    A[1, 0, 0, 3, 1] = 0.2
    ind = torch.zeros(1, 4, 4)
    ind[0, 3, 1] = 1
    mass = hop_mass([torch.zeros_like(A), A], {"1": ind})
    assert mass["1"][0] == [[0.0], [0.8]] and mass["1"][1] == [[0.0], [0.2]]
    assert carriers(mass, 0)["1"] == {"layer": 1, "head": 0, "mass": 0.8}
    hist = [(0, {"1": {"mass": 0.1}, "2": {"mass": 0.0}}), (5, {"1": {"mass": 0.7}, "2": {"mass": 0.2}}),
            (9, {"1": {"mass": 0.7}, "2": {"mass": 0.6}})]
    assert emergence(hist, 0.5) == {"steps": {"1": 5, "2": 9}, "order": ["1", "2"]}


# ------------------------------------------------------------------ verdicts on synthetic rows
def _retrieval_row(D, L, curriculum=True, best=1.0, reach=None):
    lower = chains._bound(chains.LOWER, D=D)
    upper = chains._bound(chains.UPPER, D=D)
    return {"experiment": "retrieval", "D": D, "curriculum": curriculum, "L95_best": L, "L95_median": L,
            "L99_best": L, "L99_median": L, "lower": lower, "upper": upper, "max_L": 4, "best_by_L": {1: best},
            "depth_learned_at": reach or {}, "emergence_L": L}


def test_success_below_the_lower_bound_is_reported_as_a_violation():
    rows = [_retrieval_row(1, 1), _retrieval_row(2, 2), _retrieval_row(5, 2)]   # D = 5 needs ceil(log3 10) = 3
    first = chains.relations(rows, None)[0]
    assert first.verdict.startswith("VIOLATED at D = 5") and "Assumption 1" in first.verdict
    assert chains.verdict(rows[2]).startswith("VIOLATED")


def test_retrieval_verdicts_within_bracket_monotone_curriculum_and_order():
    rows = [_retrieval_row(1, 1, reach={"0": 100, "1": 200}), _retrieval_row(2, 2), _retrieval_row(4, 3),
            _retrieval_row(2, None, curriculum=False, best=0.5)]
    rel = {r.relation.split(" (")[0]: r for r in chains.relations(rows, None)}
    assert rel["L*(D) >= ceil(log3 2D)"].verdict == "holds: every L* at or above ceil(log3 2D)"
    assert rel["L*(D) non-decreasing in D"].verdict == "holds"
    assert [r for r in rel if r.startswith("implicit curriculum")]
    ic = next(r for k, r in rel.items() if k.startswith("implicit curriculum"))
    assert ic.verdict == "IC better in 1/1"
    order = next(r for k, r in rel.items() if k.startswith("emergence at D = 1"))
    assert order.verdict == "in depth order"
    assert chains.verdict(_retrieval_row(2, None)) == "not reached up to L = 4"
    assert chains.verdict(_retrieval_row(4, 5)) == "above the bracket"


def test_khop_verdicts():
    rows = [{"experiment": "khop", "k": k, "width": 32, "L95_best": L, "L95_median": L, "upper": u, "max_L": 5,
             "learned_at": s} for k, L, u, s in ((1, 2, 2, 100), (2, 2, 3, 300), (4, None, 4, None))]
    rows += [{"experiment": "width", "k": 1, "width": w, "L95_best": L} for w, L in ((16, 3), (32, 2))]
    rel = khop.relations(rows, None)
    assert rel[0].verdict == "matches at 1/3 k; fewer layers at k = [2]; more (or not reached) at k = [4]"
    assert rel[-1].verdict == "about one layer"
    assert khop.verdict(rows[1]).startswith("below")


def test_minimal_depth_reads_groups():
    trials = [{"L": 1, "best": 0.5, "median": 0.5, "groups": {"1": {"best": 0.96, "median": 0.9}}},
              {"L": 2, "best": 0.99, "median": 0.99, "groups": {"1": {"best": 1.0, "median": 0.99}}}]
    assert minimal_depth(trials, 0.95, "best", "1") == 1
    assert minimal_depth(trials, 0.95, "median", "1") == 2
    assert minimal_depth(trials, 0.999, "median") is None


# ------------------------------------------------------------------ learning, tiny but real
def test_two_layers_learn_one_hop_at_tiny_scale():
    """The induction head (k = 1) is learned by a 2-layer model in a few hundred steps (2 seeds)."""
    torch.manual_seed(0)
    unit = khop.KhopUnit(ks=(1,), n=12, alphabet=3, width=32, heads=2, layers=(2,), seeds=(0, 1), lr=1e-2,
                         steps=600, batch=32, eval_every=100, eval_size=128)
    from tbounds.empirical.experiment import Context

    trial = khop.run_unit(unit, Context())["trials"][0]
    assert trial["groups"]["1"]["best"] >= 0.95, trial["groups"]


def test_khop_per_k_profile_makes_one_unit_per_k():
    from dataclasses import replace

    from tbounds.empirical.depth.profiles import QUICK
    mixed = replace(QUICK, khop=replace(QUICK.khop, per_k=False))
    per_k = replace(QUICK, khop=replace(QUICK.khop, per_k=True))
    assert [u.ks for u in khop.khop_units(mixed)] == [tuple(QUICK.khop.ks)]
    assert [u.ks for u in khop.khop_units(per_k)] == [(k,) for k in QUICK.khop.ks]
    assert len(khop.width_units(per_k)) == len(QUICK.khop.ks) * len(QUICK.khop.width_values)
    with pytest.raises(ConfigError, match="stop_median"):
        replace(QUICK.khop, stop_median=0)


def test_retrieval_depth_one_labels_are_one_induction_hop():
    """A depth-1 label (the rhs x_0 of ``x_1 x_0``) is exactly hop_1 of the token sequence: the token after the
    earlier occurrence of x_0, its value -- one induction lookup, the circuit a 2-layer model has for k = 1."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        inst = retrieval_example(rng, D=3, distractors=2, values=4, variables=16, separator=False)
        one = hop(inst.ids, 1)
        for t, (label, depth) in enumerate(zip(inst.label_ids, inst.depth)):
            if depth == 1 and t < len(inst.ids) - 1:
                assert one[t] == label


def test_retrieval_depth_one_labels_with_separator_read_two_after_the_earlier_lhs():
    """``lhs = rhs``: a depth-1 label is the token two after the earlier occurrence of the rhs (its own fact's rhs)."""
    rng = np.random.default_rng(4)
    for _ in range(20):
        inst = retrieval_example(rng, D=3, distractors=2, values=4, variables=16)
        for t, (label, depth) in enumerate(zip(inst.label_ids, inst.depth)):
            if depth == 1 and t < len(inst.ids) - 1:
                j = max(i for i in range(t) if inst.ids[i] == inst.ids[t])
                assert inst.tokens[j + 1] == "="
                assert inst.ids[j + 2] == label


def test_train_with_group_targets_waits_for_every_group():
    """``target_groups``: early stopping waits for the slowest group (here one that cannot be learned: random)."""
    import torch

    from tbounds.empirical.depth.models import DepthTransformer, ModelSpec
    from tbounds.empirical.depth.train import EvalSet, Phase, train

    def task(rng, batch):      # group 0: copy the token (learnable); group 1: a fresh random label (not)
        x = rng.integers(0, 4, size=(batch, 4))
        y = x.copy()
        y[:, 3] = rng.integers(0, 4, size=batch)
        return x, y

    x, y = task(np.random.default_rng(1), 64)
    groups = np.zeros_like(x)
    groups[:, 3] = 1
    torch.manual_seed(0)
    spec = ModelSpec(vocab=4, classes=4, layers=1, width=16, heads=2, max_len=4)
    pooled = train(DepthTransformer(spec, [0]), [Phase(task, 200)], [1e-2], EvalSet.make(x, y, groups=groups),
                   eval_every=50, target=0.6)
    strict = train(DepthTransformer(spec, [0]), [Phase(task, 200)], [1e-2], EvalSet.make(x, y, groups=groups),
                   eval_every=50, target=0.6, target_groups=True)
    assert pooled.reached[0] is not None and pooled.steps_run < 200
    assert strict.reached[0] is None and strict.steps_run == 200


def test_per_k_emergence_reads_each_models_hop_heads():
    rows = [{"experiment": "khop", "k": 2, "width": 64, "L95_best": 3, "L95_median": 3, "upper": 3, "max_L": 5,
             "per_k": True, "emergence_L": 3, "hop_heads_steps": {"1": 100, "2": 400, "prev": 50}},
            {"experiment": "khop", "k": 3, "width": 64, "L95_best": 4, "L95_median": 4, "upper": 3, "max_L": 5,
             "per_k": True, "emergence_L": 4, "hop_heads_steps": {"1": 300, "2": 200}}]
    rel = [r for r in khop.relations(rows, None) if r.relation.startswith("emergence")][0]
    assert rel.verdict == "hop heads appear in hop order in 1/2 models"
    assert "k=2 (L=3): hop 1 at step 100, hop 2 at step 400, previous-token head at step 50" in rel.measured


def test_retrieval_with_no_d_reached_is_untested_not_holding():
    rows = [{"experiment": "retrieval", "D": D, "curriculum": True, "L95_best": None, "L95_median": None,
             "lower": lo, "upper": up, "max_L": 3, "best_by_L": {1: 0.6}} for D, lo, up in ((1, 1, 2), (2, 2, 3))]
    assert chains.relations(rows, None)[0].verdict.startswith("untested")


# ------------------------------------------------------------------ pointer labels (our design) and per-depth budgets
def test_pointer_labels_are_one_lookup_past_each_rhs():
    from tbounds.empirical.depth.tasks import retrieval_label

    target = retrieval_label("A=3 B=A C=B D=C ? D", labels="pointer")["target"]
    assert target[2::3] + target[-1:] == ["3", "3", "A", "B", "3"]
    rng = np.random.default_rng(5)
    for order in ("interleaved", "shuffled"):
        r = retrieval_example(rng, D=3, distractors=2, values=5, variables=20, order=order, pointer=True)
        env, labelled = {}, 0
        for f in range(12):
            lhs, rhs = r.tokens[r.lhs_at(f)], r.tokens[r.rhs_at(f)]
            want = rhs if rhs.isdigit() else env.get(rhs)      # None: the fact it names comes later
            assert r.labels[r.rhs_at(f)] == want
            assert r.depth[r.rhs_at(f)] == (-1 if want is None else int(not rhs.isdigit()))
            labelled += want is not None
            env[lhs] = rhs
        assert r.depth[-1] == 3 and r.labels[-1].isdigit()     # the query keeps the value
        if order == "interleaved":
            assert labelled == 12


def test_pointer_rows_lead_the_relations_and_are_compared_with_the_query_alone():
    rows = [dict(_retrieval_row(D, None, best=0.6), labels="pointer") for D in (1, 2)]
    rows += [dict(_retrieval_row(2, None, best=0.6), labels="curriculum"),
             _retrieval_row(2, None, curriculum=False, best=0.6)]
    rel = [r.relation for r in chains.relations(rows, None)]
    assert rel[0].endswith("(pointer labels, our design)")
    assert any(r.startswith("pointer labels (our design)") for r in rel)
    assert any(r.startswith("implicit curriculum") for r in rel)


def test_khop_steps_at_must_be_pairs():
    with pytest.raises(ConfigError, match="steps_at"):
        khop.Section(steps_at=((4,),))
    assert khop.Section(steps_at=((4, 4000),)).steps_at == ((4, 4000),)


def test_a_pointer_unit_trains_over_values_and_variables():
    import types

    unit = chains.RetrievalUnit(D=2, labels="pointer", variables=8, width=16, layers=(1,), seeds=(0,), steps=10,
                                batch=8, eval_every=5, eval_size=16)
    out = chains.run_unit(unit, types.SimpleNamespace(device="cpu", report=lambda s: None))
    assert "OUR DESIGN" in out["task"]
    trial = out["trials"][0]
    assert set(trial["groups"]) == {"0", "1", "query"} and 0 <= trial["best"] <= 1     # pointer depths: 0 and 1
