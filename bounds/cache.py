"""An on-disk cache of what is slow to build: the registry's index (id -> module) and its records, pickled.

``tbounds eval ID`` needs one record; building it means importing its family module, which builds
every sympy record of that module (the larger part of a one-bound start-up).  The registry keeps
each module's records here after building them once, and later processes unpickle the one record
they need instead (:mod:`tbounds.bounds.registry`).

* Where: ``$TBOUNDS_CACHE_DIR/bounds``, else ``$XDG_CACHE_HOME/tbounds/bounds``, else
  ``~/.cache/tbounds/bounds``.  ``TBOUNDS_NO_CACHE=1`` turns the cache off: nothing is read or written.
* Stale never: every file name carries :func:`key`, a digest of the contents of every source under
  ``bounds/`` and of the Python, numpy and sympy versions, so an edit or an upgrade gives new names
  (old files are simply never read again).
* Safe: a file is written whole to a temporary name and renamed (``os.replace``, atomic), so a
  concurrent process reads the old file, the new one, or none; a file that cannot be read or
  unpickled (truncated, corrupt, from another format) counts as absent and is rebuilt.  Records are
  unpickled by a loader that refuses the family modules, so a cached record never imports (and so
  builds) a family; a record that cannot be pickled without one (a family's own sympy function) or
  at all (an algorithmic bound's per-point local function, :func:`.numeric.unique_points`) is not cached: it is built by importing its module.
  A folder that cannot be created, read or written (read-only, a file in the way) turns the cache off
  silently: commands work as without it.  A file is unpickled by a loader that accepts only sympy's and
  ``tbounds.bounds``' classes and this module's two rebuilders (:class:`_Loader`): a file planted in the
  folder that names a function (``os.system``) reads as absent instead of running it.
* Small: files of other keys untouched for :data:`PRUNE_DAYS` days are removed when a new index is
  written (a source edit or an upgrade), so edits do not pile up files; only files named as this module
  names them are ever removed.

>>> import os, tempfile
>>> from unittest import mock
>>> from tbounds.bounds.domain import Param
>>> with tempfile.TemporaryDirectory() as folder, mock.patch.dict(os.environ, TBOUNDS_CACHE_DIR=folder):
...     store_records("example.module", {"x": Param("n", "a count", 8.0, integer=True, low=1)})
...     print(load_record("example.module", "x"))
...     print(load_record("example.module", "y"))  # not in the file (it could not be cached): built instead
(Param(name='n', meaning='a count', example=8.0, integer=True, low=1, low_open=False, high=inf, high_open=False, unit=''), True)
(None, True)
"""

from __future__ import annotations

import io
import os
import pickle
import re
import sys
from functools import cached_property
from typing import Mapping, Optional

#: Changes whenever the layout of the files below changes: old files then get other names.
FORMAT = 1
#: Files of other keys are removed once untouched this long (another checkout may still use its own).
PRUNE_DAYS = 7
#: Modules whose objects a cached record may not refer to: unpickling would import (build) a family.
_FAMILY_PACKAGES = tuple(f"tbounds.bounds.{name}" for name in
                         ("memorization", "generalization", "depth", "approximation", "catalogue"))

_KEY: dict = {}


def enabled() -> bool:
    return os.environ.get("TBOUNDS_NO_CACHE", "").strip() in ("", "0")


