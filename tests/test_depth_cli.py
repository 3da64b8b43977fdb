"""The depth and approximation families through the CLI: list, show, eval, solve, plot, in every format."""

import json

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli

FORMATS = ["table", "markdown", "csv", "json", "latex"]


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    result.text = result.output.replace("\\_", "_")  # LaTeX escapes underscores
    return result


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_depth_includes_statements(fmt):
    out = run("list", "--family", "depth", "--format", fmt)
    assert out.exit_code == 0, out.output
    assert "merrill2025.regular.nonuniform" in out.text and "merrill2025.width_scaling.tc0" in out.text
    if fmt == "json":
        rows = json.loads(out.output)
        kinds = {r["id"]: r["kind"] for r in rows}
        assert kinds["merrill2025.cot_scaling.tc0"] == "statement" and kinds["musat2025.retrieval.lower"] == "lower"


def test_list_filters_statements_out_when_a_status_is_asked():
    out = run("list", "--family", "depth", "--status", "rate", "--format", "json")
    assert all(r["kind"] != "statement" for r in json.loads(out.output))
    out = run("list", "--kind", "statement", "--family", "approximation", "--format", "json")
    assert {r["kind"] for r in json.loads(out.output)} == {"statement"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_statement_and_bound(fmt):
    out = run("show", "merrill2025.cot_scaling.tc0", "--format", fmt)
    assert out.exit_code == 0 and "Theorem 4" in out.output
    out = run("show", "merrill2025.regular.max_length.intro", "--format", fmt)
    assert out.exit_code == 0
    if fmt in ("table", "markdown"):
        assert "reading" in out.output and "introduction" in out.output
    if fmt == "json":
        assert json.loads(out.output)["reading"].startswith("the introduction")


@pytest.mark.parametrize("fmt", FORMATS)
def test_eval_side_by_side(fmt):
    out = run("eval", "merrill2025.regular.nonuniform", "merrill2025.regular.looped", "merrill2025.connectivity",
              "-p", "n=128,1000000", "--format", fmt)
    assert out.exit_code == 0, out.output
    for value in ("33", "65", "32", "85", "169", "58"):
        assert value in out.output, (fmt, value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_solve_how_long_for_d_layers(fmt):
    out = run("solve", "merrill2025.regular.nonuniform", "--for", "n", "--target", "32", "--format", fmt)
    assert out.exit_code == 0, out.output
    assert "64" in out.output


def test_solve_how_deep_for_n_tokens():
    out = run("solve", "merrill2025.regular.max_length.exact", "--for", "d", "--target", "1e6", "--relation", ">=",
              "--format", "json")
    assert json.loads(out.output)[0]["d"] == 85


def test_sumformer_size_question():
    out = run("solve", "alberti2023.sumformer.latent_continuous", "--for", "n", "--target", "1000", "-p", "d=3",
              "--format", "json")
    assert json.loads(out.output)[0]["n"] == 16


def test_evaluating_a_statement_is_a_one_line_error():
    result = CliRunner().invoke(cli, ["eval", "merrill2025.width_scaling.tc0"])
    assert result.exit_code != 0


@pytest.mark.slow
def test_plot_depth_against_length(tmp_path):
    out = run("plot", "merrill2025.regular.nonuniform", "merrill2025.regular.looped", "merrill2025.connectivity",
              "merrill2025.a5_fit.depth", "--x", "n", "-p", "n=log:10:1e6:60", "-o", str(tmp_path / "depth.png"))
    assert out.exit_code == 0, out.output
    assert (tmp_path / "depth.png").stat().st_size > 1000
