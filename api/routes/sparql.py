"""The SPARQL 1.1 Protocol endpoint: query and update operations, service description, page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import GraphDep, SettingsDep, require_update_token
from api.errors import problem
from api.negotiation import best_media_type
from api.pages import query_page, service_description
from kg.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryRequest

router = APIRouter(tags=["sparql"])

_RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
]
_GRAPH_TYPES = list(GRAPH_MEDIA_TYPES)
assert set(_RESULT_TYPES) == set(RESULT_MEDIA_TYPES)

_SPARQL_EXAMPLE = "SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name } LIMIT 5"


def _answer(graph: GraphDep, settings: SettingsDep, params: dict[str, list[str]], accept: str | None) -> Response:
    queries = params.get("query", [])
    if len(queries) != 1:
        detail = "missing 'query' parameter" if not queries else "exactly one 'query' parameter is allowed"
        return problem(400, "Bad SPARQL request", detail)
    result_type = best_media_type(_RESULT_TYPES, accept)
    graph_type = best_media_type(_GRAPH_TYPES, accept)
    if result_type is None and graph_type is None:
        return problem(406, "Not Acceptable", "offered: " + ", ".join(_RESULT_TYPES + _GRAPH_TYPES))
    request = QueryRequest(
        text=queries[0],
        result_media_type=result_type,
        graph_media_type=graph_type,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        max_rows=settings.max_rows,
        max_bytes=settings.max_result_bytes,
        allow_service=settings.allow_service,
    )
    result = graph.query(request)
    media_type = result.media_type
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "/json", "/xml", "turtle", "trig")):
        media_type += "; charset=utf-8"
    headers = {"X-Result-Count": str(result.count), "Vary": "Accept", "Cache-Control": "no-cache"}
    return Response(result.body, media_type=media_type, headers=headers)


def _update(graph: GraphDep, settings: SettingsDep, text: str, authorization: str | None) -> Response:
    require_update_token(settings, authorization)
    graph.update(text)
    return Response(status_code=204)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET), query page or service description",
    description=(
        "With `query`: evaluate it (SPARQL 1.1 Protocol §2.1.1) over the union of all named graphs, "
        "or over `default-graph-uri` / `named-graph-uri`. Results as SPARQL JSON/XML/CSV/TSV (SELECT, ASK) "
        "or Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads (CONSTRUCT, DESCRIBE) by `Accept`. "
        "Without `query`: the query page for `Accept: text/html`, else the service description. "
        f"Example: `/sparql?query={_SPARQL_EXAMPLE}`."
    ),
    responses={400: {"description": "malformed query"}, 406: {"description": "no acceptable format"}},
)
def sparql_get(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params:
        return problem(405, "Method Not Allowed", "SPARQL Update must be sent with POST", allow="POST")
    if "query" not in params:
        wanted = best_media_type(
            ["text/html", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"], accept
        )
        if wanted == "text/html" and "html" in (accept or ""):
            return HTMLResponse(query_page(settings))
        if wanted is None:
            return problem(
                406,
                "Not Acceptable",
                "the service description is available as text/turtle, application/ld+json, application/rdf+xml",
            )
        body, media = service_description(
            str(request.url.replace(query="")), settings, wanted if wanted != "text/html" else "text/turtle"
        )
        return Response(body, media_type=media)
    return _answer(graph, settings, params, accept)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query or update (POST)",
    description=(
        "Query: `application/x-www-form-urlencoded` with `query=` or `application/sparql-query` body (§2.1.2, §2.1.3). "
        "Update: form with `update=` or `application/sparql-update` body (§2.2), only with "
        "`Authorization: Bearer <update token>`. Each update is atomic."
    ),
    responses={
        400: {"description": "malformed request"},
        403: {"description": "update without valid token"},
        415: {"description": "unsupported media type"},
    },
)
async def sparql_post(
    request: Request,
    graph: GraphDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Bad SPARQL request", "the body is not UTF-8")
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if content_type == "application/x-www-form-urlencoded":
        params = parse_qs(body, keep_blank_values=True)
        for key in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
            params.setdefault(key, url_params.get(key, []))
        if "update" in params and "query" in params:
            return problem(400, "Bad SPARQL request", "send either 'query' or 'update', not both")
        if "update" in params:
            updates = params["update"]
            if len(updates) != 1:
                return problem(400, "Bad SPARQL request", "exactly one 'update' parameter is allowed")
            return await run_in_threadpool(_update, graph, settings, updates[0], authorization)
        return await run_in_threadpool(_answer, graph, settings, params, accept)
    if content_type == "application/sparql-query":
        params = {**url_params, "query": [body]}
        return await run_in_threadpool(_answer, graph, settings, params, accept)
    if content_type == "application/sparql-update":
        return await run_in_threadpool(_update, graph, settings, body, authorization)
    return problem(
        415,
        "Unsupported Media Type",
        "use application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
    )
