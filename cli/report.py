"""``tbounds report``: every family's comparison from one store, as one self-contained HTML page and markdown.

Generic over the registered families (:data:`tbounds.empirical.experiment.FAMILIES`): for each it
plans the chosen profile's units, reads what the store has (running the missing ones first when
asked), builds the family's comparison and draws its figures through its CLI module, exactly as
``tbounds compare FAMILY --no-run`` would. The page holds, per family, the relations with their
verdicts, the rows, the family's extra tables, every figure (inline, base64: no file or network
is needed to view it), the bounds used with their source labels and status, and what was not run;
then the environment (versions, devices, seeds, times). The markdown version links the figures,
which are written into a folder beside it.
"""

from __future__ import annotations

import base64
import html
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from tbounds.bounds.display import html_table

RELATION_COLUMNS = ["relation", "measured", "theory", "verdict", "bounds"]
BOUND_COLUMNS = ["id", "title", "status", "kind", "source"]


@dataclass
class FamilySection:
    """What the report says about one family."""

    name: str
    title: str
    profile: str
    relations: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    row_columns: list = field(default_factory=list)
    extras: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)  # (name, png bytes)
    bounds: list = field(default_factory=list)
    not_run: list = field(default_factory=list)  # {"experiment", "missing", "planned"}
    other_rows: int = 0
    environment: list = field(default_factory=list)  # the stored rows' metadata
    error: Optional[str] = None


def build(store_path, families: Sequence[str], profile: str = "quick", run: bool = False, context=None,
          on_family=None) -> list[FamilySection]:
    """One :class:`FamilySection` per family, from the store (running its missing units first if ``run``)."""
    from tbounds.empirical import runner
    from tbounds.empirical.experiment import get_family
    from tbounds.empirical.store import Store

    from .families import load

    sections = []
    with Store(store_path) as store:
        for name in families:
            family = get_family(name)
            spec = load(name)
            prof = family.profile(profile)
            if on_family:
                on_family(name)
            results = runner.run(family.experiments, prof, store, context, execute=run)
            comparison = family.compare(results, prof)
            section = FamilySection(name, family.title, prof.name, relations=[r.table_row() for r in comparison.relations],
                                    rows=list(comparison.rows), extras=dict(comparison.extras))
            section.row_columns = _columns(section.rows, getattr(spec, "CSV_COLUMNS", None))
            with tempfile.TemporaryDirectory() as folder:
                paths = spec.figures(comparison, Path(folder)) if comparison.rows else []
                section.figures = [(Path(p).name, Path(p).read_bytes()) for p in paths]
            section.bounds = _bounds(family, comparison)
            planned = {}
            for p in results.planned:
                planned.setdefault(p.experiment.name, [0, 0])
                planned[p.experiment.name][0] += 1
                planned[p.experiment.name][1] += p.key not in results.rows
            section.not_run = [{"experiment": e, "missing": m, "planned": n} for e, (n, m) in planned.items() if m]
            keys = {p.key for p in results.planned}
            stored = [r for r in store.rows() if r.experiment.split(".", 1)[0] == name]
            section.other_rows = sum(r.key not in keys for r in stored)
            section.environment = [results.rows[k] for k in dict.fromkeys(p.key for p in results.planned)
                                   if k in results.rows]
            sections.append(section)
    return sections


def _columns(rows, preferred) -> list:
    present: list = []
    for r in rows:
        present += [k for k in r if k not in present and not isinstance(r[k], (list, dict))]
    if preferred:
        chosen = [c for c in preferred if c in present]
        if chosen:
            return chosen
    return present


def _bounds(family, comparison) -> list[dict]:
    import tbounds.bounds as registry

    ids: list = []
    for e in family.experiments:
        ids += [i for i in e.bound_ids if i not in ids]
    for r in comparison.relations:
        ids += [i for i, _ in r.bounds if i not in ids]
    known = set(registry.ids())
    out = []
    for i in ids:
        if i in known:
            b = registry.get(i)
            out.append({"id": i, "title": b.title, "status": b.status, "kind": b.kind, "source": b.source.cite()})
        else:
            out.append({"id": i, "title": "", "status": "unregistered", "kind": "", "source": ""})
    return out


def environment(sections: Sequence[FamilySection]) -> list[dict]:
    """Versions, devices, seeds and times: of this process and of the rows reported."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for module in ("tbounds", "torch", "numpy", "scipy", "sympy", "matplotlib", "pandas"):
        try:
            from importlib.metadata import version

            versions[module] = version(module)
        except Exception:
            versions[module] = "not installed"
    try:
        import torch

        versions["cuda available"] = str(torch.cuda.is_available())
    except Exception:
        pass
    out = [{"item": k, "value": v} for k, v in versions.items()]
    out.append({"item": "report written", "value": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    for s in sections:
        rows = s.environment
        if not rows:
            out.append({"item": f"{s.name} rows", "value": "none in the store"})
            continue
        created = sorted(r.created for r in rows if r.created)
        out += [
            {"item": f"{s.name} rows", "value": f"{len(rows)} ({s.profile} profile)"},
            {"item": f"{s.name} devices", "value": ", ".join(sorted({r.device for r in rows}))},
            {"item": f"{s.name} seeds", "value": ", ".join(str(x) for x in sorted({r.seed for r in rows if r.seed is not None}))},
            {"item": f"{s.name} compute time", "value": f"{sum(r.seconds for r in rows):.1f} s over {len(rows)} units"},
            {"item": f"{s.name} measured", "value": f"{created[0]} to {created[-1]}" if created else "unknown"},
            {"item": f"{s.name} versions at measurement",
             "value": "; ".join(sorted({f"torch {r.torch_version}, tbounds {r.tbounds_version}" for r in rows}))},
        ]
    return out


def _extras(extras: dict) -> list[tuple[str, list, list]]:
    """The family's own tables: every list of flat dicts among its extras (nested ones shown as text)."""
    out = []
    for key, value in extras.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append((key, value, _columns(value, None)))
        elif isinstance(value, dict) and value and all(not isinstance(v, (list, dict)) for v in value.values()):
            out.append((key, [{"field": k, "value": v} for k, v in value.items()], ["field", "value"]))
    return out


_CSS = """
body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:26px}h2{font-size:21px;border-bottom:2px solid #ccc;padding-bottom:4px;margin-top:36px}
h3{font-size:16px;margin-top:22px}
table.tbounds{border-collapse:collapse;margin:8px 0 16px 0;font-size:12px}
table.tbounds caption{text-align:left;font-weight:bold;padding:4px 0}
table.tbounds th,table.tbounds td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
table.tbounds th{background:#f0f0f0}
.verdict-good{background:#e3f5e1}.verdict-bad{background:#fbe3e3}.verdict-other{background:#fff6d9}
.scroll{max-height:420px;overflow:auto;border:1px solid #eee}
figure{display:inline-block;margin:8px 16px 8px 0}figure img{max-width:100%;border:1px solid #ddd}
nav a{margin-right:14px}
"""


def _verdict_class(verdict: str) -> str:
    v = verdict.lower()
    if any(w in v for w in ("violat", "fails", "contradict", "does not hold", "wrong")):
        return "verdict-bad"
    if any(w in v for w in ("holds", "consistent", "agree", "within", "confirmed", "pass")):
        return "verdict-good"
    return "verdict-other"


