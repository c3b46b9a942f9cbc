"""A remote SPARQL 1.1 engine behind the pyoxigraph ``Store`` interface the core uses.

``kg serve --store http://host:port/sparql`` keeps the graph in an existing server (Oxigraph
server, Apache Jena Fuseki, Virtuoso, GraphDB, QLever, Amazon Neptune) and serves the same API
over it. :class:`RemoteStore` offers the subset of :class:`pyoxigraph.Store` that the core calls
(``query``, ``update``, ``quads_for_pattern``, ``named_graphs``, ``bulk_load``, ``len``) and
speaks the SPARQL 1.1 Protocol with httpx; answers are parsed back into pyoxigraph objects
(:func:`pyoxigraph.parse_query_results`, :func:`pyoxigraph.parse`), so every core function
(lookups, analytics, the endpoint's native serialization) runs unchanged.

Design notes
------------
- **Safety.** A query is first parsed by pyoxigraph on an empty local store (syntax errors get
  the same line and column as the embedded engine; the result type tells the query form).
  Bound values (``substitutions``) are serialized by pyoxigraph and sent as a ``VALUES`` block
  at the start of the query's WHERE group, never as concatenated user text.
- **Union default graph.** The core queries the union of the named graphs. The protocol way
  to ask for it is one ``default-graph-uri`` per named graph (SPARQL 1.1 Protocol §2.1.4), sent
  with the same list as ``named-graph-uri`` (a dataset given in the request has only the named
  graphs it lists) when the engine has named graphs; with none, the engine's own default graph
  is queried. The list is read once per write made through this tier.
- **Time limits.** The HTTP client stops waiting after the query time limit; the engine's own
  limit (``oxigraph serve --timeout-s``, Virtuoso's ``MaxQueryExecutionTime``, Fuseki's
  ``arq:queryTimeout``) is what frees the engine's CPU.
- **Versions come from the engine.** Every update sent through this tier also replaces a
  version marker (``<urn:aikg:dataset> dcterms:identifier "{uuid}"`` in
  :data:`~kg.engine.dataset.VERSION_GRAPH`), in the same request after the caller's operations
  (one SPARQL Update request is one transaction on Oxigraph server). A read fetches the marker
  with one tiny SELECT, at most once per HTTP request (:data:`READ_STARTED`: a marker read since
  the request began is reused, so concurrent requests share reads), and the version
  (:attr:`RemoteKnowledgeStore.version`: ETags, cache keys) is made of it. So every replica sees
  a new version as soon as any replica's write has returned, and all replicas give the same
  ETags. A write made directly on the engine does not change the marker: for those the version
  also changes every ``ttl_s`` seconds. The marker graph is left out of the graphs this tier
  lists (so out of the union default graph); an engine whose own default graph is the union
  (``union_default``) shows its two triples there.
"""

from __future__ import annotations

import base64
import http.client
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox

from kg.engine.dataset import VERSION_GRAPH
from kg.engine.dialect import UPDATE_LEXEME, Dialect, ask_answer, dialect_for
from kg.engine.query_checks import TOKEN
from kg.engine.store import KnowledgeStore
from kg.errors import QueryTimeoutError, RemoteEngineError

__all__ = ["READ_STARTED", "RemoteKnowledgeStore", "RemoteStore"]

READ_STARTED: ContextVar[float | None] = ContextVar("aikg_read_started", default=None)
"""When the HTTP request being answered began (``time.monotonic()``), set by the API tier: a
version marker read since then is current enough for it. None outside a request: the marker is
read again whenever the version is asked for."""

log = logging.getLogger(__name__)

_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7"
_EMPTY = ox.Store()  # parses queries locally: syntax errors and the query form, no data
_INSERT_CHUNK = 20_000  # triples per INSERT DATA request when loading a file
_DATASET = "urn:aikg:dataset"  # subject of the version marker
_DCT = "http://purl.org/dc/terms/"
_MARKER_QUERY = f"SELECT ?v WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{_DATASET}> <{_DCT}identifier> ?v }} }}"


