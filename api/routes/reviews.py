"""Claims against evidence: reviews of claims, the claim page, and license checks along the lineage.

Paths:

- ``GET /api/claims/{slug}/review``: one claim's review (rating, reason, evidence with sources and
  dates, the exact SPARQL and its bindings, the claimant's interests, the data it was computed from).
- ``GET /api/reviews?rating=&kind=&about=``: reviews filtered by rating (supported, misleading,
  contradicted, unverifiable), claim kind (first, ranking, openness, quantity, trend, opinion, none)
  and subject.
- ``GET /api/models/{slug}/license-check``: licenses along the model's lineage (``licenseFindings``,
  ``flag``).
- ``GET /claims/{slug}``: the claim's page; ``GET /claims/{slug}/graph``: the graph of what its
  review rests on (pyvis).

Reviews are kept in the store's named graph ``https://w3id.org/aikg/graph/reviews`` and regenerated
on every write that changes the data (see :mod:`kg.analysis.review`), so ``/sparql`` sees the same reviews.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import GraphDep, checked_query
from api.rendering import render
from kg.analysis.licenses import license_check
from kg.analysis.review import RATINGS, REVIEWS_GRAPH, evidence_graph, keeper_for
from kg.find.resolve import resolve
from kg.queries import named_query
from viz import render_html

__all__ = ["install", "router"]

router = APIRouter(tags=["reviews"])

ClaimSlug = Annotated[str, Path(description="Claim slug, name or IRI", examples=["alibaba-wan-2.2-first-moe-video"])]
Rating = Literal["supported", "misleading", "contradicted", "unverifiable"]
Kind = Literal["first", "ranking", "openness", "quantity", "trend", "opinion", "none"]


def install(app: FastAPI) -> None:
    """Compute the reviews of the app's graph and keep them current (called by the app's lifespan)."""
    keeper_for(app.state.graph.store)


def _claim(graph: GraphDep, slug: str) -> str:
    return graph.read(resolve, "claim", slug)  # type: ignore[no-any-return]


@router.get(
    "/api/claims/{slug}/review",
    dependencies=[Depends(checked_query())],
    summary="The review of one claim: rating, evidence, SPARQL, interests",
    description="Example: `/api/claims/alibaba-wan-2.2-first-moe-video/review`. The review is regenerated "
    "whenever the data it rests on changes; `computedFrom` names the graphs and their digests.",
)
def read_review(graph: GraphDep, slug: ClaimSlug) -> dict[str, Any]:
    return keeper_for(graph.store).get(_claim(graph, slug)).to_dict()


@router.get(
    "/api/reviews",
    dependencies=[Depends(checked_query())],
    summary="Reviews of claims, filtered by rating, kind and subject",
    description="Example: `/api/reviews?rating=misleading&kind=openness`. `kind=none` selects claims without "
    "a claim kind. SPARQL sees the same reviews in graph `" + REVIEWS_GRAPH + "`.",
)
def list_reviews(
    graph: GraphDep,
    rating: Annotated[Rating | None, Query(description="supported, misleading, contradicted or unverifiable")] = None,
    kind: Annotated[
        Kind | None, Query(description="first, ranking, openness, quantity, trend, opinion or none")
    ] = None,
    about: Annotated[str | None, Query(description="Subject: model slug, name or IRI", examples=["glm-4.5"])] = None,
) -> dict[str, Any]:
    keeper = keeper_for(graph.store)
    reviews = keeper.list(rating=rating, kind=kind)
    if about:
        iri = about if about.startswith(("http://", "https://")) else graph.read(resolve, "model", about)
        reviews = [r for r in reviews if any(s["iri"] == iri for s in r.info["about"] + r.info["comparedWith"])]
    counts = {name: sum(1 for r in reviews if r.rating == name) for name in RATINGS}
    return {
        "count": len(reviews),
        "byRating": counts,
        "computedFrom": keeper.snapshot.to_dict() if keeper.snapshot else None,
        "datePublished": keeper.published,
        "results": [r.summary() for r in reviews],
    }


@router.get(
    "/api/models/{slug}/license-check",
    dependencies=[Depends(checked_query())],
    summary="Licenses along the lineage of a model",
    description="Compares the model's declared weights licenses with the terms of every model it is based on "
    "(transitively): derivative-must-keep clauses, naming rules, non-commercial bases, dropped restrictions. "
    "Example: `/api/models/deepseek-r1-distill-llama-70b/license-check`.",
)
def read_license_check(
    graph: GraphDep,
    slug: Annotated[str, Path(description="Model slug, name or IRI", examples=["deepseek-r1-distill-llama-70b"])],
) -> dict[str, Any]:
    iri = graph.read(resolve, "model", slug)
    return graph.read(license_check, iri)  # type: ignore[no-any-return]


@router.get(
    "/claims/{slug}",
    dependencies=[Depends(checked_query())],
    summary="The claim's page: its review, evidence and sources",
    response_class=HTMLResponse,
)
def claim_page(graph: GraphDep, slug: ClaimSlug) -> HTMLResponse:
    review = keeper_for(graph.store).get(_claim(graph, slug)).to_dict()
    return HTMLResponse(render("claim.html", r=review, interest_sparql=named_query("review_interest")))


@router.get(
    "/claims/{slug}/graph",
    dependencies=[Depends(checked_query())],
    summary="What the claim's review rests on, as a graph (self-contained HTML)",
    response_class=HTMLResponse,
)
def claim_graph(graph: GraphDep, slug: ClaimSlug) -> HTMLResponse:
    review = keeper_for(graph.store).get(_claim(graph, slug))
    G = evidence_graph(review)
    title = f"{review.info.get('label') or review.info['slug']}: {review.rating}"
    notice = "Evidence for the claim is green, against it red, context grey; dashed edges lead to sources."
    return HTMLResponse(render_html(G, title=title, notice=notice, query=named_query(review.rule)))
