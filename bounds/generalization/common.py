"""Shared pieces of the generalization family: parameters, quantities, sources, assumptions and the factory.

Parameter names are shared by every bound of the family, so bounds can be put
side by side on one grid (``tbounds eval A B C -p n=log:1e2:1e8:13 --example``).

>>> P["r_w"].meaning
'rank of the query-key product W_QK = W_Q W_K^T'
>>> GAP.name
'generalisation gap'
"""

from __future__ import annotations

from ..domain import Param
from ..quantities import quantity
from ..record import Assumption, Family, Paper

FAMILY = Family("generalization", "docs/generalization.md")
bound = FAMILY.bound

LOG_COVER = quantity("log covering number", "nats", r"\ln \mathcal{N}")
LOG2_COVER = quantity("log2 covering number", "bits", r"\log_2 \mathcal{N}")
RADEMACHER = quantity("Rademacher complexity", "units of the class's values", r"\hat{\mathfrak{R}}_S")
GAP = quantity("generalisation gap", "units of the loss", r"L_{\mathcal{D}}(f) - \hat{L}_S(f)")
VC_DIM = quantity("VC dimension", "points", r"\mathrm{VCdim}")
DUDLEY_J = quantity("Dudley integral J", "dimensionless", r"J(c)")


def _p(name, meaning, example, **kw) -> Param:
    return Param(name, meaning, example, **kw)


