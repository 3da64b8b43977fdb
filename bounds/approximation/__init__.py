"""The approximation family: how large a Sumformer, Linformer or Performer must be, and how many layers each
theory of universal approximation needs for a target accuracy.

- :mod:`.common`: quantities, sources and the family's factory;
- :mod:`.binomial`: C(n + d, d), the number of monomials Sumformer's latent dimension counts, accurate in log space;
- :mod:`.sumformer`: Sumformer latent dimensions and the one-attention-layer constructions
  (Alberti et al., arXiv 2307.02301), with Tabaghi & Wang's 2dn and Wagstaff et al.'s lower bound;
- :mod:`.efficient`: Linformer's projection dimension (arXiv 2006.04768) and Performer's
  random features and error formulas (arXiv 2009.14794);
- :mod:`.yun`: Yun et al.'s layer counts (arXiv 1912.10077) and Kajitsuka & Sato's one layer;
- :mod:`.statements`: the universality statements themselves.

Formulas follow ``shared/papers/approximation.md``; ``docs/approximation.md`` gives the readings chosen.

>>> from tbounds.bounds import get, solve
>>> int(get("alberti2023.sumformer.latent_continuous")(n=8, d=2))
44
>>> solve(get("alberti2023.sumformer.latent_continuous"), "n", 1000, d=3).value  # the longest sequence for d' <= 1000
16.0
"""

#: The modules that register this family's records, in order: the registry imports them on its
#: first full load, or one alone for one id (importing the family itself registers nothing).
MODULES = ('efficient', 'statements', 'sumformer', 'yun')
from .common import FAMILY, bound

__all__ = ["FAMILY", "bound"]
