"""The first version of the HTTP surface, through HTTP: SPARQL, search, entities, claims, graphs."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, screenshot, wait_until

CQ1 = """SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name ; schema:creator/schema:addressCountry wd:Q148 ;
  aikg:architecture/skos:broader* aikg:MixtureOfExperts ; schema:datePublished ?d ; aikg:weightsLicense ?l .
  ?l spdx:isOsiApproved true . FILTER(YEAR(?d) = 2025) } ORDER BY ?name"""


def test_sparql_get_csv(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": CQ1}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    names = [row["name"] for row in csv.DictReader(io.StringIO(r.text))]
    # the 51 models of CQ1 (tests/test_competency.py), in name order
    assert names[:4] == ["BAGEL-7B-MoT", "DeepSeek-R1", "DeepSeek-R1-0528", "DeepSeek-V3-0324"]
    assert names[-3:] == ["Step3", "Wan2.2-I2V-A14B", "Wan2.2-T2V-A14B"]
    assert len(names) == 51


def test_sparql_post_forms_agree(client: TestClient) -> None:
    a = client.post("/sparql", data={"query": CQ1}).json()
    b = client.post("/sparql", content=CQ1, headers={"Content-Type": "application/sparql-query"}).json()
    assert a == b
    assert len(a["results"]["bindings"]) == 51


def test_malformed_query_is_400_with_position(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "1:" in r.json()["detail"]


def test_search_latin_and_chinese(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "GLM-4.5"}).json()["results"]
    assert hits[0]["iri"] == "https://w3id.org/aikg/id/model/glm-4.5"
    assert hits[0]["match"] == "exact"
    hits = client.get("/api/search", params={"q": "智谱"}).json()["results"]
    assert hits[0]["iri"] == "https://w3id.org/aikg/id/organization/zhipu-ai"


def test_model_entity_has_labelled_properties_and_sources(client: TestClient) -> None:
    body = client.get("/api/models/glm-4.5").json()
    assert body["name"] == "GLM-4.5"
    creator = body["properties"]["schema:creator"]["values"][0]
    assert creator["iri"] == "https://w3id.org/aikg/id/organization/zhipu-ai"
    assert creator["label"] == "Zhipu AI"
    assert {s["graph"] for s in body["sources"]} >= {"https://w3id.org/aikg/graph/landscape"}
    about = body["incoming"]["schema:about"]["subjects"]
    assert any(link["iri"].endswith("claim/zhipu-glm-4.5-most-advanced") for link in about)


def test_organization_entity_lists_its_models(client: TestClient) -> None:
    body = client.get("/api/organizations/zhipu-ai").json()
    made = {link["label"] for link in body["incoming"]["schema:creator"]["subjects"]}
    assert {"GLM-4.5", "GLM-4.5-Air", "GLM-4-9B"} <= made


def test_unknown_entity_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/models/glm-45")
    assert r.status_code == 404
    assert "glm-4.5" in r.json()["suggestions"]


def test_claims_about_glm45(client: TestClient) -> None:
    body = client.get("/api/claims", params={"about": "glm-4.5"}).json()
    slugs = {c["slug"] for c in body["results"]}
    assert {"zhipu-glm-4.5-most-advanced", "zhipu-glm-4.5-third-globally"} <= slugs
    assert all(c["selfClaim"] for c in body["results"] if c["claimant"]["iri"].endswith("zhipu-ai"))


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/sparql" in client.get("/openapi.json").json()["paths"]


def test_favicon_is_no_content_not_a_404(client: TestClient) -> None:
    # Chromium asks for /favicon.ico on every origin; a 404 showed up in each page's console.
    r = client.get("/favicon.ico")
    assert (r.status_code, r.content) == (204, b"")


def test_ego_graph_page_is_self_contained(client: TestClient) -> None:
    r = client.get("/graphs/ego/model/glm-4.5")
    assert r.status_code == 200
    html = r.text
    assert "GLM-4.5" in html and "Zhipu AI" in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and 'src="http' not in html and 'href="http' not in html


def test_ego_graph_renders_offline_in_chromium(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/graphs/ego/model/glm-4.5")  # type: ignore[attr-defined]
    wait_until(page, "document.body.dataset.stable === '1'")
    labels = page.evaluate("window.aikgNetwork.body.data.nodes.get().map(n => n.label)")  # type: ignore[attr-defined]
    assert {"GLM-4.5", "Zhipu AI", "MIT License"} <= set(labels)
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []
    screenshot(browser_page, "ego-glm-4.5")
