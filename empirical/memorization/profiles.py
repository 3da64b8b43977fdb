"""Memorization profiles: every sweep of the family at one scale, and the units each experiment needs.

``quick`` runs in minutes on 2 CPU cores; ``paper`` is Appendix H's scale (N up to 1600, n up to
10^4; use a GPU); ``tiny`` is the smallest run of every experiment, for the contract suite.

>>> [u.N for u in size_vs_N_units(QUICK)]
[16, 32, 64, 128]
>>> customise(QUICK, {"N_values": (8, 16), "seeds": (3,)}).N_values
(8, 16)
>>> customise(QUICK, {"steps": 0})
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: steps must be a positive integer (got 0)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..device import check_size
from ..errors import ConfigError, DataError
from .units import CapacityUnit, LemmaUnit, StructureUnit

@dataclass(frozen=True)
class Profile:
    """Every sweep of the memorization family at one scale."""

    name: str
    seeds: tuple = (0,)
    d: int = 6
    m: int = 2
    q: int = 8
    criterion: str = "sign"
    threshold: float = 0.01
    restarts: int = 3
    lrs: tuple = (0.03, 0.1)
    steps: int = 1000
    max_blocks: int = 16
    N_values: tuple = (16, 32, 64, 128)
    n_fixed: int = 8
    N_fixed: int = 32
    n_values: tuple = (2, 8, 32, 128)
    seq_N: int = 8
    seq_n_values: tuple = (2, 4, 8)
    attention_N_values: tuple = (32, 64)
    mlp_N_values: tuple = (16, 32, 64, 128)
    text_N_values: tuple = (32, 64)
    text_d: int = 16
    corpus: str = ""
    lemma_cases: tuple = ((100, 8, 30), (1000, 8, 100), (2000, 16, 200))
    structure_N: int = 16

    structure_steps: int = 400

    def capacity(self, **overrides) -> CapacityUnit:
        base = dict(d=self.d, m=self.m, q=self.q, criterion=self.criterion, threshold=self.threshold,
                    restarts=self.restarts, lrs=tuple(self.lrs), steps=self.steps, max_blocks=self.max_blocks)
        base.update(overrides)
        return CapacityUnit(**base)


QUICK = Profile("quick")
PAPER = Profile("paper", seeds=(0, 1, 2), criterion="mse", threshold=0.01, restarts=3,
                lrs=(0.003, 0.01, 0.03, 0.1), steps=5000, max_blocks=64,
                N_values=(50, 100, 200, 400, 800, 1600), n_fixed=8, N_fixed=500,
                n_values=(10, 100, 1000, 10000), seq_N=50, seq_n_values=(2, 4, 8, 16, 32),
                attention_N_values=(100, 200, 400, 800), mlp_N_values=(100, 200, 400, 800),
                text_N_values=(100, 200, 400, 800), lemma_cases=((1000, 8, 100), (5000, 16, 1000), (5000, 64, 50)),
                structure_N=64, structure_steps=2000)
TINY = Profile("tiny", restarts=1, lrs=(0.1,), steps=30, max_blocks=1, N_values=(4, 8), n_fixed=3, N_fixed=4,
               n_values=(2, 3), seq_N=4, seq_n_values=(2,), attention_N_values=(4,), mlp_N_values=(4,),
               text_N_values=(4,), lemma_cases=((20, 4, 10),), structure_N=4, structure_steps=20)
PROFILES = {"quick": QUICK, "paper": PAPER, "tiny": TINY}

_POSITIVE_INTS = ("steps", "d", "m", "q", "restarts", "max_blocks", "n_fixed", "N_fixed", "seq_N", "text_d")
_POSITIVE_TUPLES = ("seeds", "N_values", "n_values", "seq_n_values", "attention_N_values", "mlp_N_values",
                    "text_N_values")


def customise(profile: Profile, overrides: dict) -> Profile:
    """``profile`` with validated overrides; a corpus file must exist (its text-window sweep then uses it)."""
    for name, value in overrides.items():
        if name in _POSITIVE_INTS and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"{name} must be a positive integer (got {value!r})")
        if name in _POSITIVE_TUPLES and (not value or any(not isinstance(v, int) or v < (0 if name == "seeds" else 1)
                                                          for v in value)):
            raise ConfigError(f"{name} must be {'non-negative' if name == 'seeds' else 'positive'} integers "
                              f"(got {value!r})")
    if overrides.get("criterion") not in (None, "sign", "mse"):
        raise ConfigError(f"criterion must be sign or mse (got {overrides['criterion']!r})")
    corpus = overrides.get("corpus")
    if corpus:
        if not Path(corpus).exists():
            raise DataError(f"corpus file not found: {corpus}")
        if Path(corpus).is_dir():
            raise DataError(f"corpus {corpus} is a directory; give a text file")
        overrides = {**overrides, "corpus": str(Path(corpus).resolve())}
        if not profile.text_N_values and "text_N_values" not in overrides:
            overrides["text_N_values"] = tuple(overrides.get("N_values", profile.N_values))[:2]
    chosen = replace(profile, **overrides)
    _check_sizes(chosen)
    return chosen


def _check_sizes(p: Profile) -> None:
    """Refuse, before anything is allocated, a dataset (N x n x d entries) that cannot fit."""
    shapes = [(N, p.n_fixed, p.d) for N in (*p.N_values, *p.attention_N_values, *p.mlp_N_values)]
    shapes += [(p.N_fixed, n, p.d) for n in p.n_values] + [(p.seq_N, n, p.d) for n in p.seq_n_values]
    shapes += [(N, p.n_fixed, p.text_d) for N in p.text_N_values]
    N, n, d = max(shapes, key=lambda s: s[0] * s[1] * s[2])
    check_size(f"a dataset (N x n x d = {N} x {n} x {d})", N * n * d, "use a smaller --N, --n or --d")


def size_vs_N_units(p: Profile):
    return [p.capacity(N=N, n=p.n_fixed, seed=s) for s in p.seeds for N in p.N_values]


def size_vs_n_units(p: Profile):
    return [p.capacity(N=p.N_fixed, n=n, seed=s) for s in p.seeds for n in p.n_values]


def seq2seq_units(p: Profile):
    out = []
    for s in p.seeds:
        for n in p.seq_n_values:
            out.append(p.capacity(N=p.seq_N, n=n, labels="next_token", seed=s))
            out.append(p.capacity(N=p.seq_N, n=n, labels="seq2seq", seed=s))
            out.append(p.capacity(N=p.seq_N, n=n, labels="seq2seq", attention="hardmax", seed=s))
    return out


def attention_units(p: Profile):
    return [p.capacity(N=N, n=p.n_fixed, attention=a, seed=s) for s in p.seeds for N in p.attention_N_values
            for a in ("uniform", "softmax")]


def mlp_units(p: Profile):
    """Against N at fixed n, and against n at fixed N (where parameter sharing should show)."""
    pairs = [(N, p.n_fixed) for N in p.mlp_N_values] + [(p.N_fixed, n) for n in p.n_values if n != p.n_fixed]
    return [p.capacity(N=N, n=n, model=mo, seed=s) for s in p.seeds for N, n in pairs for mo in ("transformer", "mlp")]


def text_units(p: Profile):
    return [p.capacity(N=N, n=p.n_fixed, d=p.text_d, data="text", corpus=p.corpus, seed=s)
            for s in p.seeds for N in p.text_N_values]


def structure_units(p: Profile):
    return [StructureUnit("permutation", N=p.structure_N, seed=p.seeds[0]),
            StructureUnit("inconsistent", N=p.structure_N, steps=p.structure_steps, seed=p.seeds[0])]


def lemma_units(p: Profile):
    return [LemmaUnit(N, M, S, seed=s) for s in p.seeds for (N, M, S) in p.lemma_cases]
