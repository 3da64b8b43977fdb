"""The approximation family: how large a Sumformer, Linformer or Performer must be, and how many layers each
theory of universal approximation needs for a target accuracy.

- :mod:`bounds.approximation_sumformer`: Sumformer latent dimensions and the one-attention-layer constructions
  (Alberti et al., arXiv 2307.02301), with Tabaghi & Wang's 2dn and Wagstaff et al.'s lower bound;
- :mod:`bounds.approximation_efficient`: Linformer's projection dimension (arXiv 2006.04768) and Performer's
  random features and error formulas (arXiv 2009.14794);
- :mod:`bounds.approximation_yun`: Yun et al.'s layer counts (arXiv 1912.10077) and Kajitsuka & Sato's one layer;
- :mod:`bounds.approximation_statements`: the universality statements themselves.

Formulas follow ``shared/papers/approximation.md``; ``docs/approximation.md`` gives the readings chosen.

>>> from tbounds.bounds import get, solve
>>> int(get("alberti2023.sumformer.latent_continuous")(n=8, d=2))
44
>>> solve(get("alberti2023.sumformer.latent_continuous"), "n", 1000, d=3).value  # the longest sequence for d' <= 1000
16.0
"""

from . import approximation_efficient, approximation_statements, approximation_sumformer, approximation_yun  # noqa: F401
from .registry import select

FAMILY = "approximation"


def bounds():
    """The registered approximation bounds, in registry order."""
    return select(family=FAMILY)
