"""``tbounds report``: one self-contained HTML page and a markdown file, for every registered family.

The page is checked with a parser (:mod:`html.parser`): every family has a section with its
relations (each with a verdict), rows, figures inline as base64 PNGs, the bounds used with their
status, and nothing refers to the network. The tiny profiles keep this to seconds. A browser
screenshot (headless Chromium) runs when Chromium is installed.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.experiment import family_names


class Page(HTMLParser):
    """The parts of the page the tests look at: sections, tables (with their captions), images, links."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.links, self.tables = [], [], [], []
        self._section = None
        self._caption = None
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self._section = a.get("id")
            self.sections.append(self._section)
        elif tag == "img":
            self.images.append((self._section, a.get("src", "")))
        elif tag in ("a", "link", "script", "iframe"):
            self.links.append(a.get("href") or a.get("src") or "")
        elif tag == "table":
            self.tables.append({"section": self._section, "caption": "", "class": a.get("class", ""), "rows": []})
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1]["caption"] = self._caption
            self._caption = None
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def report(tmp_path_factory, tiny_runs):
    """``report --run --profile tiny`` on a copy of the contract suite's store (every tiny unit already run:
    --run finds them stored, and the page is built from them)."""
    folder = tmp_path_factory.mktemp("report")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{tiny_runs[0]}{suffix}").exists():
            shutil.copy(f"{tiny_runs[0]}{suffix}", folder / f"s.sqlite{suffix}")
    result = CliRunner().invoke(cli, ["report", "--run", "--profile", "tiny", "--store", str(folder / "s.sqlite"),
                                      "-o", str(folder / "report.html"), "--threads", "1"])
    assert result.exit_code == 0, result.output
    page = Page()
    page.feed((folder / "report.html").read_text(encoding="utf-8"))
    return folder, page


def test_every_family_has_relations_with_verdicts_rows_figures_and_bounds(report):
    _, page = report
    for name in family_names():
        assert name in page.sections
        tables = [t for t in page.tables if t["section"] == name]
        relations = [t for t in tables if "relations" in t["class"]]
        assert relations and len(relations[0]["rows"]) > 1
        header = relations[0]["rows"][0]
        verdicts = [row[header.index("verdict")] for row in relations[0]["rows"][1:]]
        assert all(v.strip() for v in verdicts)
        assert any("rows" in t["caption"] and len(t["rows"]) > 1 for t in tables)
        bounds = [t for t in tables if t["caption"].startswith("status:")]
        assert bounds and all(row[2] in ("certificate", "rate", "reconstructed", "unregistered")
                              for row in bounds[0]["rows"][1:])
        images = [src for section, src in page.images if section == name]
        assert images, f"no figure for {name}"
        for src in images:
            assert src.startswith("data:image/png;base64,")
            assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "environment" in page.sections


def test_the_page_needs_no_network_and_the_markdown_links_its_figures(report):
    folder, page = report
    assert all(link.startswith("#") for link in page.links), page.links
    text = (folder / "report.md").read_text(encoding="utf-8")
    for name in family_names():
        assert f"## {name}" in text
    figures = sorted((folder / "report-figures").glob("*.png"))
    assert figures and all(f"report-figures/{f.name}" in text for f in figures)


def test_without_run_a_missing_store_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["report", "--store", str(tmp_path / "none.sqlite"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "no results store" in result.output


def test_what_was_not_run_is_listed(report, tmp_path):
    folder, _ = report
    # the tiny store lacks every quick unit: the quick report says so for each family
    result = CliRunner().invoke(cli, ["report", "--store", str(folder / "s.sqlite"), "-o", str(tmp_path / "q.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "q.html").read_text(encoding="utf-8")
    for name in family_names():
        assert f"<code>{name}." in page and "units not run" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install Debian's chromium, as .ci/run does")
def test_headless_chromium_renders_the_page(report, tmp_path):
    folder, _ = report
    shot = tmp_path / "shot.png"
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,3000",
                           f"--screenshot={shot}", (folder / "report.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
