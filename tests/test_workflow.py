"""The researcher's workflow (issue 14): find a bound, take numbers into pandas, warnings that say what numbers mean,
figures styled by status, shell completion."""

from __future__ import annotations

import json
import math
import warnings

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

import tbounds.bounds as bounds
from tbounds.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def ok(*args) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


# ------------------------------------------------------------------------------------------------ search
@pytest.mark.parametrize("query, first", [
    (["linformer"], "linformer"),
    (["memorize", "sequences"], "seq2seq"),
    (["state", "tracking", "depth"], "a5_fit.depth"),
    (["memorise", "sequences"], "seq2seq"),  # British spelling
])
def test_search_ranks_the_obvious_bounds_first(query, first):
    hits = json.loads(ok("search", *query, "--format", "json"))
    assert first in hits[0]["id"], [h["id"] for h in hits[:3]]
    assert all(h["matched"] for h in hits)


def test_search_finds_every_linformer_bound_before_anything_else():
    hits = json.loads(ok("search", "linformer", "--format", "json"))
    linformer = [i for i in bounds.ids() if "linformer" in i]
    assert {h["id"] for h in hits[: len(linformer)]} == set(linformer)


def test_search_in_a_fresh_process_loads_the_families_first():
    """The registry fills lazily: a process whose first query is `search` must still see every bound."""
    import subprocess
    import sys

    code = "from tbounds.bounds.search import search; print(search('linformer')[0].record.id)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "linformer" in out


def test_search_without_a_match_is_a_one_line_error():
    result = run("search", "qwertyuiop")
    assert result.exit_code == 2 and result.output.startswith("Error:") and result.output.count("\n") == 1


def test_list_shows_titles_and_matches_quantity_forgivingly():
    out = ok("list", "--quantity", "generalization", "--format", "markdown")
    assert "generalisation gap" in out.splitlines()[0]  # says what it matched
    rows = json.loads(ok("list", "--quantity", "generalization", "--format", "json"))
    assert rows and all(r["quantity"] == "generalisation gap" for r in rows)
    assert "| title |" in ok("list", "--family", "depth", "--format", "markdown")


def test_show_says_which_reading_to_prefer():
    info = json.loads(ok("show", "merrill2025.regular.max_length.intro", "--format", "json"))
    assert info["prefer"].startswith("merrill2025.regular.max_length.exact")
    assert "merrill2025.regular.max_length.relaxed" in info["other_readings"]
    ambiguous = json.loads(ok("show", "alberti2023.transformer.width", "--format", "json"))
    assert ambiguous["prefer"].startswith("no reading is preferred")


# ------------------------------------------------------------------------------------------------ pandas
def test_frame_is_one_row_per_grid_point_and_one_column_per_bound():
    df = bounds.frame(["kajitsuka2025.seq2seq.lower_hardmax", bounds.get("alberti2023.linformer.attention_layers")],
                      N=[1e3, 1e6], n=[8, 512])
    assert len(df) == 4
    assert {"N", "n", "kajitsuka2025.seq2seq.lower_hardmax", "alberti2023.linformer.attention_layers"} == set(df.columns)
    assert (df["alberti2023.linformer.attention_layers"] == 1).all()  # a constant: a value on every row
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")
    for _, row in df.iterrows():
        assert math.isclose(row[b.id], float(b(N=row["N"], n=row["n"])), rel_tol=1e-12)


def test_frame_warns_when_one_name_means_two_things():
    with pytest.warns(UserWarning) as caught:
        bounds.frame(["truong2024.gap.t1", "wang2020.linformer.k_rank"], n=[100], example=True)
    messages = [str(w.message) for w in caught]
    assert any("parameter 'n' means different things" in m for m in messages)
    assert any("compresses nothing" in m for m in messages)


def test_load_results_has_the_result_fields_as_columns(tmp_path):
    from tbounds.empirical import load_results, runner
    from tbounds.empirical.experiment import get_family
    from tbounds.empirical.store import Store

    family = get_family("generalization")
    with Store(tmp_path / "s.sqlite") as store:
        results = runner.run(family.select(["gap"]), family.profiles["tiny"], store)
    df = load_results(tmp_path / "s.sqlite")
    assert len(df) == len(results.rows)
    row = next(iter(results.rows.values()))
    for name in row.result:
        assert name in df.columns
    assert set(df["family"]) == {"generalization"}


def test_solve_and_crossover_take_ids_or_bounds():
    b = bounds.get("kajitsuka2025.seq2seq.lower_hardmax")
    assert bounds.solve(b, "N", 64.2, n=1000).value == bounds.solve(b.id, "N", 64.2, n=1000).value
    kw = dict(dof=32, A=4, b=4, C=4)
    assert bounds.crossover("dudley.parametric", bounds.get("dudley.maurey"), "n", **kw).value == \
        bounds.crossover(bounds.get("dudley.parametric"), "dudley.maurey", "n", **kw).value


def test_bounds_render_in_notebooks():
    b = bounds.get("merrill2025.regular.max_length.exact")
    assert b._repr_latex_() == f"$$ {b.latex} $$"
    assert "Corollary 1.2" in b._repr_html_()


