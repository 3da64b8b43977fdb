"""State-tracking tasks with a label at every position: group word problems and Delétang et al.'s controls.

- **Word problems** (arXiv 2503.03961 §7, the authors' generator ``src/generate_data.py``): letters drawn
  uniformly i.i.d. from a group (:mod:`.groups`: ``Z2`` parity, ``Z5``, ``S3``, ``A4``, ``A5``, ``S5``);
  the label at position t is the running product ``x_1∘...∘x_t`` (an element index).  The authors
  de-duplicate a finite file of sequences; we draw fresh batches every step (at length 2 and 4 the
  two coincide in distribution up to repeats).
- **Cycle navigation** (Delétang et al., arXiv 2207.02098, ``tasks/regular/cycle_navigation.py``):
  tokens 0, 1, 2 are the actions -1, 0, +1 on a 5-cycle starting at 0; their task labels the end
  state only, ours labels every prefix (our design, so n* applies).
- **Modular arithmetic** (Delétang et al., ``tasks/regular/modular_arithmetic.py``, the version
  without brackets): residues 0..m-1 and operators ``+ - *`` alternate (tokens m, m+1, m+2), with
  the usual precedence (``a - b * c`` = a + (-b)·c); ours labels every prefix that ends in a number
  with its value mod m, and operator positions carry no label (:data:`IGNORE`).

Every task is a :class:`WordTask`; :func:`word_task` builds one by name (a group name, ``cycle`` or
``modarith``).  ``sample(rng, batch, length)`` returns ``(x, y)`` int arrays; ``examples`` and
``label`` feed ``tbounds data``.

>>> word_problem_label("1,2,3", group="A5")
{'input': [1, 2, 3], 'target': [1, 0, 3]}
>>> cycle_navigation_label("2,2,0,1")
{'input': [2, 2, 0, 1], 'target': [1, 2, 1, 1]}
>>> modular_arithmetic_label("1+2*3-4", modulus=5)
{'input': [1, 5, 2, 7, 3, 6, 4], 'target': [1, None, 3, None, 2, None, 3]}
>>> x, y = word_task("S3").sample(np.random.default_rng(0), batch=2, length=5); x.shape, y.shape
((2, 5), (2, 5))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import ConfigError
from .groups import Group, group, running_products

IGNORE = -100  #: a position without a label (the same value as the depth models' IGNORE)
CONTROLS = ("cycle", "modarith")
OPERATORS = "+-*"


@dataclass(frozen=True)
class WordTask:
    """One state-tracking task: ``kind`` is ``group``, ``cycle`` or ``modarith``; ``size`` is the group's name,
    the cycle length or the modulus."""

    kind: str
    size: str | int

    @cached_property
    def group(self) -> Group:
        return group(str(self.size)) if self.kind == "group" else group(f"Z{self.size}")

    @property
    def name(self) -> str:
        return str(self.size) if self.kind == "group" else f"{self.kind}{self.size}"

    @property
    def vocab(self) -> int:
        if self.kind == "group":
            return self.group.order
        return 3 if self.kind == "cycle" else int(self.size) + len(OPERATORS)

    @property
    def classes(self) -> int:
        return self.group.order

    @property
    def abelian(self) -> bool:
        """Abelian word problem or control (in TC0, like every solvable group's: no depth growth needed)."""
        return self.kind != "group" or self.group.is_abelian

    @property
    def solvable(self) -> bool:
        return self.kind != "group" or self.group.is_solvable

    def sample(self, rng: np.random.Generator, batch: int, length: int) -> tuple[np.ndarray, np.ndarray]:
        """``batch`` fresh inputs of ``length`` tokens and their per-position labels (IGNORE where none)."""
        if self.kind == "modarith":
            m = int(self.size)
            x = np.empty((batch, length), dtype=np.int64)
            x[:, 0::2] = rng.integers(0, m, size=x[:, 0::2].shape)
            x[:, 1::2] = m + rng.integers(0, len(OPERATORS), size=x[:, 1::2].shape)
        else:
            x = rng.integers(0, self.vocab, size=(batch, length))
        return x, self.labels(x)

    def labels(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.int64)
        if self.kind == "group":
            return running_products(self.group, x)
        if self.kind == "cycle":
            return np.cumsum(x - 1, axis=1) % int(self.size)
        return _modarith_prefix_values(x, int(self.size))


def _modarith_prefix_values(x: np.ndarray, m: int) -> np.ndarray:
    """Prefix values with precedence: a running sum of finished terms and the current signed product."""
    out = np.full(x.shape, IGNORE, dtype=np.int64)
    total = np.zeros(x.shape[0], dtype=np.int64)
    term = np.zeros(x.shape[0], dtype=np.int64)
    op = np.full(x.shape[0], -1)     # -1: the first number; else 0 +, 1 -, 2 *
    for t in range(x.shape[1]):
        tok = x[:, t]
        if t % 2 == 1:
            op = tok - m
            continue
        new_term = np.where(op == 2, term * tok, np.where(op == 1, -tok, tok)) % m
        total = np.where((op == 0) | (op == 1), total + term, total) % m
        term = new_term
        out[:, t] = (total + term) % m
    return out


def word_task(name: str) -> WordTask:
    """A task by name: a group (``Z2``, ``A5``, ...), ``cycle`` / ``cycle<m>`` or ``modarith`` / ``modarith<m>``.

    >>> [word_task(n).name for n in ("a5", "cycle", "modarith7")]
    ['A5', 'cycle5', 'modarith7']
    """
    text = str(name).strip()
    for control in CONTROLS:
        if text.lower().startswith(control):
            rest = text[len(control):] or "5"
            if not rest.isdigit() or int(rest) < 2:
                raise ConfigError(f"task {name!r}: {control}<m> needs an integer m >= 2")
            return WordTask(control, int(rest))
    g = group(text)   # a one-line error naming the allowed groups
    return WordTask("group", g.name)


# ---------------------------------------------------------------- tbounds data


def _tokens(text: str, what: str) -> list[int]:
    try:
        return [int(t) for t in str(text).replace(" ", ",").split(",") if t != ""]
    except ValueError:
        raise ConfigError(f"--input must be comma-separated {what} (got {text!r})") from None


def _example(task: WordTask, x) -> dict:
    x = np.asarray(x, dtype=np.int64).reshape(1, -1)
    y = task.labels(x)[0]
    return {"input": [int(v) for v in x[0]], "target": [None if v == IGNORE else int(v) for v in y]}


def _checked(task: WordTask, tokens: list[int]) -> list[int]:
    bad = [t for t in tokens if not 0 <= t < task.vocab]
    if not tokens or bad:
        raise ConfigError(f"--input must be tokens 0..{task.vocab - 1} of {task.name} (got {tokens})")
    return tokens


def _generated(task: WordTask, count: int, seed: int, n: int) -> list[dict]:
    if n < 1:
        raise ConfigError(f"--n must be a positive integer (got {n})")
    x, _ = task.sample(np.random.default_rng(seed), count, n)
    return [_example(task, row) for row in x]


def word_problem_examples(count: int, seed: int, group: str = "A5", n: int = 8) -> list[dict]:
    """Random words over ``group`` with their running products (element indices; index 0 is the identity)."""
    return _generated(word_task(group), count, seed, n)


def word_problem_label(text: str, group: str = "A5", n: int = 8) -> dict:
    """The running products of the given word, e.g. ``--input 1,2,3``."""
    task = word_task(group)
    return _example(task, _checked(task, _tokens(text, "element indices")))


def cycle_navigation_examples(count: int, seed: int, cycle: int = 5, n: int = 8) -> list[dict]:
    """Actions 0, 1, 2 (= -1, 0, +1) and the position on the cycle after every prefix."""
    return _generated(word_task(f"cycle{cycle}"), count, seed, n)


def cycle_navigation_label(text: str, cycle: int = 5, n: int = 8) -> dict:
    task = word_task(f"cycle{cycle}")
    return _example(task, _checked(task, _tokens(text, "actions 0, 1, 2")))


def modular_arithmetic_examples(count: int, seed: int, modulus: int = 5, n: int = 9) -> list[dict]:
    """Residues and operators (tokens m, m+1, m+2 = + - *) alternating; each prefix ending in a number labelled."""
    return _generated(word_task(f"modarith{modulus}"), count, seed, n)


def modular_arithmetic_label(text: str, modulus: int = 5, n: int = 9) -> dict:
    """Label an expression written ``1+2*3`` (or as tokens ``1,5,2,7,3``)."""
    task = word_task(f"modarith{modulus}")
    compact = str(text).replace(" ", "")
    if any(c in OPERATORS for c in compact.lstrip("-")):
        tokens, number = [], ""
        for c in compact:
            if c.isdigit():
                number += c
            elif c in OPERATORS and number:
                tokens += [int(number), modulus + OPERATORS.index(c)]
                number = ""
            else:
                raise ConfigError(f"--input must be an expression like 1+2*3 over residues 0..{modulus - 1} "
                                  f"(got {text!r})")
        tokens.append(int(number) if number else -1)
    else:
        tokens = _tokens(text, "tokens")
    tokens = _checked(task, tokens)
    if any((t >= modulus) != (i % 2 == 1) for i, t in enumerate(tokens)):
        raise ConfigError(f"--input must alternate residues 0..{modulus - 1} and operators + - * "
                          f"(tokens {modulus}..{modulus + 2}), starting with a residue (got {tokens})")
    return _example(task, tokens)
