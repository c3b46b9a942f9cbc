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
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset

from kg.engine.data_update import data_reach
from kg.engine.dialect import GENERIC, Dialect
from kg.engine.rdflib_parser import PARSE_LIMIT, parsed_update
from kg.engine.swap import load_lock, recover
from kg.namespaces import GRAPH, PREFIXES

__all__ = [
    "DEFAULT_GRAPH",
    "KnowledgeStore",
    "graph_replacement",
    "parsed_update",
    "write_reach",
    "written_graphs",
]

DEFAULT_GRAPH = "urn:aikg:default-graph"
"""Stands for the store's default graph in sets of graph IRIs (it has no IRI of its own)."""


def write_reach(text: str) -> tuple[frozenset[str], frozenset[str] | None] | None:
    """Return the graphs and the predicates a SPARQL 1.1 Update request can change.

    Parameters
    ----------
    text : str
        The update request (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).

    Returns
    -------
    tuple of (frozenset of str, frozenset of str or None) or None
        ``(graphs, predicates)``. Graphs: IRIs (:data:`DEFAULT_GRAPH` for the default graph) that
        the operations write to: the quads of ``INSERT DATA``/``DELETE DATA``/``DELETE WHERE``,
        the templates of ``DELETE``/``INSERT ... WHERE`` (``WITH`` graph or default graph for
        triples), the target of ``LOAD``/``CLEAR``/``DROP``/``CREATE`` and both graphs of
        ``ADD``/``MOVE``/``COPY``. Predicates: the predicate IRIs of the triples written or
        removed; None (any predicate) for a variable in predicate position or a whole-graph
        operation (``LOAD``, ``CLEAR``, ``DROP``, ``ADD``, ``MOVE``, ``COPY``); ``CREATE`` adds
        none. The whole result is None (any graph, any predicate) for a graph variable in a
        template, ``ALL``/``NAMED``, a request that rdflib does not parse, or one longer than 64 KiB.

    Notes
    -----
    Grammar: SPARQL 1.1 Update §3. ``INSERT DATA``/``DELETE DATA`` requests of the usual shape are
    read by a small tokenizer (:func:`kg.engine.data_update.data_reach`); others are parsed by rdflib
    (:func:`parsed_update`; its algebra lists each operation's quads by graph). pyoxigraph, which
    executes the request, does not report what it wrote. Erring towards None is always safe: a caller then treats everything as changed.

    Examples
    --------
    >>> graphs, predicates = write_reach("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }")
    >>> sorted(graphs), sorted(predicates)
    (['http://e/g'], ['http://e/b'])
    >>> write_reach("DROP GRAPH <http://e/g>")[1] is None
    True
    """
    if len(text) > PARSE_LIMIT:  # bulk data: reading it costs more than treating it as touching anything
        return None
    fast = data_reach(text)  # the common INSERT DATA / DELETE DATA, without rdflib's parser
    if fast is not None:
        return fast
    return _parsed_reach(text)


def _parsed_reach(text: str) -> tuple[frozenset[str], frozenset[str] | None] | None:
    # write_reach through rdflib's algebra of the request.
    request = parsed_update(text)
    if request is None:
        return None
    from rdflib import URIRef

    graphs: set[str] = set()
    predicates: set[str] | None = set()

    def note(triples: Any) -> None:
        nonlocal predicates
        for _s, p, _o in triples or ():
            if predicates is not None and isinstance(p, URIRef):
                predicates.add(str(p))
            else:
                predicates = None

    def template(quads: Any, triples: Any, default: Any) -> bool:
        for graph, quad_triples in (quads or {}).items():
            if not isinstance(graph, URIRef):
                return False
            graphs.add(str(graph))
            note(quad_triples)
        if triples:
            note(triples)
            if default is None:
                graphs.add(DEFAULT_GRAPH)
            elif isinstance(default, URIRef):
                graphs.add(str(default))
            else:
                return False
        return True

    for op in request.algebra:
        # rdflib's CompValue.get does not return None for a missing key: test membership.
        field = {key: op[key] for key in op}
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            known = template(field.get("quads"), field.get("triples"), None)
        elif name == "Modify":
            parts = [{key: part[key] for key in part} for part in (field.get("delete"), field.get("insert")) if part]
            known = all(template(part.get("quads"), part.get("triples"), field.get("withClause")) for part in parts)
        elif name in ("Load", "Clear", "Drop", "Create"):
            target = field.get("graphiri")
            known = isinstance(target, URIRef) or target == "DEFAULT" or (name == "Load" and target is None)
            if known:
                graphs.add(str(target) if isinstance(target, URIRef) else DEFAULT_GRAPH)
            if name != "Create":
                predicates = None
        elif name in ("Add", "Move", "Copy"):
            known = True
            predicates = None
            for graph in field.get("graph") or []:
                if isinstance(graph, URIRef):
                    graphs.add(str(graph))
                elif graph == "DEFAULT":
                    graphs.add(DEFAULT_GRAPH)
                else:
                    known = False
        else:
            known = False
        if not known:
            return None
    return frozenset(graphs), (frozenset(predicates) if predicates is not None else None)


