"""``python -c CODE`` in a fresh process, with its own cache folder: what a first use on a new machine sees."""

from __future__ import annotations

import os
import subprocess
import sys


def fresh_python(code: str, cache_dir, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` with ``TBOUNDS_CACHE_DIR=cache_dir`` and these environment variables; output as text."""
    full = {**os.environ, "TBOUNDS_CACHE_DIR": str(cache_dir), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120)


def check_fallbacks(code: str, tmp_path, switch: str, answer: str) -> None:
    """A compiled kernel's fallbacks, each in a fresh process printing ``code``'s line: switched off with ``switch=0``,
    a compiler that fails, no compiler, a file in the way of the cache folder.  Each must print ``answer``
    (the plain code's answer) and say why (``switch=0``, ``compiling``, ``unavailable``)."""
    (tmp_path / "a-file").write_text("in the way of the cache folder")
    on = {switch: "1"}  # (the others, whatever the switch says in this process's environment)
    cases = [(tmp_path / "off", {switch: "0"}, f"{switch}=0"), (tmp_path / "cc", {**on, "CC": "false"}, "compiling"),
             (tmp_path / "none", {**on, "CC": "no-such-compiler-anywhere"}, "unavailable"),
             (tmp_path / "a-file", on, "unavailable")]
    for folder, env, why in cases:
        run = fresh_python(code, folder, **env)
        assert run.returncode == 0 and run.stdout.startswith(answer) and why in run.stdout, (env, folder, run.stdout,
                                                                                              run.stderr[-500:])
