"""Low-rank single-layer single-head transformers: model, tasks, rank control, measurements, Rademacher estimates.

The experiment of issue 6: train many heads at once (seeds, ranks, sample sizes
on a leading model axis), measure gaps, norms and ranks, estimate the empirical
Rademacher complexity of the class, and evaluate the generalisation bounds at the
measured norms.
"""
