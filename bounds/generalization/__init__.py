"""The generalization family: covering numbers, Dudley integrals, Rademacher complexity and transformer gaps.

Source notes: shared/papers/generalization.md; derivations: docs/generalization.md.
Modules, each with one job:

* :mod:`.common`: shared parameters, quantities and sources;
* :mod:`.head`: the single-layer single-head transformer cut into blocks (perturbation inequality);
* :mod:`.covers`: covering numbers of linear, low-rank and attention classes;
* :mod:`.pipelines`: Dudley integrals and the one-scale bound, closed forms and quadrature;
* :mod:`.theorems`: contraction, the Rademacher theorem and Lemma A.8;
* :mod:`.transformer`: whole-transformer generalisation-gap bounds (rank-dependent, Edelman, Trauger-Tewari).

>>> from tbounds.bounds import select
>>> len(select(family="generalization", quantity="generalisation gap")) >= 6
True
"""

from . import covers, pipelines, theorems, transformer  # noqa: F401  (each registers its bounds on import)
