"""Find bounds by words: forgiving word matching and a ranking over what a record says about itself.

A query word matches a word of a record when both reduce to the same stem: case, British or
American spelling (``generalisation``/``generalization``, ``memorise``/``memorize``), plural and
common endings (``sequences``, ``tracking``) do not matter, a stem of four letters or more may
be a prefix (``linf`` finds ``linformer``), and one typo in a long word is forgiven.

:func:`search` scores each record by where its words match, most telling first: the id and the
title, then the quantity and the source (authors, paper title, label, arXiv id), then the
statement, the reading and the parameters' meanings.

>>> stem("Generalisation"), stem("generalization"), stem("sequences"), stem("memorize")
('generaliz', 'generaliz', 'sequenc', 'memoriz')
>>> matches("generalization", "generalisation gap"), matches("gap bound", "generalisation gap")
(True, False)
>>> [h.record.id for h in search("linformer")][:3]
['wang2020.linformer.k_rank', 'wang2020.linformer.k_linear', 'wang2020.linformer.k_union']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Union

#: field weights: a match in the id or title says more than one in a parameter's meaning
WEIGHTS = {"id": 4.0, "title": 4.0, "quantity": 3.0, "source": 2.5, "statement": 1.5, "reading": 1.0,
           "parameters": 1.0}
_ENDINGS = ("izations", "ization", "ations", "ation", "ings", "ing", "izes", "ized", "ize", "ies", "es", "ed", "s")
_STOP = {"a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "with", "by", "is", "how", "what", "many"}


def stem(word: str) -> str:
    """A crude stem: lower case, American spelling, one common ending off (``sequences`` -> ``sequenc``)."""
    w = word.lower()
    w = re.sub(r"is(ation|ations|e|es|ed|ing)$", r"iz\1", w)
    w = w.replace("isation", "ization")
    for end in _ENDINGS:
        if w.endswith(end) and len(w) - len(end) >= 3:
            return w[: len(w) - len(end)] + ("iz" if end.startswith("iz") else "")
    return w


def words(text: str) -> list[str]:
    """The stems of a text's words (ids split at dots and underscores), stop words dropped."""
    return [stem(w) for w in re.findall(r"[A-Za-z0-9]+", text or "") if w.lower() not in _STOP]


def _word_matches(q: str, stems: Iterable[str]) -> bool:
    for s in stems:
        if q == s or (len(q) >= 4 and s.startswith(q)):
            return True
        if len(q) >= 6 and len(s) >= 6 and difflib.SequenceMatcher(None, q, s).ratio() >= 0.85:
            return True
    return False


def matches(query: str, text: str) -> bool:
    """Does every word of ``query`` match a word of ``text``, forgivingly? (Also true for a plain substring.)"""
    if query.lower() in (text or "").lower():
        return True
    stems = words(text)
    qs = words(query)
    return bool(qs) and all(_word_matches(q, stems) for q in qs)


def _fields(record) -> dict[str, str]:
    s = record.source
    out = {"id": record.id, "title": record.title,
           "quantity": getattr(getattr(record, "quantity", None), "name", "") or " ".join(getattr(record, "classes", ())),
           "source": " ".join([s.authors, s.title, s.label, s.arxiv or "", str(s.year), s.venue]),
           "statement": record.statement, "reading": getattr(record, "reading", None) or "",
           "parameters": " ".join(f"{p.name} {p.meaning}" for p in getattr(record, "params", ()))}
    return out


@dataclass(frozen=True)
class Hit:
    """One record found: its score and, for each query word, the field it matched best in."""

    record: object
    score: float
    matched: dict

    @property
    def kind(self) -> str:
        return self.record.kind


def search(query: Union[str, Sequence[str]], limit: Optional[int] = None, statements: bool = True) -> list[Hit]:
    """Bounds (and statements) ranked by how well they match the query's words; records matching none are dropped.

    A record's score sums, per query word, the weight of the best field it matches in; records
    matching every word get a bonus so they rank above partial matches; ties keep registry order.
    """
    from .registry import select, select_statements  # public queries: they load the families first

    text = query if isinstance(query, str) else " ".join(query)
    qs = list(dict.fromkeys(words(text)))
    if not qs:
        return []
    records = select() + (select_statements() if statements else [])
    hits = []
    for order, record in enumerate(records):
        stems = {name: words(value) for name, value in _fields(record).items()}
        matched, score = {}, 0.0
        for q in qs:
            best = max(((WEIGHTS[name], name) for name, ws in stems.items() if _word_matches(q, ws)), default=None)
            if best:
                score += best[0]
                matched[q] = best[1]
        if matched:
            if len(matched) == len(qs):
                score += 10.0 * len(qs)
            hits.append((-score, order, Hit(record, score, matched)))
    hits.sort(key=lambda t: (t[0], t[1]))
    out = [h for _, _, h in hits]
    return out[:limit] if limit else out
