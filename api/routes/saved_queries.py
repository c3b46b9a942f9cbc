"""Saved queries: ``POST /q`` saves a SPARQL query under a short link, ``GET /q/{id}`` reopens it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import GraphDep, SettingsDep, checked_query
from api.errors import problem
from api.negotiation import best_media_type
from api.rendering import query_page
from kg.views import saved_queries
from kg.views.saved_queries import MAX_QUERY_BYTES, MAX_TITLE_CHARS

router = APIRouter(tags=["sparql"], dependencies=[Depends(checked_query())])

_TYPES = ["text/html", "application/sparql-query", "application/json"]


class QueryToSave(BaseModel):
    """The body of ``POST /q``: ``{"query": ..., "title": ...}``, no other key (a misspelt ``titel`` is refused)."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(description=f"A SPARQL query (not an update), at most {MAX_QUERY_BYTES // 1024} KB")
    title: str = Field("", description="A short title, one line", max_length=MAX_TITLE_CHARS)


@router.post(
    "/q",
    summary="Save a query under a short link",
    description=(
        "Saves a SPARQL query (at most 20 KB, with a title of at most 200 characters) and answers its short "
        "link `/q/{id}`. No token is needed: the id is derived from title and text, so saving the same "
        "query again gives the same link (200) instead of a new one (201). Saved queries live in their own "
        "named graph, outside the default graph every query and count sees."
    ),
    status_code=201,
    responses={
        200: {"description": "already saved: the same link"},
        400: {"description": "the text is not a SPARQL query (with line and column), or is an update"},
        413: {"description": "a text longer than the server's query cap (KG_MAX_QUERY_CHARS)"},
        422: {"description": "empty or too long text, or a title too long or not one line"},
    },
)
async def save(graph: GraphDep, settings: SettingsDep, body: QueryToSave) -> JSONResponse:
    saved, created = await run_in_threadpool(
        saved_queries.save_query,
        graph.store,
        body.query,
        body.title,
        allow_service=settings.allow_service,
        max_chars=settings.max_query_chars,
    )
    path = f"/q/{saved.id}"
    return JSONResponse(saved.as_dict(), status_code=201 if created else 200, headers={"Location": path})


@router.get(
    "/q/{qid}",
    summary="A saved query: the query page with it filled in, or its text",
    description=(
        "`Accept: text/html` (a browser): the query page with the saved text and title; "
        "`application/sparql-query`: the text alone; `application/json`: id, title, query and date."
    ),
    responses={
        200: {"content": {"text/html": {}, "application/sparql-query": {}, "application/json": {}}},
        404: {"description": "no query is saved under this id"},
        406: {"description": "none of the offered formats is acceptable"},
    },
)
def reopen(
    graph: GraphDep,
    settings: SettingsDep,
    qid: Annotated[str, Path(max_length=64, description="The id of the short link", examples=["q8Xz3kLm2Pa1"])],
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    saved = graph.read(saved_queries.find_query, qid)
    wanted = best_media_type(_TYPES, accept)
    headers = {"Vary": "Accept"}
    if wanted == "text/html":
        return HTMLResponse(query_page(settings, query=saved.text, title=saved.title, saved=saved.id), headers=headers)
    if wanted == "application/sparql-query":
        return Response(saved.text, media_type="application/sparql-query; charset=utf-8", headers=headers)
    if wanted == "application/json":
        body: dict[str, Any] = saved.as_dict()
        return JSONResponse(body, headers=headers)
    return problem(406, "Not Acceptable", "a saved query is available as " + ", ".join(_TYPES))
