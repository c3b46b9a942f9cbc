"""Saved queries (/q/{id}), the neighbours API and embeddable pages, through HTTP on the embedded graph."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware.csp import embeddable
from kg.engine.dataset import SAVED_QUERIES_GRAPH
from kg.engine.store import KnowledgeStore
from kg.errors import ConflictError
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.views.saved_queries import load_query, query_id, save_query
from tests.test_graph_pages import nodes_of

PROBLEM = "application/problem+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SAVED = (
    "SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name ; schema:creator organization:zhipu-ai } ORDER BY ?name"
)
TITLE = 'Zhipu AI\'s models <b>&amp; "quotes"'


@pytest.fixture(scope="module")
def fresh() -> Iterator[TestClient]:
    # Its own service: the saves below write to the store, and other modules count triples.
    settings = Settings(workers=0)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as client:
        yield client
    graph.close()


def _count(client: TestClient, query: str = COUNT) -> int:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_saved_query_reopens_and_stays_out_of_the_data(fresh: TestClient) -> None:
    triples, graphs = _count(fresh), _count(fresh, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    code_nodes = _count(fresh, "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:SoftwareSourceCode }")
    r = fresh.post("/q", json={"query": SAVED, "title": TITLE})
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["id"] == query_id(SAVED, TITLE) and len(saved["id"]) == 12
    assert r.headers["location"] == saved["path"] == f"/q/{saved['id']}"
    # Same text and title: the same link, nothing written again.
    again = fresh.post("/q", json={"query": SAVED, "title": TITLE})
    assert again.status_code == 200 and again.json()["id"] == saved["id"]
    assert again.json()["created"] == saved["created"]
    other = fresh.post("/q", json={"query": SAVED, "title": "another title"})
    assert other.status_code == 201 and other.json()["id"] != saved["id"]

    text = fresh.get(saved["path"], headers={"Accept": "application/sparql-query"})
    assert text.status_code == 200 and text.text == SAVED
    assert text.headers["content-type"].startswith("application/sparql-query")
    page = fresh.get(saved["path"], headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Zhipu AI&#39;s models &lt;b&gt;&amp;amp; &#34;quotes&#34;" in page.text  # escaped, never markup
    assert "<b>" not in page.text.split("<body>")[1].split("<script>")[0]
    assert "schema:creator organization:zhipu-ai" in page.text
    as_json = fresh.get(saved["path"], headers={"Accept": "application/json"}).json()
    assert as_json["query"] == SAVED and as_json["title"] == TITLE

    # Outside the default graph: counts, GRAPH ?g, types and the label search do not see it.
    assert _count(fresh) == triples
    assert _count(fresh, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == graphs
    assert _count(fresh, "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:SoftwareSourceCode }") == code_nodes
    search = fresh.get("/api/search", params={"q": "Zhipu AI's models"}).json()
    assert all("/q/" not in str(hit) for hit in search["results"])
    # The saved query itself still answers: GLM-4.5 is one of Zhipu AI's models.
    rows = fresh.get("/sparql", params={"query": SAVED}, headers={"Accept": "application/sparql-results+json"})
    assert "GLM-4.5" in {b["name"]["value"] for b in rows.json()["results"]["bindings"]}


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"query": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}, 400, "SPARQL Update"),
        ({"query": "SELECT * WHERE { ?s ?p }"}, 400, "error at 1:18"),
        ({"query": "   "}, 422, "send the SPARQL query"),
        ({"query": "ASK {}", "title": "x" * 201}, 422, "200"),
        ({"query": "ASK {}", "title": "two\nlines"}, 422, "one line"),
        ({"query": "ASK {} #" + "x" * 20500}, 422, "20"),
        ({"title": "no query"}, 422, "query"),
    ],
)
def test_bad_saves_are_refused_with_a_problem(fresh: TestClient, body: dict, status: int, says: str) -> None:
    r = fresh.post("/q", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert says in r.text


def test_a_lone_surrogate_is_refused(fresh: TestClient) -> None:
    body = '{"query": "ASK {}", "title": "\\ud800"}'  # valid JSON, not valid Unicode text
    r = fresh.post("/q", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["parameter"] == "title"


def test_unknown_short_link_is_a_404_problem(fresh: TestClient) -> None:
    for path in ("/q/abcdefgh2345", "/q/nope", "/q/" + "a" * 64):
        r = fresh.get(path, headers={"Accept": "application/sparql-query"})
        assert r.status_code in (404, 422) and r.headers["content-type"].startswith(PROBLEM), path


def test_neighbours_match_the_picture(client: TestClient) -> None:
    r = client.get("/api/neighbours", params={"entity": "model/glm-4.5"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["entity"] == "https://w3id.org/aikg/id/model/glm-4.5"
    by_label = {n["label"]: n for n in data["nodes"]}
    assert {"GLM-4.5", "Zhipu AI", "MIT License", "GLM"} <= set(by_label)
    assert by_label["Zhipu AI"]["kind"] == "organization" and by_label["Zhipu AI"]["shape"] == "box"
    # The same ids and colours as the ego graph page draws.
    page = client.get("/graphs/ego/model/glm-4.5").text
    drawn = {n["id"]: n for n in nodes_of(page)}
    zhipu = "<https://w3id.org/aikg/id/organization/zhipu-ai>"
    assert by_label["Zhipu AI"]["id"] == zhipu and drawn[zhipu]["label"] == "Zhipu AI"
    assert by_label["Zhipu AI"]["color"] == drawn[zhipu]["color"] == "#f58518"
    creator = [e for e in data["edges"] if e["to"] == zhipu and e["label"] == "creator"]
    drawn_edges = json.loads(re.findall(r"new vis\.DataSet\((.*?)\);\n", page)[1])
    assert creator and creator[0]["id"] in {e["id"] for e in drawn_edges}
    # Coloured by country for the landscape: Zhipu AI is Chinese.
    org = client.get("/api/neighbours", params={"entity": "organization/zhipu-ai", "color_by": "country"}).json()
    assert {"GLM-4.5", "China"} <= {n["label"] for n in org["nodes"]}


@pytest.mark.parametrize(
    ("params", "status"),
    [({"entity": "model/no-such-model"}, 404), ({"entity": "model/glm-4.5", "color_by": "size"}, 422), ({}, 422)],
)
def test_neighbours_bad_input(client: TestClient, params: dict, status: int) -> None:
    r = client.get("/api/neighbours", params=params)
    assert r.status_code == status and r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "url",
    [
        "/graphs/ego/model/glm-4.5?embed=1",
        "/graphs/landscape?embed=1",
        "/charts?embed=1",
        "/charts?chart=moe-share&embed=1",
    ],
)
def test_embed_pages_may_be_framed_by_any_site(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert "frame-ancestors *" in r.headers["content-security-policy"]
    assert 'id="full-view"' in r.text and "<header" not in r.text
    full = client.get(url.replace("?embed=1", "").replace("&embed=1", ""))
    assert "frame-ancestors 'self'" in full.headers["content-security-policy"]
    assert "Share or embed" in full.text and ">Home</a>" in full.text


def test_only_graph_and_chart_pages_are_embeddable(client: TestClient) -> None:
    assert embeddable("/graphs/landscape", "embed=1") and embeddable("/charts", "since=2024&embed=true")
    assert not embeddable("/graphs/landscape", "embed=0") and not embeddable("/charts", "")
    assert not embeddable("/sparql", "embed=1") and not embeddable("/id/model/glm-4.5", "embed=1")
    r = client.get("/id/model/glm-4.5?embed=1", headers={"Accept": "text/html"})
    assert "frame-ancestors *" not in r.headers.get("content-security-policy", "")


def test_one_chart_alone(client: TestClient) -> None:
    r = client.get("/charts?chart=moe-share")
    assert r.status_code == 200 and r.text.count('class="chart-section"') == 1
    assert "Share of Mixture-of-Experts models" in r.text
    assert client.get("/charts?chart=nope").status_code == 422
    assert client.get("/charts?chrat=moe-share").status_code == 422


def test_saving_is_bounded_and_goes_through_the_store() -> None:
    store = KnowledgeStore()
    heard: list[str] = []
    store.add_listener(lambda: heard.append(store.version))
    first, created = save_query(store, "ASK {}", "one", max_saved=2)
    assert created and heard == [store.version] and store.touched == frozenset({SAVED_QUERIES_GRAPH})
    assert save_query(store, "ASK {}", "one", max_saved=2) == (first, False) and len(heard) == 1  # no write
    save_query(store, "ASK {}", "two", max_saved=2)
    with pytest.raises(ConflictError, match="2 saved queries"):
        save_query(store, "ASK {}", "three", max_saved=2)
    assert save_query(store, "ASK {}", "two", max_saved=2)[1] is False  # a saved one still answers
    assert load_query(store.inner, first.id) == first and first.created.endswith("Z")


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        ("not json", "application/json", "the body is not valid JSON"),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-query", "the body is not a JSON object"),
        ("[1]", "application/json", "the body is not a JSON object"),
        ("", "application/json", "the body is empty"),
        ('{"text": "ASK {}"}', "application/json", "'query' is missing; unknown key 'text'"),
        ('{"query": "ASK {}", "titel": "x"}', "application/json", "unknown key 'titel'"),
    ],
)
def test_a_bad_body_says_what_is_expected(client: TestClient, body: str, content_type: str, says: str) -> None:
    r = client.post("/q", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    detail = r.json()["detail"]
    assert detail.startswith(says), detail
    assert 'expects a JSON object {"query": ..., "title": ...} ("query" required; no other keys)' in detail
