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

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api import sparql_protocol as protocol
from api.deps import GraphDep, SettingsDep, require_update_token
from api.errors import problem
from api.negotiation import best_media_type
from api.rendering import query_page
from api.service_description import SERVICE_DESCRIPTION_TYPES, service_description
from kg.service import KnowledgeGraph
from kg.settings import Settings

router = APIRouter(tags=["sparql"])

_USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")
_SPARQL_EXAMPLE = "SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name } LIMIT 5"


def _update(
    graph: KnowledgeGraph, settings: Settings, params: dict[str, list[str]], authorization: str | None
) -> Response:
    require_update_token(settings, authorization)  # 401/403 before the text is even looked at
    text = protocol.one(params, "update")
    used = [name for name in _USING_PARAMS if params.get(name)]
    if used:
        raise protocol.BadRequest(
            f"{', '.join(used)} is not supported here: put USING / USING NAMED (or WITH) into the update text"
        )
    graph.update(text)
    return Response(status_code=204)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET), query page or service description",
    description=(
        "With `query`: evaluate it (SPARQL 1.1 Protocol §2.1.1) over the union of all named graphs, "
        "or over `default-graph-uri` / `named-graph-uri` (§2.1.4). Results as SPARQL JSON/XML/CSV/TSV "
        "(SELECT, ASK) or Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads (CONSTRUCT, DESCRIBE) by "
        "`Accept` with q-values; default SPARQL JSON or Turtle. "
        "Without parameters: the query page for `Accept: text/html`, else the SPARQL 1.1 Service Description; "
        "other parameters without `query` are a malformed request (400). "
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
        params = protocol.parse_params(request.url.query)
        if "update" in params:
            response = problem(
                405, "Method Not Allowed", "SPARQL Update must be sent with POST (SPARQL 1.1 Protocol §2.2)"
            )
            response.headers["Allow"] = "POST"
            return response
        if "query" not in params and params:
            # §2.1.1: a query string without `query` is a malformed query request, whatever the
            # client accepts; only a bare /sparql is the page or the service description.
            raise protocol.BadRequest(
                f"missing 'query' parameter (got {', '.join(sorted(params))}): send ?query=<SPARQL text>, "
                "or GET /sparql without parameters for the query page or the service description"
            )
        if "query" not in params:
            return _page_or_description(request, graph, settings, accept)
        if protocol.prefers_html(accept):
            return HTMLResponse(query_page(settings, query=protocol.one(params, "query")), headers={"Vary": "Accept"})
        return protocol.answer(graph, settings, params, accept)
    except protocol.BadRequest as exc:
        return protocol.problem_for(exc)


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
        settings.public_base_url() + request.url.path,  # KG_BASE_URL, not the request's Host
        settings,
        wanted,
        graphs=graph.named_graphs(),
        update_enabled=bool(settings.update_token),
    )
    return Response(body, media_type=protocol.with_charset(wanted), headers={"Vary": "Accept"})


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
    charset = protocol.charset_of(parameters)
    if content_type not in (protocol.FORM, protocol.QUERY, protocol.UPDATE):
        return problem(
            415,
            "Unsupported Media Type",
            f"POST a body of type {protocol.FORM} (query= or update=), {protocol.QUERY} or {protocol.UPDATE}; "
            f"got {content_type or 'none'}",
        )
    if charset not in ("utf-8", "utf8", "us-ascii"):
        return problem(415, "Unsupported Media Type", f"send the body as UTF-8, not {charset}")
    try:
        url_params = protocol.parse_params(request.url.query)
        raw = await protocol.read_body(request)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise protocol.BadRequest("the body is not UTF-8") from exc
        operation, params = protocol.body_params(content_type, body, url_params)
        if operation == "update":
            return await run_in_threadpool(_update, graph, settings, params, authorization)
        return await run_in_threadpool(protocol.answer, graph, settings, params, accept)
    except protocol.BadRequest as exc:
        return protocol.problem_for(exc)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other_method(request: Request) -> Response:
    """Refuse methods the protocol does not define, naming the ones it does (RFC 9110 §15.5.6)."""
    response = problem(
        405, "Method Not Allowed", f"{request.method} is not a SPARQL 1.1 Protocol operation: use GET or POST"
    )
    response.headers["Allow"] = "GET, POST"
    return response
