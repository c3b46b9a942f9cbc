"""Errors: problem+json with the status's phrase for API clients, a page in the site look for browsers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, screenshot

PROBLEM = "application/problem+json"
CHROME_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [("get", "/nope", 404, "Not Found"), ("post", "/health", 405, "Method Not Allowed")],
)
def test_http_errors_are_titled_with_their_phrase(
    client: TestClient, method: str, path: str, status: int, title: str
) -> None:
    r = getattr(client, method)(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["title"] == title


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html;q=0.9"])
@pytest.mark.parametrize(("path", "status"), [("/nope", 404), ("/api/models?limit=abc", 422)])
def test_api_clients_keep_problem_json(client: TestClient, accept: str | None, path: str, status: int) -> None:
    r = client.get(path, headers={"Accept": accept} if accept else {})
    assert r.status_code == status
    assert r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("accept", [CHROME_ACCEPT, "text/html"])
def test_browsers_get_an_error_page_with_status_kept(client: TestClient, accept: str) -> None:
    missing = client.get("/nope", headers={"Accept": accept})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "<h1>Not Found</h1>" in missing.text
    assert 'action="/search"' in missing.text and '<nav aria-label="Site">' in missing.text  # base.html
    assert '<a href="/">go to the home page</a>' in missing.text
    bad = client.get("/api/models?limit=abc", headers={"Accept": accept})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert "<code>limit</code>" in bad.text and "valid integer" in bad.text
    page = client.get("/models?country=XX", headers={"Accept": accept})
    assert page.status_code == 422 and "<code>country</code>" in page.text
    assert "<p>no country named &#39;XX&#39;</p>" in page.text  # the name is not said twice


def test_error_page_escapes_the_address_and_offers_suggestions(client: TestClient) -> None:
    r = client.get("/id/model/%3Cscript%3Ex", headers={"Accept": CHROME_ACCEPT})
    assert r.status_code == 404 and "<script>x" not in r.text
    named = client.get("/id/model/Llama%203.1%208B", headers={"Accept": CHROME_ACCEPT})
    assert named.status_code == 404
    assert '<a href="/search?q=llama-3.1-8b">llama-3.1-8b</a>' in named.text


@pytest.mark.parametrize("width", [1280, 390])
def test_error_page_in_chromium(live_server: LiveServer, browser_page: BrowserPage, width: int) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 800})  # type: ignore[attr-defined]
    response = page.goto(live_server.url + "/no/such/page")  # type: ignore[attr-defined]
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not Found"  # type: ignore[attr-defined]
    assert page.locator("#site-search").count() == 1  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    screenshot(browser_page, f"error-404-{width}")
    assert not browser_page.console_errors or all("404" in e for e in browser_page.console_errors)
