"""The one registry of bounds and statements.

Family modules call :func:`register` with :class:`Bound` and :class:`Statement` records; an id
names one record of either kind.  Users call :func:`get` and :func:`select` for bounds,
:func:`get_statement` and :func:`select_statements` for statements.

>>> get("kajitsuka2025.seq2seq.lower_hardmx")
Traceback (most recent call last):
...
tbounds.bounds.errors.UnknownBoundError: unknown bound 'kajitsuka2025.seq2seq.lower_hardmx'; did you mean kajitsuka2025.seq2seq.lower_hardmax, kajitsuka2025.seq2seq.lower_hardmax.rate, kajitsuka2025.seq2seq.upper?
>>> [b.id for b in select(family="memorization", kind="lower", source="2409.17677")][:2]
['kajitsuka2025.next_token.lower', 'kajitsuka2025.next_token.lower_derived']
>>> s = get_statement("merrill2025.width_scaling.tc0")
>>> s.kind, s.classes
('statement', ('L-uniform TC0',))
>>> [x.id for x in select_statements(family="depth", source="2503.03961")][:2]
['merrill2025.width_scaling.tc0', 'merrill2025.cot_scaling.tc0']
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import sys
from typing import Iterable, Optional, Union

from . import cache
from .errors import UnknownBoundError
from .record import Bound, Statement

_REGISTRY: dict[str, Bound] = {}
_STATEMENTS: dict[str, Statement] = {}
_LOADED = False
_PARTIAL = False  # some module was imported alone (through the index) before the full load
_ORIGIN: dict[str, str] = {}  # id -> the module that registered it
_FROM_CACHE: set[str] = set()  # ids registered from the record cache, their module not imported yet


def load_families() -> None:
    """Import the family modules (each registers its records) once, on the first query of the registry.

    ``import tbounds.bounds`` stays light; the first :func:`ids` or :func:`select` pays for
    building the records (compiling a bound waits until it is first evaluated).  :func:`get` of one id
    imports only the module that registers it, found in the index (:func:`_index`) when that is current,
    or reads that one record from the cache (:mod:`.cache`).  The first full load of these sources writes
    the index and every module's records there.
    """
    global _LOADED
    if _LOADED:
        return
    _LOADED = True  # set first: family modules query the registry while they load
    clean = not _REGISTRY and not _STATEMENTS  # (else the order below is that of earlier imports)
    import importlib

    from .vocabulary import FAMILIES
    try:
        for name in FAMILIES:
            family = importlib.import_module(f"{__package__}.{name}")
            for module in getattr(family, "MODULES", ()):
                importlib.import_module(f"{family.__name__}.{module}")
    except BaseException:
        _LOADED = False
        raise
    index = _index()
    if _PARTIAL and index is not None:  # modules loaded alone came first: restore the full load's order
        order = {i: k for k, i in enumerate(index["order"])}
        for table in (_REGISTRY, _STATEMENTS):
            ranked = sorted(table.items(), key=lambda kv: order.get(kv[0], len(order)))
            table.clear()
            table.update(ranked)
    elif index is None and clean:
        _write_index()
        _store_records(dict.fromkeys(_ORIGIN.values()))  # (every module's, 10 ms: the next one-id command is warm)


# --------------------------------------------------------------------------- the index: id -> module


_INDEX_NAME = "registry-index.json"
_INDEX_CACHE: dict = {}


def _index() -> Optional[dict]:
    """``{"module": {id: module}, "order": [ids]}`` written by the last full load of these sources, or None."""
    if "index" not in _INDEX_CACHE:
        data = cache.read(_INDEX_NAME)
        try:
            index = json.loads(data)
            whole = isinstance(index.get("module"), dict) and isinstance(index.get("order"), list)
            _INDEX_CACHE["index"] = index if whole else None
        except (AttributeError, TypeError, ValueError):  # absent (None), corrupt, or not an index
            _INDEX_CACHE["index"] = None
    return _INDEX_CACHE["index"]


def _write_index() -> None:
    index = {"module": dict(_ORIGIN), "order": [*_REGISTRY, *_STATEMENTS]}
    cache.write(_INDEX_NAME, json.dumps(index).encode())
    _INDEX_CACHE["index"] = index
    cache.prune()  # (a new index: these sources are new here, other keys' files may be old)


def _load_alone(record_id: str) -> bool:
    """Register ``record_id`` (before any full load) from the record cache, else by importing only the module
    that registers it (whose records are then cached); True if it is then registered."""
    global _PARTIAL
    if _LOADED or not isinstance(record_id, str):
        return False
    index = _index()
    module = index["module"].get(record_id) if index else None
    if not isinstance(module, str):
        return False
    import importlib

    _PARTIAL = True
    if module not in sys.modules and record_id not in _REGISTRY and record_id not in _STATEMENTS:
        record, stored = cache.load_record(module, record_id)
        if isinstance(record, (Bound, Statement)) and record.id == record_id:
            # A stand-in until the module itself is imported: register() then takes the module's own record.
            (_STATEMENTS if isinstance(record, Statement) else _REGISTRY)[record_id] = record
            _ORIGIN[record_id] = module
            _FROM_CACHE.add(record_id)
            return True
        try:
            importlib.import_module(module)
        except ImportError:
            return False
        if not stored:
            _store_records([module])
    return record_id in _REGISTRY or record_id in _STATEMENTS


def _store_records(modules: Iterable[str]) -> None:
    """Put the records each of ``modules`` registered in the record cache."""
    for module in modules:
        cache.store_records(module, {i: r for table in (_REGISTRY, _STATEMENTS) for i, r in table.items()
                                     if _ORIGIN.get(i) == module})


def register(*records: Union[Bound, Statement]) -> None:
    """Add bounds and statements; an id already taken by either kind is refused."""
    for record in records:
        if record.id in _FROM_CACHE:  # the module's own record replaces the one read from the cache
            _FROM_CACHE.discard(record.id)
            _REGISTRY.pop(record.id, None)
            _STATEMENTS.pop(record.id, None)
        elif record.id in _REGISTRY or record.id in _STATEMENTS:
            raise ValueError(f"id {record.id} registered twice")
        _ORIGIN[record.id] = sys._getframe(1).f_globals.get("__name__", "")
        (_STATEMENTS if isinstance(record, Statement) else _REGISTRY)[record.id] = record


def ids() -> list[str]:
    load_families()
    return list(_REGISTRY)


def get(bound_id: str) -> Bound:
    """The bound with this id; an unknown id raises with the closest ids."""
    if _load_alone(bound_id) and bound_id in _REGISTRY:
        return _REGISTRY[bound_id]
    load_families()
    if isinstance(bound_id, Bound):
        return bound_id
    if not isinstance(bound_id, str):
        raise UnknownBoundError(f"a bound id must be a string such as 'kajitsuka2025.seq2seq.lower_hardmax' "
                                f"(got {bound_id!r})")
    try:
        return _REGISTRY[bound_id]
    except KeyError:
        pass
    close = difflib.get_close_matches(bound_id, _REGISTRY, n=3, cutoff=0.5)
    if not close:  # a prefix or a fragment of an id
        close = [i for i in _REGISTRY if bound_id.lower() in i.lower()][:3]
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `tbounds list` for the ids"
    raise UnknownBoundError(f"unknown bound '{bound_id}'{hint}")


def resolve(patterns: Iterable[str]) -> list[Bound]:
    """Ids or shell-style patterns (``kajitsuka2025.*``) to bounds, in registry order."""
    chosen: list[Bound] = []
    if isinstance(patterns, str):  # one id, not its characters
        patterns = [patterns]
    patterns = list(patterns)
    if not all(isinstance(p, str) and not any(ch in p for ch in "*?[") for p in patterns):
        load_families()
    for pattern in patterns:
        if not isinstance(pattern, str):
            get(pattern)  # a Bound passes; anything else raises naming what was given
            chosen.extend(b for b in [get(pattern)] if b not in chosen)
            continue
        if any(ch in pattern for ch in "*?["):
            hits = [b for i, b in _REGISTRY.items() if fnmatch.fnmatchcase(i, pattern)]
            if not hits:
                raise UnknownBoundError(f"no bound id matches the pattern '{pattern}'")
        else:
            hits = [get(pattern)]
        chosen.extend(b for b in hits if b not in chosen)
    return chosen


def select(family: Optional[str] = None, kind: Optional[str] = None, status: Optional[str] = None,
           source: Optional[str] = None, quantity: Optional[str] = None) -> list[Bound]:
    """Bounds matching every filter given; ``source`` matches arXiv id, authors or label."""
    load_families()
    out = []
    for b in _REGISTRY.values():
        if family and b.family != family:
            continue
        if kind and b.kind != kind:
            continue
        if status and b.status != status:
            continue
        if quantity and quantity.lower() not in b.quantity.name.lower():
            continue
        if source and not source_matches(source, b.source, b.id):
            continue
        out.append(b)
    return out


def source_matches(text: str, source, record_id: str) -> bool:
    """Does ``text`` occur in the arXiv id, authors, label, year or id (case-insensitive)?"""
    hay = " ".join([source.arxiv or "", source.authors, source.label, str(source.year), record_id]).lower()
    return text.lower() in hay


def families() -> list[str]:
    load_families()
    return sorted({b.family for b in _REGISTRY.values()})


def is_statement(statement_id: str) -> bool:
    load_families()
    return statement_id in _STATEMENTS


def get_statement(statement_id: str) -> Statement:
    if _load_alone(statement_id) and statement_id in _STATEMENTS:
        return _STATEMENTS[statement_id]
    load_families()
    try:
        return _STATEMENTS[statement_id]
    except KeyError:
        close = difflib.get_close_matches(statement_id, _STATEMENTS, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownBoundError(f"unknown statement '{statement_id}'{hint}") from None


def select_statements(family: Optional[str] = None, source: Optional[str] = None) -> list[Statement]:
    """Statements matching every filter; ``source`` matches arXiv id, authors, year, label or id."""
    load_families()
    out = []
    for s in _STATEMENTS.values():
        if family and s.family != family:
            continue
        if source and not source_matches(source, s.source, s.id):
            continue
        out.append(s)
    return out


def statement_ids() -> list[str]:
    load_families()
    return list(_STATEMENTS)
