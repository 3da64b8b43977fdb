"""The depth family in the CLI: its options, tables and figures (L* against D and k, accuracy by hop, attention maps).

Adding a depth experiment (see :mod:`tbounds.empirical.depth`): add its short names to
:data:`EXPERIMENTS`, and its figures to :data:`FIGURES` (a function ``(comparison, folder) -> [paths]``).

>>> overrides(D=(1, 2), k=None, layers=(1, 2, 3), width=None, steps=300)
{'retrieval.D_values': (1, 2), 'layers': (1, 2, 3), 'steps': 300}
>>> from types import SimpleNamespace as Row
>>> progress(Row(experiment="depth.khop", config={"width": 32, "ks": [1, 2]},
...              result={"trials": [{"L": 1, "best": 0.4}, {"L": 2, "best": 0.97}]}))
'depth.khop width=32 ks=[1, 2]: searched L = 1..2, best seed 0.970 at L = 2'
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..figures import check_suffix, pyplot, save
from ..options import positive_ints
from . import _depth_words  # the word-problem experiment's table and figures

EXPERIMENTS = ("retrieval", "khop", "width", "word_problems")

OPTIONS = [
    click.option("--D", "D", default=None, callback=positive_ints("--D"),
                 help="D, the retrieval chain's number of links, for retrieval: e.g. 1,2,3,4."),
    click.option("--k", "k", default=None, callback=positive_ints("--k"),
                 help="k, the hop counts of the k-hop task (mixed in one multi-task model): e.g. 1,2,3,4."),
    click.option("--layers", default=None, callback=positive_ints("--layers"),
                 help="Depths L searched, in order (the search stops at the first that every seed masters)."),
    click.option("--width", type=click.IntRange(2, 8192), default=None, help="Model width d (d_ff = 4d)."),
    click.option("--steps", type=click.IntRange(1, 10 ** 7), default=None, help="Training steps per depth tried."),
]

RUN_HELP = """Train tiny causal transformers at increasing depth to find the minimal depth L*; store and print the rows.

\b
Examples:
  tbounds run depth --quick --only retrieval --only khop
  tbounds run depth --only retrieval --D 1,2,3,4,6 --layers 1,2,3,4
  tbounds run depth --paper --device cuda --store results/depth.sqlite
"""

COMPARE_HELP = """Measured minimal depth beside the depth bounds: L*(D), L*(k), curriculum, emergence, and figures.

Runs whatever the store lacks first (use --no-run to only report).

\b
Examples:
  tbounds compare depth --quick --only retrieval --only khop
  tbounds compare depth --quick --format markdown --plot-dir figures
