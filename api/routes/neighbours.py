"""Neighbours of one node as JSON: what a graph page adds when a reader expands a node in place."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import GraphDep, checked_query
from kg.views import pictures
from viz import graph_json

router = APIRouter(tags=["graphs"], dependencies=[Depends(checked_query())])


@router.get(
    "/api/neighbours",
    summary="Neighbours of an entity, styled as the graph pages draw them",
    description=(
        "The entity and everything one hop away, as vis-network nodes and edges with the same ids, labels, "
        "shapes and colours as `/graphs/...` pages (a page merges them in when a node is double-clicked). "
        "Example: `/api/neighbours?entity=model/glm-4.5`."
    ),
)
def read_neighbours(
    graph: GraphDep,
    entity: Annotated[
        str,
        Query(
            min_length=1, max_length=2000, description="KIND/SLUG (slug or name) or an IRI", examples=["model/glm-4.5"]
        ),
    ],
    color_by: Annotated[Literal["kind", "country"], Query(description="Colouring of the page the nodes join")] = "kind",
    max_nodes: Annotated[int, Query(ge=10, le=1000, description="Node cap; the count cut is `left_out`")] = 200,
) -> dict[str, Any]:
    G = graph.read(pictures.ego_picture, entity, "entity", depth=1, max_nodes=max_nodes)
    return {"entity": G.graph.get("center"), **graph_json(G, color_by=color_by, max_nodes=max_nodes)}
