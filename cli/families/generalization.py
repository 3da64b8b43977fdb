"""The generalization family in the CLI: its options, per-point tables, figures, and the checkpoint mode.

``compare generalization --checkpoint FILE`` is not a sweep: it evaluates every gap bound at the
weights of one saved head (ours, or ``nn.MultiheadAttention``'s state dict).

>>> overrides(task=None, ns=(64, 128), ranks=None, Ts=None, seeds=2, d=None, control=None, lam=None, constraints=(),
...           steps=None, lr=None, n_test=None, activation=None, s=None, teacher_rank=None, noise=None,
...           rad_signs=None, checkpoints=None, checkpoint=None, B_x=None, B_out=1.0, heads=None)
{'ns': (64, 128), 'seeds': (0, 1)}
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from pathlib import Path

import click

from tbounds.bounds.errors import TboundsError

from ..figures import (PAPER_RC, STATUS_LINESTYLE, distinct_colors, grouped_legend, marks, pyplot, save, short,
                       vacuity_line)
from ..options import positive_ints
from ..render import format_number, render, to_json

EXPERIMENTS = ("gap", "length")

OPTIONS = [
    click.option("--task", type=click.Choice(["teacher", "sparse_majority", "random_labels"]), default=None,
                 help="Task (default teacher: planted rank-1 head, 5% label noise)."),
    click.option("--n", "ns", default=None, callback=positive_ints("--n"),
                 help="n, the training-set sizes, e.g. 64,128,256."),
    click.option("--rank", "ranks", default=None, callback=positive_ints("--rank"),
                 help="Ranks of W_QK, e.g. 1,2,4,16 (hard with --control factor; otherwise W_QK is full and "
                      "the rank only labels members)."),
    click.option("--T", "Ts", default=None, callback=positive_ints("--T"),
                 help="T, the sequence lengths, e.g. 8,16,32 (replaces the length sweep)."),
    click.option("--seeds", type=click.IntRange(1, 1000), default=None, help="Seeds per grid point (0..K-1)."),
    click.option("--d", type=click.IntRange(3, 4096), default=None, help="d, the token dimension."),
    click.option("--control", type=click.Choice(["factor", "nuclear", "none"]), default=None,
                 help="Rank control: hard factorisation, nuclear-norm penalty (prox), or none."),
    click.option("--lam", type=float, default=None, help="Penalty weight (nuclear, or variational for factor)."),
    click.option("--constraint", "constraints", multiple=True, metavar="MATRIX:NORM:RADIUS",
                 help="Project onto a norm ball after every step, e.g. WQK:fro:8 (repeatable; 'none' for no "
                      "projections). Norms: fro, spectral, nuclear, l21, l11 (w: l2, l1)."),
    click.option("--steps", type=click.IntRange(1, 10 ** 6), default=None, help="Adam steps (full batch)."),
    click.option("--lr", type=float, default=None, help="Adam learning rate."),
    click.option("--n-test", type=click.IntRange(10, 10 ** 7), default=None, help="Held-out samples."),
    click.option("--activation", type=click.Choice(["relu", "identity", "tanh"]), default=None,
                 help="sigma, the activation of the head's output."),
    click.option("--s", "s", type=click.IntRange(1, 10 ** 4), default=None,
                 help="Sparse majority: s, the number of relevant positions (odd)."),
    click.option("--teacher-rank", type=click.IntRange(1, 4096), default=None,
                 help="Teacher task: rank of the planted W_QK."),
    click.option("--noise", type=click.FloatRange(0, 0.5, max_open=True), default=None,
                 help="Teacher task: label-flip probability."),
    click.option("--rad-signs", type=click.IntRange(2, 10 ** 5), default=None,
                 help="Sign vectors for the head's Rademacher lower estimate."),
    click.option("--save-checkpoints", "checkpoints", type=click.Path(file_okay=False), default=None,
                 help="Also save every head trained in this call (one .pt each) to this folder."),
    click.option("--checkpoint", type=click.Path(dir_okay=False), default=None,
                 help="compare only, instead of a sweep: evaluate the bounds at the weights of a saved head or "
                      "nn.MultiheadAttention."),
    click.option("--B-x", "B_x", type=float, default=None,
                 help="B_x, the token-norm bound for --checkpoint (default: the task's)."),
    click.option("--B-out", "B_out", type=float, default=1.0, show_default=True,
                 help="B_out, the readout-norm bound for an nn.MultiheadAttention checkpoint (it has no readout)."),
    click.option("--heads", type=click.IntRange(1, 4096), default=None,
                 help="Number of heads of an nn.MultiheadAttention checkpoint (its state dict does not record it; "
                      "default 1)."),
]

RUN_HELP = """Train low-rank single-head transformers over a grid of n, rank and T; store measured gaps and norms.

