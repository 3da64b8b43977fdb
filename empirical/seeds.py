"""Seeds of any size made into torch generators.

A user's seed may be anything in 0..2^63-1 (``--seed``), and streams are derived from it
arithmetically (``7919 * seed + 17``), which can leave the 64-bit range torch accepts
(0..2^64-1).  Every generator is made here, from the derived seed reduced modulo 2^64: seeds
already in range keep their stream exactly (stored results stay reproducible), and no seed
overflows.

>>> int(generator(2 ** 63 - 1).initial_seed()) == 2 ** 63 - 1
True
>>> int(generator(7919 * (2 ** 63 - 1) + 17).initial_seed()) < 2 ** 64
True
"""

from __future__ import annotations

import torch

SEED_RANGE = 2 ** 64  # what torch.Generator.manual_seed accepts


def fold(seed: int) -> int:
    """``seed`` reduced into 0..2^64-1 (Python's ``%`` is non-negative for a positive modulus)."""
    return int(seed) % SEED_RANGE


def generator(seed: int) -> torch.Generator:
    """A CPU torch generator seeded with ``fold(seed)``."""
    return torch.Generator().manual_seed(fold(seed))
