"""SPARQL 1.1 query evaluation: limits and native serialization.

Everything here runs on pyoxigraph terms and serializers; no result row is converted to rdflib
terms (the checks a text passes first are in :mod:`kg.engine.query_checks`). :func:`execute` is what a query worker runs for the SPARQL endpoint; :func:`select` is
what lookups and analytics run for their named queries, with values bound, never concatenated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import union_dataset
from kg.engine.query_checks import check_query, keywords
from kg.engine.syntax_errors import to_syntax_error
from kg.engine.thread_bound import thread_bound
from kg.engine.xml_text import xml_safe
from kg.errors import (
    NotAcceptableError,
    QueryEvaluationError,
    QuerySyntaxError,
    ResultTooLargeError,
)
from kg.namespaces import PREFIXES
from kg.terms import python_value, to_term

__all__ = [
    "GRAPH_MEDIA_TYPES",
    "RESULT_MEDIA_TYPES",
    "QueryRequest",
    "QueryResponse",
    "execute",
    "rehearse_update",
    "select",
    "too_many_bytes",
    "too_many_rows",
]

RESULT_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
"""Media types offered for SELECT and ASK results; the first is the default."""

GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
}
"""Media types offered for CONSTRUCT and DESCRIBE results; the first is the default."""


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """One query operation, as the SPARQL 1.1 Protocol (§2.1) defines it.

    Attributes
    ----------
    text : str
        The query.
    result_media_type : str or None
        Media type to answer SELECT/ASK with (a key of :data:`RESULT_MEDIA_TYPES`); ``None``
        when the client accepts none (then such a result is refused).
    graph_media_type : str or None
        Media type for CONSTRUCT/DESCRIBE (a key of :data:`GRAPH_MEDIA_TYPES`), or ``None``.
    default_graphs : tuple of str
        ``default-graph-uri`` values (§2.1.4); empty means the union of all graphs.
    named_graphs : tuple of str
        ``named-graph-uri`` values; empty means all named graphs.
    max_rows : int
        Cap on rows (SELECT) or triples (CONSTRUCT/DESCRIBE).
    max_bytes : int
        Cap on the serialized body, in bytes.
    allow_service : bool
        Whether ``SERVICE`` is allowed.
    form : str or None
        What :func:`check_query` returned for `text` with `allow_service`, when the caller
        already ran it (the HTTP edge does, before a worker is used); None: :func:`execute`
        runs it. Set it only from that call, never by hand.
    """

    text: str
    result_media_type: str | None = "application/sparql-results+json"
    graph_media_type: str | None = "text/turtle"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024
    allow_service: bool = False
    form: str | None = None


@dataclass(slots=True)
class QueryResponse:
    """A complete, serialized result.

    Attributes
    ----------
    media_type : str
        Content type of `body`.
    body : bytes
        The whole results document.
    form : str
        ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.
    count : int
        Rows (SELECT), triples (CONSTRUCT/DESCRIBE) or 1 (ASK).
    """

    media_type: str
    body: bytes
    form: str
    count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class _CappedBuffer(io.RawIOBase):
    """A write-only buffer that counts lines and stops the writer past its caps.

    `max_rows` is the cap as configured (``KG_MAX_ROWS``); `header_lines` lines the format writes
    before its first row (TSV's variable line) are not rows. Every cap is reported with
    :func:`too_many_rows` / :func:`too_many_bytes`, so one limit reads as one number everywhere.
    """

    def __init__(self, max_bytes: int, max_rows: int | None = None, header_lines: int = 0, unit: str = "rows") -> None:
        self.buffer = bytearray()
        self.lines = 0
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.header_lines = header_lines
        self.unit = unit

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.buffer += chunk
        self.lines += chunk.count(b"\n")
        if len(self.buffer) > self.max_bytes:
            raise ResultTooLargeError(too_many_bytes(self.max_bytes))
        if self.max_rows is not None and self.lines - self.header_lines > self.max_rows:
            raise ResultTooLargeError(too_many_rows(self.max_rows, self.unit))
        return len(chunk)


def too_many_rows(max_rows: int, unit: str = "rows") -> str:
    """Return the one message of a result over the row cap.

    Parameters
    ----------
    max_rows : int
        The cap as configured (``KG_MAX_ROWS``, ``--max-rows``): that many rows are allowed.
    unit : str, optional
        ``"rows"`` (SELECT) or ``"triples"`` (CONSTRUCT, DESCRIBE).

    Returns
    -------
    str
    """
    return f"result has more than {max_rows} {unit} (the server's cap): add LIMIT or narrow the query"


def too_many_bytes(max_bytes: int) -> str:
    """Return the one message of a result over the byte cap (`max_bytes` bytes are allowed)."""
    return f"result larger than {max_bytes} bytes (the server's cap): add LIMIT or narrow the query"


def _graph_iris(values: tuple[str, ...], parameter: str) -> list[ox.NamedNode]:
    nodes = []
    for value in values:
        try:
            nodes.append(ox.NamedNode(value))
        except ValueError as exc:
            raise QuerySyntaxError(f"{parameter}: {value!r} is not an absolute IRI ({exc})") from exc
    return nodes


def _engine_query(store: ox.Store, request: QueryRequest) -> Any:
    options: dict[str, Any] = {"prefixes": PREFIXES}
    if request.default_graphs or request.named_graphs:
        # SPARQL 1.1 Protocol §2.1.4: a dataset given in the request replaces FROM / FROM NAMED;
        # a kind of graph it does not list is empty.
        options["default_graph"] = _graph_iris(request.default_graphs, "default-graph-uri")
        options["named_graphs"] = _graph_iris(request.named_graphs, "named-graph-uri")
    elif "FROM" not in keywords(request.text):
        # No dataset anywhere: the default dataset, today's graphs with import snapshots left out
        # (kg.engine.dataset), their union the default graph. With FROM / FROM NAMED the query's own
        # dataset holds (SPARQL 1.1 Query §13.2), e.g. a snapshot; the engine's union switch would
        # override it. FROM names graphs of this store only: the engine never fetches them.
        options.update(union_dataset(store))
    try:
        return store.query(request.text, **options)
    except SyntaxError as exc:
        raise to_syntax_error(exc, request.text) from exc
    except ValueError as exc:
        raise QuerySyntaxError(str(exc)) from exc
    except (OSError, RuntimeError) as exc:
        raise QueryEvaluationError(f"the query could not be evaluated: {exc}") from exc


def _unwrap(exc: BaseException) -> BaseException:
    # pyoxigraph re-raises errors of Python writers wrapped in OSError; find ours again.
    seen = exc
    while seen is not None:
        if isinstance(seen, ResultTooLargeError):
            return seen
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    if isinstance(exc, OSError) and ("more than" in str(exc) or "larger than" in str(exc)):
        return ResultTooLargeError(str(exc).split(": ", 1)[-1])
    # Anything else raised while the engine streams the result is an evaluation failure (e.g. a
    # SERVICE endpoint that does not answer, when federation is enabled).
    return QueryEvaluationError(f"the query could not be evaluated: {exc}")


def execute(store: ox.Store, request: QueryRequest) -> QueryResponse:
    r"""Evaluate one query and serialize its complete result.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    request : QueryRequest
        Query text, negotiated media types, dataset and caps.

    Returns
    -------
    QueryResponse
        A complete document: never a partial body.

    Raises
    ------
    QuerySyntaxError
        If the query does not parse (engine message with line and column) or is an update.
    ForbiddenError
        If it uses ``SERVICE`` while federation is disabled.
    NotAcceptableError
        If the client accepts no media type for this kind of result, or asked for XML and the
        result holds characters XML 1.0 cannot carry (XML 1.0 §2.2).
    ResultTooLargeError
        If the result exceeds `max_rows` or `max_bytes`.

    References
    ----------
    .. [1] W3C, "SPARQL 1.1 Protocol", §2.1 (query operation), 2013.
    .. [2] W3C, "SPARQL 1.1 Query Results CSV and TSV Formats", 2013.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"),
    ...               ox.NamedNode("http://e/g")))
    >>> r = execute(s, QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", "text/tab-separated-values"))
    >>> r.body
    b'?o\n"x"\n'
    """
    # One check per request: the HTTP edge ran it already and recorded the form.
    form = request.form if request.form is not None else check_query(request.text, allow_service=request.allow_service)
    with thread_bound():  # the engine's result is freed on this thread even when an error leaves
        return _answer(store, request, form)


def _answer(store: ox.Store, request: QueryRequest, form: str) -> QueryResponse:
    result = _engine_query(store, request)
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, form, request)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, form, request)
        return _triples(result, form, request)
    except ResultTooLargeError:
        raise
    except (OSError, RuntimeError) as exc:
        raise _unwrap(exc) from exc


def _boolean(result: ox.QueryBoolean, form: str, request: QueryRequest) -> QueryResponse:
    media = request.result_media_type
    if media is None:
        raise NotAcceptableError("ASK results are available as " + ", ".join(RESULT_MEDIA_TYPES))
    return QueryResponse(media, result.serialize(format=RESULT_MEDIA_TYPES[media]) or b"", form, 1)


def _solutions(result: ox.QuerySolutions, form: str, request: QueryRequest) -> QueryResponse:
    media = request.result_media_type
    if media is None:
        raise NotAcceptableError("SELECT results are available as " + ", ".join(RESULT_MEDIA_TYPES))
    # TSV writes one line per row (tabs and newlines in terms are escaped), so counting lines
    # counts rows while the engine streams; the TSV is then re-serialized natively.
    sink = _CappedBuffer(request.max_bytes, request.max_rows, header_lines=1)
    result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    tsv = bytes(sink.buffer)
    rows = max(sink.lines - 1, 0)
    fmt = RESULT_MEDIA_TYPES[media]
    if fmt == ox.QueryResultsFormat.TSV:
        body = tsv
    else:
        body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt) or b""
        if len(body) > request.max_bytes:
            raise ResultTooLargeError(too_many_bytes(request.max_bytes))
    if fmt == ox.QueryResultsFormat.XML:
        body = xml_safe(
            body,
            "the result holds control characters that XML 1.0 cannot represent; "
            "ask for application/sparql-results+json or text/tab-separated-values",
        )
    return QueryResponse(media, body, form, rows)


def _triples(result: ox.QueryTriples, form: str, request: QueryRequest) -> QueryResponse:
    media = request.graph_media_type
    if media is None:
        raise NotAcceptableError(f"{form} results are available as " + ", ".join(GRAPH_MEDIA_TYPES))
    sink = _CappedBuffer(request.max_bytes, request.max_rows, unit="triples")
    ox.serialize(result, sink, format=ox.RdfFormat.N_TRIPLES)
    nt = bytes(sink.buffer)
    fmt = GRAPH_MEDIA_TYPES[media]
    if fmt == ox.RdfFormat.N_TRIPLES:
        body = nt
    else:
        triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
        body = body or b""
    if fmt == ox.RdfFormat.RDF_XML:
        body = xml_safe(body, "the graph holds control characters that XML 1.0 cannot represent; ask for Turtle")
    return QueryResponse(media, body, form, sink.lines)


def rehearse_update(store: ox.Store, text: str) -> None:
    """Apply a SPARQL Update to a throw-away copy of the data, to learn whether it can be applied.

    Parameters
    ----------
    store : pyoxigraph.Store
        A store whose changes nobody will see: a query worker's copy-on-write copy (the worker is
        retired afterwards).
    text : str
        The update request; the shared prefixes are predeclared.

    Raises
    ------
    QuerySyntaxError
        If it does not parse (with line and column).
    QueryEvaluationError
        If an operation cannot be applied (e.g. ``CREATE GRAPH`` of an existing graph).

    Notes
    -----
    pyoxigraph cannot interrupt an update either. Run in a worker under the time limit and the
    memory cap, the rehearsal stops a runaway ``INSERT ... WHERE`` before the real store (which
    only the server process can write) is touched.
    """
    try:
        store.update(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise to_syntax_error(exc, text, update=True) from exc
    except RuntimeError as exc:
        raise QueryEvaluationError(f"the update was not applied, nothing changed: {exc}") from exc


def select(
    store: ox.Store, text: str, bindings: dict[str, Any] | None = None, *, graphs: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Run a SELECT with values bound (never concatenated) and return plain rows.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; the union of all named graphs is the default graph.
    text : str
        A SELECT query; the shared prefixes are predeclared.
    bindings : dict of str to object, optional
        Variable name -> value, substituted before evaluation (SEP-0007 substitution; pyoxigraph
        requires each bound variable to be projected, so name it in the SELECT clause):
        ``pyoxigraph`` terms as they are, ``rdflib.URIRef`` as IRIs, ``int``/``float``/``bool``
        as typed literals, anything else as a plain string literal.
    graphs : sequence of str, optional
        Named graphs to query instead of today's default dataset, e.g.
        :func:`kg.engine.dataset.graphs_as_of` for the graph as it was on a date.

    Returns
    -------
    list of dict of str to object
        One dict per solution, variable -> :func:`python_value` of its binding (unbound
        variables are absent).

    Raises
    ------
    QuerySyntaxError
        If the query does not parse.

    Examples
    --------
    >>> s = ox.Store()
    >>> select(s, "SELECT ?in ?x WHERE { BIND(STRLEN(?in) AS ?x) }", {"in": 'x" } #'})
    [{'in': 'x" } #', 'x': 6}]
    """
    with thread_bound():  # the engine's result is freed on this thread even when an error leaves
        return _rows(store, text, {ox.Variable(k): to_term(v) for k, v in (bindings or {}).items()}, graphs)


def _rows(
    store: ox.Store, text: str, substitutions: dict[Any, Any], graphs: Sequence[str] | None
) -> list[dict[str, Any]]:
    try:
        solutions = store.query(text, prefixes=PREFIXES, substitutions=substitutions, **union_dataset(store, graphs))
    except SyntaxError as exc:
        raise to_syntax_error(exc, text) from exc
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = python_value(value)
        rows.append(row)
    return rows
