"""The generalization family through the CLI: list, show, eval side by side, solve, crossover, plot."""

import json

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli

FORMATS = ("table", "markdown", "csv", "json", "latex")
GAPS = ["truong2024.gap.t1", "edelman2022.gap", "trauger2024.gap"]
WIDE = ["-p", "d=64", "-p", "r_w=64", "-p", "r_v=64", "-p", "M_QK=4", "-p", "M_V=4", "-p", "M_out=1"]


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_family(fmt):
    out = run("list", "--family", "generalization", "--format", fmt)
    assert out.exit_code == 0 and "truong2024.gap.t1" in out.output
    if fmt == "json":
        rows = json.loads(out.output)
        assert {r["status"] for r in rows} == {"certificate", "rate", "reconstructed", "unverified"}
        assert {r["provenance"] for r in rows} <= {"primary", "secondary"}
        assert any(r["reading"] for r in rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_a_reading(fmt):
    out = run("show", "truong2024.cover.linear_rank.log1p", "--format", fmt)
    assert out.exit_code == 0, out.output
    if fmt == "json":
        info = json.loads(out.output)
        assert info["reading"].startswith("log(1 + .)") and info["source"]["arxiv"] == "2410.11500"


@pytest.mark.parametrize("fmt", FORMATS)
def test_side_by_side_over_n_and_T(fmt):
    out = run("eval", *GAPS, "-p", "n=log:1e4:1e12:3", "-p", "T=8,4096", "--example", "--format", fmt)
    assert out.exit_code == 0, out.output
    if fmt == "json":
        rows = json.loads(out.output)
        assert len(rows) == 3 * 3 * 2
        edel = {(r["n"], r["T"]): r["value"] for r in rows if r["bound"] == "edelman2022.gap"}
        tt = {(r["n"], r["T"]): r["value"] for r in rows if r["bound"] == "trauger2024.gap"}
        assert edel[(10 ** 12, 4096)] > edel[(10 ** 12, 8)] and tt[(10 ** 12, 4096)] == tt[(10 ** 12, 8)]


def test_solve_where_a_gap_becomes_nonvacuous():
    out = run("solve", "truong2024.gap.t1", "--for", "n", "--target", "1", "--example", "--format", "json")
    assert out.exit_code == 0, out.output
    row = json.loads(out.output)[0]
    assert row["side"] == "smallest" and row["bound_value"] <= 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_crossover_command(fmt):
    out = run("crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n", "--example", *WIDE,
              "--nonvacuous-at", "1", "--format", fmt)
    assert out.exit_code == 0, out.output
    if fmt == "json":
        row = json.loads(out.output)[0]
        assert 1e9 < row["n"] < 1e10 and row["smaller_above"] == "truong2024.gap.t1"
        # numbers, not sentences: the edge of the non-vacuous range and its side
        assert row["a_nonvacuous_side"] == "smallest" and isinstance(row["a_nonvacuous"], int)
        assert 0 < row["a_nonvacuous"] < row["n"]


def test_crossover_over_a_grid_reports_missing_crossings():
    out = run("crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n", "--example", *WIDE[:2],
              "-p", "r_w=16,64", "-p", "r_v=64", "-p", "M_QK=4", "-p", "M_V=4", "-p", "M_out=1", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert len(rows) == 2 and any(r["n"] is None and "no crossover" in r["note"] for r in rows)


@pytest.mark.parametrize("args,message", [
    (["crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n", "--example"], "no crossover"),
    (["crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "q", "--example"], "'q' is not a parameter"),
    (["crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n"], "is missing"),
    (["crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n", "--example", "-p", "n=5"], "is the unknown"),
    (["crossover", "truong2024.gap.t1", "trauger2024.gap", "--for", "n", "--example", "--range", "abc"], "LO:HI"),
    (["crossover", "truong2024.gap.tx", "trauger2024.gap", "--for", "n"], "unknown bound"),
])
def test_crossover_bad_input_is_one_line_exit_2(args, message):
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 2 and message in out.output
    assert out.output.count("\n") == 1


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_against_n(tmp_path, suffix):
    path = tmp_path / f"gaps{suffix}"
    out = run("plot", *GAPS, "truong2024.gap.cp", "--x", "n", "-p", "n=log:1e3:1e14:30", "--example", "-o", str(path))
    assert out.exit_code == 0, out.output
    assert path.exists() and path.stat().st_size > 1000
