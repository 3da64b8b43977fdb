"""The on-disk cache of the registry's index and records (:mod:`tbounds.bounds.cache`): exact, never stale, robust.

Every test that writes uses its own ``tmp_path`` as ``TBOUNDS_CACHE_DIR``: none depends on another or on an
earlier run.
"""

import dataclasses
import importlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time

import pytest
import sympy as sp

import tbounds.bounds as bounds
from tbounds.bounds import cache

ONE = "kajitsuka2025.seq2seq.lower_hardmax"
GRID = ("eval", ONE, "-p", "N=log:1e2:1e300:4", "-p", "n=8,1000", "--log10")
MODULE = "tbounds.bounds.memorization.seq2seq"
# Runs the CLI; on exit prints (to stderr, last line) the family modules the process imported.
CLI = ("import atexit, json, sys; atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules "
       "if m.startswith(('tbounds.bounds.memorization.', 'tbounds.bounds.generalization.')))), file=sys.stderr)); "
       "from tbounds.cli.main import cli; cli()")


def _cli(cache_dir, *args, **env):
    full = {**os.environ, "TBOUNDS_CACHE_DIR": str(cache_dir), **env}
    proc = subprocess.run([sys.executable, "-c", CLI, *args], env=full, capture_output=True, text=True)
    *errors, modules = proc.stderr.splitlines()
    return proc.returncode, proc.stdout, errors, json.loads(modules)


def _files(cache_dir, pattern="*"):
    return sorted(p.name for p in (cache_dir / "bounds").glob(pattern))


def _same(a, b) -> bool:
    """Equal, with sympy values compared by their exact tree (``srepr``), not by ``==`` alone."""
    if isinstance(a, sp.Basic) or isinstance(b, sp.Basic):
        return type(a) is type(b) and sp.srepr(a) == sp.srepr(b) and a == b and hash(a) == hash(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):  # every field (not the compiled forms)
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    return a is b or a == b


def test_every_record_comes_back_from_the_cache_identical_or_is_not_cached():
    records = [bounds.get(i) for i in bounds.ids()] + [bounds.get_statement(i) for i in bounds.statement_ids()]
    kept = 0
    for record in records:
        try:
            blob = cache._dumps(record)
        except (pickle.PicklingError, AttributeError) as error:
            # only a family module's own object, or a local function, keeps a record out of the cache
            assert "family module" in str(error) or "local object" in str(error), (record.id, error)
            continue
        back = cache._Loader(io.BytesIO(blob)).load()
        assert _same(record, back), record.id
        kept += 1
    assert kept >= 0.8 * len(records)


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """One command run on an empty cache (the full load writes the index and every module's records), on a cache
    holding only that index (its module alone is built and its records stored), and warm; with copies of the
    cache after each."""
    root = tmp_path_factory.mktemp("caches")
    states = {"cold": root / "cold", "index": root / "index", "built": root / "built", "warm": root / "warm"}
    cold = _cli(states["cold"], *GRID)
    shutil.copytree(states["cold"], states["index"], ignore=shutil.ignore_patterns("records-*"))
    shutil.copytree(states["index"], states["built"])
    built = _cli(states["built"], *GRID)
    shutil.copytree(states["cold"], states["warm"])
    warm = _cli(states["warm"], *GRID)
    return (cold, built, warm), states


def _copy(caches, state, tmp_path):
    shutil.copytree(caches[1][state], tmp_path, dirs_exist_ok=True)
    return tmp_path


def _module_of_each_file(cache_dir) -> set:
    return {name[len("records-"):].rsplit("-", 1)[0] for name in _files(cache_dir, "records-*.pickle")}


