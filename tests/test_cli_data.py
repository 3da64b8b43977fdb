"""``tbounds data``: every task's examples in every format, seeded, with one-line errors."""

import json

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.experiment import tasks

TASKS = [t.name for t in tasks()]


def invoke(*args):
    return CliRunner().invoke(cli, ["data", *args])


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json", "latex"])
def test_list_names_every_task(fmt):
    result = invoke("--list", "--format", fmt)
    assert result.exit_code == 0, result.output
    shown = [name.replace("_", r"\_") if fmt == "latex" else name for name in TASKS]
    assert all(name in result.stdout for name in shown)


@pytest.mark.parametrize("task", TASKS)
def test_examples_in_json_are_seeded_with_a_target_per_position(task):
    first, again = invoke(task, "--count", "2", "--seed", "5", "--format", "json"), invoke(task, "--count", "2",
                                                                                          "--seed", "5", "--format",
                                                                                          "json")
    assert first.exit_code == 0, first.output
    examples = json.loads(first.stdout)
    assert examples == json.loads(again.stdout) and len(examples) == 2
    assert all(len(e["input"]) == len(e["target"]) for e in examples)


@pytest.mark.parametrize("task", ["khop", "retrieval"])
def test_the_table_shows_the_targets(task):
    """A target list such as [null,null,"2"] once vanished from the table as an unknown rich markup tag."""
    table = invoke(task, "--count", "1", "--seed", "5")
    assert table.exit_code == 0, table.output
    assert "[null," in table.stdout


def test_table_cells_and_titles_are_text_not_markup():
    from tbounds.cli.render import render

    out = render([{"target": '[null,null,"2"]', "note": "[pointer labels, our design]"}], ["target", "note"], "table",
                 title="parameters [count]")
    assert '[null,null,"2"]' in out and "[pointer labels, our design]" in out and "parameters [count]" in out


def test_settings_are_options_named_after_the_generator():
    seq = json.loads(invoke("random-tokens", "--n", "3", "--labels", "seq2seq", "--format", "json").stdout)
    assert all(len(e["target"]) == 3 and None not in e["target"] for e in seq)
    nxt = json.loads(invoke("random_tokens", "--n=3", "--format", "json").stdout)
    assert all(e["target"][:2] == [None, None] and e["target"][2] in (-1, 1) for e in nxt)
    words = json.loads(invoke("text_windows", "--n", "5", "--count", "1", "--format", "json").stdout)
    assert all(isinstance(w, str) for w in words[0]["input"]) and len(words[0]["input"]) == 5


@pytest.mark.parametrize("args, fragment", [
    (["nope"], "unknown task 'nope'"),
    (["teacher", "--k", "3"], "is not a setting of task teacher"),
    (["random_tokens", "--n", "abc"], "must be an integer"),
    (["random_tokens", "--n"], "needs a value"),
    (["teacher", "--input", "abc"], "does not label a given input"),
    (["random_tokens", "--count", "0"], "--count"),
])
def test_bad_input_is_one_line_exit_2(args, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args=["data", *args], prog_name="tbounds")
    err = capsys.readouterr().err.strip().splitlines()
    assert info.value.code == 2 and len(err) == 1 and fragment in err[0], err
def test_boolean_settings_read_the_word_not_its_truthiness():
    from types import SimpleNamespace

    from tbounds.bounds.errors import ParameterError
    from tbounds.cli.commands.data import _settings

    spec = SimpleNamespace(name="demo", settings={"flag": True, "n": 4})
    assert _settings(spec, ["--flag", "false", "--n", "8"]) == {"flag": False, "n": 8}
    assert _settings(spec, ["--flag=YES"]) == {"flag": True}
    with pytest.raises(ParameterError, match="true or false"):
        _settings(spec, ["--flag", "maybe"])
