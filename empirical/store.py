"""Results store: one SQLite table of measured rows keyed by the content hash of their config.

Public API (shared by every experiment family):

- :class:`Row` -- one finished unit of work: ``key`` (the config hash, see
  :func:`tbounds.empirical.experiment.config_key`), ``experiment`` name, ``config`` and
  ``result`` dicts (JSON), ``seed``, ``device``, ``seconds``; the torch and
  tbounds versions and the creation time are filled in by :meth:`Row.make`.
- :class:`Store` -- ``Store(path)``; ``.has(key)``, ``.get(key)``, ``.put(row)``
  (committed at once, so Ctrl-C never loses a finished row), ``.rows(experiment)``,
  ``.get_many(keys)``, ``.keys(experiment)``, ``.delete(key)``, ``len(store)``.  ``":memory:"`` works for tests.
- Claims, so that concurrent sweeps on one store share the work: ``.claim(key, owner)``
  answers ``"claimed"``, ``"done"`` (the store has the row) or ``"busy"`` (a live owner holds
  it); ``.finish(row, owner)`` writes the row and drops the claim in one transaction, keeping
  the first row if another run wrote one; ``.heartbeat(owner)``, ``.release(owner)``. A claim
  is stale, and free to take, when its owner stopped beating for ``lease`` seconds or, on
  this host, when the owner's process is gone (a ``kill -9`` frees its units at once).

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
>>> me, other = owner_id(), owner_id()
>>> s.claim("k2", me), s.claim("k2", other), s.claim("abc", other)
('claimed', 'busy', 'done')
>>> s.finish(Row.make("k2", "demo", {"N": 8}, {"blocks": 3}), me).result, s.claims()
({'blocks': 3}, {})
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import time
import uuid
import warnings
from contextlib import contextmanager
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
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    beat REAL NOT NULL
);
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


#: Seconds without a heartbeat after which a claim is stale (the runner beats every lease / 4 seconds).
LEASE = 60.0


def owner_id() -> str:
    """``host:pid:token``: who holds a claim; the pid lets a run on the same host see that a claimer died."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_alive(owner: str) -> bool:
    """False when ``owner`` ran on this host and its process is gone; True otherwise (the lease decides)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


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
        values = self._values(row)
        try:
            with self._db:
                self._db.execute(f"INSERT OR REPLACE INTO rows ({self._columns}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                 values)
        except sqlite3.Error as error:
            raise StoreError(f"cannot write to results store {self.path}: {error}") from None

    # ------------------------------------------------------------------ claims (concurrent sweeps)
    def claim(self, key: str, owner: str, lease: float = LEASE) -> str:
        """Claim ``key`` for ``owner``: ``"claimed"``, ``"done"`` (a row exists) or ``"busy"`` (held by a live owner)."""
        now = time.time()
        with self._transaction("claim a unit in"):
            if self._stored_readable(key):
                return "done"
            held = self._db.execute("SELECT owner, beat FROM claims WHERE key = ?", (key,)).fetchone()
            if held and held[0] != owner and now - held[1] <= lease and _owner_alive(held[0]):
                return "busy"
            self._db.execute("INSERT OR REPLACE INTO claims (key, owner, beat) VALUES (?, ?, ?)", (key, owner, now))
            return "claimed"

    def finish(self, row: Row, owner: str) -> Row:
        """Write ``row`` unless the store has one for its key (then keep that one), drop the claim; the stored row."""
        values = self._values(row)
        with self._transaction("write to"):
            self._stored_readable(row.key)  # a corrupt row is dropped here, so the new one replaces it
            inserted = self._db.execute(f"INSERT OR IGNORE INTO rows ({self._columns}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                        values).rowcount
            self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (row.key, owner))
        return row if inserted else self.get(row.key)

    def _stored_readable(self, key: str) -> bool:
        """Inside a write transaction: is a readable row stored under ``key``? A corrupt one is deleted."""
        found = self._db.execute(f"SELECT {self._columns} FROM rows WHERE key = ?", (key,)).fetchone()
        if found is None:
            return False
        if self._row(found, self.path) is None:  # malformed JSON: treated as missing, measured again
            self._db.execute("DELETE FROM rows WHERE key = ?", (key,))
            return False
        return True

    def heartbeat(self, owner: str) -> None:
        """Renew every claim of ``owner``."""
        with self._transaction("renew claims in"):
            self._db.execute("UPDATE claims SET beat = ? WHERE owner = ?", (time.time(), owner))

    def release(self, owner: str, key: Optional[str] = None) -> None:
        """Drop ``owner``'s claim on ``key``, or all its claims."""
        with self._transaction("release claims in"):
            if key is None:
                self._db.execute("DELETE FROM claims WHERE owner = ?", (owner,))
            else:
                self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ?", (key, owner))

    def claims(self) -> dict[str, str]:
        """``{key: owner}`` of the claims held now (live or stale)."""
        return dict(self._all("SELECT key, owner FROM claims", ()))

    @contextmanager
    def _transaction(self, what: str):
        """One immediate (write-locked) transaction, so a read-check-write is atomic across processes."""
        try:
            try:
                if self._db.in_transaction:  # left open by a call that Ctrl-C interrupted
                    self._db.rollback()
                self._db.execute("BEGIN IMMEDIATE")
                yield
            except BaseException:  # Ctrl-C may land right after BEGIN: roll back whatever is open
                if self._db.in_transaction:
                    self._db.rollback()
                raise
            self._db.commit()
        except sqlite3.Error as error:
            raise StoreError(f"cannot {what} results store {self.path}: {error}") from None

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
    def _values(row: Row) -> tuple:
        return (row.key, row.experiment, json.dumps(_clean(row.config), sort_keys=True),
                json.dumps(_clean(row.result), sort_keys=True), row.seed, row.device, row.seconds,
                row.torch_version, row.tbounds_version, row.created)

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
