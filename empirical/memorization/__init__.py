"""Memorization experiments (arXiv 2409.17677, Appendix H; notes §6): minimal memorizing size, measured.

Parts, as in every family: :mod:`.profiles` (quick, paper, tiny), :mod:`.models` (the FFN-attention-FFN
transformer and the flattened MLP), :mod:`.tasks` (random tokens, text windows), :mod:`.units`
(capacity searches, structural checks, lemma checks) and :mod:`.compare` (rows and relations);
:mod:`.measure` checks Assumption 4.1 on the data, :mod:`.construction` the lemmas of the proof.

>>> [e.short_name for e in FAMILY.experiments][:3]
['structure', 'lemmas', 'size_vs_N']
>>> FAMILY.select(["size_vs_N"])[0].bound_ids[0]
'kajitsuka2025.next_token.lower'
"""

from ..experiment import Experiment, Family, TaskSpec
from . import compare, profiles
from .tasks import random_token_examples, text_window_examples
from .units import run_unit


def _spec(name, title, units, bound_ids, relation, description):
    return Experiment(f"memorization.{name}", title, units, run_unit, tuple(bound_ids), relation, description)


EXPERIMENTS = (
    _spec("structure", "Permutation checks (no training beyond a fixed budget)", profiles.structure_units, (),
          "output invariant to permuting the first n-1 tokens; inconsistent labels cannot be memorized",
          "Consequences of having no positional encoding (notes §6.5)."),
    _spec("lemmas", "Lemmas B.1 and B.2 on random multisets", profiles.lemma_units, (),
          "|A| <= N and distinct counts on A; weighted sums >= sqrt(|S|) apart and <= 4 M N^2 |S| sqrt(pi)",
          "The combinatorial core of the contextual mapping, checked exactly (notes §6.8)."),
    _spec("size_vs_N", "Minimal size against N at fixed n", profiles.size_vs_N_units,
          ("kajitsuka2025.next_token.lower", "kajitsuka2025.next_token.lower_derived", "kajitsuka2025.next_token.upper"),
          "fitted exponent of min params in N vs 0.5 (rates: shape only, constants hidden)",
          "Theorem 4.1 (O~(sqrt N)) and Theorem 4.2 (Omega(sqrt N)); the paper's Figure 3."),
    _spec("size_vs_n", "Minimal size against n at fixed N", profiles.size_vs_n_units,
          ("kajitsuka2025.next_token.lower", "kajitsuka2025.next_token.upper"),
          "min size flat in n (lower bound n-free, upper bound grows like log n)",
          "The paper found 4 blocks for N = 500 at every n from 10 to 10^4."),
    _spec("seq2seq", "Sequence-to-sequence against next-token labels on the same inputs", profiles.seq2seq_units,
          ("kajitsuka2025.seq2seq.lower_hardmax", "kajitsuka2025.seq2seq.upper"),
          "seq2seq needs at least as much as next-token; hardmax models satisfy W >= sqrt(nN/(9 log2(48enN)))",
          "Corollary 4.1 and Theorem 4.3."),
    _spec("attention", "Uniform against softmax attention", profiles.attention_units, (),
          "similar minimal sizes: one averaging layer suffices (Theorem 4.1)", "Notes §6.4."),
    _spec("mlp", "Flattened-input MLP against the transformer", profiles.mlp_units, ("mlp_flattened.input_weights",),
          "MLP params >= d n (certificate) and above the transformer's", "Parameter sharing across tokens."),
    _spec("text", "Real English text windows", profiles.text_units, ("kajitsuka2025.next_token.lower_derived",),
          "memorizable; separation measured on the data", "Words of Python's language reference as tokens."),
    _spec("exp_c", "Experiment C: minimal blocks against n at N = 500 (tuned lr, warm-up)", profiles.exp_c_units,
          ("kajitsuka2025.next_token.lower", "kajitsuka2025.next_token.upper"),
          "minimal #blocks flat in n (the paper: 4 at every n from 10 to 10^4)",
          "Appendix H, random U[0,1)^6 tokens, Rademacher labels, MSE < 0.01, Optuna-tuned lr and warm-up."),
    _spec("exp_c_width", "Experiment C across embedding widths m (our addition)", profiles.exp_c_width_units,
          ("kajitsuka2025.next_token.lower", "kajitsuka2025.next_token.upper"),
          "minimal #blocks against the width m (q = 4m) at fixed n, and flat in n at a width that memorizes",
          "Experiment C's data and tuned search with m = 2 replaced; not in the paper (our diagnostic)."),
    _spec("exp_b", "Experiment B: minimal blocks against N at n = 8, text (tuned)", profiles.exp_b_units,
          ("kajitsuka2025.next_token.lower", "kajitsuka2025.next_token.upper"),
          "fitted exponent of minimal #blocks in N, beside the paper's Figure 3 readings",
          "Appendix H, Figure 3 (the paper: MultiNLI; ours: text windows of the embedded corpus or --corpus)."),
    _spec("exp_a", "Experiment A: training loss and accuracy against #blocks (curves)", profiles.exp_a_units, (),
          "loss falls and accuracy rises with #blocks (the paper's Figures 1-2)",
          "Appendix H, Figures 1-2 (the paper: cross-entropy on MultiNLI/IMDb; ours: MSE on text windows)."),
    _spec("precision", "Precision knee: minimal blocks against N under k-bit weights and bf16 training",
          profiles.knee_units, ("kajitsuka2025.next_token.lower",),
          "growth in N turns linear when fewer bits are available (Appendix F)",
          "k-bit post-training quantisation of the trained weights; bf16 training with no fp32 master copy."),
)

TASKS = (
    TaskSpec("random_tokens", "N sequences of n tokens U[0,1)^d (or from a vocabulary) with consistent Rademacher labels",
             random_token_examples, {"n": 4, "d": 3, "labels": "next_token", "vocab": 0}),
    TaskSpec("text_windows", "windows of n words of English text (Python's language reference, or --corpus FILE), "
             "consistently labelled", text_window_examples, {"n": 8, "d": 16, "labels": "next_token", "corpus": ""}),
)

FAMILY = Family("memorization", "Memorization capacity: measured minimal size beside the bounds", EXPERIMENTS,
                profiles.PROFILES, compare.compare, compare.measurements, profiles.customise, TASKS)
