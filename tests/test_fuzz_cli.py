"""Seeded fuzzing of the bound commands through click's runner (issue 13): never a traceback.

Each invocation is drawn from the CLI's grammar: real ids, misspellings and patterns; parameters
from the bounds (and unknown ones) with values from 1e-300 to 1e999, nan, inf, negative, text,
lists and ranges, malformed ones included; every format.  Every invocation must end with exit
code 0 or 2, raise nothing but SystemExit, print no traceback and no NaN as a value.

``python -m tests.test_fuzz_cli 10000 [seed]`` runs a large offline measurement and prints the
counts (invocations, tracebacks, NaNs).
"""

from __future__ import annotations

import random
import sys

import pytest
from click.testing import CliRunner

import tbounds.bounds as bounds
from tbounds.cli.main import cli

FORMATS = ("table", "markdown", "csv", "json", "latex")
GOOD = ("1", "2", "3", "8", "16", "64", "1000", "1e6", "0.5", "0.05", "1e-300", "5e-324", "1e300", "1e308", "1e15",
        "8,512", "log:10:1e12:4", "lin:1:64:5", "9007199254740993", "1e100")
VALUES = ("1", "2", "8", "1000", "0", "-1", "0.5", "1e-300", "5e-324", "1e300", "1e308", "1e999", "-1e999", "nan",
          "inf", "-inf", "abc", "", "1,2,3", "8,nan", "lin:1:10:4", "log:1e3:1e9:3", "log:0:1:3", "lin:1:nan:3",
          "log:1:1e999:2", "lin:1:2:0", "lin:1:2:99999999999", "log:1e-300:1e300:5", "2.5", "1e15", "9007199254740993")
RANGES = ("1:1e9", "1:nan", "nan:1", "5:1", ":1e6", "1e3:", "abc", "1:2:3", "", "inf:", "1e-300:1e300")


def _ids():
    all_ids = bounds.ids()
    return all_ids, [i for i in all_ids if bounds.get(i).monotone]


def _an_id(rng, ids):
    x = rng.choice(ids)
    kind = rng.random()
    if kind < 0.1:
        return x[:-1] + "q"  # a misspelling
    if kind < 0.15:
        return x.split(".")[0] + ".*"  # a pattern
    if kind < 0.18:
        return rng.choice(["nothing.*", "*", "[", "?"])
    return x


def _params(rng, ids):
    out = []
    names = {p.name for i in ids for p in bounds.get(i).params} if all(i in bounds.ids() for i in ids) else set()
    pool = sorted(names) + (["zz"] if rng.random() < 0.1 else [])
    for name in rng.sample(pool, k=min(len(pool), rng.randint(0, 4))):
        out += ["-p", f"{name}={rng.choice(GOOD if rng.random() < 0.75 else VALUES)}"]
    if rng.random() < 0.05:
        out += ["-p", "novalue"]
    return out


def invocation(rng: random.Random) -> list[str]:
    """One command line drawn from the grammar."""
    all_ids, monotone = _ids()
    fmt = ["--format", rng.choice(FORMATS)]
    verb = rng.choice(["eval", "eval", "eval", "solve", "solve", "crossover", "show", "list"])
    if verb == "list":
        return ["list", *rng.choice([[], ["--family", rng.choice(["depth", "memorization", "nope"])],
                                     ["--source", rng.choice(["Sanford", "2409", "zzz"])]]), *fmt]
    if verb == "show":
        return ["show", _an_id(rng, all_ids), *fmt]
    if verb == "eval":
        ids = [_an_id(rng, all_ids) for _ in range(rng.choice([1, 1, 2]))]
        extra = ["--example"] if rng.random() < 0.8 else []
        extra += ["--log10"] if rng.random() < 0.3 else []
        return ["eval", *ids, *_params(rng, ids), *extra, *fmt]
    if verb == "solve":
        b = _an_id(rng, monotone)
        real = bounds.get(b) if b in bounds.ids() else None
        unknown = rng.choice(list(real.monotone) + ["zz"]) if real else "N"
        target = rng.choice(GOOD if rng.random() < 0.75 else VALUES)
        rel = ["--relation", rng.choice(["<=", ">="])] if rng.random() < 0.3 else []
        params = [x for x in _params(rng, [b])]
        return ["solve", b, "--for", unknown, "--target", target, *rel, *params, "--example", *fmt]
    a, b = _an_id(rng, monotone), _an_id(rng, monotone)
    shared = []
    if a in bounds.ids() and b in bounds.ids():
        shared = sorted(set(bounds.get(a).param_names) & set(bounds.get(b).param_names))
    unknown = rng.choice(shared or ["n"])
    extra = ["--range", rng.choice(RANGES)] if rng.random() < 0.3 else []
    extra += ["--nonvacuous-at", rng.choice(["1", "nan", "inf", "0", "-1", "1e999"])] if rng.random() < 0.3 else []
    return ["crossover", a, b, "--for", unknown, *extra, "--example", *fmt]


def outcome(args: list[str]) -> tuple[str, str]:
    """('ok' | 'traceback' | 'nan' | 'bad exit', output) for one invocation."""
    result = CliRunner().invoke(cli, args)
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"
    if "Traceback" in text:
        return "traceback", text[-500:]
    if result.exit_code not in (0, 2):
        return "bad exit", f"exit {result.exit_code}: {text[-300:]}"
    if result.exit_code == 0 and _prints_nan(text, args):
        return "nan", text[-300:]
    return "ok", ""


def _prints_nan(text: str, args: list[str]) -> bool:
    """A NaN printed as a value (a cell, a JSON number): never allowed."""
    cells = text.replace("|", " ").replace(",", " ").replace("&", " ").replace("│", " ").split()
    return any(c.strip('"').lower() in ("nan", "-nan") for c in cells) or "NaN" in text


def fuzz(count: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    counts = {"invocations": 0, "ok": 0, "traceback": 0, "nan": 0, "bad exit": 0}
    failures = []
    for _ in range(count):
        args = invocation(rng)
        kind, detail = outcome(args)
        counts["invocations"] += 1
        counts[kind] += 1
        if kind != "ok":
            failures.append((args, kind, detail))
    counts["failures"] = failures
    return counts


def _check(count: int, seed: int):
    counts = fuzz(count, seed)
    failures = counts.pop("failures")
    assert not failures, "\n".join(f"{kind}: tbounds {' '.join(args)}\n  {detail}" for args, kind, detail in failures[:5])


def test_fuzz_cli_no_traceback():
    """A few hundred seeded invocations: no traceback, no NaN printed, exit code 0 or 2."""
    _check(300, seed=13)


@pytest.mark.slow
def test_fuzz_cli_no_traceback_large():
    _check(3000, seed=2013)


if __name__ == "__main__":  # python -m tests.test_fuzz_cli COUNT [SEED]
    import time

    n, s = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.process_time()
    result = fuzz(n, s)
    failures = result.pop("failures")
    for args, kind, detail in failures[:40]:
        print(f"{kind}: tbounds {' '.join(args)}\n    {detail.splitlines()[-1] if detail else ''}")
    print({**result, "cpu_seconds": round(time.process_time() - start, 1)})
