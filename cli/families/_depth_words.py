"""The word-problem experiment of the depth family in the CLI: its table and figures (used by :mod:`.depth`).

Figures: ``n_star_vs_depth.png`` (n* on a log2 axis against depth, the fitted line and the theory
lines: Cor 1.1 ``d = 4·log2 n + 5``, Thm 1 ``d = 8·log2 n + 9``, the paper's fit ``d = 4.8·log2 n − 15.8``,
and the three slopes drawn through our fit's centre), ``n_star_by_task.png`` (abelian controls against
non-abelian groups), ``looped_vs_unlooped.png``, ``n_star_vs_width.png`` and
``per_position_accuracy.png``.  Imports neither torch nor the family.

>>> rows = [{"experiment": "word_problems", "task": "A5", "layers": 1, "n_star_best": 3}]
>>> [r["task"] for r in word_rows(rows)], word_rows([{"experiment": "khop"}])
(['A5'], [])
"""

from __future__ import annotations

import math
from pathlib import Path

from ..figures import pyplot, save
from ..render import render

NAME = "word_problems"
COLUMNS = ["task", "kind", "layers", "looped", "width", "params", "n_star_best", "n_star_median",
           "n_star_final_median", "eval_length", "censored", "depth_cor11_for_n_star", "paper_fit_depth"]
NOTE = ("Word problems: n* = n@0.05, how many leading positions reach 95% accuracy (best over seeds and "
        "checkpoints as in the paper's Figure 2; median over seeds of each seed's best; median at the final "
        "checkpoint); censored = n* reached the evaluation length (a lower bound, left out of fits). "
        "depth_cor11_for_n_star = 4·ceil(log2 n*)+5, the layers Corollary 1.1's construction uses for that length; "
        "paper_fit_depth = 4.8·log2 n* − 15.8. The theorems are sufficiency results: a trained model that tracks "
        "longer or shorter words at a depth contradicts neither.")
THEORY = (("Cor 1.1: d = 4 log2 n + 5", 4.0, 5.0, "k--"), ("Thm 1 (looped): d = 8 log2 n + 9", 8.0, 9.0, "k:"),
          ("paper fit: d = 4.8 log2 n - 15.8", 4.8, -15.8, "C3-."))


def word_rows(rows) -> list:
    return [r for r in rows if r.get("experiment") == NAME]


def tables(comparison, fmt, other_columns) -> list:
    """The family's table without the word-problem rows, then the word-problem table with its note."""
    other = [r for r in comparison.rows if r.get("experiment") != NAME]
    mine = word_rows(comparison.rows)
    title = f"{comparison.family}, {comparison.profile} profile"
    out = []
    if other:
        out.append(render(other, other_columns, fmt, title=f"{title}: measured beside the bounds"))
    if mine:
        out.append(render(mine, COLUMNS, fmt, title=f"{title}: word problems, n* by depth, width and looping"))
        out.append(("% " if fmt == "latex" else "") + NOTE)
    return out


def _log2_axis(ax):
    ax.set_yscale("log", base=2)
    from matplotlib.ticker import ScalarFormatter

    ax.yaxis.set_major_formatter(ScalarFormatter())


def _fit(comparison, key):
    return (comparison.extras.get(NAME) or {}).get("fits", {}).get(key)


