"""Results of a full paper run kept in the repository (``docs/results/memorization-paper.json``).

A paper-profile run takes hours; its rows are kept as a small JSON file with the command, the
machine (CPU model, cores, torch version), the date and the wall time, so that
``tbounds compare memorization --paper --no-run`` can print them where the store lacks the
units.  Write one after a run with::

    python -m tbounds.empirical.memorization.kept --store results.sqlite --profile paper \\
        --wall-seconds 3600 --command "tbounds compare memorization --paper --store results.sqlite"

The file is found at ``$TBOUNDS_MEMORIZATION_RESULTS`` or, in a source checkout, at
``docs/results/memorization-<profile>.json``.  Only a file whose ``profile`` matches is read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Optional

from ..comparison import Relation
from ..experiment import config_dict, config_key
from ..store import Row

ENV = "TBOUNDS_MEMORIZATION_RESULTS"
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_path(profile: str) -> Path:
    return Path(os.environ[ENV]) if os.environ.get(ENV) else REPO_ROOT / "docs" / "results" / f"memorization-{profile}.json"


def machine() -> dict:
    """CPU model, cores, torch version: what a reader needs to judge the wall time."""
    import torch

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "torch": torch.__version__, "threads": torch.get_num_threads(),
            "python": platform.python_version(), "platform": platform.platform()}


def _unit_from(unit_type, config: dict):
    names = {f.name: f for f in fields(unit_type)}
    values = {k: (tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v)
              for k, v in config.items() if k in names}
    return unit_type(**values)


@dataclass
class Kept:
    header: dict
    rows: list

    def relation(self) -> Relation:
        h = self.header
        return Relation.about(
            "source of the paper-profile rows", f"kept file {h.get('path')}: {h.get('command')}",
            f"machine: {h.get('machine', {}).get('cpu')}, {h.get('machine', {}).get('cores')} cores, "
            f"torch {h.get('machine', {}).get('torch')}; date {h.get('date')}",
            f"wall time {h.get('wall_seconds')} s; {len(self.rows)} units; training at "
            f"{h.get('throughput', {}).get('gflops')} GFLOP/s per worker = "
            f"{100 * (h.get('throughput', {}).get('fraction_of_peak') or 0):.1f}% of the measured fp32 matmul peak")

    def results(self, current):
        """``current`` (the runner's Results) with the kept units of the paper experiments added."""
        from ..experiment import get_family
        from ..runner import Planned, Results
        from .units import CapacityUnit, CurveUnit, LemmaUnit, StructureUnit, TunedCapacityUnit

        types = {"exp_c": TunedCapacityUnit, "exp_c_width": TunedCapacityUnit, "exp_b": TunedCapacityUnit, "precision": TunedCapacityUnit,
                 "exp_a": CurveUnit, "structure": StructureUnit, "lemmas": LemmaUnit}
        by_name = {e.name: e for e in get_family("memorization").experiments}
        planned, rows = list(current.planned), dict(current.rows)
        known = {p.key for p in planned}
        for item in self.rows:
            e = by_name.get(item["experiment"])
            if e is None:
                continue
            unit = _unit_from(types.get(e.short_name, CapacityUnit), item["config"])
            key = config_key(unit)
            if key not in known:
                planned.append(Planned(e, unit, key))
                known.add(key)
            rows.setdefault(key, Row(key, e.name, item["config"], item["result"], item.get("seed"),
                                     seconds=item.get("seconds", 0.0)))
        return Results(planned, rows, current.fresh, list(current.errors))


def load(profile: str, path: Optional[Path] = None) -> Optional[Kept]:
    """The kept results of ``profile``, or None when there is no such file (or it is another profile's)."""
    path = Path(path) if path else default_path(profile)
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("profile") != profile:
        return None
    header = {k: v for k, v in data.items() if k != "rows"}
    header["path"] = str(path)
    return Kept(header, data.get("rows", []))


def throughput(rows: list, peak_gflops: float) -> dict:
    """Model FLOPs the training units computed, over the seconds those units took: the achieved
    GFLOP/s of one worker, and its fraction of ``peak_gflops`` (a matmul at the same thread count).

    >>> throughput([{"result": {"flops": 4e9}, "seconds": 2.0}, {"result": {}, "seconds": 1.0}], 100.0)
    {'model_flops': 4000000000.0, 'unit_seconds': 2.0, 'gflops': 2.0, 'peak_gflops': 100.0, 'fraction_of_peak': 0.02}
    """
    timed = [r for r in rows if r["result"].get("flops")]
    flops = float(sum(r["result"]["flops"] for r in timed))
    seconds = float(sum(r["seconds"] for r in timed))
    gflops = flops / seconds / 1e9 if seconds > 0 else 0.0
    return {"model_flops": flops, "unit_seconds": round(seconds, 1), "gflops": round(gflops, 2),
            "peak_gflops": round(peak_gflops, 1), "fraction_of_peak": round(gflops / peak_gflops, 4) if peak_gflops else None}


def write(results, profile_name: str, path, command: str, wall_seconds: float, peak_gflops: float = 0.0) -> Path:
    """Keep every finished row of ``results`` (the runner's Results of one profile) as JSON."""
    rows = [{"experiment": p.experiment.name, "config": config_dict(p.unit), "result": row.result,
             "seed": row.seed, "seconds": round(row.seconds, 1)} for p, row in results.finished()]
    data = {"family": "memorization", "profile": profile_name, "command": command, "machine": machine(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "wall_seconds": round(wall_seconds, 1),
            "throughput": throughput(rows, peak_gflops), "rows": rows}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The header pretty-printed, then one compact line per row: small, and a rerun diffs row by row.
    head = json.dumps({k: v for k, v in data.items() if k != "rows"}, indent=1, default=float)[:-2]
    body = ",\n".join(json.dumps(r, separators=(",", ":"), default=float) for r in rows)
    path.write_text(f'{head},\n "rows": [\n{body}\n]}}\n')
    return path


def main(argv=None) -> None:
    from ..experiment import get_family
    from ..runner import run
    from ..store import Store

    parser = argparse.ArgumentParser(description="Keep a memorization run's rows as a JSON file under docs/results.")
    parser.add_argument("--store", required=True)
    parser.add_argument("--profile", default="paper")
    parser.add_argument("--out", default=None)
    parser.add_argument("--command", required=True, help="the command that produced the store")
    parser.add_argument("--wall-seconds", type=float, required=True)
    parser.add_argument("--threads", type=int, default=None, help="threads per worker of the run (for the peak)")
    args = parser.parse_args(argv)
    import torch

    from ..device import matmul_peak, set_threads

    set_threads(args.threads)
    peak = matmul_peak(torch.device("cpu"), seconds=3.0)
    family = get_family("memorization")
    profile = family.profile(args.profile)
    with Store(args.store) as store:
        results = run(family.experiments, profile, store, execute=False)
    out = write(results, args.profile, args.out or default_path(args.profile), args.command, args.wall_seconds, peak)
    print(f"kept {len(results.finished())} rows in {out}")


if __name__ == "__main__":
    main()
