"""Oxigraph's own loader, run as its command line (``oxigraph load``) on a store no process has open.

The ``oxigraph`` package is the engine's command line: the same Rust storage code as pyoxigraph,
whose ``Store.bulk_load`` parses a file on one thread, while ``oxigraph load`` parses it in
parallel slices (``BulkLoader::parallel_load_from_file``), loads each file atomically, keeps one
blank node per label across slices and exits non-zero, naming file and line, when a file does not
parse. Measured here on the bench N-Triples files, it loads in ~60 % of the CPU time of
``Store.bulk_load``. :mod:`kg.engine.staging` uses it when an ``oxigraph`` executable of exactly
pyoxigraph's version (same storage format) is installed (``pip install oxigraph``; the ``test``
extra has it), and pyoxigraph's loader otherwise.
"""

from __future__ import annotations

import contextlib
import ctypes
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import LoadError

__all__ = ["load_file", "loader"]

_LINE = re.compile(r"line (\d+)")


@cache
def loader() -> str | None:
    """Return the ``oxigraph`` executable of pyoxigraph's version, or None when there is none.

    Looked for beside the running Python (same virtual environment), then on ``PATH``.

    Returns
    -------
    str or None
        Its path.
    """
    for candidate in (Path(sys.executable).parent / "oxigraph", shutil.which("oxigraph")):
        if candidate is None or not Path(candidate).is_file():
            continue
        try:
            out = subprocess.run([str(candidate), "--version"], capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.split() == ["oxigraph", ox.__version__]:
            return str(candidate)
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    # A kill -9 of kg load must not leave the loader writing into a staging folder that the next
    # open deletes: PR_SET_PDEATHSIG (Linux) kills the child when its parent dies.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def load_file(
    executable: str, location: Path, path: Path, graph: str, meanwhile: Callable[[], None] | None = None
) -> None:
    """Load one N-Triples file into named graph `graph` of the closed store at `location`.

    Parameters
    ----------
    executable : str
        The ``oxigraph`` executable (:func:`loader`).
    location : pathlib.Path
        The store folder; no process may have it open.
    path : pathlib.Path
        The N-Triples file.
    graph : str
        IRI of the named graph its triples go to.
    meanwhile : callable, optional
        Called (no arguments) in this process while the loader runs; whatever it raises is
        raised once the loader has finished.

    Raises
    ------
    LoadError
        If the file does not parse (the engine's message, with its line) or the loader fails.
    """
    command = [executable, "load", "--location", str(location), "--file", str(path), "--format", "nt"]
    with tempfile.TemporaryFile() as log:  # (a pipe could fill up while `meanwhile` runs)
        process = subprocess.Popen(
            [*command, "--graph", graph],
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        try:
            if meanwhile is not None:
                meanwhile()
        finally:
            status = process.wait()
        if status == 0:
            return
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    prefix = f"Error while loading file {path}: "
    reason = next((line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)), None)
    if reason is None:
        lines = [line for line in text.splitlines() if line.strip()]
        raise LoadError(str(path), f"oxigraph load failed (exit status {status}): {' '.join(lines[-3:])}")
    match = _LINE.search(reason)
    raise LoadError(str(path), reason, int(match.group(1)) if match else None)