\b
Examples:
  tbounds run generalization --quick
  tbounds run generalization --task sparse_majority --n 128,512 --rank 1,4 --T 16,64 --seeds 3
  tbounds run generalization --n 256 --rank 2 --seeds 1 --save-checkpoints heads/
"""

COMPARE_HELP = """Measured gaps and Rademacher estimates beside every generalisation bound, per grid point.

\b
Bases: 'constraints' = the radii the model was trained under (projections make them hold: a genuine
evaluation); 'post-hoc' = the trained weights' own norms and ranks (radii chosen after training: heuristic).
Rate bounds have hidden constants: they are shapes, never said to hold or fail.
\b
Examples:
  tbounds compare generalization --quick
  tbounds compare generalization --quick --format markdown --plot-dir figures
  tbounds compare generalization --checkpoint head.pt --n 1024 --T 16
"""


def overrides(task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test, activation, s,
              teacher_rank, noise, rad_signs, **_) -> dict:
    given = dict(task=task, ns=ns, ranks=ranks, Ts=Ts, d=d, control=control, lam=lam, steps=steps, lr=lr,
                 n_test=n_test, activation=activation, s=s, teacher_rank=teacher_rank, noise=noise, rad_signs=rad_signs)
    out = {k: v for k, v in given.items() if v is not None}
    if seeds is not None:
        out["seeds"] = tuple(range(seeds))
    if constraints:
        out["constraints"] = () if tuple(constraints) == ("none",) else tuple(constraints)
    return out


def context_extras(checkpoints=None, **_) -> dict:
    return {"checkpoints": checkpoints} if checkpoints else {}


def intercept(verb, values, fmt) -> bool:
    """``compare --checkpoint FILE``: the bounds at one saved head's weights, no sweep."""
    if not values.get("checkpoint"):
        return False
    if verb != "compare":
        raise TboundsError("--checkpoint belongs to `tbounds compare generalization`; `run` trains a sweep")
    _checkpoint(values["checkpoint"], values["ns"] or (1024,), values["Ts"] or (16,), values["task"] or "teacher",
                values["B_x"], values["B_out"], values["heads"], fmt)
    return True


def progress(row) -> str:
    c = row.config
    return f"{row.experiment} {c['task']} T={c['T']} n={c['n']}: {len(row.result['members'])} runs"


RUN_COLUMNS = ["task", "T", "n", "rank", "seed", "train_error", "test_error", "train_clipped", "test_clipped", "gap",
               "gap_error", "qk_rank", "qk_stable_rank", "qk_fro", "qk_spectral", "v_spectral", "w_l2", "B_X"]
RUN_TITLE = "measured runs (gap = held-out minus train clipped logistic loss)"
ROW_COLUMNS = CSV_COLUMNS = [
    "task", "T", "n", "r", "seeds", "gap", "gap_se", "gap_error", "train_error", "test_error", "qk_rank",
    "qk_stable_rank", "rad_head", "rad_head_se", "rad_score", "rad_score_se", "measured", "measured_value", "bound",
    "status", "basis", "value", "holds", "ratio", "note"]
NOTE = ""
GAP_COLUMNS = ["bound", "status", "constraints", "holds", "ratio", "post-hoc", "holds (post-hoc)", "ratio (post-hoc)"]
SLOPE_COLUMNS = ["task", "T", "rank", "quantity", "slope", "ci_low", "ci_high", "points", "dropped_nonpositive"]


