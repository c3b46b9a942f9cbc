"""Dumps and the dataset description: ``/dumps/``, ``/dumps/dataset.nq.gz`` and ``/.well-known/void``.

The dump is streamed: N-Quads written a batch at a time (:func:`kg.engine.dump.dump_chunks`) and
gzipped chunk by chunk, so the server never holds the whole dataset as text. It reads the store
in this process, not in a query worker (a worker answers with one value, not a stream); pyoxigraph
iterates a consistent snapshot, so a write while it streams does not tear the dump.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response, StreamingResponse

from api.deps import GraphDep, SettingsDep, checked_query
from api.negotiation import best_media_type
from kg import __version__
from kg.engine.dump import dump_chunks, gzip_chunks
from kg.errors import NotAcceptableError
from kg.views.dataset_description import dataset_description, void_document

__all__ = ["router"]

router = APIRouter(tags=["dumps"], dependencies=[Depends(checked_query())])

VOID_TYPES = ["text/turtle", "application/ld+json", "application/json"]


@router.get(
    "/dumps/",
    summary="The downloadable dumps of the dataset",
    description="Lists the dumps (today: the whole current dataset as gzipped N-Quads) with sizes, license and citation. "
    "Example: `/dumps/`.",
)
def list_dumps(graph: GraphDep, settings: SettingsDep) -> dict[str, object]:
    base = settings.public_base_url()
    description = graph.read(dataset_description, base)
    return {
        "dumps": [
            {
                "url": f"{base}/dumps/dataset.nq.gz",
                "mediaType": "application/n-quads",
                "compression": "gzip",
                "quads": description["triples"],
                "graphs": [g["graph"] for g in description["graphs"]],
                "datasetVersion": graph.version,
            }
        ],
        "description": f"{base}/.well-known/void",
        "licenses": description["licenses"],
        "citation": description["citation"],
        "cli": "kg dump --format nq|trig|ttl [--graph IRI] -o FILE",
    }


@router.get(
    "/dumps/dataset.nq.gz",
    summary="The current dataset as gzipped N-Quads (streamed)",
    description="Every named graph behind today's default graph (import snapshots left out), one quad per line, "
    "gzipped. Loads with `kg load`, `oxigraph load` or any RDF 1.1 N-Quads reader.",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/gzip": {}}}},
)
def dataset_dump(graph: GraphDep) -> StreamingResponse:
    store = graph.store.inner
    filename = f"aikg-{__version__}-{graph.version}.nq.gz"
    return StreamingResponse(
        gzip_chunks(dump_chunks(store, "nq")),
        media_type="application/gzip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "public, no-cache",
        },
    )


@router.get(
    "/.well-known/void",
    summary="VoID + DCAT description of the dataset",
    description="Triples and entities per named graph (`void:subset`), sources, licenses (CC BY 4.0 for Epoch AI and "
    "the openness index, MIT for the Model Openness Tool, CC BY 4.0 for the curated graphs: from each graph's PROV "
    "metadata), the SPARQL endpoint, the dump, the version and a suggested citation. Turtle by default, JSON-LD for "
    "`Accept: application/ld+json`, the same facts as plain JSON for `application/json`.",
    response_class=Response,
    responses={200: {"content": {t: {} for t in VOID_TYPES}}},
)
def void(graph: GraphDep, settings: SettingsDep, accept: Annotated[str | None, Header()] = None) -> Response:
    media_type = best_media_type(VOID_TYPES, accept)
    if media_type is None:
        raise NotAcceptableError("the description is available as " + ", ".join(VOID_TYPES))
    description = graph.read(dataset_description, settings.public_base_url())
    headers = {"Vary": "Accept"}
    if media_type == "application/json":
        return JSONResponse(description, headers=headers)
    fmt = "jsonld" if media_type == "application/ld+json" else "turtle"
    body = void_document(description, fmt)
    return Response(body, media_type=media_type + ("; charset=utf-8" if fmt == "turtle" else ""), headers=headers)
