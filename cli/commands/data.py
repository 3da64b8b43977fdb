"""``tbounds data TASK``: examples of any experiment's data, each input with one target per position.

Settings of the task's generator are given as options named after them (``--n 8``, ``--labels
seq2seq``); ``tbounds data --list`` names every task with its settings and their defaults.
"""

from __future__ import annotations

import json

import click

from tbounds.bounds.errors import ParameterError, TboundsError

from ..options import format_option
from ..render import render, to_json


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _settings(spec, args: list[str]) -> dict:
    """``["--n", "8", "--labels=seq2seq"]`` to ``{"n": 8, "labels": "seq2seq"}``, typed like the defaults."""
    out, i = {}, 0
    while i < len(args):
        token = args[i]
        if not token.startswith("--"):
            raise ParameterError(token, "is not a setting: write settings as --NAME VALUE")
        name, sep, value = token[2:].partition("=")
        if not sep:
            if i + 1 >= len(args):
                raise ParameterError(f"--{name}", "needs a value")
            value, i = args[i + 1], i + 1
        i += 1
        key = name.replace("-", "_")
        if key not in spec.settings:
            allowed = ", ".join(f"--{k.replace('_', '-')}" for k in spec.settings) or "none"
            raise ParameterError(f"--{name}", f"is not a setting of task {spec.name} (its settings: {allowed})")
        default = spec.settings[key]
        if isinstance(default, bool):   # bool("false") is True: read the word instead
            word = str(value).strip().lower()
            if word not in _BOOLEANS:
                raise ParameterError(f"--{name}", "must be true or false", got=value)
            out[key] = _BOOLEANS[word]
            continue
        try:
            out[key] = type(default)(value) if default is not None else value
        except ValueError:
            kind = {int: "an integer", float: "a number"}.get(type(default), "text")
            raise ParameterError(f"--{name}", f"must be {kind}", got=value) from None
    return out


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@click.command("data", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("task", required=False)
@click.option("--list", "list_tasks", is_flag=True, help="List every task, its family and its settings.")
@click.option("--count", type=click.IntRange(1, 10_000), default=3, show_default=True, help="How many examples.")
@click.option("--seed", type=click.IntRange(0, 2 ** 63 - 1), default=0, show_default=True,
              help="The generator's seed (the same seed prints the same examples).")
@click.option("--input", "input_text", default=None,
              help="Label this input instead of generating examples (tasks that can label one).")
@format_option
@click.pass_context
def data_command(ctx, task, list_tasks, count, seed, input_text, fmt):
    """Print examples of a task's data: each input with one target per position (null where there is none).

    \b
    Examples:
      tbounds data --list
      tbounds data random_tokens --count 2 --n 4 --labels seq2seq
      tbounds data text_windows --n 6 --format json
      tbounds data sparse_majority --T 6 --s 3
    """
    from tbounds.empirical.experiment import get_task, tasks

    if list_tasks or task is None:
        rows = [{"task": t.name, "title": t.title,
                 "settings": ", ".join(f"--{k.replace('_', '-')} {v!r}" for k, v in t.settings.items())}
                for t in tasks()]
        click.echo(to_json(rows) if fmt == "json" else render(rows, ["task", "title", "settings"], fmt,
                                                             title="tasks (tbounds data TASK)"))
        return
    spec = get_task(task)
    settings = _settings(spec, ctx.args)
    if input_text is not None:
        if spec.label is None:
            raise TboundsError(f"task {spec.name} does not label a given input; it prints generated examples "
                               "(drop --input)")
        examples = [spec.label(input_text, **settings)]
    else:
        examples = spec.examples(count=count, seed=seed, **settings)
    if fmt == "json":
        click.echo(to_json(examples[0] if input_text is not None else examples))
        return
    rows = [{"example": i, "input": _compact(e["input"]), "target": _compact(e["target"])}
            for i, e in enumerate(examples)]
    click.echo(render(rows, ["example", "input", "target"], fmt, title=f"{spec.name}: {spec.title}"))


COMMANDS = (data_command,)