POS = dict(low=0, low_open=True)
P = {p.name: p for p in [
    _p("n", "number of training samples (i.i.d.)", 10000, integer=True, low=1),
    _p("T", "sequence length: tokens per input", 64, integer=True, low=1),
    _p("d", "token dimension (W_QK and W_V are d x d, w is in R^d)", 16, integer=True, low=1),
    _p("d1", "output dimension of the linear map W in R^(d1 x d2)", 16, integer=True, low=1),
    _p("d2", "input dimension of the linear map W in R^(d1 x d2)", 16, integer=True, low=1),
    _p("r", "rank bound: rank(W) <= r", 4, integer=True, low=1),
    _p("r_w", "rank of the query-key product W_QK = W_Q W_K^T", 2, integer=True, low=1),
    _p("r_v", "rank of the value matrix W_V (d when unconstrained)", 16, integer=True, low=1),
    _p("eps", "covering scale epsilon, in the class's output metric", 0.1, **POS),
    _p("B_x", "bound on the Euclidean norm of every input token x_t", 1.0, **POS),
    _p("B_w", "bound on the weight matrix's norm (each bound names the norm)", 1.0, **POS),
    _p("p", "input norm exponent p of Zhang's theorems: ||x||_p <= B_x, ||w||_q <= B_w, 1/p + 1/q = 1",
       2.0, low=2),
    _p("D", "number of real parameters: dimension of the parameter ball", 100, integer=True, low=1),
    _p("R", "radius of the parameter ball (Euclidean)", 1.0, **POS),
    _p("dof", "the p of ln N <= p ln(A/eps): degrees of freedom of a parametric cover", 32.0, **POS),
    _p("A", "the A of ln N <= p ln(A/eps): one function covers the class above this scale", 4.0, **POS),
    _p("C", "the C of ln N <= C^2/eps^2 (a Maurey-type cover)", 4.0, **POS),
    _p("b", "range: the class takes values in [-b, b] (the Dudley integral stops at b)", 1.0, **POS),
    _p("c", "argument of J(c) = int_0^c sqrt(ln(1/u)) du", 0.5, low=0, low_open=True, high=1),
    _p("X_F", "data norm ||X||_{p,p} of the n x d data matrix (||X||_F <= sqrt(n) B_x in the (2,1) case)",
       100.0, **POS),
    _p("m", "number of output units (columns of A in R^(d x m))", 16, integer=True, low=1),
    _p("W_max", "maximum width of the network", 16, integer=True, low=1),
    _p("s1", "spectral-norm bound of layer 1", 1.0, **POS),
    _p("s2", "spectral-norm bound of layer 2", 1.0, **POS),
    _p("b1", "(2,1)-norm bound of layer 1's transpose minus its reference, ||A_1^T - M_1^T||_{2,1}", 4.0, **POS),
    _p("b2", "(2,1)-norm bound of layer 2's transpose minus its reference, ||A_2^T - M_2^T||_{2,1}", 4.0, **POS),
    _p("rho1", "Lipschitz constant of layer 1's activation", 1.0, **POS),
    _p("rho2", "Lipschitz constant of layer 2's activation", 1.0, **POS),
    _p("a1", "Lemma A.8 block 1 coefficient: ln N_1 <= a1/eps_1^2", 1.0, **POS),
    _p("a2", "Lemma A.8 block 2 coefficient: ln N_2 <= a2/eps_2^2", 8.0, **POS),
    _p("a3", "Lemma A.8 block 3 coefficient: ln N_3 <= a3/eps_3^2", 27.0, **POS),
    _p("beta1", "Lipschitz weight of block 1 in the perturbation inequality", 1.0, **POS),
    _p("beta2", "Lipschitz weight of block 2 in the perturbation inequality", 1.0, **POS),
    _p("beta3", "Lipschitz weight of block 3 in the perturbation inequality", 1.0, **POS),
    _p("delta", "confidence: the bound holds with probability at least 1 - delta", 0.05,
       low=0, low_open=True, high=1, high_open=True),
    _p("c_loss", "loss range: the loss takes values in [0, c_loss]", 1.0, **POS),
    _p("L_loss", "Lipschitz constant of the loss in the prediction", 1.0, **POS),
    _p("L_sigma", "Lipschitz constant of the activation sigma (sigma(0) = 0)", 1.0, **POS),
    _p("Rad", "a Rademacher complexity (expected, or empirical on the sample)", 0.05, **POS),
    _p("Rad_vec", "Rademacher complexity of a vector-valued class: E sup_f (1/n) sum_i sum_k s_ik f_k(z_i)", 0.05, **POS),
    _p("gamma", "classification margin gamma of the margin loss", 1.0, **POS),
    _p("R_A", "spectral complexity R_A = (prod_i rho_i ||A_i||_sigma) (sum_i ||A_i^T - M_i^T||_{2,1}^(2/3) / "
       "||A_i||_sigma^(2/3))^(3/2) of the network", 10.0, **POS),
    _p("L", "number of transformer layers", 2, integer=True, low=1),
    _p("W", "number of parameters of the transformer", 10000, integer=True, low=1),
    _p("B_QK", "spectral-norm bound ||W_QK||_2 on the query-key product", 1.0, **POS),
    _p("B_QK_F", "Frobenius-norm bound ||W_QK||_F (a ||W_QK^T||_{2,1} bound also serves: ||.||_F <= ||.||_{2,1})",
       1.5, **POS),
    _p("B_QK21", "(2,1)-norm bound ||W_QK^T||_{2,1}: the sum of the Euclidean norms of W_QK's rows", 2.0, **POS),
    _p("B_V", "spectral-norm bound ||W_V||_2 on the value matrix", 1.0, **POS),
    _p("B_V21", "(2,1)-norm bound ||W_V||_{2,1}: the sum of the Euclidean norms of W_V's columns", 4.0, **POS),
    _p("B_out", "Euclidean-norm bound ||w||_2 on the readout vector", 1.0, **POS),
    _p("M_QK", "(1,1)-norm bound ||W_QK||_{1,1}: the sum of |entries| of W_QK", 8.0, **POS),
    _p("M_V", "(1,1)-norm bound ||W_V||_{1,1}: the sum of |entries| of W_V", 16.0, **POS),
    _p("M_out", "l1-norm bound ||w||_1 on the readout vector", 4.0, **POS),
    _p("M_W", "(1,1)-norm bound ||W||_{1,1}: the sum of |entries| of W", 8.0, **POS),
]}
S = {name: p.symbol for name, p in P.items()}


