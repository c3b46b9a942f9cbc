"""Staged bulk loads of an on-disk store: Oxigraph's bulk loader into a copy, swapped in atomically.

``kg load --store DIR`` and ``kg serve --store DIR --load FILE`` load here. The store in ``DIR``
is copied to ``DIR.staging`` (a RocksDB checkpoint: hard links, milliseconds), the files are
bulk-loaded into the copy (no transaction, no Python object per triple), and the copy is
swapped in (:func:`kg.engine.swap.commit`). A parse error or a ``kill -9`` at any point before
the commit leaves ``DIR`` exactly as it was; the next open removes the staging folder
(:func:`kg.engine.swap.recover`).

Large N-Triples files are loaded by pyoxigraph's loader in slices cut at line ends, side by side
(one thread per core: ``Store.bulk_load`` parses on one thread; a file with blank nodes is loaded
whole, as their labels would not be shared between slices). Other files go through it whole.
(``oxigraph load`` of the same version, the engine's command line, was tried for this: it parses
in parallel only into the default graph; with ``--graph`` it took 2.3-2.4 s for the 10k bench
file where the slices take 1.1-1.5 s.)

Validation is that of :func:`kg.engine.load.load_files`, without a second full parse where the
syntax allows: relative IRIs are refused by the engine's parser (no base IRI is given), and
``file:`` IRIs (refused by :func:`kg.engine.load.parse_file`) are found in N-Triples by a byte
search that runs while the engine loads (an N-Triples IRI is written whole on one line; a hit or
an escaped IRI is checked by a streaming parse, :func:`kg.engine.load.refuse_file_iris`). Other
syntaxes are parsed once in Python first, for the same checks and the graphs they name (they are
small in practice).
"""

from __future__ import annotations

import itertools
import mmap
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.engine.load import (
    EXISTING,
    default_sources,
    file_graph,
    fill_default_graph,
    graph_size,
    parse_file,
    refuse_file_iris,
    syntax_of,
)
from kg.engine.swap import commit, load_lock, recover, sibling
from kg.errors import GraphExistsError, InvalidParameterError, LoadError

__all__ = ["StagedLoad", "staged_load"]

_CHUNK_BYTES = 48 * 2**20
"""Largest N-Triples slice loaded side by side with others (one parse per slice, at most one
slice per thread in memory)."""

_SLICED_FROM_BYTES = 4 * 2**20
"""N-Triples files from this size up are loaded in slices, one thread per core (at most 4)."""

_SCAN_BYTES = 8 * 2**20
"""Window of the N-Triples byte search."""


@dataclass
class StagedLoad:
    """What a staged load wrote.

    Attributes
    ----------
    graphs : dict of str to int
        Named-graph IRI -> triples loaded into it: the triples the file holds for syntaxes read
        in Python (as :func:`kg.engine.load.load_files` counts them), the triples the graph
        gained for N-Triples (counted by the engine; a triple written twice counts once).
    files : list of dict
        Per file, in order: ``path`` (str), ``triples`` (int, as in `graphs`) and ``seconds``
        (float, wall time of its bulk load).
    default_graph : dict of str to int
        The embedded default graph's named graphs and sizes, when it was written (a new store).
    """

    graphs: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    default_graph: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    path: Path
    fmt: ox.RdfFormat
    target: str  # graph of the file's default-graph triples
    parsed: dict[str, int] | None  # graph -> triples, for a file parsed in Python
    blank_nodes: bool | None  # (N-Triples) may hold blank nodes: one parse for the whole file; None: not scanned yet


