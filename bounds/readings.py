"""Readings side by side, and which to prefer: what ``tbounds show`` says about a bound with several readings.

Where a paper is ambiguous each reading is its own bound (same source label, same quantity,
its own ``reading``). :func:`readings` finds a bound's siblings; :func:`preference` says which of
them to use and why, where our sources give a reason (:data:`PREFERENCES`), and says plainly
that none is preferred where they do not.

>>> from tbounds.bounds import get
>>> [b.id for b in readings(get("merrill2025.regular.max_length.intro"))]
['merrill2025.regular.max_length.exact', 'merrill2025.regular.max_length.intro', 'merrill2025.regular.max_length.relaxed', 'merrill2025.regular.max_length.printed_plus_one']
>>> preference(get("merrill2025.regular.max_length.intro"))[0]
'merrill2025.regular.max_length.exact'
>>> preference(get("alberti2023.transformer.width"))[0] is None
True
"""

from __future__ import annotations

import fnmatch
from typing import Optional

#: (pattern of the group's ids, the preferred id (``{}`` is the group's own stem), why)
PREFERENCES: tuple[tuple[str, str, str], ...] = (
    ("kajitsuka2025.next_token.*_explicit*", "{stem}",
     "the proof reading is the value the construction of Theorem B.1 actually needs (R_2 with sqrt(d)); the "
     "printed reading rounds sqrt(d) up to d, which only enlarges it: use it to reproduce the statement's own numbers"),
    ("vardi2022.ffn.upper*", "vardi2022.ffn.upper",
     "its radius is checked against the reproduction in Lemma C.1 of arXiv 2409.17677; vardi_R is our recollection "
     "of Vardi et al.'s own Theorem 3.1 and is unverified"),
    ("merrill2025.regular.max_length.*", "merrill2025.regular.max_length.exact",
     "it solves Corollary 1.2's condition exactly; relaxed is implied by it (never larger, also safe); intro and "
     "printed_plus_one reproduce numbers printed in the paper, not its condition"),
    ("merrill2025.connectivity.max_vertices.*", "merrill2025.connectivity.max_vertices.exact",
     "it solves Corollary 2.1's condition exactly; relaxed is implied by it (never larger, also safe); intro "
     "reproduces the introduction's numbers, not the condition"),
    ("truong2024.gap.t1*", "truong2024.gap.t1.quadrature",
     "for the same reading of (T1), the exact Dudley integral is never larger than the closed form (which bounds "
     "a square root of a sum by a sum of square roots); use t1 for the closed form, t1_log1p if your eps may "
     "exceed B_x B_w"),
)


def readings(bound) -> list:
    """The bound and its sibling readings (same paper, label, family and quantity, each with a ``reading``)."""
    from .registry import select  # public query: it loads the families first

    if not bound.reading:
        return [bound]
    key = (bound.family, bound.source.arxiv, bound.source.label, bound.quantity.name)
    return [b for b in select(family=bound.family)
            if b.reading and (b.family, b.source.arxiv, b.source.label, b.quantity.name) == key]


def _stem(bound_id: str) -> str:
    return bound_id.removesuffix(".printed_R")


def preference(bound) -> tuple[Optional[str], str]:
    """``(preferred id, why)`` among the bound's readings; ``(None, why)`` where no reading is preferred."""
    group = readings(bound)
    if len(group) < 2:
        return None, ""
    for pattern, preferred, why in PREFERENCES:
        if fnmatch.fnmatchcase(bound.id, pattern):
            return preferred.format(stem=_stem(bound.id)), why
    return None, ("no reading is preferred: our sources do not settle the paper's ambiguity, so the readings "
                  "are kept side by side; evaluate them together (tbounds eval ID ID ...) and report the spread")
