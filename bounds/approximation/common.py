"""Shared pieces of the approximation family: quantities, sources and the family's factory.

Each topic module declares its own parameters (an ``n`` is a fixed sequence length for
Sumformer, a sequence length to approximate attention on for Linformer).

>>> ALBERTI2023("universality").cite()
'Alberti, Dern, Thesing & Kutyniok 2023, universality (arXiv:2307.02301)'
"""

from __future__ import annotations

from ..quantities import quantity
from ..record import Family, Paper

FAMILY = Family("approximation", "docs/approximation.md")
bound = FAMILY.bound

LATENT = quantity("latent dimension", "dimensions", "d'")
ATTENTION_LAYERS = quantity("attention layers", "layers", r"L_{\mathrm{attn}}")
FF_LAYERS = quantity("feed-forward layers", "layers", r"L_{\mathrm{ff}}")
BLOCKS = quantity("layers in total", "layers", r"L_{\mathrm{total}}")
PROJECTION = quantity("projection dimension", "rows", "k")
FEATURES = quantity("random features", "features", r"m_{\mathrm{rf}}")
MSE = quantity("mean squared error", "squared units", r"\mathrm{MSE}")
PROBABILITY = quantity("failure probability", "probability", r"\Pr_{\mathrm{fail}}")

ALBERTI2023 = Paper("2307.02301", "Alberti, Dern, Thesing & Kutyniok", 2023, "TAG-ML Workshop at ICML 2023, PMLR 221",
                    "Sumformer: Universal Approximation for Efficient Transformers", provenance="secondary",
                    via="the abstract and first lines of the introduction (notes §0)")
WANG2020 = Paper("2006.04768", "Wang et al.", 2020, "", "Linformer", provenance="primary")
CHOROMANSKI2021 = Paper("2009.14794", "Choromanski et al.", 2021, "ICLR 2021", "Performer (FAVOR+)", provenance="primary")
YUN2020 = Paper("1912.10077", "Yun, Bhojanapalli, Rawat, Reddi & Kumar", 2020, "ICLR 2020", "", provenance="secondary",
                via="restatements of Yun et al. in other papers (notes §5.1)")
KS2024 = Paper("2307.14023", "Kajitsuka & Sato", 2024, "ICLR 2024",
               "Are Transformers with One Layer Self-Attention Using Low-Rank Weight Matrices Universal Approximators?", provenance="secondary",
               via="the abstract and reviews (notes §5.2)")
TABAGHI2023 = Paper(None, "Tabaghi & Wang", 2023, "preprint (identifier not in our notes)", "", provenance="secondary",
                    via="the abstract (notes §2)")
WAGSTAFF2019 = Paper(None, "Wagstaff et al.", 2019, "ICML 2019", "On the Limitations of Representing Functions on Sets", provenance="secondary",
                     via="the literature (notes §2)")
SIEGEL2026 = Paper("2602.20370", "Siegel, Hordan, Lawrence, Syed & Dym", 2026, "", "", provenance="secondary",
                   via="the abstract (notes §2)")

SUMFORMER_BODY = ("The body of the Sumformer paper is not in our sources: the construction is our reading "
                  "([R] in the notes), its theorem numbers are unknown.")

