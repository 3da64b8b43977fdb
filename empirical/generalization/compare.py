"""Measurements beside the bounds: every registered gap and Rademacher bound, at two sets of norms.

* **constraints** basis: the radii the model was trained under (projections make
  them hold exactly; norms a bound needs but we did not constrain come from
  :mod:`.implied`).  Chosen before training, so a certificate evaluated here is
  a genuine bound on the gap (up to its reconstruction, and its probability 1-δ).
* **post-hoc** basis: the norms and ranks the trained weights actually have.
  The radii are chosen after training, so the bound is **heuristic** (a union
  bound over a grid of radii would make it valid at a small extra cost).

Bounds are looked up in the registry (``bounds.select``) and evaluated by their
own parameter names; nothing is re-derived here.  A ``rate`` bound has hidden
constants: it is shown as a shape and never said to hold or fail.

>>> v = bound_values(n=256, T=16, d=16, rank=2, B_x=1.0, qk={"fro": 8.0}, v={"fro": 2.0}, w={"l2": 2.0})
>>> v["B_QK"], v["B_QK_F"], v["M_out"], v["r_w"]
(8.0, 8.0, 8.0, 2)
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable, Optional, Sequence

import numpy as np

import tbounds.bounds as bounds

from ..comparison import Comparison, Relation
from ..errors import ConfigError
from ..fit import SlopeFit, slope
from ..runner import Results
from . import analysis
from .checkpoint import load_heads
from .implied import implied_matrix, implied_vector
from .models import LIPSCHITZ
from .tasks import token_norm_bound

DELTA = 0.05
#: the loss is min(logistic, 1): values in [0, 1] and 1-Lipschitz in the prediction
LOSS = {"L_loss": 1.0, "c_loss": 1.0}
#: Rademacher bounds for the linear class x -> Wx: (parameter holding the norm bound, which norm it is);
#: the norm is named in each bound's statement, so it is listed here rather than guessed
LINEAR_RADEMACHER = {
    "truong2024.cover.linear_rank.dudley": ("B_w", "spectral"),
    "truong2024.cover.linear_rank.log1p.dudley": ("B_w", "spectral"),
    "truong2024.cover.linear_rank.frobenius.dudley": ("B_w", "fro"),
    "truong2024.cover.linear_rank.log1p.frobenius.dudley": ("B_w", "fro"),
    "candes_plan2011.cover.rank.dudley": ("B_w", "fro"),
    "trauger2024.cover.linear.dudley": ("M_W", "l11"),
}
CONTRACTION = "contraction.talagrand"


def head_rademacher_bounds() -> list:
    """Registered Rademacher bounds of the whole head: those whose parameters are all head quantities."""
    names = set(bound_values(2, 1, 3, 1, 1.0, {"fro": 1.0}, {"fro": 1.0}, {"l2": 1.0}))
    return [b for b in bounds.select(family="generalization", quantity="Rademacher")
            if set(b.param_names) <= names and {"B_V", "B_out"} <= set(b.param_names)]


def bound_values(n: int, T: int, d: int, rank: int, B_x: float, qk: dict, v: dict, w: dict,
                 rank_v: Optional[int] = None, activation: str = "relu", delta: float = DELTA) -> dict:
    """Every parameter name the generalisation bounds use, from norm radii of W_QK, W_V and w."""
    qk = implied_matrix(qk, d, d, rank)
    vv = implied_matrix(v, d, d, rank_v or d)
    ww = implied_vector(w, d)
    L_sigma = LIPSCHITZ[activation]
    values = {"n": int(n), "T": int(T), "d": int(d), "r_w": int(rank), "r_v": int(rank_v or d), "B_x": float(B_x),
              "B_QK": qk["spectral"], "B_QK_F": qk["fro"], "B_QK21": qk["l21_rows"], "M_QK": qk["l11"],
              "B_V": vv["spectral"], "B_V21": vv["l21"], "M_V": vv["l11"],
              "B_out": ww["l2"], "M_out": ww["l1"], "L_sigma": L_sigma, "delta": delta, **LOSS}
    values["b"] = L_sigma * values["B_V"] * values["B_out"] * B_x  # range of the head's outputs
    return values


def gap_bounds() -> list:
    return bounds.select(family="generalization", quantity="generalisation gap")


def evaluate(bound, values: dict) -> tuple[Optional[float], str]:
    """``(value, note)``; ``None`` with the reason when the bound needs a parameter we do not have."""
    missing = [p for p in bound.param_names if p not in values or values[p] is None
               or (isinstance(values[p], float) and not math.isfinite(values[p]))]
    if missing:
        return None, f"needs {', '.join(missing)}"
    try:
        return float(bound(**{p: values[p] for p in bound.param_names})), ""
    except bounds.TboundsError as error:
        return None, str(error)


def verdict(bound, value: Optional[float], measured: float) -> str:
    if value is None:
        return "n/a"
    if bound.status == "rate":
        return "shape only"
    return "yes" if value >= measured else "NO"


def _mean_se(xs: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(xs, float)
    return float(a.mean()), float(a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else math.nan


def compare_rows(cells: Iterable[tuple[dict, dict]], token_bound: float) -> list[dict]:
    """Long table rows from stored ``(config, result)`` pairs of cells.

    One row per (grid point, measured quantity, bound, basis): the measured gap
    against every gap bound, the score-class closed form against the linear-class
    Rademacher bounds, the head's lower estimate against the head Rademacher bounds.
    """
    rows = []
    for config, result in cells:
        constraints = [c.split(":") for c in config["constraints"]]
        given = defaultdict(dict)
        for matrix, norm, radius in constraints:
            given[matrix][norm] = float(radius)
        rad = {e["rank"]: e for e in result["rademacher"]}
        for r in config["ranks"]:
            members = [m for m in result["members"] if m["rank"] == r]
            gap, gap_se = _mean_se([m["gap"] for m in members])
            point = {"task": config["task"], "T": config["T"], "n": config["n"], "r": r, "seeds": len(members),
                     "gap": gap, "gap_se": gap_se, "gap_error": _mean_se([m["gap_error"] for m in members])[0],
                     "train_error": _mean_se([m["train_error"] for m in members])[0],
                     "test_error": _mean_se([m["test_error"] for m in members])[0],
                     "qk_rank": max(m["qk_rank"] for m in members),
                     "qk_stable_rank": _mean_se([m["qk_stable_rank"] for m in members])[0],
                     "rad_head": rad[r]["rad_head"], "rad_head_se": rad[r]["rad_head_se"],
                     "rad_score": rad[r]["rad_score"], "rad_score_se": rad[r]["rad_score_se"]}
            rank = r if config["control"] == "factor" else config["d"]
            complete = {"WQK", "WV", "w"} <= set(given)
            at_constraints = bound_values(config["n"], config["T"], config["d"], rank, token_bound, given["WQK"],
                                          given["WV"], given["w"], activation=config["activation"]) if complete else None
            posthoc = [bound_values(config["n"], config["T"], config["d"], m["qk_rank"], m["B_X"],
                                    {k: m[f"qk_{k}"] for k in ("fro", "spectral", "nuclear", "l21", "l21_rows", "l11")},
                                    {k: m[f"v_{k}"] for k in ("fro", "spectral", "nuclear", "l21", "l21_rows", "l11")},
                                    {"l2": m["w_l2"], "l1": m["w_l1"]}, rank_v=max(1, m["v_rank"]),
                                    activation=config["activation"]) for m in members]
            for b in gap_bounds():
                if "Rad" in b.param_names:  # a generic theorem in R̂: only its empirical-complexity form fits
                    if "empirical" in b.id:
                        rows.append(_plugged_row(point, b, rad[r]["rad_head"], config))
                    continue
                if at_constraints is not None:
                    value, note = evaluate(b, at_constraints)
                    rows.append(_row(point, "gap", gap, b, "constraints", value, verdict(b, value, gap), note))
                values = [evaluate(b, p) for p in posthoc]
                ok = [v for v, _ in values if v is not None]
                if ok:
                    held = sum(v >= m["gap"] for (v, _), m in zip(values, members) if v is not None)
                    word = "shape only" if b.status == "rate" else ("yes" if held == len(ok) else f"NO ({len(ok) - held}/{len(ok)} fail)")
                    rows.append(_row(point, "gap", gap, b, "post-hoc", float(np.mean(ok)), word, ""))
                else:
                    rows.append(_row(point, "gap", gap, b, "post-hoc", None, "n/a", values[0][1]))
            if at_constraints is not None:
                rows += _rademacher_rows(point, rad[r], given, at_constraints, token_bound)
    return rows


def _plugged_row(point, b, rad_head: float, config) -> dict:
    """A generic Rademacher gap theorem with our estimate plugged in: through contraction, not a certificate."""
    values = {"L_loss": LOSS["L_loss"], "Rad": rad_head}
    rad_loss = rad_head * LOSS["L_loss"]
    if CONTRACTION in bounds.ids():
        rad_loss, _ = evaluate(bounds.get(CONTRACTION), values)
    value, note = evaluate(b, {"Rad": rad_loss, "c_loss": LOSS["c_loss"], "n": config["n"], "delta": DELTA})
    holds = "n/a" if value is None else ("yes" if value >= point["gap"] else "NO") + " (estimate plugged in)"
    return _row(point, "gap", point["gap"], b, "constraints + R_head estimate", value, holds,
                note or "R_S = L_loss x R_head lower estimate: indicative, not a certificate")


def _rademacher_rows(point, rad, given, values, token_bound) -> list[dict]:
    out = []
    for b in head_rademacher_bounds():
        value, note = evaluate(b, values)
        out.append(_row(point, "R_head (lower est.)", rad["rad_head"], b, "constraints", value,
                        _rad_verdict(value, rad["rad_head"], lower=True), note))
    radii = implied_matrix(given["WQK"], values["d"], values["d"], values["r_w"])
    for bid, (param, norm) in LINEAR_RADEMACHER.items():
        if bid not in bounds.ids() or not math.isfinite(radii[norm]):
            continue
        b = bounds.get(bid)
        # the score x_τ^T W x_0 reads the linear class through ‖x_τ‖ <= B_x: a cover of Wx at ε/B_x, i.e. the
        # linear cover with B_x times the norm bound (these covers depend on B_x x bound / ε only); the
        # score's range is B_x^2 ‖W‖_2
        lin = {"r": values["r_w"], param: radii[norm] * token_bound, "B_x": token_bound, "n": values["n"],
               "T": values["T"], "b": radii["spectral"] * token_bound ** 2, "d1": values["d"], "d2": values["d"]}
        value, note = evaluate(b, lin)
        out.append(_row(point, "R_score (closed form)", rad["rad_score"], b, "constraints", value,
                        _rad_verdict(value, rad["rad_score"], lower=False), note))
    return out


def _rad_verdict(value, measured, lower: bool) -> str:
    if value is None:
        return "n/a"
    return ("yes" if value >= measured else "NO") + (" (vs a lower estimate)" if lower else "")


def _row(point, measured_name, measured, bound, basis, value, holds, note) -> dict:
    return {**point, "measured": measured_name, "measured_value": measured, "bound": bound.id,
            "status": bound.status, "basis": basis, "value": value, "holds": holds,
            "ratio": (value / measured) if (value is not None and bound.status != "rate" and measured > 0) else None,
            "note": note}


def checkpoint_bounds(path, ns: Sequence[int], Ts: Sequence[int], task: str = "teacher", B_x: Optional[float] = None,
                      B_out: float = 1.0, heads: Optional[int] = None) -> tuple[list[dict], float]:
    """Every gap bound at the weights of the head(s) saved in ``path``, and the token-norm bound used.

    ``B_x`` defaults to the task's token-norm bound at the largest T asked for.
    """
    loaded = load_heads(path, num_heads=heads)
    if B_x is None:
        B_x = max(token_norm_bound(task, T, loaded[0].WQK.shape[0]) for T in Ts)
    if not B_x > 0:
        raise ConfigError(f"--B-x must be positive (got {B_x})")
    return checkpoint_rows(loaded, ns, Ts, B_x, B_out), B_x


def checkpoint_rows(heads, n_values: Sequence[int], T_values: Sequence[int], B_x: float, B_out: float,
                    delta: float = DELTA) -> list[dict]:
    """Every gap bound at the norms and ranks of each loaded head (post-hoc: radii read off the weights)."""
    from . import norms as N

    rows = []
    for head in heads:
        qk = {k: float(N.NORMS[k](head.WQK)) for k in ("fro", "spectral", "nuclear", "l21", "l21_rows", "l11")}
        v = {k: float(N.NORMS[k](head.WV)) for k in ("fro", "spectral", "nuclear", "l21", "l21_rows", "l11")}
        w = ({"l2": float(head.w.norm()), "l1": float(head.w.abs().sum())} if head.w is not None
             else {"l2": float(B_out)})
        rank = int(N.numerical_rank(head.WQK))
        rank_v = int(N.numerical_rank(head.WV))
        d = head.WQK.shape[0]
        info = {"head": head.name, "d": d, "qk_rank": rank, "qk_stable_rank": float(N.stable_rank(head.WQK)),
                "qk_spectral": qk["spectral"], "qk_fro": qk["fro"], "v_spectral": v["spectral"], "w_l2": w["l2"]}
        for n in n_values:
            for T in T_values:
                values = bound_values(n, T, d, max(1, rank), B_x, qk, v, w, rank_v=max(1, rank_v),
                                      activation=head.activation, delta=delta)
                for b in gap_bounds():
                    value, note = evaluate(b, values)
                    note = note or ("shape only: hidden constants" if b.status == "rate" else "")
                    rows.append({**info, "n": n, "T": T, "bound": b.id, "status": b.status,
                                 "basis": "post-hoc (checkpoint norms)", "value": value,
                                 "note": "; ".join(x for x in (note, head.note) if x)})
    return rows


# ------------------------------------------------------------------------------ the family's comparison
GAP_RATES = ("truong2024.gap.t1", "trauger2024.gap", "edelman2022.gap")


def cells_of(results: Results) -> list[tuple[dict, dict]]:
    """``(config, result)`` of every finished cell, each once, in plan order."""
    seen, out = set(), []
    for planned, row in results.finished():
        if planned.key not in seen:
            seen.add(planned.key)
            out.append((row.config, row.result))
    return out


def compare(results: Results, profile) -> Comparison:
    """Every bound beside every measured gap and Rademacher estimate, the fitted effects, and the relations."""
    cells = cells_of(results)
    rows = []
    for config, result in cells:
        rows += compare_rows([(config, result)], token_norm_bound(config["task"], config["T"], config["d"], config["s"]))
    extras = {"slopes": analysis.n_slopes(cells), "rademacher_slopes": analysis.rademacher_slopes(cells),
              "rank_effect": analysis.rank_effect(cells), "T_effect": analysis.T_effect(cells)}
    return Comparison("generalization", profile.name, rows, relations(rows, cells, extras), extras)


def measurements(results: Results) -> list[dict]:
    """One row per trained head (what ``tbounds run generalization`` prints)."""
    return [{"task": c["task"], "T": c["T"], "n": c["n"], **m} for c, res in cells_of(results) for m in res["members"]]


def _certified(rows, measured: str, basis: str) -> list[dict]:
    return [r for r in rows if r["measured"] == measured and r["basis"] == basis and r["status"] != "rate"
            and r["value"] is not None]


def _holds_relation(rows, measured, basis, relation, theory) -> Optional[Relation]:
    checked = _certified(rows, measured, basis)
    if not checked:
        return None
    failed = [r for r in checked if not str(r["holds"]).startswith("yes")]
    tight = min(checked, key=lambda r: r["value"] / r["measured_value"] if r["measured_value"] > 0 else math.inf)
    ratio = tight["value"] / tight["measured_value"] if tight["measured_value"] > 0 else math.inf
    ids = sorted({r["bound"] for r in checked})
    return Relation.about(relation, f"{len(checked) - len(failed)}/{len(checked)} (point, bound) pairs hold; "
                                    f"tightest: {tight['bound']} at n={tight['n']}, r={tight['r']}, "
                                    f"{ratio:.3g} x the measurement", theory,
                          "holds" if not failed else f"VIOLATED in {len(failed)}/{len(checked)}", ids)


def relations(rows: list[dict], cells, extras: dict) -> list[Relation]:
    """What the generalisation theory promises, beside what the sweep measured."""
    out = [r for r in (
        _holds_relation(rows, "gap", "constraints", "measured gap <= each gap bound at the training constraints",
                        "an upper bound on the gap with probability >= 1 - delta (certificates and our "
                        "reconstructions; rates excluded)"),
        _holds_relation(rows, "gap", "post-hoc", "measured gap <= each gap bound at the trained norms (post-hoc)",
                        "heuristic: radii read after training (a union bound over radii would make it valid)"),
        _holds_relation(rows, "R_score (closed form)", "constraints",
                        "score-class Rademacher complexity (closed form) <= linear-class Dudley bounds",
                        "Dudley's entropy integral bounds the empirical Rademacher complexity"),
        _holds_relation(rows, "R_head (lower est.)", "constraints",
                        "head Rademacher lower estimate <= head Rademacher bounds",
                        "a lower estimate below an upper bound; a violation would refute the bound"),
    ) if r is not None]
    pooled = [s for s in extras["slopes"] if s["rank"] == "all"]
    for s in pooled:
        fit = SlopeFit(s["slope"], s["ci_low"], s["ci_high"], s["intercept"], s["points"], s["dropped_nonpositive"])
        if not fit.usable:
            continue
        if fit.high < -0.5:
            verdict = "falls faster than n^-1/2: consistent with the bounds"
        elif fit.contains(-0.5):
            verdict = "consistent with n^-1/2"
        else:
            verdict = "falls slower than n^-1/2: the bounds' rate would be crossed at large n"
        out.append(Relation.about(f"gap falls with n ({s['task']}, T = {s['T']}, all ranks)", f"gap ~ n^{fit.describe()}",
                                  "the gap bounds fall like n^-1/2 up to logs; an upper bound allows a faster fall",
                                  verdict, GAP_RATES))
    effects = [e for e in extras["rank_effect"] if "slope_in_rank" in e]
    if effects:
        grows = sum(e["ci_low"] is not None and e["ci_low"] > 0 for e in effects)
        ratios = [e["ratio_rmax_r1"] for e in effects if e.get("ratio_rmax_r1") is not None]
        measured = f"slope of log gap in log rank > 0 (CI) at {grows}/{len(effects)} grid points"
        if ratios:
            measured += f"; gap(r_max) / gap(r = 1) from {min(ratios):.3g} to {max(ratios):.3g}"
        verdict = "grows with rank" if grows == len(effects) else ("mixed" if grows else "no rank effect measured")
        out.append(Relation.about(
            "gap grows with the rank of W_QK", measured,
            "Truong's rank-dependent bound grows with r_w (polynomially in our reconstruction, O(log r_w) in the "
            "abstract); Trauger-Tewari and Edelman do not depend on rank", verdict,
            ("truong2024.gap.t1", "trauger2024.gap")))
    out += _length_relations(cells)
    return out


def _length_relations(cells) -> list[Relation]:
    """Slope of log gap in log T where a cell's n was swept over several T."""
    out = []
    by_point = defaultdict(list)
    for config, result in cells:
        for m in result["members"]:
            by_point[(config["task"], config["n"])].append((config["T"], m["gap"]))
    for (task, n), pts in sorted(by_point.items()):
        if len({T for T, _ in pts}) < 3:
            continue
        fit = slope([T for T, _ in pts], [g for _, g in pts])
        if not fit.usable:
            continue
        verdict = ("flat in T, like the T-free bounds" if fit.contains(0) else
                   "grows with T: of these bounds only Edelman's (log T) allows that" if fit.low > 0 else
                   "falls with T: within every bound (an upper bound allows a fall)")
        out.append(Relation.about(f"gap against sequence length T ({task}, n = {n}, all ranks)",
                                  f"gap ~ T^{fit.describe()}",
                                  "Truong and Trauger-Tewari bounds are flat in T; Edelman's grows like log T",
                                  verdict, GAP_RATES))
    return out
