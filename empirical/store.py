"""Results store: one SQLite table of measured rows keyed by the content hash of their config.

Public API (shared by every experiment family):

- :class:`Row` -- one finished unit of work: ``key`` (the config hash, see
  :func:`tbounds.empirical.experiment.config_key`), ``experiment`` name, ``config`` and
  ``result`` dicts (JSON), ``seed``, ``device``, ``seconds``; the torch and
  tbounds versions and the creation time are filled in by :meth:`Row.make`.
- :class:`Store` -- ``Store(path)``; ``.has(key)``, ``.get(key)``, ``.put(row)``
  (committed at once, so Ctrl-C never loses a finished row), ``.rows(experiment)``,
  ``.get_many(keys)``, ``.keys(experiment)``, ``.delete(key)``, ``len(store)``.  ``":memory:"`` works for tests.

A rerun of a sweep asks ``has(key)`` before training and skips finished rows, so
an interrupted sweep resumes where it stopped.

>>> s = Store(":memory:")
>>> s.has("abc")
False
>>> s.put(Row.make("abc", "demo", {"N": 4}, {"blocks": 2}, seed=0, device="cpu", seconds=0.1))
>>> s.has("abc"), s.get("abc").result, len(s)
(True, {'blocks': 2}, 1)
>>> [r.config for r in s.rows("demo")]
[{'N': 4}]
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from .errors import StoreError


class CorruptRowWarning(UserWarning):
    """A stored row whose JSON cannot be read: it is treated as missing (a rerun measures it again)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    key TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    config TEXT NOT NULL,
    result TEXT NOT NULL,
    seed INTEGER,
    device TEXT,
    seconds REAL,
    torch_version TEXT,
    tbounds_version TEXT,
    created TEXT
);
CREATE INDEX IF NOT EXISTS rows_experiment ON rows (experiment);
"""


def _versions() -> tuple[str, str]:
    try:
        import torch

        torch_version = torch.__version__
    except Exception:  # pragma: no cover - the engine always has torch
        torch_version = "none"
    try:
        from importlib.metadata import version

        tbounds_version = version("tbounds")
    except Exception:  # pragma: no cover - source checkout without metadata
        tbounds_version = "unknown"
    return torch_version, tbounds_version


def _clean(value):
    """JSON-safe copy: non-finite floats become strings so they survive the round trip."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class Row:
    """One finished unit of an experiment, as stored."""

    key: str
    experiment: str
    config: dict
    result: dict
    seed: Optional[int] = None
    device: str = "cpu"
    seconds: float = 0.0
    torch_version: str = ""
    tbounds_version: str = ""
    created: str = field(default="")

    @classmethod
    def make(cls, key: str, experiment: str, config: dict, result: dict, seed: Optional[int] = None,
             device: str = "cpu", seconds: float = 0.0) -> "Row":
        """A row with the running torch/tbounds versions and the current UTC time filled in."""
        torch_version, tbounds_version = _versions()
        return cls(key, experiment, dict(config), dict(result), seed, str(device), float(seconds),
                   torch_version, tbounds_version, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    def flat(self) -> dict:
        """Config and result merged into one dict (result wins), plus seed, device and seconds."""
        return {**self.config, **self.result, "seed": self.seed, "device": self.device, "seconds": self.seconds}


class Store:
    """Rows in a SQLite file, created on first use; every ``put`` is its own committed transaction."""

    def __init__(self, path):
        self.path = str(path)
        try:
            if self.path != ":memory:":
                p = Path(self.path)
                if p.is_dir():
                    raise StoreError(f"store path {self.path} is a directory; give a file such as results.sqlite")
                p.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.executescript(SCHEMA)
            self._db.commit()
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot open results store {self.path}: {error}") from None

    # ------------------------------------------------------------------ reading
    def has(self, key: str) -> bool:
        """Is a readable row stored under ``key``? (A corrupt one counts as missing.)"""
        return self.get(key) is not None

    def get(self, key: str) -> Optional[Row]:
        found = self._one(f"SELECT {self._columns} FROM rows WHERE key = ?", (key,))
        return None if found is None else self._row(found, self.path)

    def rows(self, experiment: Optional[str] = None) -> list[Row]:
        """Every row (of one experiment if named), oldest first."""
        sql = f"SELECT {self._columns} FROM rows"
        args: tuple = ()
        if experiment is not None:
            sql += " WHERE experiment = ?"
            args = (experiment,)
        rows = (self._row(r, self.path) for r in self._all(sql + " ORDER BY rowid", args))
        return [r for r in rows if r is not None]

    def get_many(self, keys) -> dict[str, Row]:
        """``{key: row}`` for the keys the store has, in one pass (chunked under SQLite's variable limit)."""
        keys, found = sorted(set(keys)), {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            sql = f"SELECT {self._columns} FROM rows WHERE key IN ({','.join('?' * len(chunk))})"
            rows = (self._row(r, self.path) for r in self._all(sql, tuple(chunk)))
            found.update((r.key, r) for r in rows if r is not None)
        return found

    def keys(self, experiment: Optional[str] = None) -> set[str]:
        sql, args = ("SELECT key FROM rows", ()) if experiment is None else \
            ("SELECT key FROM rows WHERE experiment = ?", (experiment,))
        return {r[0] for r in self._all(sql, args)}

    def __len__(self) -> int:
        return self._one("SELECT COUNT(*) FROM rows", ())[0]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows())

    # ------------------------------------------------------------------ writing
    def put(self, row: Row) -> None:
        """Insert or replace one row and commit it immediately."""
        values = (row.key, row.experiment, json.dumps(_clean(row.config), sort_keys=True),
                  json.dumps(_clean(row.result), sort_keys=True), row.seed, row.device, row.seconds,
                  row.torch_version, row.tbounds_version, row.created)
        try:
            with self._db:
                self._db.execute(f"INSERT OR REPLACE INTO rows ({self._columns}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                 values)
        except sqlite3.Error as error:
            raise StoreError(f"cannot write to results store {self.path}: {error}") from None

    def delete(self, key: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM rows WHERE key = ?", (key,))

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ internals
    _columns = "key, experiment, config, result, seed, device, seconds, torch_version, tbounds_version, created"

    def _one(self, sql, args):
        try:
            return self._db.execute(sql, args).fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"cannot read results store {self.path}: {error}") from None

    def _all(self, sql, args):
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"cannot read results store {self.path}: {error}") from None

    @staticmethod
    def _row(r, path: str = "") -> Optional[Row]:
        """The row, or None (with a warning) when its config or result is not a JSON object."""
        try:
            config, result = json.loads(r[2]), json.loads(r[3])
        except (TypeError, ValueError):
            config = result = None
        if not isinstance(config, dict) or not isinstance(result, dict):
            warnings.warn(f"results store {path}: row {r[0]!r} ({r[1]}) has malformed JSON; treated as missing "
                          "(a rerun measures it again and replaces it)", CorruptRowWarning, stacklevel=3)
            return None
        return Row(r[0], r[1], config, result, r[4], r[5], r[6], r[7], r[8], r[9])
