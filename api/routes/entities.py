"""REST lookups: search, filtered collections with stable paging, entities in JSON, JSON-LD and
Turtle, lineage and side-by-side comparison.

Every route answers RFC 9457 problem+json on errors: 404 with suggestions for an unknown entity,
422 naming the parameter for a bad filter value. Answers carry an ETag derived from the dataset
version (see ``api/middleware/etag.py``).
"""

from __future__ import annotations

import enum
import inspect
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import URL

from api.deps import AsOfParam, GraphDep, checked_query, read_view
from api.filter_params import filter_parameters, repeatable, repeated_filters
from api.negotiation import best_media_type
from kg.errors import NotAcceptableError
from kg.find.search import search as search_labels
from kg.namespaces import ID
from kg.terms import ENTITY_KINDS
from kg.views import collection_filters, documents, listing
from kg.views.compare import compare as compare_models
from kg.views.entity import entity_record
from kg.views.lineage import lineage
from kg.views.listing import COLLECTIONS, collection_kind

router = APIRouter(prefix="/api", tags=["lookups"])

ENTITY_MEDIA_TYPES = ["application/json", *documents.RDF_MEDIA_TYPES]
"""What ``/api/{collection}/{slug}`` offers; JSON first (the default for ``*/*``)."""

FORMATS = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
"""``?format=`` shortcuts for browsers and curl without an Accept header."""

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "Unknown entity (RFC 9457 problem, with the closest names)",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "NotFoundError",
                    "status": 404,
                    "detail": "no model named 'glm-45'",
                    "suggestions": ["glm-4.5", "glm-4.5-air"],
                }
            }
        },
    },
    422: {
        "description": "Invalid parameter value (RFC 9457 problem naming the parameter)",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "InvalidParameterError",
                    "status": 422,
                    "detail": "organization: no organization named 'zhipu'; did you mean zhipu-ai?",
                    "parameter": "organization",
                }
            }
        },
    },
}


def _abs(request: Request, path: str) -> str:
    # From the configured public base, never from Host or X-Forwarded-*: answers are cached and
    # shared (api/middleware/etag.py), so a forged header must not shape their links.
    return request.app.state.settings.public_base_url() + path


def _public_url(request: Request) -> URL:
    """The request's own URL under the public base (see :func:`_abs`)."""
    query = request.url.query
    return URL(_abs(request, request.url.path) + (f"?{query}" if query else ""))


def entity_links(
    request: Request, kind: str | None, iri: str, slug: str, view: dict[str, Any] | None = None
) -> dict[str, str]:
    """Return the links of an entity record: its API URL, its IRI's page, its graph picture.

    In an ``as_of`` view (`view`, see :func:`api.deps.read_view`) the record and page links
    keep the date, so following them stays in the same view.
    """
    links = {"iri": iri}
    when = f"?as_of={view['date']}" if view else ""
    collection = next((c for c, k in COLLECTIONS.items() if k == kind), None)
    if collection:
        links["api"] = _abs(request, f"/api/{collection}/{slug}{when}")
    if iri.startswith(str(ID)):
        path = iri[len(str(ID)) :]
        links["html"] = _abs(request, f"/id/{path}{when}")
        links["graph"] = _abs(request, f"/graphs/ego/{path}")
    return links


# -- search ------------------------------------------------------------------------------------

KindParam = enum.Enum("Kind", {k: k for k in ENTITY_KINDS}, type=str)  # type: ignore[misc]


