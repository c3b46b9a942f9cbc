"""Issue 18 item 5: no page links a non-http(s) IRI; every HTML response carries a CSP that forbids
inline event handlers and foreign origins, and the pages run under it without a violation."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import BrowserPage, LiveServer, wait_until

EVIL = "javascript:alert(document.domain)"

INSERT = f"""INSERT DATA {{ GRAPH <https://w3id.org/aikg/graph/landscape> {{
  model:glm-4.5 dcterms:source <{EVIL}> ; schema:url <javascript:alert(3)> .
  <https://w3id.org/aikg/id/claim/xss-probe> a schema:Claim ; schema:about model:glm-4.5 ;
    schema:author organization:zhipu-ai ; schema:text "probe" ; schema:appearance <javascript:alert(2)> .
}} }}"""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.targets.append(value)
            assert not name.startswith("on"), f"inline event handler {name} on <{tag}>"


def _targets(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.targets


@pytest.fixture(scope="module")
def evil_client() -> Iterator[TestClient]:
    graph = KnowledgeGraph.open(Settings(workers=0))
    graph.update(INSERT)
    with TestClient(create_app(Settings(workers=0), graph)) as client:
        yield client
    graph.close()


@pytest.mark.parametrize("path", ["/id/model/glm-4.5", "/claims/xss-probe", "/id/claim/xss-probe"])
def test_only_http_links_on_pages(evil_client: TestClient, path: str) -> None:
    response = evil_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:300]
    targets = _targets(response.text)
    assert targets
    for target in targets:
        assert target.startswith(("/", "?", "#", "http://", "https://", "data:,")), target
    assert "javascript:alert" in response.text  # still shown, as text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/id/model/glm-4.5",
        "/graphs/ego/model/glm-4.5",
        "/graphs",
        "/charts",
        "/sparql",
        "/claims/scmp-meta-open-sourced-llama",
        "/docs",
        "/redoc",
    ],
)
def test_every_html_response_has_a_csp(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split("; ") if d.strip()}
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-hashes'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    foreign = [s for s in policy["script-src"] if s.startswith("http")]
    assert foreign == []  # /docs too: its Swagger UI is served from here (api/routes/docs.py)
    # ReDoc builds its search worker from a blob: URL; no other page may start a worker from one.
    assert policy.get("worker-src") == (["'self'", "blob:"] if path == "/redoc" else None)


def test_redoc_script_loads_nothing_from_elsewhere(client: TestClient) -> None:
    script = client.get("/docs/assets/redoc.standalone.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"cdn.redoc.ly" not in script.content and len(script.content) > 500_000


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_reference_pages_have_a_clean_console(
    live_server: LiveServer, browser_page: BrowserPage, path: str
) -> None:
    page = browser_page.page
    page.goto(live_server.url + path)
    page.wait_for_selector("#swagger-ui .opblock" if path == "/docs" else "[role=search] input, input.search-input")
    page.wait_for_timeout(1000)  # ReDoc starts its search worker after the first render
    assert browser_page.console_errors == [], browser_page.console_errors
    assert browser_page.external_requests == []


def test_json_answers_have_no_csp_overhead(client: TestClient) -> None:
    assert "content-security-policy" not in client.get("/api/models/glm-4.5").headers


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        ("/id/model/glm-4.5", "iframe.graph"),
        ("/graphs/ego/model/glm-4.5", None),
        ("/charts", "h1"),
        ("/sparql", "#run"),
    ],
)
def test_no_csp_violation_in_chromium(
    live_server: LiveServer, browser_page: BrowserPage, path: str, ready: str | None
) -> None:
    page = browser_page.page
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))  # type: ignore[attr-defined]
    response = page.goto(live_server.url + path)  # type: ignore[attr-defined]
    assert "content-security-policy" in response.headers
    if ready:
        page.locator(ready).first.wait_for(timeout=30000)  # type: ignore[attr-defined]
    if path.startswith("/graphs/"):
        wait_until(page, "document.body.dataset.drawn === '1'")
    if path.startswith("/id/"):
        graph = next(f for f in page.frames if f != page.main_frame)  # type: ignore[attr-defined]
        wait_until(graph, "document.body.dataset.stable === '1'")
    if path == "/sparql":
        page.click("#run")  # type: ignore[attr-defined]
        page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    violations = [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert violations == []
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []
