"""Entry point of the ``tbounds`` app: one group, one-line errors, exit code 2 for bad input.

Commands are defined in :mod:`tbounds.cli.commands` and registered here, in one place, so no
command module imports this one.  A command's module is imported only when that command runs (or
when ``--help`` lists them all): ``tbounds eval`` never imports the experiment commands.
"""

from __future__ import annotations

import sys
import warnings

import importlib

import click

from tbounds.bounds.errors import TboundsError

#: Each command's name and the module under :mod:`tbounds.cli.commands` whose ``COMMANDS`` define it.
COMMAND_MODULES = {
    "list": "bounds", "show": "bounds", "eval": "bounds", "solve": "bounds", "plot": "bounds",
    "search": "search", "crossover": "crossover", "run": "experiments", "compare": "experiments",
    "report": "report", "data": "data", "completion": "completion",
}


class TboundsGroup(click.Group):
    """A click group whose errors are one line and never a traceback, and whose commands load on first use."""

    def __init__(self, *args, **kwargs):
        self._loaded: dict = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict:
        """Every command (importing every command module): for help texts and the docs check."""
        for module in dict.fromkeys(COMMAND_MODULES.values()):
            self._load(module)
        return self._loaded

    @commands.setter
    def commands(self, value) -> None:
        self._loaded = dict(value or {})

    def add_command(self, cmd, name=None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._loaded[name] = cmd  # (not through ``commands``, which would import every module)

    def _load(self, module: str) -> None:
        for command in importlib.import_module(f"tbounds.cli.commands.{module}").COMMANDS:
            self._loaded.setdefault(command.name, command)

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self._loaded and cmd_name in COMMAND_MODULES:
            self._load(COMMAND_MODULES[cmd_name])
        return self._loaded.get(cmd_name)

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(self._loaded) | set(COMMAND_MODULES))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        import numpy as np  # (here, not at import: `from tbounds.cli.main import cli` stays light)

        try:
            # Floating-point warnings (overflow in an intermediate, 0 * inf) never reach the terminal:
            # a result that matters is checked (no NaN is printed), and errors are one line.
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.showwarning = _one_line_warning
                result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except TboundsError as error:
            _fail(str(error), 2)
        except click.ClickException as error:
            hint = ""
            ctx = getattr(error, "ctx", None)
            if isinstance(error, click.UsageError) and ctx is not None:
                hint = f" (see '{ctx.command_path} --help')"
            _fail(error.format_message().replace("\n", " ") + hint, error.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted; finished results are kept", 130)
        sys.exit(result if isinstance(result, int) else 0)


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Library warnings (a corrupt stored row, say) as one line on stderr, without source lines."""
    click.echo(f"Warning: {message}", err=True)


def _fail(message: str, code: int):
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(cls=TboundsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tbounds")
def cli():
    """tbounds: transformer theory as numbers you can compute, test and check against training runs.

    \b
    Examples:
      tbounds list --family memorization
      tbounds show kajitsuka2025.seq2seq.lower_hardmax
      tbounds eval kajitsuka2025.seq2seq.lower_hardmax -p N=1000 -p n=8,1000
      tbounds solve kajitsuka2025.seq2seq.lower_hardmax --for N --target 1e6 -p n=512
      tbounds compare memorization --quick
      tbounds data random_tokens --count 2
    """


main = cli
