"""``tbounds run FAMILY`` and ``tbounds compare FAMILY``: two thin verbs over one pipeline, one per family.

For every registered family (:data:`tbounds.empirical.experiment.FAMILIES`) a ``run`` and a
``compare`` command are generated from its CLI module (:mod:`tbounds.cli.families`): the options
every family shares (:func:`tbounds.cli.options.experiment_options`) plus the family's own.
Both verbs do the same: the family builds and validates its profile from the options, the
runner (:func:`tbounds.empirical.runner.run`) measures what the store lacks and writes each row
as it finishes, then ``run`` prints the measured rows and ``compare`` the family's comparison
(rows, relations and its extras) with its figures.  The CLI builds no profile and enumerates
no unit; torch is imported only when a verb runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from click.core import ParameterSource

from tbounds.bounds.errors import ParameterError
from tbounds.empirical.experiment import family_names

from ..families import load
from ..options import DEFAULT_PLOT_DIR, experiment_options
from ..render import render, to_json

COMMON = ("quick", "paper", "only", "seed", "store_path", "device", "threads", "plot_dir", "no_run", "fmt",
          "config", "backend", "workers", "scheduler", "partition", "time_limit", "mem_gb", "gpus", "job_dir")
BACKEND_OPTIONS = ("workers", "scheduler", "partition", "time_limit", "mem_gb", "gpus", "job_dir")
RELATION_COLUMNS = ["relation", "measured", "theory", "verdict", "bounds"]


@click.group("run")
def run_group():
    """Run a family's experiments (train tiny models) into the results store, then print the measured rows."""


@click.group("compare")
def compare_group():
    """Put a family's measurements beside the bounds they test: runs what the store lacks, then prints and plots."""