def tables(comparison, fmt) -> list[str]:
    """Per grid point, every bound at both bases; then the fitted slopes and the effects of rank and T."""
    rows, extras = comparison.rows, comparison.extras
    sections = _per_point_tables(rows, fmt)
    sections.append(render(extras["slopes"], SLOPE_COLUMNS, fmt,
                           title="slope of log(gap) against log(n), 95% t-interval (theory: >= -1/2 for these "
                                 "bounds' rates)"))
    sections.append(render(extras["rademacher_slopes"], SLOPE_COLUMNS, fmt,
                           title="slope of the Rademacher estimates against log(n) (expected about -1/2)"))
    ranks_rows = extras["rank_effect"]
    rank_cols = ["task", "T", "n"] + sorted({k for r in ranks_rows for k in r if k.startswith("gap_r")},
                                            key=lambda k: int(k[5:])) + ["slope_in_rank", "ci_low", "ci_high",
                                                                         "ratio_rmax_r1"]
    sections.append(render(ranks_rows, rank_cols, fmt, title="effect of rank: mean gap per rank of W_QK"))
    t_rows = extras["T_effect"]
    if len({r["T"] for r in t_rows}) > 1:
        sections.append(render(t_rows, ["task", "n", "rank", "T", "gap", "runs"], fmt,
                               title="effect of sequence length T on the gap"))
    return sections


def _per_point_tables(rows, fmt):
    points = OrderedDict()
    for r in rows:
        points.setdefault((r["task"], r["T"], r["n"], r["r"]), []).append(r)
    out = []
    for (task, T, n, r), rs in points.items():
        p = rs[0]
        title = (f"{task} T={T} n={n} rank<={r}: gap {format_number(p['gap'])} ± {format_number(p['gap_se'])} "
                 f"(0-1 gap {format_number(p['gap_error'])}, test error {format_number(p['test_error'])}); "
                 f"R_head >= {format_number(p['rad_head'])} ± {format_number(p['rad_head_se'])} (lower estimate); "
                 f"R_score = {format_number(p['rad_score'])} ± {format_number(p['rad_score_se'])} (closed form, MC)")
        merged = OrderedDict()
        for x in rs:
            key = (x["measured"], x["bound"])
            m = merged.setdefault(key, {"measured": x["measured"], "bound": x["bound"], "status": x["status"],
                                        "measured_value": x["measured_value"]})
            suffix = "" if x["basis"].startswith("constraints") else " (post-hoc)"
            m["constraints" if not suffix else "post-hoc"] = x["value"] if x["value"] is not None else x["note"]
            m["holds" + suffix] = x["holds"]
            m["ratio" + suffix] = x["ratio"]
        table = list(merged.values())
        for m in table:
            if m["measured"] != "gap":
                m["bound"] = f"{m['bound']} vs {m['measured']} {format_number(m['measured_value'])}"
        out.append(render(table, GAP_COLUMNS, fmt, title=title))
    return out


def _checkpoint(path, ns, Ts, task, B_x, B_out, heads, fmt):
    from tbounds.empirical.generalization.compare import checkpoint_bounds

    rows, B_x = checkpoint_bounds(path, ns, Ts, task, B_x, B_out, heads)
    cols = ["head", "n", "T", "qk_rank", "qk_stable_rank", "qk_spectral", "qk_fro", "v_spectral", "w_l2", "bound",
            "status", "value", "note"]
    title = (f"bounds at the norms of {path} (post-hoc: radii read off the weights, so heuristic; B_x = {B_x:g}; "
             f"rate bounds are shapes)")
    click.echo(to_json(rows) if fmt == "json" else render(rows, cols, fmt, title=title))


# ------------------------------------------------------------------------------------------ plots
def figures(comparison, folder) -> list[Path]:
    """The gap against n (one panel per rank) and against rank, with the bounds drawn beside it."""
    rows, folder = comparison.rows, Path(folder)
    return [p for p in (_plot_against_n(rows, folder / "gap_vs_n.png"),
                        _plot_against_rank(rows, folder / "gap_vs_rank.png")) if p is not None]


