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

import functools
import os
import threading
from pathlib import Path
from typing import Callable, Optional

from .cache import cache_root


class BuildError(RuntimeError):
    """The C compiler refused a source (its first lines of output are the message)."""


def kernel_dir() -> Path:
    """Where compiled libraries live: ``kernels/`` under the cache root (:func:`.cache.cache_root`)."""
    return Path(cache_root()) / "kernels"


@functools.lru_cache(maxsize=None)
def machine_tag() -> str:
    """The CPU's model and flags: ``-march=native`` code is only valid on this kind of CPU, so it keys the build."""
    import platform

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
    return build_text(source.stem, source.read_text(), flags, folder)


def build_text(stem: str, text: str, flags: list[str], folder: Optional[Path] = None) -> ctypes.CDLL:
    """C source ``text`` compiled with ``flags`` into ``STEM-KEY.so`` (once per machine) and loaded: for code
    generated at run time (:mod:`.loopcode`) as for the shipped sources (:func:`build`)."""
    import ctypes  # (these here: importing this module costs a one-bound command nothing)
    import hashlib
    import subprocess
    import tempfile

    compiler = os.environ.get("CC", "cc")
    key = hashlib.sha256(text.encode() + " ".join(flags).encode() + compiler.encode() + machine_tag().encode())
    folder = kernel_dir() if folder is None else folder
    target = folder / f"{stem}-{key.hexdigest()[:16]}.so"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:  # compile, then rename: atomic
            source, out = Path(tmp) / f"{stem}.c", Path(tmp) / target.name
            source.write_text(text)
            try:
                proc = subprocess.run([compiler, *flags, str(source), "-o", str(out)], capture_output=True, text=True)
            except subprocess.SubprocessError as exc:
                raise OSError(str(exc)) from None
            if proc.returncode != 0:
                raise BuildError(f"compiling {stem}.c failed: {proc.stderr.strip()[:300]}")
            os.replace(out, target)
    return ctypes.CDLL(str(target))


_UNBUILT = object()


class Kernel:
    """A shipped C source built and loaded on first use (:meth:`lib`), once per process, thread-safe; or None and
    a :attr:`reason`: switched off (the environment variable ``switch`` set to ``0``), no compiler, a refused
    build, a cache folder that cannot be written.  ``declare(lib)`` gives the library's functions their ctypes
    signatures.

    >>> k = Kernel("the example kernel", Path("no-such-source.c"), [], "TBOUNDS_EXAMPLE", lambda lib: None)
    >>> k.lib() is None, k.reason.startswith("the example kernel is unavailable")
    (True, True)
    """

    def __init__(self, name: str, source: Path, flags: list[str], switch: str, declare: Callable):
        self.name, self.source, self.flags, self.switch, self.declare = name, source, flags, switch, declare
        self.reason = ""
        self._lib = _UNBUILT
        self._lock = threading.Lock()

    def lib(self) -> Optional[ctypes.CDLL]:
        lib = self._lib
        if lib is not _UNBUILT:
            return lib
        with self._lock:
            if self._lib is _UNBUILT:
                lib, reason = None, ""
                if os.environ.get(self.switch, "1").strip() == "0":
                    reason = f"switched off by {self.switch}=0"
                else:
                    try:
                        lib = build(self.source, self.flags)
                        self.declare(lib)
                    except (OSError, BuildError) as exc:  # no compiler, an unwritable cache folder, a refused build
                        lib, reason = None, f"{self.name} is unavailable: {exc}"
                self._lib, self.reason = lib, reason
        return self._lib

    def reset(self) -> None:
        """Forget the library: the next :meth:`lib` looks at the switch and builds (or loads) again."""
        with self._lock:
            self._lib, self.reason = _UNBUILT, ""
