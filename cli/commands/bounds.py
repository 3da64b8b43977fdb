"""Commands over the bound registry: list, show, eval, solve, plot (:data:`COMMANDS`)."""

from __future__ import annotations

import click

import tbounds.bounds as bounds  # light: records, sympy and the families load on first use
from tbounds.bounds.errors import ParameterError
from tbounds.bounds.grid import product_grid, rows_of
from tbounds.bounds.vocabulary import KINDS, STATUS_MEANINGS, STATUSES, plain

from ..completion import complete_bound_ids
from ..notices import warn_usage
from ..options import example_option, format_option, param_option, parse_params, precision_option
from ..render import format_number, render, to_json


def _echo(text: str) -> None:
    click.echo(text)


# ------------------------------------------------------------------------------ list
@click.command("list")
@click.option("--family", help="Only this family (memorization, generalization, depth, approximation).")
@click.option("--kind", type=click.Choice(KINDS + ("statement",)),
              help="Only upper, lower, exact or fit bounds, or statements (results without a formula).")
@click.option("--status", type=click.Choice(STATUSES), help="Only certificates, rates, reconstructions, unverified constants or heuristics.")
@click.option("--source", help="Only bounds whose arXiv id, authors, year or label contains this text.")
@click.option("--quantity", help="Only bounds on a quantity whose name contains this text.")
@format_option
def list_command(family, kind, status, source, quantity, fmt):
    """List the registered bounds, with their sources."""
    if family and family not in bounds.families():
        raise ParameterError("--family", f"must be one of {', '.join(bounds.families())}", got=family)
    from tbounds.bounds.search import matches

    notes: list[str] = []
    chosen = [] if kind == "statement" else bounds.select(family=family, kind=kind, status=status)
    # --quantity and --source match forgivingly (spelling, plurals, word order) and say what they matched.
    if quantity:
        chosen = [b for b in chosen if matches(quantity, b.quantity.name)]
        notes.append(_said_matched("--quantity", quantity, sorted({b.quantity.name for b in chosen})))
    # Statements have no status or quantity: they are listed only when those filters are not used.
    said = [] if (kind not in (None, "statement") or status or quantity) else bounds.select_statements(family)
    if source:
        text = lambda x: " ".join([x.source.arxiv or "", x.source.authors, x.source.label, str(x.source.year),  # noqa: E731
                                   x.source.title, x.id])
        chosen = [b for b in chosen if matches(source, text(b))]
        said = [x for x in said if matches(source, text(x))]
        found = sorted({f"{x.source.authors} {x.source.year} (arXiv {x.source.arxiv})" for x in chosen + said})
        notes.append(_said_matched("--source", source, found))
    if fmt == "json":
        _echo(to_json([{"id": b.id, "family": b.family, "kind": b.kind, "status": b.status,
                        "quantity": b.quantity.name, "unit": b.quantity.unit,
                        "source": {"arxiv": b.source.arxiv, "label": b.source.label, "authors": b.source.authors,
                                   "year": b.source.year},
                        "provenance": b.provenance, "via": b.source.via or None,
                        "title": b.title, "reading": b.reading, "derived": b.derived or b.status == "reconstructed"}
                       for b in chosen]
                      + [{"id": x.id, "family": x.family, "kind": x.kind, "status": None, "quantity": None,
                          "unit": None, "source": {"arxiv": x.source.arxiv, "label": x.source.label,
                                                   "authors": x.source.authors, "year": x.source.year},
                          "provenance": x.source.provenance or None, "via": x.source.via or None,
                          "title": x.title, "complexity_classes": list(x.classes)} for x in said]))
        return
    rows = [{"id": b.id, "title": b.title, "kind": b.kind, "status": b.status, "quantity": b.quantity.name,
             "source": f"{b.source.arxiv or b.source.venue} {b.source.label}", "read": b.provenance or "?"}
            for b in chosen]
    rows += [{"id": x.id, "title": x.title, "kind": x.kind, "status": "",
              "quantity": ("classes: " + ", ".join(x.classes)) if x.classes else "",
              "source": f"{x.source.arxiv or x.source.venue} {x.source.label}",
              "read": x.source.provenance or "?"} for x in said]
    title = f"{len(chosen)} bounds" + (f", {len(said)} statements" if said else "") + "".join(f" ({n})" for n in notes)
    # "read": primary (the source's own text was read) or secondary (only a text about it).
    _echo(render(rows, ["id", "title", "kind", "status", "quantity", "source", "read"], fmt, title=title))


