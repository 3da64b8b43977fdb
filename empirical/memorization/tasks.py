"""Seeded datasets for memorization: random tokens, consistent labels, windows of real text.

Public API:

- :class:`Dataset` -- ``X (N, n, d)`` float tokens, ``y`` labels in {-1, +1} (``(N,)`` for
  next-token, ``(N, n)`` for sequence-to-sequence), integer ``ids (N, n)`` naming each distinct
  token, ``kind`` and a description.
- :func:`random_tokens` -- tokens i.i.d. U[0, 1)^d (all distinct with probability 1) or drawn
  from a finite vocabulary of ``vocab`` random vectors (repeats allowed); Rademacher labels
  assigned *consistently* (:func:`consistent_labels`).
- :func:`text_windows` -- N distinct windows of n words of English text, each word embedded as
  a fixed random unit vector in R^d; the corpus is Python's own language reference
  (``pydoc_data.topics``, no download) or a user's text file.
- :func:`with_labels` -- the same inputs relabelled (next-token <-> seq2seq), for experiments
  that compare label kinds on the same data.
- :func:`inconsistent` -- a dataset with a permuted copy of a sequence carrying the opposite
  label: no permutation-equivariant model can memorize it.

>>> ds = random_tokens(N=5, n=4, d=3, seed=0)
>>> tuple(ds.X.shape), tuple(ds.y.shape), ds.kind
((5, 4, 3), (5,), 'next_token')
>>> bool(((ds.y == 1) | (ds.y == -1)).all())
True
>>> random_tokens(N=5, n=4, d=3, seed=0).X.equal(ds.X)
True
>>> tuple(with_labels(ds, "seq2seq", seed=1).y.shape)
(5, 4)
"""

from __future__ import annotations

import hashlib
import re
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import torch

from ..errors import ConfigError, DataError
from ..seeds import generator

KINDS = ("next_token", "seq2seq")


@dataclass(frozen=True)
class Dataset:
    X: torch.Tensor          # (N, n, d) float32
    y: torch.Tensor          # (N,) or (N, n), values in {-1, +1}
    ids: torch.Tensor        # (N, n) int64: equal ids <=> equal token vectors
    kind: str = "next_token"
    description: str = ""
    words: tuple = ()        # text windows: the words of each sequence, for printing

    @property
    def N(self) -> int:
        return self.X.shape[0]

    @property
    def n(self) -> int:
        return self.X.shape[1]

    @property
    def d(self) -> int:
        return self.X.shape[2]

    def to(self, device) -> "Dataset":
        return replace(self, X=self.X.to(device), y=self.y.to(device), ids=self.ids.to(device))


