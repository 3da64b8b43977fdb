"""Shared pieces of the approximation family: quantities, sources and the bound factory.

>>> ALBERTI2023("universality").cite()
'Alberti, Dern, Thesing & Kutyniok 2023, universality (arXiv:2307.02301)'
"""

from __future__ import annotations

from .quantities import quantity
from .record import Bound, Source

FAMILY = "approximation"
DOCS = "docs/approximation.md"

LATENT = quantity("latent dimension", "dimensions", "d'")
WIDTH = quantity("width", "units", "m")
ATTENTION_LAYERS = quantity("attention layers", "layers", r"L_{\mathrm{attn}}")
FF_LAYERS = quantity("feed-forward layers", "layers", r"L_{\mathrm{ff}}")
BLOCKS = quantity("layers in total", "layers", r"L_{\mathrm{total}}")
PROJECTION = quantity("projection dimension", "rows", "k")
FEATURES = quantity("random features", "features", r"m_{\mathrm{rf}}")
MSE = quantity("mean squared error", "squared units", r"\mathrm{MSE}")
PROBABILITY = quantity("failure probability", "probability", r"\Pr_{\mathrm{fail}}")


def _source(arxiv, authors, year, venue, title):
    def make(label: str) -> Source:
        return Source(arxiv=arxiv, authors=authors, year=year, label=label, venue=venue, title=title)

    return make


ALBERTI2023 = _source("2307.02301", "Alberti, Dern, Thesing & Kutyniok", 2023, "TAG-ML Workshop at ICML 2023, PMLR 221",
                      "Sumformer: Universal Approximation for Efficient Transformers")
WANG2020 = _source("2006.04768", "Wang et al.", 2020, "", "Linformer")
CHOROMANSKI2021 = _source("2009.14794", "Choromanski et al.", 2021, "ICLR 2021", "Performer (FAVOR+)")
YUN2020 = _source("1912.10077", "Yun, Bhojanapalli, Rawat, Reddi & Kumar", 2020, "ICLR 2020", "")
KS2024 = _source("2307.14023", "Kajitsuka & Sato", 2024, "ICLR 2024",
                 "Are Transformers with One Layer Self-Attention Using Low-Rank Weight Matrices Universal Approximators?")
TABAGHI2023 = _source(None, "Tabaghi & Wang", 2023, "preprint (identifier not in our notes)", "")
WAGSTAFF2019 = _source(None, "Wagstaff et al.", 2019, "ICML 2019", "On the Limitations of Representing Functions on Sets")
SIEGEL2026 = _source("2602.20370", "Siegel, Hordan, Lawrence, Syed & Dym", 2026, "", "")

SUMFORMER_BODY = ("The body of the Sumformer paper is not in our sources: the construction is our reading "
                  "([R] in the notes), its theorem numbers are unknown.")


def bound(id: str, **fields) -> Bound:
    fields.setdefault("docs", DOCS)
    return Bound(id=id, family=FAMILY, **fields)
