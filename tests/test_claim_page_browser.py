"""The claim pages (the review at /claims/{slug}, the entity page at /id/claim/{slug}) in the site look, phone-wide."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, screenshot

CLAIMS = ["scmp-meta-open-sourced-llama", "ai-index-2026-data-not-single-direction"]


def test_claim_review_page_uses_the_site_layout(client: TestClient) -> None:
    html = client.get("/claims/scmp-meta-open-sourced-llama").text
    assert '<nav aria-label="Site">' in html and 'id="site-search"' in html and "/static/site.css" in html
    assert '<div class="table-scroll"><table id="evidence">' in html  # a wide table scrolls in its own box
    assert '<a href="/id/claim/scmp-meta-open-sourced-llama">' in html


@pytest.mark.parametrize("width", [1280, 390])
def test_claim_pages_do_not_overflow(live_server: LiveServer, browser_page: BrowserPage, width: int) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    for slug in CLAIMS:
        for path in (f"/claims/{slug}", f"/id/claim/{slug}"):
            assert page.goto(live_server.url + path).status == 200  # type: ignore[attr-defined]
            assert page.locator("#site-search").count() == 1, path  # type: ignore[attr-defined]
            scroll = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
            assert scroll <= width, (path, scroll)
            screenshot(browser_page, f"claim-{path.split('/')[1]}-{slug[:20]}-{width}")
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []
