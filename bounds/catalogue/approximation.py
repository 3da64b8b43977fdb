"""Reference cases for the approximation family (shared/papers/approximation.md, §2.1 table and §6.1 examples)."""

import math

from ..errors import AssumptionError, ParameterError, SolveError, UnknownBoundError
from . import Bracket, Case, Raises, SolveCase

# §2.1: C(n + d, d) - 1 for n in {2, 4, 8, 16} and d in {1, 2, 3, 4, 8}, computed for the notes [C].
POWER_SUMS = {
    (2, 1): 2, (2, 2): 5, (2, 3): 9, (2, 4): 14, (2, 8): 44,
    (4, 1): 4, (4, 2): 14, (4, 3): 34, (4, 4): 69, (4, 8): 494,
    (8, 1): 8, (8, 2): 44, (8, 3): 164, (8, 4): 494, (8, 8): 12869,
    (16, 1): 16, (16, 2): 152, (16, 3): 968, (16, 4): 4844, (16, 8): 735470,
}
# §6.1 and §5.1: Yun et al.'s quantisation / attention / value-mapping layers at (n, d, delta).
YUN = {(3, 1, 0.25): (5, 5, 32), (8, 2, 0.1): (22, 101, 1.98e12), (4, 2, 0.25): (10, 17, 1.1e4)}
E = math.e

CASES = [
    *[Case("alberti2023.sumformer.latent_continuous", dict(n=n, d=d), v, f"notes §2.1 table: C({n}+{d}, {d}) - 1")
      for (n, d), v in POWER_SUMS.items()],
    *[Case("alberti2023.sumformer.latent_continuous.with_constant", dict(n=n, d=d), v + 1, "C(n + d, d)")
      for (n, d), v in POWER_SUMS.items()],
    Case("alberti2023.sumformer.latent_continuous", dict(n=1000, d=3), math.comb(1003, 3) - 1, "math.comb by hand"),
    Case("alberti2023.sumformer.latent_continuous", dict(n=10 ** 6, d=2), math.comb(10 ** 6 + 2, 2) - 1,
         "math.comb by hand"),
    Case("alberti2023.sumformer.latent_discontinuous", {}, 1, "notes §2.2: d' = 1"),
    Case("tabaghi2023.latent_continuous", dict(n=8, d=2), 32, "2 d n"),
    Case("wagstaff2019.latent.lower", dict(n=8), 8, "d' >= n at d = 1"),
    Case("alberti2023.transformer.width", dict(n=8, d=2), 2 + 2 * 44, "d + 2 d'"),
    Case("alberti2023.transformer.width.overwrite", dict(n=8, d=2), 2 + 44, "d + d'"),
    *[Case(f"alberti2023.{m}.attention_layers", {}, 1, "notes §2.6: one attention layer")
      for m in ("transformer", "linformer", "performer")],
    Case("alberti2023.linformer.projection_dim", {}, 1, "notes §2.4: k = 1"),
    Case("alberti2023.performer.random_features", {}, 1, "notes §2.5: any m >= 1"),
    Case("kajitsuka2024.attention_layers", {}, 1, "one single-head layer"),
    # §6.1 Linformer examples: (n, d, eps) = (8, 2, 0.5) -> 42 and 83; (512, 64, 0.1) -> 3119 and 3466.
    Case("wang2020.linformer.k_linear", dict(n=8, d=2, eps=0.5), 42, "notes §6.1: k ≈ 42 (Theorem 2)", rel=0.01),
    Case("wang2020.linformer.k_rank", dict(n=8, eps=0.5), 83, "notes §6.1: k ≈ 83 (Theorem 1)", rel=0.01),
    Case("wang2020.linformer.k_linear", dict(n=512, d=64, eps=0.1), 3119, "notes §6.1: k ≈ 3 119", rel=1e-3),
    Case("wang2020.linformer.k_rank", dict(n=512, eps=0.1), 3466, "notes §6.1: k ≈ 3 466", rel=1e-3),
    Case("wang2020.linformer.failure_probability", dict(k=400, eps=0.5), 2 * math.exp(-12.5), "2 exp(-(1/8) 400/4)"),
    # §6.1 Performer examples: (d, R, eps) = (2, 1, 0.1) -> m ≈ 4e3; (16, 4, 0.1) -> m ≈ 5e7.
    Case("choromanski2021.performer.features_uniform", dict(d=2, R=1, eps=0.1), 4.0e3, "notes §6.1: m ≈ 4·10³",
         rel=0.02),
    Case("choromanski2021.performer.features_uniform", dict(d=16, R=4, eps=0.1), 5e7, "notes §6.1: m ≈ 5·10⁷",
         rel=0.07),
    # Lemma 2 at s = |x+y| = 1, t = |x-y| = 1 (so x^T y = 0 and SM = 1), m = 1, by hand.
    Case("choromanski2021.performer.mse_trig", dict(s=1, t=1, m=1), 0.5 * E * (1 - 1 / E) ** 2, "Lemma 2 by hand"),
    Case("choromanski2021.performer.mse_positive", dict(s=1, t=1, m=1), E * (1 - 1 / E), "Lemma 2 by hand"),
    Case("choromanski2021.performer.mse_hyperbolic", dict(s=1, t=1, m=1), 0.5 * (1 - 1 / E) * E * (1 - 1 / E),
         "Lemma 2 by hand"),
    Case("choromanski2021.performer.mse_positive", dict(s=1e-6, t=1, m=1), math.exp(-0.5) * 1e-12,
         "x close to -y: the positive estimator is nearly exact (1 - exp(-s^2) = s^2 for small s)", rel=1e-6),
    *[Case("yun2020.quantization_ff_layers", dict(d=d, delta=delta), q, f"notes §6.1/§5.1: d/delta + d at {d}, {delta}",
           rel=1e-12) for (n, d, delta), (q, a, v) in YUN.items()],
    *[Case("yun2020.attention_layers", dict(d=d, delta=delta), a, f"notes: delta^-d + 1 at {d}, {delta}", rel=1e-12)
      for (n, d, delta), (q, a, v) in YUN.items()],
    *[Case("yun2020.value_ff_layers", dict(n=n, d=d, delta=delta), v, f"notes: n delta^(-dn)/n! at {n}, {d}, {delta}",
           rel=0.01) for (n, d, delta), (q, a, v) in YUN.items()],
    Case("yun2020.attention_layers.for_eps", dict(d=2, p=2, eps=0.3), 101, "g = ceil(10) = 10: 10^2 + 1"),
    Case("yun2020.attention_layers.for_eps", dict(d=1, p=1, eps=0.75), 5, "g = ceil(4) = 4 exactly: 4 + 1"),
]

