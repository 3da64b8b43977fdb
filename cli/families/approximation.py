"""The approximation family in the CLI: its options, per-experiment tables and three figures.

Our design, not a replication (notes §6): error against d' with the power-sum width marked,
Linformer's JL failure rate against k with the tail bound, Performer's MSE against m with Lemma 2.

>>> overrides(latents=(1, 2, 4), steps=300, lr=None, targets=None, members=None, n_jl=None, k=None, eps=None,
...           m=None, trials=None)
{'latents': (1, 2, 4), 'steps': 300}
>>> from types import SimpleNamespace as Row
>>> progress(Row(experiment="approximation.latent", config={"model": "sumformer_mlp", "target": "kernel", "n": 4,
...              "d": 2, "latent": 8}, result={"test_mse": [0.1, 0.2, 0.3]}))
'approximation.latent sumformer_mlp kernel n=4 d=2 latent=8: test MSE 0.2 (median)'
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import click

from ..figures import pyplot, save
from ..options import positive_ints
from ..render import render

EXPERIMENTS = ("mechanisms", "exact_fit", "latent", "wagstaff", "truncated", "poly_vs_mlp", "families",
               "linformer_jl", "performer_mse")
TARGET_NAMES = ("product", "centering", "kernel", "teacher", "max_gap", "rank", "sorted")

OPTIONS = [
    click.option("--latent", "latents", default=None, callback=positive_ints("--latent"),
                 help="d', the Sumformer latent widths of the latent sweep, e.g. 1,2,4,8 (C(n+d,d)-1 is always added)."),
    click.option("--target", "targets", default=None,
                 help="Targets of the latent sweep, comma-separated: " + ", ".join(TARGET_NAMES) + " (T1-T7)."),
    click.option("--steps", type=click.IntRange(1, 10 ** 6), default=None, help="Adam steps per training run."),
    click.option("--lr", type=click.FloatRange(0, 10, min_open=True), default=None,
                 help="Adam learning rate (cosine decay to 0)."),
    click.option("--members", type=click.IntRange(1, 64), default=None,
                 help="Init seeds trained together per configuration."),
    click.option("--n-jl", "n_jl", default=None, callback=positive_ints("--n-jl"),
                 help="n, the sequence lengths of the Linformer JL check, e.g. 64,256."),
    click.option("--k", "k", default=None, callback=positive_ints("--k"),
                 help="k, the Linformer projection dimensions of the JL check, e.g. 1,4,16,64 "
                      "(k = 5 ln n/(eps^2 - eps^3) is always added)."),
    click.option("--eps", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
                 help="eps, the relative accuracy of the JL check."),
    click.option("--m", "m", default=None, callback=positive_ints("--m"),
                 help="m, the Performer random-feature counts of the MSE check, e.g. 1,4,16."),
    click.option("--trials", type=click.IntRange(10, 10 ** 7), default=None,
                 help="Monte Carlo draws per point of the JL and Performer checks."),
]

RUN_HELP = """Train Sumformers and one-layer attention models on equivariant targets (our design); store the rows.

\b
Examples:
  tbounds run approximation --quick
  tbounds run approximation --only latent --latent 1,2,4,8 --target kernel,teacher
  tbounds run approximation --only linformer_jl --k 1,8,64 --eps 0.3
  tbounds run approximation --paper --device cuda --store results/paper.sqlite
"""

COMPARE_HELP = """Measured approximation errors, JL failure rates and Performer MSE beside the bounds; relations and figures.

Runs whatever the store lacks first (use --no-run to only report). Our design, not a replication.

\b
Examples:
  tbounds compare approximation --quick
  tbounds compare approximation --quick --only mechanisms,performer_mse --format markdown
  tbounds compare approximation --quick --plot-dir figures