def plot_n_star_vs_depth(comparison, folder) -> list:
    rows = [r for r in word_rows(comparison.rows) if not r["looped"]]
    fit = _fit(comparison, "depth")
    if not rows or not fit:
        return []
    task, width = fit["task"], fit["width"]
    sweep = sorted((r for r in rows if r["task"] == task and r["width"] == width), key=lambda r: r["layers"])
    fig, ax = pyplot().subplots(figsize=(8, 5))
    for key, marker, label in (("n_star_best", "o", "best over seeds and checkpoints"),
                               ("n_star_median", "s", "median seed")):
        pts = [(r["layers"], r[key]) for r in sweep if r.get(key)]
        if pts:
            ax.scatter(*zip(*pts), marker=marker, s=50, zorder=3, label=f"{task}: n* {label}")
    top = [r["layers"] for r in sweep if r["censored"]]
    if top:
        ax.scatter(top, [sweep[0]["eval_length"]] * len(top), marker="^", color="r", s=60, zorder=4,
                   label="at the evaluation length (lower bound)")
    Ls = [r["layers"] for r in sweep]
    lo, hi = min(Ls), max(Ls)
    grid = [lo + (hi - lo) * i / 40 for i in range(41)] if hi > lo else [lo - 0.5, lo + 0.5]
    a, b = fit.get("slope"), fit.get("intercept")
    if a and b is not None and a > 0:
        ax.plot(grid, [2 ** ((d - b) / a) for d in grid], "C0-", lw=1.5,
                label=f"fit: d = {a:.2f} log2 n* {'+' if b >= 0 else '-'} {abs(b):.2f}"
                      f" (r² {fit['r2']:.2f})" if fit.get("r2") is not None else "fit")
        cx = sum(Ls) / len(Ls)
        cy = (cx - b) / a
        for label, slope, _, style in THEORY:
            ax.plot(grid, [2 ** (cy + (d - cx) / slope) for d in grid], style, lw=0.8, alpha=0.6,
                    label=f"slope {slope:g} layers/doubling through the fit's centre")
    for label, slope, intercept, style in THEORY:
        ns = [2 ** ((d - intercept) / slope) for d in grid]
        ax.plot(grid, ns, style, lw=1.5, label=label)
    _log2_axis(ax)
    ax.set_ylim(0.5, max([r["eval_length"] for r in sweep] + [2]) * 4)
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel("n* (log2 axis)")
    ax.set_title(f"{task} word problem: n* against depth (width {width}, {comparison.profile} profile)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return [save(fig, Path(folder) / "n_star_vs_depth.png", dpi=110)]


def plot_by_task(comparison, folder) -> list:
    rows = [r for r in word_rows(comparison.rows) if not r["looped"]]
    fit = _fit(comparison, "depth") or {}
    width = fit.get("width")
    tasks = list(dict.fromkeys(r["task"] for r in rows if r["width"] == width))
    if len(tasks) < 2:
        return []
    fig, ax = pyplot().subplots(figsize=(7, 4.5))
    for t in tasks:
        sw = sorted((r for r in rows if r["task"] == t and r["width"] == width), key=lambda r: r["layers"])
        style = "--" if sw[0]["kind"] == "abelian" else "-"
        ax.plot([r["layers"] for r in sw], [max(r["n_star_best"] or 0, 0.5) for r in sw], style, marker="o",
                label=f"{t} ({sw[0]['kind']})")
    ax.axhline(rows[0]["eval_length"], color="0.5", ls=":", lw=1, label="evaluation length (ceiling)")
    _log2_axis(ax)
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel("n* best (log2 axis)")
    ax.set_title("Abelian controls against non-abelian groups")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return [save(fig, Path(folder) / "n_star_by_task.png", dpi=110)]


def plot_looped(comparison, folder) -> list:
    rows = word_rows(comparison.rows)
    tasks = list(dict.fromkeys(r["task"] for r in rows if r["looped"]))
    if not tasks:
        return []
    width = (_fit(comparison, "depth") or {}).get("width")
    fig, ax = pyplot().subplots(figsize=(7, 4.5))
    for i, t in enumerate(tasks):
        for looped, style in ((False, "-"), (True, "--")):
            sw = sorted((r for r in rows if r["task"] == t and r["looped"] == looped and r["width"] == width
                         and (looped or r["layers"] > 0)), key=lambda r: r["layers"])
            if sw:
                ax.plot([r["layers"] for r in sw], [max(r["n_star_best"] or 0, 0.5) for r in sw], style, marker="o",
                        color=f"C{i}", label=f"{t} {'looped (one block, shared)' if looped else 'unlooped'}")
    _log2_axis(ax)
    ax.set_xlabel("layer applications")
    ax.set_ylabel("n* best (log2 axis)")
    ax.set_title("Looped against unlooped at the same number of layer applications")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return [save(fig, Path(folder) / "looped_vs_unlooped.png", dpi=110)]


def plot_width(comparison, folder) -> list:
    fit = _fit(comparison, "width")
    if not fit:
        return []
    rows = sorted((r for r in word_rows(comparison.rows) if r["task"] == fit["task"] and not r["looped"]
                   and r["layers"] == fit["layers"]), key=lambda r: r["width"])
    if len(rows) < 2:
        return []
    fig, ax = pyplot().subplots(figsize=(7, 4.5))
    ws = [r["width"] for r in rows]
    ax.plot(ws, [r["n_star_best"] for r in rows], "o", label="n* best")
    ax.plot(ws, [r["n_star_median"] for r in rows], "s", label="n* median seed")
    a, b = fit.get("slope"), fit.get("intercept")
    if a is not None and b is not None:
        ax.plot(ws, [a * math.log2(w) + b for w in ws], "C0-", label=f"fit: n* = {a:.2f} log2 w + {b:.2f}")
        mid = sum(math.log2(w) for w in ws) / len(ws)
        ax.plot(ws, [a * mid + b + 7.2 * (math.log2(w) - mid) for w in ws], "C3-.",
                label="paper slope 7.2 through the fit's centre")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width (log2 axis)")
    ax.set_ylabel("n*")
    ax.set_title(f"{fit['task']}: n* against width at depth {fit['layers']}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return [save(fig, Path(folder) / "n_star_vs_width.png", dpi=110)]


def plot_per_position(comparison, folder) -> list:
    curves = (comparison.extras.get(NAME) or {}).get("curves", [])
    if not curves:
        return []
    tasks = list(dict.fromkeys(c["task"] for c in curves))
    fig, axes = pyplot().subplots(1, len(tasks), figsize=(4.2 * len(tasks), 3.4), squeeze=False)
    for ax, t in zip(axes[0], tasks):
        for c in (c for c in curves if c["task"] == t):
            xs = [i for i, v in enumerate(c["best"]) if v is not None]
            ax.plot(xs, [c["best"][i] for i in xs], marker=".", lw=1,
                    label=f"L={c['layers']}{' looped' if c['looped'] else ''} w={c['width']}")
        ax.axhline(0.95, color="0.5", ls=":", lw=1)
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{t}: accuracy by position (best seed, best checkpoint)", fontsize=7)
        ax.set_xlabel("position (0-based)", fontsize=7)
        ax.legend(fontsize=5)
    return [save(fig, Path(folder) / "per_position_accuracy.png", dpi=100)]


FIGURES = [plot_n_star_vs_depth, plot_by_task, plot_looped, plot_width, plot_per_position]


def figures(comparison, folder) -> list:
    if not word_rows(comparison.rows):
        return []
    out = []
    for draw in FIGURES:
        out += draw(comparison, folder)
    return out
