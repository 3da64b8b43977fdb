"""Plots of measurements beside bounds (matplotlib's file backend; PNG, SVG or PDF by suffix)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from .errors import ConfigError

SUFFIXES = (".png", ".svg", ".pdf")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_memorization(rows: Sequence[dict], output: str, fit: dict | None = None, n: int | None = None) -> Path:
    """Log-log: measured minimal parameters against N, with the lower bounds and the √N shape drawn in.

    Rate bounds have hidden constants, so their shape is drawn through the geometric mean of the
    measurements (dashed, labelled "shape"); the derived lower bound is drawn as it is.
    ``n``: only rows at this sequence length (the N sweep's), so an n sweep does not pollute the plot.
    """
    if n is not None:
        rows = [r for r in rows if r["n"] == n]
    import tbounds.bounds as bounds

    path = Path(output)
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"plot file must end in {', '.join(SUFFIXES)} (got '{path.name}')")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 5))
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
    ax.plot(grid, [float(low_b(N=x)) for x in grid], "k-", lw=1,
            label="lower bound √(N / (9 log2(48eN))) (derived, for shattering)")
    if main:
        gm_x = math.exp(sum(math.log(p[0]) for p in main) / len(main))
        gm_y = math.exp(sum(math.log(p[1]) for p in main) / len(main))
        c = gm_y / math.sqrt(gm_x)
        ax.plot(grid, [c * math.sqrt(x) for x in grid], "k--", lw=1,
                label="Θ(√N) shape of Thms 4.1/4.2 (constant fitted)")
        ref = next(r for r in series["transformer, uniform attention"] if r.get("found"))
        up = bounds.get("kajitsuka2025.next_token.upper")
        try:
            params = dict(n=ref["n"], d=ref["d"], r=max(1.0, ref.get("r") or 1.0),
                          delta=min(1.0, ref.get("delta") or 1.0), C=2)
            values = [float(up(N=x, **params)) for x in grid]
            cu = gm_y / float(up(N=max(2, round(gm_x)), **params))
            ax.plot(grid, [cu * v for v in values], color="0.5", ls="--", lw=1,
                    label="Õ(√N) upper rate of Thm 4.1 with logs (constant fitted)")
        except Exception:  # the rate's assumptions fail on these data: draw nothing rather than guess
            pass
        if fit and math.isfinite(fit.get("slope", float("nan"))):
            b, a = fit["slope"], fit["intercept"]
            ax.plot(grid, [math.exp(a) * x ** b for x in grid], "C0:", lw=1.5,
                    label=f"fit: N^{b:.2f} [{fit['low']:.2f}, {fit['high']:.2f}]")
    mlp_rows = series["flattened MLP"]
    if mlp_rows:
        dn = mlp_rows[0]["d"] * mlp_rows[0]["n"]
        ax.axhline(dn, color="C2", ls="-.", lw=1, label=f"MLP certificate: d n = {dn} input weights")
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
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
