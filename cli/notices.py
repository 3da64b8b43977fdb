"""Warnings on stderr, one line each, for what a call's numbers mean (:mod:`tbounds.bounds.regime`)."""

from __future__ import annotations

import click


def warn_usage(bounds, rows=(), values=None) -> list[str]:
    """Print ``Warning: ...`` for clashing parameter names and bounds outside their regime; return the messages."""
    from tbounds.bounds.regime import check_usage

    messages = check_usage(list(bounds), rows, values)
    for message in messages:
        click.echo(f"Warning: {message}", err=True)
    return messages
