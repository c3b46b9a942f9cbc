"""Home page and liveness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.deps import GraphDep
from api.rendering import render
from kg.analysis.coverage import release_months

router = APIRouter(tags=["pages"])


@router.get("/health", summary="Liveness and dataset version")
def health(graph: GraphDep) -> dict[str, Any]:
    return {"status": "ok", "version": graph.version, "triples": graph.size()}


@router.get("/", summary="Home page", response_class=HTMLResponse)
def home(graph: GraphDep) -> HTMLResponse:
    months = graph.read(release_months, data_dir=graph.settings.data_dir)
    through, latest = months["curated_through"], months["latest_release"]
    return HTMLResponse(
        render(
            "home.html",
            version=graph.version,
            triples=graph.size(),
            curated_through=through,
            # releases written into the landscape graph later than the curated ones (SPARQL Update)
            added_through=latest if latest and (through is None or latest > through) else None,
        )
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    # Browsers ask every origin for an icon; "no content" keeps a 404 out of each page's console.
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})
