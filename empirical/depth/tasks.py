"""Seeded generators of the depth tasks: retrieval chains (our reconstruction of Mușat) and k-hop induction heads.

**Retrieval chains** -- our reconstruction of the minimal formulation of Mușat (arXiv 2411.12118;
``depth.md`` A.3; the paper's body is not in our sources).  One instance of difficulty ``D``:
a chain of D+1 distinct variables ``x_0 = v, x_1 = x_0, ..., x_D = x_{D-1}`` (D chained links on
top of the value), ``distractors`` more chains of the same length with disjoint variables, all
facts written as ``lhs = rhs`` (``separator=True``, the default: depth.md A.3's ``=``) or as two tokens
``lhs rhs`` (``separator=False``: A.3 allows none) after a BOS token, then the query ``? x_D``.  Without the
separator a position's role (lhs or rhs) is only its parity, which a model with relative positions
cannot read, and at quick scale the lookup is then not learned at all (docs/depth-experiments.md).
Fact order:

- ``interleaved`` (default): the chains are interleaved at random, each chain's facts in chain
  order, so every fact can be resolved from what precedes it (the reading of the design reference
  in experiments-wave2.md §3);
- ``shuffled``: every fact at a random place (depth.md A.3, step 4).

Labels (one per position, ``None`` where unlabelled): ``curriculum=True`` (implicit curriculum)
labels the ``rhs`` of every fact with the value its ``lhs`` resolves to, where the facts it needs
precede it, and the position of ``x_D`` in the query; ``curriculum=False`` labels the query alone.
A label's *hop depth* is the number of links to follow (``x_i = x_{i-1}``: i; the query: D).

**k-hop induction heads**, exactly as Sanford, Hsu & Telgarsky (arXiv 2402.09268) define them
(experiments-wave2.md §2): letters uniform with no immediate repeats; one hop from pointer p finds
the last occurrence ``j < p`` of the current token and moves to ``j + 1``; no occurrence gives
``None`` (the "none" outcome).  Multi-task: a hop-count token ``k`` first, then the letters, every
position after it labelled with ``hop_k``.

>>> hop("abcadb", 1)
[None, None, None, 'b', None, 'c']
>>> hop("abcabcab", 2)[7]      # b -> (after the b at 4) c -> (after the c at 2) a
'a'
>>> hop("abab", 0)
['a', 'b', 'a', 'b']
>>> ex = retrieval_example(np.random.default_rng(0), D=2, distractors=1, values=4, variables=12)
>>> len(ex.tokens) == retrieval_length(2, 1), ex.tokens[-2], ex.depth[-1]
(True, '?', 2)
>>> ex.tokens[1:4], ex.labels[1:4]                     # a fact: lhs = rhs, labelled under rhs
(['E', '=', '3'], [None, None, '3'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .models import IGNORE

LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ----------------------------------------------------------------------------------------- k-hop
def hop(s, k: int) -> list:
    """``hop_k(s)[i]`` for every position i (Sanford et al.): the token after k hops, or None."""
    s = list(s)
    last: dict = {}
    prev = []                     # prev[p]: last j < p with s[j] == s[p], or -1
    for p, c in enumerate(s):
        prev.append(last.get(c, -1))
        last[c] = p
    out = []
    for i in range(len(s)):
        p = i
        for _ in range(k):
            j = prev[p]
            if j < 0:
                p = -1
                break
            p = j + 1
        out.append(s[p] if p >= 0 else None)
    return out


def khop_letters(rng: np.random.Generator, n: int, alphabet: int) -> np.ndarray:
    """n letter ids: the first uniform, each later one uniform over the letters other than its predecessor."""
    if alphabet < 2:
        raise ConfigError(f"alphabet must be >= 2 (got {alphabet})")
    out = np.empty(n, dtype=np.int64)
    out[0] = rng.integers(alphabet)
    steps = rng.integers(1, alphabet, size=n)
    for i in range(1, n):
        out[i] = (out[i - 1] + steps[i]) % alphabet
    return out


@dataclass(frozen=True)
class KhopVocab:
    """Inputs: letters ``0..alphabet-1``, then hop-count tokens ``alphabet + k``; classes: letters, then none."""

    alphabet: int = 4
    max_k: int = 16

    @property
    def size(self) -> int:
        return self.alphabet + self.max_k + 1

    @property
    def classes(self) -> int:
        return self.alphabet + 1

    @property
    def none(self) -> int:
        return self.alphabet


def khop_batch(rng: np.random.Generator, batch: int, n: int, ks, vocab: KhopVocab):
    """``(x, y, k)``: ``x (batch, n)`` = hop-count token then n-1 letters; ``y`` = IGNORE then hop_k class ids."""
    ks = np.asarray(ks)
    x = np.empty((batch, n), dtype=np.int64)
    y = np.full((batch, n), IGNORE, dtype=np.int64)
    kk = ks[rng.integers(len(ks), size=batch)]
    for b in range(batch):
        s = khop_letters(rng, n - 1, vocab.alphabet)
        x[b, 0] = vocab.alphabet + kk[b]
        x[b, 1:] = s
        y[b, 1:] = [vocab.none if t is None else t for t in hop(s.tolist(), int(kk[b]))]
    return x, y, kk


def khop_examples(count: int = 3, seed: int = 0, n: int = 16, alphabet: int = 4, k: int = -1) -> list:
    """Printable k-hop examples; ``k = -1`` draws k uniformly in 0..16 per sequence (the multi-task version)."""
    _check_khop(n, alphabet, k)
    rng = np.random.default_rng(seed)
    ks = range(0, 17) if k < 0 else [k]
    x, y, kk = khop_batch(rng, count, n, list(ks), KhopVocab(alphabet, max(16, max(ks))))
    out = []
    for b in range(count):
        letters = [LETTERS[t] for t in x[b, 1:]]
        target = [None] + [LETTERS[t] if t < alphabet else None for t in y[b, 1:]]
        out.append({"input": [f"<k={kk[b]}>"] + letters, "target": target})
    return out


def khop_label(text: str, k: int = 1, n: int = 16, alphabet: int = 4) -> dict:
    """hop_k of a given string of letters: one target per letter (None where a hop does not exist)."""
    if k < 0:
        raise ConfigError(f"k must be >= 0 to label an input (got {k})")
    letters = [c for c in str(text).strip() if not c.isspace() and c != ","]
    if not letters:
        raise ConfigError("input must be a non-empty string of letters, e.g. abcadb")
    return {"input": letters, "target": hop(letters, k)}


def _check_khop(n, alphabet, k):
    if n < 2:
        raise ConfigError(f"n must be >= 2 (got {n})")
    if not 2 <= alphabet <= 26:
        raise ConfigError(f"alphabet must be between 2 and 26 (got {alphabet})")
    if k < -1:
        raise ConfigError(f"k must be >= 0, or -1 for the multi-task mix (got {k})")


# ----------------------------------------------------------------------------------------- retrieval
@dataclass(frozen=True)
class RetrievalVocab:
    """Token ids: values ``0..values-1``, variables next, then ``=`` (unused in facts), ``?``, BOS.  Classes: the values."""

    values: int = 4
    variables: int = 16

    @property
    def eq(self) -> int:
        return self.values + self.variables

    @property
    def query(self) -> int:
        return self.eq + 1

    @property
    def bos(self) -> int:
        return self.eq + 2

    @property
    def size(self) -> int:
        return self.eq + 3

    def name(self, t: int) -> str:
        if t < self.values:
            return str(t)
        if t < self.eq:
            i = t - self.values
            return LETTERS[i % 26].upper() + (str(i // 26) if i >= 26 else "")
        return {self.eq: "=", self.query: "?", self.bos: "<s>"}[t]


@dataclass
class RetrievalInstance:
    tokens: list        # printable tokens
    ids: list           # token ids
    labels: list        # printable label (value) or None
    label_ids: list     # value id or IGNORE
    depth: list         # hop depth of each label, -1 where none
    facts: list         # (chain, i) of each fact in order; fact f starts at 1 + w*f (lhs), rhs at w*(f + 1), w = fact_width
    fact_width: int = 3  # tokens per fact: 3 (lhs = rhs) or 2 (lhs rhs)

    def lhs_at(self, f: int) -> int:
        return 1 + self.fact_width * f

    def rhs_at(self, f: int) -> int:
        return self.fact_width * (f + 1)


def retrieval_length(D: int, distractors: int, separator: bool = True) -> int:
    return 1 + (3 if separator else 2) * (D + 1) * (1 + distractors) + 2


def retrieval_example(rng: np.random.Generator, D: int, distractors: int = 1, values: int = 4, variables: int = 16,
                      curriculum: bool = True, order: str = "interleaved", separator: bool = True,
                      pointer: bool = False, query_depth=None) -> RetrievalInstance:
    """One seeded instance (see the module docstring); raises if the variables cannot fill the chains.

    ``query_depth`` (default ``D``): the query asks ``x_q`` of the first chain, ``q`` links from its value
    (depth.md A.3's implicit-curriculum option (b) draws q per instance; the chain keeps its D links).

    ``pointer`` (with ``curriculum``; **our design**, not Mușat's): each fact's rhs is labelled with the token one
    lookup further (for ``x_i = x_{i-1}`` the rhs of x_{i-1}'s fact; for ``x_0 = v`` the value), a target over
    values *and* variables, so every fact is a one-hop lookup with partial credit; the query keeps its value."""
    vocab = RetrievalVocab(values, variables)
    chains = 1 + distractors
    if D < 0:
        raise ConfigError(f"D must be >= 0 (got {D})")
    if chains * (D + 1) > variables:
        raise ConfigError(f"{chains} chains of {D + 1} variables need variables >= {chains * (D + 1)} (got {variables})")
    if order not in ("interleaved", "shuffled"):
        raise ConfigError(f"order must be interleaved or shuffled (got '{order}')")
    q = D if query_depth is None else int(query_depth)
    if not 0 <= q <= D:
        raise ConfigError(f"query depth must be between 0 and D = {D} (got {q})")
    names = rng.permutation(variables)[: chains * (D + 1)].reshape(chains, D + 1) + values
    vals = rng.integers(values, size=chains)
    facts = [(c, i) for c in range(chains) for i in range(D + 1)]        # fact i of chain c: x_i = x_{i-1} (or v)
    if order == "shuffled":
        sequence = [facts[j] for j in rng.permutation(len(facts))]
    else:
        owners = np.repeat(np.arange(chains), D + 1)
        rng.shuffle(owners)
        nxt = [0] * chains
        sequence = []
        for c in owners:
            sequence.append((int(c), nxt[c]))
            nxt[c] += 1
    ids, lab, dep = [vocab.bos], [IGNORE], [-1]
    seen = set()
    for c, i in sequence:
        rhs = vals[c] if i == 0 else names[c, i - 1]
        seen.add((c, i))
        resolvable = all((c, j) in seen for j in range(i + 1))
        if pointer and curriculum:
            labelled = i == 0 or (c, i - 1) in seen
            target = int(vals[c]) if i <= 1 else int(names[c, i - 2])
            depth = min(i, 1)
        else:
            labelled, target, depth = curriculum and resolvable, int(vals[c]), i
        ids += [names[c, i], vocab.eq, rhs] if separator else [names[c, i], rhs]
        lab += [IGNORE] * (1 + separator) + [target if labelled else IGNORE]
        dep += [-1] * (1 + separator) + [depth if labelled else -1]
    ids += [vocab.query, names[0, q]]
    lab += [IGNORE, int(vals[0])]
    dep += [-1, q]
    ids = [int(t) for t in ids]
    return RetrievalInstance([vocab.name(t) for t in ids], ids, [None if v == IGNORE else vocab.name(v) for v in lab],
                             lab, dep, sequence, 3 if separator else 2)


def retrieval_batch(rng, batch: int, D: int, distractors: int, values: int, variables: int, curriculum: bool,
                    order: str = "interleaved", separator: bool = True, pointer: bool = False, query_depths=None):
    """``(x, y, depth, query_mask)`` arrays of shape ``(batch, T)``; ``query_depths``: each instance's query depth
    drawn uniformly from these (default: D, the deepest)."""
    qs = [D] * batch if query_depths is None else [int(q) for q in rng.choice(list(query_depths), size=batch)]
    rows = [retrieval_example(rng, D, distractors, values, variables, curriculum, order, separator, pointer, q)
            for q in qs]
    x = np.array([r.ids for r in rows])
    y = np.array([r.label_ids for r in rows])
    depth = np.array([r.depth for r in rows])
    query = np.zeros_like(x, dtype=bool)
    query[:, -1] = True
    return x, y, depth, query


def _separator(value) -> bool:
    """``"="`` (facts ``lhs = rhs``) or ``"none"`` (``lhs rhs``), as ``tbounds data`` passes it; a bool passes through."""
    if isinstance(value, bool):
        return value
    if value not in ("=", "none"):
        raise ConfigError(f"separator must be = (facts lhs = rhs) or none (facts lhs rhs), got '{value}'")
    return value == "="


def _curriculum(labels: str) -> bool:
    if labels not in LABELS:
        raise ConfigError(f"labels must be curriculum (every resolvable fact), pointer (every fact: one lookup "
                          f"further, our design) or query (the final query only), got '{labels}'")
    return labels != "query"


#: Retrieval labellings: Mușat's implicit curriculum, our pointer labels (partial credit), the final query alone.
LABELS = ("curriculum", "pointer", "query")


def retrieval_examples(count: int = 3, seed: int = 0, D: int = 3, distractors: int = 1, values: int = 4,
                       variables: int = 16, labels: str = "curriculum", order: str = "interleaved",
                       separator="=") -> list:
    """Printable instances; ``labels="curriculum"`` (implicit curriculum) or ``"query"`` (the final query alone);
    ``separator`` ``"="`` or ``"none"``."""
    curriculum, separator = _curriculum(labels), _separator(separator)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        r = retrieval_example(rng, D, distractors, values, variables, curriculum, order, separator,
                              labels == "pointer")
        out.append({"input": r.tokens, "target": r.labels})
    return out


def retrieval_label(text: str, D: int = 3, distractors: int = 1, values: int = 4, variables: int = 16,
                    labels: str = "curriculum", order: str = "interleaved", separator="=") -> dict:
    """Label a written instance: facts ``A=3 B=A ...`` then ``? B`` (spaces, ``;`` or ``,`` between facts).

    >>> retrieval_label("A=3 B=A ? B")["target"]
    [None, None, '3', None, None, '3', None, '3']
    >>> retrieval_label("A=3 B=A C=B ? C", labels="pointer")["target"]    # one lookup past each rhs (our design)
    [None, None, '3', None, None, '3', None, None, 'A', None, '3']
    >>> retrieval_label("A=3 B=A ? B", separator="none")
    {'input': ['A', '3', 'B', 'A', '?', 'B'], 'target': [None, '3', None, '3', None, '3']}
    """
    import re

    curriculum, separator, pointer = _curriculum(labels), _separator(separator), labels == "pointer"
    text = str(text)
    facts = re.findall(r"([A-Za-z]\w*)\s*=\s*(\w+)", text)
    query = re.search(r"\?\s*([A-Za-z]\w*)\s*$", text.strip())
    if not facts or not query:
        raise ConfigError("input must be facts like 'A=3 B=A C=B' followed by a query '? C'")
    env, tokens, labels = {}, [], []

    def resolve(name, budget=64):
        while budget and name in env:
            name, budget = env[name], budget - 1
        return name if name.isdigit() else None

    for lhs, rhs in facts:
        env[lhs] = rhs
        tokens += [lhs, "=", rhs] if separator else [lhs, rhs]
        value = (rhs if rhs.isdigit() else env.get(rhs) if rhs != lhs else None) if pointer else resolve(lhs)
        labels += [None] * (1 + bool(separator)) + [value if curriculum else None]
    tokens += ["?", query.group(1)]
    labels += [None, resolve(query.group(1))]
    return {"input": tokens, "target": labels}
