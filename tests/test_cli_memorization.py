"""``tbounds run/compare memorization``: bad input gives one line and exit code 2, the store keeps its rows."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.store import Row, Store


def run_main(args):
    """Through the real entry point (TboundsGroup.main turns errors into one line and exit 2)."""
    with pytest.raises(SystemExit) as info:
        cli.main(args=args, prog_name="tbounds")
    return info.value.code


@pytest.fixture
def store_with_row(tmp_path):
    path = tmp_path / "r.sqlite"
    with Store(path) as s:
        s.put(Row.make("keep", "memorization.demo", {"N": 1}, {"min_blocks": 1}))
    return path


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ")
    return err[0]


@pytest.mark.parametrize("args, fragment", [
    (["--N", "abc"], "parameter '--N'"),
    (["--N", "0"], "positive integers"),
    (["--steps", "0"], "--steps"),
    (["--corpus", "/no/such/corpus.txt"], "corpus file not found"),
    (["--only", "nonsense"], "unknown memorization experiment"),
    (["--quick", "--paper"], "choose one of"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_input_is_one_line_and_keeps_the_store(args, fragment, store_with_row, capsys):
    code = run_main(["run", "memorization", "--store", str(store_with_row), *args])
    assert code == 2
    assert fragment in _error_line(capsys)
    assert Store(store_with_row).has("keep") and len(Store(store_with_row)) == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_request_without_cuda(store_with_row, capsys):
    assert run_main(["compare", "memorization", "--device", "cuda", "--store", str(store_with_row)]) == 2
    assert "CUDA" in _error_line(capsys)
    assert Store(store_with_row).has("keep")


def test_store_path_that_is_a_directory(tmp_path, capsys):
    assert run_main(["compare", "memorization", "--store", str(tmp_path), "--no-run"]) == 2
    assert "directory" in _error_line(capsys)


def test_structure_and_lemma_checks_run_resume_and_render(tmp_path):
    store = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    args = ["run", "memorization", "--only", "structure", "--only", "lemmas", "--store", store, "--format", "json"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert {r["experiment"] for r in data["rows"]} == {"structure", "lemmas"}
    assert all(r["relation"] == "holds: True" for r in data["rows"])
    rows_before = len(Store(store))
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "running" not in again.stderr  # nothing left to train
    assert len(Store(store)) == rows_before
    compared = runner.invoke(cli, ["compare", "memorization", "--only", "structure", "--only", "lemmas", "--store",
                                   store, "--no-run", "--format", "json"])
    data = json.loads(compared.stdout)
    verdicts = {r["relation"]: r["verdict"] for r in data["relations"]}
    assert verdicts and all(v == "holds" for v in verdicts.values())
    assert data["rows"] == [] and data["plots"] == []  # checks, no capacity rows to draw
    for fmt in ("table", "markdown", "csv", "latex"):
        out = runner.invoke(cli, ["compare", "memorization", "--only", "structure", "--store", store, "--no-run",
                                  "--format", fmt, "--plot-dir", str(tmp_path / "figures")])
        assert out.exit_code == 0 and "permuting" in out.stdout
