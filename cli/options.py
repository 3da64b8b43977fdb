"""Options shared by the commands, spelled and behaving the same everywhere.

Bounds: ``--format``, ``-p NAME=VALUE`` and ``--example``.  Experiments (every family's ``run`` and
``compare``): ``--quick``/``--paper``, ``--only``, ``--seed``, ``--store``, ``--device``, ``--threads``,
``--plot-dir``, ``--no-run``, ``--format``, the sweep file ``--config`` and where units run: ``--backend``,
``--workers``, ``--scheduler`` (Dask) and ``--partition``, ``--time-limit``, ``--mem-gb``, ``--gpus``,
``--job-dir`` (SLURM) (:func:`experiment_options`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import click

from tbounds.bounds.errors import ParameterError
from tbounds.bounds.grid import parse_values
if TYPE_CHECKING:  # the CLI starts without sympy
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


DEFAULT_STORE = "tbounds-out/results.sqlite"
DEFAULT_PLOT_DIR = "tbounds-out"


EXPERIMENT_OPTIONS = [
    click.option("--quick", is_flag=True, help="The quick profile (the default): minutes on 2 CPU cores."),
    click.option("--paper", is_flag=True, help="The paper-scale profile: hours on CPU, use a GPU."),
    click.option("--only", "only", multiple=True, metavar="EXPERIMENT",
                 help="Only this experiment of the family (repeatable); `tbounds run FAMILY --help` lists them."),
    click.option("--seed", type=click.IntRange(0, 2 ** 63 - 1), default=None,
                 help="Run this one seed instead of the profile's seeds."),
    click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(dir_okay=False),
                 help="SQLite results store; finished units are reused, new ones written as they finish."),
    click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
                 help="Where to train (auto: CUDA when present)."),
    click.option("--threads", type=click.IntRange(1, 1024), default=None,
                 help="CPU threads (default 1, or TBOUNDS_THREADS): tiny models gain nothing from more."),
    click.option("--plot-dir", "plot_dir", default=None, type=click.Path(file_okay=False),
                 help=f"Folder for the family's figures (compare: {DEFAULT_PLOT_DIR}/FAMILY; '' for none)."),
    click.option("--no-run", is_flag=True, help="Only report what the store has; train nothing."),
    format_option,
    click.option("--config", "config", default=None, type=click.Path(dir_okay=False),
                 help="A sweep file (TOML): profile, seeds, grids of the family's parameters, backend "
                      "(docs/sweeps.md); options given here win over it."),
    click.option("--backend", type=click.Choice(["serial", "processes", "dask", "slurm"]), default=None,
                 help="Where units run: serial (default, this process), processes (a local pool), dask, slurm."),
    click.option("--workers", type=click.IntRange(1, 100000), default=None,
                 help="Worker processes (processes: default 2; dask: a local cluster of N; slurm: array tasks at once)."),
    click.option("--scheduler", default=None, metavar="ADDRESS",
                 help="A running Dask scheduler, e.g. tcp://host:8786 (with --backend dask)."),
    click.option("--partition", default=None, help="SLURM partition (with --backend slurm)."),
    click.option("--time-limit", "time_limit", type=click.IntRange(1, 10 ** 6), default=None, metavar="MINUTES",
                 help="SLURM time limit of each unit's job, in minutes (default 60)."),
    click.option("--mem-gb", "mem_gb", type=click.FloatRange(0, min_open=True), default=None,
                 help="SLURM memory per unit's job, in GB."),
    click.option("--gpus", type=click.IntRange(0, 64), default=None, help="SLURM GPUs per unit's job."),
    click.option("--job-dir", "job_dir", default=None, type=click.Path(file_okay=False),
                 help="Folder for submitit's job files and logs, seen by every node (default tbounds-out/slurm)."),
]


def experiment_options(f):
    """Decorate a family verb with the options every experiment family shares."""
    for option in reversed(EXPERIMENT_OPTIONS):
        f = option(f)
    return f


def positive_ints(name: str):
    """A click callback: ``16,32,64`` or ``log:16:1024:7`` to a tuple of positive integers."""

    def parse(ctx, param, value):
        if value is None:
            return None
        values = parse_values(name, value, integer=True)
        if not values or any(v < 1 or v != int(v) for v in values):
            raise ParameterError(name, "must be positive integers", got=value)
        return tuple(int(v) for v in values)

    return parse


def _set_precision(ctx, param, value):
    from .render import set_precision

    set_precision(6 if value is None else value)  # every call starts from the default
    return value


precision_option = click.option("--precision", type=click.IntRange(1, 17), default=None, metavar="DIGITS",
                                callback=_set_precision, expose_value=False, is_eager=True,
                                help="Significant digits of printed numbers (default 6; csv and json keep all).")
