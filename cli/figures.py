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


# ------------------------------------------------------------------ a reviewer's conventions, shared
#: line style by status: a certificate solid, our reconstruction dashed, a rate (hidden constants) dotted
STATUS_LINESTYLE = {"certificate": "-", "reconstructed": "--", "rate": ":"}
STATUS_SUFFIX = {"certificate": "", "reconstructed": " (reconstructed)", "rate": " (rate: shape only)"}
#: readable fonts for a paper or a slide
PAPER_RC = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 9,
            "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 13}
MAX_LEGEND = 8


def distinct_colors(count: int) -> list:
    """``count`` colours, none used twice (tab10, then tab20's, then evenly spaced hues)."""
    import matplotlib

    base = list(matplotlib.colormaps["tab10"].colors)
    if count > len(base):
        base += [c for i, c in enumerate(matplotlib.colormaps["tab20"].colors) if i % 2 == 1]
    if count > len(base):
        base += [matplotlib.colormaps["hsv"](i / (count - len(base))) for i in range(count - len(base))]
    return base[:count]


def grouped_legend(ax_or_fig, handles, labels, max_entries: int = MAX_LEGEND, **kwargs):
    """A legend of at most ``max_entries``: past that, the last entry stands for the rest, named by count."""
    if len(handles) > max_entries:
        from matplotlib.lines import Line2D

        rest = len(handles) - (max_entries - 1)
        handles = list(handles[: max_entries - 1]) + [Line2D([], [], color="0.6", lw=1)]
        labels = list(labels[: max_entries - 1]) + [f"{rest} more lines (grey in this key; see tbounds eval)"]
    return ax_or_fig.legend(handles, labels, **kwargs)


def vacuity_line(ax, level: float, what: str = "trivial value"):
    """A horizontal line at the value above which a bound says nothing (a gap bound above the loss range)."""
    return ax.axhline(level, color="0.35", lw=1.2, ls=(0, (1, 3)), zorder=1,
                      label=f"{what} {level:g}: above it a bound is vacuous")


def parse_size(text) -> tuple[float, float]:
    """``'7x4.5'`` to ``(7.0, 4.5)`` inches; a bad size is a one-line error."""
    try:
        w, h = (float(v) for v in str(text).lower().split("x"))
        if not (0 < w <= 50 and 0 < h <= 50):
            raise ValueError
    except ValueError:
        from tbounds.bounds.errors import ParameterError

        raise ParameterError("--size", "must be WIDTHxHEIGHT in inches, each in (0, 50], e.g. 7x4.5", got=text) from None
    return w, h


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def short(text: str, width: int = 48, lines: int = 2) -> str:
    """A label wrapped onto at most ``lines`` lines of ``width`` characters (ellipsis past that)."""
    import textwrap

    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def marks(index: int, count: int, points: int) -> dict:
    """Sparse markers, staggered per line, so lines that coincide stay tellable apart."""
    step = max(1, points // 6)
    return {"marker": MARKERS[index % len(MARKERS)], "markevery": (min(index * max(1, step // max(1, count)), step - 1)
                                                                    if step > 1 else 0, step), "markersize": 5}


def plot_bounds(rows: Sequence[dict], chosen, x_name: str, output: str, logx=True, logy=True, *, title=None,
                dpi: int = 150, size=(7.5, 4.8)) -> Path:
    """One line per (bound, combination of the other varying parameters), styled by status, titled."""
    with warnings.catch_warnings():  # log-axis ticks near 1e300 overflow harmlessly inside matplotlib
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        import matplotlib

        with matplotlib.rc_context(PAPER_RC):
            return _draw(rows, chosen, x_name, output, logx, logy, title, dpi, size)


def _draw(rows, chosen, x_name, output, logx, logy, title=None, dpi=150, size=(7.5, 4.8)) -> Path:
    check_suffix(output)
    fig, ax = pyplot().subplots(figsize=size)
    by_id = {b.id: b for b in chosen}
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
    colors = dict(zip(series, distinct_colors(len(series))))
    for key, points in series.items():
        points.sort()
        xs = [math.log10(p[0]) if x_as_log else p[0] for p in points]
        ys = [p[1] if y_as_log else 10 ** p[1] for p in points]
        b = by_id[key[0]]
        label = short(b.title) + STATUS_SUFFIX[b.status] + "".join(f", {k}={v:g}" for k, v in key[1:])
        ax.plot(xs, ys, label=label, color=colors[key], ls=STATUS_LINESTYLE[b.status], lw=1.6,
                **marks(list(series).index(key), len(series), len(xs)))
    gap_bounds = [b for b in chosen if "gap" in b.quantity.name]
    if gap_bounds and len(gap_bounds) == len(chosen) and not y_as_log:
        levels = {r.get("c_loss", 1) for r in rows}  # the loss range: a gap above it is trivial
        if len(levels) == 1:
            vacuity_line(ax, float(levels.pop()), "loss range")
    if logx and not x_as_log:
        ax.set_xscale("log")
    if logy and not y_as_log:
        ax.set_yscale("log")
    ax.set_xlabel(f"log10 {x_name}" if x_as_log else x_name)
    quantity = " / ".join(sorted({b.quantity.name for b in chosen}))
    ax.set_ylabel(f"log10 of {quantity}" if y_as_log else quantity)
    ax.grid(True, which="both", alpha=0.3)
    if title:
        ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    grouped_legend(ax, handles, labels, fontsize=8)
    return save(fig, output, dpi=dpi)
