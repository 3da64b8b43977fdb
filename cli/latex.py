r"""LaTeX that compiles: escaped text, numbers as math, booktabs tables with a caption.

Every ``--format latex`` output goes through here (:func:`table` for tables, :func:`escape` for
text), so it compiles with pdflatex given ``booktabs``, ``amsmath`` and ``amssymb``
(:data:`PREAMBLE`; :func:`document` wraps a body in a complete file).

>>> escape("gap_T >= 5% & Õ(√N) | Ω ~ x^2 #1")
'gap\\_T $\\geq$ 5\\% \\& $\\tilde{O}$($\\sqrt{}$N) $|$ $\\Omega$ \\textasciitilde{} x\\textasciicircum{}2 \\#1'
>>> number(1.2e300), number(64), number(float("inf"), 450.5), number("3.67508e+07"), number(0.5)
('$1.2\\times10^{300}$', '$64$', '$3.1623\\times10^{450}$', '$3.67508\\times10^{7}$', '$0.5$')
>>> print(table([{"N": 1000, "value": 6.67}], ["N", "value"], caption="a_b"))
\begin{table}[ht]
\centering
\caption{a\_b}
\begin{tabular}{rr}
\toprule
N & value \\
\midrule
$1000$ & $6.67$ \\
\bottomrule
\end{tabular}
\end{table}
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Optional, Sequence

PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{booktabs,amsmath,amssymb}
\usepackage[margin=1cm,landscape]{geometry}
"""

#: characters with a meaning in LaTeX, and the common non-ASCII ones in our texts
_SPECIAL = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{",
            "}": r"\}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "|": r"$|$", "<": r"$<$", ">": r"$>$"}
_UNICODE = {"Ω": r"\Omega", "Θ": r"\Theta", "√": r"\sqrt{}", "Õ": r"\tilde{O}", "≤": r"\leq", "≥": r"\geq",
            "×": r"\times", "−": "-", "·": r"\cdot", "∈": r"\in", "∞": r"\infty", "≈": r"\approx", "→": r"\to",
            "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "θ": r"\theta",
            "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "ω": r"\omega",
            "Σ": r"\Sigma", "Δ": r"\Delta", "Π": r"\Pi", "Φ": r"\Phi", "ℓ": r"\ell", "≠": r"\neq", "±": r"\pm",
            "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor", "∑": r"\sum", "∏": r"\prod",
            "²": "^2", "³": "^3", "⁻": "^-", "¹": "^1", "₀": "_0", "₁": "_1", "₂": "_2", "…": r"\ldots"}
_TEXT_UNICODE = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~"}
#: combining accents to LaTeX accent commands (the accented letter keeps its base letter)
_ACCENTS = {"\u0301": "\\'", "\u0300": "\\`", "\u0302": "\\^", "\u0303": "\\~", "\u0308": '\\"', "\u0327": "\\c ",
            "\u0326": "\\c ", "\u030c": "\\v ", "\u0306": "\\u ", "\u0304": "\\=", "\u0307": "\\."}
_OPERATORS = ((">=", r"$\geq$"), ("<=", r"$\leq$"), ("!=", r"$\neq$"))


def _char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _UNICODE:
        return f"${_UNICODE[ch]}$"
    if ch in _TEXT_UNICODE:
        return _TEXT_UNICODE[ch]
    if ord(ch) < 128:
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if ord(base) < 128 and marks:
        out = base
        for mark in marks:
            accent = _ACCENTS.get(mark)
            out = f"{{{accent}{out}}}" if accent else out
        return out
    name = unicodedata.name(ch, "").lower()
    return f"[{name}]" if name else "?"


def escape(text) -> str:
    """Plain text made safe for LaTeX: specials escaped, ``>=`` and Unicode math written as math."""
    text = "" if text is None else str(text)
    out = []
    i = 0
    while i < len(text):
        for op, tex in _OPERATORS:
            if text.startswith(op, i):
                out.append(tex)
                i += len(op)
                break
        else:
            out.append(_char(text[i]))
            i += 1
    return "".join(out)


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def number(x, log10: Optional[float] = None, digits: int = 6) -> str:
    """A number as inline math: ``$1.2\\times10^{300}$``; a value past the float range from its log10."""
    if isinstance(x, str):
        text = x.strip()
        if not _NUMBER.match(text):
            return escape(x)
        mantissa, _, exponent = text.lower().partition("e")
        # keep the digits the text shows: "3.67508e+07" is six significant digits, not 36750800
        return f"${mantissa}\\times10^{{{int(exponent)}}}$" if exponent else f"${mantissa}$"
    if x is None:
        return "--"
    if isinstance(x, bool):
        return escape(str(x))
    if isinstance(x, float) and math.isnan(x):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        if log10 is not None and math.isfinite(log10):
            exponent = math.floor(log10)
            return f"${10 ** (log10 - exponent):.5g}\\times10^{{{exponent}}}$"
        return r"$\infty$" if x > 0 else r"$-\infty$"
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e15):
        return f"${int(x)}$"
    mantissa, _, exponent = f"{x:.{digits}g}".partition("e")
    if not exponent:
        return f"${mantissa}$"
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def cell(row: dict, key: str, digits: int = 6) -> str:
    value = row.get(key)
    log10 = row.get("log10_value") if key == "value" else row.get(f"log10_{key}")
    if isinstance(value, (int, float, str)) or value is None:
        return number(value, log10, digits) if not isinstance(value, str) or _NUMBER.match(value.strip()) \
            else escape(value)
    return escape(str(value))


def table(rows: Sequence[dict], columns: Sequence[str], caption: Optional[str] = None, digits: int = 6) -> str:
    """A booktabs table (numbers right-aligned, as math) in a ``table`` float with its caption."""
    rows, columns = list(rows), list(columns)
    numeric = [all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) or r.get(c) is None
                   or (isinstance(r.get(c), str) and _NUMBER.match(r.get(c).strip()))
                   for r in rows) and any(r.get(c) is not None for r in rows) for c in columns]
    spec = "".join("r" if n else "l" for n in numeric)
    lines = [r"\begin{table}[ht]", r"\centering"]
    if caption:
        lines.append(f"\\caption{{{escape(caption)}}}")
    lines += [f"\\begin{{tabular}}{{{spec}}}", r"\toprule", " & ".join(escape(c) for c in columns) + r" \\",
              r"\midrule"]
    lines += [" & ".join(cell(r, c, digits) for c in columns) + r" \\" for r in rows]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines)


def document(body: str) -> str:
    """A complete LaTeX file around ``body`` (what the compile test feeds pdflatex)."""
    return PREAMBLE + "\\begin{document}\n" + body + "\n\\end{document}\n"
