"""``tbounds report``: one HTML page (self-contained) and one markdown file of every family's comparison.

The building lives in :mod:`tbounds.cli.report`; torch and the families are imported only when the
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..options import DEFAULT_STORE


def _family_names():
    from tbounds.empirical.experiment import family_names

    return family_names()


@click.command("report")
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite results store to report on.")
@click.option("-o", "--output", "output", default="tbounds-out/report.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML page to write (the markdown goes beside it, .md).")
@click.option("--markdown", "markdown", default=None, type=click.Path(dir_okay=False),
              help="Where to write the markdown version (default: the HTML path with .md; '' for none).")
@click.option("--family", "families", multiple=True, metavar="FAMILY",
              help="Only this family (repeatable; default: every registered family).")
@click.option("--profile", type=click.Choice(["quick", "paper", "tiny"]), default="quick", show_default=True,
              help="Which profile's units to report (tiny: the contract suite's seconds-long profile).")
@click.option("--run", "run", is_flag=True, help="First run the profile's units the store lacks.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
              help="Where --run trains.")
@click.option("--threads", type=click.IntRange(1, 1024), default=None, help="CPU threads for --run (default 1).")
@click.option("--title", default="tbounds report", show_default=True, help="The page's title.")
def report_command(store_path, output, markdown, families, profile, run, device, threads, title):
    """Write one self-contained HTML report (figures inline, no network) and a markdown version from a store.

    \b
    For every family: the relations with their verdicts, the rows, every figure, the bounds used
    with source labels and status, and what was not run; then versions, devices, seeds and times.
      tbounds report --run              # run the missing quick profiles first
      tbounds report --store results.sqlite -o report.html
    """
    from tbounds.bounds.errors import ParameterError, TboundsError
    from tbounds.empirical.device import resolve_device, set_threads
    from tbounds.empirical.experiment import Context

    from .. import report

    known = _family_names()
    for name in families:
        if name not in known:
            raise ParameterError("--family", f"must be one of {', '.join(known)}", got=name)
    out = Path(output)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ParameterError("--output", "must end in .html", got=output)
    if not run and not Path(store_path).is_file():
        raise TboundsError(f"no results store at {store_path}; give --store, or add --run to run the "
                           f"{profile} profiles first")
    context = None
    if run:
        set_threads(threads)
        context = Context(device=resolve_device(device))

    def say(name):
        click.echo(f"report: {name}" + (" (running what the store lacks)" if run else ""), err=True)

    sections = report.build(store_path, list(families) or known, profile=profile, run=run, context=context,
                            on_family=say)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report.to_html(sections, store_path, title=title), encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
        md = out.with_suffix(".md") if markdown is None else (Path(markdown) if markdown else None)
        if md is not None:
            md.parent.mkdir(parents=True, exist_ok=True)
            text = report.to_markdown(sections, store_path, md.parent / f"{md.stem}-figures", md.parent, title=title)
            md.write_text(text, encoding="utf-8")
            click.echo(f"wrote {md}", err=True)
    except OSError as error:
        raise TboundsError(f"cannot write the report: {error.strerror or error}") from None


COMMANDS = (report_command,)
