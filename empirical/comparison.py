"""The shape every family's comparison takes: ``rows``, ``relations``, and extras under the family's name.

* ``rows`` -- one per measured unit (or measured member of a unit), with the bound values
  beside the measurement; flat JSON-ready dicts.
* ``relations`` -- what the theory promises, each a :class:`Relation`: the promise in words,
  what was measured, what the theory says, the verdict, and the bounds behind it with their
  status (a ``rate`` has hidden constants, so it is compared by shape only).
* ``extras`` -- family-specific tables (fits, effects), nested under the family's name in JSON.

The CLI adds ``plots`` (the figures it drew) when it renders a comparison.

>>> r = Relation("gap <= bound", "0.03", "certificate", "holds", bounds=(("truong2024.gap.t1", "reconstructed"),))
>>> c = Comparison("generalization", "quick", rows=[{"n": 64, "gap": 0.03}], relations=[r], extras={"slopes": []})
>>> sorted(c.to_dict())
['family', 'generalization', 'profile', 'relations', 'rows']
>>> c.to_dict()["relations"][0]["bounds"]
[{'id': 'truong2024.gap.t1', 'status': 'reconstructed'}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the fields of a relation, in the order tables show them
RELATION_FIELDS = ("relation", "measured", "theory", "verdict", "bounds")


@dataclass(frozen=True)
class Relation:
    """One promise of the theory beside what was measured."""

    relation: str
    measured: str
    theory: str
    verdict: str
    bounds: tuple[tuple[str, str], ...] = ()  # (bound id, status)

    @classmethod
    def about(cls, relation: str, measured: str, theory: str, verdict: str, bound_ids=()) -> "Relation":
        """A relation whose bounds' statuses are read from the bound registry."""
        import tbounds.bounds as registry

        known = set(registry.ids())
        return cls(relation, measured, theory, verdict,
                   tuple((i, registry.get(i).status if i in known else "unregistered") for i in bound_ids))

    def to_dict(self) -> dict:
        return {"relation": self.relation, "measured": self.measured, "theory": self.theory,
                "verdict": self.verdict, "bounds": [{"id": i, "status": s} for i, s in self.bounds]}

    def table_row(self) -> dict:
        """Flat for tables: the bounds as ``id (status)``, comma-separated."""
        return {**self.to_dict(), "bounds": ", ".join(f"{i} ({s})" for i, s in self.bounds)}


@dataclass
class Comparison:
    """A family's measurements beside its bounds, in the shared shape."""

    family: str
    profile: str
    rows: list = field(default_factory=list)
    relations: list = field(default_factory=list)
    extras: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"family": self.family, "profile": self.profile, "rows": self.rows,
               "relations": [r.to_dict() for r in self.relations]}
        if self.extras:
            out[self.family] = self.extras
        return out

    def _repr_html_(self) -> str:  # Jupyter: the relations, then the rows
        from tbounds.bounds.display import html_table

        relations = [r.table_row() for r in self.relations]
        columns: list = []
        for row in self.rows:
            columns += [k for k in row if k not in columns]
        return (html_table(relations, list(RELATION_FIELDS), f"{self.family}: relations the theory promises")
                + html_table(self.rows, columns, f"{self.family}, {self.profile} profile: rows"))