def cache_root() -> str:
    """The cache root of tbounds: ``$TBOUNDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/tbounds``, else ``~/.cache/tbounds``
    (compiled kernels live in its ``kernels/``, :mod:`.native`)."""
    return os.environ.get("TBOUNDS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "tbounds")


def directory() -> str:
    return os.path.join(cache_root(), "bounds")


def key() -> Optional[str]:
    """:func:`source_digest` of ``bounds/`` and the versions records depend on (None when a source cannot be
    read); computed once per process (a millisecond)."""
    if "key" not in _KEY:
        import numpy
        import sympy

        salt = f"{FORMAT} {sys.version} {numpy.__version__} {sympy.__version__}"
        try:
            _KEY["key"] = source_digest(os.path.dirname(os.path.abspath(__file__)), salt)
        except OSError:
            _KEY["key"] = None
    return _KEY["key"]


def source_digest(root: str, salt: str = "") -> str:
    """A digest of the path and contents of every ``.py`` file under ``root`` (20 hex digits).

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.py").write_text("x = 1")
    >>> before = source_digest(str(folder))
    >>> _ = (folder / "a.py").write_text("x = 2")  # same size: the contents are read, not only sizes and times
    >>> source_digest(str(folder)) != before, len(before)
    (True, 20)
    """
    try:
        from _blake2 import blake2b  # hashlib's own blake2b, without loading OpenSSL (2 ms of a start-up)
    except ImportError:
        from hashlib import blake2b
    digest = blake2b(salt.encode(), digest_size=10)
    files = sorted(os.path.relpath(os.path.join(folder, name), root)
                   for folder, _, names in os.walk(root) for name in names if name.endswith(".py"))
    for rel in files:
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def path(name: str) -> Optional[str]:
    """The file for ``name`` (``registry-index.json``) under the current :func:`key`, or None when off."""
    if not enabled() or key() is None:
        return None
    stem, dot, ext = name.rpartition(".")
    return os.path.join(directory(), f"{stem}-{key()}{dot}{ext}")


def read(name: str) -> Optional[bytes]:
    """The bytes of a cache file, or None (off, absent or unreadable)."""
    target = path(name)
    if target is None:
        return None
    try:
        with open(target, "rb") as f:
            return f.read()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Write atomically (a whole temporary file, then a rename); a cache that cannot be written is skipped."""
    target = path(name)
    if target is None:
        return
    tmp = f"{target}.{os.getpid()}.{id(data):x}.tmp"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


#: The names this module writes (:func:`path`, :func:`write`): prune never touches anything else in the folder,
#: which is the user's to choose (``TBOUNDS_CACHE_DIR``) and may hold other files.
_OURS = re.compile(r"(registry-index|records-[\w.]+)-[0-9a-f]{20}\.(json|pickle)(\.\d+(\.[0-9a-f]+)?\.tmp)?")


def prune(days: float = PRUNE_DAYS) -> None:
    """Remove the files of other keys (other sources or versions), and temporary files, not modified for ``days``
    days: only files named as this module names them.

    >>> [bool(_OURS.fullmatch(n)) for n in ("records-tbounds.bounds.depth.khop-" + "0a" * 10 + ".pickle",
    ...                                     "registry-index-" + "f" * 20 + ".json.123.7f3a.tmp", "notes.txt")]
    [True, True, False]
    """
    if not enabled() or key() is None:
        return
    import time

    folder, current, limit = directory(), key(), time.time() - days * 86400
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not _OURS.fullmatch(name) or (current in name and not name.endswith(".tmp")):  # (a .tmp this old: its writer was killed)
            continue
        try:
            target = os.path.join(folder, name)
            if os.stat(target).st_mtime < limit:
                os.unlink(target)
        except OSError:  # removed meanwhile by another process, or not ours to remove
            continue


# --------------------------------------------------------------------------- records


def _records_name(module: str) -> str:
    return f"records-{module}.pickle"


def store_records(module: str, records: Mapping[str, object]) -> None:
    """Cache the records ``module`` registered, each pickled on its own (one is unpickled at a time);
    a record that cannot be pickled without a family module is left out."""
    if path(_records_name(module)) is None:
        return
    blobs = {}
    for record_id, record in records.items():
        try:
            blobs[record_id] = _dumps(record)
        except Exception:  # a local function, a family's own function: built by importing the module instead
            continue
    write(_records_name(module), pickle.dumps({"format": FORMAT, "module": module, "records": blobs},
                                              protocol=pickle.HIGHEST_PROTOCOL))


def load_record(module: str, record_id: str) -> tuple[object, bool]:
    """The cached record ``record_id`` of ``module`` (or None), and whether that module's records are cached
    at all (False: off, absent, stale or unreadable, so the caller builds them and stores them again)."""
    data = read(_records_name(module))
    if data is None:
        return None, False
    try:
        table = _Loader(io.BytesIO(data)).load()
        if table.get("format") != FORMAT or table.get("module") != module:
            return None, False
        blob = table["records"].get(record_id)
        return (None if blob is None else _Loader(io.BytesIO(blob)).load()), True
    except Exception:  # truncated, corrupt, or referring to what no longer exists: rebuilt by the caller
        return None, False


class _Dumper(pickle.Pickler):
    """Pickles records without their cached compiled forms, sums, products, powers, functions and relations (the
    assumptions) as they stand (not evaluated again), and refuses anything of a family module."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from sympy import Pow
        from sympy.core.function import Application
        from sympy.core.operations import AssocOp
        from sympy.core.relational import Relational

        self._as_they_stand = (Pow, AssocOp, Application, Relational)

    def reducer_override(self, obj):
        if isinstance(obj, type) or callable(obj) and hasattr(obj, "__qualname__"):
            if (getattr(obj, "__module__", None) or "").startswith(_FAMILY_PACKAGES):
                raise pickle.PicklingError(f"{obj!r} belongs to a family module")
            return NotImplemented
        cls = type(obj)
        if isinstance(obj, self._as_they_stand):
            # Their args are already in canonical form: rebuilding them unevaluated gives the same tree (the
            # tests compare every record's srepr) without sympy's simplification and assumption queries.
            return _unevaluated, (cls, obj.args)
        if cls.__module__.startswith("tbounds.") and hasattr(obj, "__dict__") and not _is_sympy(obj):
            # (a cached_property's value, a compiled function, is rebuilt on first use instead)
            state = {k: v for k, v in vars(obj).items() if not isinstance(getattr(cls, k, None), cached_property)}
            return _rebuild, (cls, state)
        return NotImplemented


def _is_sympy(obj) -> bool:
    basic = sys.modules.get("sympy.core.basic")
    return basic is not None and isinstance(obj, basic.Basic)


def _unevaluated(cls, args: tuple):
    if not (_is_sympy_class(cls)):
        raise pickle.UnpicklingError(f"{cls!r} is not a sympy class")
    return cls(*args, evaluate=False)


def _is_sympy_class(cls) -> bool:
    from sympy import Basic

    return isinstance(cls, type) and issubclass(cls, Basic)


def _rebuild(cls, state: dict):
    """A record from its fields, as unpickling a dataclass does (its checks ran when it was first built)."""
    if not (isinstance(cls, type) and cls.__module__.startswith("tbounds.bounds.") and isinstance(state, dict)):
        raise pickle.UnpicklingError(f"{cls!r} is not a record class")
    obj = object.__new__(cls)
    obj.__dict__.update(state)
    return obj


class _Loader(pickle.Unpickler):
    """Unpickles what :class:`_Dumper` writes and nothing else: classes of sympy and of ``tbounds.bounds`` (never of
    a family module, whose import would build the family) and this module's two rebuilders.  A file that names
    anything else (a function such as ``os.system``, or ``sympify``, which evaluates text) is refused, and so reads
    as absent: the cache folder is trusted, but a stray file in it cannot run code."""

    def find_class(self, module: str, name: str):
        if module.startswith(_FAMILY_PACKAGES):
            raise pickle.UnpicklingError(f"a cached record refers to {module}.{name}")
        if module == __name__ and name in ("_rebuild", "_unevaluated"):
            return super().find_class(module, name)
        if module == "sympy" or module.startswith(("sympy.", "tbounds.bounds.")):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a cached record may not refer to {module}.{name}")


def _dumps(obj) -> bytes:
    buffer = io.BytesIO()
    _Dumper(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()
