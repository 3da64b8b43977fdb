"""Sweep files: ``tbounds run FAMILY --config sweep.toml``, a cluster run as one reviewable file.

A sweep file (TOML, read with the standard library's ``tomllib``) names a profile, seeds, the
experiments, grids of the family's parameters (the fields of its profile, e.g. memorization's
``N_values``) and where to run::

    family = "memorization"          # optional: checked against the command
    profile = "quick"                # quick, paper or tiny
    seeds = [0, 1, 2]
    only = ["size_vs_N"]
    store = "results/cluster.sqlite"

    [parameters]                     # fields of the family's profile
    N_values = [16, 32, 64, 128, 256]
    steps = 2000

    [backend]                        # serial, processes, dask or slurm, with their options
    name = "dask"
    scheduler = "tcp://head-node:8786"

Everything is checked before any unit runs: an unknown key, a wrong type or a bad value is a
one-line :class:`~tbounds.empirical.errors.SweepConfigError` naming the file and the key. Options
given on the command line win over the file.

>>> from tbounds.empirical.experiment import get_family
>>> sweep = parse_sweep('profile = "tiny"\\nseeds = [1, 2]\\n[parameters]\\nN_values = [4, 8]\\n',
...                     get_family("memorization"))
>>> sweep.profile, sweep.parameters
('tiny', {'N_values': (4, 8), 'seeds': (1, 2)})
>>> parse_sweep('[parameters]\\nN_value = [4]\\n', get_family("memorization"), "s.toml")
Traceback (most recent call last):
...
tbounds.empirical.errors.SweepConfigError: s.toml: unknown parameter 'N_value' of memorization in [parameters]; did you mean N_values?
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .errors import SweepConfigError

TOP_LEVEL = ("family", "profile", "seeds", "only", "store", "device", "threads", "parameters", "backend")
BACKEND_KEYS = {"name": str, "workers": int, "scheduler": str, "partition": str, "time_limit": int,
                "mem_gb": float, "gpus": int, "job_dir": str}


@dataclass
class Sweep:
    """A parsed sweep file: ``parameters`` are profile overrides (seeds included), ``backend`` the backend's options."""

    profile: Optional[str] = None
    parameters: dict = field(default_factory=dict)
    only: tuple = ()
    store: Optional[str] = None
    device: Optional[str] = None
    threads: Optional[int] = None
    backend: dict = field(default_factory=dict)


def read_sweep(path, family) -> Sweep:
    """Parse the sweep file at ``path`` for ``family``; a missing or unreadable file is a one-line error."""
    file = Path(path)
    if not file.is_file():
        raise SweepConfigError(f"sweep file not found (--config): {path}")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SweepConfigError(f"cannot read sweep file {path} (--config): {error}") from None
    return parse_sweep(text, family, str(path))


def parse_sweep(text: str, family, where: str = "sweep file") -> Sweep:
    """Parse and check the text of a sweep file for ``family``; ``where`` names it in errors."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser as a package
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise SweepConfigError("sweep files need Python 3.11 or newer (tomllib), or pip install tomli") from None

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepConfigError(f"{where}: not valid TOML: {error}") from None

    def fail(message: str):
        raise SweepConfigError(f"{where}: {message}")

    for key in data:
        if key not in TOP_LEVEL:
            fail(f"unknown key '{key}'{_hint(key, TOP_LEVEL)}; allowed: {', '.join(TOP_LEVEL)}")
    sweep = Sweep()
    if "family" in data and data["family"] != family.name:
        fail(f"family = {data['family']!r} but the command runs {family.name}")
    if "profile" in data:
        if data["profile"] not in family.profiles:
            fail(f"profile must be one of {', '.join(family.profiles)} (got {data['profile']!r})")
        sweep.profile = data["profile"]
    base = family.profiles[sweep.profile or "quick"]
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base) if f.name != "name"}
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        fail("[parameters] must be a table of the family's parameters")
    for name, value in params.items():
        if name not in fields:
            fail(f"unknown parameter '{name}' of {family.name} in [parameters]{_hint(name, fields)}")
        sweep.parameters[name] = _typed(name, value, fields[name], fail)
    if "seeds" in data:
        if "seeds" not in fields:
            fail(f"{family.name} takes no seeds list; set its own seed parameter in [parameters]")
        sweep.parameters["seeds"] = _typed("seeds", data["seeds"], fields["seeds"], fail)
    if "only" in data:
        only = data["only"]
        if not isinstance(only, list) or not all(isinstance(o, str) for o in only):
            fail("only must be a list of experiment names, e.g. only = [\"size_vs_N\"]")
        sweep.only = tuple(only)
    for key, kind in (("store", str), ("device", str), ("threads", int)):
        if key in data:
            value = data[key]
            if not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < 1):
                fail(f"{key} must be {'a positive integer' if kind is int else 'a string'} (got {value!r})")
            setattr(sweep, key, value)
    if sweep.device is not None and sweep.device not in ("auto", "cpu", "cuda"):
        fail(f"device must be auto, cpu or cuda (got {sweep.device!r})")
    backend = data.get("backend", {})
    if not isinstance(backend, dict):
        fail("[backend] must be a table, e.g. [backend] name = \"dask\"")
    for key, value in backend.items():
        if key not in BACKEND_KEYS:
            fail(f"unknown key '{key}' in [backend]{_hint(key, BACKEND_KEYS)}; allowed: {', '.join(BACKEND_KEYS)}")
        kind = BACKEND_KEYS[key]
        ok = isinstance(value, kind) and not isinstance(value, bool) if kind is not float \
            else isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or (kind in (int, float) and value <= 0 and key != "gpus") or (key == "gpus" and value < 0):
            fail(f"[backend] {key} must be {_kind(kind)} (got {value!r})")
        sweep.backend[key] = value
    return sweep


def _typed(name: str, value: Any, default: Any, fail):
    """``value`` as the type of the profile's default: TOML arrays become tuples, ints stay ints."""
    if isinstance(default, tuple):
        if not isinstance(value, list):
            fail(f"parameter {name} must be a list like {list(default)[:3]} (got {value!r})")
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            fail(f"parameter {name} must be true or false (got {value!r})")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool):
            fail(f"parameter {name} must be an integer (got {value!r})")
        return value
    if isinstance(default, float):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            fail(f"parameter {name} must be a number (got {value!r})")
        return float(value)
    if isinstance(default, str) and not isinstance(value, str):
        fail(f"parameter {name} must be a string (got {value!r})")
    return value


def _kind(kind) -> str:
    return {str: "a string", int: "a positive integer", float: "a positive number"}[kind]


def _hint(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""
