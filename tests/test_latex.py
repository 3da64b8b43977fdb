"""Every command's ``--format latex`` output compiles with a real LaTeX engine (pdflatex).

The outputs of every command are gathered into one document and compiled once (one pdflatex run
instead of hundreds). The engine comes from Debian's ``texlive-latex-base`` and
``texlive-latex-recommended`` (``.ci/run`` installs them when missing); without it the compile
test is skipped, saying so, and the escaping tests still run.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

import tbounds.bounds as bounds
from tbounds.cli.latex import document, escape, number, table
from tbounds.cli.main import cli

ENGINE = shutil.which("pdflatex")
NEEDS_ENGINE = pytest.mark.skipif(ENGINE is None, reason="no LaTeX engine (pdflatex) on PATH: install Debian's "
                                  "texlive-latex-base and texlive-latex-recommended, as .ci/run does")


def _latex(*args) -> str:
    result = CliRunner().invoke(cli, [*args, "--format", "latex"])
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _compile(body: str, tmp_path) -> None:
    source = tmp_path / "out.tex"
    source.write_text(document(body), encoding="utf-8")
    done = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "out.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    log = done.stdout[-3000:]
    assert done.returncode == 0, f"pdflatex failed:\n{log}"
    assert (tmp_path / "out.pdf").stat().st_size > 0


def test_escape_writes_specials_and_unicode_so_that_only_ascii_remains():
    text = escape("a_b ^ ~ % & # >= | Ω √ Õ Mușat {x} $")
    for wanted in (r"a\_b", r"\textasciicircum{}", r"\textasciitilde{}", r"\%", r"\&", r"\#", r"$\geq$", "$|$",
                   r"$\Omega$", r"$\sqrt{}$", r"$\tilde{O}$", r"Mu{\c s}at", r"\{x\}", r"\$"):
        assert wanted in text, wanted
    assert all(ord(c) < 128 for c in text)


def test_numbers_are_math_with_times_ten():
    assert number(1.2e300) == r"$1.2\times10^{300}$"
    assert number(float("inf"), 450.5) == r"$3.1623\times10^{450}$"
    assert number(None) == "--" and number(float("nan")) == "n/a"


def test_tables_are_booktabs_with_a_caption():
    out = table([{"a": 1}], ["a"], caption="c")
    assert r"\toprule" in out and r"\caption{c}" in out and r"\bottomrule" in out


@NEEDS_ENGINE
def test_every_command_latex_compiles(tmp_path):
    parts = [_latex("list"), _latex("search", "linformer"), _latex("search", "memorize", "sequences")]
    parts += [_latex("show", i) for i in bounds.ids()]
    parts += [_latex("show", i) for i in bounds.statement_ids()]
    parts += [_latex("eval", "kajitsuka2025.seq2seq.lower_hardmax", "kajitsuka2025.next_token.upper.params_explicit",
                     "-p", "N=1e3,1e300", "-p", "n=512", "--example"),
              _latex("eval", "merrill2025.regular.max_length.*", "-p", "d=32"),
              _latex("solve", "kajitsuka2025.seq2seq.lower_hardmax", "--for", "N", "--target", "1e6", "-p", "n=512"),
              _latex("crossover", "dudley.parametric", "dudley.maurey", "--for", "n", "-p", "dof=32", "-p", "A=4",
                     "-p", "b=4", "-p", "C=4"),
              _latex("data", "random_tokens", "--count", "2"), _latex("data", "teacher", "--count", "1")]
    _compile("\n\n\\clearpage\n".join(parts), tmp_path)


@NEEDS_ENGINE
def test_compare_latex_of_every_family_compiles(tmp_path, capsys):
    from tbounds.cli.commands.experiments import _print_compare
    from tbounds.cli.families import load
    from tbounds.empirical import runner
    from tbounds.empirical.experiment import family_names, get_family
    from tbounds.empirical.store import Store

    parts = []
    with Store(tmp_path / "s.sqlite") as store:
        for name in family_names():
            family = get_family(name)
            profile = family.profiles["tiny"]
            comparison = family.compare(runner.run(family.experiments, profile, store), profile)
            _print_compare(load(name), comparison, [], "latex", 0.0)
            parts.append(capsys.readouterr().out)
    _compile("\n\n\\clearpage\n".join(parts), tmp_path)
