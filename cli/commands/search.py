"""``tbounds search WORDS``: find bounds by what they are about, best match first.

The ranking lives in :mod:`tbounds.bounds.search`; this module parses and renders. Heavy modules
(sympy, through the registry) are imported inside the command, so ``tbounds --help`` stays light.
"""

from __future__ import annotations

import click

from ..options import format_option
from ..render import render, to_json


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=15, show_default=True, help="Show at most this many.")
@format_option
def search_command(query, limit, fmt):
    """Find bounds (and statements) by words: id, title, statement, quantity, source, parameter meanings.

    \b
    Spelling, plurals and endings do not matter ("memorise" finds "memorization"):
      tbounds search linformer
      tbounds search memorize sequences
      tbounds search state tracking depth
    """
    from tbounds.bounds.errors import TboundsError
    from tbounds.bounds.search import search

    hits = search(" ".join(query))
    if not hits:
        raise TboundsError(f"no bound or statement matches '{' '.join(query)}'; try fewer or other words, "
                           "or `tbounds list`")
    shown = hits[:limit]
    rows = []
    for rank, h in enumerate(shown, 1):
        r = h.record
        rows.append({"rank": rank, "id": r.id, "kind": r.kind, "status": getattr(r, "status", "") or "",
                     "title": r.title, "score": round(h.score, 1),
                     "source": f"{r.source.arxiv or r.source.venue} {r.source.label}",
                     "matched": ", ".join(f"{w}: {field}" for w, field in h.matched.items())})
    if fmt == "json":
        click.echo(to_json([{**row, "matched": dict(h.matched)} for row, h in zip(rows, shown)]))
        return
    title = f"{len(hits)} matches for '{' '.join(query)}'" + (f", best {limit} shown" if len(hits) > limit else "")
    click.echo(render(rows, ["rank", "id", "kind", "status", "title", "matched"], fmt, title=title))


COMMANDS = (search_command,)
