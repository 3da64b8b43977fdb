"""Commands that train models: ``tbounds run ...`` and ``tbounds compare ...``.

The groups :data:`run_group` and :data:`compare_group` are exported so other experiment
families add their own subcommands (``@run_group.command("generalization")``).  Shared
options (:data:`store_option`, :data:`device_option`, ...) and helpers (:func:`open_store`,
:func:`make_context`) are exported for the same reason.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from tbounds.bounds.errors import ParameterError
from tbounds.bounds.grid import parse_values

from .main import cli
from .options import format_option
from .render import render, to_json

DEFAULT_STORE = "tbounds-out/results.sqlite"
DEFAULT_PLOT = "tbounds-out/memorization.png"

store_option = click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True,
                            type=click.Path(dir_okay=False), help="SQLite results store; finished rows are reused.")
device_option = click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
                             show_default=True, help="Where to train (auto: CUDA when present).")
seed_option = click.option("--seed", type=int, default=None, help="Run one seed instead of the profile's seeds.")
threads_option = click.option("--threads", type=int, default=None,
                              help="CPU threads (default 1, or TBOUNDS_THREADS): tiny models gain nothing from more.")


@cli.group("run")
def run_group():
    """Run experiments (train tiny models) into the results store, then print the comparison."""


@cli.group("compare")
def compare_group():
    """Put measurements beside the bounds they test: runs what the store lacks, then prints and plots."""


def open_store(path):
    from tbounds.empirical.store import Store

    return Store(path)


def make_context(device_name: str, threads=None, seed: int = 0):
    """Resolve the device (one-line error for a missing CUDA) and set CPU threads."""
    from tbounds.empirical.device import resolve_device, set_threads
    from tbounds.empirical.experiment import Context

    device = resolve_device(device_name)
    set_threads(threads)
    return Context(device=device, seed=seed)


class _Reporter:
    """Progress on stderr: a rich bar on a terminal, one line per unit otherwise (CI logs)."""

    def __init__(self, total: int, title: str):
        self.total, self.done, self.title = total, 0, title
        self.live = sys.stderr.isatty()
        self.progress = None
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.task = self.progress.add_task(title, total=total)

    def __enter__(self):
        if self.progress:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.__exit__(*exc)

    def step_text(self, text: str):
        if self.progress:
            self.progress.update(self.task, description=f"{self.title}: {text}")

    def row(self, row, fresh: bool):
        self.done += 1
        if self.progress:
            self.progress.update(self.task, advance=1)
        elif fresh:
            res = row.result
            what = (f"{res.get('min_blocks')} blocks ({res.get('min_params')} params)" if "min_blocks" in res
                    else f"holds: {res.get('holds')}")
            cfg = row.config
            label = " ".join(f"{k}={cfg[k]}" for k in ("model", "attention", "labels", "N", "n", "check") if k in cfg)
            click.echo(f"  [{self.done}/{self.total}] {row.experiment} {label}: {what} in {row.seconds:.1f}s", err=True)


def _ints(name: str, text):
    if text is None:
        return None
    values = parse_values(name, text, integer=True)
    if any(v < 1 or v != int(v) for v in values):
        raise ParameterError(name, "must be positive integers", got=text)
    return tuple(int(v) for v in values)


def _profile(quick: bool, paper: bool, seed, N, n, steps, criterion, corpus, d):
    from tbounds.empirical.errors import ConfigError, DataError
    from tbounds.empirical.experiments import memorization as mem

    if quick and paper:
        raise ConfigError("choose one of --quick and --paper")
    profile = mem.PAPER if paper else mem.QUICK
    changes = {}
    if seed is not None:
        changes["seeds"] = (seed,)
    Ns = _ints("--N", N)
    if Ns:
        changes["N_values"] = Ns
    ns = _ints("--n", n)
    if ns:
        changes["n_values"] = ns
    if steps is not None:
        if steps < 1:
            raise ParameterError("--steps", "must be a positive integer", got=steps)
        changes["steps"] = steps
    if criterion:
        changes["criterion"] = criterion
    if d is not None:
        if d < 1:
            raise ParameterError("--d", "must be a positive integer", got=d)
        changes["d"] = d
    if corpus is not None:
        if not Path(corpus).is_file():
            raise DataError(f"corpus file not found: {corpus}")
        changes["corpus"] = str(Path(corpus).resolve())
        changes["text_N_values"] = profile.text_N_values or tuple(Ns or profile.N_values)[:2]
    return replace(profile, **changes) if changes else profile


def _profile_options(f):
    for option in reversed([
        click.option("--quick", is_flag=True, help="The quick profile (default): a few minutes on 2 CPU cores."),
        click.option("--paper", is_flag=True, help="Paper scale (Appendix H: N up to 1600, n up to 10^4): use a GPU."),
        click.option("--only", "only", multiple=True,
                     help="Only these experiments (size_vs_N, size_vs_n, seq2seq, attention, mlp, text, structure, "
                          "lemmas). Repeatable."),
        click.option("--N", "N", default=None, help="N values for size_vs_N, e.g. 16,32,64 or log:16:1024:7."),
        click.option("--n", "n", default=None, help="n values for size_vs_n, e.g. 2,8,32."),
        click.option("--d", "d", type=int, default=None, help="Token dimension of the random data."),
        click.option("--steps", type=int, default=None, help="Training steps per size tried."),
        click.option("--criterion", type=click.Choice(["sign", "mse"]), default=None,
                     help="Memorized = every sign right, or MSE < 0.01."),
        click.option("--corpus", type=click.Path(dir_okay=False), default=None,
                     help="A text file for the text-window experiment (default corpus: Python's language reference)."),
        store_option, device_option, seed_option, threads_option,
        click.option("--plot", "plot_path", default=None, type=click.Path(dir_okay=False),
                     help=f"Write the log-log plot here (.png/.svg/.pdf); compare defaults to {DEFAULT_PLOT}."),
        click.option("--no-run", is_flag=True, help="Only report what the store has; train nothing."),
        format_option,
    ]):
        f = option(f)
    return f


def _memorization(quick, paper, only, N, n, d, steps, criterion, corpus, store_path, device, seed, threads,
                  plot_path, no_run, fmt, default_plot):
    from tbounds.empirical.experiments import memorization as mem

    profile = _profile(quick, paper, seed, N, n, steps, criterion, corpus, d)
    experiments = mem.select(only)
    if corpus is None and not profile.text_N_values:
        experiments = [e for e in experiments if e.name != "memorization.text"] if not only else experiments
    context = make_context(device, threads, seed or 0)
    store = open_store(store_path)
    start = time.perf_counter()
    try:
        if not no_run:
            units = mem.all_units(profile, experiments)
            missing = sum(not store.has(mem.config_key(u)) for _, u in units)
            if missing:
                click.echo(f"running {missing} of {len(units)} memorization units ({profile.name} profile, "
                           f"{context.device}); results go to {store_path}", err=True)
            total = sum(len(e.units(profile)) for e in experiments)  # shared units are reported once per experiment
            with _Reporter(total, "memorization") as reporter:
                context.progress = reporter.step_text
                mem.run_profile(profile, store, experiments, context, on_row=reporter.row)
        rows = mem.compare(store, profile, experiments)
        rel = mem.relations(store, profile, rows, experiments)
    finally:
        store.close()
    plot_path = plot_path or default_plot
    written = None
    if plot_path and rows:
        from tbounds.empirical.plots import plot_memorization

        fit = None
        main = [r for r in rows if r["experiment"] == "size_vs_N" and r.get("found")]
        if main:
            fit = mem.fit_exponent([r["N"] for r in main], [r["min_params"] for r in main])
        try:
            written = plot_memorization(rows, plot_path, fit, n=profile.n_fixed)
        except OSError as error:
            from tbounds.empirical.errors import ConfigError

            raise ConfigError(f"cannot write plot to {plot_path}: {error.strerror or error}") from None
    _print(rows, rel, fmt, profile, written, time.perf_counter() - start)


ROW_COLUMNS = ["experiment", "model", "labels", "N", "n", "seed", "min_blocks", "min_params", "bound", "upper_rate",
               "relation"]
REL_COLUMNS = ["relation", "measured", "theory", "verdict"]
NOTE = ("Notes: min_blocks = FFN blocks per stack (the MLP's: total blocks); min_params counts every weight and bias. "
        "'bound' is the explicit lower bound of each row (derived Ω(√N) constant for next-token, Theorem 4.3's hardmax "
        "certificate for seq2seq, d n for the MLP); those bounds are for shattering every labelling, so on one labelling "
        "they are necessary-condition checks. 'upper_rate' is the O~ upper bound (kajitsuka2025.next_token.upper, "
        "seq2seq.upper, mlp_flattened.upper) with its hidden constants set to 1: a shape, not a size prediction. "
        "Rates (Ω(√N), O~(√N)) are compared by exponent, not value.")


def _print(rows, rel, fmt, profile, written, seconds):
    if fmt == "json":
        click.echo(to_json({"profile": profile.name, "rows": rows, "relations": rel,
                            "plot": str(written) if written else None, "seconds": round(seconds, 1)}))
        return
    if not rows and not rel:
        click.echo("no memorization rows in the store yet; run without --no-run", err=True)
        return
    if fmt == "csv":
        click.echo(render(rows, ROW_COLUMNS + ["upper_bound_id", "r", "delta", "seconds"], "csv"), nl=False)
        click.echo("")
        click.echo(render(rel, REL_COLUMNS, "csv"), nl=False)
        return
    title = f"memorization, {profile.name} profile: measured minimal size beside the bounds"
    click.echo(render(rows, ROW_COLUMNS, fmt, title=title))
    click.echo("")
    click.echo(render(rel, REL_COLUMNS, fmt, title="relations the theory promises"))
    if fmt in ("table", "markdown"):
        click.echo("")
        click.echo(NOTE)
    elif fmt == "latex":
        click.echo("% " + NOTE)
    if written:
        click.echo(f"wrote {written}", err=True)


@run_group.command("memorization")
@_profile_options
def run_memorization(**kwargs):
    """Train tiny transformers to find the smallest that memorizes, store the rows, print the comparison.

    \b
    Examples:
      tbounds run memorization --quick
      tbounds run memorization --only size_vs_N --N 16,32,64,128 --seed 1
      tbounds run memorization --only text --corpus my.txt
      tbounds run memorization --paper --device cuda --store results/paper.sqlite
    """
    _memorization(**kwargs, default_plot=None)


@compare_group.command("memorization")
@_profile_options
def compare_memorization(**kwargs):
    """Measured minimal size against N beside the memorization bounds: table and log-log plot.

    Runs whatever the store lacks first (use --no-run to only report).

    \b
    Examples:
      tbounds compare memorization --quick
      tbounds compare memorization --quick --format markdown --plot memorization.svg
    """
    _memorization(**kwargs, default_plot=DEFAULT_PLOT)
