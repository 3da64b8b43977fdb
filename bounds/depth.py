"""The depth family: how many layers a task needs for inputs of length n, and how long an input d layers handle.

Each source lives in its own module; importing this one registers them all:

- :mod:`bounds.depth_retrieval`: Mușat's retrieval problem (arXiv 2411.12118) and k-hop induction heads
  (Sanford, Hsu & Telgarsky, arXiv 2402.09268);
- :mod:`bounds.depth_logdepth`: log-depth transformers (Merrill & Sabharwal, arXiv 2503.03961);
- :mod:`bounds.depth_related`: Liu et al. 2023 and the other results of the notes, as rates;
- :mod:`bounds.depth_statements`: results that are statements (complexity classes), not formulas.

Integer-valued bounds use the exact steps of :mod:`tbounds.bounds.steps`, so
``solve`` inverts the step function itself.  Formulas follow
``shared/papers/depth.md``; ``docs/depth.md`` gives the readings chosen.

>>> from tbounds.bounds import get, solve
>>> solve(get("merrill2025.regular.nonuniform"), "n", 32).value  # the longest input 32 layers handle
64.0
>>> int(get("merrill2025.regular.nonuniform")(n=10**6))  # the smallest depth for n = 10^6
85
"""

from . import depth_logdepth, depth_related, depth_retrieval, depth_statements  # noqa: F401  (each registers)
from .registry import select

FAMILY = "depth"


def bounds():
    """The registered depth bounds, in registry order."""
    return select(family=FAMILY)