SOLVE_CASES = [
    SolveCase("alberti2023.sumformer.latent_continuous", "n", 1000, dict(d=3), 16, "C(19, 3) - 1 = 968 <= 1000 < 1139"),
    SolveCase("alberti2023.sumformer.latent_continuous", "d", 44, dict(n=8), 2, "C(10, 2) - 1 = 44"),
    SolveCase("wang2020.linformer.k_linear", "eps", 256, dict(n=512, d=64), math.sqrt(5 * math.log(512) / 256),
              "5 ln 512 / eps^2 = 256", rel=1e-9),
    SolveCase("wang2020.linformer.failure_probability", "k", 0.01, dict(eps=0.5), 170,
              "smallest k with 2 exp(-k/32) <= 0.01: k >= 32 ln 200 = 169.5"),
]

RAISES = [
    Raises("alberti2023.sumformer.latent_continuous", dict(n=0, d=2), ParameterError, "must be an integer >= 1"),
    Raises("wang2020.linformer.k_rank", dict(n=512, eps=1.0), ParameterError, "'eps' must be a real number in (0, 1)"),
    Raises("choromanski2021.performer.mse_orthogonal", dict(s=1, t=1, m=65, d=64), AssumptionError, "m <= d"),
    Raises("choromanski2021.performer.features_uniform", dict(d=2, R=0.5, eps=0.1), ParameterError, "'R' must be"),
    Raises("yun2020.attention_layers", dict(d=2, delta=0), ParameterError, "'delta' must be a real number in (0, 1]"),
    Raises("wang2020.linformer.k_rank", dict(n=512), SolveError, "not declared monotone in 'eps'", unknown="eps",
           target=100),
    Raises("alberti2023.sumformer.latent_continuous", dict(d=2), SolveError, "no value of 'n'", unknown="n", target=1),
    Raises("alberti2023.sumformer.latnt_continuous", {}, UnknownBoundError, "did you mean"),
]

BRACKETS = [
    Bracket("wagstaff2019.latent.lower", "alberti2023.sumformer.latent_continuous",
            "at d = 1 the n power sums meet Wagstaff et al.'s lower bound n exactly", dict(n=8, d=1)),
    Bracket("wagstaff2019.latent.lower", "tabaghi2023.latent_continuous", "2 d n >= n at d = 1", dict(n=8, d=1)),
]

# --------------------------------------------------------------------------- issue 13: bounds added from the notes
CASES += [
    Case("yun2020.grid.multisets", dict(n=4, G=16), math.comb(19, 4), "C(G + n - 1, n) = C(19, 4)", rel=1e-12),
    Case("yun2020.grid.multisets", dict(n=3, G=4), 20, "C(6, 3): multisets of 3 cells out of 4", rel=1e-12),
    Case("yun2020.grid.sequences", dict(n=4, G=16), 16 ** 4, "G^n", rel=1e-12),
    Case("yun2020.value_ff_layers.pe", dict(n=4, d=2, delta=0.25), 4 * 4 ** 8, "n delta^(-dn) by hand", rel=1e-12),
    # notes §5.1 example: 10 quantisation FF layers and 17 attention layers at n = 4, d = 2, delta = 1/4.
    Case("yun2020.total_layers.pe", dict(n=4, d=2, delta=0.25), 10 + 17 + 4 * 4 ** 8, "notes §5.1: 10 + 17 + value",
         rel=1e-12),
]

SOLVE_CASES += [
    SolveCase("yun2020.grid.multisets", "G", math.comb(19, 4), dict(n=4), 16, "inverse of C(19, 4)"),
]

RAISES += [
    Raises("yun2020.grid.multisets", dict(n=4, G=0), ParameterError, "'G' must be an integer >= 1"),
]
