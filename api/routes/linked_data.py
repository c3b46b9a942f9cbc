"""Linked data: every entity IRI ``https://w3id.org/aikg/id/{kind}/{slug}`` dereferences here
(``/id/{kind}/{slug}``, once w3id.org redirects to this server), and the JSON-LD context.

Content negotiation on ``Accept`` (RFC 9110 §12.5.1):

- ``text/html`` (browsers; also the default for ``*/*``): the entity page, answered directly;
- ``application/ld+json``, ``text/turtle``, ``application/n-triples``, ``application/rdf+xml``:
  the entity's RDF document, answered **directly** (``200``, ``Vary: Accept`` and a
  ``Content-Location`` naming the same document under ``/api/``). No 303 hop is added here: the
  ``https://w3id.org/aikg/id/...`` IRI already redirects from the thing to this server, which is
  the distinction between a thing and a document about it (W3C, "Cool URIs for the Semantic
  Web", §4) — and most RDF clients then need one request, not two;
- ``application/json``: ``303 See Other`` to ``/api/{collection}/{slug}``, the REST record (a
  JSON shape of its own, not RDF).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AsOfParam, GraphDep, checked_query, read_view
from api.negotiation import best_media_type
from api.rendering import entity_href, render
from api.routes.graphs import ASSETS_URL
from kg.analysis import licenses
from kg.analysis.review import keeper_for
from kg.errors import NotAcceptableError, NotFoundError
from kg.service import KnowledgeGraph
from kg.terms import short_count, slug_of
from kg.views import documents
from kg.views.entity_page import page_view
from kg.views.listing import COLLECTIONS
from viz import render_html

router = APIRouter(tags=["linked data"])

OFFERED = ["text/html", *documents.RDF_MEDIA_TYPES, "application/json"]
"""Media types of ``/id/{kind}/{slug}``, HTML first (the default for ``*/*``)."""

_FORMAT_OF = {
    "application/ld+json": "jsonld",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
}
_COLLECTION_OF = {kind: collection for collection, kind in COLLECTIONS.items()}


@router.get(
    "/context.jsonld",
    dependencies=[Depends(checked_query())],
    summary="The JSON-LD context of the REST API",
    description=(
        "Prefixes (`aikg:`, `schema:`, `model:`…) and short terms (`name`, `creator`, `totalParameters`…) with their "
        "type coercions. Entity documents in `application/ld+json` embed exactly this context. Example: `/context.jsonld`."
    ),
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/ld+json": {
                    "example": {
                        "@context": {
                            "schema": "https://schema.org/",
                            "name": "schema:name",
                            "creator": {"@id": "schema:creator", "@type": "@id"},
                        }
                    }
                }
            }
        }
    },
)
def read_context() -> Response:
    return Response(documents.CONTEXT_PATH.read_bytes(), media_type="application/ld+json")


def _reviews(graph: KnowledgeGraph, claims: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The current review of each claim (rating, reason, evidence), keyed by claim IRI."""
    keeper = keeper_for(graph.store)
    found: dict[str, dict[str, Any]] = {}
    for claim in claims:
        try:
            found[claim["iri"]] = keeper.get(claim["iri"]).to_dict()
        except NotFoundError:  # a claim added since the reviews were computed: shown without one
            continue
    return found


@router.get(
    "/id/{kind}/{slug}",
    dependencies=[Depends(checked_query())],
    summary="Dereference an entity IRI: an HTML page for people, RDF for machines",
    description=(
        "The IRI `https://w3id.org/aikg/id/{kind}/{slug}` resolves here. By `Accept`: `text/html` (also for `*/*`) is "
        "the entity page (name, facts with their sources, claims, links to neighbours, a small self-contained graph); "
        "`application/ld+json`, `text/turtle`, `application/n-triples` and `application/rdf+xml` are answered directly "
        "with the entity's Concise Bounded Description plus labels (`Content-Location` names the same document under "
        "`/api/`); `application/json` is a `303 See Other` to `/api/{collection}/{slug}`. The slug must be exact "
        "(IRIs are case-sensitive), except that a slug differing only in case from exactly one entity's is a `301` to "
        "its IRI (`/id/license/mit` -> `/id/license/MIT`); an unknown one is a 404 with the closest slugs. Example: `/id/model/glm-4.5`."
    ),
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"example": "<!DOCTYPE html><html>… GLM-4.5 …</html>"},
                "text/turtle": {"example": 'model:glm-4.5 a aikg:AIModel ;\n    schema:name "GLM-4.5" .'},
                "application/ld+json": {
                    "example": {
                        "@context": {"name": "schema:name"},
                        "@graph": [{"@id": "model:glm-4.5", "name": "GLM-4.5"}],
                    }
                },
            }
        },
        303: {"description": "`Accept: application/json`: see the REST record under /api/"},
        404: {
            "description": "No such entity (RFC 9457 problem with suggestions)",
            "content": {
                "application/problem+json": {
                    "example": {
                        "status": 404,
                        "title": "NotFoundError",
                        "detail": "no model with IRI https://w3id.org/aikg/id/model/GLM-4.5",
                        "suggestions": ["glm-4.5"],
                    }
                }
            },
        },
        406: {"description": "None of the offered media types is acceptable"},
    },
)
def dereference(
    request: Request,
    graph: GraphDep,
    kind: Annotated[
        str,
        Path(
            max_length=40,
            description="Kind in the IRI: " + ", ".join(documents.PAGE_KINDS),
            openapi_examples={"model": {"summary": "An AI model", "value": "model"}},
        ),
    ],
    slug: Annotated[
        str,
        Path(
            max_length=500,
            description="Exact slug of the IRI",
            openapi_examples={"glm": {"summary": "GLM-4.5", "value": "glm-4.5"}},
        ),
    ],
    accept: Annotated[
        str | None,
        Header(
            description="text/html, application/ld+json, text/turtle, application/n-triples, application/rdf+xml or application/json"
        ),
    ] = None,
    as_of: AsOfParam = None,
) -> Response:
    try:
        return _dereference(graph, kind, slug, accept, as_of)
    except NotFoundError as exc:
        # /id/license/mit names /id/license/MIT: a slug that differs only in case from the one
        # entity it resolves to (SPDX ids are case-insensitive) is redirected to its IRI.
        canonical = exc.suggestions[0] if len(exc.suggestions) == 1 else ""
        if kind not in documents.PAGE_KINDS or canonical.lower() != slug.lower() or canonical == slug:
            raise
        target = f"/id/{kind}/{quote(canonical, safe='')}" + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(target, status_code=301)


def _dereference(graph: KnowledgeGraph, kind: str, slug: str, accept: str | None, as_of: str | None) -> Response:
    if kind not in documents.PAGE_KINDS:
        raise NotFoundError(f"no kind {kind[:40]!r} of entity IRIs", suggestions=list(documents.PAGE_KINDS))
    collection = _COLLECTION_OF.get(kind)
    offered = OFFERED if collection else OFFERED[:-1]  # JSON records exist for the REST collections only
    media_type = best_media_type(offered, accept)
    if media_type is None:
        raise NotAcceptableError("offered: " + ", ".join(offered))
    if media_type == "application/json":
        view, iri = read_view(graph, as_of, documents.exact_iri, kind, slug)
        return RedirectResponse(
            f"/api/{collection}/{quote(slug_of(iri), safe='')}" + (f"?as_of={view['date']}" if view else ""),
            status_code=303,
            headers={"Vary": "Accept"},
        )
    if media_type != "text/html":
        view, (iri, body) = read_view(graph, as_of, documents.entity_document, kind, slug, media_type, exact=True)
        headers = {"Vary": "Accept"}
        if collection:
            headers["Content-Location"] = (
                f"/api/{collection}/{quote(slug, safe='')}?format={_FORMAT_OF[media_type]}"
                + (f"&as_of={view['date']}" if view else "")
            )
        charset = "; charset=utf-8" if media_type.startswith("text/") else ""
        return Response(body, media_type=media_type + charset, headers=headers)
    view, page = read_view(graph, as_of, page_view, kind, slug)
    record, G = page["record"], page["picture"]
    # the picture itself says how many nodes its cap left out; what was folded is said here
    folded = int(G.graph.get("folded") or 0)
    notice = (
        f"{folded} evidence item{'s' if folded > 1 else ''} of claim reviews folded into their claims "
        "(listed on this page)."
        if folded
        else None
    )
    picture = render_html(
        G, title=f"{record['name']} and its neighbours", notice=notice, height_px=420, assets_url=ASSETS_URL
    )
    claims = record["claims"]["about"] + record["claims"]["by"]
    if record.get("kind") == "claim":
        claims = [record]
    api_path = f"/api/{collection}/{quote(slug, safe='')}" if collection else None
    path = f"{kind}/{quote(slug, safe='')}"
    html = render(
        "entity.html",
        entity=record,
        page=page,
        reviews=_reviews(graph, claims),
        collection=collection,
        href=entity_href,
        short_count=short_count,
        graph_titles={s["graph"]: s.get("title") for s in record["sources"]},
        graph_html=picture,
        formats=_FORMAT_OF,
        api_path=api_path,
        rdf_path=api_path or f"/id/{path}",
        ego_path=f"/graphs/ego/{path}",
        claims_graph_path=f"/graphs/claims?about={path}",
        as_of=view,
        finding_kinds=licenses.FINDING_KINDS,
        license_check_path=f"/api/models/{quote(slug, safe='')}/license-check",
        lineage_path=f"/graphs/lineage/{quote(slug, safe='')}",
    )
    return HTMLResponse(html, headers={"Vary": "Accept"})