def test_cold_and_warm_runs_print_the_same_and_a_warm_one_builds_no_family(caches, tmp_path):
    (cold, built, warm), states = caches
    [index] = (states["cold"] / "bounds").glob("registry-index-*.json")
    assert _module_of_each_file(states["cold"]) == set(json.loads(index.read_text())["module"].values())
    assert _module_of_each_file(states["built"]) == {MODULE}  # (the index-only state holds no records)
    assert cold[:3] == built[:3] == warm[:3] and cold[0] == 0 and "1e+300" in cold[1]
    assert MODULE in built[3] and "tbounds.bounds.memorization.next_token" not in built[3]
    assert warm[3] == []  # the record came from the cache: no family module imported
    json_warm = _cli(_copy(caches, "warm", tmp_path), "eval", ONE, "--example", "--format", "json")
    off = tmp_path / "off"
    json_off = _cli(off, "eval", ONE, "--example", "--format", "json", TBOUNDS_NO_CACHE="1")
    assert json_warm[:3] == json_off[:3] and json_warm[3] == [] and not off.exists()  # off: nothing written


def test_a_full_load_after_a_cached_record_keeps_the_order_and_takes_the_modules_own_records(caches, tmp_path):
    script = ("import json, sys, tbounds.bounds.registry as r\n"
              "b = r.get(sys.argv[1]); cached = r._FROM_CACHE == {sys.argv[1]}; ids = r.ids()\n"
              "own = [x for x in sys.modules[r._ORIGIN[sys.argv[1]]].BOUNDS if x.id == sys.argv[1]]\n"
              "print(json.dumps([cached, ids, r.statement_ids(), not r._FROM_CACHE, own == [r.get(sys.argv[1])]]))")
    env = {**os.environ, "TBOUNDS_CACHE_DIR": str(_copy(caches, "warm", tmp_path))}
    cached, ids, statements, no_stand_in, own = json.loads(subprocess.run(
        [sys.executable, "-c", script, ONE], env=env, capture_output=True, text=True, check=True).stdout)
    [index] = (tmp_path / "bounds").glob("registry-index-*.json")  # (written by a full load on an empty cache)
    assert cached and ids + statements == json.loads(index.read_text())["order"]
    assert [ids, statements] == [bounds.ids(), bounds.statement_ids()]  # (conftest loads this process's in full)
    assert no_stand_in and own  # the registry holds the module's own record, as without the cache


