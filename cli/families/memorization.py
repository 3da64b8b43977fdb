"""The memorization family in the CLI: its options, tables and the figure of minimal size against N.

>>> overrides(N=(16, 32), n=None, d=None, steps=200, criterion=None, corpus=None)
{'N_values': (16, 32), 'steps': 200}
>>> from types import SimpleNamespace as Row
>>> progress(Row(experiment="memorization.size_vs_N", config={"model": "transformer", "N": 16, "n": 8},
...              result={"min_blocks": 1, "min_params": 107}))
'memorization.size_vs_N model=transformer N=16 n=8: 1 blocks (107 params)'
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import click

from ..figures import PAPER_RC, STATUS_LINESTYLE, check_suffix, pyplot, save
from ..options import positive_ints
from ..render import render

EXPERIMENTS = ("structure", "lemmas", "size_vs_N", "size_vs_n", "seq2seq", "attention", "mlp", "text", "exp_c", "exp_c_width", "exp_b",
               "exp_a", "precision")

OPTIONS = [
    click.option("--N", "N", default=None, callback=positive_ints("--N"),
                 help="N, the number of sequences memorized, for size_vs_N: e.g. 16,32,64 or log:16:1024:7."),
    click.option("--n", "n", default=None, callback=positive_ints("--n"),
                 help="n, the sequence length, for size_vs_n: e.g. 2,8,32."),
    click.option("--d", "d", type=click.IntRange(1, 4096), default=None, help="d, the token dimension of the random data."),
    click.option("--steps", type=click.IntRange(1, 10 ** 6), default=None, help="Training steps per size tried."),
    click.option("--criterion", type=click.Choice(["sign", "mse"]), default=None,
                 help="Memorized = every sign right, or MSE < 0.01."),
    click.option("--corpus", type=click.Path(dir_okay=False), default=None,
                 help="A text file for the text-window experiment (default corpus: Python's language reference)."),
]

RUN_HELP = """Train tiny transformers to find the smallest that memorizes; store the rows and print them.

\b
Examples:
  tbounds run memorization --quick
  tbounds run memorization --only size_vs_N --N 16,32,64,128 --seed 1
  tbounds run memorization --only text --corpus my.txt
  tbounds run memorization --paper --device cuda --store results/paper.sqlite
"""

COMPARE_HELP = """Measured minimal size beside the memorization bounds: rows, relations and the log-log figure.

Runs whatever the store lacks first (use --no-run to only report).

\b
Examples:
  tbounds compare memorization --quick
  tbounds compare memorization --quick --format markdown --plot-dir figures
"""


def overrides(N, n, d, steps, criterion, corpus) -> dict:
    given = {"N_values": N, "n_values": n, "d": d, "steps": steps, "criterion": criterion, "corpus": corpus}
    return {k: v for k, v in given.items() if v is not None}


def progress(row) -> str:
    """One line about a finished unit (a store row)."""
    res, cfg = row.result, row.config
    what = (f"{res.get('min_blocks')} blocks ({res.get('min_params')} params)" if "min_blocks" in res
            else f"holds: {res.get('holds')}")
    label = " ".join(f"{k}={cfg[k]}" for k in ("model", "attention", "labels", "N", "n", "check") if k in cfg)
    return f"{row.experiment} {label}: {what}"


ROW_COLUMNS = ["experiment", "model", "labels", "N", "n", "seed", "min_blocks", "min_params", "bound", "upper_rate",
               "relation"]
RUN_COLUMNS = ["experiment", "check", *ROW_COLUMNS[1:]]
CSV_COLUMNS = ROW_COLUMNS + ["bound_id", "upper_bound_id", "r", "delta", "seconds"]
NOTE = ("Notes: min_blocks = FFN blocks per stack (the MLP's: total blocks); min_params counts every weight and bias. "
        "'bound' is the explicit lower bound of each row (derived Ω(√N) constant for next-token, Theorem 4.3's hardmax "
        "certificate for seq2seq, d n for the MLP); those bounds are for shattering every labelling, so on one labelling "
        "they are necessary-condition checks. 'upper_rate' is the O~ upper bound (kajitsuka2025.next_token.upper, "
        "seq2seq.upper, mlp_flattened.upper) with its hidden constants set to 1: a shape, not a size prediction. "
        "Rates (Ω(√N), O~(√N)) are compared by exponent, not value.")


TUNED_EXPERIMENTS = ("exp_c", "exp_c_width", "exp_b", "precision")   # capacity searches with tuned lr
PAPER_EXPERIMENTS = (*TUNED_EXPERIMENTS, "exp_a")
PAPER_COLUMNS = ["experiment", "data", "criterion", "precision", "N", "n", "m", "trials", "min_blocks", "min_params", "paper_blocks",
                 "bits_per_param", "sizes_tried", "seconds"]
CURVE_COLUMNS = ["experiment", "data", "N", "n", "blocks", "min_params", "trials", "final_loss", "final_accuracy",
                 "paper_loss", "paper_accuracy", "seconds"]


def tables(comparison, fmt) -> list[str]:
    """The older sweeps' rows beside the bounds, then the paper's experiments beside the paper's numbers."""
    rows = comparison.rows
    head = f"memorization, {comparison.profile} profile"
    out = []
    own = [r for r in rows if r["experiment"] not in PAPER_EXPERIMENTS]
    if own:
        out.append(render(own, ROW_COLUMNS, fmt, title=f"{head}: measured beside the bounds"))
    tuned = [r for r in rows if r["experiment"] in TUNED_EXPERIMENTS]
    if tuned:
        out.append(render(tuned, PAPER_COLUMNS, fmt, title=f"{head}: Experiments B, C and the precision knee "
                          "(tuned lr and warm-up), beside the paper (arXiv 2409.17677, Appendix H)"))
    curves = [r for r in rows if r["experiment"] == "exp_a"]
    if curves:
        out.append(render(curves, CURVE_COLUMNS, fmt, title=f"{head}: Experiment A at the last epoch, beside "
                          "Figs 1-2 (paper: cross-entropy on MultiNLI/IMDb; ours: MSE and sign accuracy on text)"))
    return out