@router.get(
    "/search",
    dependencies=[Depends(checked_query())],
    summary="Search names and alternate names in any script",
    description=(
        "Case-, accent- and width-insensitive search over names, alternate names (any script: `智谱` finds "
        "Zhipu AI), labels, SPDX ids and Hugging Face repository ids. Hits are ranked exact > prefix > contains; "
        "spaces and punctuation are ignored as a fallback (`glm45` finds GLM-4.5). Example: `/api/search?q=智谱`."
    ),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "query": "智谱",
                        "kind": None,
                        "total": 1,
                        "results": [
                            {
                                "iri": "https://w3id.org/aikg/id/organization/zhipu-ai",
                                "slug": "zhipu-ai",
                                "kind": "organization",
                                "name": "Zhipu AI",
                                "matched": "智谱",
                                "match": "exact",
                                "links": {"api": "http://127.0.0.1:8000/api/organizations/zhipu-ai"},
                            }
                        ],
                    }
                }
            }
        },
        422: PROBLEM_RESPONSES[422],
    },
)
def search(
    request: Request,
    graph: GraphDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Text to look for (1 to 200 characters), any script",
            openapi_examples={
                "latin": {"summary": "A model name", "value": "GLM-4.5"},
                "chinese": {"summary": "Chinese alternate name", "value": "智谱"},
            },
        ),
    ],
    kind: Annotated[
        KindParam | None,
        Query(
            description="Keep only this kind of entity",
            openapi_examples={"models": {"summary": "Only models", "value": "model"}},
        ),
    ] = None,  # type: ignore[valid-type]
    limit: Annotated[int, Query(ge=1, le=100, description="Maximum number of hits (1 to 100)")] = 20,
) -> dict[str, Any]:
    kind_value = kind.value if kind is not None else None
    found = graph.read(search_labels, q, kind=kind_value, limit=limit)
    for hit in found["results"]:
        hit["links"] = entity_links(request, hit["kind"], hit["iri"], hit["slug"])
    return {"query": q, "kind": kind_value, **found}


# -- compare and lineage -----------------------------------------------------------------------


@router.get(
    "/compare",
    dependencies=[Depends(checked_query())],
    summary="Compare models side by side (same properties, same rows)",
    description=(
        "An ORKG-style comparison table: one row per property any of the models has, one column per model, "
        "with labels resolved and the sources of each value. `same` tells whether all columns agree. "
        "Example: `/api/compare?models=glm-4.5,deepseek-v3,qwen3-235b-a22b`."
    ),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "models": [
                            {
                                "iri": "https://w3id.org/aikg/id/model/glm-4.5",
                                "slug": "glm-4.5",
                                "kind": "model",
                                "name": "GLM-4.5",
                            },
                            {
                                "iri": "https://w3id.org/aikg/id/model/deepseek-v3",
                                "slug": "deepseek-v3",
                                "kind": "model",
                                "name": "DeepSeek-V3",
                            },
                        ],
                        "properties": [
                            {
                                "property": "aikg:totalParameters",
                                "iri": "https://w3id.org/aikg/ontology#totalParameters",
                                "label": "total parameters",
                                "values": [
                                    [
                                        {
                                            "value": 355000000000,
                                            "datatype": "xsd:integer",
                                            "sources": ["https://github.com/zai-org/GLM-4.5"],
                                        }
                                    ],
                                    [
                                        {
                                            "value": 671000000000,
                                            "datatype": "xsd:integer",
                                            "sources": ["https://github.com/deepseek-ai/DeepSeek-V3"],
                                        }
                                    ],
                                ],
                                "same": False,
                            }
                        ],
                    }
                }
            }
        },
        422: PROBLEM_RESPONSES[422],
    },
)
def compare(
    graph: GraphDep,
    models: Annotated[
        str,
        Query(
            max_length=2000,
            description="2 to 10 models (slug, name or IRI), comma-separated, in column order",
            openapi_examples={
                "glm-vs-deepseek": {
                    "summary": "Three Chinese MoE models",
                    "value": "glm-4.5,deepseek-v3,qwen3-235b-a22b",
                }
            },
        ),
    ],
) -> dict[str, Any]:
    return graph.read(compare_models, models.split(","))  # type: ignore[no-any-return]