# ------------------------------------------------------------------------------------------------ output
def test_eval_gives_a_constant_bound_a_value_on_every_row():
    out = ok("eval", "alberti2023.linformer.attention_layers", "wang2020.linformer.k_rank", "-p", "n=10,100",
             "--example", "--format", "markdown")
    rows = [line for line in out.splitlines() if line.startswith("| 10") or line.startswith("| 100")]
    assert len(rows) == 2 and all(line.split("|")[3].strip() == "1" for line in rows)


def test_warnings_for_clashing_names_and_a_bound_outside_its_regime():
    result = run("eval", "truong2024.gap.t1", "wang2020.linformer.k_rank", "-p", "n=100", "--example")
    assert result.exit_code == 0
    assert "Warning: parameter 'n' means different things" in result.stderr
    assert "compresses nothing" in result.stderr  # k_rank's k is far above n = 100
    result = run("eval", "wagstaff2019.latent.lower", "kajitsuka2025.seq2seq.upper", "-p", "d=8", "--example")
    assert "scalar tokens (d = 1)" in result.stderr


def test_precision_sets_the_printed_digits():
    three = ok("eval", "kajitsuka2025.seq2seq.lower_hardmax", "-p", "N=1000", "-p", "n=8", "--precision", "3",
               "--format", "csv")
    assert "6.67" in ok("eval", "kajitsuka2025.seq2seq.lower_hardmax", "-p", "N=1000", "-p", "n=8", "--precision", "3")
    assert "6.6677" in three  # csv keeps every digit
    assert "6.66776" in ok("eval", "kajitsuka2025.seq2seq.lower_hardmax", "-p", "N=1000", "-p", "n=8")


def test_crossover_json_gives_numbers():
    rows = json.loads(ok("crossover", "dudley.parametric", "dudley.maurey", "--for", "n", "-p", "dof=32", "-p", "A=4",
                         "-p", "b=4", "-p", "C=4", "--nonvacuous-at", "1e3", "--format", "json"))
    for key in ("n", "a_value", "b_value"):
        assert isinstance(rows[0][key], (int, float))
    assert rows[0]["a_nonvacuous"] is None or isinstance(rows[0]["a_nonvacuous"], (int, float))


# ------------------------------------------------------------------------------------------------ figures
def test_plot_uses_titles_status_styles_and_the_size_and_dpi_asked(tmp_path, monkeypatch):
    from tbounds.cli import figures

    seen = {}
    original = figures.save

    def spy(fig, output, **kw):
        ax = fig.axes[0]
        seen["labels"] = [t.get_text() for t in ax.get_legend().get_texts()]
        seen["styles"] = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
        seen["title"] = ax.get_title()
        seen["size"] = tuple(fig.get_size_inches())
        return original(fig, output, **kw)

    monkeypatch.setattr(figures, "save", spy)
    out = tmp_path / "p.png"
    ok("plot", "truong2024.gap.*", "trauger2024.gap", "edelman2022.gap", "--x", "n", "-p", "n=log:10:1e7:20",
       "--example", "-o", str(out), "--title", "Gap bounds", "--size", "8x5", "--dpi", "80")
    assert seen["title"] == "Gap bounds" and seen["size"] == (8.0, 5.0)
    assert len(seen["labels"]) <= 9
    assert any("vacuous" in label for label in seen["labels"])
    rate = [k for k in seen["styles"] if "shape only" in k]
    assert rate and all(seen["styles"][k] == ":" for k in rate)
    assert all(not label.startswith("truong2024.") for label in seen["labels"])  # titles, not ids
    from PIL import Image

    assert Image.open(out).size == (640, 400)


def test_a_bad_size_is_a_one_line_error(tmp_path):
    result = run("plot", "truong2024.gap.t1", "--x", "n", "-p", "n=log:10:1e7:5", "--example",
                 "-o", str(tmp_path / "p.png"), "--size", "big")
    assert result.exit_code == 2 and "--size" in result.output


def test_legend_groups_what_does_not_fit():
    from tbounds.cli.figures import distinct_colors, grouped_legend, pyplot

    fig, ax = pyplot().subplots()
    for i in range(12):
        ax.plot([1, 2], [i, i], label=f"line {i}")
    legend = grouped_legend(ax, *ax.get_legend_handles_labels())
    assert len(legend.get_texts()) == 8 and "5 more lines" in legend.get_texts()[-1].get_text()
    assert len(set(distinct_colors(20))) == 20
    pyplot().close(fig)


# ------------------------------------------------------------------------------------------------ completion
def _complete(args, incomplete):
    return [c.value for c in ShellComplete(cli, {}, "tbounds", "_TBOUNDS_COMPLETE").get_completions(args, incomplete)]


def test_completion_of_commands_and_bound_ids():
    assert "search" in _complete([], "se") and "report" in _complete([], "rep")
    assert _complete(["show"], "wang2020.linformer.k_r") == ["wang2020.linformer.k_rank"]
    assert "merrill2025.regular.max_length.exact" in _complete(["eval"], "merrill2025.regular.max")
    assert "dudley.maurey" in _complete(["crossover", "dudley.parametric"], "dudley.m")
    assert "_tbounds_completion" in ok("completion", "bash")
