"""Sweep files (`--config sweep.toml`): parsed, checked with one-line errors, and beaten by typed options."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tbounds.cli.main import cli
from tbounds.empirical.errors import SweepConfigError
from tbounds.empirical.experiment import get_family
from tbounds.empirical.sweepfile import parse_sweep

MEMO = get_family("memorization")


def test_a_sweep_file_becomes_profile_overrides_and_backend_options():
    sweep = parse_sweep('family = "memorization"\nprofile = "tiny"\nseeds = [0, 1]\nonly = ["lemmas"]\n'
                        'store = "s.sqlite"\nthreads = 2\n[parameters]\nlemma_cases = [[20, 4, 10]]\nsteps = 5\n'
                        'threshold = 1\n[backend]\nname = "dask"\nscheduler = "tcp://h:8786"\n', MEMO)
    assert sweep.profile == "tiny" and sweep.only == ("lemmas",) and sweep.store == "s.sqlite" and sweep.threads == 2
    assert sweep.parameters == {"lemma_cases": ((20, 4, 10),), "steps": 5, "threshold": 1.0, "seeds": (0, 1)}
    assert sweep.backend == {"name": "dask", "scheduler": "tcp://h:8786"}
    profile = MEMO.profile(sweep.profile, **sweep.parameters)
    assert profile.seeds == (0, 1) and profile.lemma_cases == ((20, 4, 10),)


@pytest.mark.parametrize("text, message", [
    ('profil = "quick"', "unknown key 'profil'; did you mean profile?"),
    ('family = "generalization"', "family = 'generalization' but the command runs memorization"),
    ('profile = "huge"', "profile must be one of quick, paper, tiny (got 'huge')"),
    ('[parameters]\nN_value = [4]', "unknown parameter 'N_value' of memorization in [parameters]; did you mean N_values?"),
    ('[parameters]\nN_values = 4', "parameter N_values must be a list"),
    ('[parameters]\nsteps = 1.5', "parameter steps must be an integer (got 1.5)"),
    ('seeds = "0"', "parameter seeds must be a list"),
    ('only = "lemmas"', "only must be a list of experiment names"),
    ('threads = 0', "threads must be a positive integer (got 0)"),
    ('device = "tpu"', "device must be auto, cpu or cuda (got 'tpu')"),
    ('[backend]\nworkrs = 2', "unknown key 'workrs' in [backend]; did you mean workers?"),
    ('[backend]\nworkers = 0', "[backend] workers must be a positive integer (got 0)"),
    ('[backend]\nworkers = true', "[backend] workers must be a positive integer (got True)"),
    ('profile = ', "not valid TOML"),
])
def test_a_bad_sweep_file_is_one_line_naming_the_key(text, message):
    with pytest.raises(SweepConfigError) as info:
        parse_sweep(text, MEMO, "sweep.toml")
    assert str(info.value).startswith("sweep.toml: ") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_run_with_a_sweep_file_and_options_that_win(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(f'profile = "tiny"\nonly = ["lemmas", "structure"]\nstore = "{tmp_path / "file.sqlite"}"\n'
                      '[parameters]\nlemma_cases = [[20, 4, 10], [30, 4, 10]]\n[backend]\nname = "serial"\n')
    done = CliRunner().invoke(cli, ["run", "memorization", "--config", str(config), "--only", "lemmas",
                                    "--format", "json"])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)["rows"]
    assert sorted(r["N"] for r in rows) == [20, 30] and {r["experiment"] for r in rows} == {"lemmas"}
    assert (tmp_path / "file.sqlite").exists()  # the file's store, since --store was not typed
    bad = CliRunner().invoke(cli, ["run", "memorization", "--config", str(tmp_path / "missing.toml")])
    assert bad.exit_code == 2 and bad.output.strip() == f"Error: sweep file not found (--config): {tmp_path / 'missing.toml'}"
