"""C sources shipped with tbounds, compiled once per machine with the system compiler and loaded with ctypes.

A library is built as ``cc FLAGS source -o NAME-KEY.so`` into ``kernels/`` under the cache root
(``$TBOUNDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/tbounds``, else ``~/.cache/tbounds``).  The key digests
the source, the flags, the compiler and the CPU (``-march=native`` code runs only on the kind of CPU it
was built for), so a changed source or another machine builds afresh and a built file is never stale.
The compiler writes into a temporary folder beside the target and the file is renamed into place: a
reader never sees half a library, and two processes building at once both end with a whole one.

:func:`build` raises ``OSError`` (no compiler, a folder that cannot be written) or
:class:`BuildError` (the compiler refused); each caller turns that into its plain-numpy or plain-torch
fallback and a reason it can report.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     _ = (Path(folder) / "one.c").write_text("int one(void) { return 1; }")
...     try:
...         lib = build(Path(folder) / "one.c", ["-O2", "-shared", "-fPIC"], Path(folder) / "kernels")
...     except (OSError, BuildError):  # no C compiler on this machine
...         lib = None
...     lib is None or lib.one() == 1
True
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from .cache import cache_root


class BuildError(RuntimeError):
    """The C compiler refused a source (its first lines of output are the message)."""


def kernel_dir() -> Path:
    """Where compiled libraries live: ``kernels/`` under the cache root (:func:`.cache.cache_root`)."""
    return Path(cache_root()) / "kernels"


def machine_tag() -> str:
    """The CPU's model and flags: ``-march=native`` code is only valid on this kind of CPU, so it keys the build."""
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("model name", "flags")):
                    model += line
    except OSError:
        pass
    return model


def build(source: Path, flags: list[str], folder: Optional[Path] = None) -> ctypes.CDLL:
    """``source`` compiled with ``flags`` (once per machine: later calls load the built file) and loaded."""
    text = source.read_bytes()
    compiler = os.environ.get("CC", "cc")
    key = hashlib.sha256(text + " ".join(flags).encode() + compiler.encode() + machine_tag().encode())
    folder = kernel_dir() if folder is None else folder
    target = folder / f"{source.stem}-{key.hexdigest()[:16]}.so"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:  # compile, then rename: atomic
            out = Path(tmp) / target.name
            try:
                proc = subprocess.run([compiler, *flags, str(source), "-o", str(out)], capture_output=True, text=True)
            except subprocess.SubprocessError as exc:
                raise OSError(str(exc)) from None
            if proc.returncode != 0:
                raise BuildError(f"compiling {source.name} failed: {proc.stderr.strip()[:300]}")
            os.replace(out, target)
    return ctypes.CDLL(str(target))
