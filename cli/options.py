"""Options shared by the commands: output format and ``-p NAME=VALUE`` parameters."""

from __future__ import annotations

from typing import Sequence

import click

from tbounds.bounds.errors import ParameterError
from tbounds.bounds.grid import parse_values
from tbounds.bounds.record import Bound

from .render import FORMATS

format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format.")
param_option = click.option("-p", "--param", "param_texts", multiple=True, metavar="NAME=VALUE",
                            help="A parameter: a number, a list 1,2,3, or a range lin:A:B:K / log:A:B:K. Repeatable.")
example_option = click.option("--example", is_flag=True, help="Fill every parameter not given with its example value.")


def parse_params(texts: Sequence[str], bounds: Sequence[Bound]) -> dict[str, list[float]]:
    """``["N=log:10:1e4:4", "n=8"]`` to ``{"N": [...], "n": [8.0]}``; integer parameters get integer ranges."""
    values: dict[str, list[float]] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ParameterError(text, "must be written NAME=VALUE, e.g. -p N=1000 or -p N=log:1e3:1e6:4")
        if name in values:
            raise ParameterError(name, "is given twice; give one value, a list or a range")
        integer = any(p.integer for b in bounds for p in b.params if p.name == name)
        values[name] = parse_values(name, raw, integer=integer)
    return values
