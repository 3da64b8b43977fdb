"""``tbounds run generalization`` and ``tbounds compare generalization``: low-rank heads against the bounds.

The CLI parses and renders; training, measurement and bound evaluation live in
:mod:`empirical.lowrank`.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from tbounds.bounds.errors import TboundsError

from .render import FORMATS, format_number, render, to_json

from .experiment_commands import (compare_group as compare, device_option, make_context, open_store,
                                  run_group as run, store_option, threads_option)


def _ints(name):
    def parse(ctx, param, value):
        if value is None:
            return None
        try:
            out = tuple(int(v) for v in str(value).split(",") if v.strip())
        except ValueError:
            raise click.BadParameter(f"{name} must be a comma-separated list of integers (got '{value}')") from None
        if not out:
            raise click.BadParameter(f"{name} needs at least one value")
        return out
    return parse


def sweep_options(f):
    options = [
        click.option("--quick", is_flag=True, help="The quick profile: a few minutes on 2 CPU cores."),
        click.option("--task", type=click.Choice(["teacher", "sparse_majority", "random_labels"]), default=None,
                     help="Task (default teacher: planted rank-1 head, 5% label noise)."),
        click.option("--n", "ns", callback=_ints("--n"), help="Training-set sizes, e.g. 64,128,256."),
        click.option("--rank", "ranks", callback=_ints("--rank"),
                     help="Ranks of W_QK, e.g. 1,2,4,16 (hard with --control factor; otherwise W_QK is full and "
                          "the rank only labels members)."),
        click.option("--T", "Ts", callback=_ints("--T"), help="Sequence lengths, e.g. 8,16,32."),
        click.option("--seeds", type=click.IntRange(1, 1000), default=None, help="Seeds per grid point."),
        click.option("--d", type=click.IntRange(3, 4096), default=None, help="Token dimension."),
        click.option("--control", type=click.Choice(["factor", "nuclear", "none"]), default=None,
                     help="Rank control: hard factorisation, nuclear-norm penalty (prox), or none."),
        click.option("--lam", type=float, default=None, help="Penalty weight (nuclear, or variational for factor)."),
        click.option("--constraint", "constraints", multiple=True, metavar="MATRIX:NORM:RADIUS",
                     help="Project onto a norm ball after every step, e.g. WQK:fro:8 (repeatable; 'none' for no "
                          "projections). Norms: fro, spectral, nuclear, l21, l11 (w: l2, l1)."),
        click.option("--steps", type=click.IntRange(1, 10 ** 6), default=None, help="Adam steps (full batch)."),
        click.option("--lr", type=float, default=None, help="Adam learning rate."),
        click.option("--n-test", type=click.IntRange(10, 10 ** 7), default=None, help="Held-out samples."),
        click.option("--activation", type=click.Choice(["relu", "identity", "tanh"]), default=None),
        click.option("--s", "s", type=click.IntRange(1, 10 ** 4), default=None,
                     help="Sparse majority: number of relevant positions (odd)."),
        click.option("--teacher-rank", type=click.IntRange(1, 4096), default=None,
                     help="Teacher task: rank of the planted W_QK."),
        click.option("--noise", type=click.FloatRange(0, 0.5, max_open=True), default=None,
                     help="Teacher task: label-flip probability."),
        click.option("--rad-signs", type=click.IntRange(2, 10 ** 5), default=None,
                     help="Sign vectors for the head's Rademacher lower estimate."),
        store_option, device_option, threads_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_sweeps(quick, task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test, activation,
                 rad_signs, s=None, teacher_rank=None, noise=None):
    """The sweeps to run: the quick profile (n sweep + a T sweep) or one sweep from the options."""
    from tbounds.empirical.lowrank.experiment import Sweep, quick_sweeps

    overrides = {k: v for k, v in dict(task=task, ns=ns, ranks=ranks, d=d, control=control, lam=lam,
                                       steps=steps, lr=lr, n_test=n_test, activation=activation,
                                       rad_signs=rad_signs, s=s, teacher_rank=teacher_rank,
                                       noise=noise).items() if v is not None}
    if seeds is not None:
        overrides["seeds"] = tuple(range(seeds))
    if constraints:
        overrides["constraints"] = () if tuple(constraints) == ("none",) else tuple(constraints)
    if Ts is not None:
        overrides["Ts"] = Ts
    try:
        if quick:
            return quick_sweeps(**overrides)
        return [Sweep(**overrides)]
    except TypeError as error:  # pragma: no cover - option/field mismatch is a programming error
        raise TboundsError(str(error)) from None


def execute(sweeps, store_path, device, threads, quiet=False, checkpoints=None):
    """Run every cell the store lacks; returns ``[(config, result)]`` for all cells, in order."""
    from tbounds.empirical.device import describe
    from tbounds.empirical.experiment import run_sweep
    from tbounds.empirical.lowrank.experiment import EXPERIMENT

    context = make_context(device, threads)
    if checkpoints:
        context.extra["checkpoints"] = checkpoints
    dev = context.device
    store = open_store(store_path)
    total = sum(len(s.cells()) for s in sweeps)
    done = [0]
    start = time.perf_counter()

    def on_row(row, fresh):
        done[0] += 1
        if not quiet:
            c = row.config
            how = f"trained in {row.seconds:.1f}s" if fresh else "from the store"
            click.echo(f"[{done[0]}/{total}] {c['task']} T={c['T']} n={c['n']}: {len(row.result['members'])} runs "
                       f"{how}", err=True)

    if not quiet:
        click.echo(f"generalization: {total} cells on {describe(dev)}; store {store_path}", err=True)
    rows = []
    for sweep in sweeps:
        rows += run_sweep(EXPERIMENT, sweep, store, context, on_row=on_row)
    if not quiet:
        click.echo(f"done in {time.perf_counter() - start:.1f}s", err=True)
    seen, out = set(), []
    for r in rows:
        if r.key not in seen:
            seen.add(r.key)
            out.append((r.config, r.result))
    return out


# ---------------------------------------------------------------------------------------------- run
@run.command("generalization")
@sweep_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--save-checkpoints", "checkpoints", type=click.Path(file_okay=False), default=None,
              help="Also save every head trained in this call (one .pt each) to this folder.")
def run_generalization(quick, task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test,
                       activation, s, teacher_rank, noise, rad_signs, store_path, device, threads, fmt, checkpoints):
    """Train low-rank single-head transformers over a grid of n, rank and T; store measured gaps and norms.

    \b
    Examples:
      tbounds run generalization --quick
      tbounds run generalization --task sparse_majority --n 128,512 --rank 1,4 --T 16,64 --seeds 3
      tbounds run generalization --n 256 --rank 2 --seeds 1 --save-checkpoints heads/
    """
    sweeps = build_sweeps(quick, task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test,
                          activation, rad_signs, s, teacher_rank, noise)
    cells = execute(sweeps, store_path, device, threads, checkpoints=checkpoints)
    rows = [{"task": c["task"], "T": c["T"], "n": c["n"], **m} for c, res in cells for m in res["members"]]
    cols = ["task", "T", "n", "rank", "seed", "train_error", "test_error", "train_clipped", "test_clipped", "gap",
            "gap_error", "qk_rank", "qk_stable_rank", "qk_fro", "qk_spectral", "v_spectral", "w_l2", "B_X"]
    click.echo(render(rows, cols, fmt, title="measured runs (gap = held-out minus train clipped logistic loss)"))


# ------------------------------------------------------------------------------------------ compare
GAP_COLUMNS = ["bound", "status", "constraints", "holds", "ratio", "post-hoc", "holds (post-hoc)", "ratio (post-hoc)"]


def _per_point_tables(rows, fmt):
    from collections import OrderedDict

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


@compare.command("generalization")
@sweep_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--plots", "plot_dir", default="tbounds-out/generalization", show_default=True,
              help="Folder for the PNG plots ('' for none).")
@click.option("--checkpoint", type=click.Path(dir_okay=False), default=None,
              help="Instead of a sweep: evaluate the bounds at the weights of a saved head or nn.MultiheadAttention.")
@click.option("--B-x", "B_x", type=float, default=None, help="Token-norm bound for --checkpoint (default: the task's).")
@click.option("--B-out", "B_out", type=float, default=1.0, show_default=True,
              help="Readout-norm bound for an nn.MultiheadAttention checkpoint (it has no readout vector).")
@click.option("--heads", type=click.IntRange(1, 4096), default=None,
              help="Number of heads of an nn.MultiheadAttention checkpoint (its state dict does not record it; "
                   "default 1).")
def compare_generalization(quick, task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test,
                           activation, s, teacher_rank, noise, rad_signs, store_path, device, threads, fmt, plot_dir, checkpoint, B_x, B_out,
                           heads):
    """Measured gaps and Rademacher estimates beside every generalisation bound, per grid point.

    \b
    Bases: 'constraints' = the radii the model was trained under (projections make them hold: a genuine
    evaluation); 'post-hoc' = the trained weights' own norms and ranks (radii chosen after training: heuristic).
    Rate bounds have hidden constants: they are shapes, never said to hold or fail.
    \b
    Examples:
      tbounds compare generalization --quick
      tbounds compare generalization --quick --format markdown --plots tbounds-out/generalization
      tbounds compare generalization --checkpoint head.pt --n 1024 --T 16
    """
    if checkpoint:
        _checkpoint(checkpoint, ns or (1024,), Ts or (16,), task or "teacher", d or 16, B_x, B_out, heads, fmt)
        return
    from tbounds.empirical.lowrank import analysis
    from tbounds.empirical.lowrank.compare import compare_rows
    from tbounds.empirical.lowrank.tasks import token_norm_bound

    sweeps = build_sweeps(quick, task, ns, ranks, Ts, seeds, d, control, lam, constraints, steps, lr, n_test,
                          activation, rad_signs, s, teacher_rank, noise)
    cells = execute(sweeps, store_path, device, threads)
    rows = []
    for config, result in cells:
        tb = token_norm_bound(config["task"], config["T"], config["d"], config["s"])
        rows += compare_rows([(config, result)], tb)
    slopes = analysis.n_slopes(cells)
    rad_slopes = analysis.rademacher_slopes(cells)
    ranks_rows = analysis.rank_effect(cells)
    t_rows = analysis.T_effect(cells)
    plots = _plots(cells, rows, plot_dir) if plot_dir else []
    if fmt == "json":
        click.echo(to_json({"comparison": rows, "slopes": slopes, "rademacher_slopes": rad_slopes,
                            "rank_effect": ranks_rows, "T_effect": t_rows, "plots": [str(p) for p in plots]}))
        return
    if fmt == "csv":
        cols = ["task", "T", "n", "r", "seeds", "gap", "gap_se", "gap_error", "train_error", "test_error", "qk_rank",
                "qk_stable_rank", "rad_head", "rad_head_se", "rad_score", "rad_score_se", "measured",
                "measured_value", "bound", "status", "basis", "value", "holds", "ratio", "note"]
        click.echo(render(rows, cols, "csv"))
        return
    sections = _per_point_tables(rows, fmt)
    slope_cols = ["task", "T", "rank", "quantity", "slope", "ci_low", "ci_high", "points", "dropped_nonpositive"]
    sections.append(render(slopes, slope_cols, fmt, title="slope of log(gap) against log(n), 95% t-interval "
                                                          "(theory: >= -1/2 for these bounds' rates)"))
    sections.append(render(rad_slopes, slope_cols, fmt, title="slope of the Rademacher estimates against log(n) "
                                                              "(expected about -1/2)"))
    rank_cols = ["task", "T", "n"] + sorted({k for r in ranks_rows for k in r if k.startswith("gap_r")},
                                            key=lambda k: int(k[5:])) + ["slope_in_rank", "ci_low", "ci_high",
                                                                         "ratio_rmax_r1"]
    sections.append(render(ranks_rows, rank_cols, fmt, title="effect of rank: mean gap per rank of W_QK"))
    if len({r["T"] for r in t_rows}) > 1:
        sections.append(render(t_rows, ["task", "n", "rank", "T", "gap", "runs"], fmt,
                               title="effect of sequence length T on the gap"))
    if plots:
        sections.append("plots: " + ", ".join(str(p) for p in plots))
    click.echo("\n\n".join(sections))


def _checkpoint(path, ns, Ts, task, d, B_x, B_out, heads, fmt):
    from tbounds.empirical.lowrank.checkpoint import load_heads
    from tbounds.empirical.lowrank.compare import checkpoint_rows
    from tbounds.empirical.lowrank.tasks import token_norm_bound

    loaded = load_heads(path, num_heads=heads)
    if B_x is None:
        B_x = max(token_norm_bound(task, T, loaded[0].WQK.shape[0]) for T in Ts)
    if not B_x > 0:
        raise TboundsError(f"--B-x must be positive (got {B_x})")
    rows = checkpoint_rows(loaded, ns, Ts, B_x, B_out)
    cols = ["head", "n", "T", "qk_rank", "qk_stable_rank", "qk_spectral", "qk_fro", "v_spectral", "w_l2", "bound",
            "status", "value", "note"]
    title = (f"bounds at the norms of {path} (post-hoc: radii read off the weights, so heuristic; B_x = {B_x:g}; "
             f"rate bounds are shapes)")
    click.echo(to_json(rows) if fmt == "json" else render(rows, cols, fmt, title=title))


# ------------------------------------------------------------------------------------------ plots
def _plots(cells, rows, folder):
    folder = Path(folder)
    return [p for p in (_plot_against_n(rows, folder / "gap_vs_n.png"),
                        _plot_against_rank(rows, folder / "gap_vs_rank.png")) if p is not None]


def _main_T(rows):
    from collections import Counter

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


def _draw(ax, series, gap, x_label):
    xs = sorted(gap)
    ax.errorbar(xs, [gap[x][0] for x in xs], yerr=[gap[x][1] if math.isfinite(gap[x][1]) else 0 for x in xs],
                color="black", marker="o", lw=2, label="measured gap (clipped loss)")
    ax.plot(xs, [2 * gap[x][2] for x in xs], color="gray", marker="s", ls=":", label="2 x R_head (lower estimate)")
    for (bid, basis, status), pts in sorted(series.items()):
        px = sorted(pts)
        ys = [pts[x] for x in px]
        if status == "rate":  # a shape: scaled to meet the measured gap at the first point
            if not gap.get(px[0]) or gap[px[0]][0] <= 0 or basis != "constraints":
                continue
            ys = [y * gap[px[0]][0] / ys[0] for y in ys]
            ax.plot(px, ys, ls="-.", lw=1, label=f"{bid} (shape, scaled)")
            continue
        ax.plot(px, ys, ls="-" if basis == "constraints" else "--", lw=1, label=f"{bid} ({basis})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.grid(True, which="both", alpha=0.3)


def _save(fig, path, layout=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout:
        fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")  # keep legends placed outside the axes
    return path


def _plot_against_n(rows, path):
    from .plotting import _figure

    if not rows:
        return None
    plt = _figure()
    T = _main_T(rows)
    ranks = sorted({r["r"] for r in rows if r["T"] == T})
    fig, axes = plt.subplots(1, len(ranks), figsize=(4.2 * len(ranks), 4.6), sharey=True, squeeze=False)
    for ax, rank in zip(axes[0], ranks):
        series, gap = _gap_bound_series(rows, T, "n", {"r": rank})
        _draw(ax, series, gap, "n (training samples)")
        ax.set_title(f"rank <= {rank}, T = {T}")
    axes[0][0].set_ylabel("generalisation gap / bound")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", fontsize=7, ncol=3)
    fig.tight_layout(rect=(0, 0.3, 1, 1))  # leave the bottom for the legend
    out = _save(fig, path, layout=False)
    plt.close(fig)
    return out


def _plot_against_rank(rows, path):
    from .plotting import _figure

    if not rows:
        return None
    plt = _figure()
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
    _draw(right, series, gap, "rank of W_QK")
    right.set_xscale("log", base=2)
    right.set_title(f"bounds against rank, n = {ns[-1]}")
    right.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    out = _save(fig, path)
    plt.close(fig)
    return out
