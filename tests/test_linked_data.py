"""Formats and dereferenceable IRIs: JSON-LD with the published context parses back to exactly
the Turtle's triples; Turtle holds the entity's CBD plus labels; /id/ negotiates; the entity
page renders in headless Chromium without any request leaving the machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from tests.conftest import BrowserPage, LiveServer, screenshot, wait_until

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/aikg/id/"
ENTITIES = [
    "/api/models/glm-4.5",
    "/api/models/wan2.2-t2v-a14b",
    "/api/models/deepseek-r1-distill-llama-70b",
    "/api/organizations/zhipu-ai",
    "/api/people/andrew-ng",
    "/api/claims/zhipu-glm-4.5-third-globally",
    "/api/articles/scmp-meta-careful-open-source",
    "/api/licenses/MIT",
    "/api/licenses/licenseref-llama-3.1-community",
    "/api/families/llama",
    "/api/architectures/moe-dit",
    "/api/countries/CN",
]


@pytest.fixture(scope="module")
def data() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        if "shapes" not in path.parts:
            g.parse(path)
    return g


def parse(body: str, fmt: str) -> Graph:
    return Graph().parse(data=body, format=fmt)


@pytest.mark.parametrize("path", ENTITIES)
def test_jsonld_parses_back_to_the_turtle_triples(client: TestClient, path: str) -> None:
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    ntriples = client.get(path, params={"format": "nt"})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert jsonld.headers["content-type"] == "application/ld+json"
    a, b, c = parse(turtle.text, "turtle"), parse(jsonld.text, "json-ld"), parse(ntriples.text, "nt")
    assert len(a) >= 3
    assert isomorphic(a, b), set(to_isomorphic(a)) ^ set(to_isomorphic(b))
    assert isomorphic(a, c)


def test_jsonld_uses_the_published_context(client: TestClient) -> None:
    published = client.get("/context.jsonld")
    assert published.headers["content-type"] == "application/ld+json"
    context = published.json()["@context"]
    assert context == json.loads((ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    doc = client.get("/api/models/glm-4.5", params={"format": "jsonld"}).json()
    assert doc["@context"] == context
    glm = next(node for node in doc["@graph"] if node["@id"] == "model:glm-4.5")
    assert glm["name"] == "GLM-4.5"
    assert glm["creator"] == "organization:zhipu-ai"
    assert glm["totalParameters"] == "355000000000"  # typed by the context as xsd:integer
    assert glm["weightsLicense"] == "spdxl:MIT"


def test_turtle_is_the_cbd_plus_labels(client: TestClient, data: Graph) -> None:
    g = parse(client.get("/api/models/glm-4.5", params={"format": "ttl"}).text, "turtle")
    glm = URIRef(ID + "model/glm-4.5")
    assert set(g.triples((glm, None, None))) == set(data.triples((glm, None, None)))
    # Labels of what it points to, so a client can show names without more requests.
    assert (URIRef(ID + "organization/zhipu-ai"), SCHEMA.name, Literal("Zhipu AI")) in g
    assert (URIRef("http://spdx.org/licenses/MIT"), RDFS.label, Literal("MIT License", lang="en")) in g
    # Nothing else about the neighbours (not their own facts).
    assert not set(g.triples((URIRef(ID + "organization/zhipu-ai"), SCHEMA.addressCountry, None)))
    assert set(g.subjects()) - {glm} <= set(g.objects(glm, None))


def test_id_dereferences_by_accept(client: TestClient, data: Graph) -> None:
    html = client.get("/id/model/glm-4.5", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Accept" in html.headers["vary"]
    ttl = client.get("/id/model/glm-4.5", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and ttl.headers["content-location"] == "/api/models/glm-4.5?format=ttl"
    jsonld = client.get("/id/model/glm-4.5", headers={"Accept": "application/ld+json"})
    assert isomorphic(parse(ttl.text, "turtle"), parse(jsonld.text, "json-ld"))
    assert isomorphic(
        parse(ttl.text, "turtle"), parse(client.get("/api/models/glm-4.5", params={"format": "ttl"}).text, "turtle")
    )
    rdfxml = client.get("/id/organization/zhipu-ai", headers={"Accept": "application/rdf+xml"})
    assert rdfxml.status_code == 200
    assert (URIRef(ID + "organization/zhipu-ai"), SCHEMA.name, Literal("Zhipu AI")) in parse(rdfxml.text, "xml")
    moved = client.get("/id/model/glm-4.5", headers={"Accept": "application/json"}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/api/models/glm-4.5"
    assert client.get("/id/model/glm-4.5", headers={"Accept": "*/*"}).headers["content-type"].startswith("text/html")


def test_id_errors(client: TestClient) -> None:
    # IRIs are case-sensitive, but a slug in another case than exactly one entity's leads to its IRI
    r = client.get("/id/model/GLM-4.5", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/id/model/glm-4.5"
    r = client.get("/id/model/GLM_4.5")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["suggestions"][0] == "glm-4.5"
    r = client.get("/id/model/glm-45")
    assert r.status_code == 404 and "glm-4.5" in r.json()["suggestions"]
    r = client.get("/id/spaceship/glm-4.5")
    assert r.status_code == 404 and "model" in r.json()["suggestions"]
    r = client.get("/id/model/glm-4.5", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_entity_page_content_is_escaped_and_self_contained(client: TestClient) -> None:
    html = client.get("/id/model/glm-4.5", headers={"Accept": "text/html"}).text
    assert '<h1 id="name">GLM-4.5</h1>' in html
    assert 'href="/id/organization/zhipu-ai"' in html  # a link to a neighbour
    assert "https://github.com/zai-org/GLM-4.5" in html  # the source of the facts
    assert "Zhipu AI" in html and "Mixture-of-Experts" in html and "355,000,000,000" in html
    assert "China&#39;s most advanced" in html or "most advanced" in html  # a claim about it
    assert "<iframe" in html and 'srcdoc="&lt;!DOCTYPE html&gt;' in html
    # Nothing the browser would load from another host: no script/link/img/iframe src to http(s).
    for marker in ('<script src="http', '<link rel="stylesheet" href="http', '<img src="http', 'src="//'):
        assert marker not in html


def test_entity_page_for_every_kind(client: TestClient) -> None:
    for path in (
        "/id/claim/alibaba-wan-2.2-first-moe-video",
        "/id/person/andrew-ng",
        "/id/license/licenseref-llama-3.1-community",
        "/id/article/scmp-meta-careful-open-source",
        "/id/family/qwen",
    ):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path


@pytest.mark.browser
def test_entity_page_renders_in_chromium(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/id/model/glm-4.5")  # type: ignore[attr-defined]
    assert page.inner_text("h1") == "GLM-4.5"  # type: ignore[attr-defined]
    assert page.locator("#facts tr").count() > 10  # type: ignore[attr-defined]
    frame = page.frame_locator("iframe.graph")  # type: ignore[attr-defined]
    frame.locator("#graph canvas").wait_for(timeout=30000)
    graph = next(f for f in page.frames if f != page.main_frame)  # type: ignore[attr-defined]
    wait_until(graph, "document.body.dataset.stable === '1'")
    labels = graph.evaluate("window.aikgNetwork.body.data.nodes.get().map(n => n.label)")
    assert {"GLM-4.5", "Zhipu AI", "MIT License"} <= set(labels)
    screenshot(browser_page, "entity-glm-4.5")
    # A full-page capture leaves iframe canvases blank in headless Chromium: capture the graph too.
    iframe = page.locator("iframe.graph")  # type: ignore[attr-defined]
    iframe.scroll_into_view_if_needed()
    iframe.screenshot(path=str(screenshot(browser_page, "entity-glm-4.5").with_name("entity-glm-4.5-graph.png")))
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []
