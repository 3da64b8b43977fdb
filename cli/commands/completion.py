"""``tbounds completion SHELL``: the script that makes the shell complete commands, options and bound ids."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell):
    """Print the completion script for SHELL (bash, zsh or fish): commands, options and bound ids.

    \b
    Load it for this session (bash):   eval "$(tbounds completion bash)"
    or for good:                        tbounds completion bash >> ~/.bashrc
    """
    from click.shell_completion import get_completion_class

    root = click.get_current_context().find_root().command
    cls = get_completion_class(shell)
    click.echo(cls(root, {}, "tbounds", "_TBOUNDS_COMPLETE").source())


COMMANDS = (completion_command,)
