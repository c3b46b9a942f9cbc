"""The SPARQL 1.1 Protocol endpoint: query and update operations, service description, page.

Status codes (W3C SPARQL 1.1 Protocol §2.1.5, §2.2.4, RFC 9110): 400 malformed request or query
(with line and column), 401 update without an ``Authorization`` header (with
``WWW-Authenticate: Bearer``), 403 update with a wrong token or while updates are disabled, and
``SERVICE``/``LOAD`` while federation is off, 405 update by GET, 406 no acceptable result format,
413 result over the row or byte cap, 415 unsupported request media type, 503 a query stopped by
its time or memory limit. A 2xx body is always a complete document: the result is serialized in
full before the status line is sent.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import GraphDep, SettingsDep, require_update_token
from api.errors import problem
from api.negotiation import best_media_type
from api.pages import SERVICE_DESCRIPTION_TYPES, query_page, service_description
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryRequest, QueryResponse, check_query

router = APIRouter(tags=["sparql"])

_RESULT_TYPES = list(RESULT_MEDIA_TYPES)
_GRAPH_TYPES = list(GRAPH_MEDIA_TYPES)
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
_USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")
_TEXT_SUFFIXES = ("+json", "+xml", "/json", "/xml", "turtle", "trig", "n-triples", "n-quads")

MAX_BODY_BYTES = 8 * 2**20
"""Largest POST body accepted (a query or an update, in bytes); bulk data goes through ``kg load``."""

_SPARQL_EXAMPLE = "SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name } LIMIT 5"


async def _read_body(request: Request) -> bytes:
    # Read at most MAX_BODY_BYTES: a huge body must not fill the server's memory first.
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BadRequest(_too_large(), 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _BadRequest(_too_large(), 413)
    return bytes(body)


def _too_large() -> str:
    return f"the request body is larger than {MAX_BODY_BYTES // 2**20} MiB: load big data files with `kg load`"


class _BadRequest(Exception):
    """A malformed protocol request; becomes a 400 (or the given status) problem response."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


def _parse(text: str) -> dict[str, list[str]]:
    # Strict: a percent-escape that is not UTF-8 is the client's mistake, not U+FFFD in a query.
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise _BadRequest("a parameter is not UTF-8 after percent-decoding") from exc


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if not values:
        raise _BadRequest(f"missing '{name}' parameter")
    if len(values) > 1:
        raise _BadRequest(f"exactly one '{name}' parameter is allowed, got {len(values)}")
    return values[0]


def _prefers_html(accept: str | None) -> bool:
    # Browsers navigating to /sparql?query=... list text/html first, and also application/xml
    # (q=0.9) and */* (q=0.8): they get the page, SPARQL clients get results.
    return best_media_type(["text/html", *_RESULT_TYPES], accept) == "text/html" and "html" in (accept or "")


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(_TEXT_SUFFIXES)
    return media_type + "; charset=utf-8" if textual else media_type


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def query_request(settings: Settings, params: dict[str, list[str]], accept: str | None) -> QueryRequest | Response:
    """Turn protocol parameters into a :class:`QueryRequest`, or the problem response to send.

    Shared by the routes below and the ASGI shortcut in ``api/fastpath.py``.

    Raises
    ------
    _BadRequest
        If the query parameter is missing or repeated.
    QuerySyntaxError, ForbiddenError
        From :func:`kg.sparql.check_query`, before a worker is used.
    """
    text = _one(params, "query")
    form = check_query(text, allow_service=settings.allow_service)  # 400/403 before a worker is used
    result_type = best_media_type(_RESULT_TYPES, accept)
    graph_type = best_media_type(_GRAPH_TYPES, accept)
    offered = {"SELECT": _RESULT_TYPES, "ASK": _RESULT_TYPES, "CONSTRUCT": _GRAPH_TYPES, "DESCRIBE": _GRAPH_TYPES}
    chosen = {"SELECT": result_type, "ASK": result_type, "CONSTRUCT": graph_type, "DESCRIBE": graph_type}
    if (form and chosen[form] is None) or (result_type is None and graph_type is None):
        types = offered.get(form, _RESULT_TYPES + _GRAPH_TYPES)
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
    )


def result_response(result: QueryResponse) -> Response:
    """Return the HTTP response carrying a serialized query result."""
    headers = {"X-Result-Count": str(result.count), "Vary": "Accept", "Cache-Control": "no-cache"}
    return Response(result.body, media_type=_with_charset(result.media_type), headers=headers)


def _answer(graph: KnowledgeGraph, settings: Settings, params: dict[str, list[str]], accept: str | None) -> Response:
    request = query_request(settings, params, accept)
    if isinstance(request, Response):
        return request
    return result_response(graph.query(request))


def _update(
    graph: KnowledgeGraph, settings: Settings, params: dict[str, list[str]], authorization: str | None
) -> Response:
    require_update_token(settings, authorization)  # 401/403 before the text is even looked at
    text = _one(params, "update")
    used = [name for name in _USING_PARAMS if params.get(name)]
    if used:
        raise _BadRequest(
            f"{', '.join(used)} is not supported here: put USING / USING NAMED (or WITH) into the update text"
        )
    graph.update(text)
    return Response(status_code=204)


