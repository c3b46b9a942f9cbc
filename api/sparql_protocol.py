"""The SPARQL 1.1 Protocol funnel: one reading of a request, one check, one negotiation.

Both entry points of ``/sparql`` go through here: the FastAPI routes (``api/routes/sparql.py``)
and the ASGI shortcut for plain queries (``api/middleware/sparql_fastpath.py``). This module owns
how the parameters of a GET query string, a POST form and a POST ``application/sparql-query`` or
``application/sparql-update`` body become the protocol's parameters (§2.1.1-§2.1.3, §2.2), how
the result media type is negotiated, and the one :func:`kg.engine.query_checks.check_query` of a
request (the engine trusts the form it recorded and does not scan the text again), so the two
entry points cannot drift apart.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.errors import problem
from api.negotiation import best_media_type
from kg.engine.query_checks import check_query
from kg.engine.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryRequest, QueryResponse
from kg.service import KnowledgeGraph
from kg.settings import Settings

__all__ = [
    "FORM",
    "MAX_BODY_BYTES",
    "QUERY",
    "UPDATE",
    "BadRequest",
    "answer",
    "answer_async",
    "body_params",
    "charset_of",
    "one",
    "parse_params",
    "prefers_html",
    "problem_for",
    "query_request",
    "read_body",
    "result_response",
    "with_charset",
]

RESULT_TYPES = list(RESULT_MEDIA_TYPES)
GRAPH_TYPES = list(GRAPH_MEDIA_TYPES)
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
_TEXT_SUFFIXES = ("+json", "+xml", "/json", "/xml", "turtle", "trig", "n-triples", "n-quads")

MAX_BODY_BYTES = 8 * 2**20
"""Largest POST body accepted (a query or an update, in bytes); bulk data goes through ``kg load``."""


class BadRequest(Exception):
    """A malformed protocol request; becomes a 400 (or the given status) problem response.

    Parameters
    ----------
    detail : str
        What is wrong and what to send instead.
    status : int, optional
        HTTP status (default 400; 413 for a body over :data:`MAX_BODY_BYTES`).
    """

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


def problem_for(exc: BadRequest) -> JSONResponse:
    """Return the problem response (RFC 9457) of a malformed protocol request."""
    return problem(exc.status, "Bad SPARQL request" if exc.status == 400 else "Request too large", exc.detail)


def too_large() -> str:
    """Return the message for a body over :data:`MAX_BODY_BYTES`."""
    return f"the request body is larger than {MAX_BODY_BYTES // 2**20} MiB: load big data files with `kg load`"


async def read_body(request: Request) -> bytes:
    """Read a request body of at most :data:`MAX_BODY_BYTES`.

    Raises
    ------
    BadRequest
        With status 413, as soon as the declared or the received length is over the cap (a huge
        body must not fill the server's memory first).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(too_large(), 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest(too_large(), 413)
    return bytes(body)


def parse_params(text: str) -> dict[str, list[str]]:
    """Parse a query string or form body into the protocol's parameters.

    Raises
    ------
    BadRequest
        If a percent-escape is not UTF-8 (the client's mistake, not U+FFFD in a query).
    """
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest("a parameter is not UTF-8 after percent-decoding") from exc


def one(params: dict[str, list[str]], name: str) -> str:
    """Return the single value of parameter `name`.

    Raises
    ------
    BadRequest
        If it is missing or given more than once.
    """
    values = params.get(name, [])
    if not values:
        raise BadRequest(f"missing '{name}' parameter")
    if len(values) > 1:
        raise BadRequest(f"exactly one '{name}' parameter is allowed, got {len(values)}")
    return values[0]


def body_params(media_type: str, body: str, url_params: dict[str, list[str]]) -> tuple[str, dict[str, list[str]]]:
    """Return the operation (``"query"`` or ``"update"``) and parameters of a POST.

    Parameters
    ----------
    media_type : str
        The body's media type, lower case without parameters: :data:`FORM`, :data:`QUERY` or
        :data:`UPDATE`.
    body : str
        The decoded body.
    url_params : dict
        Parameters of the URL's query string (dataset parameters some clients send there).

    Returns
    -------
    (str, dict)
        The operation and its parameters.

    Raises
    ------
    BadRequest
        If a form holds both ``query`` and ``update``, or a query/update body also comes with a
        ``query``/``update`` URL parameter, or the form is not UTF-8.

    References
    ----------
    .. [1] W3C, "SPARQL 1.1 Protocol", §2.1.2, §2.1.3, §2.2.1, §2.2.2, 2013.
    """
    if media_type == FORM:
        params = parse_params(body)
        # Dataset parameters may come in the body (§2.1.2) or, as some clients send them, in
        # the URL; a query or update text given twice is refused by one().
        for key, values in url_params.items():
            params[key] = params.get(key, []) + values
        if "update" in params and "query" in params:
            raise BadRequest("send either 'query' or 'update', not both")
        return ("update" if "update" in params else "query"), params
    if media_type == QUERY:
        if "query" in url_params or "update" in url_params:
            raise BadRequest("the query is the request body: do not also send a 'query' or 'update' parameter")
        return "query", {**url_params, "query": [body]}
    if "update" in url_params or "query" in url_params:
        raise BadRequest("the update is the request body: do not also send an 'update' or 'query' parameter")
    return "update", {**url_params, "update": [body]}


def prefers_html(accept: str | None) -> bool:
    """Return whether a client navigating to ``/sparql?query=…`` wants the query page.

    Browsers list text/html first, and also application/xml (q=0.9) and ``*/*`` (q=0.8): they
    get the page, SPARQL clients get results.
    """
    return best_media_type(["text/html", *RESULT_TYPES], accept) == "text/html" and "html" in (accept or "")


def with_charset(media_type: str) -> str:
    """Return `media_type` with ``; charset=utf-8`` when it is textual."""
    textual = media_type.startswith("text/") or media_type.endswith(_TEXT_SUFFIXES)
    return media_type + "; charset=utf-8" if textual else media_type


def charset_of(parameters: str) -> str:
    """Return the ``charset`` of a Content-Type's parameters, lower case (default utf-8)."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def query_request(settings: Settings, params: dict[str, list[str]], accept: str | None) -> QueryRequest | Response:
    """Turn protocol parameters into a :class:`QueryRequest`, or the problem response to send.

    The one :func:`kg.engine.query_checks.check_query` of the request runs here, before a worker is
    used; the form it found travels in the request so the engine does not scan the text again.

    Parameters
    ----------
    settings : Settings
        Caps and the SERVICE switch.
    params : dict
        Protocol parameters (``query``, ``default-graph-uri``, ``named-graph-uri``).
    accept : str or None
        The ``Accept`` header.

    Returns
    -------
    QueryRequest or Response
        The request, or a 406 problem response when no offered media type is acceptable.

    Raises
    ------
    BadRequest
        If the query parameter is missing or repeated.
    QuerySyntaxError, ForbiddenError
        From :func:`kg.engine.query_checks.check_query`.
    """
    text = one(params, "query")
    form = check_query(text, allow_service=settings.allow_service, max_chars=settings.max_query_chars)  # 4xx first
    result_type = best_media_type(RESULT_TYPES, accept)
    graph_type = best_media_type(GRAPH_TYPES, accept)
    offered = {"SELECT": RESULT_TYPES, "ASK": RESULT_TYPES, "CONSTRUCT": GRAPH_TYPES, "DESCRIBE": GRAPH_TYPES}
    chosen = {"SELECT": result_type, "ASK": result_type, "CONSTRUCT": graph_type, "DESCRIBE": graph_type}
    if (form and chosen[form] is None) or (result_type is None and graph_type is None):
        types = offered.get(form, RESULT_TYPES + GRAPH_TYPES)
        return problem(406, "Not Acceptable", f"{form or 'this'} results are available as " + ", ".join(types))
    return QueryRequest(
        text=text,
        result_media_type=result_type,
        graph_media_type=graph_type,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        max_rows=settings.max_rows,
        max_bytes=settings.max_result_bytes,
        allow_service=settings.allow_service,
        form=form,
    )


def result_response(result: QueryResponse) -> Response:
    """Return the HTTP response carrying a serialized query result."""
    headers = {"X-Result-Count": str(result.count), "Vary": "Accept", "Cache-Control": "no-cache"}
    return Response(result.body, media_type=with_charset(result.media_type), headers=headers)


def answer(graph: KnowledgeGraph, settings: Settings, params: dict[str, list[str]], accept: str | None) -> Response:
    """Answer a query operation (blocking: the routes run it in a thread).

    Raises
    ------
    BadRequest, KGError
        As :func:`query_request` and :meth:`kg.service.KnowledgeGraph.query`.
    """
    request = query_request(settings, params, accept)
    if isinstance(request, Response):
        return request
    return result_response(graph.query(request))


async def answer_async(
    graph: KnowledgeGraph, settings: Settings, params: dict[str, list[str]], accept: str | None
) -> Response:
    """Answer a query operation on the event loop (the shortcut: no thread hop).

    Raises
    ------
    BadRequest, KGError
        As :func:`query_request` and :meth:`kg.service.KnowledgeGraph.aquery`.
    """
    request = query_request(settings, params, accept)
    if isinstance(request, Response):
        return request
    return result_response(await graph.aquery(request))