def _main_T(rows):
    return Counter(r["T"] for r in rows).most_common(1)[0][0]


def _gap_bound_series(rows, T, x_key, fixed):
    """{(bound, basis): {x: value}} and the measured gap {x: (mean, se)} at fixed other coordinates."""
    series, gap = {}, {}
    for r in rows:
        if r["T"] != T or r["measured"] != "gap" or any(r[k] != v for k, v in fixed.items()):
            continue
        gap[r[x_key]] = (r["gap"], r["gap_se"], r["rad_head"])
        if r["value"] is not None and r["value"] > 0:
            series.setdefault((r["bound"], r["basis"], r["status"]), {})[r[x_key]] = r["value"]
    return series, gap


#: what the figures say about their line styles (in place of one legend entry per basis)
STYLE_NOTE = ("line style by status: solid certificate, dashed reconstructed, dotted rate (shape only, scaled to the "
              "measured gap at the first point); thick: radii of the constraints, thin: post-hoc radii read off "
              "the weights; a band spans a bound's readings")


def _groups(ids):
    """Bound ids to legend groups: the readings of one result share a group (drawn as one band)."""
    import tbounds.bounds as registry
    from tbounds.bounds.readings import readings

    known = set(registry.ids())
    out = {}
    for bid in ids:
        group = [b.id for b in readings(registry.get(bid))] if bid in known else [bid]
        present = [g for g in group if g in ids]
        out[bid] = present[0] if len(present) > 1 else bid
    return out


def _draw(ax, series, gap, x_label, colors=None, groups=None):
    """The measured gap, 2 R_head, every bound (styled by status, coloured by bound), the vacuity line."""
    xs = sorted(gap)
    ax.errorbar(xs, [gap[x][0] for x in xs], yerr=[gap[x][1] if math.isfinite(gap[x][1]) else 0 for x in xs],
                color="black", marker="o", lw=2, label="measured gap (clipped loss)", zorder=5)
    ax.plot(xs, [2 * gap[x][2] for x in xs], color="0.45", marker="s", ls=(0, (4, 1, 1, 1)),
            label="2 x R_head (lower estimate)", zorder=4)
    ids = sorted({bid for bid, _, _ in series})
    colors = colors or dict(zip(ids, distinct_colors(len(ids))))
    groups = groups or {bid: bid for bid in ids}
    drawn = {}  # (group, basis) -> {x: [values]}
    for (bid, basis, status), pts in sorted(series.items()):
        px = sorted(pts)
        ys = [pts[x] for x in px]
        if status == "rate":  # a shape: scaled to meet the measured gap at the first point
            if not gap.get(px[0]) or gap[px[0]][0] <= 0 or basis != "constraints":
                continue
            ys = [y * gap[px[0]][0] / ys[0] for y in ys]
        key = (groups.get(bid, bid), basis, status)
        for x, y in zip(px, ys):
            drawn.setdefault(key, {}).setdefault(x, []).append(y)
    # Bounds with the same values at every point (several capped at one trivial value, say) are one
    # line with one legend entry naming them all, not lines hidden under each other.
    lines: dict = {}
    for (group, basis, status), pts in sorted(drawn.items()):
        px = sorted(pts)
        lo, hi = [min(pts[x]) for x in px], [max(pts[x]) for x in px]
        members = sorted({bid for bid, b, _ in series if groups.get(bid, bid) == group and b == basis})
        signature = (basis, status, tuple(px), tuple(f"{h:.9g}" for h in hi), tuple(f"{v:.9g}" for v in lo))
        lines.setdefault(signature, []).append((group, px, lo, hi, members))
    for index, ((basis, status, *_), same) in enumerate(lines.items()):
        group, px, lo, hi, _ = same[0]
        members = [m for *_, ms in same for m in ms]
        thick = basis != "post-hoc"
        label = None
        if thick:
            if len(same) > 1:
                label = f"{len(members)} bounds coincide: " + ", ".join(
                    g + (f" (+{len(ms) - 1} readings)" if len(ms) > 1 else "") for g, *_, ms in same)
            else:
                label = group + (f" + {len(members) - 1} other readings" if len(members) > 1 else "")
            label += {"rate": " (rate: shape only)", "reconstructed": " (reconstructed)"}.get(status, "")
            if basis != "constraints":
                label += f" [{basis}]"
        color = colors.get(group, "0.5")
        ax.plot(px, hi, color=color, ls=STATUS_LINESTYLE.get(status, "-"), lw=1.8 if thick else 0.9,
                alpha=1.0 if thick else 0.55, label=short(label, 70) if label else None,
                **marks(index, len(lines), len(px)))
        if any(h > v for h, v in zip(hi, lo)):
            ax.fill_between(px, lo, hi, color=color, alpha=0.18 if thick else 0.08, lw=0)
    from tbounds.empirical.generalization.compare import LOSS

    vacuity_line(ax, LOSS["c_loss"], "loss range")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.grid(True, which="both", alpha=0.3)


