"""The depth family: how many layers a task needs for inputs of length n, and how long an input d layers handle.

Each source lives in its own module; importing this package registers them all:

- :mod:`.common`: quantities, sources and the family's factory;
- :mod:`.retrieval`: Mușat's retrieval problem (arXiv 2411.12118) and k-hop induction heads
  (Sanford, Hsu & Telgarsky, arXiv 2402.09268);
- :mod:`.logdepth`: log-depth transformers (Merrill & Sabharwal, arXiv 2503.03961);
- :mod:`.related`: Liu et al. 2023 and the other results of the notes, as rates;
- :mod:`.statements`: results that are statements (complexity classes), not formulas.

Layer counts are integer-valued bounds written with the exact steps of :mod:`tbounds.bounds.steps`,
so ``solve`` inverts the step function itself.  Formulas follow ``shared/papers/depth.md``;
``docs/depth.md`` gives the readings chosen.

>>> from tbounds.bounds import get, solve
>>> solve(get("merrill2025.regular.nonuniform"), "n", 32).value  # the longest input 32 layers handle
64.0
>>> int(get("merrill2025.regular.nonuniform")(n=10**6))  # the smallest depth for n = 10^6
85
"""

#: The modules that register this family's records, in order: the registry imports them on its
#: first full load, or one alone for one id (importing the family itself registers nothing).
MODULES = ('logdepth', 'related', 'retrieval', 'statements')
from .common import FAMILY, bound

__all__ = ["FAMILY", "bound"]
