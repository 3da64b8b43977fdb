"""Exact mechanism checks (float64, no training) and the two Monte Carlo checks of the background bounds.

* :func:`linformer_sums`, :func:`softmax_averages`, :func:`favor_averages` -- the attention code of
  the models (:mod:`.attention`) with k = 1 all-ones E, F (any W_Q, W_K), or with W_Q = W_K = 0,
  returns Σ_j v_j or mean_j v_j for every token; the worst absolute deviation is returned.
* :func:`power_sums` -- multisymmetric power sums of degree <= n recover a multiset (d = 1, and
  d = 2 through z = a + i b), while two distinct multisets built to share every power sum of
  degree < n collide (d = 1; Newton's identities).
* :func:`jl_failure_rates` -- Linformer's random projection R ~ N(0, 1/k): how often the
  JL property fails, in three readings (norm, inner product, Theorem 1's vector form).
* :func:`performer_mse` -- Monte Carlo MSE of the positive (iid and orthogonal) and trigonometric
  estimators of SM(x, y) = exp(xᵀy) at given |x + y|, |x − y|.

>>> linformer_sums(n=5, h=3, seed=0) < 1e-12, softmax_averages(n=5, h=3, seed=0) < 1e-12
(True, True)
>>> favor_averages(n=5, h=3, m=2, seed=3) < 1e-12
True
>>> ps = power_sums(n=3, seed=0)
>>> ps["example_degree1_equal"], ps["example_degree2_differs"], ps["truncated_collision_max_diff"] < 1e-10
(True, True, True)
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .attention import favor_attention, linformer_attention, orthogonal_features, softmax_attention
from .models import monomial_exponents


def _tokens(n, h, seed, batch=8):
    g = torch.Generator().manual_seed(seed)
    return g, torch.randn(batch, n, h, generator=g, dtype=torch.float64)


def linformer_sums(n: int, h: int, seed: int) -> float:
    """max |Linformer(k = 1, E = F = 1) − Σ_j v_j| with random W_Q, W_K, W_V (and under a permutation)."""
    g, X = _tokens(n, h, seed)
    WQ, WK, WV = (torch.randn(h, h, generator=g, dtype=torch.float64) for _ in range(3))
    ones = torch.ones(1, n, dtype=torch.float64)
    out = linformer_attention(X @ WQ, X @ WK, X @ WV, ones, ones)
    want = (X @ WV).sum(1, keepdim=True).expand_as(out)
    perm = torch.randperm(n, generator=g)
    Xp = X[:, perm]
    outp = linformer_attention(Xp @ WQ, Xp @ WK, Xp @ WV, ones, ones)
    return float(max((out - want).abs().max(), (outp - out[:, perm]).abs().max()))


def softmax_averages(n: int, h: int, seed: int) -> float:
    g, X = _tokens(n, h, seed)
    WV = torch.randn(h, h, generator=g, dtype=torch.float64)
    zero = torch.zeros(h, h, dtype=torch.float64)
    out = softmax_attention(X @ zero, X @ zero, X @ WV)
    return float((out - (X @ WV).mean(1, keepdim=True)).abs().max())


def favor_averages(n: int, h: int, m: int, seed: int) -> float:
    g, X = _tokens(n, h, seed)
    WV = torch.randn(h, h, generator=g, dtype=torch.float64)
    zero = torch.zeros(h, h, dtype=torch.float64)
    worst = 0.0
    for orthogonal in (True, False):
        omega = orthogonal_features(m, h, g, orthogonal=orthogonal)
        out = favor_attention(X @ zero, X @ zero, X @ WV, omega)
        worst = max(worst, float((out - (X @ WV).mean(1, keepdim=True)).abs().max()))
    return worst


def _power_sums_1d(x: np.ndarray, degree: int) -> np.ndarray:
    return np.array([(x ** p).sum() for p in range(1, degree + 1)])


def _recover_1d(sums: np.ndarray, n: int) -> np.ndarray:
    """Newton's identities: power sums p_1..p_n -> elementary symmetric e_1..e_n -> the roots."""
    e = [1.0 + 0j]
    for k in range(1, n + 1):
        e.append(sum((-1) ** (i - 1) * e[k - i] * sums[i - 1] for i in range(1, k + 1)) / k)
    coeffs = [(-1) ** k * e[k] for k in range(n + 1)]
    return np.roots(coeffs)