def figures(comparison, folder) -> list[Path]:
    """Minimal parameters against N with the bounds and the fitted exponent; the paper's experiments' figures."""
    if not comparison.rows:
        return []
    extras = comparison.extras
    folder = Path(folder)
    out = []
    if any(r["experiment"] not in PAPER_EXPERIMENTS for r in comparison.rows):
        out.append(plot_size_vs_N(comparison.rows, folder / "size_vs_N.png", extras.get("fit"), n=extras.get("n_fixed")))
    if extras.get("curves"):
        out.append(plot_curves(extras["curves"], folder / "paper_exp_a_curves.png"))
    if any(r["experiment"] in TUNED_EXPERIMENTS for r in comparison.rows):
        out.append(plot_paper_sizes(comparison.rows, folder / "paper_exp_b_c_precision.png"))
    return out


def plot_curves(curves: Sequence[dict], output) -> Path:
    """Experiment A: training loss and sign accuracy against steps, one line per #blocks, one column per N."""
    check_suffix(output)
    import matplotlib

    Ns = sorted({c["N"] for c in curves})
    with matplotlib.rc_context(PAPER_RC):
        fig, axes = pyplot().subplots(2, len(Ns), figsize=(max(7.5, 5.5 * len(Ns)), 7), squeeze=False)
        for j, N in enumerate(Ns):
            for c in sorted((c for c in curves if c["N"] == N), key=lambda c: c["blocks"]):
                axes[0][j].plot(c["step"], c["loss"], label=f"{c['blocks']} blocks")
                axes[1][j].plot(c["step"], c["accuracy"], label=f"{c['blocks']} blocks")
            axes[0][j].set_yscale("log")
            axes[0][j].set_title(f"N = {N} (ours: MSE on text windows)")
            axes[0][j].set_ylabel("training loss (MSE)")
            axes[1][j].set_ylabel("training accuracy (sign)")
            axes[1][j].set_xlabel("epoch (full batch)")
            for ax in axes[:, j]:
                ax.grid(True, alpha=0.3)
            axes[0][j].legend(fontsize=8)
        fig.suptitle("Experiment A (arXiv 2409.17677, Figs 1-2): our reconstruction", fontsize=11)
        return save(fig, output, dpi=110)