class Progress:
    """Progress on stderr: a rich bar on a terminal, one line per finished unit otherwise (CI logs)."""

    def __init__(self, family: str, describe, store_path: str):
        self.family, self.describe, self.store_path = family, describe, store_path
        self.done = self.missing = 0
        self.bar = None

    def start(self, missing: int, total: int, how: str, device, execute: bool = True) -> None:
        self.missing = missing if execute else 0
        if not missing:
            click.echo(f"{self.family}: all {total} units from the store {self.store_path}", err=True)
            return
        if not execute:  # --no-run: say what the comparison lacks rather than claim it is complete
            click.echo(f"{self.family}: {total - missing} of {total} units from the store {self.store_path}; "
                       f"{missing} not run (--no-run)", err=True)
            return
        click.echo(f"{self.family}: running {missing} of {total} units ({how}, {device}); "
                   f"results go to {self.store_path}", err=True)
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                           TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.family, total=missing)

    def text(self, text: str) -> None:
        """What a unit is doing now (``Context.report``): shown on the bar, dropped in logs."""
        if self.bar is not None:
            self.bar.update(self.task, description=f"{self.family}: {text}")

    def failed(self, failure) -> None:
        """A unit that raised on its worker: counted as an arrival, named now and in the summary."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1)
        click.echo(f"  [{self.done}/{self.missing}] failed: {failure.describe()}", err=True)

    def row(self, row) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"{self.family}: {self.describe(row)}")
        else:
            click.echo(f"  [{self.done}/{self.missing}] {self.describe(row)} in {row.seconds:.1f}s", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def execute(verb: str, name: str, spec, common: dict, values: dict, given=frozenset()) -> None:
    """The one pipeline behind both verbs; ``given`` names the options typed on the command line."""
    fmt = common["fmt"]
    if common["quick"] and common["paper"]:
        raise ParameterError("--paper", "cannot be combined with --quick: choose one of --quick and --paper")
    if getattr(spec, "intercept", None) and spec.intercept(verb, values, fmt):
        return
    from tbounds.empirical import runner
    from tbounds.empirical.backends import make_backend
    from tbounds.empirical.device import resolve_device, set_threads
    from tbounds.empirical.experiment import Context, get_family
    from tbounds.empirical.store import Store
    from tbounds.empirical.sweepfile import Sweep, read_sweep

    family = get_family(name)
    sweep = read_sweep(common["config"], family) if common["config"] else Sweep()
    overrides = {**sweep.parameters, **spec.overrides(**values)}
    if common["seed"] is not None:
        overrides["seeds"] = (common["seed"],)
    profile_name = "paper" if common["paper"] else "quick" if common["quick"] else sweep.profile or "quick"
    profile = family.profile(profile_name, **overrides)
    experiments = family.select(common["only"] or sweep.only)
    store_path = common["store_path"] if "store_path" in given or not sweep.store else sweep.store
    device = resolve_device(common["device"] if "device" in given or not sweep.device else sweep.device)
    threads = common["threads"] or sweep.threads
    set_threads(threads)
    chosen = {k: common[k] for k in BACKEND_OPTIONS if common[k] is not None}
    from_file = {k: v for k, v in sweep.backend.items() if k != "name"}
    backend_name = common["backend"] or sweep.backend.get("name", "serial")
    if common["backend"] and common["backend"] != sweep.backend.get("name", common["backend"]):
        from_file = {}  # another backend typed on the command line: the file's backend options do not apply
    backend = make_backend(backend_name, threads=threads, **{**from_file, **chosen})
    extras = spec.context_extras(**values) if hasattr(spec, "context_extras") else {}
    progress = Progress(name, spec.progress, store_path)
    context = Context(device=device, seed=common["seed"] or 0, progress=progress.text, extra=extras)
    start = time.perf_counter()
    try:
        with Store(store_path) as store:
            results = runner.run(experiments, profile, store, context, backend=backend, execute=not common["no_run"],
                                 on_start=lambda missing, total: progress.start(
                                     missing, total, f"{profile.name} profile, {backend.name} backend", device,
                                     execute=not common["no_run"]),
                                 on_row=progress.row, on_error=progress.failed)
    finally:
        progress.close()
    if verb == "run":
        _print_run(name, spec, profile.name, family.measurements(results), common, time.perf_counter() - start)
    else:
        comparison = family.compare(results, profile)
        kept = (comparison.extras or {}).get("kept") if hasattr(comparison, "extras") else None
        if kept:   # the rows came from results kept in the repository, not from the store
            click.echo(f"{name}: the store lacked them, so the rows are the kept results in {kept.get('path')} "
                       f"({kept.get('date')}, {kept.get('wall_seconds')} s wall)", err=True)
        plot_dir = common["plot_dir"]
        folder = Path(plot_dir) if plot_dir else (None if plot_dir == "" else Path(DEFAULT_PLOT_DIR) / name)
        plots = spec.figures(comparison, folder) if folder is not None and comparison.rows else []
        _print_compare(spec, comparison, plots, fmt, time.perf_counter() - start)
    if results.errors:
        _summarise_failures(name, results)


def _summarise_failures(name: str, results) -> None:
    """The units that failed, one line each, then exit code 1: the finished rows are stored and printed."""
    count = len(results.errors)
    click.echo(f"Error: {count} {name} unit{'s' * (count != 1)} failed (the other rows are stored; "
               f"a rerun retries only the failed ones):", err=True)
    for failure in results.errors:
        click.echo(f"  {failure.describe()}", err=True)
    raise click.exceptions.Exit(1)


def _print_run(name, spec, profile, rows, common, seconds) -> None:
    fmt = common["fmt"]
    if fmt == "json":
        click.echo(to_json({"family": name, "profile": profile, "rows": rows, "seconds": round(seconds, 1)}))
        return
    if not rows:
        click.echo(f"no {name} rows in the store yet; run without --no-run", err=True)
        return
    title = getattr(spec, "RUN_TITLE", f"{name}, {profile} profile: measured rows")
    click.echo(render(rows, spec.RUN_COLUMNS, fmt, title=title), nl=fmt != "csv")


def _print_compare(spec, comparison, plots, fmt, seconds) -> None:
    relations = [r.table_row() for r in comparison.relations]
    if fmt == "json":
        click.echo(to_json({**comparison.to_dict(), "plots": [str(p) for p in plots], "seconds": round(seconds, 1)}))
        return
    if not comparison.rows and not relations:
        click.echo(f"no {comparison.family} rows in the store yet; run without --no-run", err=True)
        return
    if fmt == "csv":
        click.echo(render(comparison.rows, spec.CSV_COLUMNS, "csv"))
        click.echo(render(relations, RELATION_COLUMNS, "csv"), nl=False)
    else:
        if hasattr(spec, "tables"):
            sections = spec.tables(comparison, fmt)
        else:
            sections = [render(comparison.rows, spec.ROW_COLUMNS, fmt,
                               title=f"{comparison.family}, {comparison.profile} profile: measured beside the bounds")]
        sections.append(render(relations, RELATION_COLUMNS, fmt, title="relations the theory promises"))
        if spec.NOTE:
            from ..latex import escape

            sections.append(escape(spec.NOTE) if fmt == "latex" else spec.NOTE)
        click.echo("\n\n".join(sections))
    for path in plots:
        click.echo(f"wrote {path}", err=True)


def _verb(verb: str, name: str) -> click.Command:
    spec = load(name)

    def command(**values):
        common = {k: values.pop(k) for k in COMMON}
        ctx = click.get_current_context()
        given = {k for k in common if ctx.get_parameter_source(k) not in (None, ParameterSource.DEFAULT)}
        execute(verb, name, spec, common, values, given)

    help_text = spec.RUN_HELP if verb == "run" else spec.COMPARE_HELP
    help_text += f"\n\nExperiments (--only): {', '.join(spec.EXPERIMENTS)}."
    for option in reversed(spec.OPTIONS):
        command = option(command)
    return click.command(name, help=help_text)(experiment_options(command))


for _name in family_names():
    run_group.add_command(_verb("run", _name))
    compare_group.add_command(_verb("compare", _name))

COMMANDS = (run_group, compare_group)
