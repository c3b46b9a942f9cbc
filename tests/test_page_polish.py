"""Pages a tester found rough: jargon in text, raw-JSON links unlabelled, no site nav, overflow at 390 px."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, wait_until
from viz import SITE_NAV

_PREFIXED = re.compile(r"\b(?:aikg|schema|skos|spdx|prov|dcterms|rdfs?|owl|xsd):[A-Za-z]")


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, code, or attribute values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in ("script", "style", "code", "pre", "textarea", "iframe")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "code", "pre", "textarea", "iframe")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.parametrize(
    "path", ["/id/model/glm-4.5", "/id/organization/zhipu-ai", "/id/benchmark-result/glm-4.5-12-benchmark-average"]
)
def test_pages_say_plain_words_not_prefixed_names(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    text = _visible(r.text)
    assert _PREFIXED.findall(text) == []
    if path == "/id/model/glm-4.5":
        assert "no independent result (not one its developer reported) confirms rank 3" in text


def test_home_labels_its_data_downloads(client: TestClient) -> None:
    html = client.get("/", headers={"Accept": "text/html"}).text
    assert '<a href="/api/coverage" type="application/json">coverage figures</a>, a JSON data download' in html
    assert '<a href="/dumps/" type="application/json">list of dump files</a>, JSON' in html
    assert '<a href="/.well-known/void" type="text/turtle">VoID + DCAT description</a> (Turtle' in html


PAGES = ["/graphs", "/sparql", "/charts", "/graphs/ego/model/glm-4.5", "/graphs/landscape", "/id/model/glm-4.5", "/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_site_nav(client: TestClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"}).text
    nav = html.split('aria-label="Site">', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav) == list(SITE_NAV)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_is_wider_than_the_screen(
    live_server: LiveServer, browser_page: BrowserPage, path: str, width: int
) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(live_server.url + path)  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") == width  # type: ignore[attr-defined]
    assert browser_page.console_errors == []


def test_entity_page_links_the_graph_library_instead_of_inlining_it(client: TestClient) -> None:
    html = client.get("/id/model/glm-4.5", headers={"Accept": "text/html"}).text
    assert len(html.encode()) < 150_000  # 817 KB with the library inlined
    assert "&lt;script src=&#34;/graphs/assets/vis-network-9.1.2.min.js&#34;&gt;" in html
    assert "vis-network.min.js" not in html and "vis.Network=" not in html
    for name, media_type in (("vis-network-9.1.2.min.js", "text/javascript"), ("vis-network-9.1.2.css", "text/css")):
        r = client.get(f"/graphs/assets/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(r.content) > 20_000
    assert client.get("/graphs/assets/other.js").status_code == 404
    standalone = client.get("/graphs/ego/model/glm-4.5").text  # a graph page stays self-contained
    assert "/graphs/assets/" not in standalone and len(standalone) > 400_000


def test_entity_page_graph_draws_from_the_linked_library(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/id/model/glm-4.5")  # type: ignore[attr-defined]
    frame = page.frames[1]  # type: ignore[attr-defined]
    wait_until(frame, "window.aikgNetwork && window.aikgNetwork.body.data.nodes.length > 0")
    labels = frame.evaluate("window.aikgNetwork.body.data.nodes.get().map(n => n.label)")
    assert "GLM-4.5" in labels and "Zhipu AI" in labels
    assert browser_page.console_errors == [] and browser_page.external_requests == []