def plot_paper_sizes(rows: Sequence[dict], output) -> Path:
    """Minimal #blocks: against N (Exp B, ours beside the Fig. 3 readings; the precision knee), against n (Exp C)."""
    from tbounds.empirical.memorization import paper

    check_suffix(output)
    import matplotlib

    with matplotlib.rc_context(PAPER_RC):
        fig, (left, mid, right, widths) = pyplot().subplots(1, 4, figsize=(21, 4.8))
        for crit in ("mse", "sign"):
            b = sorted((r["N"], r["min_blocks"]) for r in rows if r["experiment"] == "exp_b" and r.get("found")
                       and r.get("criterion", "mse") == crit)
            if b:
                left.plot([p[0] for p in b], [p[1] for p in b], "o-" if crit == "mse" else "^:",
                          label=f"ours (text windows, tuned; {crit})")
        left.plot(list(paper.FIGURE3), list(paper.FIGURE3.values()), "s--", color="k", label="paper, Fig. 3 (MultiNLI)")
        left.set_xlabel("N")
        left.set_ylabel("minimal #blocks")
        left.set_title("Experiment B: n = 8")
        left.legend(fontsize=8)
        for crit in ("mse", "sign"):
            c = sorted((r["n"], r["min_blocks"], r["N"]) for r in rows if r["experiment"] == "exp_c" and r.get("found")
                       and r.get("criterion", "mse") == crit)
            if c:
                mid.plot([p[0] for p in c], [p[1] for p in c], "o-" if crit == "mse" else "^:",
                         label=f"ours (N = {c[0][2]}; {crit})")
        wide = [r for r in rows if r["experiment"] == "exp_c_width" and r.get("found")]
        for m in sorted({r["m"] for r in wide}):
            c = sorted((r["n"], r["min_blocks"]) for r in wide if r["m"] == m)
            if len(c) > 1:
                mid.plot([p[0] for p in c], [p[1] for p in c], "D-.", label=f"ours, m = {m} (our addition; mse)")
        mid.plot(list(paper.EXPERIMENT_C["blocks"]), list(paper.EXPERIMENT_C["blocks"].values()), "s--", color="k",
                 label=f"paper (N = {paper.EXPERIMENT_C['N']}: 4 at every n)")
        mid.set_xscale("log")
        mid.set_xlabel("n")
        mid.set_title("Experiment C: random data")
        mid.legend(fontsize=8)
        knee = [r for r in rows if r["experiment"] == "precision" and r.get("found")]
        styles = ["o-", "s--", "^-.", "v:", "D-", "x--"]
        for i, precision in enumerate(sorted({r["precision"] for r in knee})):
            pts = sorted((r["N"], r["min_params"]) for r in knee if r["precision"] == precision)
            right.plot([p[0] for p in pts], [p[1] for p in pts], styles[i % len(styles)], label=precision, alpha=0.8,
                       markersize=8 - i)
        right.set_xscale("log")
        right.set_yscale("log")
        right.set_xlabel("N")
        right.set_ylabel("minimal parameters")
        right.set_title("Precision knee (random data, n = 8)")
        right.legend(fontsize=8)
        by_n = {}
        for r in (r for r in rows if r["experiment"] == "exp_c_width"):
            by_n.setdefault(r["n"], []).append(r)
        for n, rs in sorted(by_n.items()):
            if len(rs) > 1:
                rs = sorted(rs, key=lambda r: r["m"])
                widths.plot([r["m"] for r in rs], [r["min_blocks"] if r.get("found") else float("nan") for r in rs],
                            "o-", label=f"ours, n = {n} (N = {rs[0]['N']}; none = not drawn)")
        widths.set_xscale("log", base=2)
        widths.set_xlabel("embedding width m (q = 4m)")
        widths.set_ylabel("minimal #blocks")
        widths.set_title("Experiment C across widths (our addition)")
        if by_n:
            widths.legend(fontsize=8)
        # Say so where a search found nothing: an empty panel must not read as "not run".
        for ax, names in ((left, ("exp_b",)), (mid, ("exp_c",)), (right, ("precision",)), (widths, ("exp_c_width",))):
            tried = {(r["N"], r["n"], r.get("m", 2)) for r in rows if r["experiment"] in names}
            found = {(r["N"], r["n"], r.get("m", 2)) for r in rows if r["experiment"] in names and r.get("found")}
            missing = sorted(tried - found)   # memorized under no criterion or precision
            if missing:
                text = ("ours: nothing memorized\nup to the size cap" if len(missing) == len(tried) else
                        "ours, nothing memorized at:\n" + "\n".join(f"N={N}, n={n}, m={m}" for N, n, m in missing[:3])
                        + ("\n..." if len(missing) > 3 else ""))
                ax.text(0.03, 0.55, text, transform=ax.transAxes, fontsize=8, color="firebrick", va="top")
        for ax in (left, mid, right, widths):
            ax.grid(True, alpha=0.3)
        return save(fig, output, dpi=110)


