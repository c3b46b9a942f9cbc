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
    assert before == 539  # models in the embedded graph
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


RENAME = """INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-cache> {
  <https://w3id.org/aikg/id/model/glm-4.5> schema:alternateName "cache-probe alias" } }"""


def test_rest_answer_reused_until_a_write(writable: tuple[TestClient, KnowledgeGraph]) -> None:
    client, service = writable
    first = client.get("/api/models/glm-4.5")
    assert first.status_code == 200
    assert "cache-probe alias" not in first.text
    hits = service.cache.hits
    again = client.get("/api/models/glm-4.5")
    assert service.cache.hits == hits + 1  # the stored answer, not a new lookup
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    # Another representation of the same resource is another entry, never the JSON one.
    turtle = client.get("/api/models/glm-4.5", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")

    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    assert client.post("/sparql", content=RENAME, headers=auth).status_code == 204
    after = client.get("/api/models/glm-4.5")
    assert "cache-probe alias" in after.text
    assert after.headers["etag"] != first.headers["etag"]
    assert client.post("/sparql", content=DROP, headers=auth).status_code == 204
    assert "cache-probe alias" not in client.get("/api/models/glm-4.5").text


def test_rest_errors_and_head_are_not_stored(writable: tuple[TestClient, KnowledgeGraph]) -> None:
    client, service = writable
    assert client.get("/api/models/no-such-model").status_code == 404
    hits = service.cache.hits
    assert client.get("/api/models/no-such-model").status_code == 404
    assert service.cache.hits == hits
    head = client.head("/api/models/glm-4.5")
    assert head.status_code in (200, 405)
    assert head.content == b""


def test_health_counts_the_store_once_per_version_and_again_after_a_write(
    writable: tuple[TestClient, KnowledgeGraph],
) -> None:
    client, service = writable
    before = client.get("/health").json()["triples"]
    assert before == len(service.store)
    r = client.post(
        "/sparql",
        content=NEW_MODEL,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code in (200, 204), r.text
    try:
        after = client.get("/health").json()["triples"]
        assert after == len(service.store) >= before + 1  # the new triple (and the reviews' own writes)
    finally:
        client.post(
            "/sparql",
            content=DROP,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
