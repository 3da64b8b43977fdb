"""``tbounds crossover A B --for n``: where one bound becomes smaller than another, and where each stops being vacuous.

The logic lives in :mod:`tbounds.bounds.crossing`; this module parses and renders.
"""

from __future__ import annotations

import math

import click

import tbounds.bounds as bounds
from tbounds.bounds.vocabulary import plain
from tbounds.bounds.errors import ParameterError, SolveError
from tbounds.bounds.grid import product_grid, rows_of

from ..completion import complete_bound_ids
from ..notices import warn_usage
from ..options import example_option, format_option, param_option, parse_params, precision_option
from ..render import render, to_json


@click.command("crossover")
@click.argument("bound_a", shell_complete=complete_bound_ids)
@click.argument("bound_b", shell_complete=complete_bound_ids)
@click.option("--for", "unknown", required=True, help="The parameter along which the bounds are compared (e.g. n).")
@click.option("--range", "range_text", default=None, metavar="LO:HI", help="Search only LO <= value <= HI.")
@click.option("--nonvacuous-at", "level", type=float, default=None, metavar="LEVEL",
              help="Also give, for each bound, the smallest (or largest) value of the unknown where it is <= LEVEL "
                   "(e.g. the loss range c_loss: below it a gap bound says something).")
@param_option
@example_option
@precision_option
@format_option
def crossover_command(bound_a, bound_b, unknown, range_text, level, param_texts, example, fmt):
    """Find where bound A and bound B cross as one parameter varies (one row per crossing and grid point).

    \b
    When does the rank-dependent bound beat Trauger & Tewari's, and where do both become non-vacuous?
      tbounds crossover truong2024.gap.t1 trauger2024.gap --for n --example \\
          -p d=64 -p r_w=64 -p r_v=64 -p M_QK=4 -p M_V=4 -p M_out=1 --nonvacuous-at 1
    """
    if level is not None and not math.isfinite(level):
        raise ParameterError("--nonvacuous-at", "must be a finite number, e.g. 1", got=level)
    a, b = bounds.get(bound_a), bounds.get(bound_b)
    for bd in (a, b):
        bd.param(unknown)
    values = parse_params(param_texts, [a, b])
    if unknown in values:
        raise ParameterError(unknown, "is the unknown of --for; do not also give it with -p")
    for name in values:
        if name not in a.param_names and name not in b.param_names:
            raise ParameterError(name, f"is not a parameter of {a.id} or {b.id}")
    if example:
        for bd in (a, b):
            values = {**{k: [v] for k, v in bd.example().items() if k not in values and k != unknown}, **values}
    lo, hi = _range(range_text)
    warn_usage([a, b], (), values)
    rows = []
    for point in rows_of(product_grid(values)) if values else [{}]:
        point = {k: plain(v) for k, v in point.items()}
        base = {"a": a.id, "b": b.id, **point}
        try:
            found = bounds.crossovers(a, b, unknown, lo=lo, hi=hi, **point)
            for c in found:
                rows.append({**base, unknown: plain(c.value), "a_value": c.a_value, "b_value": c.b_value,
                             "smaller_above": c.smaller_above, "note": ""})
        except SolveError as error:
            rows.append({**base, unknown: None, "a_value": None, "b_value": None, "smaller_above": None,
                         "note": str(error)})
        if level is not None:
            for key, bd in (("a_nonvacuous", a), ("b_nonvacuous", b)):
                own = {k: v for k, v in point.items() if k in bd.param_names}
                # numbers for JSON and csv (the edge and which side of it is non-vacuous), words for tables
                try:
                    s = bounds.solve(bd, unknown, level, **own)
                    edge = plain(s.value) if math.isfinite(s.value) else s.value
                    found = {key: edge, f"{key}_side": s.side, f"{key}_text": f"{s.side} {unknown} = {edge}"}
                except SolveError as error:
                    found = {key: None, f"{key}_side": None,
                             f"{key}_text": f"never on the axis ({str(error).split(':')[0]})"}
                for row in rows:
                    if all(row.get(k) == v for k, v in point.items()):
                        row.update(found)
    if len(rows) == 1 and rows[0][unknown] is None:  # one question, no answer: an error, as for solve
        raise SolveError(rows[0]["note"])
    # Terminal formats show only the parameters that vary; csv and json keep every one.
    shown = [k for k, v in values.items() if len(v) > 1 or fmt in ("csv", "json")]
    cols = ["a", "b", *shown, unknown, "a_value", "b_value", "smaller_above"]
    machine = fmt in ("csv", "json")
    if level is not None:
        cols += ["a_nonvacuous", "a_nonvacuous_side", "b_nonvacuous", "b_nonvacuous_side"] if machine else \
            ["a_nonvacuous", "b_nonvacuous"]
        if not machine:
            rows = [{**r, "a_nonvacuous": r.get("a_nonvacuous_text"), "b_nonvacuous": r.get("b_nonvacuous_text")}
                    for r in rows]
    if any(r["note"] for r in rows):
        cols.append("note")
    if machine:
        for r in rows:  # which bound is smaller where there is no crossing, as an id, beside the note
            r.setdefault("smaller_throughout", _smaller_throughout(r["note"], a.id, b.id))
        if any(r["note"] for r in rows):
            cols.append("smaller_throughout")
    title = f"crossover of {a.id} and {b.id} along {unknown}"
    click.echo(to_json([{c: r.get(c) for c in cols} for r in rows]) if fmt == "json"
               else render(rows, cols, fmt, title=title))


def _smaller_throughout(note: str, a_id: str, b_id: str):
    """The id named smaller everywhere by a no-crossing note, else None."""
    for bound_id in (a_id, b_id):
        if note and f"{bound_id} is smaller everywhere" in note:
            return bound_id
    return None


def _range(text):
    if text is None:
        return None, None
    lo, sep, hi = str(text).partition(":")
    try:
        lo_v = float(lo) if lo.strip() else None
        hi_v = float(hi) if hi.strip() else None
        if not sep:
            raise ValueError
    except ValueError:
        raise ParameterError("--range", "must be written LO:HI, e.g. 1e2:1e9", got=text) from None
    if any(v is not None and not math.isfinite(v) for v in (lo_v, hi_v)):
        raise ParameterError("--range", "needs finite ends LO:HI (either may be left out), e.g. 1e2:1e9", got=text)
    if lo_v is not None and hi_v is not None and not lo_v < hi_v:
        raise ParameterError("--range", "needs LO < HI, e.g. 1e2:1e9", got=text)
    return lo_v, hi_v


COMMANDS = (crossover_command,)