def written_graphs(text: str) -> frozenset[str] | None:
    """Return the graphs a SPARQL 1.1 Update request can change, or None when that is not known.

    Parameters
    ----------
    text : str
        The update request (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).

    Returns
    -------
    frozenset of str or None
        The graphs of :func:`write_reach`; None when it is None (any graph may change).

    Examples
    --------
    >>> sorted(written_graphs("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }"))
    ['http://e/g']
    >>> written_graphs("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    True
    """
    reach = write_reach(text)
    return None if reach is None else reach[0]


def graph_replacement(
    graph: str, triples: Sequence[ox.Triple], *, drop: bool = True, dialect: Dialect = GENERIC
) -> str:
    r"""Return the SPARQL Update text that replaces (or, ``drop=False``, adds to) one named graph.

    ``DROP SILENT GRAPH`` then the engine's insert operations
    (:meth:`~kg.engine.dialect.Dialect.insert_operations`: one ``INSERT DATA``, or for
    Virtuoso short blocks and no blank node in data); no insert at all for no triple (Virtuoso
    7.2 refuses ``GRAPH <g> { }`` inside ``INSERT DATA`` as a syntax error, though SPARQL 1.1
    allows it). Only engine-serialized terms go into the text: the graph IRI as pyoxigraph
    writes a validated ``NamedNode``, the triples as N-Triples.

    Parameters
    ----------
    graph : str
        IRI of the named graph.
    triples : sequence of pyoxigraph.Triple
        Its new content (may be empty).
    drop : bool, optional
        Drop the graph's current content first (default True).
    dialect : kg.engine.dialect.Dialect, optional
        The engine the text is for (default: SPARQL 1.1 as written).

    Returns
    -------
    str
        The update request; "" when there is nothing to do (``drop=False`` and no triple).

    Raises
    ------
    ValueError
        If `graph` is not a valid IRI.

    Examples
    --------
    >>> graph_replacement("http://e/g", [])
    'DROP SILENT GRAPH <http://e/g>'
    >>> t = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("1"))
    >>> graph_replacement("http://e/g", [t], drop=False)
    'INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> "1" .\n } }'
    """
    name = ox.NamedNode(graph)
    parts = [f"DROP SILENT GRAPH {name}"] if drop else []
    return " ;\n".join(parts + dialect.insert_operations(name, triples))


class KnowledgeStore:
    """A quad store with a version number that changes on every write.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Directory of a persistent (RocksDB) store, created when missing. ``None`` keeps the
        store in memory. What a killed staged load left beside it is finished or undone first
        (:func:`kg.engine.swap.recover`).

    Raises
    ------
    LoadError
        If a staged load into `path` is running in another process (:func:`kg.engine.swap.load_lock`).
    OSError
        If the engine cannot open the store (another process holds it).

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
            from kg.engine.disk import DiskEngine

            with load_lock(self.path, optional=True) as held:  # no staged load midway (kg.engine.swap)
                if held:
                    recover(self.path)  # finish or undo what a killed load left
                # Its writer is a process of its own; this one reads checkpoints (why: kg.engine.disk).
                self.inner = DiskEngine(self.path)  # type: ignore[assignment]
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
        self.touched: frozenset[str] | None = None
        """Graphs the last write may have changed (:data:`DEFAULT_GRAPH` for the default graph);
        None when any graph may have. Listeners read it while they run."""
        self.touched_predicates: frozenset[str] | None = None
        """Predicates the last write may have changed; None when any predicate may have."""
        self.previous_version = ""
        """The dataset version before the last write (listeners may carry what did not change);
        empty before the first write. (Not :attr:`version` here: a subclass's may need attributes
        its constructor sets after this one.)"""
        self.last_update: str | None = None
        """The SPARQL Update text of the last write, None when it was another kind of write
        (query workers replay data-only updates on their copies)."""

    # -- identity -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Return the dataset version: it changes with every write (used for ETags and caches)."""
        return f"{self._instance}-{self._counter}"

    def __len__(self) -> int:
        """Return the number of items."""
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
    def write(
        self, graphs: Iterable[str] | None = None, predicates: Iterable[str] | None = None, text: str | None = None
    ) -> Any:
        """Hold the write lock; on exit bump the version and notify listeners.

        Parameters
        ----------
        graphs : iterable of str, optional
            The only graphs the write can change (set as :attr:`touched` for the listeners);
            default: any graph.
        predicates : iterable of str, optional
            The only predicates the write can change (set as :attr:`touched_predicates`);
            default: any predicate.
        text : str, optional
            The SPARQL Update request the write applies and nothing else (set as :attr:`last_update`).

        Yields
        ------
        pyoxigraph.Store
            The engine, to write to.
        """
        with self.lock:
            try:
                yield self.inner
            finally:
                self.touched = frozenset(graphs) if graphs is not None else None
                self.touched_predicates = frozenset(predicates) if predicates is not None else None
                self.last_update = text
                self.previous_version = self.version
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
        One SPARQL Update request (:func:`graph_replacement`) runs in one Oxigraph
        transaction, so readers and a crash see either the old or the new graph.
        """
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        with self.write([graph]) as inner:
            inner.update(graph_replacement(graph, triples, dialect=getattr(inner, "dialect", GENERIC)))
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
        with self.write(None if fmt.supports_datasets else [target.value]) as inner:
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
        reach = write_reach(text)
        with self.write(*(reach or (None, None)), text=text) as inner:
            inner.update(text, prefixes=PREFIXES)

    def flush(self) -> None:
        """Make on-disk writes durable (no-op in memory)."""
        if self.path is not None:
            self.inner.flush()