class _Staged:
    """Holds the staged engine store, so that it is dropped (RocksDB closed) exactly when asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inner: ox.Store | None = None
        self.open()

    def open(self) -> ox.Store:
        if self.inner is None:
            self.inner = ox.Store(str(self.path))
        return self.inner

    def close(self) -> None:
        if self.inner is not None:
            self.inner.flush()
        self.inner = None


def staged_load(
    directory: str | Path,
    paths: Sequence[str | Path],
    graph: str | None = None,
    fmt: ox.RdfFormat | None = None,
    existing: str = "refuse",
    default_graph: bool = False,
    data_dir: Path | None = None,
) -> StagedLoad:
    """Bulk-load files into the on-disk store at `directory`: all of them or none, atomically.

    Parameters
    ----------
    directory : str or pathlib.Path
        The store folder; created when missing (a folder that exists must be a store or empty).
        No process may have it open (RocksDB allows one writer).
    paths : sequence of str or pathlib.Path
        Files to load, any syntax of :data:`kg.engine.load.FORMATS_BY_EXTENSION`.
    graph : str, optional
        Named graph for the default-graph triples of every file (default ``graph/{file stem}``);
        named graphs of TriG, N-Quads and JSON-LD files keep their names.
    fmt : pyoxigraph.RdfFormat, optional
        Syntax of all files, when extensions do not tell.
    existing : {"refuse", "replace", "append"}, optional
        What to do with a target graph that already holds triples (as
        :func:`kg.engine.load.load_files`): refuse the whole load (default), replace it, add to it.
    default_graph : bool, optional
        Write the embedded default graph first when the store is new or empty (as
        :meth:`kg.service.KnowledgeGraph.open` fills such a store).
    data_dir : pathlib.Path, optional
        Folder of the default graph's data files (default: the shipped ``ontology/data``).

    Returns
    -------
    StagedLoad
        Triples per graph and per file, with timings.

    Raises
    ------
    LoadError
        If a file is missing, its syntax unknown, it does not parse (the message names file and
        line) or holds a relative or ``file:`` IRI; if `directory` is a folder that is not a store,
        is open in another process, or another load into it is running. The store is then as before.
    InvalidParameterError
        If `graph` is not an absolute IRI, or `existing` is not one of :data:`kg.engine.load.EXISTING`.
    GraphExistsError
        If `existing` is ``"refuse"`` and a target graph holds triples (the message names every
        such graph and its size); nothing is written.
    """
    if existing not in EXISTING:
        raise InvalidParameterError("existing", f"{existing!r} is not one of {', '.join(EXISTING)}")
    directory = Path(directory)
    plans = [_plan(Path(p), graph, fmt) for p in paths]
    targets = sorted({name for plan in plans for name in (plan.parsed or {plan.target: 0})})
    with load_lock(directory):
        recover(directory)
        staging = sibling(directory, ".staging")
        while True:
            try:
                new = _copy_store(directory, staging, targets, existing)
                staged = _Staged(staging)
                try:
                    result = _load_into(staged, plans, targets, existing, default_graph and new, data_dir)
                finally:
                    staged.close()
                commit(directory, staging)
                return result
            except _BlankNodes as exc:  # sliced, but the file had blank nodes: again, that file whole
                shutil.rmtree(staging, ignore_errors=True)
                exc.plan.blank_nodes = True
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise


class _BlankNodes(Exception):
    """A file loaded in slices turned out to hold blank nodes (labels are per slice): load it whole."""

    def __init__(self, plan: _Plan) -> None:
        super().__init__(str(plan.path))
        self.plan = plan


def _load_into(
    staged: _Staged,
    plans: list[_Plan],
    targets: list[str],
    existing: str,
    default_graph: bool,
    data_dir: Path | None,
) -> StagedLoad:
    result = StagedLoad()
    if default_graph:
        result.default_graph = fill_default_graph(staged.open(), data_dir)
        full = {name: n for name in targets if (n := result.default_graph.get(name, 0))}
        if existing == "refuse" and full:  # (a file named like a curated graph, in a new store)
            raise GraphExistsError(full, list(full))
    if existing == "replace":
        for name in targets:
            staged.open().update(f"DROP SILENT GRAPH {ox.NamedNode(name)}")
    total: int | None = None  # quads in the staged store (an N-Triples file's count is what it adds)
    for plan in plans:
        started = time.perf_counter()
        if plan.parsed is None and total is None:
            total = len(staged.open())
        _bulk_load(staged, plan)
        if plan.parsed is None:
            now = len(staged.open())
            counts, total = {plan.target: now - (total or 0)}, now
        else:
            counts, total = plan.parsed, None
        for name, n in counts.items():
            result.graphs[name] = result.graphs.get(name, 0) + n
        seconds = time.perf_counter() - started
        result.files.append({"path": str(plan.path), "triples": sum(counts.values()), "seconds": seconds})
    return result


def _plan(path: Path, graph: str | None, fmt: ox.RdfFormat | None) -> _Plan:
    # Everything that can refuse a file, before anything is written.
    fmt = syntax_of(path, fmt)
    target = file_graph(path, graph)
    if not path.is_file():
        raise LoadError(str(path), "file not found")
    if fmt == ox.RdfFormat.N_TRIPLES:
        if path.stat().st_size >= _SLICED_FROM_BYTES:
            return _Plan(path, fmt, target, None, None)  # scanned while its slices load (_bulk_load_slices)
        suspect, blank_nodes = _scan_ntriples(path)
        if suspect:  # a file: IRI, or an escaped one: the full parse decides
            refuse_file_iris(path, target)
        return _Plan(path, fmt, target, None, blank_nodes)
    parsed = parse_file(path, graph, fmt)
    return _Plan(path, fmt, target, {name: len(triples) for name, triples in parsed.items()}, True)


def _scan_ntriples(path: Path) -> tuple[bool, bool]:
    r"""Return (may hold a ``file:`` IRI, may hold a blank node) for an N-Triples file, by byte search.

    A ``file:`` IRI is written ``<file:`` (an N-Triples IRI is whole on its line), unless it
    escapes a character (``\u``/``\U``): those count as possible too. The file is mapped,
    not read (no copy), in windows; one-byte searches (memchr speed) find the backslashes and
    skip the windows without an underscore.
    """
    suspect = blank = False
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                return False, False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                for start in range(0, size, _SCAN_BYTES):
                    end = min(size, start + _SCAN_BYTES + 8)  # (overlap: a pattern across windows)
                    if not suspect:
                        suspect = _escapes_unicode(view, start, end) or view.find(b"<file:", start, end) >= 0
                    if not blank:
                        blank = view.find(b"_", start, end) >= 0 and view.find(b"_:", start, end) >= 0
                    if suspect and blank:
                        break
                    if hasattr(mmap, "MADV_DONTNEED"):  # (pages read are the page cache's, not ours)
                        view.madvise(mmap.MADV_DONTNEED, start, min(_SCAN_BYTES, size - start))
    except (OSError, ValueError) as exc:
        raise LoadError(str(path), str(exc)) from None
    return suspect, blank


def _escapes_unicode(view: mmap.mmap, start: int, end: int) -> bool:
    r"""Return True when ``view[start:end]`` holds ``\u`` or ``\U`` (a numeric escape)."""
    pos, seen = view.find(b"\\", start, end), 0
    while pos >= 0 and seen < 4096:  # each backslash (memchr), as long as they are few
        if view[pos + 1 : pos + 2] in (b"u", b"U"):
            return True
        pos, seen = view.find(b"\\", pos + 2, end), seen + 1
    return pos >= 0 and (view.find(b"\\u", pos, end) >= 0 or view.find(b"\\U", pos, end) >= 0)


def _copy_store(directory: Path, staging: Path, targets: list[str], existing: str) -> bool:
    """Copy the store at `directory` to `staging` after the `existing` check; return True for a new or empty store."""
    if not directory.exists() or not any(directory.iterdir()):
        staging.mkdir()
        return True
    if not (directory / "CURRENT").is_file():
        raise LoadError(str(directory), "is a folder but not a store: give a new or empty folder, or a store folder")
    try:
        source = ox.Store(str(directory))
    except OSError as exc:
        raise LoadError(
            str(directory), f"cannot open the store ({exc}); is a kg serve or another kg command using it?"
        ) from None
    full: dict[str, int] = {}
    try:
        empty = next(iter(source.quads_for_pattern(None, None, None)), None) is None
        if existing == "refuse":
            full = {name: n for name in targets if (n := graph_size(source, name))}
        if not full:
            source.backup(str(staging))
    except OSError as exc:
        raise LoadError(str(directory), f"cannot copy the store to {staging}: {exc}") from None
    finally:
        del source  # closes RocksDB before anything else opens the folder
    if full:
        curated = {g for _, g in default_sources()}
        raise GraphExistsError(full, [name for name in full if name in curated])
    return empty  # (an empty store gets the default graph too, as KnowledgeGraph.open gives it)


def _bulk_load(staged: _Staged, plan: _Plan) -> None:
    node = ox.NamedNode(plan.target)
    try:
        if plan.blank_nodes is not None:
            staged.open().bulk_load(path=str(plan.path), format=plan.fmt, to_graph=node)
        else:
            _bulk_load_slices(staged, plan, node)
    except SyntaxError as exc:
        raise LoadError.from_syntax(str(plan.path), exc) from None
    except (OSError, ValueError) as exc:
        raise LoadError(str(plan.path), str(exc)) from None


def _check_scan(plan: _Plan) -> None:
    """Scan an N-Triples file loading in slices (:func:`_scan_ntriples`) and act on what it finds.

    A possible ``file:`` IRI: a streaming parse decides (and refuses the file). Blank nodes:
    :class:`_BlankNodes` (the caller loads the file again, whole).
    """
    suspect, blank = _scan_ntriples(plan.path)
    if suspect:
        refuse_file_iris(plan.path, plan.target)
    if blank:
        raise _BlankNodes(plan)


def _bulk_load_slices(staged: _Staged, plan: _Plan, node: ox.NamedNode) -> None:
    """Bulk-load a large N-Triples file as slices cut at line ends, side by side, scanning it meanwhile.

    A slice parses alone as N-Triples does (one triple per line, nothing carried between lines),
    but blank-node labels are not shared between slices: the byte search that runs in this
    thread while the engine loads (:func:`_scan_ntriples`) raises :class:`_BlankNodes` when the
    file may hold any, and the caller loads it again whole. A possible ``file:`` IRI is checked
    by a streaming parse (:func:`kg.engine.load.refuse_file_iris`), which refuses the file.
    """
    path = plan.path
    size = path.stat().st_size
    workers = min(os.cpu_count() or 1, 4)
    parts = max(workers, -(-size // _CHUNK_BYTES))
    bounds = [0]
    with path.open("rb") as handle:
        for k in range(1, parts):
            handle.seek(max(k * size // parts, bounds[-1]))
            handle.readline()
            if handle.tell() < size:
                bounds.append(handle.tell())
    bounds.append(size)
    slices = list(itertools.pairwise(bounds))
    errors: list[tuple[int, BaseException]] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not slices or errors:
                    return
                start, end = slices.pop(0)
            try:
                with path.open("rb") as handle:
                    handle.seek(start)
                    data = handle.read(end - start)
                assert staged.inner is not None
                staged.inner.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
            except BaseException as exc:  # re-raised in the calling thread
                with lock:
                    errors.append((start, exc))
                return

    threads = [threading.Thread(target=work, name="kg-load-slice") for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        scan_error: BaseException | None = None
        try:
            _check_scan(plan)  # (holds the GIL; the slices load without it)
        except (LoadError, _BlankNodes) as exc:
            scan_error = exc
            with lock:
                slices.clear()  # (the slices loading finish; no new one starts)
    finally:
        for thread in threads:
            thread.join()
    if scan_error is not None:
        raise scan_error
    if errors:
        start, exc = min(errors, key=lambda item: item[0])
        if isinstance(exc, SyntaxError) and exc.lineno:  # the slice's line -> the file's line
            line = _lines_before(path, start) + exc.lineno
            raise LoadError.from_syntax(str(path), exc, line) from None
        raise exc


def _lines_before(path: Path, offset: int) -> int:
    count = 0
    with path.open("rb") as handle:
        while offset > 0:
            block = handle.read(min(offset, _SCAN_BYTES))
            if not block:
                break
            count += block.count(b"\n")
            offset -= len(block)
    return count