@router.get(
    "/models/{slug}/lineage",
    dependencies=[Depends(checked_query())],
    summary="Ancestors and descendants of a model, with derivation types and depth",
    description=(
        "Follows `aikg:basedOn` (weights a model starts from) and `aikg:distilledFrom` (its teacher) transitively "
        "both ways. `depth` is the shortest number of derivation steps; each edge names its relation and the "
        "derivation type (fine-tune, distillation, adapter, quantization, merge). "
        "Example: `/api/models/qwen2.5-math-7b/lineage`."
    ),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "model": {
                            "iri": "https://w3id.org/aikg/id/model/deepseek-r1-distill-qwen-7b",
                            "slug": "deepseek-r1-distill-qwen-7b",
                            "kind": "model",
                            "name": "DeepSeek-R1-Distill-Qwen-7B",
                        },
                        "ancestors": [
                            {
                                "iri": "https://w3id.org/aikg/id/model/deepseek-r1",
                                "slug": "deepseek-r1",
                                "kind": "model",
                                "name": "DeepSeek-R1",
                                "depth": 1,
                            },
                            {
                                "iri": "https://w3id.org/aikg/id/model/qwen2.5-math-7b",
                                "slug": "qwen2.5-math-7b",
                                "kind": "model",
                                "name": "Qwen2.5-Math-7B",
                                "depth": 1,
                            },
                        ],
                        "descendants": [],
                        "edges": [
                            {
                                "from": {"slug": "deepseek-r1-distill-qwen-7b"},
                                "to": {"slug": "qwen2.5-math-7b"},
                                "relation": "aikg:basedOn",
                                "derivationType": {
                                    "iri": "https://w3id.org/aikg/ontology#Distillation",
                                    "slug": "Distillation",
                                    "label": "distillation",
                                },
                            }
                        ],
                    }
                }
            }
        },
        404: PROBLEM_RESPONSES[404],
        422: PROBLEM_RESPONSES[422],
    },
)
def read_lineage(
    graph: GraphDep,
    slug: Annotated[
        str,
        Path(
            max_length=500,
            description="Model slug, name or IRI",
            openapi_examples={"distill": {"summary": "A distilled model", "value": "deepseek-r1-distill-qwen-7b"}},
        ),
    ],
    max_depth: Annotated[
        int | None, Query(ge=1, le=50, description="Keep relatives at most this many steps away (default: all)")
    ] = None,
) -> dict[str, Any]:
    return graph.read(lineage, slug, max_depth=max_depth)  # type: ignore[no-any-return]


# -- collections -------------------------------------------------------------------------------

_VALUE_EXAMPLES: dict[str, dict[str, str]] = {
    "models": {
        "organization": "zhipu-ai",
        "country": "CN",
        "architecture": "moe",
        "modality": "video",
        "license": "MIT",
        "weights_license": "Apache-2.0",
        "code_license": "MIT",
        "accessibility": "open-weights",
        "family": "qwen3",
        "based_on": "llama-3.1-8b",
        "released_after": "2025-01",
        "released_before": "2025-08-01",
        "min_parameters": "100000000000",
        "max_parameters": "10000000000",
        "min_active_parameters": "10000000000",
        "max_active_parameters": "40000000000",
    },
    "claims": {
        "claimant": "andrew-ng",
        "about": "glm-4.5",
        "stance": "supports",
        "claim_kind": "openness",
        "source": "scmp-meta-careful-open-source",
    },
    "organizations": {"country": "CN", "parent": "alibaba"},
    "people": {"affiliation": "deeplearning-ai"},
    "architectures": {"broader": "moe"},
    "articles": {"publisher": "scmp", "about": "glm-4.5"},
    "families": {"organization": "alibaba"},
}

_SUMMARIES = {
    "models": (
        "List AI models, filtered and sorted",
        "`/api/models?country=CN&architecture=moe&open_weights=true&sort=parameters&order=desc`",
    ),
    "claims": ("List claims: who said what about whom, where", "`/api/claims?about=glm-4.5&self_claim=true`"),
    "organizations": ("List organizations", "`/api/organizations?country=CN`"),
    "people": ("List people", "`/api/people?affiliation=deeplearning-ai`"),
    "licenses": ("List licenses of weights and code", "`/api/licenses?osi=true`"),
    "architectures": ("List architecture concepts", "`/api/architectures?broader=moe`"),
    "articles": ("List articles that carry claims", "`/api/articles?publisher=scmp`"),
    "families": ("List model families", "`/api/families?organization=alibaba`"),
    "countries": ("List countries", "`/api/countries`"),
}


def _link_header(links: dict[str, str | None]) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)


