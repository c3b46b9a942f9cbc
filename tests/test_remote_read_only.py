"""A read-only remote engine: ``kg serve --store URL`` over ``oxigraph serve-read-only``.

The engine refuses every update, so the review keeper cannot write the reviews graph. The
service must still start, answer the API and SPARQL, compute the reviews in memory and serve
them, and refuse SPARQL Update with a problem+json 403 (not a 500).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.analysis.review import REVIEWS_GRAPH, keeper_for
from kg.engine.load import load_default_graph
from kg.engine.store import KnowledgeStore
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import TOKEN, OxigraphServer, oxigraph_binary


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph): read-only engine tests skipped")
    work = tmp_path_factory.mktemp("oxigraph-ro")
    # The embedded graph, written by `oxigraph load` (the server itself will refuse every write).
    store = KnowledgeStore()
    load_default_graph(store)
    dump = work / "embedded.nq"
    store.inner.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    location = work / "db"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(dump)], check=True, capture_output=True)
    server = OxigraphServer(binary, location, command="serve-read-only")
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["no-update-endpoint", "refusing-update-endpoint"])
def read_only_settings(request: pytest.FixtureRequest, read_only_server: OxigraphServer) -> Settings:
    # No update endpoint: updates would go to the query endpoint, which refuses them (HTTP 400);
    # the server's own update endpoint answers "The server is read-only" (HTTP 403).
    update = read_only_server.update_url if request.param == "refusing-update-endpoint" else None
    return Settings(
        store=read_only_server.query_url,
        update_endpoint=update,
        update_token=TOKEN,
        query_timeout_s=20,
        remote_ttl_s=0.5,
    )


@pytest.fixture(scope="module")
def read_only_app(read_only_settings: Settings) -> Iterator[tuple[KnowledgeGraph, TestClient]]:
    service = KnowledgeGraph.open(read_only_settings)
    with TestClient(create_app(read_only_settings, service)) as client:
        yield service, client
    service.close()


def test_engine_is_read_only(read_only_app: tuple[KnowledgeGraph, TestClient]) -> None:
    service, _ = read_only_app
    assert service.store.writable is False


def test_service_starts_and_answers_an_entity(read_only_app: tuple[KnowledgeGraph, TestClient]) -> None:
    _, client = read_only_app
    r = client.get("/api/models/glm-4.5")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "GLM-4.5"
    assert body["properties"]["schema:creator"]["values"][0]["iri"] == "https://w3id.org/aikg/id/organization/zhipu-ai"


def test_sparql_answers(read_only_app: tuple[KnowledgeGraph, TestClient]) -> None:
    _, client = read_only_app
    query = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a aikg:AIModel }"
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == 539


def test_reviews_are_computed_in_memory_and_served(read_only_app: tuple[KnowledgeGraph, TestClient]) -> None:
    service, client = read_only_app
    body = client.get("/api/reviews").json()
    assert body["count"] == 102
    assert body["byRating"] == {"supported": 38, "misleading": 5, "contradicted": 3, "unverifiable": 56}
    one = client.get("/api/claims/scmp-meta-open-sourced-llama/review")
    assert one.status_code == 200
    assert one.json()["rating"]["name"] == "misleading"
    keeper = keeper_for(service.store)
    assert keeper.in_memory is True
    assert keeper.error is None
    # Nothing was written: the engine holds no reviews graph.
    r = client.post(
        "/sparql",
        content=f"ASK {{ GRAPH <{REVIEWS_GRAPH}> {{ ?s ?p ?o }} }}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.json()["boolean"] is False


def test_update_is_refused_with_problem_json(read_only_app: tuple[KnowledgeGraph, TestClient]) -> None:
    _, client = read_only_app
    insert = "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/probe> { <https://w3id.org/aikg/id/model/p> a aikg:AIModel } }"
    r = client.post("/sparql", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "read-only" in r.json()["detail"]


def test_engine_answers_directly(read_only_server: OxigraphServer) -> None:
    # The fixture's server really is read-only: it refuses a write sent to it directly.
    r = httpx.post(
        read_only_server.update_url, data={"update": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}
    )
    assert r.status_code == 403


def test_embedded_store_is_writable(tmp_path: Path) -> None:
    # The embedded store is always writable: the read-only path never applies to it.
    assert KnowledgeStore(tmp_path / "db").writable is True
