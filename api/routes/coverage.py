"""What the graph covers (/api/coverage): completeness per field, period per source, what to add."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.deps import GraphDep, checked_query
from kg.analysis.coverage import coverage

router = APIRouter(tags=["coverage"])


@router.get(
    "/api/coverage",
    dependencies=[Depends(checked_query())],
    summary="What the graph covers: completeness per field, period per source, newest release per organization",
    description=(
        "`curated_through`: the latest month (YYYY-MM) with a curated release in the landscape graph, "
        "derived from the data: a release the embedded data files state (a model written into the graph "
        "later, by SPARQL Update or an import, does not count). `latest_release`: the latest month with "
        "any dated release in it. `overall`, `by_year` (release year, `undated`) and `by_organization` "
        "(organization IRI): for all models (`all`) and for open-weight models (`open_weight`), per field "
        "(`release-date`, `architecture`, `total-parameters`, `active-parameters` (Mixture-of-Experts "
        "models only), `weights-license`, `code-license`, `base-model`) the count that has it, the count "
        "it applies to and the share 0..1. `newest_by_organization`: each organization's latest dated "
        "release. `periods`: per source graph the period it declares (`dcterms:temporal`) and the month "
        "its data reaches. `undated`: the models without a release date, for a maintainer to complete."
    ),
)
def read_coverage(graph: GraphDep) -> dict[str, Any]:
    return graph.read(coverage, data_dir=graph.settings.data_dir)  # type: ignore[no-any-return]
