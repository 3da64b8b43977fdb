"""The words a bound record is described with (kinds, statuses, directions) and plain numbers: no sympy, so the CLI starts fast."""

KINDS = ("upper", "lower", "exact", "fit")
STATUSES = ("certificate", "rate", "reconstructed", "unverified", "heuristic")
#: What each status promises; ``unverified`` and ``heuristic`` are never certificates.
STATUS_MEANINGS = {
    "certificate": "explicit constants, read in the source",
    "rate": "hidden constants: a shape, not a number",
    "reconstructed": "our derivation of a statement given without constants",
    "unverified": "explicit constants from a secondary source, not checked against the paper: a candidate, not a certificate",
    "heuristic": "a number the source uses for illustration that is not a guarantee",
}
#: How we know a source's statement: its own text was read (primary) or only another text about it (secondary).
PROVENANCES = ("primary", "secondary")
DIRECTIONS = ("increasing", "decreasing", "constant")
FAMILIES = ("memorization", "generalization", "depth", "approximation")


def plain(x: float):
    """A float that is an integer becomes an int (so it prints as one); others stay floats.

    >>> plain(8.0), plain(2.5)
    (8, 2.5)
    """
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2 ** 53 else x


def show(x: float) -> str:
    """Short text for a value in a message: ``8``, ``2.44949``, ``inf``."""
    value = plain(x)
    return str(value) if isinstance(value, int) else f"{value:g}"
