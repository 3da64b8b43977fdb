"""Results that are statements, not formulas: "fixed depth with polynomial width stays in TC0".

A :class:`Bound` needs an expression to evaluate; some theorems give none, only
a containment between complexity classes or an impossibility under a
conjecture.  They are still results a user should find next to the formulas, so
they get this small record and registry of their own: ``tbounds list`` shows
them with kind ``statement`` and ``tbounds show`` prints them, but nothing
evaluates or inverts them.

>>> s = get_statement("merrill2025.width_scaling.tc0")
>>> s.kind, s.classes
('statement', ('L-uniform TC0',))
>>> [x.id for x in select_statements(family="depth", source="2503.03961")][:2]
['merrill2025.width_scaling.tc0', 'merrill2025.cot_scaling.tc0']
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

from .errors import UnknownBoundError
from .record import Assumption, Source
from .registry import source_matches


@dataclass(frozen=True)
class Statement:
    """One result stated in words, with its source and the complexity classes it involves."""

    id: str
    family: str
    title: str
    source: Source
    statement: str
    classes: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    notes: str = ""
    docs: str = ""
    kind: str = "statement"

    def to_dict(self) -> dict:
        return {"id": self.id, "family": self.family, "title": self.title, "kind": self.kind,
                "source": self.source.to_dict(), "statement": self.statement,
                "complexity_classes": list(self.classes),
                "assumptions": [a.to_dict() for a in self.assumptions], "notes": self.notes, "docs": self.docs}


_STATEMENTS: dict[str, Statement] = {}


def register_statements(*statements: Statement) -> None:
    for s in statements:
        if s.id in _STATEMENTS:
            raise ValueError(f"statement id {s.id} registered twice")
        _STATEMENTS[s.id] = s


def is_statement(statement_id: str) -> bool:
    return statement_id in _STATEMENTS


def get_statement(statement_id: str) -> Statement:
    try:
        return _STATEMENTS[statement_id]
    except KeyError:
        close = difflib.get_close_matches(statement_id, _STATEMENTS, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownBoundError(f"unknown statement '{statement_id}'{hint}") from None


def select_statements(family: Optional[str] = None, source: Optional[str] = None) -> list[Statement]:
    """Statements matching every filter; ``source`` matches arXiv id, authors, year, label or id."""
    out = []
    for s in _STATEMENTS.values():
        if family and s.family != family:
            continue
        if source and not source_matches(source, s.source, s.id):
            continue
        out.append(s)
    return out


def statement_ids() -> list[str]:
    return list(_STATEMENTS)

