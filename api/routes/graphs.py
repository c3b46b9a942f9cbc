"""Graph pictures: pyvis pages that work offline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import GraphDep
from kg import analytics, lookup
from viz import render_html

router = APIRouter(prefix="/graphs", tags=["graphs"])


@router.get(
    "/ego/{kind}/{slug}",
    summary="Ego graph of an entity (self-contained HTML)",
    description="Example: `/graphs/ego/model/glm-4.5?depth=1`.",
    response_class=HTMLResponse,
)
def ego(
    graph: GraphDep,
    kind: Annotated[str, Path(description="model, organization, person, license, claim, article, family")],
    slug: Annotated[str, Path(description="Entity slug, name or IRI", examples=["glm-4.5"])],
    depth: Annotated[int, Query(ge=1, le=3, description="Hops from the entity")] = 1,
    types: Annotated[str | None, Query(description="Comma list of kinds to keep, e.g. model,organization")] = None,
    max_nodes: Annotated[int, Query(ge=10, le=5000, description="Node cap")] = 400,
) -> HTMLResponse:
    iri = graph.read(lookup.resolve, kind, slug, version=graph.version)
    kinds = [t.strip() for t in types.split(",")] if types else None
    G = graph.read(analytics.ego_graph, iri, depth=depth, types=kinds, max_nodes=max_nodes)
    center = G.nodes[iri]["label"] if iri in G else slug
    notice = None
    if G.graph.get("truncated"):
        notice = (
            f"Showing {G.number_of_nodes()} nodes; {G.graph['truncated']} more were left out by the cap of {max_nodes}. "
            "Narrow with ?types=model,organization or a smaller depth, or raise max_nodes."
        )
    return HTMLResponse(render_html(G, title=f"{center}: neighbourhood (depth {depth})", notice=notice))