"""


def overrides(latents, targets, steps, lr, members, n_jl, k, eps, m, trials) -> dict:
    out = {"latents": latents, "steps": steps, "lr": lr, "members": members, "jl_n": n_jl, "jl_ks": k,
           "jl_eps": eps, "performer_mse_ms": m}
    out = {key: v for key, v in out.items() if v is not None}
    if targets:
        out["latent_targets"] = tuple(t.strip() for t in targets.split(",") if t.strip())
    if trials is not None:
        out["jl_trials"] = out["performer_trials"] = trials
    return out


def progress(row) -> str:
    """One line about a finished unit (a store row)."""
    cfg, res = row.config, row.result
    model = cfg.get("model", "")
    keys = ["model", "target", "check", "n", "d"]
    keys += {"sumformer_mlp": ["latent"], "sumformer_poly": ["degree"], "linformer": ["k", "layers"],
             "performer": ["m", "redraw", "layers"], "transformer": ["layers"], "linformer_ones": ["layers"]}.get(model, [])
    keys += ["k"] if "trials" in cfg and "k" in cfg else []
    keys += ["m"] if cfg.get("check") == "favor_mean" or ("trials" in cfg and "s" in cfg) else []
    label = " ".join(str(cfg[k]) if k in ("model", "target", "check") else f"{k}={cfg[k]}" for k in keys if k in cfg)
    if "test_mse" in res:
        what = f"test MSE {statistics.median(res['test_mse']):.3g} (median)"
    elif "norm" in res:
        what = f"JL failure rate {res['norm']:.3f}"
    elif "positive" in res:
        what = f"MSE {res['positive']['mse']:.3g}"
    else:
        what = f"holds: {res.get('holds')}"
    return f"{row.experiment} {label}: {what}"


TRAIN_COLUMNS = ["experiment", "T", "target", "n", "d", "model", "latent", "degree", "layers", "k", "m", "redraw",
                 "params", "param_ratio", "test_mse", "relative_error", "sup_error", "equivariance_error",
                 "loss_early", "loss_end", "power_sum_width"]
JL_COLUMNS = ["n", "k", "eps", "fail_norm", "fail_inner", "fail_theorem1", "tail_bound", "k_rank", "trials"]
PERFORMER_COLUMNS = ["s", "t", "d", "m", "SM", "mse_positive", "se_positive", "formula_positive", "mse_orthogonal",
                     "se_orthogonal", "bound_orthogonal", "mse_trig", "formula_trig", "attention_sup_error"]
MECHANISM_COLUMNS = ["check", "n", "m", "max_abs_error", "recovery_error", "collision", "holds"]
ROW_COLUMNS = ["experiment", "check", "target", "model", "n", "d", "latent", "k", "m", "test_mse", "relative_error",
               "sup_error", "fail_norm", "tail_bound", "mse_positive", "formula_positive", "holds"]
RUN_COLUMNS = ROW_COLUMNS
CSV_COLUMNS = sorted(set(TRAIN_COLUMNS + JL_COLUMNS + PERFORMER_COLUMNS + MECHANISM_COLUMNS + ["seed", "seconds"]),
                     key=(TRAIN_COLUMNS + JL_COLUMNS + PERFORMER_COLUMNS + MECHANISM_COLUMNS + ["seed", "seconds"]).index)
NOTE = ("Our design, not a replication (the Sumformer paper's experiments are not in our sources). Errors are medians "
        "over the members (init seeds) of a unit; relative_error = |f - S| / |f| over the test set; sup_error = max "
        "|f - S| over the dense sup set; equivariance_error in float64 under random permutations. Attention models "
        "have their FF width matched to the Sumformer-MLP's parameter count (param_ratio). power_sum_width = "
        "C(n+d,d)-1 (alberti2023.sumformer.latent_continuous, reconstructed). JL: fail_norm is the JL-lemma reading "
        "(the tail bound 2exp(-(eps^2-eps^3)k/4) is a certificate for it; values > 1 are vacuous); fail_inner and "
        "fail_theorem1 are the relative readings. Performer: Monte Carlo MSE ± its standard error beside Lemma 2's "
        "formula and Theorem 2's bound.")


def tables(comparison, fmt) -> list[str]:
    rows = comparison.rows
    head = f"approximation, {comparison.profile} profile (our design, not a replication)"
    out = []
    train = [r for r in rows if "test_mse" in r]
    if train:
        out.append(render(train, TRAIN_COLUMNS, fmt, title=f"{head}: trained models"))
    for name, cols, title in (("mechanisms", MECHANISM_COLUMNS, "exact mechanism checks (float64)"),
                              ("linformer_jl", JL_COLUMNS, "Linformer JL failure rates against k"),
                              ("performer_mse", PERFORMER_COLUMNS, "Performer Monte Carlo MSE against m")):
        part = [r for r in rows if r["experiment"] == name]
        if part:
            out.append(render(part, cols, fmt, title=f"{head}: {title}"))
    return out


def figures(comparison, folder) -> list[Path]:
    folder = Path(folder)
    rows = comparison.rows
    out = []
    if any(r["experiment"] in ("latent", "wagstaff") for r in rows):
        out.append(plot_latent(rows, folder / "error_vs_latent.png"))
    if any(r["experiment"] == "linformer_jl" for r in rows):
        out.append(plot_jl(rows, folder / "linformer_jl.png"))
    if any(r["experiment"] == "performer_mse" for r in rows):
        out.append(plot_performer(rows, folder / "performer_mse.png"))
    return out


def plot_latent(rows, output) -> Path:
    """Relative error against d' per (experiment, target, n, d), the power-sum width C(n+d,d)-1 marked
    (and Wagstaff's d' = n on T5)."""
    series = {}
    for r in rows:
        if r["experiment"] in ("latent", "wagstaff"):
            series.setdefault((r["experiment"], r["T"], r["target"], r["n"], r["d"]), []).append(r)
    fig, ax = pyplot().subplots(figsize=(8, 4.8))
    for i, ((exp, T, target, n, d), rs) in enumerate(sorted(series.items())):
        rs = sorted(rs, key=lambda r: r["latent"])
        color = f"C{i % 10}"
        ax.plot([r["latent"] for r in rs], [r["relative_error"] for r in rs], "o-", color=color,
                label=f"{T} {target}, n={n}, d={d}")
        width = rs[0].get("power_sum_width")
        if width:
            ax.axvline(width, color=color, ls="--", lw=1, label=f"C(n+d,d)-1 = {width:.0f} (bound, reconstructed)")
        if exp == "wagstaff":
            ax.axvline(n, color=color, ls=":", lw=1.5, label=f"Wagstaff d' >= n = {n} (certificate)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("latent width d'")
    ax.set_ylabel("relative test error (median over seeds)")
    ax.set_title("Sumformer-MLP: error against d' (our design)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, output, dpi=120)


def plot_jl(rows, output) -> Path:
    import tbounds.bounds as bounds

    tail = bounds.get("wang2020.linformer.failure_probability")
    fig, ax = pyplot().subplots(figsize=(8, 4.8))
    jl = [r for r in rows if r["experiment"] == "linformer_jl"]
    for i, ((n, eps), rs) in enumerate(sorted(_by(jl, ("n", "eps")).items())):
        rs = sorted(rs, key=lambda r: r["k"])
        ks = [r["k"] for r in rs]
        c = f"C{i}"
        ax.plot(ks, [r["fail_norm"] for r in rs], "o-", color=c, label=f"measured, norm (JL) reading, n={n}")
        ax.plot(ks, [r["fail_inner"] for r in rs], "s:", color=c, alpha=0.6, label=f"measured, inner-product reading, n={n}")
        ax.plot(ks, [r["fail_theorem1"] for r in rs], "^:", color=c, alpha=0.4, label=f"measured, Theorem 1 reading, n={n}")
        ax.axvline(rs[0]["k_rank"], color=c, ls="--", lw=1, label=f"k = 5 ln n/(eps^2-eps^3) = {rs[0]['k_rank']:.0f}")
        grid = sorted(set([2 ** (j / 4) for j in range(0, 4 * int(math.log2(max(ks)) + 1) + 1)]))
        ax.plot(grid, [min(1.0, float(tail(k=max(1, round(g)), eps=eps))) for g in grid], "k-", lw=1,
                label=f"tail bound 2exp(-(eps^2-eps^3)k/4), eps={eps} (capped at 1)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("projection dimension k")
    ax.set_ylabel("failure rate")
    ax.set_title("Linformer: JL failure rate against k (wang2020.linformer.*)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6)
    return save(fig, output, dpi=120)


def plot_performer(rows, output) -> Path:
    fig, ax = pyplot().subplots(figsize=(8, 4.8))
    ps = [r for r in rows if r["experiment"] == "performer_mse"]
    for i, ((s, t, d), rs) in enumerate(sorted(_by(ps, ("s", "t", "d")).items())):
        rs = sorted(rs, key=lambda r: r["m"])
        ms = [r["m"] for r in rs]
        c = f"C{i}"
        ax.errorbar(ms, [r["mse_positive"] for r in rs], yerr=[2 * r["se_positive"] for r in rs], fmt="o", color=c,
                    label=f"MC, iid positive, |x+y|={s}, |x-y|={t}")
        ax.plot(ms, [r["formula_positive"] for r in rs], "-", color=c, lw=1, label="Lemma 2 formula (positive)")
        ax.errorbar(ms, [r["mse_orthogonal"] for r in rs], yerr=[2 * r["se_orthogonal"] for r in rs], fmt="s",
                    color=c, alpha=0.6, label="MC, orthogonal positive")
        ob = [(r["m"], r["bound_orthogonal"]) for r in rs if r["bound_orthogonal"] is not None]
        if ob:
            ax.plot([x for x, _ in ob], [y for _, y in ob], "--", color=c, lw=1, label="Theorem 2 bound (orthogonal)")
        ax.plot(ms, [r["mse_trig"] for r in rs], "^:", color=c, alpha=0.6, label="MC, trigonometric")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("random features m")
    ax.set_ylabel("MSE of the SM(x, y) estimate")
    ax.set_title("Performer: Monte Carlo MSE against m (choromanski2021.performer.*)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6)
    return save(fig, output, dpi=120)


def _by(rows, keys):
    out = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return out
