"""The package as installed: one import package, no import cycle, the symbolic core free of torch.

* every folder of bounds/, empirical/ and cli/ with an ``__init__.py`` is listed in
  pyproject.toml's ``packages`` (a missing one is absent from a non-editable install);
* the module-level import graph of ``tbounds`` is acyclic: a module never imports, directly
  or through others, a module that imports it back (imports inside functions are deferred
  and do not count);
* ``import tbounds.bounds`` and the CLI's ``--help`` never import torch.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"bounds": "tbounds.bounds", "empirical": "tbounds.empirical", "cli": "tbounds.cli"}


def _modules() -> dict[str, Path]:
    """``{dotted name: file}`` for every module of the package."""
    out = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join((package, *parts))] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _top_level_imports(tree: ast.Module):
    """Import statements executed when the module is imported (not those inside functions or classes)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    stack.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def _targets(name: str, node) -> set[str]:
    """The package modules an import statement in module ``name`` loads by name."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in MODULES}
    if node.level:
        base = name.split(".") if _is_package(name) else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        where = ".".join(base + ([node.module] if node.module else []))
    else:
        where = node.module or ""
    submodules = {f"{where}.{a.name}" for a in node.names if f"{where}.{a.name}" in MODULES}
    # `from pkg import sub` loads the submodule; `from pkg import name` runs pkg's __init__ for the name
    attributes = len(submodules) < len(node.names)
    return submodules | ({where} if where in MODULES and attributes else set())


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = set().union(*[_targets(name, n) for n in _top_level_imports(tree)]) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]):
    """One cycle as a list of modules, or None (iterative depth-first search)."""
    colour = dict.fromkeys(graph, 0)
    for start in sorted(graph):
        if colour[start]:
            continue
        path, iters = [start], [iter(sorted(graph[start]))]
        colour[start] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = 2
                iters.pop()
            elif colour.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt) == 0:
                colour[nxt] = 1
                path.append(nxt)
                iters.append(iter(sorted(graph[nxt])))
    return None


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_pyproject_lists_every_subpackage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {name for name in MODULES if _is_package(name)}
    assert set(config["packages"]) == packages
    assert config["package-dir"] == {package: folder for folder, package in FOLDERS.items()}


@pytest.mark.parametrize("code", [
    "import tbounds.bounds",
    "from tbounds.cli.main import cli; from click.testing import CliRunner; CliRunner().invoke(cli, ['--help'])",
])
def test_no_torch_on_import(code):
    probe = f"{code}\nimport sys\nassert 'torch' not in sys.modules, 'torch was imported'"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("args", [["--help"], ["eval", "--help"], ["list", "--help"]])
def test_help_imports_neither_sympy_nor_torch(args):
    """Start-up: help needs no symbolic maths; the families and sympy load on the first bound asked for."""
    code = (f"import sys; sys.argv = ['tbounds', *{args!r}]\nfrom tbounds.cli.main import cli\n"
            "try:\n    cli()\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('sympy', 'torch') if m in sys.modules]\nassert not bad, bad")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage" in done.stdout


def test_importing_the_bounds_package_builds_no_family_until_asked():
    code = ("import sys, tbounds.bounds as b\nassert 'sympy' not in sys.modules\n"
            "assert b.get('kajitsuka2025.seq2seq.lower_hardmax').id\nassert 'sympy' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