def _problem_for(exc: _BadRequest) -> JSONResponse:
    return problem(exc.status, "Bad SPARQL request" if exc.status == 400 else "Request too large", exc.detail)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET), query page or service description",
    description=(
        "With `query`: evaluate it (SPARQL 1.1 Protocol §2.1.1) over the union of all named graphs, "
        "or over `default-graph-uri` / `named-graph-uri` (§2.1.4). Results as SPARQL JSON/XML/CSV/TSV "
        "(SELECT, ASK) or Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads (CONSTRUCT, DESCRIBE) by "
        "`Accept` with q-values; default SPARQL JSON or Turtle. "
        "Without `query`: the query page for `Accept: text/html`, else the SPARQL 1.1 Service Description. "
        f"Example: `/sparql?query={_SPARQL_EXAMPLE}`."
    ),
    responses={
        400: {"description": "malformed query (with line and column) or request"},
        403: {"description": "SERVICE while federation is disabled"},
        405: {"description": "an update sent by GET"},
        406: {"description": "no acceptable result format"},
        413: {"description": "result over the row or byte cap"},
        503: {"description": "query stopped by its time or memory limit"},
    },
)
def sparql_get(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    try:
        params = _parse(request.url.query)
        if "update" in params:
            response = problem(
                405, "Method Not Allowed", "SPARQL Update must be sent with POST (SPARQL 1.1 Protocol §2.2)"
            )
            response.headers["Allow"] = "POST"
            return response
        if "query" not in params:
            return _page_or_description(request, graph, settings, accept)
        if _prefers_html(accept):
            return HTMLResponse(query_page(settings, query=_one(params, "query")), headers={"Vary": "Accept"})
        return _answer(graph, settings, params, accept)
    except _BadRequest as exc:
        return _problem_for(exc)


def _page_or_description(request: Request, graph: KnowledgeGraph, settings: Settings, accept: str | None) -> Response:
    wanted = best_media_type(["text/html", *SERVICE_DESCRIPTION_TYPES], accept)
    if wanted == "text/html" and "html" in (accept or ""):
        return HTMLResponse(query_page(settings), headers={"Vary": "Accept"})
    if wanted == "text/html":  # no Accept or */*: the machine-readable description
        wanted = SERVICE_DESCRIPTION_TYPES[0]
    if wanted is None:
        return problem(
            406, "Not Acceptable", "the service description is available as " + ", ".join(SERVICE_DESCRIPTION_TYPES)
        )
    body = service_description(
        str(request.url.replace(query="")),
        settings,
        wanted,
        graphs=graph.named_graphs(),
        update_enabled=bool(settings.update_token),
    )
    return Response(body, media_type=_with_charset(wanted), headers={"Vary": "Accept"})


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query or update (POST)",
    description=(
        "Query: `application/x-www-form-urlencoded` with `query=` or an `application/sparql-query` body "
        "(§2.1.2, §2.1.3). Update: form with `update=` or an `application/sparql-update` body (§2.2), only "
        "with `Authorization: Bearer <update token>`; answered 204. Each update request is atomic: a "
        "failing operation leaves the data as it was."
    ),
    responses={
        400: {"description": "malformed request, query or update (with line and column)"},
        401: {"description": "update without an Authorization header"},
        403: {"description": "update with a wrong token, updates disabled, or SERVICE/LOAD while disabled"},
        406: {"description": "no acceptable result format"},
        413: {"description": "result over the row or byte cap, or a request body over 8 MiB"},
        415: {"description": "unsupported request media type"},
        503: {"description": "query stopped by its time or memory limit"},
    },
)
async def sparql_post(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    content_type, _, parameters = request.headers.get("content-type", "").partition(";")
    content_type = content_type.strip().lower()
    charset = _charset(parameters)
    if content_type not in (_FORM, _QUERY, _UPDATE):
        return problem(
            415,
            "Unsupported Media Type",
            f"POST a body of type {_FORM} (query= or update=), {_QUERY} or {_UPDATE}; got {content_type or 'none'}",
        )
    if charset not in ("utf-8", "utf8", "us-ascii"):
        return problem(415, "Unsupported Media Type", f"send the body as UTF-8, not {charset}")
    try:
        url_params = _parse(request.url.query)
        raw = await _read_body(request)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadRequest("the body is not UTF-8") from exc
        if content_type == _FORM:
            params = _parse(body)
            # Dataset parameters may come in the body (§2.1.2) or, as some clients send them,
            # in the URL; a query or update text given twice is refused by _one().
            for key, values in url_params.items():
                params.setdefault(key, [])
                params[key] = params[key] + values
            if "update" in params and "query" in params:
                raise _BadRequest("send either 'query' or 'update', not both")
            if "update" in params:
                return await run_in_threadpool(_update, graph, settings, params, authorization)
            return await run_in_threadpool(_answer, graph, settings, params, accept)
        if content_type == _QUERY:
            if "query" in url_params or "update" in url_params:
                raise _BadRequest("the query is the request body: do not also send a 'query' or 'update' parameter")
            return await run_in_threadpool(_answer, graph, settings, {**url_params, "query": [body]}, accept)
        if "update" in url_params or "query" in url_params:
            raise _BadRequest("the update is the request body: do not also send an 'update' or 'query' parameter")
        return await run_in_threadpool(_update, graph, settings, {**url_params, "update": [body]}, authorization)
    except _BadRequest as exc:
        return _problem_for(exc)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other_method(request: Request) -> Response:
    """Refuse methods the protocol does not define, naming the ones it does (RFC 9110 §15.5.6)."""
    response = problem(
        405, "Method Not Allowed", f"{request.method} is not a SPARQL 1.1 Protocol operation: use GET or POST"
    )
    response.headers["Allow"] = "GET, POST"
    return response
