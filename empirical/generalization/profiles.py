"""Generalisation profiles: the grids of n, rank and T that each experiment sweeps, at one scale.

``quick`` (a few minutes on 2 CPU cores) is the n x rank grid at T = 16 on the teacher task, and
T in {8, 32} at the middle n; ``paper`` is our design at GPU scale (not a replication: Truong
2024 reports no experiment); ``tiny`` is the smallest run, for the contract suite.

>>> [(c.T, c.n) for c in gap_units(QUICK)][:2], [(c.T, c.n) for c in length_units(QUICK)]
([(16, 64), (16, 128)], [(8, 256), (32, 256)])
>>> customise(QUICK, {"Ts": (8,)}).length_Ts  # a user's own T grid replaces the length sweep
()
>>> customise(QUICK, {"ranks": (32,)})
Traceback (most recent call last):
...
tbounds.empirical.errors.ConfigError: ranks must lie in [1, d=16] (got [32])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from ..errors import ConfigError
from .units import Cell, Setup


@dataclass(frozen=True)
class Profile(Setup):
    """A sweep: ``ns x Ts`` cells for the gap experiment, ``length_Ts`` at the middle n for the length one."""

    name: str = "custom"
    ns: tuple[int, ...] = (64, 128, 256, 512, 1024)
    Ts: tuple[int, ...] = (16,)
    length_Ts: tuple[int, ...] = (8, 32)

    def __post_init__(self):
        super().__post_init__()
        if not self.ns or not self.Ts:
            raise ConfigError("a sweep needs at least one n and one T")
        if any(n < 2 for n in self.ns) or any(T < 1 for T in self.Ts + self.length_Ts):
            raise ConfigError("need n >= 2 and T >= 1")

    def cell(self, T: int, n: int) -> Cell:
        shared = {f.name: getattr(self, f.name) for f in fields(Setup)}
        return Cell(T=T, n=n, **shared)

    @property
    def middle_n(self) -> int:
        return sorted(self.ns)[len(self.ns) // 2]


QUICK = Profile(name="quick", steps=300, n_test=4000, rad_signs=16, rad_restarts=2, rad_steps=120, mc_signs=1000)
PAPER = Profile(name="paper", ns=(64, 256, 1024, 4096, 16384), ranks=(1, 2, 4, 8, 16, 32), d=32,
                seeds=(0, 1, 2, 3, 4), steps=1000, n_test=20000, length_Ts=(8, 32, 64, 128), rad_signs=64,
                rad_restarts=4, rad_steps=300, mc_signs=4000)
TINY = Profile(name="tiny", ns=(8,), ranks=(1, 2), Ts=(4,), length_Ts=(2,), seeds=(0,), d=4, steps=3, n_test=16,
               rad_signs=2, rad_restarts=1, rad_steps=2, mc_signs=20)
PROFILES = {"quick": QUICK, "paper": PAPER, "tiny": TINY}


def customise(profile: Profile, overrides: dict) -> Profile:
    """``profile`` with overrides, re-validated; giving ``Ts`` drops the length sweep unless it is given too."""
    unknown = set(overrides) - set(asdict(profile))
    if unknown:
        raise ConfigError(f"not a generalization profile setting: {', '.join(sorted(unknown))}")
    if "Ts" in overrides and "length_Ts" not in overrides:
        overrides = {**overrides, "length_Ts": ()}
    return replace(profile, **overrides)  # replace() re-runs the checks of __post_init__


def gap_units(p: Profile) -> list[Cell]:
    return [p.cell(T, n) for T in p.Ts for n in p.ns]


def length_units(p: Profile) -> list[Cell]:
    return [p.cell(T, p.middle_n) for T in p.length_Ts]
