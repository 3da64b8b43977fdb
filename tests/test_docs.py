"""The docs keep up with the code: README's commands match CI, docs/cli.md names every command and option."""

import re
from pathlib import Path

import click

from tbounds.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci_lines = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    test_command = ci_lines[-1]
    assert test_command in readme
    assert test_command.endswith("python -m pytest")


def test_readme_main_command_is_the_memorization_comparison():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"pip install -q -c constraints.txt -e '\.\[test\]' && \.venv/bin/tbounds compare memorization --quick",
                     readme)


def test_cli_reference_names_every_command_and_option():
    text = (ROOT / "docs/cli.md").read_text()
    for path, command in _commands(cli):
        assert " ".join(path) in text, f"docs/cli.md does not mention `{' '.join(path)}`"
        for param in command.params:
            if isinstance(param, click.Option):
                names = [o for o in param.opts if o.startswith("--")]
                if names and names[0] not in ("--help",):
                    assert any(n in text for n in names), f"docs/cli.md: {' '.join(path)} {names[0]}"