def _collection_endpoint(collection: str) -> Any:
    sorts = list(collection_filters.SORTS[collection])
    sort_enum = enum.Enum(f"{collection.title()}Sort", {s: s for s in sorts}, type=str)  # type: ignore[misc]

    def endpoint(
        request: Request,
        graph: Any,
        sort: Any,
        order: str,
        limit: int,
        cursor: str | None,
        as_of: str | None,
        **filters: Any,
    ) -> JSONResponse:
        repeated_filters(request, collection, filters)  # a repeated entity filter: any of its values (OR)
        view, page = read_view(
            graph,
            as_of,
            listing.list_collection,
            collection,
            filters,
            sort=sort.value if isinstance(sort, enum.Enum) else sort,
            order=order,
            cursor=cursor,
            limit=limit,
        )
        for record in page["results"]:
            record["links"] = entity_links(request, record["kind"], record["iri"], record["slug"], view)
        url = _public_url(request)
        links = {
            "self": str(url),
            "first": str(url.remove_query_params("cursor")),
            "next": str(url.include_query_params(cursor=page["next"])) if page["next"] else None,
            "prev": str(url.include_query_params(cursor=page["prev"])) if page["prev"] else None,
        }
        body = {
            "total": page["total"],
            "count": len(page["results"]),
            "limit": limit,
            "sort": sort.value if isinstance(sort, enum.Enum) else sort,
            "order": order,
            "filters": page["filters"],
            "links": links,
            "results": page["results"],
        }
        if view is not None:
            body["asOf"] = view
        headers = {
            "X-Total-Count": str(page["total"]),
            "Link": _link_header({k: v for k, v in links.items() if k != "self"}),
        }
        return JSONResponse(body, headers=headers)

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("graph", keyword, annotation=GraphDep),
        inspect.Parameter(
            "sort",
            keyword,
            default=sort_enum("name"),
            annotation=Annotated[
                sort_enum, Query(description="Sort by: " + ", ".join(sorts) + ". Rows without the value come last.")
            ],
        ),
        inspect.Parameter(
            "order",
            keyword,
            default="asc",
            annotation=Annotated[Literal["asc", "desc"], Query(description="asc or desc")],
        ),
        inspect.Parameter(
            "limit",
            keyword,
            default=50,
            annotation=Annotated[int, Query(ge=1, le=500, description="Page size (1 to 500)")],
        ),
        inspect.Parameter(
            "cursor",
            keyword,
            default=None,
            annotation=Annotated[
                str | None,
                Query(
                    max_length=4000,
                    description="Opaque cursor from the `next`/`prev` link of a previous page; pages stay stable while data changes",
                ),
            ],
        ),
        inspect.Parameter("as_of", keyword, default=None, annotation=AsOfParam),
    ]
    params += filter_parameters(collection, examples=_VALUE_EXAMPLES.get(collection, {}))

    def handler(**kwargs: Any) -> JSONResponse:
        fixed = {k: kwargs.pop(k) for k in ("request", "graph", "sort", "order", "limit", "cursor", "as_of")}
        return endpoint(**fixed, **kwargs)

    handler.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    handler.__name__ = f"list_{collection}"
    handler.__doc__ = None
    return handler


def _collection_example(collection: str) -> dict[str, Any]:
    return {
        "total": 18,
        "count": 2,
        "limit": 2,
        "sort": "name",
        "order": "asc",
        "filters": {"country": {"value": "CN", "iri": "http://www.wikidata.org/entity/Q148"}}
        if collection == "models"
        else {},
        "links": {
            "first": f"http://127.0.0.1:8000/api/{collection}?limit=2",
            "next": f"http://127.0.0.1:8000/api/{collection}?limit=2&cursor=WyJuYW1lIiwiYXNjIi…",
            "prev": None,
        },
        "results": ["…records…"],
    }


for _collection in collection_filters.FILTERS:
    _summary, _example = _SUMMARIES[_collection]
    router.add_api_route(
        f"/{_collection}",
        _collection_endpoint(_collection),
        methods=["GET"],
        summary=_summary,
        description=(
            "Filters combine with AND; a value may be a slug, a name or an IRI (a country also an ISO 3166 code, a "
            "concept its notation). An entity filter given more than once matches any of its values (OR: "
            "`country=CN&country=US`); any other parameter given twice, or a parameter this list does not take, is a "
            "422 naming it and listing the parameters it takes. Paging is by cursor: follow `links.next` / `links.prev` (also in the `Link` "
            "header, RFC 8288); `total` (and `X-Total-Count`) counts all matching rows. A cursor stays valid while "
            f"data changes: no row is repeated or skipped. Example: {_example}."
        ),
        response_class=JSONResponse,
        responses={
            200: {"content": {"application/json": {"example": _collection_example(_collection)}}},
            422: PROBLEM_RESPONSES[422],
        },
        operation_id=f"list_{_collection}",
        dependencies=[Depends(checked_query(repeatable(_collection)))],
    )


# -- one entity --------------------------------------------------------------------------------


