"""Which heads carry which hop: attention mass from a position to what it must read, per layer and head.

A task describes each hop ``j`` by an indicator ``I_j (B, T, T)``: ``I_j[b, s, t] = 1`` when source
position ``s`` must read position ``t`` for hop j (a row may mark several targets, e.g. the three
tokens of a fact).  :func:`hop_mass` averages, over the source rows that have a target, the
attention mass each (layer, head) puts on those targets; :func:`carriers` names, per hop, the head
with the largest mass; :func:`emergence` reads over checkpoints the first step at which each
hop's best head passes a threshold, and the order in which hops emerged.

>>> import torch
>>> A = torch.zeros(1, 1, 2, 3, 3); A[0, 0, 1, 2, 0] = 0.9; A[0, 0, 0, 2, 2] = 1.0   # (M, B, H, T, T)
>>> I = torch.zeros(1, 3, 3); I[0, 2, 0] = 1
>>> hop_mass([A], {1: I})[1][0]          # layer 0: head 0, head 1 (member 0)
[[0.0, 0.9]]
>>> carriers(hop_mass([A], {1: I}), member=0)
{1: {'layer': 0, 'head': 1, 'mass': 0.9}}
>>> emergence([(0, {1: {"mass": 0.1}}), (100, {1: {"mass": 0.6}})], threshold=0.5)
{'steps': {1: 100}, 'order': [1]}
"""

from __future__ import annotations

import torch


def hop_mass(maps: list, indicators: dict) -> dict:
    """``{hop: [[[mass per head] per layer] per member]}`` from attention maps ``[(M, B, H, T, T)] per layer``."""
    out = {}
    for j, ind in indicators.items():
        ind = ind.to(maps[0].dtype).to(maps[0].device)
        rows = (ind.sum(-1) > 0).sum().clamp_min(1)
        per_layer = [torch.einsum("mbhst,bst->mh", A, ind) / rows for A in maps]          # (M, H) each
        stacked = torch.stack(per_layer, dim=1)                                              # (M, layers, H)
        out[j] = [[[round(float(v), 4) for v in layer] for layer in member] for member in stacked]
    return out


def carriers(mass: dict, member: int = 0) -> dict:
    """Per hop, the (layer, head) of one member with the largest mass on the hop's targets."""
    best = {}
    for j, members in mass.items():
        grid = members[member]
        layer, head = max(((l, h) for l in range(len(grid)) for h in range(len(grid[l]))),
                          key=lambda lh: grid[lh[0]][lh[1]])
        best[j] = {"layer": layer, "head": head, "mass": grid[layer][head]}
    return best


def emergence(history: list, threshold: float = 0.5) -> dict:
    """First step at which each hop's best head reaches ``threshold``, and the hops in that order.

    ``history``: ``[(step, carriers)]`` in step order.
    """
    steps = {}
    for step, found in history:
        for j, c in found.items():
            if j not in steps and c["mass"] >= threshold:
                steps[j] = step
    order = sorted(steps, key=lambda j: (steps[j], j))
    return {"steps": steps, "order": order}