def _match(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two multisets of complex numbers (sorted matching: tokens here are distinct)."""
    key = lambda z: (round(z.real, 6), round(z.imag, 6))  # noqa: E731
    return float(np.abs(np.array(sorted(a, key=key)) - np.array(sorted(b, key=key))).max())


def power_sums(n: int, seed: int, trials: int = 50) -> dict:
    """Injectivity of degree <= n power sums, and collisions below degree n, at d = 1 (and recovery at d = 2)."""
    rng = np.random.default_rng(seed)
    # the notes' example: degree-1 sums cannot tell {0, 1} from {1/2, 1/2}; degree <= 2 can
    a, b = np.array([0.0, 1.0]), np.array([0.5, 0.5])
    example_equal = bool(np.allclose(_power_sums_1d(a, 1), _power_sums_1d(b, 1)))
    example_differs = bool(not np.allclose(_power_sums_1d(a, 2), _power_sums_1d(b, 2)))
    # recovery from degree <= n sums, d = 1 (real roots) and d = 2 (z = a + i b: the degree-p power sums
    # of z are combinations of the multisymmetric monomial sums of degree p)
    worst1 = worst2 = 0.0
    exps = monomial_exponents(2, n)
    def spread(draw):
        """Tokens at least 0.3/n apart: root finding then recovers them to ~1e-9 (near-equal tokens are
        ill-conditioned for root finding, not for injectivity)."""
        while True:
            z = draw()
            flat = z if z.ndim == 1 else z[:, 0] + 1j * z[:, 1]
            gaps = np.abs(flat[:, None] - flat[None, :]) + np.eye(n)
            if gaps.min() >= 0.3 / n:
                return z

    for _ in range(trials):
        x = spread(lambda: rng.uniform(0, 1, n))
        worst1 = max(worst1, _match(_recover_1d(_power_sums_1d(x, n), n), x.astype(complex)))
        pts = spread(lambda: rng.uniform(0, 1, (n, 2)))
        mono = {alpha: float((pts[:, 0] ** alpha[0] * pts[:, 1] ** alpha[1]).sum()) for alpha in exps}
        zsums = np.array([sum(math.comb(p, j) * (1j) ** j * mono[(p - j, j)] for j in range(p + 1))
                          for p in range(1, n + 1)])
        worst2 = max(worst2, _match(_recover_1d(zsums, n), pts[:, 0] + 1j * pts[:, 1]))
    # a collision below degree n: q(t) = Π(t − x_i) + c keeps e_1..e_{n−1}, hence p_1..p_{n−1}
    # (Newton), but changes p_n; c small keeps its n roots real and distinct
    x = np.sort(rng.uniform(0, 1, n))
    x = np.linspace(0.1, 0.9, n) if np.min(np.diff(x)) < 0.05 else x
    poly = np.poly(x)
    c = 0.2 * min(abs(np.polyval(poly, t)) for t in (x[:-1] + x[1:]) / 2)
    shifted = poly.copy()
    shifted[-1] += c
    y = np.roots(shifted)
    real = bool(np.all(np.abs(y.imag) < 1e-9))
    y = np.sort(y.real)
    collision = float(np.abs(_power_sums_1d(x, n - 1) - _power_sums_1d(y, n - 1)).max())
    separated = float(abs(_power_sums_1d(x, n)[-1] - _power_sums_1d(y, n)[-1]))
    return {"n": n, "example_degree1_equal": example_equal, "example_degree2_differs": example_differs,
            "recovery_max_error_d1": worst1, "recovery_max_error_d2": worst2,
            "truncated_pair": [x.tolist(), y.tolist()], "truncated_pair_real": real,
            "truncated_collision_max_diff": collision, "degree_n_difference": separated,
            "multiset_distance": float(np.abs(x - y).max())}


# ------------------------------------------------------------------------------ Linformer JL
def jl_failure_rates(n: int, k: int, eps: float, trials: int, seed: int, scale: float = 1.0) -> dict:
    """Failure rates over ``trials`` fresh draws of R (k x n, iid N(0, 1/k)), random logits A = scale·N(0,1)
    (n x n), P = softmax(A) and w ~ N(0, I_n), for three readings:

    * ``norm``: |‖R u‖² − ‖u‖²| > ε‖u‖², u = P's first row (the JL lemma, where 2e^{−(ε²−ε³)k/4} is proved);
    * ``inner``: |⟨R u, R w⟩ − ⟨u, w⟩| > ε |⟨u, w⟩| (the per-pair statement as the registry words it);
    * ``theorem1``: ‖P RᵀR w − P w‖ > ε‖P w‖ (Theorem 1's vector statement, all rows at once).
    """
    rng = np.random.default_rng(seed)
    fails = {"norm": 0, "inner": 0, "theorem1": 0}
    for _ in range(trials):
        A = scale * rng.standard_normal((n, n))
        P = np.exp(A - A.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        w = rng.standard_normal(n)
        R = rng.standard_normal((k, n)) / math.sqrt(k)
        u = P[0]
        Ru, Rw = R @ u, R @ w
        fails["norm"] += abs(Ru @ Ru - u @ u) > eps * (u @ u)
        fails["inner"] += abs(Ru @ Rw - u @ w) > eps * abs(u @ w)
        Pw = P @ w
        fails["theorem1"] += np.linalg.norm(P @ (R.T @ Rw) - Pw) > eps * np.linalg.norm(Pw)
    return {name: count / trials for name, count in fails.items()}


# ------------------------------------------------------------------------------ Performer MSE
def pair_at(s: float, t: float, d: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """x, y in R^d with |x + y| = s and |x − y| = t (orthogonal random directions)."""
    q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    plus, minus = s * q[:, 0], t * q[:, 1]
    return (plus + minus) / 2, (plus - minus) / 2


def performer_mse(s: float, t: float, d: int, m: int, trials: int, seed: int) -> dict:
    """Monte Carlo MSE (and its standard error) of the m-feature estimators of SM(x, y) = exp(xᵀy)."""
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y = pair_at(s, t, d, rng)
    sm = math.exp(float(x @ y))
    out = {"SM": sm}
    for name in ("positive", "orthogonal", "trig"):
        omega = orthogonal_features(m, d, gen, orthogonal=(name == "orthogonal"), draws=trials).numpy()
        if name == "trig":
            est = math.exp((x @ x + y @ y) / 2) * np.cos(omega @ (x - y)).mean(-1)
        else:
            est = math.exp(-(x @ x + y @ y) / 2) * np.exp(omega @ (x + y)).mean(-1)
        sq = (est - sm) ** 2
        out[name] = {"mse": float(sq.mean()), "se": float(sq.std(ddof=1) / math.sqrt(trials)),
                     "bias": float(est.mean() - sm)}
    return out


def attention_sup_error(n: int, h: int, m: int, trials: int, seed: int, scale: float = 1.0) -> float:
    """Mean over draws of max |Â − A| (entries of the unnormalised softmax kernel exp(q kᵀ/√h)) with m
    orthogonal positive features, queries and keys of norm ``scale``·h^(1/4) (‖Â − A‖_∞ in m)."""
    g = torch.Generator().manual_seed(seed)
    Q = torch.randn(n, h, generator=g, dtype=torch.float64)
    K = torch.randn(n, h, generator=g, dtype=torch.float64)
    Q = Q / Q.norm(dim=1, keepdim=True) * scale
    K = K / K.norm(dim=1, keepdim=True) * scale
    A = torch.exp(Q @ K.T)
    errs = []
    for _ in range(trials):
        omega = orthogonal_features(m, h, g)
        fq = torch.exp(Q @ omega.T - (Q * Q).sum(1, keepdim=True) / 2) / math.sqrt(m)
        fk = torch.exp(K @ omega.T - (K * K).sum(1, keepdim=True) / 2) / math.sqrt(m)
        errs.append(float((fq @ fk.T - A).abs().max()))
    return float(np.mean(errs))
