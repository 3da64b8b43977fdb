"""Device and thread selection: ``--device auto|cpu|cuda`` as one function.

Public API: :func:`resolve_device` (name to ``torch.device``, a one-line
:class:`~empirical.errors.DeviceError` when CUDA is asked for and absent),
:func:`set_threads`, :func:`describe`.

>>> resolve_device("cpu")
device(type='cpu')
>>> resolve_device("tpu")
Traceback (most recent call last):
...
tbounds.empirical.errors.DeviceError: unknown device 'tpu'; choose auto, cpu or cuda
"""

from __future__ import annotations

import os
import time

import torch

from .errors import ConfigError, DeviceError

DEVICES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    return torch.cuda.is_available()


def resolve_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA when torch sees one, else CPU; ``cuda`` without CUDA is an error."""
    name = str(name).lower()
    if name not in DEVICES and not name.startswith("cuda:"):
        raise DeviceError(f"unknown device '{name}'; choose auto, cpu or cuda")
    if name == "auto":
        return torch.device("cuda" if cuda_available() else "cpu")
    if name.startswith("cuda") and not cuda_available():
        raise DeviceError(f"CUDA was requested (--device {name}) but torch sees no CUDA device on this machine; "
                          "use --device cpu or auto")
    return torch.device(name)


def set_threads(threads: int | None = None) -> int:
    """Intra-op threads for CPU work: ``threads``, else ``TBOUNDS_THREADS``, else 1.

    Why 1: the ensembles' matmuls are tiny (inner dimension 2 to 16) and gain nothing from a
    second thread; on a loaded 2-core machine two OpenMP threads made each step 10-20x slower
    (measured here: a 24 x (8x2 @ 2x800) bmm took 17 ms with 2 threads, 0.1-0.8 ms with 1).
    """
    if threads is None:
        text = os.environ.get("TBOUNDS_THREADS", "").strip()
        if text and not (text.isdigit() and int(text) <= 1024):  # 0 or unset: the default
            raise ConfigError(f"TBOUNDS_THREADS must be an integer from 1 to 1024, or 0 for the default 1 "
                              f"(got {text!r})")
        threads = int(text or 0) or 1
    torch.set_num_threads(max(1, int(threads)))
    return torch.get_num_threads()


def describe(device: torch.device) -> str:
    """``cpu (2 threads)`` or ``cuda:0 (NVIDIA H100)``."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels (for timing); a no-op on CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_peak(device: torch.device, seconds: float = 1.0) -> float:
    """Measured fp32 GFLOP/s of a 1024^2 matmul on ``device``: the peak the benchmarks report fractions of."""
    a = torch.randn(1024, 1024, device=device)
    b = torch.randn(1024, 1024, device=device)
    for _ in range(3):  # warm-up
        a @ b
    synchronize(device)
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        reps += 1
    synchronize(device)
    return 2 * 1024 ** 3 * reps / (time.perf_counter() - start) / 1e9


# The largest tensor a unit may build, in entries (2^28 float32 entries = 1 GiB): a sweep that
# would need more is refused before anything is allocated or trained, naming this limit.
MAX_TENSOR_ENTRIES = 2 ** 28


def check_size(what: str, entries: int, hint: str) -> None:
    """Raise a one-line :class:`ConfigError` when ``entries`` exceeds :data:`MAX_TENSOR_ENTRIES`.

    >>> check_size("the test set (n_test x T x d)", 10 ** 7 * 16 * 16, "use a smaller --n-test")
    Traceback (most recent call last):
    ...
    tbounds.empirical.errors.ConfigError: the test set (n_test x T x d) would have 2560000000 entries, more than the limit of 268435456 (2^28, 1 GiB in float32); use a smaller --n-test
    """
    if entries > MAX_TENSOR_ENTRIES:
        raise ConfigError(f"{what} would have {entries} entries, more than the limit of {MAX_TENSOR_ENTRIES} "
                          f"(2^28, 1 GiB in float32); {hint}")
