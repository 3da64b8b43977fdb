"""The paper's own numbers (arXiv 2409.17677, Appendix H), read off its figures, and what follows from them.

Readings are from ``shared/papers/memorization.md`` §5 (values read from the PDF's vector
graphics, not reported by the authors as numbers).  The fits on them are computed here, with
the same code as ours (:func:`tbounds.empirical.fit.slope`), never typed in.

>>> fit = figure3_fit()
>>> round(fit.slope, 2), fit.contains(0.5)
(2.33, False)
>>> round(figure3_fit(max_N=1400).slope, 2)
2.08
>>> bits_per_parameter(500, 4, 6)   # the paper's Experiment C: 500 labels by 4 blocks (359 params)
1.39
"""

from __future__ import annotations

from ..fit import SlopeFit, slope

ARXIV = "2409.17677"

#: Figure 3 (MultiNLI, n = 8): N -> minimal #blocks that memorizes.
FIGURE3 = {600: 1, 700: 1, 800: 3, 900: 3, 1000: 4, 1100: 4, 1200: 5, 1300: 5, 1400: 5, 1500: 8, 1600: 10,
           1700: 16}

#: Figures 1-2: #blocks -> (train loss, train accuracy) at about epoch 990.
FIGURE1 = {"dataset": "MultiNLI", "N": 2000, "n": 8, "loss": "cross-entropy",
           "values": {1: (0.197, 0.922), 10: (0.091, 0.967), 20: (0.087, 0.966), 30: (0.088, 0.957),
                      40: (0.067, 0.976), 50: (0.064, 0.980)}}
FIGURE2 = {"dataset": "IMDb", "N": 3000, "n": 8, "loss": "cross-entropy",
           "values": {1: (0.058, 0.980), 10: (0.021, 0.992), 20: (0.011, 0.994), 30: (0.016, 0.994),
                      40: (0.010, 0.995)}}
FIGURES_12 = {2000: FIGURE1, 3000: FIGURE2}

#: Experiment C: the smallest #blocks that memorized N = 500 random sequences, at every n.
EXPERIMENT_C = {"N": 500, "blocks": {10: 4, 100: 4, 1000: 4, 10000: 4}}

#: Morris et al. 2025 (arXiv 2505.24832): bits of capacity per parameter, GPT-style models on random bitstrings.
MORRIS_BITS_PER_PARAM = 3.6


def figure3_fit(min_N: int = 0, max_N: int = 10 ** 9) -> SlopeFit:
    """Log-log slope of the paper's Figure 3 readings (minimal #blocks against N) over ``[min_N, max_N]``."""
    pts = [(N, b) for N, b in sorted(FIGURE3.items()) if min_N <= N <= max_N]
    return slope([p[0] for p in pts], [p[1] for p in pts])


def transformer_params(blocks: int, d: int, m: int = 2, q: int = 8) -> int:
    """Parameters of the paper's model with uniform attention (as :class:`.models.Transformer` counts them)."""
    return d * m + 2 * blocks * (2 * m * q + q + m) + 2 * m * m + m + 1


def bits_per_parameter(N: int, blocks: int, d: int, m: int = 2, q: int = 8) -> float:
    """N random ±1 labels carry N bits; divided by the parameters of the smallest model that memorized them."""
    return round(N / transformer_params(blocks, d, m, q), 2)


def local_slopes(points: dict) -> list[tuple[int, int, float]]:
    """Log-log slopes between consecutive points ``{N: size}`` (a knee shows as slopes rising towards 1).

    >>> [round(s, 2) for _, _, s in local_slopes({100: 2, 200: 4, 400: 6})]
    [1.0, 0.58]
    """
    import math

    pts = sorted((N, v) for N, v in points.items() if v and v > 0)
    return [(a, b, math.log(vb / va) / math.log(b / a)) for (a, va), (b, vb) in zip(pts, pts[1:])]