def _check(N, n, d, kind):
    for name, v in (("N", N), ("n", n), ("d", d)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ConfigError(f"{name} must be a positive integer (got {v!r})")
    if kind not in KINDS:
        raise ConfigError(f"labels must be next_token or seq2seq (got '{kind}')")


def _keys(ids: torch.Tensor, kind: str) -> list:
    """Label keys: (multiset, last token) for next-token, (multiset, token) per position for seq2seq."""
    rows = ids.tolist()
    if kind == "next_token":
        return [(tuple(sorted(r)), r[-1]) for r in rows]
    return [[(tuple(sorted(r)), t) for t in r] for r in rows]


def consistent_labels(ids: torch.Tensor, kind: str, seed: int) -> torch.Tensor:
    """Rademacher labels that depend only on what a permutation-equivariant model can see.

    Next-token: the multiset of the sequence and its last token; seq2seq: the multiset and the
    token.  Keys get i.i.d. signs in order of first appearance, so distinct keys are independent.
    """
    g = generator(int(seed) + 7919)
    table: dict = {}

    def sign(key):
        if key not in table:
            table[key] = float(torch.randint(0, 2, (1,), generator=g).item() * 2 - 1)
        return table[key]

    keys = _keys(ids, kind)
    if kind == "next_token":
        return torch.tensor([sign(k) for k in keys])
    return torch.tensor([[sign(k) for k in row] for row in keys])


def random_tokens(N: int, n: int, d: int = 6, seed: int = 0, labels: str = "next_token",
                  vocab: Optional[int] = None) -> Dataset:
    """Tokens i.i.d. U[0,1)^d (paper, Appendix H) or from a vocabulary of ``vocab`` U[0,1)^d vectors."""
    _check(N, n, d, labels)
    g = generator(int(seed))
    if vocab is None:
        X = torch.rand(N, n, d, generator=g)
        ids = torch.arange(N * n).view(N, n)
        desc = f"random tokens U[0,1)^{d}"
    else:
        if vocab < 1:
            raise ConfigError(f"vocab must be a positive integer (got {vocab})")
        table = torch.rand(vocab, d, generator=g)
        ids = torch.randint(0, vocab, (N, n), generator=g)
        X = table[ids]
        desc = f"random tokens from a vocabulary of {vocab} U[0,1)^{d} vectors"
    return Dataset(X, consistent_labels(ids, labels, seed), ids, labels, desc)


def with_labels(ds: Dataset, kind: str, seed: int = 0) -> Dataset:
    """The same inputs with fresh consistent labels of another kind."""
    _check(ds.N, ds.n, ds.d, kind)
    return replace(ds, y=consistent_labels(ds.ids, kind, seed), kind=kind)


def inconsistent(ds: Dataset, seed: int = 0) -> Dataset:
    """Append a copy of sequence 0 with its first n-1 tokens permuted and the opposite label.

    The two sequences are equal up to a permutation and share the last token, so a model
    without positional encoding gives them the same output: MSE >= 1/(N+1) for any weights.
    """
    if ds.kind != "next_token" or ds.n < 2:
        raise ConfigError("an inconsistent pair needs next-token labels and n >= 2")
    g = generator(int(seed))
    perm = torch.cat([torch.randperm(ds.n - 1, generator=g), torch.tensor([ds.n - 1])])
    X = torch.cat([ds.X, ds.X[:1, perm]])
    ids = torch.cat([ds.ids, ds.ids[:1, perm]])
    y = torch.cat([ds.y, -ds.y[:1]])
    return Dataset(X, y, ids, ds.kind, ds.description + " + one inconsistent permuted copy")


# ------------------------------------------------------------------------------ text
WORD = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


def builtin_corpus() -> str:
    """Python's language reference as plain text (ships with CPython in ``pydoc_data.topics``)."""
    try:
        from pydoc_data.topics import topics
    except ImportError as error:  # pragma: no cover - part of the standard library
        raise DataError(f"the built-in corpus (pydoc_data) is not available: {error}") from None
    return "\n".join(topics[k] for k in sorted(topics))


def tokenize(text: str) -> list[str]:
    """Lower-cased words, numbers and single punctuation marks."""
    return WORD.findall(text.lower())


def word_vector(word: str, d: int, seed: int) -> torch.Tensor:
    """A fixed random unit vector per word (hash-seeded, so the same word always maps to the same token)."""
    h = int.from_bytes(hashlib.sha256(f"{seed}:{word}".encode()).digest()[:8], "little")
    v = torch.randn(d, generator=generator(h), dtype=torch.float64)
    return (v / v.norm()).float()


_CHUNK = 1 << 20  # characters read at a time from a corpus file


def _word_ids(chunks) -> tuple[torch.Tensor, dict]:
    """Word ids (in order of first appearance, as ``tokenize`` splits the text) and the vocabulary.

    Chunks are cut at their last whitespace (no word spans whitespace), so the ids are those of
    the whole text, while memory holds one chunk, the vocabulary and 8 bytes per word.

    >>> ids, vocab = _word_ids(["the cat s", "at on the mat"])
    >>> ids.tolist(), list(vocab)
    ([0, 1, 2, 3, 0, 4], ['the', 'cat', 'sat', 'on', 'mat'])
    """
    vocab: dict[str, int] = {}
    ids = array("q")
    carry = ""
    for chunk in chunks:
        text = carry + chunk
        cut = len(text)
        while cut and not text[cut - 1].isspace():
            cut -= 1
        text, carry = text[:cut], text[cut:]
        ids.extend([vocab.setdefault(w, len(vocab)) for w in tokenize(text)])
    ids.extend([vocab.setdefault(w, len(vocab)) for w in tokenize(carry)])
    # frombuffer shares the array's memory (no second copy of a large corpus's ids)
    return (torch.frombuffer(ids, dtype=torch.int64) if len(ids) else torch.zeros(0, dtype=torch.int64)), vocab


def text_windows(N: int, n: int, d: int = 16, seed: int = 0, path: Optional[str] = None,
                 labels: str = "next_token") -> Dataset:
    """N windows of n consecutive words that are distinct as (multiset, last word), consistently labelled.

    >>> ds = text_windows(N=20, n=8, d=16, seed=0)
    >>> tuple(ds.X.shape), round(float(ds.X[0, 0].norm()), 4)
    ((20, 8, 16), 1.0)
    """
    _check(N, n, d, labels)
    if path is None:
        source = "Python language reference (pydoc_data)"
        ids_all, vocab = _word_ids([builtin_corpus()])
    else:
        p = Path(path)
        if not p.exists():
            raise DataError(f"corpus file not found: {path}")
        if p.is_dir():
            raise DataError(f"corpus {path} is a directory; give a text file")
        source = p.name
        try:  # streamed: a large corpus is never held as text or as a list of words
            with open(p, encoding="utf-8", errors="replace") as handle:
                ids_all, vocab = _word_ids(iter(lambda: handle.read(_CHUNK), ""))
        except OSError as error:
            raise DataError(f"cannot read corpus file {path}: {error.strerror or error}") from None
    if len(ids_all) < n + 1:
        raise DataError(f"the corpus {source} has {len(ids_all)} words, fewer than one window of n = {n}")
    g = generator(int(seed))
    perm = torch.randperm(len(ids_all) - n + 1, generator=g)
    starts = (s for i in range(0, len(perm), 4096) for s in perm[i:i + 4096].tolist())  # lazily: no huge list
    chosen, seen = [], set()
    for s in starts:
        window = ids_all[s:s + n]
        row = window.tolist()
        key = (tuple(sorted(row)), row[-1])
        if key in seen:
            continue
        seen.add(key)
        chosen.append(window)
        if len(chosen) == N:
            break
    if len(chosen) < N:
        raise DataError(f"the corpus {source} has only {len(chosen)} distinct windows of n = {n} words (asked for N = {N})")
    ids = torch.stack(chosen)
    inverse = {i: w for w, i in vocab.items()}
    used = sorted(set(ids.flatten().tolist()))
    table = {i: word_vector(inverse[i], d, seed) for i in used}
    X = torch.stack([torch.stack([table[i] for i in row]) for row in ids.tolist()])
    return Dataset(X, consistent_labels(ids, labels, seed), ids, labels,
                   f"{n}-word windows of {source}, words as random unit vectors in R^{d}",
                   tuple(tuple(inverse[i] for i in row) for row in ids.tolist()))


def make_dataset(source: str, N: int, n: int, d: int, seed: int, labels: str = "next_token",
                 corpus: Optional[str] = None, vocab: Optional[int] = None) -> Dataset:
    """By name: ``random`` (U[0,1)^d tokens) or ``text`` (built-in corpus or the file ``corpus``)."""
    if source == "random":
        return random_tokens(N, n, d, seed, labels, vocab)
    if source == "text":
        return text_windows(N, n, d, seed, corpus, labels)
    raise ConfigError(f"data source must be 'random' or 'text' (got '{source}')")


# ------------------------------------------------------------------------------ printable examples
def _targets(ds: Dataset, i: int) -> list:
    """One target per position: every position for seq2seq, the last one for next-token labels."""
    if ds.kind == "seq2seq":
        return [int(v) for v in ds.y[i].tolist()]
    return [None] * (ds.n - 1) + [int(ds.y[i])]


def _vectors(X: torch.Tensor) -> list:
    return [[round(float(v), 4) for v in token] for token in X]


def random_token_examples(count: int = 3, seed: int = 0, n: int = 4, d: int = 3, labels: str = "next_token",
                          vocab: int = 0) -> list[dict]:
    """Examples of :func:`random_tokens` (``vocab = 0``: continuous tokens).

    >>> ex = random_token_examples(count=2, n=3, d=2)
    >>> len(ex), len(ex[0]["input"]), ex[0]["target"][:2], ex[0]["target"][2] in (-1, 1)
    (2, 3, [None, None], True)
    """
    ds = random_tokens(count, n, d, seed, labels, vocab or None)
    return [{"input": _vectors(ds.X[i]), "target": _targets(ds, i)} for i in range(ds.N)]


def text_window_examples(count: int = 3, seed: int = 0, n: int = 8, d: int = 16, labels: str = "next_token",
                         corpus: str = "") -> list[dict]:
    """Examples of :func:`text_windows`: the words of each window (their vectors are hash-seeded unit vectors)."""
    ds = text_windows(count, n, d, seed, corpus or None, labels)
    return [{"input": list(ds.words[i]), "target": _targets(ds, i)} for i in range(ds.N)]
