"""Shared test settings: hypothesis draws the same examples on every run unless asked otherwise.

* ``default`` (the README's test command and CI): derandomized, no example database, so two
  runs in two fresh clones draw identical examples and a failure reproduces exactly;
* ``thorough`` (``TBOUNDS_HYPOTHESIS_PROFILE=thorough``): random, 1000 examples a test, for
  exploring; a failure it finds becomes a regression case in the catalogue or an ``@example``.
"""

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

# The on-disk caches (the bound registry's index and records, the fused kernel) start empty in every
# session and are the session's own: no test depends on an earlier run, nor on the user's ~/.cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="tbounds-test-cache-")
os.environ["TBOUNDS_CACHE_DIR"] = _CACHE_DIR
os.environ.pop("TBOUNDS_NO_CACHE", None)


def pytest_configure(config):
    """Load the whole registry before collection: test modules import family modules (the doctests import every
    module) and would otherwise fix this process's registry order by what was collected, and an in-process
    ``get`` could read a record from the cache that a command run by an earlier test left.  Loaded here, the
    order is the full load's (as in ``tbounds list``) whichever tests run."""
    from tbounds.bounds import registry

    registry.load_families()


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)


settings.register_profile("default", max_examples=60, deadline=None, derandomize=True, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("TBOUNDS_HYPOTHESIS_PROFILE", "default"))


def _memoize_function_digest() -> None:
    """Hypothesis digests a test's source (tokenized and printed again, 2 ms) twice on every run of every
    parametrized case: for the derandomized seed and for the database key.  The digest depends only on the
    function (its code and signature, and the marker pytest's parametrization adds), so it is computed once
    per function here: the same seeds, the same examples, about 6 s less CPU over the suite.  Left alone
    where hypothesis no longer names the function this way."""
    import hypothesis.core as core

    digest = getattr(core, "function_digest", None)
    if digest is None or getattr(digest, "memoized", False):
        return
    memo = {}

    def memoized(function):
        key = (function, getattr(function, "_hypothesis_internal_add_digest", None))
        try:
            return memo[key]
        except TypeError:  # (an unhashable callable)
            return digest(function)
        except KeyError:
            memo[key] = value = digest(function)
            return value

    memoized.memoized = True
    core.function_digest = memoized


_memoize_function_digest()


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory):
    """Every family's tiny profile, run once per session into a store on disk: the contract suite checks
    its rows, and the report tests render a copy of it (instead of running every family a second time)."""
    from tbounds.empirical import runner
    from tbounds.empirical.experiment import family_names, get_family
    from tbounds.empirical.store import Store

    path = tmp_path_factory.mktemp("contract") / "store.sqlite"
    out = {}
    with Store(path) as store:
        for name in family_names():
            family = get_family(name)
            profile = family.profiles["tiny"]
            out[family.name] = (profile, runner.run(family.experiments, profile, store))
    return path, out
