"""Every docstring example in the package runs, imported once under its installed name.

pytest's ``--doctest-modules`` would import ``bounds/record.py`` as a second module ``bounds.record``
next to ``tbounds.bounds.record`` (two registries); walking the installed package imports each
module exactly once.
"""

import doctest
import importlib
import pkgutil

import pytest

import tbounds.bounds
import tbounds.cli
import tbounds.empirical

PACKAGES = (tbounds.bounds, tbounds.empirical, tbounds.cli)


def _modules():
    for package in PACKAGES:
        yield package.__name__
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield info.name


def _doctests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in _modules():
        module = importlib.import_module(name)
        for test in finder.find(module, name):
            if test.examples and test.name.startswith(name):  # skip objects re-exported from elsewhere
                yield test


DOCTESTS = sorted(_doctests(), key=lambda t: t.name)


def test_every_module_has_its_examples_collected():
    assert len(DOCTESTS) >= 60
    assert any(t.name.startswith("tbounds.bounds.record") for t in DOCTESTS)


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_examples(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    result = runner.run(test, out=out.append)
    assert result.failed == 0, "".join(out)
