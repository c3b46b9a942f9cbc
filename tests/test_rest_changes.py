"""Paging, filters and caching while the data changes: a service of its own, written to through
authenticated SPARQL Update between requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware.etag import etag_for
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import TOKEN

ID = "https://w3id.org/aikg/id/"


@pytest.fixture(scope="module")
def own() -> Iterator[tuple[TestClient, KnowledgeGraph]]:
    settings = Settings(workers=1, update_token=TOKEN, query_timeout_s=20)
    service = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, service)) as c:
        yield c, service
    service.close()


def update(client: TestClient, text: str) -> None:
    r = client.post("/sparql", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code in (200, 204), r.text


def insert_model(client: TestClient, slug: str, name: str, extra: str = "") -> None:
    update(
        client,
        f"""INSERT DATA {{ GRAPH <https://w3id.org/aikg/graph/test-changes> {{
          model:{slug} a aikg:AIModel ; schema:name "{name}" ; schema:datePublished "2030-01-01"^^xsd:date ;
            schema:creator organization:zhipu-ai ; dcterms:source <https://example.org/test> {extra} . }} }}""",
    )


def walk(client: TestClient, url: str) -> list[str]:
    out: list[str] = []
    while url:
        body = client.get(url).json()
        out += [r["slug"] for r in body["results"]]
        url = body["links"]["next"]
    return out


def test_paging_is_stable_across_an_insert(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    before = walk(client, "/api/models?sort=name&limit=500")
    first = client.get("/api/models", params={"sort": "name", "limit": 20}).json()
    page1 = [r["slug"] for r in first["results"]]
    assert page1 == before[:20]
    # One model sorts before the cursor (page 1 is already read), one after it.
    insert_model(client, "aaa-test-early", "AAA Test Early")
    insert_model(client, "zzz-test-late", "ZZZ Test Late")
    rest = walk(client, first["links"]["next"])
    seen = page1 + rest
    assert len(seen) == len(set(seen)), "a model was served twice"
    assert set(before) <= set(seen), f"missed: {set(before) - set(seen)}"
    assert "zzz-test-late" in rest and "aaa-test-early" not in seen
    assert rest == [s for s in [*before[20:], "zzz-test-late"] if s in rest]  # still in name order
    again = client.get("/api/models", params={"sort": "name", "limit": 20}).json()
    assert again["total"] == first["total"] + 2
    assert again["results"][0]["slug"] == "aaa-test-early"


def test_paging_by_date_desc_across_a_delete(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    before = walk(client, "/api/models?sort=date&order=desc&limit=500")
    first = client.get("/api/models", params={"sort": "date", "order": "desc", "limit": 10}).json()
    page1 = [r["slug"] for r in first["results"]]
    # Delete a model that is on page 2: it must simply be absent, nothing else shifts.
    victim = before[12]
    update(client, f"DELETE WHERE {{ GRAPH ?g {{ model:{victim} ?p ?o }} }}")
    rest = walk(client, first["links"]["next"])
    assert page1 + rest == [s for s in before if s != victim]


def test_based_on_is_transitive_after_insert(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    insert_model(
        client,
        "test-grandchild",
        "Test Grandchild",
        "; aikg:basedOn model:deepseek-r1-distill-llama-8b ; aikg:derivationType aikg:FineTune",
    )
    found = {
        r["slug"]
        for r in client.get("/api/models", params={"based_on": "llama-3.1-8b", "limit": 500}).json()["results"]
    }
    assert {"deepseek-r1-distill-llama-8b", "test-grandchild"} <= found
    lineage = client.get("/api/models/llama-3.1-8b/lineage").json()
    assert {d["slug"]: d["depth"] for d in lineage["descendants"]}["test-grandchild"] == 2


def test_self_claim_through_a_sub_organization(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    update(
        client,
        """INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-changes> {
          model:test-qwen-sub a aikg:AIModel ; schema:name "Test Qwen Sub" ; schema:creator organization:qwen-team .
          claim:test-alibaba-sub a schema:Claim ; schema:author organization:alibaba ; schema:about model:test-qwen-sub ;
            aikg:stance aikg:Supports .
          claim:test-meta-about-qwen a schema:Claim ; schema:author organization:meta ; schema:about model:test-qwen-sub . } }""",
    )
    selfs = {
        r["slug"]
        for r in client.get("/api/claims", params={"about": "test-qwen-sub", "self_claim": "true"}).json()["results"]
    }
    others = {
        r["slug"]
        for r in client.get("/api/claims", params={"about": "test-qwen-sub", "self_claim": "false"}).json()["results"]
    }
    assert selfs == {"test-alibaba-sub"} and others == {"test-meta-about-qwen"}
    # Alibaba's models include those of its Qwen team.
    assert "test-qwen-sub" in {
        r["slug"] for r in client.get("/api/models", params={"organization": "alibaba", "limit": 500}).json()["results"]
    }


def test_etag_round_trip_and_change(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    r = client.get("/api/models/glm-4.5")
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, no-cache"
    assert "Accept" in r.headers["vary"]
    same = client.get("/api/models/glm-4.5", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    assert client.get("/api/models/glm-4.5", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    turtle = client.get("/api/models/glm-4.5", headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != etag  # another representation, another tag
    assert (
        client.get("/api/models/glm-4.5", headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 200
    )
    update(
        client,
        'INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-changes> { model:glm-4.5 schema:alternateName "GLM Four Point Five" } }',
    )
    changed = client.get("/api/models/glm-4.5", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "GLM Four Point Five" in {v["value"] for v in changed.json()["properties"]["schema:alternateName"]["values"]}
    # Lists, search and /id pages are validated the same way.
    for path in ("/api/models?country=CN", "/api/search?q=glm", "/id/model/glm-4.5", "/context.jsonld"):
        tag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304


def test_cross_site_revalidation_keeps_cors_headers(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = own
    origin = {"Origin": "https://example.org"}
    etag = client.get("/api/models/glm-4.5", headers=origin).headers["etag"]
    r = client.get("/api/models/glm-4.5", headers={**origin, "If-None-Match": etag})
    assert r.status_code == 304
    assert r.headers["access-control-allow-origin"] == "*"
    page = client.get("/api/models", params={"limit": 5}, headers=origin)
    assert {"etag", "link", "x-total-count"} <= {
        h.strip().lower() for h in page.headers["access-control-expose-headers"].split(",")
    }


def test_errors_and_sparql_are_not_tagged(own: tuple[TestClient, KnowledgeGraph]) -> None:
    client, service = own
    missing = client.get("/api/models/no-such-model")
    assert missing.status_code == 404 and "etag" not in missing.headers
    scope = {"method": "GET", "path": "/sparql", "query_string": b"query=ASK%7B%7D", "headers": []}
    r = client.get("/sparql?query=ASK%7B%7D", headers={"If-None-Match": etag_for(service.version, scope)})
    assert r.status_code == 200  # the middleware leaves /sparql alone
