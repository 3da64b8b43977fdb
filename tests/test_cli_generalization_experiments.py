"""CLI and checkpoints of the low-rank generalisation experiment, at tiny scale."""

import json

import pytest
import torch
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.generalization.checkpoint import CheckpointError, load_heads, save
from tbounds.empirical.generalization.models import HeadSpec, init_params, qk_matrix

TINY = ["--n", "16,32", "--rank", "1,2", "--T", "4", "--seeds", "2", "--d", "6", "--steps", "20", "--n-test", "100",
        "--rad-signs", "4", "--constraint", "WQK:fro:2", "--constraint", "WV:fro:1", "--constraint", "w:l2:1",
        "--threads", "1"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "r.sqlite"
    result = CliRunner().invoke(cli, ["run", "generalization", *TINY, "--store", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return path


def test_run_prints_every_member(store):
    result = CliRunner().invoke(cli, ["run", "generalization", *TINY, "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert len(rows) == 2 * 2 * 2  # n x rank x seed
    assert all(r["qk_rank"] <= r["rank"] for r in rows)
    assert "from the store" in result.stderr  # the rerun resumed instead of training


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json", "latex"])
def test_compare_in_every_format(store, tmp_path, fmt):
    plots = tmp_path / "plots"
    result = CliRunner().invoke(cli, ["compare", "generalization", *TINY, "--store", str(store), "--format", fmt,
                                      "--plot-dir", str(plots)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "json":
        data = json.loads(out)
        assert {"rows", "relations", "plots"} <= set(data)
        assert {"slopes", "rank_effect"} <= set(data["generalization"])
        gaps = [r for r in data["rows"] if r["measured"] == "gap" and r["basis"] == "constraints"
                and r["value"] is not None and r["status"] != "rate"]
        assert gaps and all(r["value"] >= r["gap"] for r in gaps)
    else:
        assert "truong2024.gap" in out and "edelman2022.gap" in out
    assert (plots / "gap_vs_n.png").stat().st_size > 0 and (plots / "gap_vs_rank.png").stat().st_size > 0


def test_bad_input_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["compare", "generalization", "--constraint", "WQK:bogus:1",
                                      "--store", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(cli, ["compare", "generalization", "--checkpoint", str(tmp_path / "missing.pt")])
    assert result.exit_code == 2 and "does not exist" in result.output


# ------------------------------------------------------------------------------------------ checkpoints
def test_our_checkpoint_round_trips(tmp_path):
    spec = HeadSpec(d=6, k=2)
    p = init_params(spec, [0, 1], [1, 2])
    path = save(tmp_path / "head.pt", spec, p, member=1)
    (head,) = load_heads(path)
    assert torch.allclose(head.WQK, qk_matrix(spec, p)[1].double(), atol=1e-6)
    assert torch.allclose(head.w, p["w"][1].double())


def test_multihead_attention_scores_match_the_loaded_query_key_matrix(tmp_path):
    torch.manual_seed(0)
    E, H = 8, 2
    mha = torch.nn.MultiheadAttention(E, H, bias=False, batch_first=True)
    path = tmp_path / "mha.pt"
    torch.save(mha.state_dict(), path)
    heads = load_heads(path, num_heads=H)
    X = torch.randn(1, 5, E)
    _, weights = mha(X, X, X, need_weights=True, average_attn_weights=False)
    for h, head in enumerate(heads):
        scores = X[0].double() @ head.WQK @ X[0].double().T
        assert torch.allclose(torch.softmax(scores, -1).float(), weights[0, h], atol=1e-5)
        assert head.note == ""


def test_corrupt_and_wrong_checkpoints_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        load_heads(bad)
    odd = tmp_path / "odd.pt"
    torch.save({"in_proj_weight": torch.zeros(5, 4), "out_proj.weight": torch.zeros(4, 4)}, odd)
    with pytest.raises(CheckpointError, match="expected \\(3E, E\\)"):
        load_heads(odd)
    mha = tmp_path / "mha.pt"
    torch.save(torch.nn.MultiheadAttention(6, 2).state_dict(), mha)
    with pytest.raises(CheckpointError, match="does not divide"):
        load_heads(mha, num_heads=4)

    class Evil:  # a pickled object is refused, never executed
        def __reduce__(self):
            return (print, ("executed",))

    evil = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, evil)
    with pytest.raises(CheckpointError, match="weights only"):
        load_heads(evil)


def test_checkpoint_bounds_through_the_cli(tmp_path):
    path = tmp_path / "mha.pt"
    mha = torch.nn.MultiheadAttention(8, 1)
    with torch.no_grad():
        mha.in_proj_bias.fill_(0.1)  # the bounds' head has no biases: they must be reported as ignored
    torch.save(mha.state_dict(), path)
    result = CliRunner().invoke(cli, ["compare", "generalization", "--checkpoint", str(path), "--n", "1000",
                                      "--T", "16", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["bound"] for r in rows} >= {"truong2024.gap.t1", "edelman2022.gap"}
    assert all(r["basis"].startswith("post-hoc") for r in rows)
    assert all("ignored non-zero biases (in_proj_bias)" in r["note"] for r in rows)


def test_saved_checkpoints_feed_the_checkpoint_comparison(tmp_path):
    folder = tmp_path / "heads"
    args = ["run", "generalization", "--n", "16", "--rank", "2", "--T", "4", "--seeds", "1", "--d", "6", "--steps", "5",
            "--n-test", "50", "--rad-signs", "2", "--store", str(tmp_path / "r.sqlite"), "--save-checkpoints",
            str(folder), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (path,) = folder.glob("*.pt")
    (head,) = load_heads(path)
    assert int(torch.linalg.matrix_rank(head.WQK)) <= 2
    result = CliRunner().invoke(cli, ["compare", "generalization", "--checkpoint", str(path), "--n", "100", "--T", "4",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "truong2024.gap.t1" in result.stdout
