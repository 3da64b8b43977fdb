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

#: The modules that register this family's records, in order: the registry imports them on its
#: first full load, or one alone for one id (importing the family itself registers nothing).
MODULES = ('covers', 'pipelines', 'statements', 'theorems', 'transformer')
from .common import FAMILY, bound

__all__ = ["FAMILY", "bound", "quadrature_of"]


def __getattr__(name):  # quadrature_of lives in .pipelines, imported on first use
    if name == "quadrature_of":
        from .pipelines import quadrature_of

        return quadrature_of
    raise AttributeError(name)
