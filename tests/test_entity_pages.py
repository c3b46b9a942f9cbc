"""Issue 14 items 3, 8 and 9: entity pages a reader understands, with no dead end.

Every internal link of the GLM-4.5, Zhipu AI, MIT License, China and Mixture-of-Experts pages
answers 200; a model's page opens with its one-line summary; sources are numbered footnotes;
claims carry their review's verdict; evidence items never show as bare ``e0``; an organization
shows its models on a timeline; labels with markup stay text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import BrowserPage, LiveServer, screenshot, wait_until

CHROME_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = [
    "/id/model/glm-4.5",
    "/id/organization/zhipu-ai",
    "/id/license/MIT",
    "/id/country/Q148",
    "/id/architecture/MixtureOfExperts",
    "/id/claim/zhipu-glm-4.5-parameters",
    "/id/person/tang-jie",
]


def _page(client: TestClient, path: str) -> str:
    response = client.get(path, headers={"Accept": CHROME_ACCEPT})
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def _internal_links(text: str) -> list[str]:
    text = re.sub(r'srcdoc="[^"]*"', "", text)  # the embedded picture's own document
    hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]+)"', text)}
    return sorted(
        h.removeprefix("http://127.0.0.1:8000") for h in hrefs if h.startswith(("/", "http://127.0.0.1")) and h != "/"
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_internal_link_answers_200(client: TestClient, path: str) -> None:
    links = _internal_links(_page(client, path))
    assert len(links) >= 5, links
    broken = {}
    for link in links:
        status = client.get(link.split("#", 1)[0], headers={"Accept": CHROME_ACCEPT}).status_code
        if status != 200:
            broken[link] = status
    assert broken == {}


def test_glm_page_reads_as_a_summary_with_footnotes_and_verdicts(client: TestClient) -> None:
    text = _page(client, "/id/model/glm-4.5")
    summary = re.search(r'<p class="summary" id="summary">(.*?)</p>', text, re.S)
    assert summary is not None
    words = re.sub(r"<[^>]+>", "", summary.group(1))
    assert words == "GLM-4.5 — Zhipu AI (China), July 2025, MoE 355B total / 32B active, MIT weights"
    # parameters humanised, the exact count in the tooltip
    assert '<span class="num" title="355,000,000,000">355B</span>' in text
    assert '<span class="num" title="32,000,000,000">32B</span>' in text
    # each distinct source once, as a numbered note; rows cite numbers, never repeat "graph: … · source: …"
    notes = re.findall(r'<li id="note-(\d+)" value="\d+"><a href="([^"]+)"', text)
    assert [u for _, u in notes].count("https://github.com/zai-org/GLM-4.5") == 1
    assert len({u for _, u in notes}) == len(notes) >= 2
    assert 'href="#note-1"' in text and "graph: " not in text
    # the five claims about GLM-4.5, each with its verdict; no bare evidence-item ids
    assert text.count('class="claim"') == 5
    assert len(re.findall(r'<span class="rating rating-(supported|misleading|contradicted|unverifiable)"', text)) >= 5
    assert "supported" in text
    assert not re.search(r">\s*[ei]\d+\s*<", text), "a bare fragment id is shown"
    assert "%23" not in text and "/id/review/" not in text and "/id/benchmark-result/glm" in text
    assert "evidence in the review of" in text


def test_entity_picture_folds_evidence_items(client: TestClient) -> None:
    text = _page(client, "/id/model/glm-4.5")
    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))  # type: ignore[union-attr]
    labels = re.findall(r'"label": "([^"]*)"', frame)
    assert "Zhipu AI" in labels and "GLM-4.5" in labels
    assert not [label for label in labels if re.fullmatch(r"[ei]\d+", label)]
    assert "evidence items of claim reviews folded into their claims" in frame


def test_organization_page_has_a_timeline_and_its_models(client: TestClient) -> None:
    text = _page(client, "/id/organization/zhipu-ai")
    assert '<svg class="timeline" id="timeline"' in text
    table = re.search(r'<table id="models-table">(.*?)</table>', text, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r'<tr data-slug="([^"]+)">', table)
    assert len(rows) == 24 and "glm-4.5" in rows and "chatglm-6b" in rows  # as /api/models?organization=zhipu-ai
    glm = re.search(r'<tr data-slug="glm-4.5">(.*?)</tr>', table, re.S).group(1)  # type: ignore[union-attr]
    assert "2025-07-28" in glm and "355B" in glm and ">MIT<" in glm and "open" in glm
    circles = re.findall(r'<circle class="(open|closed)"', text)
    assert len(circles) == 24 and "open" in circles and "closed" in circles  # GLM-4-Plus is API-only


def test_license_country_and_concept_pages_are_html_and_rdf(client: TestClient) -> None:
    mit = _page(client, "/id/license/MIT")
    assert "MIT License" in mit and 'href="/id/model/glm-4.5"' in mit
    china = _page(client, "/id/country/Q148")
    assert ">China<" in china and 'href="/id/organization/zhipu-ai"' in china
    moe = _page(client, "/id/architecture/MixtureOfExperts")
    assert "Mixture-of-Experts" in moe and 'href="/id/model/glm-4.5"' in moe
    turtle = client.get("/id/license/MIT", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and "spdx:isOsiApproved true" in turtle.text
    assert turtle.headers["content-location"].startswith("/api/licenses/MIT?format=ttl")
    jsonld = client.get("/id/country/Q148", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200 and '"China"' in jsonld.text
    record = client.get("/id/license/MIT", headers={"Accept": "application/json"}, follow_redirects=False)
    assert record.status_code == 303 and record.headers["location"] == "/api/licenses/MIT"
    concept = client.get("/id/concept/Text", headers={"Accept": CHROME_ACCEPT})
    assert concept.status_code == 200 and "text" in concept.text
    # a concept has no REST record: JSON is not offered, RDF is
    assert client.get("/id/concept/Text", headers={"Accept": "application/json"}).status_code == 406
    # a page path keeps to its kind: MIT is no country, MoE no license
    assert client.get("/id/country/MIT", headers={"Accept": CHROME_ACCEPT}).status_code == 404
    assert client.get("/id/license/MixtureOfExperts", headers={"Accept": CHROME_ACCEPT}).status_code == 404


def test_claim_page_shows_its_verdict(client: TestClient) -> None:
    text = _page(client, "/id/claim/zhipu-glm-4.5-parameters")
    verdict = re.search(r'<section id="verdict">(.*?)</section>', text, re.S).group(1)  # type: ignore[union-attr]
    assert 'class="rating rating-supported"' in verdict
    assert "32 billion" in verdict and 'href="/claims/zhipu-glm-4.5-parameters"' in verdict


def test_entity_pages_link_home_and_their_graphs(client: TestClient) -> None:
    text = _page(client, "/id/model/glm-4.5")
    for target in ('href="/"', 'href="/graphs/ego/model/glm-4.5"', 'href="/graphs/lineage/glm-4.5"'):
        assert target in text
    assert 'href="/graphs/claims?about=model/glm-4.5"' in text


EVIL_NAME = "Evil \"Org\" <script>alert(1)</script> 'x'"
EVIL_MODEL = '<script>alert(2)</script>"><img src=x>'
EVIL_INSERT = f"""INSERT DATA {{ GRAPH <https://w3id.org/aikg/graph/landscape> {{
  organization:evil a schema:Organization ; schema:name {EVIL_NAME!r} ; schema:addressCountry wd:Q148 .
  model:evil a aikg:AIModel ; schema:name '''{EVIL_MODEL}''' ; schema:creator organization:evil ;
    schema:datePublished "2025-01-02"^^xsd:date ; aikg:basedOn model:glm-4.5 ; aikg:totalParameters 7000000000 .
}} }}"""


@pytest.fixture(scope="module")
def evil_client() -> Iterator[TestClient]:
    graph = KnowledgeGraph.open(Settings(workers=0))
    graph.update(EVIL_INSERT)
    with TestClient(create_app(Settings(workers=0), graph)) as client:
        yield client
    graph.close()


@pytest.mark.parametrize("path", ["/id/model/evil", "/id/organization/evil", "/id/model/glm-4.5", "/id/country/Q148"])
def test_labels_with_markup_stay_text(evil_client: TestClient, path: str) -> None:
    text = _page(evil_client, path)
    outside_frame = re.sub(r'srcdoc="[^"]*"', "", text)
    assert "<script>alert" not in outside_frame and "<img src=x>" not in outside_frame
    assert "&lt;script&gt;alert(" in outside_frame
    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))  # type: ignore[union-attr]
    assert "<script>alert" not in frame and "<img src=x>" not in frame


def test_evil_organization_summary_is_escaped(evil_client: TestClient) -> None:
    text = _page(evil_client, "/id/model/evil")
    summary = re.search(r'<p class="summary" id="summary">(.*?)</p>', text, re.S).group(1)  # type: ignore[union-attr]
    assert "Evil &#34;Org&#34; &lt;script&gt;alert(1)&lt;/script&gt; &#39;x&#39; (China)" in summary
    assert "January 2025" in summary and "7B parameters" in summary


# -- in Chromium, with every request off 127.0.0.1 blocked ------------------------------------------

SHOTS = {
    "glm-4.5": "/id/model/glm-4.5",
    "zhipu-ai": "/id/organization/zhipu-ai",
    "mit-license": "/id/license/MIT",
    "china": "/id/country/Q148",
    "claim": "/id/claim/zhipu-glm-4.5-parameters",
    "person": "/id/person/tang-jie",
    "docs": "/docs",
}


@pytest.mark.browser
def test_glm_page_in_chromium(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(live_server.url + "/id/model/glm-4.5")  # type: ignore[attr-defined]
    summary = page.inner_text("#summary")  # type: ignore[attr-defined]
    assert "355B" in summary and "32B" in summary and "Zhipu AI (China)" in summary
    assert page.get_attribute("#facts tr[data-property='aikg:totalParameters'] .num", "title") == "355,000,000,000"  # type: ignore[attr-defined]
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []


@pytest.mark.browser
def test_docs_render_offline(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/docs")  # type: ignore[attr-defined]
    wait_until(page, "document.querySelectorAll('.opblock').length > 20")
    operations = page.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)")  # type: ignore[attr-defined]
    assert any("/api/search" in o for o in operations) and any("/id/{kind}/{slug}" in o for o in operations)
    assert page.get_attribute("body > p > a", "href") == "/"  # type: ignore[attr-defined]
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_entity_page_screenshots(live_server: LiveServer, browser_page: BrowserPage, width: int) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    for name, path in SHOTS.items():
        page.goto(live_server.url + path)  # type: ignore[attr-defined]
        if name == "docs":
            wait_until(page, "document.querySelectorAll('.opblock').length > 20")
        else:  # the embedded picture drawn, so the screenshot shows it
            frame = page.frame_locator("iframe.graph")  # type: ignore[attr-defined]
            frame.locator("canvas").first.wait_for(timeout=30000)
            page.wait_for_timeout(1500)  # type: ignore[attr-defined]
        screenshot(browser_page, f"entity-{name}-{width}")
        # nothing wider than the window: a phone reader never scrolls sideways
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 1, (path, width, overflow)
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []
