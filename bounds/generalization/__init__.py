"""The generalization family: covering numbers, Dudley integrals, Rademacher complexity and transformer gaps.

Source notes: shared/papers/generalization.md; derivations: docs/generalization.md.
Modules, each with one job:

* :mod:`.common`: shared parameters, quantities, sources, assumptions and the family's factory;
* :mod:`.head`: the single-layer single-head transformer cut into blocks (perturbation inequality);
* :mod:`.covers`: covering numbers of linear, low-rank and attention classes;
* :mod:`.pipelines`: Dudley integrals and the one-scale bound, closed forms and quadrature;
* :mod:`.theorems`: contraction, the Rademacher theorem and Lemma A.8;
* :mod:`.transformer`: whole-transformer generalisation-gap bounds (rank-dependent, Edelman, Trauger-Tewari);
* :mod:`.statements`: results stated in words (none so far).

The generic maths they use lives in the core: :mod:`tbounds.bounds.dudley` (Dudley integrals for
any cover) and :mod:`tbounds.bounds.covers` (composition of covers, allocation of scales).

>>> from tbounds.bounds import select
>>> len(select(family="generalization", quantity="generalisation gap")) >= 6
True
"""

from . import covers, pipelines, statements, theorems, transformer  # noqa: F401  (each registers on import)
from .common import FAMILY, bound
from .pipelines import quadrature_of

__all__ = ["FAMILY", "bound", "quadrature_of"]
