"""An on-disk store whose writer lives in a process of its own, read through checkpoints.

Query workers are forked from the server (they share its label index and other per-version values
copy-on-write), and a fork is only safe from a process in which no RocksDB instance does
background work: measured here, children forked while a RocksDB primary took writes hung in about
one fork in a hundred (300 forks: 2 hangs opening a writable copy, 3 opening a read-only one),
while children forked from a process holding only read-only instances, with two threads querying
them, never did (500 of 500). So the server keeps no writable instance:

- a **writer process** (a fresh interpreter started with ``subprocess``, never forked from,
  never forking) holds the RocksDB primary and applies every write;
- after each write it makes a **checkpoint** (``Store.backup``: RocksDB hard links, about 10 ms at
  100k models) that this process opens read-only (``Store.read_only``, about 17 ms) for its own
  reads when it next reads, and that query workers open read-only themselves after their fork.

The data is thus held once, by the operating system's page cache, instead of once per process (the
in-memory copy the pool used to fork from cost 100 MB at 10k models, about 1 GB at 100k, and each
worker's reads made parts of it private).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.engine.data_tag import bump_data_tag, data_tag
from kg.engine.heap import trim_heap

__all__ = ["DiskEngine"]

log = logging.getLogger(__name__)

_GRACE_S = 120.0
"""How long a superseded checkpoint stays on disk for reads of this process that began before the
write (their iterators keep the engine's files open); workers' checkpoints are freed when the last
worker that opened them is gone."""


_WRITER = """
import sys
sys.path[:0] = {path!r}
from multiprocessing.connection import Connection
from kg.engine.disk import writer_main
writer_main(Connection({fd}), {store!r})
"""


def _update(store: ox.Store, text: str, prefixes: dict[str, str] | None) -> None:
    store.update(text, prefixes=prefixes)
    if len(text) > 1 << 16:  # a graph replaced (a load, an import): its parse is freed
        trim_heap()


def _bulk_load(store: ox.Store, file: str, extension: str, graph: str | None) -> None:
    fmt = ox.RdfFormat.from_extension(extension)
    store.bulk_load(path=file, format=fmt, to_graph=ox.NamedNode(graph) if graph else None)
    trim_heap()  # the loader's buffers: freed, but held by the allocator


def _optimize(store: ox.Store) -> None:
    store.optimize()
    trim_heap()


_OPERATIONS: dict[str, Callable[..., None]] = {
    "update": _update,
    "bulk_load": _bulk_load,
    "extend": lambda store, quads: store.extend(quads),
    "remove": lambda store, quad: store.remove(quad),
    "optimize": _optimize,
    "flush": lambda store: store.flush(),
    "backup": lambda store, target: store.backup(target),
}
"""What the writer process does for each request from the server (``(operation, args)``)."""


_REST_S = 2.0
"""Seconds without a request after which the writer closes and reopens its store: what RocksDB
cached for the writes (blocks read by updates, table readers, memtable arenas) goes back to the
system (measured at 10k models: the writer's own memory after start-up, 32 -> 17 MB)."""


def _open(path: str) -> ox.Store:
    # The writer of a store this process's caller just dropped may still be on its way out (it
    # flushes first): its lock is released within moments.
    deadline = time.monotonic() + 30
    while True:
        try:
            return ox.Store(path)
        except OSError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _resting(conn: Connection) -> bool:
    # True when no request came for _REST_S seconds (a closed pipe is a request: recv reports it).
    try:
        return not conn.poll(_REST_S)
    except OSError:
        return False


def writer_main(conn: Connection, path: str) -> None:
    """Run the writer process: one RocksDB primary, one request at a time from `conn`.

    Parameters
    ----------
    conn : multiprocessing.connection.Connection
        The pipe to the server: ``(operation, args)`` in, ``(ok, value)`` out.
    path : str
        The store's directory.
    """
    # Ctrl-C in a terminal reaches the whole process group: the server decides when this stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="kg-writer-parent", daemon=True).start()
    store = _open(path)
    wrote = False
    while True:
        if wrote and _resting(conn):
            # Drop what the instance cached for the writes (read blocks, table readers, memtable
            # arenas) and reopen it: the next write reads what it needs again.
            store.flush()
            del store
            trim_heap()
            store = _open(path)
            wrote = False
        try:
            op, args = conn.recv()
        except (EOFError, OSError):  # the server is gone: what it wrote stays
            store.flush()
            break
        try:
            if op == "stop":
                store.flush()
                conn.send((True, None))
                break
            if op not in _OPERATIONS:
                raise ValueError(f"unknown writer operation {op!r}")
            reply: tuple[bool, Any] = (True, _OPERATIONS[op](store, *args))
            wrote = True
        except Exception as exc:
            reply = (False, (type(exc).__name__, str(exc), getattr(exc, "lineno", None)))
        conn.send(reply)
    os._exit(0)


def _exit_with_parent(parent: int) -> None:
    # A process killed outright (kill -9, the OOM killer) cannot stop its writer. Its death closes
    # the pipe, which an idle writer sees at once; one in the middle of a write would finish it,
    # so a write its caller never saw complete would land. This thread ends the writer instead
    # (no flush: what RocksDB did not commit is rolled back at the next open), within 50 ms.
    while os.getppid() == parent:
        time.sleep(0.05)
    os._exit(1)


def _stop_writer(conn: Connection, calls: threading.Lock, process: subprocess.Popen[bytes], root: Path) -> None:
    # Not a method: weakref.finalize must not hold the engine itself.
    with contextlib.suppress(OSError, EOFError), calls:
        conn.send(("stop", ()))
        conn.recv()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    conn.close()
    shutil.rmtree(root, ignore_errors=True)


_ERRORS: dict[str, type[Exception]] = {
    "SyntaxError": SyntaxError,
    "OSError": OSError,
    "ValueError": ValueError,
    "RuntimeError": RuntimeError,
    "TypeError": TypeError,
}


class DiskEngine:
    """The part of :class:`pyoxigraph.Store` the core calls, for an on-disk store.

    Parameters
    ----------
    path : str or pathlib.Path
        Directory of the RocksDB store (created when missing). Checkpoints go to the sibling
        directory ``{path}.checkpoints`` (same file system, so they are hard links).
    grace_s : float, optional
        How long a superseded checkpoint stays for reads of this process that began before the
        write, in seconds (default 120); workers' checkpoints stay while a worker reads them.

    Attributes
    ----------
    path : pathlib.Path
        The store's directory.
    tag : str
        The store's data tag (:mod:`kg.engine.data_tag`): changes before every write, so what is
        cached beside the store under it describes the data the reads see.

    Notes
    -----
    Reads (:meth:`query`, :meth:`quads_for_pattern`, ...) go to the read-only checkpoint of the
    latest write; writes go to the writer process and return once it applied them and made the
    next checkpoint, so a read that starts after a write returns sees it. Calls that write must
    be serialised by the caller (:meth:`kg.engine.store.KnowledgeStore.write` holds its lock).
    """

    def __init__(self, path: str | Path, grace_s: float = _GRACE_S) -> None:
        self.grace_s = grace_s
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.root = Path(f"{self.path}.checkpoints")
        # Leftovers of an earlier server (killed, so nothing freed them): nobody reads them.
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        # A fresh interpreter, not multiprocessing's spawn, which would run the caller's main
        # module again; it imports this package from where this process found it.
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        code = _WRITER.format(path=[package_root], fd=theirs.fileno(), store=str(self.path))
        # Two malloc arenas, not one per thread of RocksDB's pools (each keeps what it freed).
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=[theirs.fileno()], env=env)
        theirs.close()
        self._conn = Connection(ours.detach())
        self._calls = threading.Lock()
        self._sequence = itertools.count()
        self._holds: dict[Path, int] = {}
        self._retired: dict[Path, float] = {}
        self._books = threading.Lock()
        # Stops the writer and removes the checkpoints when this object goes or the interpreter
        # exits (a CLI command that never calls close() left DIR.checkpoints behind).
        self._finalizer = weakref.finalize(self, _stop_writer, self._conn, self._calls, self._process, self.root)
        self.checkpoint: Path = self._backup()
        self._reader: ox.Store | None = ox.Store.read_only(str(self.checkpoint))
        self._reading = self.checkpoint  # the checkpoint _reader opened
        self._reopening = threading.Lock()
        self.tag = data_tag(self.path)

    # -- the writer ---------------------------------------------------------------------------
    def _call(self, op: str, *args: Any) -> Any:
        with self._calls:
            try:
                self._conn.send((op, args))
                ok, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise OSError(f"the store's writer process ended (exit code {self._process.poll()})") from exc
        if ok:
            return value
        name, message, lineno = value
        error = _ERRORS.get(name, RuntimeError)(message)
        if lineno is not None and isinstance(error, SyntaxError):
            error.lineno = lineno
        raise error

    def _write(self, op: str, *args: Any) -> None:
        # The data tag changes before the data does: a write cut short leaves a tag no cache was
        # built from (kg.engine.data_tag).
        self.tag = bump_data_tag(self.path)
        self._call(op, *args)
        self._written()

    def _backup(self, prefix: str = "") -> Path:
        target = self.root / f"{prefix}{next(self._sequence):08d}"
        self._call("backup", str(target))
        return target

    def _written(self) -> None:
        # After a write: the next checkpoint becomes what this process reads, opened when it next
        # reads (_current): opening it took 7 of a write's 25 ms, and the service reads through
        # its query workers, which open the checkpoint themselves.
        previous = self.checkpoint
        self.checkpoint = self._backup()
        with self._reopening:
            self._reader = None  # let go of the files of the checkpoint just superseded
        with self._books:
            self._retired[previous] = time.monotonic()
        self.sweep()

    def _current(self) -> ox.Store:
        # The reader of the latest checkpoint: a read that starts after a write returned sees it.
        reader = self._reader
        if reader is not None and self._reading == self.checkpoint:
            return reader
        with self._reopening:
            if self._reader is None or self._reading != self.checkpoint:
                self._reading = self.checkpoint
                self._reader = ox.Store.read_only(str(self._reading))
            return self._reader

    def update(self, text: str, prefixes: dict[str, str] | None = None) -> None:
        """Apply a SPARQL 1.1 Update request in one transaction (pyoxigraph's ``Store.update``)."""
        self._write("update", text, prefixes)

    def bulk_load(self, *, path: str, format: ox.RdfFormat, to_graph: ox.NamedNode | None = None, **_: Any) -> None:
        """Load a file with Oxigraph's bulk loader (no transaction: for new graphs)."""
        self._write("bulk_load", str(path), format.file_extension, to_graph.value if to_graph else None)

    def extend(self, quads: Any) -> None:
        """Add quads in one transaction."""
        self._write("extend", list(quads))

    def add(self, quad: ox.Quad) -> None:
        """Add one quad."""
        self.extend([quad])

    def remove(self, quad: ox.Quad) -> None:
        """Remove one quad."""
        self._write("remove", quad)

    def optimize(self) -> None:
        """Compact the store (RocksDB full compaction)."""
        self._call("optimize")

    def flush(self) -> None:
        """Make the writes durable."""
        self._call("flush")

    def close(self) -> None:
        """Stop the writer process (after a flush) and remove the checkpoints (once; later calls do nothing)."""
        self._finalizer()

    # -- checkpoints for workers ---------------------------------------------------------------
    def hold(self) -> Path:
        """Return the current checkpoint and count one more worker reading it.

        Called with the store's write lock held, so the checkpoint is the latest write's.
        """
        with self._books:
            self._holds[self.checkpoint] = self._holds.get(self.checkpoint, 0) + 1
            return self.checkpoint

    def private_checkpoint(self) -> Path:
        """Make a checkpoint of the latest write for one worker to open writable (then :meth:`discard`).

        Returns
        -------
        pathlib.Path
            Its directory (hard links: about 10 ms at 100k models).

        Raises
        ------
        OSError
            If the writer process failed to make it.
        """
        return self._backup("private-")

    def discard(self, checkpoint: Path) -> None:
        """Remove a checkpoint of :meth:`private_checkpoint` (its worker is gone)."""
        shutil.rmtree(checkpoint, ignore_errors=True)

    def release(self, checkpoint: Path) -> None:
        """Count one worker less on `checkpoint` (from :meth:`hold`); free it once unread."""
        with self._books:
            left = self._holds.get(checkpoint, 0) - 1
            if left > 0:
                self._holds[checkpoint] = left
            else:
                self._holds.pop(checkpoint, None)
        self.sweep()

    def sweep(self) -> None:
        """Remove superseded checkpoints that no worker holds and this process stopped reading."""
        now = time.monotonic()
        with self._books:
            gone = [
                path for path, since in self._retired.items() if path not in self._holds and now - since >= self.grace_s
            ]
            for path in gone:
                del self._retired[path]
        for path in gone:
            shutil.rmtree(path, ignore_errors=True)

    # -- reads ------------------------------------------------------------------------------------
    def query(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate a SPARQL query on the latest checkpoint (pyoxigraph's ``Store.query``)."""
        return self._current().query(*args, **kwargs)

    def quads_for_pattern(self, *args: Any, **kwargs: Any) -> Iterator[ox.Quad]:
        """Return the quads matching a pattern (pyoxigraph's ``Store.quads_for_pattern``)."""
        return self._current().quads_for_pattern(*args, **kwargs)  # type: ignore[no-any-return]

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        """Return the named graphs (pyoxigraph's ``Store.named_graphs``)."""
        return self._current().named_graphs()  # type: ignore[no-any-return]

    def contains_named_graph(self, graph: Any) -> bool:
        """Tell whether a named graph exists."""
        return bool(self._current().contains_named_graph(graph))

    def dump(self, *args: Any, **kwargs: Any) -> Any:
        """Serialize quads (pyoxigraph's ``Store.dump``)."""
        return self._current().dump(*args, **kwargs)

    def __len__(self) -> int:
        """Return the number of quads."""
        return len(self._current())

    def __iter__(self) -> Iterator[ox.Quad]:
        """Iterate over every quad."""
        return iter(self._current())

    def __contains__(self, quad: object) -> bool:
        """Tell whether the store holds `quad`."""
        return quad in self._current()
