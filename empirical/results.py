"""A results store as a pandas DataFrame: one row per stored unit, config and result fields as columns.

>>> from tbounds.empirical.store import Row, Store
>>> s = Store(":memory:")
>>> s.put(Row.make("k1", "demo.square", {"x": 3}, {"y": 9}, seed=0, device="cpu", seconds=0.5))
>>> df = load_results(s)
>>> df[["experiment", "family", "x", "y", "seed"]].values.tolist()
[['demo.square', 'demo', 3, 9, 0]]
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from .store import Store

#: the stored row's own fields, put before the config and result fields
META = ("key", "experiment", "family", "seed", "device", "seconds", "created", "torch_version", "tbounds_version")


def load_results(store: Union[str, Path, Store], experiment: Optional[str] = None, family: Optional[str] = None):
    """The store's rows (of one experiment or family if named) as a DataFrame.

    Columns: the row's metadata (:data:`META`), then every config field, then every result field
    (a result field that repeats a config name wins, as in :meth:`Row.flat`). Nested values
    (lists, dicts) stay Python objects in their cell. A path that does not exist is an error,
    not a new empty store.
    """
    import pandas as pd

    from .errors import StoreError

    if isinstance(store, Store):
        rows = store.rows(experiment)
    else:
        if str(store) != ":memory:" and not Path(store).is_file():
            raise StoreError(f"no results store at {store}; run an experiment first (tbounds run FAMILY)")
        with Store(store) as opened:
            rows = opened.rows(experiment)
    if family is not None:
        rows = [r for r in rows if r.experiment.split(".", 1)[0] == family]
    records, fields = [], []
    for r in rows:
        meta = {"key": r.key, "experiment": r.experiment, "family": r.experiment.split(".", 1)[0], "seed": r.seed,
                "device": r.device, "seconds": r.seconds, "created": r.created,
                "torch_version": r.torch_version, "tbounds_version": r.tbounds_version}
        data = {**r.config, **r.result}
        fields += [k for k in data if k not in fields and k not in META]
        records.append({**{k: v for k, v in data.items() if k not in META}, **meta})
    return pd.DataFrame(records, columns=[*META, *fields])
