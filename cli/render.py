"""Render rows in one of five formats chosen by name: table, markdown, csv, json, latex.

Rows are flat dicts; ``columns`` picks and orders the keys shown.  Numbers are
printed with six significant digits; a value past the float range is printed
from its ``log10_value`` instead of as ``inf``.

>>> rows = [{"N": 1000, "value": 6.667759, "log10_value": 0.824}]
>>> print(render(rows, ["N", "value"], "markdown"))
| N | value |
|---|---|
| 1000 | 6.66776 |
>>> print(render([{"value": float("inf"), "log10_value": 450.5}], ["value"], "csv").strip())
value
3.1623e+450
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys
from typing import Callable, Optional, Sequence

FORMATS = ("table", "markdown", "csv", "json", "latex")
#: significant digits of printed numbers (``--precision``); csv and json keep every digit
DIGITS = 6


def set_precision(digits) -> None:
    """Print numbers with ``digits`` significant digits from now on (``None`` keeps the current)."""
    global DIGITS
    if digits is not None:
        DIGITS = int(digits)


def format_number(x, log10: Optional[float] = None) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int):  # a seed of 2^63 - 1 prints every digit, not 9.22337e+18
        return str(x)
    if isinstance(x, float) and math.isinf(x) and log10 is not None and math.isfinite(log10):
        if abs(log10) >= 2 ** 53:  # the exponent's rounding swallows the mantissa: print the power alone
            return f"10^{log10:.6g}"
        exponent = math.floor(log10)
        return f"{10 ** (log10 - exponent):.5g}e+{exponent}"
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{DIGITS}g}"


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    log10 = row.get(f"log10_{key}") if key != "log10_value" else None
    if key == "value":
        log10 = row.get("log10_value")
    return format_number(value, log10)


def _json_safe(value):
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"  # JSON has no infinity; null would read like NaN
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def to_json(data) -> str:
    """JSON with infinities as the strings ``"inf"``/``"-inf"`` (``log10_value`` keeps the magnitude).

    >>> to_json([float("inf"), float("-inf"), 1.5]).split()
    ['[', '"inf",', '"-inf",', '1.5', ']']
    """
    return json.dumps(_json_safe(data), indent=2, ensure_ascii=False)


_RICH_ROWS = 2000  # past this many rows rich's layout dominates (25 s for 10^5): plain columns instead


def _plain_table(rows, columns, title):
    """Fixed-width columns in one pass: linear in rows, for tables too long to read on a screen anyway."""
    cells = [[_cell(r, c) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = ([title] if title else []) + [fmt.format(*columns).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*line).rstrip() for line in cells]
    return "\n".join(lines)


def _table(rows, columns, title):
    if len(rows) > _RICH_ROWS:
        return _plain_table(rows, columns, title)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text, not str: a str is read as rich markup, and a cell such as a JSON list ``[null,null,"2"]`` or a
    # relation's "[pointer labels, our design]" would vanish as an unknown tag.
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(Text(c), overflow="fold")
    for row in rows:
        table.add_row(*[Text(_cell(row, c)) for c in columns])
    buffer = io.StringIO()
    width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 200
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(table)
    return buffer.getvalue().rstrip("\n")


def _markdown(rows, columns, title):
    esc = lambda s: s.replace("|", r"\|")  # noqa: E731
    lines = [f"**{title}**", ""] if title else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    lines += ["| " + " | ".join(esc(_cell(r, c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def _csv(rows, columns, title):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_csv_cell(r, c) for c in columns])
    return buffer.getvalue()


def _csv_cell(row, key):
    value = row.get(key)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return "" if value is None else _cell(row, key)


def _latex(rows, columns, title):
    """A booktabs table with a caption, text escaped and numbers as math (:mod:`tbounds.cli.latex`)."""
    from .latex import table

    return table(rows, columns, caption=title, digits=DIGITS)


def _json(rows, columns, title):
    return to_json([{c: r.get(c) for c in columns} for r in rows])


RENDERERS: dict[str, Callable] = {"table": _table, "markdown": _markdown, "csv": _csv, "json": _json,
                                  "latex": _latex}


def render(rows: Sequence[dict], columns: Sequence[str], fmt: str, title: Optional[str] = None) -> str:
    """Rows as text in the named format."""
    return RENDERERS[fmt](list(rows), list(columns), title)
