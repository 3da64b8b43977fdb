"""The calculator commands through click's runner: formats, JSON shapes, and one-line errors with exit code 2."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli

HARD = "kajitsuka2025.seq2seq.lower_hardmax"


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_list_json_has_the_promised_fields():
    rows = json.loads(ok("list", "--format", "json"))
    assert len(rows) >= 30
    for row in rows:
        assert {"id", "family", "kind", "status", "quantity", "source"} <= set(row)
        assert {"arxiv", "label"} <= set(row["source"])
    ids = {r["id"] for r in rows}
    assert HARD in ids and "vardi2022.ffn.upper" in ids and "mlp_flattened.input_weights" in ids


def test_list_filters():
    rows = json.loads(ok("list", "--family", "memorization", "--kind", "lower", "--status", "certificate",
                         "--format", "json"))
    assert rows and all(r["kind"] == "lower" and r["status"] == "certificate" for r in rows)
    rows = json.loads(ok("list", "--source", "2405.13718", "--format", "json"))
    assert rows and all(r["source"]["arxiv"] == "2405.13718" for r in rows)


def test_show_json_lists_params_with_meaning_domain_example():
    info = json.loads(ok("show", HARD, "--format", "json"))
    assert info["source"]["label"].startswith("Theorem 4.3")
    assert [p["name"] for p in info["params"]] == ["N", "n"]
    for p in info["params"]:
        assert p["meaning"] and p["domain"] and p["example"] is not None
    assert "\\sqrt" in info["latex"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json", "latex"])
def test_show_every_format(fmt):
    assert "N" in ok("show", "kajitsuka2025.next_token.upper", "--format", fmt)


def test_eval_reproduces_the_printed_values_as_flat_json_rows():
    rows = json.loads(ok("eval", HARD, "-p", "N=1000", "-p", "n=8,1000", "--format", "json"))
    assert [set(r) >= {"bound", "N", "n", "value"} for r in rows] == [True, True]
    assert [round(r["value"], 1) for r in rows] == [6.7, 64.2]
    assert all(r["bound"] == HARD for r in rows)


def test_eval_grids_and_side_by_side():
    rows = json.loads(ok("eval", "kajitsuka2025.next_token.lower", "goldberg1995.ffn.lower",
                         "-p", "N=log:10:1e6:6", "--format", "json"))
    assert len(rows) == 12
    assert sorted({r["N"] for r in rows}) == [10, 100, 1000, 10000, 100000, 1000000]
    table = ok("eval", "kajitsuka2025.next_token.lower", "goldberg1995.ffn.lower", "-p", "N=lin:10:30:3")
    assert "kajitsuka2025.next_token.lower" in table and "goldberg1995.ffn.lower" in table


def test_eval_patterns_and_examples():
    rows = json.loads(ok("eval", "kajitsuka2025.seq2seq.*", "--example", "--format", "json"))
    assert {r["bound"] for r in rows} >= {HARD, "kajitsuka2025.seq2seq.upper"}


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "latex"])
def test_eval_every_format(fmt):
    out = ok("eval", HARD, "-p", "N=1000", "-p", "n=8", "--format", fmt)
    assert "6.66776" in out or "6.667759" in out


def test_eval_csv_is_machine_readable():
    out = ok("eval", HARD, "-p", "N=1000,2000", "-p", "n=8", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["N"]) for r in rows] == [1000, 2000] and float(rows[0]["value"]) == pytest.approx(6.66776, rel=1e-5)


def test_eval_huge_values_print_from_their_logarithm():
    rows = json.loads(ok("eval", "kajitsuka2025.next_token.total_bits_explicit", "--example", "-p", "N=1e300",
                         "--format", "json"))
    assert rows[0]["log10_value"] > 300
    assert "e+" in ok("eval", "kajitsuka2025.next_token.total_bits_explicit", "--example", "-p", "N=1e300")


def test_solve_inverts_to_the_catalogue_value():
    rows = json.loads(ok("solve", HARD, "--for", "N", "--target", "64.2", "-p", "n=1000", "--format", "json"))
    assert rows[0]["N"] == 1000 and rows[0]["side"] == "largest"


def test_solve_with_examples_and_target_list():
    out = ok("solve", "kajitsuka2025.next_token.upper.params_explicit", "--for", "N", "--target", "1e6,1e9",
             "--example", "--format", "json")
    rows = json.loads(out)
    assert rows[0]["N"] < rows[1]["N"]


def test_plot_writes_a_file(tmp_path):
    target = tmp_path / "mem.png"
    ok("plot", HARD, "kajitsuka2025.next_token.lower", "-p", "N=log:10:1e8:30", "-p", "n=8", "--x", "N",
       "-o", str(target))
    assert target.stat().st_size > 1000


BAD = [
    (["eval", "kajitsuka2025.seq2seq.lower_hardmx"], "did you mean kajitsuka2025.seq2seq.lower_hardmax"),
    (["eval", HARD, "-p", "N=1000"], "'n' is missing"),
    (["eval", HARD, "-p", "N=1000", "-p", "n=8", "-p", "q=2"], "'q' is not a parameter"),
    (["eval", HARD, "-p", "N=ten", "-p", "n=8"], "'N' must be a number"),
    (["eval", HARD, "-p", "N=1.5", "-p", "n=8"], "'N' must be an integer >= 2"),
    (["eval", "kajitsuka2025.next_token.upper", "--example", "-p", "delta=2"], "0 < delta <= 1"),
    (["eval", HARD, "-p", "N"], "NAME=VALUE"),
    (["solve", HARD, "--for", "q", "--target", "3", "-p", "n=8"], "'q' is not a parameter"),
    (["solve", HARD, "--for", "N", "--target", "abc", "-p", "n=8"], "'--target' must be a number"),
    (["solve", HARD, "--for", "N", "--target", "0.1", "-p", "n=8"], "no value of 'N'"),
    (["show", "nope"], "unknown bound 'nope'"),
    (["list", "--family", "astrology"], "must be one of"),
    (["eval", HARD, "--format", "yaml"], "'yaml' is not one of"),
    (["plot", HARD, "-p", "N=1000", "-p", "n=8", "--x", "N", "-o", "x.png"], "needs a range"),
    (["frobnicate"], "No such command"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_no_traceback(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert message in lines[0]


def test_plot_reaches_the_float_limit(tmp_path):
    """Values up to 1e300 (and bounds past 1e308) still draw: log10 on linear axes, no warnings."""
    target = tmp_path / "huge.svg"
    out = ok("plot", "kajitsuka2025.next_token.total_bits_explicit", "kajitsuka2025.next_token.lower", "--example",
             "-p", "N=log:10:1e300:20", "--x", "N", "-o", str(target))
    assert "Warning" not in out
    assert "log10 N" in target.read_text()
