"""Dead ends a tester met: a slug in the wrong case, compare's suggestions, an empty landscape."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, wait_until


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/id/license/mit", "/id/license/MIT"),
        ("/id/license/apache-2.0", "/id/license/Apache-2.0"),
        ("/id/model/GLM-4.5", "/id/model/glm-4.5"),
        ("/id/license/mit?as_of=2026-01-01", "/id/license/MIT?as_of=2026-01-01"),
    ],
)
def test_a_slug_in_another_case_redirects_to_the_one_iri(client: TestClient, path: str, target: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == target
    assert client.get(target, headers={"Accept": "text/html"}).status_code == 200


def test_an_unknown_slug_is_still_a_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/id/license/mitt", headers={"Accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 404 and "MIT" in r.json()["suggestions"]


def test_compare_add_suggestions_are_links_that_add_the_model(client: TestClient) -> None:
    r = client.get("/compare", params={"models": "glm-4.5", "add": "qwen3 235b"}, headers={"Accept": "text/html"})
    assert r.status_code == 422
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', r.text.split('id="choices"')[1].split("</ul>")[0])
    assert links[0] == ("/compare?models=glm-4.5%2Cqwen3-235b-a22b", "qwen3-235b-a22b")
    assert len(links) >= 3 and all(href.startswith("/compare?models=glm-4.5%2C") for href, _ in links)
    added = client.get(links[0][0].replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert added.status_code == 200 and "Qwen3-235B-A22B" in added.text


def test_an_empty_landscape_says_so_and_names_the_years_with_data(client: TestClient) -> None:
    page = client.get("/graphs/landscape?year=1999").text
    notice = re.search(r'class="notice" role="status">([^<]+)<', page)
    assert notice and notice.group(1).startswith("No models were published in 1999. The years with models are 20")
    years = notice.group(1).split("are ")[1].rstrip(".").split(", ")
    assert "2025" in years and years == sorted(years)
    assert "No models" not in client.get("/graphs/landscape?year=2025").text


@pytest.mark.parametrize(("year", "undated"), [("", True), ("2024", False)])
def test_the_time_slider_says_undated_only_where_some_are_drawn(
    live_server: LiveServer, browser_page: BrowserPage, year: str, undated: bool
) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/graphs/landscape" + (f"?year={year}" if year else ""))  # type: ignore[attr-defined]
    wait_until(page, "document.getElementById('quarter-label').textContent.length > 0")
    label = page.evaluate("document.getElementById('quarter-label').textContent")  # type: ignore[attr-defined]
    drawn = page.evaluate(  # type: ignore[attr-defined]
        "window.aikgNetwork.body.data.nodes.get().filter(n => n.kind === 'model' && !n.quarter).length"
    )
    assert (drawn > 0) is undated
    assert (f"(and {drawn} undated)" in label) is undated and ("undated" in label) is undated
    assert browser_page.console_errors == []
