"""Generalization results stated in words: none so far.

Every result of this family comes with a formula (a covering number, a complexity, a gap), so
this module registers an empty tuple.  A result without one (an impossibility, a containment)
would be added here as ``FAMILY.statement(...)`` from :mod:`.common`, like the depth family's.
"""

from __future__ import annotations

from ..record import Statement
from ..registry import register

STATEMENTS: tuple[Statement, ...] = ()

register(*STATEMENTS)