def test_corrupt_truncated_and_foreign_files_are_ignored_and_rebuilt(caches, tmp_path, monkeypatch):
    """Every kind of damage reads as absent (checked in this process); one command on a damaged file prints the
    same as before and stores the records again, and a truncated index is read as none."""
    from tbounds.bounds import registry

    expected = caches[0][0]
    _copy(caches, "warm", tmp_path)
    monkeypatch.setenv("TBOUNDS_CACHE_DIR", str(tmp_path))
    [records] = (tmp_path / "bounds").glob(f"records-{MODULE}-*.pickle")
    [index] = (tmp_path / "bounds").glob("registry-index-*.json")
    whole = records.read_bytes()
    assert cache.load_record(MODULE, ONE)[1]  # (this process reads the files the commands wrote)
    family = importlib.import_module("tbounds.bounds.memorization.common").monotone
    foreign = {**pickle.loads(whole), "records": {ONE: pickle.dumps(family)}}  # unpickles only by importing a family
    for damaged in (b"not a pickle", whole[: len(whole) // 2], pickle.dumps({"format": -1}), pickle.dumps(foreign)):
        records.write_bytes(damaged)
        assert cache.load_record(MODULE, ONE) == (None, False)  # absent: the module is built and stored again
    again = _cli(tmp_path, *GRID)  # (the last damage: a record that would import a family)
    assert again[:3] == expected[:3] and MODULE in again[3]  # built by importing the module...
    assert pickle.loads(records.read_bytes())["records"].keys() == pickle.loads(whole)["records"].keys()  # ...and stored
    index.write_text('{"module": ')  # a truncated index: none, so the next command does the full load and writes it
    monkeypatch.setattr(registry, "_INDEX_CACHE", {})
    assert registry._index() is None


def test_files_of_other_sources_are_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOUNDS_CACHE_DIR", str(tmp_path))
    record = bounds.get(ONE)
    monkeypatch.setitem(cache._KEY, "key", "0" * 20)  # as if the sources were different
    cache.store_records(MODULE, {ONE: record})
    assert cache.load_record(MODULE, ONE)[0].id == ONE
    monkeypatch.setitem(cache._KEY, "key", "1" * 20)  # an edit: a new key, so a new file name
    assert cache.load_record(MODULE, ONE) == (None, False)
    monkeypatch.setenv("TBOUNDS_NO_CACHE", "1")
    cache.store_records(MODULE, {ONE: record})
    assert cache.load_record(MODULE, ONE) == (None, False) and len(_files(tmp_path)) == 1


def test_prune_removes_only_old_files_of_other_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOUNDS_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(cache._KEY, "key", "a" * 20)
    folder = tmp_path / "bounds"
    folder.mkdir()
    old = time.time() - (cache.PRUNE_DAYS + 1) * 86400
    for name, age in [("records-m-" + "a" * 20 + ".pickle", old), ("records-m-" + "b" * 20 + ".pickle", old),
                      ("records-m-" + "c" * 20 + ".pickle", time.time()),
                      ("records-m-" + "a" * 20 + ".pickle.123.tmp", old),  # a killed writer's
                      ("notes.txt", old), ("records-m.pickle", old)]:  # not ours: the folder is the user's choice
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (age, age))
    cache.prune()
    assert _files(tmp_path) == ["notes.txt", "records-m-" + "a" * 20 + ".pickle", "records-m-" + "c" * 20 + ".pickle",
                                "records-m.pickle"]


def test_concurrent_processes_on_a_cold_cache_agree(caches, tmp_path):
    expected = caches[0][0]
    env = {**os.environ, "TBOUNDS_CACHE_DIR": str(_copy(caches, "index", tmp_path))}  # records not stored yet
    procs = [subprocess.Popen([sys.executable, "-c", CLI, *GRID], env=env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [p.communicate()[0] for p in procs] == [expected[1]] * 2 and all(p.returncode == 0 for p in procs)
    assert not _files(tmp_path, "*.tmp")  # every write was renamed into place whole
    assert pickle.loads(next((tmp_path / "bounds").glob("records-*.pickle")).read_bytes())["module"] == MODULE


def test_an_unusable_cache_dir_only_turns_the_cache_off(caches, tmp_path):
    expected = caches[0][0]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # (the tests run as root too, where a mode-0o555 folder stays writable)
    again = _cli(blocker / "cache", *GRID)
    assert again[:3] == expected[:3] and again[2] == []  # the same output, no traceback, no warning


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TBOUNDS_CACHE_DIR", str(tmp_path))

    def refuse(*args):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(cache.os, "replace", refuse)
    cache.store_records(MODULE, {ONE: bounds.get(ONE)})
    assert _files(tmp_path) == [] and cache.load_record(MODULE, ONE) == (None, False)


def test_a_file_naming_anything_but_sympy_or_record_classes_is_refused(tmp_path, monkeypatch):
    """A pickle that would call a function (``os.system``, sympy's ``sympify`` of text) reads as absent: nothing runs."""
    monkeypatch.setenv("TBOUNDS_CACHE_DIR", str(tmp_path))
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {ran}",)

    class Sympify:
        def __reduce__(self):
            return sp.sympify, ("1 + 1",)

    for payload in (Payload(), Sympify(), dataclasses.replace):
        cache.write(cache._records_name(MODULE), pickle.dumps(
            {"format": cache.FORMAT, "module": MODULE, "records": {ONE: pickle.dumps(payload)}}))
        assert cache.load_record(MODULE, ONE) == (None, False)
    assert not ran.exists()
    cache.store_records(MODULE, {ONE: bounds.get(ONE)})  # what the cache itself writes still reads back
    assert cache.load_record(MODULE, ONE)[0].id == ONE