def _said_matched(option: str, text: str, what: list) -> str:
    """What a forgiving filter matched (shown in the table's title), or that it matched nothing."""
    if not what:
        return f"{option} '{text}' matched nothing"
    shown = "; ".join(what[:6]) + (f"; and {len(what) - 6} more" if len(what) > 6 else "")
    return f"{option} '{text}' matched: {shown}"


# ------------------------------------------------------------------------------ show
@click.command("show")
@click.argument("bound_id", shell_complete=complete_bound_ids)
@format_option
def show_command(bound_id, fmt):
    """Everything about one bound: statement, LaTeX, parameters, assumptions, source, status."""
    if bounds.is_statement(bound_id):
        _show_statement(bounds.get_statement(bound_id), fmt)
        return
    b = bounds.get(bound_id)
    info = b.to_dict()
    if fmt == "json":
        fields = dict(_readings_fields(b))
        if fields:
            info["other_readings"] = fields["other readings"].split(", ")
            info["prefer"] = fields["prefer"]
        _echo(to_json(info))
        return
    params = [{"name": p["name"], "meaning": p["meaning"], "domain": p["domain"], "example": b.example()[p["name"]]}
              for p in info["params"]]
    assumptions = [{"assumption": a["name"], "statement": a["statement"],
                    "checked": "before evaluation" if a["checked_by_calculator"] else "on data (empirical)"}
                   for a in info["assumptions"]]
    if fmt == "csv":
        _echo(render(params, ["name", "meaning", "domain", "example"], "csv"))
        return
    if fmt == "latex":
        from ..latex import escape

        _echo(f"% {b.id}: {escape(b.source.cite())}\n\\[ {b.latex} \\]")
        if params:
            _echo(render(params, ["name", "meaning", "domain", "example"], "latex", title=f"parameters of {b.id}"))
        return
    # A fit's numbers are measured, not hidden: say so rather than the status's generic meaning.
    status_note = "a fit to measurements: certifies nothing" if b.kind == "fit" else STATUS_MEANINGS[b.status]
    header = [("id", b.id), ("title", b.title), ("family", b.family), ("kind", b.kind),
              ("status", f"{b.status} ({status_note})"),
              ("quantity", f"{b.quantity.name} [{b.quantity.unit}]"), ("source", b.source.cite()),
              ("provenance", _provenance(b.source)), ("statement", b.statement), ("latex", b.latex)]
    if b.reading:
        header.append(("reading", b.reading))
        header += _readings_fields(b)
    if info["derived"]:
        header.append(("derived", f"yes: derivation in {b.docs or 'docs/'}"))
    if b.monotone:
        header.append(("monotone", ", ".join(f"{k}: {v}" for k, v in b.monotone.items())))
    if b.notes:
        header.append(("notes", b.notes))
    rows = [{"field": k, "value": v} for k, v in header]
    sections = [render(rows, ["field", "value"], fmt)]
    if params:
        sections.append(render(params, ["name", "meaning", "domain", "example"], fmt, title="parameters"))
    if assumptions:
        sections.append(render(assumptions, ["assumption", "statement", "checked"], fmt, title="assumptions"))
    _echo("\n\n".join(sections))


def _provenance(source) -> str:
    if source.provenance == "primary":
        return "primary: the source's own text was read"
    if source.provenance == "secondary":
        return "secondary: known only through " + (source.via or "another text")
    return "not recorded"


def _readings_fields(b) -> list[tuple[str, str]]:
    """The other readings of the same result, and which to prefer and why (:mod:`tbounds.bounds.readings`)."""
    from tbounds.bounds.readings import preference, readings

    others = [x.id for x in readings(b) if x.id != b.id]
    if not others:
        return []
    preferred, why = preference(b)
    if preferred is None:
        verdict = why
    elif preferred == b.id:
        verdict = f"this one: {why}"
    else:
        verdict = f"{preferred}: {why}"
    return [("other readings", ", ".join(others)), ("prefer", verdict)]