def _bound_styles(rows):
    """One colour per legend group, the same in every panel; no colour used twice."""
    ids = sorted({r["bound"] for r in rows if r.get("measured") == "gap" and r.get("bound")})
    groups = _groups(ids)
    names = sorted(set(groups.values()))
    return dict(zip(names, distinct_colors(len(names)))), groups


def _plot_against_n(rows, path):
    if not rows:
        return None
    import matplotlib

    plt = pyplot()
    T = _main_T(rows)
    ranks = sorted({r["r"] for r in rows if r["T"] == T})
    colors, groups = _bound_styles(rows)
    with matplotlib.rc_context(PAPER_RC):
        fig, axes = plt.subplots(1, len(ranks), figsize=(4.6 * len(ranks), 4.8), sharey=True, squeeze=False)
        for ax, rank in zip(axes[0], ranks):
            series, gap = _gap_bound_series(rows, T, "n", {"r": rank})
            _draw(ax, series, gap, "n (training samples)", colors, groups)
            ax.set_title(f"rank <= {rank}, T = {T}")
        axes[0][0].set_ylabel("generalisation gap / bound")
        handles, labels = axes[0][0].get_legend_handles_labels()
        grouped_legend(fig, handles, labels, max_entries=9, loc="lower center", bbox_to_anchor=(0.5, 0.06), ncol=3,
                       fontsize=9)
        fig.suptitle("Generalisation gap against n: measured beside the bounds")
        fig.text(0.5, 0.005, STYLE_NOTE, ha="center", va="bottom", fontsize=8)
        fig.tight_layout(rect=(0, 0.3, 1, 1))  # leave the bottom for the legend and the note
        return save(fig, path, tight=False, dpi=130, bbox_inches="tight")  # keep the legend outside the axes


def _plot_against_rank(rows, path):
    if not rows:
        return None
    plt = pyplot()
    T = _main_T(rows)
    ns = sorted({r["n"] for r in rows if r["T"] == T})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    for n in ns:
        _, gap = _gap_bound_series(rows, T, "r", {"n": n})
        xs = sorted(gap)
        left.errorbar(xs, [gap[x][0] for x in xs], yerr=[gap[x][1] if math.isfinite(gap[x][1]) else 0 for x in xs],
                      marker="o", label=f"n = {n}")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_xlabel("rank of W_QK")
    left.set_ylabel("measured gap (clipped loss)")
    left.set_title(f"measured gap against rank, T = {T}")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)
    series, gap = _gap_bound_series(rows, T, "r", {"n": ns[-1]})
    colors, groups = _bound_styles(rows)
    _draw(right, series, gap, "rank of W_QK", colors, groups)
    right.set_xscale("log", base=2)
    right.set_title(f"bounds against rank, n = {ns[-1]}")
    handles, labels = right.get_legend_handles_labels()
    grouped_legend(right, handles, labels, max_entries=9, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.text(0.01, -0.02, STYLE_NOTE, ha="left", va="top", fontsize=7)
    return save(fig, path, dpi=110, bbox_inches="tight")
