"""Measures of the graph (/api/analytics/...) and the charts page (/charts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import GraphDep, SettingsDep, checked_query
from kg.analysis import analytics
from kg.analysis.chart_gaps import chart_with_gaps
from viz.charts import render_charts

router = APIRouter(tags=["analytics"])

ProjectionName = Literal["organization-model", "lineage", "claims", "entities"]
_PROJECTION_HELP = "; ".join(f"`{k}`: {v}" for k, v in analytics.PROJECTIONS.items())
Since = Annotated[int, Query(ge=1950, le=2100, description="First year of the per-quarter charts")]


@router.get(
    "/api/analytics",
    dependencies=[Depends(checked_query())],
    summary="What can be measured: projections, measures, charts",
)
def read_analytics_index() -> dict[str, Any]:
    return {
        "projections": analytics.PROJECTIONS,
        "measures": list(analytics.MEASURES),
        "charts": analytics.CHARTS,
        "endpoints": {
            "centrality": "/api/analytics/centrality?projection=organization-model&measure=pagerank",
            "lineage-chains": "/api/analytics/lineage-chains",
            "path": "/api/analytics/path?from=model/deepseek-r1-distill-llama-8b&to=organization/meta",
            "communities": "/api/analytics/communities?projection=organization-model",
            "charts": "/api/analytics/charts/releases-by-country",
        },
    }


@router.get(
    "/api/analytics/centrality",
    dependencies=[Depends(checked_query())],
    summary="Rank entities by degree, PageRank or betweenness centrality",
    description=f"Computed on one projection of the graph, named in the result. Projections: {_PROJECTION_HELP}.",
)
def read_centrality(
    graph: GraphDep,
    projection: Annotated[ProjectionName, Query(description="Which projection to measure")] = "organization-model",
    measure: Annotated[Literal["degree", "pagerank", "betweenness"], Query()] = "pagerank",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    kind: Annotated[str | None, Query(description="Rank only this kind, e.g. organization")] = None,
) -> dict[str, Any]:
    return graph.read(analytics.centrality, projection, measure, limit=limit, kind=kind)  # type: ignore[no-any-return]


@router.get(
    "/api/analytics/lineage-chains",
    dependencies=[Depends(checked_query())],
    summary="Longest lineage chains (model -> base -> … -> root)",
    description="Computed on the lineage projection (aikg:basedOn, aikg:distilledFrom); one chain per leaf model.",
)
def read_lineage_chains(graph: GraphDep, limit: Annotated[int, Query(ge=1, le=1000)] = 10) -> dict[str, Any]:
    return graph.read(analytics.lineage_chains, limit=limit)  # type: ignore[no-any-return]


@router.get(
    "/api/analytics/path",
    dependencies=[Depends(checked_query())],
    summary="Shortest path between two entities, with the properties along it",
    description=(
        "Both ends as KIND/SLUG (`model/deepseek-r1-distill-llama-8b`) or full IRIs; edges are walked in either "
        "direction and each step lists its properties with their direction."
    ),
)
def read_path(
    graph: GraphDep,
    source: Annotated[
        str, Query(alias="from", description="KIND/SLUG or IRI", examples=["model/deepseek-r1-distill-llama-8b"])
    ],
    target: Annotated[str, Query(alias="to", description="KIND/SLUG or IRI", examples=["organization/meta"])],
    projection: Annotated[ProjectionName, Query()] = "entities",
) -> dict[str, Any]:
    start = graph.read(analytics.resolve_ref, source, "from", version=graph.version)
    end = graph.read(analytics.resolve_ref, target, "to", version=graph.version)
    return graph.read(analytics.shortest_path, start, end, projection)  # type: ignore[no-any-return]


@router.get(
    "/api/analytics/communities",
    dependencies=[Depends(checked_query())],
    summary="Communities of a projection (Louvain, seeded)",
    description=f"The same seed gives the same communities. Projections: {_PROJECTION_HELP}.",
)
def read_communities(
    graph: GraphDep,
    projection: Annotated[ProjectionName, Query()] = "organization-model",
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 42,
    resolution: Annotated[float, Query(gt=0, le=10)] = 1.0,
) -> dict[str, Any]:
    return graph.read(analytics.communities, projection, seed=seed, resolution=resolution)  # type: ignore[no-any-return]


@router.get(
    "/api/analytics/charts/{name}",
    dependencies=[Depends(checked_query())],
    summary="The numbers behind one chart of /charts, with the SPARQL that computed them",
    description=(
        "`gaps` says what the chart leaves out and why (`left_out`), the month the curated data reaches "
        "(`curated_through`), the quarters after it (`incomplete_quarters`, `uncurated_quarters`: drawn "
        "as incomplete, not as zero) and `series.low_sample`: shares from fewer than `low_sample_below` models."
    ),
)
def read_chart(
    graph: GraphDep,
    name: Annotated[Literal["releases-by-country", "moe-share", "license-mix"], Path()],
    since: Since = 2023,
) -> dict[str, Any]:
    return graph.read(chart_with_gaps, name, since=since, data_dir=graph.settings.data_dir)  # type: ignore[no-any-return]


@router.get(
    "/charts",
    summary="Charts of the race (self-contained HTML, inline SVG)",
    description=(
        "Releases per quarter by country, Mixture-of-Experts share, license openness per country. "
        "`chart=NAME` draws one of them, `embed=1` without the page around it (for an `<iframe>`)."
    ),
    response_class=HTMLResponse,
    # A misspelt parameter (?chrat=moe-share) must not silently draw every chart.
    dependencies=[Depends(checked_query())],
)
def read_charts(
    graph: GraphDep,
    settings: SettingsDep,
    since: Since = 2023,
    chart: Annotated[
        Literal["releases-by-country", "moe-share", "license-mix"] | None,
        Query(description="Draw only this chart (for sharing or embedding one)"),
    ] = None,
    embed: Annotated[
        bool, Query(description="1: the charts alone, for an <iframe> on another site (any site may frame it)")
    ] = False,
) -> HTMLResponse:
    names = [chart] if chart else list(analytics.CHARTS)
    charts = [graph.read(chart_with_gaps, name, since=since, data_dir=graph.settings.data_dir) for name in names]
    return HTMLResponse(
        render_charts(
            charts,
            since=since,
            openness=analytics.OPENNESS,
            embed=embed,
            single=chart is not None,
            base_url=settings.public_base_url(),
        )
    )