def _show_statement(x, fmt):
    """A result without a formula: its words, complexity classes, assumptions and source."""
    if fmt == "json":
        _echo(to_json(x.to_dict()))
        return
    assumptions = [{"assumption": a.name, "statement": a.statement, "checked": "not checkable (a hypothesis)"}
                   for a in x.assumptions]
    if fmt == "latex":
        from ..latex import escape

        _echo(f"% {x.id}: {escape(x.source.cite())}\n\\paragraph{{{escape(x.title)}}} {escape(x.statement)}")
        return
    header = [("id", x.id), ("title", x.title), ("family", x.family), ("kind", "statement (no formula to evaluate)"),
              ("source", x.source.cite()), ("provenance", _provenance(x.source)), ("statement", x.statement)]
    if x.classes:
        header.append(("complexity classes", ", ".join(x.classes)))
    if x.notes:
        header.append(("notes", x.notes))
    rows = [{"field": k, "value": v} for k, v in header]
    sections = [render(rows, ["field", "value"], fmt)]
    if assumptions and fmt != "csv":
        sections.append(render(assumptions, ["assumption", "statement", "checked"], fmt, title="assumptions"))
    _echo("\n\n".join(sections))


# ------------------------------------------------------------------------------ eval
@click.command("eval")
@click.argument("bound_ids", nargs=-1, required=True, shell_complete=complete_bound_ids)
@param_option
@example_option
@click.option("--log10", "show_log10", is_flag=True, help="Also show log10 of each value.")
@precision_option
@format_option
def eval_command(bound_ids, param_texts, example, show_log10, fmt):
    """Evaluate one or more bounds (ids or patterns such as 'kajitsuka2025.*') on a grid.

    \b
    Several bounds are put side by side, one column each, on the same grid:
      tbounds eval kajitsuka2025.next_token.lower vardi2022.ffn.upper -p N=log:1e2:1e6:5 --example
    """
    chosen = bounds.resolve(bound_ids)
    values = parse_params(param_texts, chosen)
    from tbounds.bounds.tabulate import tabulate

    rows = tabulate(chosen, values, use_examples=example)
    warn_usage(chosen, rows, values)
    names = _param_columns(chosen, rows)
    if fmt in ("json", "csv"):
        cols = ["bound", *names, "value", "log10_value"]
        _echo(render(rows, cols, fmt) if fmt == "csv" else to_json([{c: r.get(c) for c in cols if c in r}
                                                                      for r in rows]))
        return
    if len(chosen) == 1:
        cols = [*names, "value"] + (["log10_value"] if show_log10 else [])
        unit = chosen[0].quantity
        _echo(render(rows, cols, fmt, title=f"{chosen[0].id}: {unit.name} [{unit.unit}]"))
        return
    _echo(render(_pivot(rows, names, chosen, show_log10), [*names, *_wide_columns(chosen, show_log10)], fmt,
                 title="bounds side by side"))


def _param_columns(chosen, rows) -> list[str]:
    names: list[str] = []
    for b in chosen:
        names += [p for p in b.param_names if p not in names and any(p in r for r in rows)]
    return names


def _wide_columns(chosen, show_log10):
    cols = []
    for b in chosen:
        cols.append(b.id)
        if show_log10:
            cols.append(f"log10 {b.id}")
    return cols


