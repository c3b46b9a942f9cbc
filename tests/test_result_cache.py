"""The result cache never serves an answer older than the data: every write clears it.

Runs on its own service (it writes), through HTTP, on both SPARQL paths: the ASGI shortcut
(plain requests) and the FastAPI route (requests carrying ``Origin`` go through CORS).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import TOKEN

COUNT = "SELECT (COUNT(?m) AS ?n) WHERE { ?m a aikg:AIModel }"
NEW_MODEL = "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-cache> { <https://w3id.org/aikg/id/model/cache-probe> a aikg:AIModel } }"
DROP = "DROP GRAPH <https://w3id.org/aikg/graph/test-cache>"


@pytest.fixture(scope="module")
def writable() -> Iterator[tuple[TestClient, KnowledgeGraph]]:
    settings = Settings(workers=2, update_token=TOKEN, query_timeout_s=20)
    service = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, service)) as c:
        yield c, service
    service.close()


def _count(client: TestClient, headers: dict[str, str]) -> int:
    r = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query", **headers})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://example.org"}], ids=["shortcut", "route"])
def test_cached_answer_never_outlives_an_update(
    writable: tuple[TestClient, KnowledgeGraph], headers: dict[str, str]
) -> None:
    client, service = writable
    before = _count(client, headers)
    assert before == 105  # models in the embedded graph
    hits = service.cache.hits
    assert _count(client, headers) == before
    assert service.cache.hits == hits + 1  # the repeat came from the cache

    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    assert client.post("/sparql", content=NEW_MODEL, headers=auth).status_code == 204
    assert _count(client, headers) == before + 1

    assert (
        client.post("/sparql", data={"update": DROP}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204
    )
    assert _count(client, headers) == before


def test_refused_update_keeps_cache_and_answer(writable: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _service = writable
    before = _count(client, {})
    r = client.post("/sparql", content=NEW_MODEL, headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 401  # no Authorization header
    assert _count(client, {}) == before
