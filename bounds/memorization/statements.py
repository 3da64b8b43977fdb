"""Memorization results stated in words: none so far.

Every result of this family is a size with a formula (parameters, depth, bits), so this module
registers an empty tuple.  A result without one would be added here as ``FAMILY.statement(...)``
from :mod:`.common`, like the depth family's.
"""

from __future__ import annotations

from ..record import Statement
from ..registry import register

STATEMENTS: tuple[Statement, ...] = ()

register(*STATEMENTS)
