"""How a :class:`~tbounds.bounds.record.Bound` shows itself in a notebook: HTML and LaTeX.

Jupyter calls ``_repr_html_`` and ``_repr_latex_``; both come from here so the record stays a record.
The LaTeX is the paper's form where the bound has one (``latex_rhs``), otherwise sympy's.

>>> from tbounds.bounds import get
>>> b = get("kajitsuka2025.seq2seq.lower_hardmax")
>>> bound_latex(b).startswith("$$") and bound_latex(b).endswith("$$")
True
>>> "<table" in bound_html(b) and "Theorem 4.3" in bound_html(b)
True
"""

from __future__ import annotations

from html import escape

STATUS_NOTE = {"certificate": "explicit constants", "rate": "hidden constants: a shape, not a number",
               "reconstructed": "our derivation of a statement given without constants"}


def bound_latex(bound) -> str:
    """The bound as a display equation (``$$ ... $$``)."""
    return f"$$ {bound.latex} $$"


def bound_html(bound) -> str:
    """A small table: title, statement, formula (MathJax), status, source, parameters, assumptions."""
    rows = [("id", escape(bound.id)), ("title", escape(bound.title)),
            ("formula", f"\\( {escape(bound.latex)} \\)"),
            ("status", f"<b>{escape(bound.status)}</b> ({STATUS_NOTE[bound.status]})"),
            ("kind", escape(bound.kind)), ("quantity", escape(f"{bound.quantity.name} [{bound.quantity.unit}]")),
            ("source", escape(bound.source.cite())), ("statement", escape(bound.statement))]
    if bound.reading:
        rows.append(("reading", escape(bound.reading)))
    params = ", ".join(f"<code>{escape(p.name)}</code>: {escape(p.meaning)}" for p in bound.params)
    if params:
        rows.append(("parameters", params))
    if bound.assumptions:
        rows.append(("assumptions", "; ".join(escape(f"{a.name}: {a.statement}") for a in bound.assumptions)))
    body = "".join(f"<tr><th style='text-align:left;vertical-align:top'>{k}</th><td style='text-align:left'>{v}</td></tr>"
                   for k, v in rows)
    return f"<table class='tbounds-bound'>{body}</table>"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, dict)):
        import json

        return escape(json.dumps(value, default=str))
    return escape("" if value is None else str(value))


def html_table(rows, columns, caption: str = "") -> str:
    """Rows (flat dicts) as an HTML table, every cell escaped; floats to six significant digits.

    >>> html_table([{"n": 64, "gap": 0.031234567}], ["n", "gap"], caption="a <b>")
    "<table class='tbounds'><caption>a &lt;b&gt;</caption><thead><tr><th>n</th><th>gap</th></tr></thead><tbody><tr><td>64</td><td>0.0312346</td></tr></tbody></table>"
    """
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table class='tbounds'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
