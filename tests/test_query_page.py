"""The SPARQL query page: served for Accept: text/html, works offline, driven in headless Chromium."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from api.rendering import EXAMPLE_QUERIES
from kg.namespaces import PREFIXES
from tests.conftest import BrowserPage, LiveServer, screenshot

CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
# the first example query's answer, in its order (?date ?name): the 51 models of CQ1 (tests/test_competency.py)
CHINESE_MOE_2025 = [
    "DeepSeek-R1",
    "Ling-lite",
    "Ling-plus",
    "DeepSeek-V3-0324",
    "Qwen3-235B-A22B",
    "Qwen3-30B-A3B",
    "BAGEL-7B-MoT",
    "DeepSeek-R1-0528",
    "MiniMax-M1",
    "ERNIE-4.5-21B-A3B",
    "ERNIE-4.5-300B-A47B",
    "ERNIE-4.5-300B-A47B-Base",
    "ERNIE-4.5-VL-28B-A3B",
    "ERNIE-4.5-VL-424B-A47B",
    "Qwen3-Coder-30B-A3B-Instruct",
    "Qwen3-Coder-480B-A35B-Instruct",
    "Qwen3-235B-A22B-Instruct-2507",
    "Qwen3-235B-A22B-Thinking-2507",
    "Intern-S1",
    "GLM-4.5",
    "GLM-4.5-Air",
    "Wan2.2-I2V-A14B",
    "Wan2.2-T2V-A14B",
    "Qwen3-30B-A3B-Instruct-2507",
    "Qwen3-30B-A3B-Thinking-2507",
    "Step3",
    "GLM-4.5V",
    "DeepSeek-V3.1",
    "LongCat-Flash-Chat",
    "ERNIE-4.5-21B-A3B-Thinking",
    "Ling-mini-2.0",
    "Qwen3-Next-80B-A3B-Instruct",
    "Qwen3-Next-80B-A3B-Thinking",
    "DeepSeek-V3.1-Terminus",
    "LongCat-Flash-Thinking",
    "Qwen3-Omni-30B-A3B",
    "Qwen3-VL-235B-A22B",
    "DeepSeek-V3.2-Exp",
    "GLM-4.6",
    "Ling-1T",
    "Ring-1T",
    "Qwen3-VL-30B-A3B",
    "Kimi Linear 48B-A3B",
    "DeepSeekMath-V2",
    "LongCat-Flash-Omni",
    "GLM-4.7",
    "DeepSeek-V3.2",
    "DeepSeek-V3.2-Speciale",
    "GLM-4.6V",
    "MiMo-V2-Flash",
    "MiMo-V2-Flash-Base",
]


# -- the HTML as served -----------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["text/html", CHROME_ACCEPT])
def test_page_is_served_for_html_accept(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    editor = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert editor is not None
    # Every project prefix is declared in the editor, then the first example.
    assert all(f"PREFIX {p}: &lt;{iri}&gt;" in editor.group(1) for p, iri in PREFIXES.items())
    for title, _ in EXAMPLE_QUERIES:
        assert f">{title}</button>" in html.replace("&#39;", "'")


def test_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    html = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html


def test_browser_link_to_a_query_opens_the_page_with_it(client: TestClient) -> None:
    query = "SELECT ?x WHERE { ?x ?p ?o } # </textarea><script>alert(1)</script>"
    response = client.get("/sparql?query=" + quote(query), headers={"Accept": CHROME_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)" not in response.text
    assert "# &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in response.text
    assert "var autorun = true;" in response.text
    # A SPARQL client asking for results still gets results from the same URL.
    results = client.get("/sparql?query=" + quote("ASK {}"), headers={"Accept": "application/sparql-results+xml"})
    assert results.headers["content-type"].startswith("application/sparql-results+xml")


# -- in headless Chromium -------------------------------------------------------------------------


def _column(page: object, header: str) -> list[str]:
    headers = page.locator("#result-table thead th").all_inner_texts()  # type: ignore[attr-defined]
    index = headers.index(header)
    return page.locator(f"#result-table tbody tr td:nth-child({index + 1})").all_inner_texts()  # type: ignore[attr-defined]


@pytest.mark.browser
def test_query_page_in_chromium(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/sparql")  # a navigation: Chromium sends Accept: text/html,...
    editor = page.locator("#query")
    assert editor.input_value().startswith("PREFIX aikg: <https://w3id.org/aikg/ontology#>")

    # Pick another example, then the first one, and run it.
    page.get_by_role("button", name=EXAMPLE_QUERIES[1][0]).click()
    assert "model:glm-4.5" in editor.input_value()
    page.get_by_role("button", name=EXAMPLE_QUERIES[0][0]).click()
    assert editor.input_value().endswith(EXAMPLE_QUERIES[0][1])
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("#result-table tbody tr")
    assert _column(page, "name") == CHINESE_MOE_2025
    assert page.locator("#status").inner_text().startswith("51 rows")
    glm = page.get_by_role("link", name="model:glm-4.5", exact=True)
    assert glm.get_attribute("href") == "/id/model/glm-4.5"
    entity = httpx.get(live_server.url + "/id/model/glm-4.5", headers={"Accept": "text/html"})
    assert entity.status_code == 200 and "GLM-4.5" in entity.text  # the link leads somewhere
    assert "MIT" in _column(page, "license")
    # Typed literals show their datatype, compacted with the project's prefixes.
    assert any("xsd:gYearMonth" in cell for cell in _column(page, "date"))
    screenshot(browser_page, "sparql-query-page")

    # Claims about GLM-4.5: the claimant and a quoted text with its escaped inner quotes.
    page.get_by_role("button", name=EXAMPLE_QUERIES[1][0]).click()
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector("#result-table tbody tr")
    assert set(_column(page, "claimant")) == {"Zhipu AI"}
    assert any('"12 representative benchmarks"' in text for text in _column(page, "text"))

    # ASK and CONSTRUCT results.
    editor.fill("ASK { model:glm-4.5 aikg:totalParameters 355000000000 }")
    page.get_by_role("button", name="Run query").click()
    assert page.wait_for_selector("#result-boolean").inner_text() == "ASK: true"
    editor.fill("CONSTRUCT WHERE { model:glm-4.5 schema:name ?n }")
    page.get_by_role("button", name="Run query").click()
    assert 'schema:name "GLM-4.5"' in page.wait_for_selector("#result-graph").inner_text()

    # A shared link to a query opens the page and runs it.
    query = EXAMPLE_QUERIES[4][1]
    page.goto(live_server.url + "/sparql?query=" + quote(query))
    page.wait_for_selector("#result-table tbody tr")
    assert "China" in _column(page, "country")
    screenshot(browser_page, "sparql-query-page-open-weights")

    assert browser_page.external_requests == []
    assert browser_page.console_errors == []


@pytest.mark.browser
def test_query_page_shows_errors_with_their_position(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/sparql")
    editor = page.locator("#query")
    editor.fill("SELECT ?x WHERE {\n  ?x ?p\n}")
    editor.press("Control+Enter")  # the keyboard shortcut runs it
    page.wait_for_selector("#error")
    error = page.locator("#error").inner_text()
    assert "400 QuerySyntaxError" in error
    assert "line 2, column 3" in error
    # The caret is put on the offending text.
    assert page.evaluate("document.getElementById('query').selectionStart") == len("SELECT ?x WHERE {\n  ")
    screenshot(browser_page, "sparql-query-page-error")
    assert browser_page.external_requests == []
    # Chromium reports the 400 of the fetch itself; nothing else may go wrong on the page.
    assert browser_page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