def _pivot(rows, names, chosen, show_log10):
    """One wide row per grid point: the rows of one point share every parameter that varies."""
    # tabulate gives each grid point's rows together, one per bound: a bound with no parameters
    # (a constant) then gets its value on every wide row, not a row of its own
    wide: dict[int, dict] = {}
    for i, r in enumerate(rows):
        out = wide.setdefault(i // len(chosen), {})
        for n in names:
            if n in r:
                out.setdefault(n, r[n])
        out[r["bound"]] = format_number(r["value"], r["log10_value"])
        if show_log10:
            out[f"log10 {r['bound']}"] = r["log10_value"]
    return list(wide.values())


# ------------------------------------------------------------------------------ solve
@click.command("solve")
@click.argument("bound_id", shell_complete=complete_bound_ids)
@click.option("--for", "unknown", required=True, help="The parameter to solve for.")
@click.option("--target", "target_text", required=True, help="The bound's target value (a number or a list).")
@click.option("--relation", type=click.Choice(["<=", ">="]), default="<=", show_default=True,
              help="Find the edge of {bound <= target} or of {bound >= target}.")
@param_option
@example_option
@precision_option
@format_option
def solve_command(bound_id, unknown, target_text, relation, param_texts, example, fmt):
    """Invert a monotone bound: the largest (or smallest) value of one parameter that meets a target.

    \b
    How many sequences of length 512 can a hard-attention transformer with 10^6
    parameters possibly shatter?
      tbounds solve kajitsuka2025.seq2seq.lower_hardmax --for N --target 1e6 -p n=512
    """
    b = bounds.get(bound_id)
    b.param(unknown)
    values = parse_params(param_texts, [b])
    targets = bounds.grid.parse_values("--target", target_text)
    if unknown in values:
        raise ParameterError(unknown, "is the unknown of --for; do not also give it with -p")
    for name in values:
        b.param(name)
    if example:
        values = {**{k: [v] for k, v in b.example().items() if k not in values and k != unknown}, **values}
    missing = [p for p in b.param_names if p != unknown and p not in values]
    if missing:
        raise ParameterError(missing[0], f"is missing for {b.id}; give it with -p {missing[0]}=VALUE or use --example")
    product_grid({**values, "target": targets})  # refuses a grid too large, before any work
    rows = []
    for point in rows_of(product_grid(values)) if values else [{}]:
        for s in bounds.solve_many(b, unknown, targets, relation=relation, **point):  # all targets at once
            rows.append({"bound": b.id, **{k: plain(v) for k, v in point.items()}, "target": plain(s.target),
                         "side": s.side, unknown: plain(s.value), "bound_value": s.bound_value})
    cols = ["bound", *values.keys(), "target", "side", unknown, "bound_value"]
    title = f"{b.id}: {relation} target, solved for {unknown}"
    _echo(to_json(rows) if fmt == "json" else render(rows, cols, fmt, title=title))


# ------------------------------------------------------------------------------ plot
@click.command("plot")
@click.argument("bound_ids", nargs=-1, required=True, shell_complete=complete_bound_ids)
@param_option
@example_option
@click.option("--x", "x_name", required=True, help="The parameter on the horizontal axis (give it a range).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Image file to write (.png, .svg or .pdf).")
@click.option("--linear-x", is_flag=True, help="Linear horizontal axis (default: log).")
@click.option("--linear-y", is_flag=True, help="Linear vertical axis (default: log).")
@click.option("--title", default=None, help="The figure's title.")
@click.option("--dpi", type=click.IntRange(30, 1200), default=150, show_default=True, help="Resolution of a PNG.")
@click.option("--size", "size_text", default="7.5x4.8", show_default=True, metavar="WxH",
              help="Figure size in inches, WIDTHxHEIGHT.")
def plot_command(bound_ids, param_texts, example, x_name, output, linear_x, linear_y, title, dpi, size_text):
    """Plot bounds against one parameter, log axes by default; other varying parameters give one line each."""
    from ..figures import parse_size, plot_bounds

    size = parse_size(size_text)
    chosen = bounds.resolve(bound_ids)
    values = parse_params(param_texts, chosen)
    if x_name not in values or len(values[x_name]) < 2:
        raise ParameterError(x_name, "needs a range of values for the x axis, e.g. -p "
                             f"{x_name}=log:10:1e6:50")
    from tbounds.bounds.tabulate import tabulate

    rows = tabulate(chosen, values, use_examples=example)
    warn_usage(chosen, rows, values)
    path = plot_bounds(rows, chosen, x_name, output, logx=not linear_x, logy=not linear_y, title=title, dpi=dpi,
                       size=size)
    _echo(f"wrote {path}")


COMMANDS = (list_command, show_command, eval_command, solve_command, plot_command)