def _relations_html(relations) -> str:
    head = "".join(f"<th>{c}</th>" for c in RELATION_COLUMNS)
    body = ""
    for r in relations:
        cls = _verdict_class(str(r.get("verdict", "")))
        body += "<tr>" + "".join((f"<td class='{cls}'>" if c == "verdict" else "<td>") + html.escape(str(r.get(c, ""))) + "</td>"
                        for c in RELATION_COLUMNS) + "</tr>"
    return (f"<table class='tbounds relations'><caption>relations the theory promises, with verdicts</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def to_html(sections: Sequence[FamilySection], store_path, title: str = "tbounds report") -> str:
    """The whole report as one HTML document with no external reference."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1><p>Results store <code>{e(str(store_path))}</code>; families: "
             + ", ".join(f"<a href='#{e(s.name)}'>{e(s.name)}</a>" for s in sections) + ".</p>"]
    for s in sections:
        parts.append(f"<section id='{e(s.name)}' class='family'><h2>{e(s.name)}: {e(s.title)} "
                     f"({e(s.profile)} profile)</h2>")
        if s.not_run:
            items = "".join(f"<li><code>{e(n['experiment'])}</code>: {n['missing']} of {n['planned']} units not run"
                            "</li>" for n in s.not_run)
            parts.append(f"<h3>Not run</h3><ul class='not-run'>{items}</ul><p>Run them with <code>tbounds report "
                         f"--run</code> or <code>tbounds run {e(s.name)} --{e(s.profile)}</code>.</p>")
        else:
            parts.append("<p class='not-run'>Every unit of the profile is in the store.</p>")
        if s.other_rows:
            parts.append(f"<p>{s.other_rows} other {e(s.name)} rows in the store (other profiles or settings) are "
                         "not part of this report.</p>")
        parts.append("<h3>Relations</h3>" + (_relations_html(s.relations) if s.relations else "<p>none yet</p>"))
        if s.figures:
            parts.append("<h3>Figures</h3>")
            for name, data in s.figures:
                b64 = base64.b64encode(data).decode("ascii")
                parts.append(f"<figure><img alt='{e(name)}' src='data:image/png;base64,{b64}'>"
                             f"<figcaption>{e(name)}</figcaption></figure>")
        parts.append("<h3>Rows</h3>")
        parts.append("<div class='scroll'>" + html_table(s.rows, s.row_columns, f"{len(s.rows)} rows, measured "
                                                           "beside the bounds") + "</div>" if s.rows else "<p>none</p>")
        for key, rows, cols in _extras(s.extras):
            parts.append("<div class='scroll'>" + html_table(rows, cols, key) + "</div>")
        parts.append("<h3>Bounds used</h3>" + html_table(s.bounds, BOUND_COLUMNS, "status: certificate = explicit "
                     "constants; rate = hidden constants (shape only); reconstructed = our derivation"))
        parts.append("</section>")
    parts.append("<section id='environment'><h2>Environment</h2>"
                 + html_table(environment(sections), ["item", "value"], "versions, devices, seeds, times")
                 + "</section></body></html>")
    return "\n".join(parts)


def _md_table(rows, columns) -> str:
    from .render import render

    return render(rows, columns, "markdown")


def to_markdown(sections: Sequence[FamilySection], store_path, figure_dir: Path, relative_to: Path,
                title: str = "tbounds report") -> str:
    """The report as markdown; its figures are written into ``figure_dir`` and linked relatively."""
    out = [f"# {title}", "", f"Results store `{store_path}`.", ""]
    for s in sections:
        out += [f"## {s.name}: {s.title} ({s.profile} profile)", ""]
        if s.not_run:
            out += ["**Not run:** " + "; ".join(f"`{n['experiment']}` {n['missing']} of {n['planned']} units"
                                                for n in s.not_run), ""]
        out += ["### Relations", "", _md_table(s.relations, RELATION_COLUMNS) if s.relations else "none yet", ""]
        for name, data in s.figures:
            path = figure_dir / f"{s.name}-{name}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            out += [f"![{s.name}: {name}]({path.relative_to(relative_to).as_posix()})", ""]
        out += ["### Rows", "", _md_table(s.rows, s.row_columns) if s.rows else "none", ""]
        for key, rows, cols in _extras(s.extras):
            out += [f"**{key}**", "", _md_table(rows, cols), ""]
        out += ["### Bounds used", "", _md_table(s.bounds, BOUND_COLUMNS), ""]
    out += ["## Environment", "", _md_table(environment(sections), ["item", "value"]), ""]
    return "\n".join(out)
