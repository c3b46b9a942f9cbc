"""Change feeds: a SPARQL update and an import show up as entries (read back with feedparser), filters
narrow them, unknown filters are refused, and conditional GETs answer 304."""

from __future__ import annotations

import re
from collections.abc import Iterator

import feedparser
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import TOKEN
from tests.importing import CARDS

NEW_MODEL = """INSERT DATA { GRAPH graph:landscape {
  model:feed-test-moe a aikg:AIModel ; schema:name "Feed Test MoE" ;
    schema:creator organization:zhipu-ai ; aikg:architecture aikg:MixtureOfExperts ;
    schema:datePublished "2026-11-30"^^xsd:date .
} }"""
NEW_CLAIM = """INSERT DATA { GRAPH graph:reviews-input {
  claim:feed-test-claim a schema:Claim ; schema:author organization:zhipu-ai ; schema:about model:feed-test-moe ;
    schema:text "Feed Test MoE is the best open model." ; schema:dateCreated "2026-12-01"^^xsd:date .
} }"""
US_MODEL = """INSERT DATA { GRAPH graph:landscape {
  model:feed-test-dense a aikg:AIModel ; schema:name "Feed Test Dense" ; schema:creator organization:openai ;
    aikg:architecture aikg:Dense .
} }"""


@pytest.fixture(scope="module")
def feeds() -> Iterator[tuple[TestClient, KnowledgeGraph]]:
    """An app over its own graph: the writes here must not reach the session's shared graph."""
    settings = Settings(workers=0, update_token=TOKEN, cache_bytes=0)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as client:
        for update in (NEW_MODEL, NEW_CLAIM, US_MODEL):
            answer = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 204, answer.text
        yield client, graph
    graph.close()


def _entries(client: TestClient, url: str) -> list[dict[str, object]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed.entries  # type: ignore[no-any-return]


def test_an_update_is_an_atom_entry_linking_the_entity_page(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    entries = _entries(client, "/feeds/changes.atom")
    new = [e for e in entries if e.title == "New model: Feed Test MoE"]
    assert len(new) == 1
    assert new[0].link == "http://127.0.0.1:8000/id/model/feed-test-moe"
    assert new[0].author == "SPARQL update"
    assert "aikg:architecture aikg:MixtureOfExperts" in new[0].content[0].value
    assert [t.term for t in new[0].tags] == ["new"]
    # The new claim got a review: its rating appears as a change of its own.
    assert any(e.title.startswith("Review of ") and "new ->" in e.title for e in entries)


def test_filters_narrow_the_entries(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    everything = _entries(client, "/feeds/changes.atom")
    chinese_moe = _entries(client, "/feeds/changes.atom?country=CN&architecture=moe&kind=model")
    assert {e.title for e in chinese_moe} == {"New model: Feed Test MoE"}
    assert "New model: Feed Test Dense" in {e.title for e in everything}
    us = _entries(client, "/feeds/changes.rss?country=US")
    assert {e.title for e in us} == {"New model: Feed Test Dense"}
    recent_big = _entries(client, "/feeds/changes.atom?released_after=2026-11&osi=false")
    assert "New model: Feed Test MoE" in {e.title for e in recent_big}
    assert not _entries(client, "/feeds/changes.atom?released_after=2027")
    claims = _entries(client, "/feeds/changes.atom?kind=claim")
    assert claims and all("/id/claim/" in e.link for e in claims)
    assert len(chinese_moe) < len(everything)


def test_feed_filters_are_those_of_api_models(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    either = {e.title for e in _entries(client, "/feeds/changes.atom?country=CN&country=US&kind=model")}
    assert either == {"New model: Feed Test MoE", "New model: Feed Test Dense"}  # repeated: OR, as /api/models
    assert {e.title for e in _entries(client, "/feeds/changes.atom?year=2026&kind=model")} == {
        "New model: Feed Test MoE"
    }
    assert not _entries(client, "/feeds/changes.atom?year=2025&kind=model")
    assert not _entries(client, "/feeds/changes.atom?min_parameters=1T")  # neither test model has a count


def test_rating_filter_keeps_claims_rated_so(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, graph = feeds
    from kg.analysis.review import keeper_for

    rating = keeper_for(graph.store).get("https://w3id.org/aikg/id/claim/feed-test-claim").rating
    other = next(r for r in ("supported", "misleading", "contradicted", "unverifiable") if r != rating)
    rated = client.get(f"/feeds/changes.json?rating={rating}").json()["items"]
    assert any(i["url"].endswith("/id/claim/feed-test-claim") for i in rated)
    assert all(i["_aikg"]["kind"] == "claim" for i in rated)
    unrated = client.get(f"/feeds/changes.json?rating={other}").json()["items"]
    assert not any(i["url"].endswith("/id/claim/feed-test-claim") for i in unrated)


def test_json_feed_is_version_1_1(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    response = client.get("/feeds/changes.json?kind=model")
    assert response.headers["content-type"].startswith("application/feed+json")
    body = response.json()
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    item = next(i for i in body["items"] if i["title"] == "New model: Feed Test MoE")
    assert item["authors"] == [{"name": "SPARQL update"}]
    assert item["_aikg"]["source"]["graphs"] == ["https://w3id.org/aikg/graph/landscape"]


def test_conditional_get_answers_304(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    first = client.get("/feeds/changes.atom?kind=model")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get("/feeds/changes.atom?kind=model", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/changes.atom?kind=model", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feeds/changes.atom?kind=claim", headers={"If-None-Match": etag}).status_code == 200
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/feeds/changes.atom?kind=model", headers={"If-Modified-Since": old}).status_code == 200


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/feeds/changes.atom?yaer=2025", "yaer"),
        ("/feeds/changes.atom?year=2025&year=2026", "year"),
        ("/feeds/changes.atom?min_parameters=lots", "min_parameters"),
        ("/feeds/changes.atom?rating=wrong", "rating"),
        ("/feeds/changes.atom?country=Atlantis", "country"),
        ("/feeds/changes.atom?since=yesterday", "since"),
        ("/feeds/changes.xml", "fmt"),
    ],
)
def test_bad_filters_are_4xx(feeds: tuple[TestClient, KnowledgeGraph], url: str, parameter: str) -> None:
    client, _ = feeds
    response = client.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert parameter in response.text


def test_an_import_shows_up_with_its_source(feeds: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = feeds
    card = (CARDS / "zai-org" / "GLM-4.5" / "README.md").read_bytes()
    uploaded = client.post(
        "/api/imports/modelcard",
        files=[("files", ("zai-org/GLM-4.5/README.md", card, "text/markdown"))],
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert uploaded.status_code == 200, uploaded.text
    entries = _entries(client, "/feeds/changes.atom?kind=model")
    imported = [e for e in entries if e.author.startswith("import of modelcard")]
    assert imported, [e.title for e in entries]
    assert any(e.link.endswith("/id/model/glm-4.5") for e in imported)
    assert "graph/snapshot/modelcard/1" in imported[0].content[0].value


@pytest.mark.parametrize("page", ["/", "/charts"])
def test_pages_announce_the_feeds(feeds: tuple[TestClient, KnowledgeGraph], page: str) -> None:
    """Home and /charts carry ``<link rel="alternate">`` to each feed (feed readers discover them there)."""
    client, _ = feeds
    body = client.get(page).text
    links = re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', body)
    assert sorted(links) == [
        ("application/atom+xml", "/feeds/changes.atom"),
        ("application/feed+json", "/feeds/changes.json"),
        ("application/rss+xml", "/feeds/changes.rss"),
    ]
    for _, href in links:
        assert client.get(href).status_code == 200
