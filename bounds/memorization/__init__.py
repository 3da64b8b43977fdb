"""The memorization family: how many parameters (and layers, and bits) a transformer needs to memorize N sequences.

Kajitsuka & Sato 2025 (arXiv 2409.17677) and the bounds it compares with.  Every formula
follows ``shared/papers/memorization.md``; ``docs/memorization.md`` derives the reconstructed ones.
Logs in the explicit (reconstructed) forms are base 2, as in the proofs; rates use natural logs
since their constants are hidden.

- :mod:`.common`: parameters, assumptions, sources and the family's factory;
- :mod:`.construction`: depths, bits and radii of the explicit construction (Lemma C.1, Theorem B.1);
- :mod:`.next_token`: next-token prediction, upper (rates and explicit readings) and lower bounds;
- :mod:`.seq2seq`: sequence-to-sequence, upper and hard-attention lower bounds;
- :mod:`.variants`: Deep Sets (Theorem D.1) and token ids with an embedding layer (Theorem E.1);
- :mod:`.bit_budget`: Lemma F.1 and Theorem F.1, depth against a bit budget;
- :mod:`.baselines`: Table 1's transformers, Madden et al.'s Theorem 13, Vardi et al.'s ReLU networks (and
  their depth-limited variant), the classical FFN counts, VC bounds, flattened MLPs, Morris et al.'s measured capacity;
- :mod:`.statements`: results stated in words (none so far).

>>> from tbounds.bounds import get
>>> round(float(get("kajitsuka2025.seq2seq.lower_hardmax")(N=1000, n=1000)), 1)
64.2
>>> round(float(get("kajitsuka2025.next_token.upper.depth_explicit")(N=1000, n=8, d=6, r=6**0.5, delta=0.01, C=2)))
4242
"""

# Registration order is listing order (`tbounds list`): the paper's own results first, then the baselines.
#: The modules that register this family's records, in order: the registry imports them on its
#: first full load, or one alone for one id (importing the family itself registers nothing).
MODULES = ('next_token', 'seq2seq', 'variants', 'bit_budget', 'baselines', 'statements')
from .common import FAMILY, bound

__all__ = ["FAMILY", "bound"]