def plot_size_vs_N(rows: Sequence[dict], output, fit: dict | None = None, n: int | None = None) -> Path:
    """Log-log: measured minimal parameters against N, with the lower bounds and the √N shape drawn in.

    Rate bounds have hidden constants, so their shape is drawn through the geometric mean of the
    measurements (dashed, labelled "shape"); the derived lower bound is drawn as it is.
    ``n``: only rows at this sequence length (the N sweep's), so an n sweep does not pollute the plot.
    """
    if n is not None:
        rows = [r for r in rows if r["n"] == n]
    import tbounds.bounds as bounds

    check_suffix(output)
    import matplotlib

    with matplotlib.rc_context(PAPER_RC):
        return _draw_size_vs_N(rows, output, fit, bounds)


def _draw_size_vs_N(rows, output, fit, bounds) -> Path:
    fig, ax = pyplot().subplots(figsize=(11, 5))
    series = {
        "transformer, uniform attention": [r for r in rows if r["experiment"] == "size_vs_N"],
        "transformer, softmax attention": [r for r in rows if r["experiment"] == "attention" and r["model"] == "tf-softmax"],
        "flattened MLP": [r for r in rows if r["experiment"] == "mlp" and r["model"] == "mlp"],
        "text windows (d=16)": [r for r in rows if r["experiment"] == "text"],
    }
    markers = {"transformer, uniform attention": "o", "transformer, softmax attention": "s",
               "flattened MLP": "^", "text windows (d=16)": "D"}
    Ns = []
    for label, rs in series.items():
        pts = [(r["N"], r["min_params"]) for r in rs if r.get("found")]
        if not pts:
            continue
        Ns += [p[0] for p in pts]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=markers[label], label=f"measured: {label}",
                   alpha=0.8, zorder=3)
    main = [(r["N"], r["min_params"]) for r in series["transformer, uniform attention"] if r.get("found")]
    if not Ns:
        Ns = [r["N"] for r in rows] or [10, 100]
    lo, hi = min(Ns), max(Ns)
    grid = sorted({round(lo * (hi / lo) ** (i / 49)) for i in range(50)}) if hi > lo else [lo, 2 * lo]
    low_b = bounds.get("kajitsuka2025.next_token.lower_derived")
    ax.plot(grid, [float(low_b(N=x)) for x in grid], color="k", ls=STATUS_LINESTYLE[low_b.status], lw=1.2,
            label=f"lower bound √(N / (9 log2(48eN))) ({low_b.status}, for shattering)")
    if main:
        gm_x = math.exp(sum(math.log(p[0]) for p in main) / len(main))
        gm_y = math.exp(sum(math.log(p[1]) for p in main) / len(main))
        c = gm_y / math.sqrt(gm_x)
        ax.plot(grid, [c * math.sqrt(x) for x in grid], color="k", ls=STATUS_LINESTYLE["rate"], lw=1.4,
                label="Θ(√N) of Thms 4.1/4.2 (rate: shape only, constant fitted)")
        ref = next(r for r in series["transformer, uniform attention"] if r.get("found"))
        up = bounds.get("kajitsuka2025.next_token.upper")
        try:
            params = dict(n=ref["n"], d=ref["d"], r=max(1.0, ref.get("r") or 1.0),
                          delta=min(1.0, ref.get("delta") or 1.0), C=2)
            values = [float(up(N=x, **params)) for x in grid]
            cu = gm_y / float(up(N=max(2, round(gm_x)), **params))
            ax.plot(grid, [cu * v for v in values], color="0.5", ls=STATUS_LINESTYLE["rate"], lw=1.4,
                    label="Õ(√N) upper rate of Thm 4.1 with logs (rate: shape only, constant fitted)")
        except Exception:  # the rate's assumptions fail on these data: draw nothing rather than guess
            pass
        if fit and fit.get("slope") is not None and math.isfinite(fit["slope"]):
            b, a = fit["slope"], fit["intercept"]
            ax.plot(grid, [math.exp(a) * x ** b for x in grid], color="C0", ls="-.", lw=1.5,
                    label=f"fit: N^{b:.2f} [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]")
    mlp_rows = series["flattened MLP"]
    if mlp_rows:
        dn = mlp_rows[0]["d"] * mlp_rows[0]["n"]
        ax.axhline(dn, color="C2", ls=STATUS_LINESTYLE["certificate"], lw=1, label=f"MLP certificate: d n = {dn} input weights")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N (sequences memorized)")
    ax.set_ylabel("parameters (measured minimum / bound)")
    ax.set_title("Memorization: measured minimal size against N (arXiv 2409.17677)")
    ax.grid(True, which="both", alpha=0.3)
    from matplotlib.ticker import ScalarFormatter

    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(ScalarFormatter())
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return save(fig, output, dpi=120)