"""


def overrides(D, k, layers, width, steps) -> dict:
    given = {"retrieval.D_values": D, "khop.ks": k, "layers": layers, "width": width, "steps": steps}
    return {key: v for key, v in given.items() if v is not None}


def progress(row) -> str:
    """One line about a finished unit (a store row)."""
    cfg, trials = row.config, row.result.get("trials", [])
    label = " ".join(f"{key}={cfg[key]}" for key in ("D", "curriculum", "labels", "task", "layers", "looped", "width", "ks")
                     if key in cfg)
    if not trials:
        return f"{row.experiment} {label}"
    best = max(trials, key=lambda t: t["best"])
    return (f"{row.experiment} {label}: searched L = {trials[0]['L']}..{trials[-1]['L']}, "
            f"best seed {best['best']:.3f} at L = {best['L']}")


ROW_COLUMNS = ["experiment", "D", "labels", "read", "k", "width", "L95_best", "L95_median", "L99_best", "L99_median",
               "lower", "upper", "relation"]
RUN_COLUMNS = ROW_COLUMNS
CSV_COLUMNS = ROW_COLUMNS + ["lower_rate", "max_L", "searched", "best_by_L", "median_by_L", "seconds"]
NOTE = ("Notes: L95/L99 = the fewest layers at which the best (median) seed reaches 95% (99%) accuracy, searched "
        "upward from the smallest depth; empty = not reached within the searched depths. Retrieval: accuracy at the "
        "final query, or (read = subqueries, OUR DESIGN, the quick D sweep) at the depth-D sub-queries of one "
        "implicit-curriculum model over a chain of max(D) links (the label under the fact of x_D); lower = "
        "musat2025.retrieval.lower ceil(log3 2D) (certificate under Assumption 1: a success below it is a violation "
        "of that assumption), upper = floor(log2 D) + 2 (our reconstructed analogue). The "
        "retrieval task is our reconstruction of Mușat's minimal formulation; labels: curriculum = Mușat's implicit "
        "curriculum (every fact's value), pointer = OUR DESIGN (every fact's rhs labelled one lookup further, over "
        "values and variables: partial credit), query = the final query alone. k-hop: accuracy on positions whose "
        "target is a letter; upper = sanford2024.khop.upper floor(log2 k) + 2 (a sufficient depth; their "
        "experiments found low error exactly from there).")


def figures(comparison, folder) -> list:
    if not comparison.rows:
        return []
    folder = Path(folder)
    out = []
    for draw in FIGURES:
        out += draw(comparison, folder)
    return out


def _steps(ax, xs, values, label, style):
    ax.step(xs, values, where="post", label=label, **style)


def plot_minimal_depth(comparison, folder) -> list:
    """L* against D (retrieval) and against k (k-hop), with the bounds' step functions drawn."""
    import tbounds.bounds as bounds

    out = []
    panels = [("retrieval", "D", "D (retrieval links)", [("musat2025.retrieval.lower", "ceil(log3 2D) (lower, Mușat)"),
                                                         ("musat2025.retrieval.upper_khop",
                                                          "floor(log2 D)+2 (upper analogue, ours)")], "L_star_vs_D.png"),
              ("khop", "k", "k (hops)", [("sanford2024.khop.upper", "floor(log2 k)+2 (Sanford et al.)")],
               "L_star_vs_k.png")]
    for exp, var, xlabel, bound_ids, name in panels:
        rows = [r for r in comparison.rows if r["experiment"] == exp and r.get("curriculum", True)]
        if any(r.get("read") == "subqueries" for r in rows):   # the D sweep: one model's depth-D sub-queries (ours)
            rows = [r for r in rows if r.get("read") == "subqueries"]
            xlabel += ", depth-D sub-queries (our design)"
        elif any(r.get("labels") == "pointer" for r in rows):   # the sweep's labels: pointer (our design) when run
            rows = [r for r in rows if r.get("labels") == "pointer"]
            xlabel += ", pointer labels (our design)"
        if not rows:
            continue
        fig, ax = pyplot().subplots(figsize=(7, 4.5))
        xs = sorted({r[var] for r in rows})
        grid = list(range(1, max(xs) + 2))
        for bid, label in bound_ids:
            b = bounds.get(bid)
            _steps(ax, grid, [float(b(**{var: x})) for x in grid], label, {"lw": 1.5})
        top = max(r["max_L"] for r in rows)
        for key, marker, label in (("L95_best", "o", "L* 95% (best seed)"), ("L95_median", "s", "L* 95% (median)"),
                                   ("L99_best", "^", "L* 99% (best seed)")):
            pts = [(r[var], r[key]) for r in rows if r.get(key) is not None]
            miss = [r[var] for r in rows if r.get(key) is None]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=50, alpha=0.8, label=label,
                           zorder=3)
            if miss and key == "L95_best":
                ax.scatter(miss, [top + 0.5] * len(miss), marker="x", color="r", label=f"not reached by L = {top}")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("layers")
        ax.set_title(f"Minimal depth against {var} ({comparison.profile} profile)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        out.append(save(fig, folder / name, dpi=110))
    return out


def _panel_name(section: str, key: str) -> str:
    """A run's name in a figure: the section, then its key unless the key only repeats the section.

    >>> _panel_name("khop", "khop"), _panel_name("retrieval", "D=2 query")
    ('khop', 'retrieval D=2 query')
    """
    return section if key == section else f"{section} {key}"


def plot_accuracy_by_hop(comparison, folder) -> list:
    """Accuracy per hop depth (retrieval) or per k (k-hop) over training steps, one panel per run."""
    runs = [(section, key, run) for section in ("retrieval", "khop") for key, run in
            comparison.extras.get(section, {}).items() if run.get("steps")]
    if not runs:
        return []
    cols = min(3, len(runs))
    rows_ = math.ceil(len(runs) / cols)
    fig, axes = pyplot().subplots(rows_, cols, figsize=(4.2 * cols, 3.2 * rows_), squeeze=False)
    for ax, (section, key, run) in zip(axes.flat, runs):
        # hop depths (or k) in order, then named groups such as retrieval's final query
        for g, values in sorted(run["by_group"].items(), key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if
                                                                          kv[0].isdigit() else 0, kv[0])):
            ax.plot(run["steps"], values, label=(g if not g.isdigit() else ("depth " if section == "retrieval"
                                                                              else "k=") + g))
        ax.set_title(f"{_panel_name(section, key)} (L={run['L']})", fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("step", fontsize=7)
        ax.axhline(0.95, color="0.6", ls=":", lw=1)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(runs):]:
        ax.axis("off")
    fig.suptitle("Accuracy by hop depth over training (best seed)", fontsize=9)
    return [save(fig, folder / "accuracy_by_hop.png", dpi=100)]


def plot_attention(comparison, folder) -> list:
    """Attention maps of the heads found (the best seed, one probe sequence), per run: the carriers of each hop."""
    out = []
    for section in ("retrieval", "khop"):
        for key, run in comparison.extras.get(section, {}).items():
            maps, heads = run.get("attention"), run.get("heads") or {}
            if not maps:
                continue
            chosen = sorted({(c["layer"], c["head"]) for c in heads.values()}) or [(0, 0)]
            chosen = chosen[:6]
            fig, axes = pyplot().subplots(1, len(chosen), figsize=(3.2 * len(chosen), 3.2), squeeze=False)
            for ax, (layer, head) in zip(axes[0], chosen):
                ax.imshow(maps[layer][head], cmap="viridis", vmin=0, vmax=1)
                hops = [j for j, c in heads.items() if (c["layer"], c["head"]) == (layer, head)]
                ax.set_title(f"L{layer}H{head}: hop {', '.join(hops)}", fontsize=7)
                ax.set_xlabel("key position", fontsize=6)
                ax.set_ylabel("query position", fontsize=6)
            fig.suptitle(f"{_panel_name(section, key)}: heads carrying each hop", fontsize=8)
            safe = key.replace("=", "").replace(" ", "_")
            out.append(save(fig, folder / f"attention_{section}_{safe}.png", dpi=90))
    return out


FIGURES = [plot_minimal_depth, plot_accuracy_by_hop, plot_attention, _depth_words.figures]


def tables(comparison, fmt) -> list:  # the word problems get a table of their own
    return _depth_words.tables(comparison, fmt, ROW_COLUMNS)
