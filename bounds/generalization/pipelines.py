"""From covering numbers to Rademacher complexity: Dudley's integral (closed forms and quadrature), Massart at one scale.

* ``dudley.J``: the closed form ``J(c) = int_0^c sqrt(ln(1/u)) du``.
* ``dudley.parametric``: ``ln N <= p ln(A/eps)`` -> ``(12/sqrt n) sqrt(p) A J(min(1, b/A))`` (rate exactly 1/sqrt n).
* ``dudley.maurey``: ``ln N <= C^2/eps^2`` -> optimal ``alpha = 3C/sqrt(n)`` (rate log n / sqrt n).
* ``dudley.parametric.quadrature``: the same integral numerically, at the optimal alpha.
* ``massart.*``: the one-scale bound ``inf_eps eps + b sqrt(2 ln N(eps)/n)``, a cross-check.
* ``<cover id>.dudley``: Dudley by quadrature for every smooth registered covering bound.

>>> from tbounds.bounds import get
>>> round(float(get("dudley.J")(c=1)), 12) == round(3.141592653589793 ** 0.5 / 2, 12)
True
>>> p = get("dudley.parametric")
>>> round(float(p(dof=32, A=4, b=4, n=1000)), 2), round(float(p(dof=32, A=4, b=4, n=100000)), 3)
(7.61, 0.761)
>>> m = get("dudley.maurey")
>>> round(float(m(C=4, b=1, n=10000)), 2), round(float(m(C=4, b=1, n=100000)), 3)
(1.0, 0.648)
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..dudley import (QUAD_TOL, J_expr, dudley_log, log1p_dudley_log, maurey_dudley_log, maurey_rademacher_expr,
                      one_scale_maurey_expr, parametric_dudley_log, parametric_log_cover,
                      parametric_one_scale_log, parametric_rademacher_expr)
from ..linear import positive_log
from ..logspace import Signed
from ..numeric import unique_points
from ..record import Assumption, Bound, Source
from ..registry import get, register
from .common import BFT, DUDLEY_J, RADEMACHER, S, bound, params

dof, A, C, b, n, c = (S[k] for k in ("dof", "A", "C", "b", "n", "c"))
DUDLEY_SOURCE = BFT("Lemma A.5 (Dudley entropy integral), normalised form with the closed form of the notes §4.4")
MASSART = Source(None, "Massart", 2000, "finite-class lemma at one scale (notes §4.3)",
                 venue="Annales de la Faculté des Sciences de Toulouse 9(2) (2000)", provenance="secondary",
                 via="the notes' statement (§4.3)")
PARAM_COVER_HYP = "the class takes values in [-b, b]; ln N(eps) <= p ln(A/eps) for eps < A and 0 above"
MAUREY_HYP = "the class takes values in [-b, b]; ln N(eps) <= C^2/eps^2"

BOUNDS: list[Bound] = [
    bound("dudley.J", title="J(c) = int_0^c sqrt(ln(1/u)) du = Gamma(3/2, ln(1/c))",
          source=Source(None, "standard identity (integration by parts)", 2024,
                        "notes §4.4 closed form, checked by quadrature", venue="shared/papers/generalization.md",
                        provenance="primary"),
          kind="exact", status="certificate", quantity=DUDLEY_J, params=params("c"),
          statement="J(c) = c sqrt(ln(1/c)) + (sqrt(pi)/2) erfc(sqrt(ln(1/c))) for 0 < c <= 1; J(1) = sqrt(pi)/2.",
          expr=J_expr(c), monotone={"c": "increasing"}),
    bound("dudley.parametric", title="Dudley for a parametric cover: (12/sqrt n) sqrt(p) A J(min(1, b/A))",
          source=DUDLEY_SOURCE, kind="upper", status="reconstructed", quantity=RADEMACHER,
          params=params("dof", "A", "b", "n"),
          statement="With ln N(eps) <= p ln_+(A/eps) and alpha = 0: R_S <= (12/sqrt(n)) sqrt(p) A J(min(1, b/A)); "
                    "sqrt(n) R_S does not depend on n.",
          expr=parametric_rademacher_expr(dof, A, b, n),
          assumptions=(Assumption("parametric cover", PARAM_COVER_HYP),),
          monotone={"dof": "increasing", "A": "increasing", "b": "increasing", "n": "decreasing"}, derived=True),
    bound("dudley.maurey", title="Dudley for a Maurey cover at alpha* = 3C/sqrt(n)",
          source=DUDLEY_SOURCE, kind="upper", status="reconstructed", quantity=RADEMACHER,
          params=params("C", "b", "n"),
          statement="With ln N(eps) <= C^2/eps^2: R_S <= min(b, 4 alpha + (12 C/sqrt(n)) ln(b/alpha)), "
                    "alpha = min(3C/sqrt(n), b), i.e. (12 C/sqrt(n))(1 + ln(b sqrt(n)/(3C))) when 3C/sqrt(n) < b.",
          expr=maurey_rademacher_expr(C, b, n), assumptions=(Assumption("Maurey cover", MAUREY_HYP),),
          monotone={"C": "increasing", "b": "increasing", "n": "decreasing"}, derived=True),
    bound("massart.maurey", title="One-scale (Massart) bound for a Maurey cover: a n^(-1/4) rate",
          source=MASSART, kind="upper", status="reconstructed", quantity=RADEMACHER, params=params("C", "b", "n"),
          statement="inf_eps eps + b sqrt(2 C^2/(eps^2 n)) = 2^(5/4) sqrt(b C) n^(-1/4), capped at b.",
          expr=one_scale_maurey_expr(C, b, n), assumptions=(Assumption("Maurey cover", MAUREY_HYP),),
          monotone={"C": "increasing", "b": "increasing", "n": "decreasing"}, derived=True),
]


def _param_quadrature(dof_, A_, b_, n_) -> Signed:
    """Dudley at the optimal alpha, in closed form (:func:`parametric_dudley_log`; the tests hold it to the quadrature)."""
    with np.errstate(divide="ignore"):
        return parametric_dudley_log(np.log(dof_), np.log(A_), n_, np.log(b_))


def _param_one_scale(dof_, A_, b_, n_) -> Signed:
    """Massart at one scale in closed form (:func:`parametric_one_scale_log`; the tests hold it to the golden section)."""
    with np.errstate(divide="ignore"):
        return parametric_one_scale_log(np.log(dof_), np.log(A_), n_, np.log(b_))


BOUNDS += [
    bound("dudley.parametric.quadrature", title="Dudley for a parametric cover by quadrature, at the optimal alpha",
          source=DUDLEY_SOURCE, kind="upper", status="reconstructed", quantity=RADEMACHER,
          params=params("dof", "A", "b", "n"),
          statement="min(b, inf_alpha 4 alpha + (12/sqrt n) int_alpha^b sqrt(p ln_+(A/eps)) d eps), alpha solving "
                    "p ln(A/alpha) = n/9; never above dudley.parametric.",
          numeric=unique_points(_param_quadrature),
          latex_rhs=r"\inf_\alpha 4\alpha + \tfrac{12}{\sqrt n}\int_\alpha^b \sqrt{p\ln_+(A/\varepsilon)}\,d\varepsilon",
          assumptions=(Assumption("parametric cover", PARAM_COVER_HYP),),
          monotone={"dof": "increasing", "A": "increasing", "b": "increasing", "n": "decreasing"}, derived=True),
    bound("massart.parametric", title="One-scale (Massart) bound for a parametric cover",
          source=MASSART, kind="upper", status="reconstructed", quantity=RADEMACHER,
          params=params("dof", "A", "b", "n"),
          statement="min(b, inf_eps eps + b sqrt(2 p ln_+(A/eps)/n)), minimised in closed form (our derivation: the "
                    "stationary point by Lambert W, against the value at min(A, b)).",
          numeric=unique_points(_param_one_scale),
          latex_rhs=r"\inf_\varepsilon \varepsilon + b\sqrt{2p\ln_+(A/\varepsilon)/n}",
          assumptions=(Assumption("parametric cover", PARAM_COVER_HYP),),
          monotone={"dof": "increasing", "A": "increasing", "b": "increasing", "n": "decreasing"}, derived=True),
]

#: Smooth registered covers (no ceilings) that get a ``.dudley`` quadrature twin.
#: (Any other cover works through :func:`quadrature_of`; these are registered, kept few because each
#: evaluation runs a quadrature.)
QUADRATURE_OF = ("candes_plan2011.cover.rank", "truong2024.cover.linear_rank", "truong2024.cover.linear_rank.log1p",
                 "truong2024.cover.linear_rank.frobenius", "truong2024.cover.linear_rank.log1p.frobenius",
                 "trauger2024.cover.linear", "ball.cover")


def quadrature_of(cover: Bound, closed_form: bool = True) -> Bound:
    """A Rademacher bound computing Dudley's integral of ``cover`` (eps is integrated out).

    Arguments are matched to the cover by name (a cover may itself take ``n``).  A cover stated only
    up to a scale (an assumption ``eps <= R``, above which one centre covers) has ``ln N = 0`` above
    ``R``: the integral stops there.  A cover of the form ``p ln(A/eps)`` or ``C^2/eps^2`` (recognised
    from its expression on first use) is integrated in closed form (:func:`parametric_dudley_log`,
    :func:`maurey_dudley_log`); one of the form ``p ln(1 + (A/eps)^k)`` by a fixed two-panel rule with an
    error estimate (:func:`log1p_dudley_log`; points whose estimate exceeds ``QUAD_TOL`` go on to the
    quadrature); any other numerically (adaptive tanh-sinh).  ``closed_form=False`` forces the quadrature
    (the tests compare the two).
    """
    others = [p for p in cover.params if p.name != "eps"]
    extra = [p for p in params("n", "b") if p.name not in {q.name for q in others}]
    names = [p.name for p in others + extra]
    where = [i for i, p in enumerate(cover.params) if p.name == "eps"][0]
    log_fn = cover._log_function
    cut = _scale_cut(cover, others)

    closed = {}

    def evaluate(*arrays) -> Signed:
        named = dict(zip(names, arrays))
        inner = [np.asarray(named[p.name], float)[..., None] for p in others]
        n_, b_ = named["n"], named["b"]
        if closed_form:
            if "form" not in closed:
                closed["form"] = _closed_form(cover, others)
            if closed["form"] is not None:
                kind, log_parts = closed["form"]
                flat = [a[..., 0] for a in inner]
                with np.errstate(over="ignore", divide="ignore"):
                    log_cut = (np.log(np.asarray(cut(*flat), float)) if cut is not None else np.inf)
                    log_b = np.log(np.asarray(b_, float))
                logs = [f(*flat).log for f in log_parts]
                if kind == "parametric":
                    return parametric_dudley_log(logs[0], logs[1], n_, log_b, log_cut)
                if kind == "maurey":
                    return maurey_dudley_log(0.5 * logs[0], n_, log_b, log_cut)
                out, err = log1p_dudley_log(logs[0], logs[1], kind[1], n_, log_b, log_cut)
                redo = ~(err <= QUAD_TOL)  # the rule's estimate is not good enough: integrate numerically there
                if not redo.any():
                    return out
                again = quadrature([a[redo] for a in inner], np.asarray(n_, float)[redo], np.asarray(b_, float)[redo])
                log = out.log.copy()
                log[redo] = again.log
                return Signed(out.sign, log)
        return quadrature(inner, n_, b_)

    def quadrature(inner, n_, b_) -> Signed:
        def loglog(u):
            args = list(inner)
            args.insert(where, np.exp(u))
            return positive_log(log_fn(*args))

        if cut is not None:
            with np.errstate(over="ignore", divide="ignore"):  # B_w B_x past the float range: no cut
                log_cut = np.log(np.asarray(cut(*[a[..., 0] for a in inner]), float))[..., None]
            plain = loglog

            def loglog(u):  # noqa: F811  (the cover, cut where its statement says ln N = 0)
                return np.where(u <= log_cut, plain(u), -np.inf)

            loglog.cut = log_cut
        if "alpha" not in closed:
            closed["alpha"] = _optimal_alpha(cover, others)
        log_alpha = None
        if closed["alpha"] is not None:
            with np.errstate(divide="ignore"):
                log_level = np.log(np.asarray(n_, float) / 9.0)
            log_alpha = closed["alpha"](*[a[..., 0] for a in inner], np.exp(log_level)).log
        return dudley_log(loglog, n_, b_, log_alpha=log_alpha)

    mono = {k: v for k, v in cover.monotone.items() if k != "eps"}
    mono.update({"n": "decreasing", "b": "increasing"})
    # Unverified constants stay unverified through the integral; hidden ones stay hidden.
    status = cover.status if cover.status in ("rate", "unverified") else "reconstructed"
    return bound(
        f"{cover.id}.dudley", title=f"Dudley integral of {cover.id} (quadrature, optimal alpha)",
        source=Source(cover.source.arxiv, cover.source.authors, cover.source.year,
                      f"{cover.source.label} + Dudley (BFT Lemma A.5)", venue=cover.source.venue or "",
                      title=cover.source.title, provenance=cover.source.provenance, via=cover.source.via),
        kind="upper", status=status, quantity=RADEMACHER, params=tuple(others + extra),
        statement=f"min(b, inf_alpha 4 alpha + (12/sqrt n) int_alpha^b sqrt(ln N(eps)) d eps) with ln N from "
                  f"{cover.id}; the class takes values in [-b, b].",
        numeric=unique_points(evaluate),
        latex_rhs=r"\inf_\alpha 4\alpha + \tfrac{12}{\sqrt n}\int_\alpha^b \sqrt{\ln\mathcal N(\varepsilon)}\,d\varepsilon",
        # Assumptions on eps are the cover's range; the integral handles every scale itself.
        assumptions=tuple(a for a in cover.assumptions
                          if a.relation is None or "eps" not in {s.name for s in a.relation.free_symbols}),
        monotone=mono, derived=True, reading=cover.reading,
        examples={**{k: v for k, v in cover.examples.items() if k != "eps"}, "n": 10 ** 6})


def _closed_form(cover: Bound, others):
    """``("parametric", (log p, log A))`` if ``ln N = p ln(A/eps)``, ``("maurey", (log C^2,))`` if
    ``ln N = C^2/eps^2``, ``(("log1p", k), (log p, log A))`` if ``ln N = p ln(1 + (A/eps)^k)`` (each a
    function of the other parameters, in log space), else None."""
    from ..linear import Evaluator

    eps = cover.param("eps").symbol
    symbols = [p.symbol for p in others]
    log1p_form = _log1p_form(cover.expr, eps, symbols)
    if log1p_form is not None:
        k, p, A = log1p_form
        return ("log1p", k), (Evaluator(p, symbols), Evaluator(A, symbols))
    u = sp.Dummy("u", real=True)
    g = sp.expand_log(cover.expr.subs(eps, sp.exp(u)), force=True)
    slope = sp.simplify(sp.diff(g, u))  # d ln N / d ln eps
    if slope != 0 and not slope.has(u):
        p = -slope
        A = sp.simplify(sp.exp(sp.simplify(sp.expand(g / p + u))))
        if not A.has(u) and not A.free_symbols - set(symbols):
            return "parametric", (Evaluator(p, symbols), Evaluator(A, symbols))
    C2 = sp.simplify(cover.expr * eps ** 2)
    if not C2.has(eps) and C2 != 0:
        return "maurey", (Evaluator(C2, symbols),)
    return None


def _log1p_form(expr: sp.Expr, eps: sp.Symbol, symbols):
    """``(k, p, A)`` if ``expr = p ln(1 + (A/eps)^k)`` (``log1p`` or ``log(1 + .)``) with ``k > 0`` a number and
    ``p, A`` free of eps, else None."""
    from sympy.codegen.cfunctions import log1p

    p, rest = expr.as_independent(eps, as_Add=False)
    if isinstance(rest, log1p):
        inner = rest.args[0]
    elif isinstance(rest, sp.log):
        inner = sp.expand(rest.args[0] - 1)
    else:
        return None
    k = sp.simplify(-eps * sp.diff(inner, eps) / inner)  # inner = c eps^-k
    if not k.is_number or not k.is_positive:
        return None
    c = sp.simplify(inner * eps ** k)
    if c.has(eps) or c.free_symbols - set(symbols) or p.free_symbols - set(symbols):
        return None
    return float(k), p, c ** (1 / k)


def _optimal_alpha(cover: Bound, others):
    """The scale where ``ln N(eps) = L`` as a log-space function of (other parameters, L), if sympy solves
    it with exactly one positive root at the example values; else None (the quadrature solves numerically)."""
    from sympy.codegen.cfunctions import log1p

    from ..linear import Evaluator

    eps = cover.param("eps").symbol
    level = sp.Dummy("L", positive=True)
    try:
        roots = sp.solve(sp.Eq(cover.expr.replace(log1p, lambda x: sp.log(1 + x)), level), eps)
    except (NotImplementedError, ValueError, TypeError):
        return None
    example = {p.symbol: v for p, v in zip(others, [cover.example()[p.name] for p in others])}
    positive = []
    for root in roots:
        try:
            value = complex(root.subs(example).subs(level, 3.0))
        except TypeError:
            return None
        if abs(value.imag) < 1e-12 and value.real > 0:
            positive.append(root)
    if len(positive) != 1 or positive[0].free_symbols - set(example) - {level}:
        return None
    return Evaluator(positive[0], [p.symbol for p in others] + [level])


def _scale_cut(cover: Bound, others):
    """``R(params)`` if the cover assumes ``eps <= R`` (one centre covers above ``R``), else None."""
    cuts = [a.relation for a in cover.assumptions if a.relation is not None
            and isinstance(a.relation, (sp.LessThan, sp.StrictLessThan)) and a.relation.lhs.is_Symbol
            and a.relation.lhs.name == "eps" and "eps" not in {s.name for s in a.relation.rhs.free_symbols}]
    if not cuts:
        return None
    top = sp.Min(*[c.rhs for c in cuts])
    return sp.lambdify([p.symbol for p in others], top, "numpy", dummify=True)


BOUNDS += [quadrature_of(get(i)) for i in QUADRATURE_OF]
register(*BOUNDS)
