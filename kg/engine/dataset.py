"""What a read sees: the graphs behind the default graph today, the snapshot catalogue, and views of the dataset as of a date.

No double counting
------------------
Queries see the union of the *current* graphs as their default graph; import snapshot graphs
(``graph/snapshot/{source}/{version}``) are left out of it (:func:`union_dataset` is what every
read passes to the engine), so old snapshots never count and old values never leak into today's
answers. A store without snapshots keeps the engine's plain union.

As of a date
------------
:func:`graphs_as_of` lists the graphs behind the answer at an instant: every graph that is not
an import (ontology, curated data, history) plus, for each source, its latest snapshot taken at
or before the instant. The REST ``as_of`` parameter reads through :func:`read_as_of`, which
copies the graphs of the date into a :func:`view_store` whose default graph is their *set* union:
there a shared fact is one solution, and a conflicting value is listed beside the curated one,
each with its graph. SPARQL does the same by naming the graphs (``FROM`` or
``default-graph-uri``); which snapshot was current when is in the catalogue (graph
``graph/history``, see :func:`snapshots`). The import driver (:mod:`kg.ingest.run`) writes
snapshots; diffs between them are :mod:`kg.ingest.history`.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import pyoxigraph as ox

from kg.errors import InvalidParameterError
from kg.namespaces import GRAPH, PREFIXES
from kg.queries import named_query

IMPORT_PREFIX = str(GRAPH) + "import/"


SNAPSHOT_PREFIX = str(GRAPH) + "snapshot/"


SAVED_QUERIES_GRAPH = str(GRAPH) + "saved-queries"
"""Graph of the queries saved under short links (``/q/{id}``, :mod:`kg.views.saved_queries`):
kept out of the default graph like the snapshots, so a saved query is never counted as data."""


VERSION_GRAPH = str(GRAPH) + "meta"
"""Graph of the dataset version marker a remote engine holds (:mod:`kg.engine.remote`): every write
made through the API tier replaces it in the same request, so every replica sees the same version.
Kept out of the default graph: it is bookkeeping, not data."""


def kept_out(graph: str) -> bool:
    """Return True for a named graph the default graph leaves out (snapshots, saved queries, version marker).

    Examples
    --------
    >>> kept_out(SAVED_QUERIES_GRAPH), kept_out(snapshot_graph("epoch", 1)), kept_out(import_graph("epoch"))
    (True, True, False)
    """
    return graph.startswith(SNAPSHOT_PREFIX) or graph in (SAVED_QUERIES_GRAPH, VERSION_GRAPH)


HISTORY_GRAPH = str(GRAPH) + "history"
"""Catalog graph of all snapshots (part of the default graph)."""


_XSD = PREFIXES["xsd"]


_PROV = PREFIXES["prov"]


_DCT = PREFIXES["dcterms"]


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


def import_graph(source: str) -> str:
    """Return the IRI of the current graph of `source` (``graph/import/{source}``)."""
    return IMPORT_PREFIX + source


def snapshot_graph(source: str, version: int) -> str:
    """Return the IRI of snapshot `version` of `source` (``graph/snapshot/{source}/{version}``)."""
    return f"{SNAPSHOT_PREFIX}{source}/{version}"


def current_graphs(store: ox.Store) -> list[str]:
    """Return the named graphs that make up the default graph today (snapshots, saved queries left out), sorted.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.

    Returns
    -------
    list of str
    """
    names = (g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return sorted(g for g in names if not kept_out(g))


def union_dataset(store: ox.Store, graphs: Sequence[str] | None = None) -> dict[str, Any]:
    """Return the pyoxigraph query options of the default dataset.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graphs : sequence of str, optional
        Graphs to use instead of today's (e.g. :func:`graphs_as_of`); they are both the
        default graph (their union) and the named graphs ``GRAPH ?g`` ranges over.

    Returns
    -------
    dict
        ``use_default_graph_as_union=True`` when the store holds no graph it keeps out
        (:func:`kept_out`: snapshots, saved queries) and no `graphs`
        are given (the engine's fast path); no option at all for the view store of an enclosing
        :func:`read_as_of` (its own default graph is the view); otherwise ``default_graph`` and
        ``named_graphs`` listing the current graphs.
    """
    if graphs is None and _VIEW.get() is store:
        return {}
    held = _READ.get()
    if graphs is None and held is not None and held[0] is store:
        return held[1]
    if graphs is None:
        names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        if not any(kept_out(g) for g in names):
            return {"use_default_graph_as_union": True}
        graphs = [g for g in names if not kept_out(g)]
    nodes = [ox.NamedNode(g) for g in graphs]
    return {"default_graph": nodes, "named_graphs": nodes}


_VIEW: ContextVar[ox.Store | None] = ContextVar("aikg_view", default=None)
"""The view store :func:`read_as_of` is running a read on (None outside one)."""


_VIEWS: OrderedDict[str, ox.Store] = OrderedDict()


_VIEWS_KEPT = 4


_VIEWS_LOCK = threading.Lock()


def view_store(store: ox.Store, graphs: Sequence[str]) -> ox.Store:
    """Copy some named graphs into a new in-memory store whose default graph is their set union.

    A default graph given as a list of graphs is a *bag* union in Oxigraph: a triple two graphs
    hold is a solution once per graph, and a query with several OPTIONAL parts multiplies those
    copies (measured on the embedded graph with the four real sources imported: ``models.rq``
    gave 342,865 rows in 27 s instead of 4,947 rows in 0.16 s). The copy is a set: each triple
    once in the default graph, and each graph under its own name for ``GRAPH ?g`` (which graph
    said what).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graphs : sequence of str
        Named graph IRIs (e.g. :func:`graphs_as_of`).

    Returns
    -------
    pyoxigraph.Store
        In memory; 0.2 s for the 90,000 triples of the example above.

    Examples
    --------
    >>> s = ox.Store()
    >>> t = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"), ox.NamedNode("http://e/g1"))
    >>> s.extend([t, ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://e/g2"))])
    >>> v = view_store(s, ["http://e/g1", "http://e/g2"])
    >>> len(list(v.query("SELECT * WHERE { ?s ?p ?o }"))), len(v)
    (1, 3)
    """
    view = ox.Store()
    for graph in graphs:
        node = ox.NamedNode(graph)
        # Native N-Triples round trip per graph: lossless, blank nodes stay one node per graph.
        view.load(
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node), format=ox.RdfFormat.N_TRIPLES, to_graph=node
        )
    view.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return view


def _cached_view(store: ox.Store, graphs: list[str], key: str) -> ox.Store:
    # One copy per dataset version and view, a few kept (each worker process keeps its own).
    with _VIEWS_LOCK:
        view = _VIEWS.get(key)
        if view is not None:
            _VIEWS.move_to_end(key)
            return view
        base = key.partition("@")[0]
        for old in [k for k in _VIEWS if k.partition("@")[0] != base]:
            del _VIEWS[old]
        view = _VIEWS[key] = view_store(store, graphs)
        while len(_VIEWS) > _VIEWS_KEPT:
            _VIEWS.popitem(last=False)
        return view


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(text: str, parameter: str = "as_of") -> date:
    """Read an ``as_of`` request parameter: an ISO 8601 calendar date, ``YYYY-MM-DD``.

    Parameters
    ----------
    text : str
        The value as given.
    parameter : str, optional
        Parameter name for the error.

    Returns
    -------
    datetime.date

    Raises
    ------
    InvalidParameterError
        Naming `parameter`, if `text` is not a real day written ``YYYY-MM-DD``.

    Examples
    --------
    >>> parse_as_of("2025-03-01")
    datetime.date(2025, 3, 1)
    """
    value = text.strip()
    if _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidParameterError(parameter, f"{text[:40]!r} is not a date: use YYYY-MM-DD (ISO 8601), e.g. 2025-03-01")


def read_as_of(
    store: ox.Store, when: date | datetime | str, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[list[str], Any]:
    """Run ``fn(view, *args, **kwargs)`` on the landscape as it was at `when`.

    `view` is :func:`view_store` of :func:`graphs_as_of`: every read of `fn` (named queries
    through :func:`union_dataset`, ``quads_for_pattern``) sees the graphs of that date and
    nothing else, a fact two sources share once, and ``GRAPH ?g`` still tells which graph said
    what. A module-level function, so a query worker can run it (``graph.read(read_as_of, when,
    fn, ...)``): the view is built (or found) inside the worker.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    when : datetime.date, datetime.datetime or str
        As for :func:`graphs_as_of` (a date means the end of that day, UTC).
    fn : callable
        A read taking the store first (``kg.views.entity.read_entity``, ``kg.views.listing.list_collection``…).
    *args, **kwargs
        Passed on. A non-empty ``version`` keyword (the per-version cache key of
        :func:`kg.engine.memo.cached`) is extended with the snapshots in view, so cached answers of
        today and of each past view never mix, while dates that select the same snapshots share
        one cache entry (and one view store: a few are kept per process).

    Returns
    -------
    (list of str, object)
        The graphs of the view (:func:`graphs_as_of`) and what `fn` returned.

    Raises
    ------
    InvalidParameterError
        If `when` is text that is no date or date-time.
    """
    graphs = graphs_as_of(store, when)
    if kwargs.get("version"):
        in_view = ",".join(g[len(SNAPSHOT_PREFIX) :] for g in graphs if g.startswith(SNAPSHOT_PREFIX))
        kwargs["version"] = f"{kwargs['version']}@as_of:{in_view or 'no-imports'}"
        view = _cached_view(store, graphs, kwargs["version"])
    else:
        view = view_store(store, graphs)
    token = _VIEW.set(view)
    try:
        return graphs, fn(view, *args, **kwargs)
    finally:
        _VIEW.reset(token)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One kept import of a source.

    Attributes
    ----------
    source : str
        Importer key.
    version : int
        1 for the first import of the source, then 2, 3…
    graph : str
        IRI of the snapshot graph.
    time : datetime.datetime
        When the import was written (UTC).
    triples : int
        Data triples it holds (metadata excluded).
    """

    source: str
    version: int
    graph: str
    time: datetime
    triples: int

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "source": self.source,
            "version": self.version,
            "graph": self.graph,
            "time": self.time.isoformat(),
            "triples": self.triples,
        }


def snapshots(store: ox.Store, source: str | None = None) -> list[Snapshot]:
    """List the snapshots in the catalog graph, oldest first.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    source : str, optional
        Keep one source.

    Returns
    -------
    list of Snapshot
    """
    from kg.terms import python_value

    out = []
    for row in store.query(named_query("snapshots"), prefixes=PREFIXES):
        src = python_value(row["source"])
        if source is not None and src != source:
            continue
        out.append(
            Snapshot(
                src,
                int(python_value(row["version"])),
                python_value(row["snapshot"]),
                _parse_time(python_value(row["time"])),
                int(python_value(row["triples"]) or 0),
            )
        )
    return sorted(out, key=lambda s: (s.time, s.source, s.version))


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_instant(when: date | datetime | str, parameter: str = "as_of") -> datetime:
    """Return the instant of a date (its end, UTC), a datetime or an ISO 8601 string."""
    if isinstance(when, str):
        text = when.strip()
        try:
            when = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidParameterError(
                parameter, f"{when!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time"
            ) from None
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.combine(when, dtime.max, tzinfo=UTC)


def graphs_as_of(store: ox.Store, when: date | datetime | str) -> list[str]:
    """Return the named graphs that made up the default graph at an instant.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    when : datetime.date, datetime.datetime or str
        A date (meaning the end of that day, UTC), a date-time, or either as ISO 8601 text.

    Returns
    -------
    list of str
        Every current graph that is not an import graph (ontology, curated data, history),
        then for each source its latest snapshot taken at or before `when` (none for a source
        first imported later). Pass them as the default graph (``default_graph=`` in
        pyoxigraph, ``default-graph-uri`` in the SPARQL protocol, ``FROM`` in a query).

    Raises
    ------
    InvalidParameterError
        If `when` is text that is no date or date-time.

    Examples
    --------
    >>> s = ox.Store()
    >>> graphs_as_of(s, "2025-01-01")
    []
    """
    instant = to_instant(when)
    latest: dict[str, Snapshot] = {}
    for snap in snapshots(store):
        if snap.time <= instant:
            latest[snap.source] = snap
    base = [g for g in current_graphs(store) if not g.startswith(IMPORT_PREFIX)]
    return base + [latest[s].graph for s in sorted(latest)]


def is_snapshot_metadata(subject: str, snap: str) -> bool:
    """Return whether `subject` is the PROV metadata of snapshot `snap` (the snapshot itself, its fragments, its source files).

    Parameters
    ----------
    subject : str
        A subject IRI.
    snap : str
        IRI of the snapshot graph.

    Returns
    -------
    bool
    """
    return subject == snap or subject.startswith(snap + "#") or subject.startswith("urn:sha256:")


def snapshot_triples(store: ox.Store, graph: str) -> set[tuple[Any, Any, Any]]:
    """Return the data triples of a snapshot graph, its own metadata left out.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graph : str
        IRI of a snapshot graph.

    Returns
    -------
    set of (subject, predicate, object)
        pyoxigraph terms.
    """
    out = set()
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        if isinstance(q.subject, ox.NamedNode) and is_snapshot_metadata(q.subject.value, graph):
            continue
        out.add((q.subject, q.predicate, q.object))
    return out


_READ: ContextVar[tuple[ox.Store, dict[str, Any]] | None] = ContextVar("aikg_read", default=None)
"""The store and default dataset of the read :func:`within_read` is running (None outside one)."""


def within_read(store: ox.Store, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(store, *args, **kwargs)`` with the default dataset decided once for the whole read.

    A read such as an entity record runs a dozen queries; each would otherwise list the named
    graphs again to decide its dataset (:func:`union_dataset`). Within one read the store cannot
    change (a worker holds a copy as of its fork; in process, writes wait for the read), so the
    decision is taken once and reused.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    fn : callable
        The read; it takes the store first.
    *args, **kwargs
        Passed on to `fn`.

    Returns
    -------
    object
        What `fn` returned.
    """
    token = _READ.set((store, union_dataset(store)))
    try:
        return fn(store, *args, **kwargs)
    finally:
        _READ.reset(token)
