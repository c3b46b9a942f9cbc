"""The store: an rdflib ``Dataset`` backed by Oxigraph, in memory or on disk.

Reads on the serving path go to the pyoxigraph store underneath (``KnowledgeStore.inner``);
rdflib's ``Dataset`` view is there for tools that speak rdflib (pySHACL, serializers, tests).
Every write goes through :meth:`KnowledgeStore.write`, which holds one lock, bumps the dataset
version and tells listeners (query workers, result cache) that earlier answers are stale.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from kg.namespaces import GRAPH, PREFIXES

__all__ = ["KnowledgeStore"]


class KnowledgeStore:
    """A quad store with a version number that changes on every write.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Directory of a persistent (RocksDB) store, created when missing. ``None`` keeps the
        store in memory.

    Attributes
    ----------
    inner : pyoxigraph.Store
        The engine; queries use the union of all named graphs as their default graph.
    dataset : rdflib.Dataset
        The same quads seen through rdflib (store plugin ``oxrdflib``).
    path : pathlib.Path or None
        The on-disk location, or ``None`` in memory.

    Examples
    --------
    >>> store = KnowledgeStore()
    >>> store.replace_graph("https://w3id.org/aikg/graph/demo",
    ...     ox.parse(b"<http://e/a> <http://e/p> <http://e/o> .", format=ox.RdfFormat.N_TRIPLES))
    1
    >>> len(store)
    1
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            self.inner = ox.Store(str(self.path))
        else:
            self.inner = ox.Store()
        self.dataset = Dataset(store=OxigraphStore(store=self.inner), default_union=True)
        for prefix, namespace in PREFIXES.items():
            self.dataset.bind(prefix, namespace, override=True)
        self.lock = threading.RLock()
        self._instance = uuid.uuid4().hex[:8]
        self._counter = 0
        self.changed_at = time.time()
        self._listeners: list[Callable[[], None]] = []

    # -- identity -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Return the dataset version: it changes with every write (used for ETags and caches)."""
        return f"{self._instance}-{self._counter}"

    def __len__(self) -> int:
        return len(self.inner)

    def is_empty(self) -> bool:
        """Return True when the store holds no quad at all."""
        return next(iter(self.inner.quads_for_pattern(None, None, None)), None) is None

    def named_graphs(self) -> list[str]:
        """Return the IRIs of all named graphs, sorted."""
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    @property
    def writable(self) -> bool:
        """Return True when the engine accepts writes (always, for the embedded engine)."""
        return True

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener` (no arguments) after every write."""
        self._listeners.append(listener)

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Any:
        """Hold the write lock; on exit bump the version and notify listeners.

        Yields
        ------
        pyoxigraph.Store
            The engine, to write to.
        """
        with self.lock:
            try:
                yield self.inner
            finally:
                self._counter += 1
                self.changed_at = time.time()
                for listener in list(self._listeners):
                    listener()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad | ox.Triple]) -> int:
        """Replace the content of one named graph, atomically.

        Parameters
        ----------
        graph : str
            IRI of the named graph.
        quads : iterable of pyoxigraph.Quad or pyoxigraph.Triple
            The new content; the graph component of quads is ignored.

        Returns
        -------
        int
            Number of triples now in the graph.

        Notes
        -----
        One SPARQL Update request (``DROP SILENT GRAPH`` then ``INSERT DATA``) runs in one
        Oxigraph transaction, so readers and a crash see either the old or the new graph.
        """
        name = ox.NamedNode(graph)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        with self.write() as inner:
            inner.update(f"DROP SILENT GRAPH {name} ; INSERT DATA {{ GRAPH {name} {{ {body.decode()} }} }}")
        return len(triples)

    def bulk_load(self, path: Path, graph: str | None = None) -> None:
        """Load a large file fast, without a transaction (for new, empty stores).

        Parameters
        ----------
        path : pathlib.Path
            RDF file; its format is guessed from the extension.
        graph : str, optional
            Target named graph for triple formats; default ``graph/{file stem}``.
        """
        target = ox.NamedNode(graph or str(GRAPH[path.stem]))
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        with self.write() as inner:
            inner.bulk_load(path=str(path), format=fmt, to_graph=None if fmt.supports_datasets else target)
            inner.optimize()

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update request in one transaction.

        Parameters
        ----------
        text : str
            The update request; the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared.

        Raises
        ------
        SyntaxError
            If the request does not parse (pyoxigraph's message, with line and column).
        OSError
            If the engine fails to read or write.
        """
        with self.write() as inner:
            inner.update(text, prefixes=PREFIXES)

    def flush(self) -> None:
        """Make on-disk writes durable (no-op in memory)."""
        if self.path is not None:
            self.inner.flush()