def _ends_with_separator(text: str) -> bool:
    """Return True when the last lexeme of an update request (comments skipped) is ``;``.

    >>> _ends_with_separator("INSERT DATA { <a:b> <a:c> 1 } ; # done"), _ends_with_separator("CLEAR ALL # ;")
    (True, False)
    """
    stripped = text.rstrip()
    last_line = stripped[stripped.rfind("\n") + 1 :]
    if not stripped.endswith(";") and "#" not in last_line:
        return False  # fast path: no comment on the last line, and it does not end with ';'
    last = ""
    for match in UPDATE_LEXEME.finditer(text):
        if match.group("comment") is None:
            last = match.group(0)
    return last == ";"


def _marker_operations(marker: str) -> str:
    """Return the SPARQL Update operations that replace the version marker with `marker`."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    value = ox.Literal(marker)
    modified = ox.Literal(now, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
    return (
        f"DROP SILENT GRAPH <{VERSION_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{VERSION_GRAPH}> {{ <{_DATASET}> <{_DCT}identifier> {value} ; "
        f"<{_DCT}modified> {modified} }} }}"
    )


def _prologue(prefixes: Mapping[str, str] | None) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())


def _where_brace(text: str) -> int:
    """Return the offset just after the ``{`` opening the query's WHERE group, or -1.

    The text is read with the checks' tokenizer (:data:`kg.engine.query_checks.TOKEN`: comments,
    strings, IRIs, variables and prefixed names are single tokens, so ``?where`` or ``ex:where`` is
    no keyword). The group is the first top-level ``{`` after a top-level WHERE, or the first
    top-level ``{`` when WHERE is omitted (``SELECT * { … }``, ``ASK { … }``; a CONSTRUCT template
    always precedes a WHERE); a subquery's WHERE is nested, so never taken for the outer one.

    >>> q = "SELECT ?where { { SELECT ?x WHERE { ?x <p:q> ?where } } }"
    >>> q[_where_brace(q):].startswith(" { SELECT")
    True
    >>> q = "CONSTRUCT { ?s ex:where ?o } WHERE { ?s ex:where ?o }"
    >>> q[_where_brace(q):]
    ' ?s ex:where ?o }'
    >>> _where_brace("DESCRIBE <http://e/x>")
    -1
    """
    first, depth, seen_where = -1, 0, False
    for match in TOKEN.finditer(text):
        char = match.group("other")
        if char == "{":
            if depth == 0:
                if seen_where:
                    return match.end()
                if first < 0:
                    first = match.end()
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and (match.group("word") or "").upper() == "WHERE":
            seen_where = True
    return first


def _values_block(substitutions: Mapping[ox.Variable, Any]) -> str:
    names = []
    terms = []
    for variable, term in substitutions.items():
        if isinstance(term, ox.BlankNode):
            raise ValueError("a blank node cannot be bound for a remote engine")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise TypeError(f"cannot bind {type(term).__name__} to ?{variable.value}")
        names.append(f"?{variable.value}")
        terms.append(str(term))  # pyoxigraph's N-Triples form: escaped, never raw user text
    return f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "


class RemoteStore:
    """The subset of :class:`pyoxigraph.Store` the core uses, over the SPARQL 1.1 Protocol.

    Parameters
    ----------
    query_endpoint : str
        URL of the SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    update_endpoint : str, optional
        URL of the SPARQL Update endpoint; default `query_endpoint` (Fuseki's ``/ds`` and
        Virtuoso's ``/sparql`` take both).
    auth : str, optional
        ``user:password`` for HTTP basic authentication.
    timeout_s : float, optional
        Time limit of one request, in seconds.
    ttl_s : float, optional
        How long the list of named graphs (the union default graph) is reused, in seconds.
    union_default : bool, optional
        The engine's default graph already is the union of its named graphs (``oxigraph serve
        --union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph``): a query over the union
        (``use_default_graph_as_union=True``) is then sent without a dataset instead of one
        ``default-graph-uri`` per graph, which the engine evaluates 5-18 % slower on scans
        (measured on Oxigraph server 0.5, 10k models). Default False: any engine is right then.

    Examples
    --------
    >>> store = RemoteStore("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update")
    >>> store.update_endpoint
    'http://127.0.0.1:7878/update'
    """

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str | None = None,
        auth: str | None = None,
        timeout_s: float = 30.0,
        ttl_s: float = 2.0,
        *,
        union_default: bool = False,
    ) -> None:
        self.query_endpoint = query_endpoint
        self.union_default = union_default
        self.ttl_s = ttl_s
        self.update_endpoint = update_endpoint or query_endpoint
        self.timeout_s = timeout_s
        basic = None
        if auth:
            user, _, password = auth.partition(":")
            basic = httpx.BasicAuth(user, password)
        self._client = httpx.Client(auth=basic, timeout=timeout_s, headers={"User-Agent": "aikg-remote"})
        # The marker read, sent on every HTTP request, goes through the standard library's client
        # on a connection of its own (0.2 ms against httpx's 0.5 ms per round trip, measured here).
        self._marker_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": _RESULTS_ACCEPT,
            "User-Agent": "aikg-remote",
        }
        if auth:
            self._marker_headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
        self._marker_body = urlencode({"query": _MARKER_QUERY})
        self._marker_connection: http.client.HTTPConnection | None = None
        self._marker_connection_lock = threading.Lock()
        self.union_graphs: list[str] | None = None  # named graphs queried as the default graph
        self._graphs_read_at = 0.0
        self.marker: str | None = None
        """The engine's version marker as last read or written ("" when it has none yet)."""
        self.marker_at = float("-inf")
        """When :attr:`marker` was known to be current (``time.monotonic()``): when its read was
        sent, or when the write that set it had returned."""
        self._marker_lock = threading.Condition()
        self._reading_since: float | None = None  # when the marker read in flight was sent
        self._dialect: Dialect | None = None  # known from the first answer's Server header

    @property
    def dialect(self) -> Dialect:
        """Return what this engine reads differently (:mod:`kg.engine.dialect`), asked once.

        Raises
        ------
        QueryTimeoutError, RemoteEngineError
            If the engine must be asked (no answer seen yet) and does not answer.
        """
        if self._dialect is None:
            self._post(self.query_endpoint, {"query": "ASK {}"}, _RESULTS_ACCEPT)
        assert self._dialect is not None
        return self._dialect

    # -- protocol -------------------------------------------------------------------------
    def _post(self, url: str, data: dict[str, Any], accept: str) -> httpx.Response:
        try:
            response = self._client.post(url, data=data, headers={"Accept": accept})
        except httpx.TimeoutException as exc:
            raise QueryTimeoutError(f"the remote engine did not answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise RemoteEngineError(f"cannot reach the remote engine at {url}: {exc}") from exc
        if self._dialect is None:
            self._dialect = dialect_for(response.headers.get("server"))
        if response.status_code == 400:
            raise SyntaxError(f"remote engine: {response.text.strip()[:2000]}")
        if response.status_code in (408, 503, 504):
            raise QueryTimeoutError(f"the remote engine gave up (HTTP {response.status_code}); narrow the query")
        if response.status_code >= 300:
            raise RemoteEngineError(
                f"the remote engine answered HTTP {response.status_code}: {response.text.strip()[:500]}"
            )
        return response

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        substitutions: Mapping[ox.Variable, Any] | None = None,
        default_graph: Any = None,
        named_graphs: Any = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]:
        """Evaluate a query on the remote engine; same arguments and results as pyoxigraph's.

        Returns
        -------
        pyoxigraph.QuerySolutions or pyoxigraph.QueryBoolean or iterator of pyoxigraph.Triple
            Parsed from the engine's SPARQL JSON/XML/TSV results or RDF graph.

        Raises
        ------
        SyntaxError
            If the query does not parse (checked locally first, then by the engine).
        QueryTimeoutError
            If the engine did not answer within the time limit.
        RemoteEngineError
            If the engine cannot be reached or fails.
        """
        local = _EMPTY.query(query, prefixes=dict(prefixes or {}), substitutions=dict(substitutions or {}))
        graph_form, ask_form = isinstance(local, ox.QueryTriples), isinstance(local, ox.QueryBoolean)
        del local  # freed here, on its thread, not where an error raised below is handled (kg.engine.thread_bound)
        text = query
        if substitutions:
            at = _where_brace(text)
            if at < 0:
                raise ValueError("cannot bind values in a query without a WHERE group")
            text = text[:at] + _values_block(substitutions) + text[at:]
        data: dict[str, Any] = {"query": _prologue(prefixes) + text}
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list | tuple) else [default_graph]
            data["default-graph-uri"] = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
        elif use_default_graph_as_union and not self.union_default:
            union = self._union_graphs()
            if union:
                data["default-graph-uri"] = union
                if named_graphs is None:  # a protocol dataset names its named graphs too (§2.1.4)
                    data["named-graph-uri"] = union
        if named_graphs is not None:
            data["named-graph-uri"] = [g.value for g in named_graphs]
        response = self._post(self.query_endpoint, data, _GRAPH_ACCEPT if graph_form else _RESULTS_ACCEPT)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if graph_form:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            return iter([q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(response.content, format=fmt)])
        results_format = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
        content = response.content
        if results_format == ox.QueryResultsFormat.JSON:
            content = self.dialect.json_results(content)
        results = ox.parse_query_results(content, format=results_format)
        if ask_form and isinstance(results, ox.QuerySolutions):
            return ask_answer(results)  # Virtuoso answers ASK with a table (kg.engine.dialect)
        return results

    def update(
        self,
        update: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        mark: bool = True,
    ) -> None:
        """Run a SPARQL 1.1 Update on the engine (one request, atomic where the engine is).

        Parameters
        ----------
        update : str
            The update request.
        prefixes : mapping of str to str, optional
            Prefixes declared before it.
        base_iri : str, optional
            Ignored (pyoxigraph's signature); a request states its own ``BASE``.
        mark : bool, optional
            Replace the version marker in the same request (default True), so every replica sees
            a new version; False for a request that changes nothing (the writability probe).

        Raises
        ------
        SyntaxError
            If the engine refuses the request as malformed (HTTP 400).
        RemoteEngineError
            If the engine cannot be reached or fails.
        """
        text = _prologue(prefixes) + update
        marker = uuid.uuid4().hex if mark else None
        if marker is not None:
            # After the caller's operations (a PREFIX may only open the request on some engines),
            # on a line of its own (the request may end in a comment).
            text += ("\n" if _ends_with_separator(update) else "\n;\n") + _marker_operations(marker)
        try:
            self._post(self.update_endpoint, {"update": self.dialect.update_text(text)}, "*/*")
        finally:
            self.union_graphs = None
        if marker is not None:
            self._observe(marker, time.monotonic())

    def _observe(self, marker: str, at: float) -> None:
        # Keep the newest knowledge only: a read sent before a write returned may predate it.
        with self._marker_lock:
            if at >= self.marker_at:
                if marker != self.marker:
                    self.union_graphs = None  # another replica may have added or dropped graphs
                self.marker, self.marker_at = marker, at

    def marker_since(self, started: float) -> str:
        """Return the version marker as read or written at `started` or later.

        One read is in flight at a time, and it serves every caller that began before it was
        sent: under concurrent requests the engine gets one marker read per round trip, not one
        per request.

        Parameters
        ----------
        started : float
            ``time.monotonic()`` when the caller began (an HTTP request's arrival).

        Returns
        -------
        str
            The marker, "" when the engine has none.

        Raises
        ------
        QueryTimeoutError, RemoteEngineError
            If the marker must be read and the engine does not answer.
        """
        with self._marker_lock:
            while not (self.marker is not None and self.marker_at >= started):
                if self._reading_since is None:
                    self._reading_since = time.monotonic()
                    break
                self._marker_lock.wait()  # the read in flight, then look again
            else:
                return self.marker
        try:
            self.read_marker()
        finally:
            with self._marker_lock:
                self._reading_since = None
                self._marker_lock.notify_all()
        return self.marker or ""

    def read_marker(self) -> str:
        """Read the engine's version marker (one small SELECT) and return it.

        Returns
        -------
        str
            The marker set by the last write made through any API tier, "" when none was.

        Raises
        ------
        QueryTimeoutError, RemoteEngineError
            If the engine does not answer in time, or cannot be reached.
        """
        sent = time.monotonic()
        content, media = self._marker_request()
        rows = ox.parse_query_results(
            content, format=ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
        )
        assert isinstance(rows, ox.QuerySolutions)
        values = sorted(row["v"].value for row in rows if row["v"] is not None)
        self._observe(values[0] if values else "", sent)
        return self.marker or ""

    def _marker_request(self) -> tuple[bytes, str]:
        # POST the marker query on the kept connection; a connection the engine closed is
        # opened again once. Errors are those of _post.
        url = urlsplit(self.query_endpoint)
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        with self._marker_connection_lock:
            for attempt in (1, 2):
                if self._marker_connection is None:
                    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
                    self._marker_connection = kind(url.hostname or "", url.port, timeout=self.timeout_s)
                try:
                    self._marker_connection.request("POST", target, self._marker_body, self._marker_headers)
                    response = self._marker_connection.getresponse()
                    content = response.read()
                except TimeoutError as exc:
                    self._marker_connection.close()
                    self._marker_connection = None
                    raise QueryTimeoutError(f"the remote engine did not answer within {self.timeout_s:g} s") from exc
                except (http.client.HTTPException, OSError) as exc:
                    self._marker_connection.close()
                    self._marker_connection = None
                    if attempt == 2:
                        raise RemoteEngineError(
                            f"cannot reach the remote engine at {self.query_endpoint}: {exc}"
                        ) from exc
                    continue
                if response.status >= 300:
                    raise RemoteEngineError(
                        f"the remote engine answered HTTP {response.status} to the version marker query: "
                        f"{content.decode('utf-8', 'replace').strip()[:500]}"
                    )
                media = (response.getheader("content-type") or "").split(";")[0].strip().lower()
                return content, media
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the rest of the Store interface the core uses ------------------------------------
    def _union_graphs(self) -> list[str]:
        now = time.monotonic()
        if self.union_graphs is None or now - self._graphs_read_at > self.ttl_s:
            # GRAPH ?g {} lists the named graphs without reading their triples (SPARQL 1.1 §18.6);
            # an engine that reads it otherwise has its own listing (kg.engine.dialect).
            dialect = self.dialect
            rows = self.query(dialect.graphs_query)
            assert isinstance(rows, ox.QuerySolutions)
            self.union_graphs = sorted(
                row["g"].value
                for row in rows
                if isinstance(row["g"], ox.NamedNode)
                and row["g"].value != VERSION_GRAPH
                and not dialect.is_system_graph(row["g"].value)
            )
            self._graphs_read_at = now
        return self.union_graphs

    def _all_quads(self) -> str:
        # The group pattern of every data quad: the named graphs but the marker's and the
        # engine's own, and the engine's default graph unless it is their union.
        dialect = self.dialect
        named = f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER({dialect.graph_filter('?g', VERSION_GRAPH)}) }}"
        return named if dialect.default_is_union else named + " UNION { ?s ?p ?o }"

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Return the named graphs of the engine (read at most once per ``ttl_s`` and per new version).

        The version marker's graph is not listed: it is the tier's bookkeeping, not data; nor
        are the engine's own graphs (Virtuoso's ``virtrdf#``).
        """
        return iter([ox.NamedNode(g) for g in self._union_graphs()])

    def quads_for_pattern(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph_name: Any = None
    ) -> Iterator[ox.Quad]:
        """Return the quads matching a pattern (``None`` = any), fetched in pages.

        Quads of the engine's default graph are returned with :class:`pyoxigraph.DefaultGraph`
        unless `graph_name` names a graph; for an engine whose default graph is the union of
        all graphs (Virtuoso: :attr:`Dialect.default_is_union`) only the named graphs are read,
        so no triple comes twice. The version marker's graph and the engine's own graphs are
        left out unless named.
        """
        bound = {
            ox.Variable(name): term
            for name, term in (("s", subject), ("p", predicate), ("o", object))
            if term is not None
        }
        if isinstance(graph_name, ox.NamedNode):
            bound[ox.Variable("g")] = graph_name
            where = "GRAPH ?g { ?s ?p ?o }"
        elif isinstance(graph_name, ox.DefaultGraph):
            where = "?s ?p ?o"
        else:
            where = self._all_quads()
        text = "SELECT ?s ?p ?o ?g WHERE { " + where + " }"
        page, offset = 16, 0
        while True:
            rows = self.query(f"{text} LIMIT {page} OFFSET {offset}", substitutions=bound)
            assert isinstance(rows, ox.QuerySolutions)
            count = 0
            for row in rows:
                count += 1
                g = graph_name if graph_name is not None else row["g"]
                yield ox.Quad(row["s"], row["p"], row["o"], g if g is not None else ox.DefaultGraph())
            if count < page:
                return
            offset += page
            page = 1000

    def dump(self, output: Any = None, format: Any = None, *, from_graph: Any = None, **_: Any) -> bytes | None:
        """Serialize one graph (``from_graph``) or all quads, like :meth:`pyoxigraph.Store.dump`."""
        if from_graph is not None:
            if isinstance(from_graph, ox.DefaultGraph):
                triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            else:
                triples = self.query(
                    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                    substitutions={ox.Variable("g"): from_graph},
                )
            data = ox.serialize(triples, format=format or ox.RdfFormat.N_TRIPLES)
        else:
            data = ox.serialize(self.quads_for_pattern(None, None, None), format=format or ox.RdfFormat.N_QUADS)
        if output is None:
            return data
        output.write(data or b"")
        return None

    def __len__(self) -> int:
        """Return the number of items."""
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {self._all_quads()} }}")
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    def bulk_load(
        self, input: Any = None, format: Any = None, *, path: str | None = None, to_graph: Any = None, **_: Any
    ) -> None:
        """Load an RDF file through SPARQL Update ``INSERT DATA`` requests of bounded size.

        The SPARQL 1.1 Graph Store Protocol would be one request, but its endpoint differs per
        engine; ``INSERT DATA`` works on every engine with an update endpoint. An engine that
        takes short blocks and no blank node in data (Virtuoso) gets each graph's triples as
        :meth:`~kg.engine.dialect.Dialect.insert_operations`, a few operations per request.
        """
        source = Path(path).read_bytes() if path is not None else input
        dialect = self.dialect
        batch: list[str] = []
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}

        def flush() -> None:
            if batch:
                self.update("INSERT DATA { " + "".join(batch) + " }")
                batch.clear()

        for quad in ox.parse(source, format=format):
            graph = to_graph if to_graph is not None else quad.graph_name
            if not dialect.blank_nodes_in_data and isinstance(graph, ox.NamedNode):
                by_graph.setdefault(graph, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
                continue
            triple = ox.serialize([ox.Triple(quad.subject, quad.predicate, quad.object)], format=ox.RdfFormat.N_TRIPLES)
            statement = (triple or b"").decode()
            batch.append(statement if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {statement} }} ")
            if len(batch) >= _INSERT_CHUNK:
                flush()
        flush()
        for graph, triples in by_graph.items():
            operations = dialect.insert_operations(graph, triples)
            for at in range(0, len(operations), 5):
                self.update(" ;\n".join(operations[at : at + 5]))

    def optimize(self) -> None:
        """Nothing to do: the engine manages its own storage."""

    def flush(self) -> None:
        """Nothing to do: the engine manages its own durability."""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()
        with self._marker_connection_lock:
            if self._marker_connection is not None:
                self._marker_connection.close()
                self._marker_connection = None


class RemoteKnowledgeStore(KnowledgeStore):
    """A :class:`~kg.engine.store.KnowledgeStore` whose engine is a remote SPARQL 1.1 server.

    Parameters
    ----------
    query_endpoint : str
        SPARQL query endpoint URL.
    update_endpoint : str, optional
        SPARQL Update endpoint URL (default: `query_endpoint`).
    auth : str, optional
        ``user:password`` for HTTP basic authentication.
    timeout_s : float, optional
        Time limit of one request, in seconds.
    ttl_s : float, optional
        The version also changes every `ttl_s` seconds, so answers cached by this tier never
        hide a write made directly on the engine (not through an API tier) for longer than that.
    union_default : bool, optional
        The engine's default graph is the union of its named graphs: see :class:`RemoteStore`.

    Notes
    -----
    There is no rdflib view (``dataset`` is ``None``): everything the service does goes
    through ``inner``.
    """

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str | None = None,
        auth: str | None = None,
        timeout_s: float = 30.0,
        ttl_s: float = 2.0,
        *,
        union_default: bool = False,
    ) -> None:
        super().__init__(None)
        self.inner = RemoteStore(  # type: ignore[assignment]
            query_endpoint, update_endpoint, auth, timeout_s, ttl_s, union_default=union_default
        )
        self.dataset = None  # type: ignore[assignment]
        self.path = None
        self.ttl_s = ttl_s
        self.remote = True
        self._writable: bool | None = None

    @property
    def version(self) -> str:
        """Return the dataset version, the same on every replica: the engine's marker and the TTL epoch.

        The marker changes with every write made through any API tier over this engine
        (:meth:`RemoteStore.update`); it is read again unless it was read or written since the
        current HTTP request began (:data:`READ_STARTED`; outside a request, always). The epoch
        (``time.time() // ttl_s``) changes every ``ttl_s`` seconds, for writes made directly on
        the engine. When the marker cannot be read (the engine is down or slow), a version never
        given before is returned, so no cached answer and no ``304`` is served; the reads that
        follow report the engine's failure.
        """
        inner: RemoteStore = self.inner  # type: ignore[assignment]
        started = READ_STARTED.get()
        try:
            marker = inner.marker_since(started if started is not None else time.monotonic())
        except (QueryTimeoutError, RemoteEngineError) as exc:
            log.warning("cannot read the version marker (%s): nothing cached is served", exc)
            return f"unknown-{uuid.uuid4().hex}"
        epoch = int(time.time() // self.ttl_s) if self.ttl_s > 0 else time.time_ns()
        return f"{marker or '0'}-{epoch}"

    def is_empty(self) -> bool:
        """Return True when the engine holds no quad at all."""
        return next(iter(self.inner.quads_for_pattern(None, None, None)), None) is None

    @property
    def writable(self) -> bool:
        """Return True when the engine accepts SPARQL Update, probed once with an empty ``INSERT DATA``.

        A read-only engine (``oxigraph serve-read-only``: HTTP 403) or a query endpoint used as the
        update endpoint because none was configured (a query service refuses the ``update``
        parameter: HTTP 400) answers the probe with an error; the empty request changes nothing
        where it is accepted (SPARQL 1.1 Update §3.1.1 allows empty quad data).
        """
        if self._writable is None:
            try:
                self.inner.update("INSERT DATA { }", mark=False)  # type: ignore[call-arg]
                self._writable = True
            except SyntaxError as exc:
                log.warning("the remote engine refuses updates (%s): serving read-only", exc)
                self._writable = False
            except RemoteEngineError as exc:
                # Only an answer is a refusal; an engine that cannot be reached is asked again later.
                if exc.__cause__ is not None:
                    raise
                log.warning("the remote engine refuses updates (%s): serving read-only", exc)
                self._writable = False
        return self._writable

    def bulk_load(self, path: Path, graph: str | None = None) -> None:
        """Load a file into the engine (``INSERT DATA`` in chunks), into graph/{stem} for triples."""
        from kg.namespaces import GRAPH

        target = ox.NamedNode(graph or str(GRAPH[path.stem]))
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        with self.write() as inner:
            inner.bulk_load(path=str(path), format=fmt, to_graph=None if fmt.supports_datasets else target)
