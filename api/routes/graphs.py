"""Graph pictures: pyvis pages that work offline (one self-contained HTML document each)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import GraphDep, checked_query
from api.rendering import render
from kg.analysis import analytics
from kg.errors import InvalidParameterError, NotFoundError
from kg.service import KnowledgeGraph
from kg.views import pictures
from viz import render_html
from viz.render import VIS_ASSETS, vis_asset

# An unknown or repeated parameter is a 422 naming it (a misspelt filter must not draw everything).
router = APIRouter(prefix="/graphs", tags=["graphs"], dependencies=[Depends(checked_query())])

MaxNodes = Annotated[int, Query(ge=10, le=5000, description="Node cap; what is cut is listed in a notice")]
Embed = Annotated[
    bool, Query(description="1: the picture alone, for an <iframe> on another site (any site may frame it)")
]


@router.get("", summary="Index of the graph pictures", response_class=HTMLResponse, include_in_schema=False)
def index() -> HTMLResponse:
    return HTMLResponse(render("graphs_index.html"))


ASSETS_URL = "/graphs/assets"
"""Where the graph library is served for pages that link it (entity pages) instead of inlining it."""


@router.get("/assets/{name}", summary="The graph library (vis-network) that entity pages link", include_in_schema=False)
def read_asset(name: Annotated[str, Path(max_length=100)]) -> Response:
    if name not in VIS_ASSETS:
        raise NotFoundError(f"no graph asset {name[:100]!r}", suggestions=sorted(VIS_ASSETS))
    # The version is in the name: a browser keeps it for a year and never asks again.
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(vis_asset(name), media_type=VIS_ASSETS[name] + "; charset=utf-8", headers=headers)


@router.get(
    "/ego/{kind}/{slug}",
    summary="Ego graph of an entity",
    description="The entity and what it links to, 1 to 3 hops. Example: `/graphs/ego/model/glm-4.5?depth=2&types=model,organization`.",
    response_class=HTMLResponse,
)
def read_ego(
    graph: GraphDep,
    kind: Annotated[str, Path(description="model, organization, person, license, claim, article, family")],
    slug: Annotated[str, Path(description="Entity slug, name or IRI", examples=["glm-4.5"])],
    depth: Annotated[int, Query(ge=1, le=3, description="Hops from the entity")] = 1,
    types: Annotated[str | None, Query(description="Comma list of kinds to keep, e.g. model,organization")] = None,
    max_nodes: MaxNodes = 400,
    embed: Embed = False,
) -> HTMLResponse:
    kinds = types.split(",") if types else None
    G = graph.read(pictures.ego_picture, f"{kind}/{slug}", "slug", depth=depth, types=kinds, max_nodes=max_nodes)
    return HTMLResponse(render_html(G, max_nodes=max_nodes, embed=embed))


@router.get(
    "/lineage/{slug}",
    summary="Lineage of a model",
    description=(
        "Ancestors and descendants as a hierarchy (bases on top), edges labelled with the derivation type "
        "(aikg:basedOn + aikg:derivationType, aikg:distilledFrom). Example: `/graphs/lineage/deepseek-r1`."
    ),
    response_class=HTMLResponse,
)
def read_lineage(
    graph: GraphDep,
    slug: Annotated[str, Path(description="Model slug, name or IRI", examples=["deepseek-r1"])],
    max_nodes: MaxNodes = 400,
    embed: Embed = False,
) -> HTMLResponse:
    # Edges where a derived model's license breaks its base's terms are drawn red (kg.analysis.licenses).
    G = graph.read(pictures.lineage_picture, f"model/{slug}", "slug", max_nodes=max_nodes)
    return HTMLResponse(render_html(G, max_nodes=max_nodes, embed=embed))


@router.get(
    "/landscape",
    summary="The landscape: organizations and their models",
    description=(
        "Coloured by country, sized by total parameters, Mixture-of-Experts models drawn as stars. "
        "Example: `/graphs/landscape?year=2025&modality=text&openness=osi,open-weights`."
    ),
    response_class=HTMLResponse,
)
def read_landscape(
    graph: GraphDep,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Publication year")] = None,
    modality: Annotated[
        str | None, Query(description="Modality notation: text, code, image, video, audio, speech…")
    ] = None,
    openness: Annotated[
        str | None, Query(description="Comma list of license-openness categories: " + ", ".join(analytics.OPENNESS))
    ] = None,
    max_nodes: MaxNodes = 600,
    embed: Embed = False,
) -> HTMLResponse:
    G = graph.read(
        analytics.landscape_graph,
        year=year,
        modality=modality,
        openness=openness.split(",") if openness else None,
        max_nodes=max_nodes,
    )
    return HTMLResponse(render_html(G, notice=_no_models_notice(G, year), max_nodes=max_nodes, embed=embed))


def _no_models_notice(G: Any, year: int | None) -> str | None:
    """What an empty landscape says instead of a blank canvas: why, and which years have models."""
    if G.graph.get("matched"):
        return None
    years = G.graph.get("years") or []
    where = f" The years with models are {', '.join(years)}." if years else ""
    if year is not None and str(year) not in years:
        return f"No models were published in {year}.{where}"
    return f"No models match these filters.{where} Remove a filter to see more."


@router.get(
    "/claims",
    summary="The claims network",
    description=(
        "Who claims what about whom, and where; self-claims and conflicts of interest (the source's publisher is "
        "owned by a party to the claim) are marked. Example: `/graphs/claims?about=model/glm-4.5`."
    ),
    response_class=HTMLResponse,
)
def read_claims(
    graph: GraphDep,
    about: Annotated[str | None, Query(description="KIND/SLUG or IRI of a subject, e.g. model/glm-4.5")] = None,
    max_nodes: MaxNodes = 400,
    embed: Embed = False,
) -> HTMLResponse:
    G = graph.read(pictures.claims_picture, about, "about", max_nodes=max_nodes)
    return HTMLResponse(render_html(G, max_nodes=max_nodes, embed=embed))


def _query_page(
    graph: KnowledgeGraph, query: str, max_nodes: int, embed: bool = False, shareable: bool = True
) -> HTMLResponse:
    settings = graph.settings
    G = graph.read(
        analytics.construct_graph, query, max_triples=settings.max_rows, allow_service=settings.allow_service
    )
    notice = None
    if G.graph.get("truncated"):
        notice = f"The result has more than {settings.max_rows} triples; only the first {settings.max_rows} are drawn."
    return HTMLResponse(
        render_html(G, notice=notice, query=query, max_nodes=max_nodes, embed=embed, shareable=shareable)
    )


@router.get(
    "/query",
    summary="Picture of a CONSTRUCT query's result",
    description=(
        "Runs a SPARQL CONSTRUCT (shared prefixes predeclared, same time limit as /sparql) and draws its triples. "
        "Any other query form is a 400. Example: "
        "`/graphs/query?query=CONSTRUCT { ?m schema:creator ?o } WHERE { ?m schema:creator ?o } LIMIT 100`."
    ),
    response_class=HTMLResponse,
)
def read_query_graph(
    graph: GraphDep,
    query: Annotated[str, Query(min_length=1, description="A SPARQL CONSTRUCT query")],
    max_nodes: MaxNodes = 1000,
    embed: Embed = False,
) -> HTMLResponse:
    return _query_page(graph, query, max_nodes, embed)


@router.post(
    "/query",
    summary="Picture of a CONSTRUCT query's result (POST, for long queries)",
    description="Body: a form with `query` (and optional `max_nodes`), or the query itself as `application/sparql-query`.",
    response_class=HTMLResponse,
)
async def post_query_graph(graph: GraphDep, request: Request) -> HTMLResponse:
    body = (await request.body()).decode("utf-8", errors="replace")
    if request.headers.get("content-type", "").startswith("application/sparql-query"):
        query, max_nodes = body, "1000"
    else:
        form = parse_qs(body)
        query = (form.get("query") or [""])[0]
        max_nodes = (form.get("max_nodes") or ["1000"])[0]
    if not query.strip():
        raise InvalidParameterError("query", "send a SPARQL CONSTRUCT query")
    if not max_nodes.isdigit() or not 10 <= int(max_nodes) <= 5000:
        raise InvalidParameterError("max_nodes", "must be a whole number from 10 to 5000")
    # A POSTed query is not in the page's URL: no link or embed code that would not reproduce it.
    return await run_in_threadpool(_query_page, graph, query, int(max_nodes), False, False)
