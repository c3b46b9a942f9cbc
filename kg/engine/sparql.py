"""SPARQL 1.1 query evaluation: safety checks, limits and native serialization.

Everything here runs on pyoxigraph terms and serializers; no result row is converted to rdflib
terms. :func:`execute` is what a query worker runs for the SPARQL endpoint; :func:`select` is
what lookups and analytics run for their named queries, with values bound, never concatenated.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from kg.engine import rdflib_parser
from kg.engine.dataset import union_dataset
from kg.engine.syntax_errors import diagnose, with_caret
from kg.engine.thread_bound import thread_bound
from kg.engine.xml_text import xml_safe
from kg.errors import (
    ForbiddenError,
    NotAcceptableError,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTooComplexError,
    QueryTooLargeError,
    ResultTooLargeError,
)
from kg.namespaces import PREFIXES
from kg.terms import python_value, to_term

__all__ = [
    "GRAPH_MEDIA_TYPES",
    "MAX_CHAIN",
    "MAX_NESTING",
    "MAX_PATTERNS",
    "QUERY_CHARS_SETTING",
    "RESULT_MEDIA_TYPES",
    "QueryRequest",
    "QueryResponse",
    "check_query",
    "check_size",
    "check_update",
    "execute",
    "is_data_only",
    "rehearse_update",
    "select",
    "to_syntax_error",
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

_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>[A-Za-z0-9_\-.\u00B7-\uFFFF]*:[A-Za-z0-9_\-.:%\\\u00B7-\uFFFF]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<number>[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_codepoints(text: str) -> str:
    # SPARQL 1.1 Query §19.2: \u and \U escapes are decoded before the grammar sees the text.
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _keywords(text: str) -> list[str]:
    return [m.group("word").upper() for m in _TOKEN.finditer(_unescape_codepoints(text)) if m.group("word")]


MAX_NESTING = 200
"""Deepest nesting of ``{``, ``(`` and ``[`` a query or update may have (outside strings, IRIs and
comments). Oxigraph's parser recurses once per level: 3,000 levels overflow its stack (SIGSEGV,
measured with pyoxigraph 0.5.13); real queries stay under 20."""

MAX_CHAIN = 2000
"""Most operators (``/ | + - * ! ^ &`` and ``UNION``) a query or update may chain within one pair
of brackets. The parser recurses per operator too: 20,000 ``UNION`` branches, ``+`` terms, ``!`` or
path steps overflow its stack (SIGSEGV; 6,000 parse, measured with pyoxigraph 0.5.13)."""

MAX_PATTERNS = 2000
"""Most triple patterns and groups (``.``/``;``/``,`` between patterns, ``{``) outside INSERT/DELETE DATA: the planner
recurses per pattern, 8,200 (or 6,550 ``OPTIONAL``) overflow its stack (SIGSEGV, pyoxigraph 0.5.13); real use < 100."""

_OPEN, _CLOSE, _OPERATORS, _SEPARATORS = "{([", "})]", frozenset("/|+-*!^&"), frozenset(".;,")


def _check_shape(tokens: list[re.Match[str]], what: str) -> None:
    # One pass: nesting depth, operators per bracket level, patterns in all (not in DATA blocks: never planned).
    depth, chains, brackets, patterns = 0, [0], [""], 0
    data_depth, previous = -1, ""  # depth of the DATA block being read, -1 outside one
    for token in tokens:
        char = token.group("other")
        if char is None:
            word = (token.group("word") or "").upper()
            was, previous = previous, word or previous
            if word == "DATA" and was in ("INSERT", "DELETE") and data_depth < 0:
                data_depth = depth
            if word != "UNION":
                continue
            char = "|"  # UNION chains like an operator
        if data_depth < 0 and (char == "{" or (char in _SEPARATORS and brackets[-1] != "(")):
            patterns += 1
            if patterns > MAX_PATTERNS:
                raise QueryTooComplexError(
                    f"the {what} holds more than {MAX_PATTERNS} triple patterns and groups (outside INSERT "
                    f"DATA and DELETE DATA): the limit is {MAX_PATTERNS}; split it into several requests, or "
                    "list many values in one VALUES block instead of one pattern per value"
                )
        if char in _OPEN:
            depth += 1
            brackets.append(char)
            if depth > MAX_NESTING:
                raise QueryTooComplexError(
                    f"the {what} nests brackets more than {MAX_NESTING} levels deep ({{, ( and [ outside "
                    f"strings, IRIs and comments): the limit is {MAX_NESTING}; flatten the nesting"
                )
            chains.append(0)
        elif char in _CLOSE:
            if depth:
                depth -= 1
                chains.pop()
                brackets.pop()
                if depth == data_depth:
                    data_depth = -1
        elif char in _OPERATORS:
            chains[-1] += 1
            if chains[-1] > MAX_CHAIN:
                raise QueryTooComplexError(
                    f"the {what} chains more than {MAX_CHAIN} operators (UNION, path steps, +, -, !, …) "
                    f"within one pair of brackets: the limit is {MAX_CHAIN}; split it into several requests"
                )


def _scan(text: str, what: str) -> list[str]:
    # Keywords of the text, after refusing a shape the engine's parser cannot take.
    tokens = list(_TOKEN.finditer(_unescape_codepoints(text)))
    words = [m.group("word").upper() for m in tokens if m.group("word")]
    _check_shape(tokens, what)
    return words


QUERY_CHARS_SETTING = "KG_MAX_QUERY_CHARS"  # the variable of Settings.max_query_chars, named in refusals


def check_size(text: str, max_chars: int | None, what: str = "query") -> None:
    """Refuse a query or update text longer than the cap, before anything parses it.

    Parameters
    ----------
    text : str
        The SPARQL text.
    max_chars : int or None
        The cap, in characters (:attr:`kg.settings.Settings.max_query_chars`); None or 0: no cap.
    what : str, optional
        ``"query"`` or ``"update"``, for the message.

    Raises
    ------
    QueryTooLargeError
        If `text` has more than `max_chars` characters (HTTP 413).
    """
    if max_chars and len(text) > max_chars:
        raise QueryTooLargeError(what, len(text), max_chars, QUERY_CHARS_SETTING)


def check_query(text: str, *, allow_service: bool = False, max_chars: int | None = None) -> str:
    r"""Classify a query and refuse what the endpoint must not run.

    Parameters
    ----------
    text : str
        The SPARQL text as received.
    allow_service : bool, optional
        Accept ``SERVICE`` (federation makes the server fetch URLs); default False.
    max_chars : int or None, optional
        Longest text accepted, in characters (:func:`check_size`); default None: no cap.

    Returns
    -------
    str
        The query form: ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``; ``""`` when
        no form keyword is found (the engine's parser then reports the error and its position).

    Raises
    ------
    QuerySyntaxError
        If the text is empty or is a SPARQL Update.
    QueryTooComplexError
        If it nests brackets deeper than :data:`MAX_NESTING` or chains more than
        :data:`MAX_CHAIN` operators at one level (the engine's parser would overflow its stack).
    ForbiddenError
        If it uses ``SERVICE`` and `allow_service` is False.
    QueryTooLargeError
        If it is longer than `max_chars`.

    Notes
    -----
    The scan tokenizes the text the way the SPARQL grammar does (comments, strings and IRIs are
    skipped, ``\\u`` escapes are decoded first, per SPARQL 1.1 Query §19.2), so a keyword inside a
    string or hidden behind an escape is judged correctly. The engine then parses the query
    itself and reports syntax errors with line and column.

    Examples
    --------
    >>> check_query("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service ?o }")
    'SELECT'
    """
    check_size(text, max_chars, "query")
    words = _scan(text, "query")
    if not words:
        raise QuerySyntaxError("empty query: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if "SERVICE" in words and not allow_service:
        raise ForbiddenError("SERVICE (federated query) is disabled on this endpoint")
    for word in words:
        if word in _QUERY_FORMS:
            return word
        if word in _UPDATE_FORMS:
            raise QuerySyntaxError(
                f"this is a SPARQL Update ({word}), not a query: POST it as 'update' with the update token"
            )
    return ""  # no form keyword: the engine's parser reports where the text goes wrong


def check_update(text: str, *, allow_service: bool = False, max_chars: int | None = None) -> None:
    """Refuse update operations that fetch remote data, or that are too long or too complex.

    Parameters
    ----------
    text : str
        A SPARQL 1.1 Update request.
    allow_service : bool, optional
        Accept ``LOAD`` and ``SERVICE`` (both fetch URLs); default False.
    max_chars : int or None, optional
        Longest text accepted (:func:`check_size`), unless data-only (:func:`is_data_only`: the body
        cap bounds it, its cost is linear in its size); default None: no cap.

    Raises
    ------
    QuerySyntaxError
        If the text is empty.
    QueryTooComplexError
        If it nests brackets deeper than :data:`MAX_NESTING` or chains more than
        :data:`MAX_CHAIN` operators at one level (the engine's parser would overflow its stack).
    ForbiddenError
        If it uses ``LOAD`` or ``SERVICE`` and `allow_service` is False.
    QueryTooLargeError
        If it is longer than `max_chars` and not data-only.
    """
    if max_chars and len(text) > max_chars and not is_data_only(text):
        check_size(text, max_chars, "update")
    words = _scan(text, "update")
    if not words:
        raise QuerySyntaxError("empty update request")
    if not allow_service:
        for word in ("LOAD", "SERVICE"):
            if word in words:
                raise ForbiddenError(f"{word} of remote data is disabled on this endpoint")


_NOT_DATA = frozenset({"WHERE", "WITH", "USING", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "SERVICE"})


def is_data_only(text: str) -> bool:
    """Tell whether an update request only inserts or deletes the triples it spells out.

    Parameters
    ----------
    text : str
        A SPARQL 1.1 Update request.

    Returns
    -------
    bool
        True when every operation is ``INSERT DATA`` or ``DELETE DATA`` (SPARQL 1.1 Update
        §3.1.1-3.1.2): its cost is linear in its own size, which the request body cap bounds,
        so it needs no rehearsal under the time limit. False when in doubt.

    Examples
    --------
    >>> is_data_only('INSERT DATA { <http://e/s> <http://e/p> "where" } ; DELETE DATA { <http://e/s> <http://e/p> 1 }')
    True
    >>> is_data_only("DELETE WHERE { ?s ?p ?o }")
    False
    """
    words = _keywords(text)
    if not words or _NOT_DATA.intersection(words):
        return False
    operations = [i for i, word in enumerate(words) if word in ("INSERT", "DELETE")]
    return bool(operations) and all(i + 1 < len(words) and words[i + 1] == "DATA" for i in operations)


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


_POSITION = re.compile(r"^error at (\d+):(\d+):\s*")


def _locate(text: str, update: bool) -> tuple[int, int, str] | None:
    # pyoxigraph's parser often reports the end of the text as the error position; rdflib's
    # (pyparsing) points at the token where the failing clause starts, which a person can use.
    # pyparsing is not thread-safe (known trap 01), hence the lock; this runs on errors only.
    with rdflib_parser.PARSE_LOCK:
        try:
            (parseUpdate if update else parseQuery)(text)
        except ParseException as exc:
            near = re.match(r"\S{1,24}", exc.line[exc.col - 1 :]) if exc.line else None
            return exc.lineno, exc.col, near.group(0) if near else ""
        except Exception:  # rdflib chokes differently: keep the engine's position
            return None
    return None


def to_syntax_error(exc: Exception, text: str | None = None, update: bool = False) -> QuerySyntaxError:
    """Turn the engine's parse error into a :class:`QuerySyntaxError` with line and column.

    Parameters
    ----------
    exc : Exception
        What pyoxigraph raised (a ``SyntaxError`` whose message starts ``error at L:C:``).
    text : str, optional
        The query or update as sent; given, the position is refined with rdflib's SPARQL parser
        (the engine tends to report the end of the text).
    update : bool, optional
        `text` is a SPARQL Update request.

    Returns
    -------
    QuerySyntaxError
        Its message reads ``error at LINE:COLUMN[, near 'TOKEN']: REASON``, followed (when `text`
        is given) by the offending line and a caret under the column; `line` and `column` are
        1-based, in the text as sent (the predeclared prefixes are passed to the engine
        separately, so they do not shift positions). REASON names an unknown prefix, an unknown
        keyword or a relative IRI without BASE (:mod:`kg.engine.syntax_errors`), else it is the
        engine's expectation with its character classes named ("a name", "a digit"). For an
        update the engine's position is kept: rdflib backtracks to where the operation starts.

    Examples
    --------
    >>> e = to_syntax_error(SyntaxError("error at 2:7: expected one of '.', '}'"))
    >>> (e.line, e.column, e.detail)
    (2, 7, "error at 2:7: expected one of '.', '}'")
    >>> e = to_syntax_error(SyntaxError("error at 1:26: expected ..."), "SELECT ?x WHERE { ?x ?p }")
    >>> (e.line, e.column)
    (1, 19)
    >>> print(e.detail)
    error at 1:19, near '?x': expected ...
      SELECT ?x WHERE { ?x ?p }
                        ^
    >>> print(to_syntax_error(SyntaxError("error at 1:29: expected ..."), "ASK { ?s ?p ?o } LIMT 3").detail)
    error at 1:18, near 'LIMT': unknown keyword LIMT (did you mean LIMIT?)
      ASK { ?s ?p ?o } LIMT 3
                       ^
    """
    message = str(exc)
    match = _POSITION.search(message)
    reason = _CHAR_CLASS.sub(_name_class, message[match.end() :] if match else message)
    if len(reason) > 300:  # the engine lists every acceptable token: keep the start
        reason = reason[:300].rstrip() + " …"
    if text is None:
        if match is None:
            return QuerySyntaxError(message)
        line, column = int(match.group(1)), int(match.group(2))
        return QuerySyntaxError(f"error at {line}:{column}: {reason}", line, column)
    tokens = [(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)]
    diagnosis = diagnose(text, tokens, PREFIXES, message)
    if diagnosis is not None:  # a mistake we can name: say it instead of the grammar
        line, column, near, reason = diagnosis.line, diagnosis.column, diagnosis.near, diagnosis.message
    else:
        located = _locate(text, update)
        engine = (int(match.group(1)), int(match.group(2))) if match else None
        if update and engine is not None and _before_the_end(text, *engine):
            # rdflib backtracks an update to the start of the failing operation (often 1:1);
            # the engine's own position is then the better one, unless it is just the end.
            located = None
        if located is not None:
            line, column, near = located
        elif engine is not None:
            (line, column), near = engine, ""
        else:
            return QuerySyntaxError(message)
    where = f"{line}:{column}" + (f", near {near!r}" if near else "")
    return QuerySyntaxError(f"error at {where}: {reason}\n{with_caret(text, line, column)}", line, column)


_CHAR_CLASS = re.compile(r"\[[^\[\]]*\.\.=[^\[\]]*\]")


def _name_class(match: re.Match[str]) -> str:
    # The engine spells character classes as Unicode ranges; a person needs to know the kind.
    return "a digit" if "'A'" not in match.group() and "'0'" in match.group() else "a name"


def _before_the_end(text: str, line: int, column: int) -> bool:
    lines = text.rstrip().splitlines()
    return line < len(lines) or (line == len(lines) and column <= len(lines[-1]))


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
    elif "FROM" not in _keywords(request.text):
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
