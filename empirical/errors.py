"""Errors of the empirical engine: one-line, user-facing, printed by the CLI with exit code 2.

>>> raise DeviceError("CUDA was requested (--device cuda) but torch sees no CUDA device")
Traceback (most recent call last):
...
tbounds.empirical.errors.DeviceError: CUDA was requested (--device cuda) but torch sees no CUDA device
"""

from __future__ import annotations

from tbounds.bounds.errors import TboundsError


class EmpiricalError(TboundsError):
    """Base class of the engine's user-facing errors."""


class DeviceError(EmpiricalError):
    """A device that was asked for and does not exist."""


class StoreError(EmpiricalError):
    """A results store that cannot be opened, read or written."""


class ConfigError(EmpiricalError):
    """An experiment or model configuration that cannot be run (impossible sizes, bad names)."""


class DataError(EmpiricalError):
    """A dataset that cannot be built (missing corpus file, too little text, bad labels)."""


class BackendError(EmpiricalError):
    """A sweep backend that cannot be used as asked (missing extra, unreachable scheduler, wrong options)."""


class SweepConfigError(ConfigError):
    """A sweep file (``--config sweep.toml``) that cannot be used: bad TOML, unknown keys, wrong types."""