@router.get(
    "/{collection}/{slug}",
    dependencies=[Depends(checked_query())],
    summary="One entity: every property with labels, incoming links, claims and sources",
    description=(
        "`collection` is one of " + ", ".join(COLLECTIONS) + ". `slug` may be the slug, a name or alternate "
        "name, or the IRI. Formats by `Accept` (or `?format=`): `application/json` (default: the record below), "
        "`application/ld+json` (JSON-LD compacted with the context published at `/context.jsonld`, embedded), "
        "`text/turtle`, `application/n-triples`, `application/rdf+xml` (the entity's Concise Bounded Description plus "
        "the labels of the IRIs it points to). Example: `/api/models/glm-4.5`."
    ),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "iri": "https://w3id.org/aikg/id/model/glm-4.5",
                        "kind": "model",
                        "slug": "glm-4.5",
                        "name": "GLM-4.5",
                        "types": [
                            {
                                "iri": "https://w3id.org/aikg/ontology#AIModel",
                                "curie": "aikg:AIModel",
                                "label": "AI model",
                            }
                        ],
                        "properties": {
                            "schema:creator": {
                                "iri": "https://schema.org/creator",
                                "label": "creator",
                                "values": [
                                    {
                                        "type": "iri",
                                        "iri": "https://w3id.org/aikg/id/organization/zhipu-ai",
                                        "slug": "zhipu-ai",
                                        "kind": "organization",
                                        "label": "Zhipu AI",
                                        "graphs": ["https://w3id.org/aikg/graph/landscape"],
                                        "sources": ["https://github.com/zai-org/GLM-4.5"],
                                    }
                                ],
                            }
                        },
                        "incoming": {
                            "schema:about": {
                                "iri": "https://schema.org/about",
                                "label": "about",
                                "count": 6,
                                "subjects": ["…"],
                            }
                        },
                        "claims": {"about": ["…claim records…"], "by": []},
                        "sources": [
                            {
                                "graph": "https://w3id.org/aikg/graph/landscape",
                                "title": "AI landscape…",
                                "license": "http://spdx.org/licenses/CC-BY-4.0",
                            }
                        ],
                        "links": {
                            "api": "…/api/models/glm-4.5",
                            "html": "…/id/model/glm-4.5",
                            "graph": "…/graphs/ego/model/glm-4.5",
                        },
                    }
                },
                "application/ld+json": {
                    "example": {
                        "@context": {"name": "schema:name"},
                        "@graph": [{"@id": "model:glm-4.5", "@type": "aikg:AIModel", "name": "GLM-4.5"}],
                    }
                },
                "text/turtle": {"example": 'model:glm-4.5 a aikg:AIModel ;\n    schema:name "GLM-4.5" .'},
            }
        },
        404: PROBLEM_RESPONSES[404],
        406: {"description": "None of the offered media types is acceptable"},
    },
)
def read_entity(
    request: Request,
    graph: GraphDep,
    collection: Annotated[
        str,
        Path(
            max_length=40,
            description="Collection: " + ", ".join(COLLECTIONS),
            openapi_examples={"models": {"summary": "AI models", "value": "models"}},
        ),
    ],
    slug: Annotated[
        str,
        Path(
            max_length=500,
            description="Entity slug, name, alternate name or IRI",
            openapi_examples={
                "slug": {"summary": "A model slug", "value": "glm-4.5"},
                "name": {"summary": "A Chinese name", "value": "智谱"},
            },
        ),
    ],
    format: Annotated[
        Literal["json", "jsonld", "ttl", "nt", "rdfxml"] | None,
        Query(description="Override the Accept header: json, jsonld, ttl, nt, rdfxml"),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    as_of: AsOfParam = None,
) -> Response:
    kind = collection_kind(collection)
    media_type = FORMATS[format] if format else best_media_type(ENTITY_MEDIA_TYPES, accept)
    if media_type is None:
        raise NotAcceptableError("entities are available as " + ", ".join(ENTITY_MEDIA_TYPES))
    if media_type != "application/json":
        _view, (_iri, body) = read_view(graph, as_of, documents.entity_document, kind, slug, media_type)
        return Response(
            body,
            media_type=media_type + ("; charset=utf-8" if media_type.startswith("text/") else ""),
            headers={"Vary": "Accept"},
        )
    view, record = read_view(graph, as_of, entity_record, kind, slug)
    record["links"] = entity_links(
        request,
        record["kind"] if record["kind"] in COLLECTIONS.values() else kind,
        record["iri"],
        record["slug"],
        view,
    )
    if view is not None:
        record["asOf"] = view
    return JSONResponse(record, headers={"Vary": "Accept"})
