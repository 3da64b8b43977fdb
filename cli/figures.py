"""The one figures helper: matplotlib's file backend, checked file names, saving, and the bound plot.

Every figure of the CLI goes through :func:`pyplot` (the Agg backend, no display needed),
:func:`check_suffix` (PNG, SVG or PDF, decided by the file name) and :func:`save` (creates
the folder; an unwritable path is a one-line error). Family figures live in
:mod:`tbounds.cli.families`; :func:`plot_bounds` draws ``tbounds plot``.

>>> check_suffix("out/figure.png").name
'figure.png'
>>> check_suffix("figure.jpg")
Traceback (most recent call last):
...
tbounds.bounds.errors.TboundsError: plot file must end in .png, .svg, .pdf (got 'figure.jpg')
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import warnings

from tbounds.bounds.errors import TboundsError

SUFFIXES = (".png", ".svg", ".pdf")


def pyplot():
    """``matplotlib.pyplot`` on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_suffix(output) -> Path:
    path = Path(output)
    if path.suffix.lower() not in SUFFIXES:
        raise TboundsError(f"plot file must end in {', '.join(SUFFIXES)} (got '{path.name}')")
    return path


def save(fig, output, *, tight: bool = True, **savefig) -> Path:
    """Write ``fig`` to ``output`` (folders created), close it, and return the path."""
    path = check_suffix(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if tight:
            fig.tight_layout()
        fig.savefig(path, **savefig)
    except OSError as error:
        raise TboundsError(f"cannot write plot to {path}: {error.strerror or error}") from None
    finally:
        pyplot().close(fig)
    return path


def plot_bounds(rows: Sequence[dict], chosen, x_name: str, output: str, logx=True, logy=True) -> Path:
    """One line per (bound, combination of the other varying parameters)."""
    with warnings.catch_warnings():  # log-axis ticks near 1e300 overflow harmlessly inside matplotlib
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        return _draw(rows, chosen, x_name, output, logx, logy)


def _draw(rows, chosen, x_name, output, logx, logy) -> Path:
    check_suffix(output)
    fig, ax = pyplot().subplots(figsize=(7, 4.5))
    seen: dict[str, set] = {}  # one pass over the rows (a set per parameter), not one per (row, key)
    for r in rows:
        for k, v in r.items():
            if k not in ("bound", "value", "log10_value", x_name):
                seen.setdefault(k, set()).add(v)
    varying = sorted(k for k, values in seen.items() if len(values) > 1)
    series: dict[tuple, list[tuple[float, float]]] = {}
    for r in rows:
        key = (r["bound"], *[(k, r.get(k)) for k in varying if k in r])
        y = r["log10_value"]
        if x_name in r and y is not None and math.isfinite(y):
            series.setdefault(key, []).append((r[x_name], y))
    # Matplotlib's log axes break near the float limit: past 1e250 plot log10 on a linear axis.
    all_points = [p for points in series.values() for p in points]
    x_as_log = logx and any(p[0] > 1e250 for p in all_points)
    y_as_log = any(p[1] > 250 for p in all_points)
    for key, points in series.items():
        points.sort()
        xs = [math.log10(p[0]) if x_as_log else p[0] for p in points]
        ys = [p[1] if y_as_log else 10 ** p[1] for p in points]
        label = key[0] + "".join(f", {k}={v:g}" for k, v in key[1:])
        ax.plot(xs, ys, marker="." if len(xs) < 30 else None, label=label)
    if logx and not x_as_log:
        ax.set_xscale("log")
    if logy and not y_as_log:
        ax.set_yscale("log")
    ax.set_xlabel(f"log10 {x_name}" if x_as_log else x_name)
    quantity = " / ".join(sorted({b.quantity.name for b in chosen}))
    ax.set_ylabel(f"log10 of {quantity}" if y_as_log else quantity)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, output)