def params(*names: str) -> tuple[Param, ...]:
    return tuple(P[k] for k in names)


# --------------------------------------------------------------------------- sources
TRUONG = Paper(arxiv="2410.11500", authors="Truong", year=2024,
               title="On Rank-Dependent Generalisation Error Bounds for Transformers", provenance="secondary",
               via="the abstract and an AI-written review (notes §1.2)")
EDELMAN = Paper(arxiv="2110.10090", authors="Edelman, Goel, Kakade & Zhang", year=2022, venue="ICML 2022",
                title="Inductive Biases and Variable Creation in Self-Attention Mechanisms", provenance="secondary",
                via="restatements in later papers and lecture notes (notes §3.3)")
TT = Paper(arxiv="2310.13088", authors="Trauger & Tewari", year=2024, venue="AISTATS 2024",
           title="Sequence Length Independent Norm-Based Generalization Bounds for Transformers", provenance="secondary",
           via="restatements in Honarpisheh et al. 2025 and the authors' code (notes §3.4)")
BFT = Paper(arxiv="1706.08498", authors="Bartlett, Foster & Telgarsky", year=2017, venue="NeurIPS 2017",
            title="Spectrally-normalized margin bounds for neural networks", provenance="secondary",
            via="the literature and Honarpisheh et al. 2025, Lemma D.1 (notes §3.2)")
ZHANG = Paper(arxiv=None, authors="Zhang", year=2002, venue="JMLR 2 (2002) 527-550",
              title="Covering number bounds of certain regularized linear function classes", provenance="secondary",
              via="the literature, stated from memory (notes §3.1, [M] 'verify')")
CANDES_PLAN = Paper(arxiv=None, authors="Candès & Plan", year=2011, venue="IEEE Trans. Inf. Theory 57(4) (2011)",
                    title="Tight oracle inequalities for low-rank matrix recovery from a minimal number of "
                          "noisy random measurements", provenance="secondary",
                    via="the literature (notes §3.5, [M])")
MOHRI = Paper(arxiv=None, authors="Mohri, Rostamizadeh & Talwalkar", year=2018,
              venue="Foundations of Machine Learning, 2nd ed., MIT Press", provenance="secondary",
              via="Honarpisheh et al. 2025's citation (notes §4.3)")
MAURER = Paper(None, "Maurer", 2016, "venue and identifier not in our notes", "vector contraction",
               provenance="secondary", via="the literature, as the notes state it (§4.2, [M])")
YSL2026 = Paper(None, "Yang, Srebro & Li", 2026, "COLT 2026, PMLR 336", provenance="secondary",
                via="the abstract (notes §3.6)")
VERSHYNIN = Paper(arxiv=None, authors="Vershynin", year=2018, venue="High-Dimensional Probability, Cambridge UP", provenance="secondary",
                  via="the literature (notes §3.5)")


# --------------------------------------------------------------------------- assumptions
def rank_at_most(rank: str, dim: str, what: str) -> Assumption:
    return Assumption(f"{rank} <= {dim}", f"the rank of {what} cannot exceed its dimension", S[rank] <= S[dim])


BOUNDED_LOSS = Assumption("bounded Lipschitz loss", "the loss takes values in [0, c_loss] and is L_loss-Lipschitz "
                          "in the prediction")
IID = Assumption("i.i.d. sample", "the n training inputs are drawn i.i.d. from the data distribution")
BOUNDED_TOKENS = Assumption("bounded tokens", "every token (with its positional encoding) has ||x_t||_2 <= B_x")
SIGMA_ZERO = Assumption("sigma(0) = 0", "the activation is L_sigma-Lipschitz with sigma(0) = 0")


def increasing(*names: str) -> dict[str, str]:
    return {k: "increasing" for k in names}
