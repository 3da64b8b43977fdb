"""Shared pieces of the depth family: quantities, sources and the family's factory.

Each topic module declares its own parameters: an ``n`` is an input length in one, a number
of graph vertices or automaton steps in another.

>>> MS2025.arxiv, musat("Theorem 1").cite()
('2503.03961', 'Mușat 2025, Theorem 1 (arXiv:2411.12118)')
"""

from __future__ import annotations

from ..quantities import quantity
from ..record import Family, Paper

FAMILY = Family("depth", "docs/depth.md")
bound = FAMILY.bound

RETRIEVAL_STEPS = quantity("retrieval steps", "steps", "D")
HOPS = quantity("hops", "hops", "k")
INPUT_LENGTH = quantity("input length", "tokens", "n")
INPUT_TOKENS = quantity("input tokens", "tokens", "N")
GRAPH_SIZE = quantity("graph size", "vertices", "n")
DIAMETER = quantity("graph diameter", "edges", r"\operatorname{diam}")
ATTENTION_BITS = quantity("attention size (width x heads x precision)", "bits", "m H p")
COMPOSITION_BITS = quantity("attention size (heads x (embedding + 1) x precision)", "bits", "H (d+1) p")

musat = Paper("2411.12118", "Mușat", 2025, "ICLR 2025",
              "Mechanism and Emergence of Stacked Attention Heads in Multi-Layer Transformers", provenance="secondary",
              via="the abstract, TL;DR and reviews (notes A.1)")
MS2025 = Paper("2503.03961", "Merrill & Sabharwal", 2025, "NeurIPS 2025",
               "A Little Depth Goes a Long Way: The Expressive Power of Log-Depth Transformers", provenance="primary")
SHT2024 = Paper("2402.09268", "Sanford, Hsu & Telgarsky", 2024, "ICML 2024",
                "Transformers, Parallel Computation, and Logarithmic Depth", provenance="secondary",
                via="poster and third-party notes (notes C)")
SHT2023 = Paper("2306.02896", "Sanford, Hsu & Telgarsky", 2023, "NeurIPS 2023",
                "Representational Strengths and Limitations of Transformers", provenance="secondary",
                via="the notes' related-results summary (notes C)")
LIU2023 = Paper("2210.10749", "Liu, Ash, Goel, Krishnamurthy & Zhang", 2023, "ICLR 2023",
                "Transformers Learn Shortcuts to Automata", provenance="secondary",
                via="the notes' related-results summary (notes C)")
CPW2024 = Paper("2412.02975", "Chen, Peng & Wu", 2024, "", "Theoretical limitations of multi-layer Transformer", provenance="secondary",
                via="the notes' related-results summary (notes C)")
PNP2024 = Paper("2402.08164", "Peng, Narayanan & Papadimitriou", 2024, "",
                "On Limitations of the Transformer Architecture", provenance="secondary",
                via="the notes' related-results summary (notes C)")
RAJARAMAN2024 = Paper("2407.17686", "Rajaraman et al.", 2024, "",
                      "Transformers on Markov data: constant depth suffices", provenance="secondary",
                      via="the abstract (notes C)")
YE2025 = Paper("2510.19753", "Ye, Fu, Jia & Sharan", 2025, "", "", provenance="secondary",
               via="the notes' related-results summary (notes C)")
YEHUDAI2025 = Paper("2503.01805", "Yehudai et al.", 2025, "", "", provenance="secondary",
                    via="the notes' related-results summary (notes C)")
MS2023 = Paper(None, "Merrill & Sabharwal", 2023, "TACL 2023", "The Parallelism Tradeoff", provenance="secondary",
               via="citations in arXiv 2503.03961")
MS2024 = Paper(None, "Merrill & Sabharwal", 2024, "ICLR 2024",
               "The Expressive Power of Transformers with Chain of Thought", provenance="secondary",
               via="citations in arXiv 2503.03961")
MS2025_PADDING = Paper(None, "Merrill & Sabharwal", 2025, "OpenReview O1abxStFcy",
                       "Exact Expressive Power of Transformers with Padding", provenance="secondary",
                       via="OpenReview review text (notes C)")

SECONDARY = "[S] from the notes' secondary sources (poster, reviews, third-party notes), not the paper's own text."

