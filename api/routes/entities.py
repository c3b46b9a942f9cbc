"""REST lookups: search, collections, entities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import GraphDep
from kg import lookup
from kg.namespaces import KINDS

router = APIRouter(prefix="/api", tags=["lookups"])

Slug = Annotated[str, Path(description="Entity slug (`glm-4.5`), name or IRI", examples=["glm-4.5"])]


@router.get(
    "/search",
    summary="Search names and alternate names (any script)",
    description="Case- and accent-insensitive; ranked exact > prefix > contains. Example: `/api/search?q=智谱`.",
)
def search(
    graph: GraphDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Text to look for", examples=["GLM-4.5"])],
    kind: Annotated[
        str | None, Query(description="Keep one kind: model, organization, person, license, claim, article, family")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Maximum number of hits")] = 20,
) -> dict[str, Any]:
    hits = graph.read(lookup.search, q, kind=kind, limit=limit, version=graph.version)
    return {"query": q, "count": len(hits), "results": hits}


@router.get("/models", summary="List AI models", description="Example: `/api/models?country=CN&architecture=moe`.")
def list_models(
    graph: GraphDep,
    organization: Annotated[
        str | None, Query(description="Developer: slug, name or IRI", examples=["zhipu-ai"])
    ] = None,
    country: Annotated[
        str | None, Query(description="ISO 3166 code of the developer's country", examples=["CN"])
    ] = None,
    architecture: Annotated[
        str | None, Query(description="Architecture concept IRI or notation (moe, dense, dit…)")
    ] = None,
    license: Annotated[str | None, Query(description="Weights or code license: SPDX id, slug or IRI")] = None,
    osi: Annotated[bool | None, Query(description="Only models whose weights license is (not) OSI-approved")] = None,
    released_after: Annotated[
        str | None, Query(description="YYYY-MM-DD (inclusive)", pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    ] = None,
    released_before: Annotated[
        str | None, Query(description="YYYY-MM-DD (exclusive)", pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    ] = None,
) -> dict[str, Any]:
    filters: dict[str, Any] = {"osi": osi, "released_after": released_after, "released_before": released_before}
    if organization:
        filters["organization"] = graph.read(lookup.resolve, "organization", organization, version=graph.version)
    if country:
        filters["country"] = country.upper() if len(country) == 2 else country
    if architecture:
        filters["architecture"] = _concept(architecture)
    if license:
        filters["license"] = _license(graph, license)
    models = graph.read(lookup.list_models, **filters)
    return {"count": len(models), "results": models}


def _concept(ref: str) -> str:
    if ref.startswith(("http://", "https://")):
        return ref
    notation = {
        "moe": "MixtureOfExperts",
        "dense": "DenseTransformer",
        "dit": "DiffusionTransformer",
        "moe-dit": "MoEDiffusionTransformer",
        "hybrid-attention-moe": "HybridAttentionMoE",
        "hybrid-mamba": "HybridMambaTransformer",
        "hybrid-mamba-moe": "HybridMambaTransformerMoE",
        "transformer": "Transformer",
    }
    return "https://w3id.org/aikg/ontology#" + notation.get(ref.lower(), ref)


def _license(graph: GraphDep, ref: str) -> str:
    if ref.startswith(("http://", "https://")):
        return ref
    if ref.lower().startswith("licenseref-"):
        return graph.read(lookup.resolve, "license", ref.lower(), version=graph.version)
    return "http://spdx.org/licenses/" + ref


@router.get("/claims", summary="List claims", description="Example: `/api/claims?about=glm-4.5`.")
def list_claims(
    graph: GraphDep,
    about: Annotated[str | None, Query(description="Subject: model slug, name or IRI", examples=["glm-4.5"])] = None,
) -> dict[str, Any]:
    about_iri = None
    if about:
        about_iri = (
            about
            if about.startswith(("http://", "https://"))
            else graph.read(lookup.resolve, "model", about, version=graph.version)
        )
    claims = graph.read(lookup.list_claims, about=about_iri)
    return {"count": len(claims), "results": claims}


@router.get(
    "/{collection}/{slug}",
    summary="One entity, with labelled properties, incoming links and sources",
    description="`collection` is one of " + ", ".join(KINDS) + ". Example: `/api/models/glm-4.5`.",
)
def read_entity(
    graph: GraphDep,
    collection: Annotated[str, Path(description="models, organizations, people, licenses, claims, articles, families")],
    slug: Slug,
) -> dict[str, Any]:
    kind = lookup.collection_kind(collection)
    iri = graph.read(lookup.resolve, kind, slug, version=graph.version)
    return graph.read(lookup.describe, iri)  # type: ignore[no-any-return]
