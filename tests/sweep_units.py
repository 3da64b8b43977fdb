"""Toy units for the backend and concurrency tests: module-level, so worker processes can unpickle them.

``python -m tests.sweep_units STORE COUNT SECONDS [READY_FILE OTHER_READY_FILE]`` runs a toy sweep
of COUNT units of SECONDS each into STORE and prints the keys it trained (one per line); the two
ready files line up two concurrent runs (each waits for the other before starting); the
environment variable TOY_BACKEND names the backend (serial, or processes with 2 workers).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tbounds.empirical.experiment import Experiment


@dataclass(frozen=True)
class Toy:
    x: int
    seconds: float = 0.0
    seed: int = 0


def square(unit: Toy, ctx) -> dict:
    time.sleep(unit.seconds)
    return {"y": unit.x * unit.x, "pid": os.getpid()}


def fails_on_three(unit: Toy, ctx) -> dict:
    if unit.x == 3:
        raise ValueError("three is not allowed\nsecond line")
    return {"y": unit.x * unit.x}


def dies_once(unit: Toy, ctx) -> dict:
    """Kills its own worker process the first time unit 2 runs (a marker file remembers)."""
    marker = Path(ctx.extra["marker"])
    if unit.x == 2 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return {"y": unit.x * unit.x}


def toy_units(profile):
    count, seconds = profile
    return [Toy(x, seconds) for x in range(count)]


SQUARES = Experiment("toy.squares", "toy", units=toy_units, run_unit=square)
FAILING = Experiment("toy.failing", "toy", units=toy_units, run_unit=fails_on_three)
DYING = Experiment("toy.dying", "toy", units=toy_units, run_unit=dies_once)


def main(argv) -> None:
    from tbounds.empirical.runner import run
    from tbounds.empirical.store import Store

    # Ctrl-C as on a terminal, even when the test runner was started in the background (where
    # a shell starts children with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    path, count, seconds = argv[0], int(argv[1]), float(argv[2])
    if len(argv) > 3:
        mine, other = Path(argv[3]), Path(argv[4])
        mine.write_text("ready")
        while not other.exists():
            time.sleep(0.05)
    from tbounds.empirical.backends import make_backend

    name = os.environ.get("TOY_BACKEND", "serial")  # the Ctrl-C test runs a pool too
    backend = make_backend(name, workers=2 if name == "processes" else None)
    trained = []
    with Store(path) as store:
        results = run([SQUARES], (count, seconds), store, backend=backend, lease=5.0, poll=0.1,
                      on_row=lambda row: trained.append(row.key) if row.result["pid"] == os.getpid() else None)
    assert len(results.rows) == count
    print("\n".join(trained), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
