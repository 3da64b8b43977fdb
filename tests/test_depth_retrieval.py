"""Retrieval chains at quick scale: the query depth per instance, the fan_in initialisation, L*(D) read at the
depth-D sub-queries of one model, and the finding that made the lookup learnable (a real, tiny training run)."""

import math
import types

import numpy as np
import pytest
import torch

from tbounds.empirical.depth import chains, profiles
from tbounds.empirical.depth.models import DepthTransformer, ModelSpec
from tbounds.empirical.depth.tasks import retrieval_batch, retrieval_example, RetrievalVocab, retrieval_length
from tbounds.empirical.depth.train import EvalSet, Phase, train
from tbounds.empirical.errors import ConfigError


# ------------------------------------------------------------------ generator: the query depth
def test_query_depth_asks_a_shallower_variable_of_the_same_chain():
    rng = np.random.default_rng(3)
    for q in range(4):
        r = retrieval_example(rng, D=3, distractors=1, values=4, variables=10, query_depth=q)
        assert len(r.ids) == retrieval_length(3, 1)                   # the chain keeps its D links
        env = {r.tokens[r.lhs_at(f)]: r.tokens[r.rhs_at(f)] for f in range(len(r.facts))}
        x = r.tokens[-1]
        for _ in range(q):                                              # q links from the queried variable ...
            x = env[x]
        assert env[x] == r.labels[-1] and r.depth[-1] == q              # ... then its fact holds the value
        lhs_of_chain0 = [r.tokens[r.lhs_at(f)] for f, (c, i) in enumerate(r.facts) if c == 0 and i == q]
        assert lhs_of_chain0 == [r.tokens[-1]]


def test_query_depth_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="query depth"):
        retrieval_example(np.random.default_rng(0), D=2, query_depth=3)


def test_query_depths_are_drawn_from_the_given_set():
    _, _, depth, query = retrieval_batch(np.random.default_rng(0), 64, 3, 1, 4, 10, True, query_depths=(1, 3))
    assert set(depth[query].tolist()) == {1, 3}


# ------------------------------------------------------------------ the model's initialisation
def test_fan_in_initialisation_and_the_default_left_alone():
    spec = dict(vocab=20, classes=4, layers=2, width=32, heads=4, max_len=8)
    gpt2 = DepthTransformer(ModelSpec(**spec), [0])
    fan = DepthTransformer(ModelSpec(**spec, init="fan_in"), [0])
    assert abs(gpt2.embed.std().item() - 0.02) < 0.003
    assert abs(fan.embed.std().item() - 1.0) < 0.1
    assert abs(fan.qkv_w.std().item() - 1 / math.sqrt(32)) < 0.02
    assert abs(fan.proj_w.std().item() - 1 / math.sqrt(128)) < 0.01
    with pytest.raises(ConfigError, match="init must be one of"):
        ModelSpec(**spec, init="xavier")


def _one_lookup_accuracy(init: str, steps: int) -> float:
    """Depth-1 sub-query accuracy (one lookup over 4 variables) of a 2-layer model after ``steps``."""
    torch.set_num_threads(1)
    args = (1, 1, 4, 4, True)
    x, y, depth, _ = retrieval_batch(np.random.default_rng(9), 128, *args)
    ev = EvalSet.make(x, y, groups=depth)
    spec = ModelSpec(vocab=RetrievalVocab(4, 4).size, classes=4, layers=2, width=32, heads=4,
                     max_len=retrieval_length(1, 1), positional="rotary", init=init)
    model = DepthTransformer(spec, [0])

    def sample(rng, batch):
        return retrieval_batch(rng, batch, *args)[:2]

    log = train(model, [Phase(sample, steps)], [3e-3], ev, batch=64, eval_every=steps)
    return log.checkpoints[-1].by_group["1"][0]


def test_fan_in_initialisation_learns_one_lookup_where_gpt2_initialisation_plateaus():
    # the finding behind the quick profile (docs/depth-experiments.md): same data, steps, optimiser; the plateau
    # is "answer a value seen in context" (about 0.71 here)
    fan_in, gpt2 = _one_lookup_accuracy("fan_in", 400), _one_lookup_accuracy("gpt2", 400)
    assert fan_in >= 0.85 and gpt2 < 0.8 and fan_in - gpt2 > 0.1, (fan_in, gpt2)


# ------------------------------------------------------------------ units, rows and relations
def test_quick_profile_plans_one_sweep_unit_and_the_curriculum_comparison():
    us = chains.units(profiles.QUICK)
    sweep = [u for u in us if u.read == "subqueries"]
    assert len(sweep) == 1 and sweep[0].D == max(profiles.QUICK.retrieval.D_values) and sweep[0].curriculum
    pair = [(u.D, u.curriculum, u.layers) for u in us if u.read == "query"]
    assert sorted(pair) == [(1, False, (3,)), (1, True, (3,))]


def _trial(L, acc_by_depth, query=0.6):
    groups = {str(d): {"best": a, "median": a - 0.01} for d, a in acc_by_depth.items()}
    curve = {"steps": [100], "accuracy": [[query]], "by_group": [{str(d): [a] for d, a in acc_by_depth.items()}]}
    return {"L": L, "best": query, "median": query, "groups": groups, "best_member": 0, "curve": curve}


def test_rows_read_each_depth_from_its_own_sub_queries():
    unit = chains.RetrievalUnit(D=3, read="subqueries", layers=(1, 2, 3))
    trials = [_trial(1, {1: 0.7, 2: 0.6, 3: 0.6}), _trial(2, {1: 1.0, 2: 0.8, 3: 0.7}),
              _trial(3, {1: 1.0, 2: 0.97, 3: 0.9})]
    results = types.SimpleNamespace(of=lambda e: [(unit, types.SimpleNamespace(result={"trials": trials},
                                                                                seconds=1.0))])
    rows = chains.rows(None, results)
    assert [(r["D"], r["L95_best"], r["L99_best"]) for r in rows] == [(1, 2, 2), (2, 3, None), (3, None, None)]
    assert [r["lower"] for r in rows] == [1, 2, 2] and rows[0]["query_best_by_L"] == {1: 0.6, 2: 0.6, 3: 0.6}
    assert "depth_learned_at" in rows[-1] and "depth_learned_at" not in rows[0]    # emergence once per model
    rel = chains.relations(rows, None)
    assert rel[0].relation.endswith("(depth-D sub-queries of one implicit-curriculum model, our design)")
    assert rel[0].verdict == "holds where reached; some D not reached within the searched depths"


def test_a_sub_query_success_below_the_lower_bound_is_still_a_violation():
    unit = chains.RetrievalUnit(D=2, read="subqueries", layers=(1,))
    trials = [_trial(1, {1: 1.0, 2: 1.0})]          # D = 2 at one layer: below ceil(log3 4) = 2
    results = types.SimpleNamespace(of=lambda e: [(unit, types.SimpleNamespace(result={"trials": trials},
                                                                                seconds=1.0))])
    rows = chains.rows(None, results)
    assert rows[1]["relation"].startswith("VIOLATED")
    assert chains.relations(rows, None)[0].verdict.startswith("VIOLATED at D = 2")


def test_steps_at_must_be_pairs():
    with pytest.raises(ConfigError, match="steps_at"):
        chains.Section(steps_at=((4,),))
    with pytest.raises(ConfigError, match="read"):
        chains.Section(read="everything")
