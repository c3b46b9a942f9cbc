"""Graphs you can explore and share, and the query page's saved links, in headless Chromium against a
real `kg serve` with every request leaving 127.0.0.1 blocked: expand a node in place, find a node,
toggle kinds, download PNG, play the landscape by quarter, embed in an iframe, reopen a short link.
Screenshots at 1280 px and 390 px go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BrowserPage, LiveServer, screenshot, wait_until

pytestmark = pytest.mark.browser
GLM = "<https://w3id.org/aikg/id/model/glm-4.5>"
ZHIPU = "<https://w3id.org/aikg/id/organization/zhipu-ai>"
COUNT = "window.aikgNodes.length"
VISIBLE = "window.aikgVisibleCount()"


def open_graph(browser_page: BrowserPage, url: str, width: int = 1280) -> object:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    response = page.goto(url)  # type: ignore[attr-defined]
    assert response.status == 200, response.text()
    wait_until(page, "document.body.dataset.stable === '1' && document.body.dataset.drawn === '1'")
    return page


def clean(browser_page: BrowserPage) -> None:
    assert browser_page.console_errors == []
    assert browser_page.external_requests == []


def click_node(page: object, node: str, double: bool = False) -> None:
    at = page.evaluate(  # type: ignore[attr-defined]
        f"""() => {{ const p = window.aikgNetwork.getPositions([{node!r}])[{node!r}];
                     const d = window.aikgNetwork.canvasToDOM(p);
                     const r = document.getElementById('graph').getBoundingClientRect();
                     return {{x: r.left + d.x, y: r.top + d.y}}; }}"""
    )
    if double:
        page.mouse.dblclick(at["x"], at["y"])  # type: ignore[attr-defined]
    else:
        page.mouse.click(at["x"], at["y"])  # type: ignore[attr-defined]


def test_ego_graph_expands_in_place_and_exports_png(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = open_graph(browser_page, live_server.url + "/graphs/ego/model/glm-4.5")
    before = page.evaluate(COUNT)  # type: ignore[attr-defined]
    assert page.evaluate(f"window.aikgNodes.get({ZHIPU!r}).label") == "Zhipu AI"  # type: ignore[attr-defined]
    page.evaluate(
        f"window.aikgNetwork.moveTo({{position: window.aikgNetwork.getPositions([{ZHIPU!r}])[{ZHIPU!r}], scale: 1.2}})"
    )  # type: ignore[attr-defined]
    click_node(page, ZHIPU, double=True)
    wait_until(page, f"{COUNT} > {before}")
    labels = set(page.evaluate("window.aikgNodes.get().map(n => n.label)"))  # type: ignore[attr-defined]
    assert {"GLM-4.6", "GLM-4.5-Air"} <= labels  # Zhipu AI's other models, new to the picture
    assert "Added" in page.inner_text("#find-status")  # type: ignore[attr-defined]
    assert page.inner_text("#legend [data-kind='organization'] .count") == "(1)"  # type: ignore[attr-defined]
    models = page.evaluate("window.aikgNodes.get({filter: n => n.kind === 'model'}).length")  # type: ignore[attr-defined]
    legend_models = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#legend [data-kind=model] .count')].reduce((s, e) => s + +e.textContent.slice(1, -1), 0)"
    )
    assert legend_models == models > 1  # the legend counts what is drawn now
    # The layout relaxes, then freezes again; a click selects, and the panel links the entity page.
    wait_until(page, "document.body.dataset.stable === '1'")
    assert page.evaluate("window.aikgNetwork.physics.physicsEnabled") is False  # type: ignore[attr-defined]
    click_node(page, ZHIPU)
    wait_until(page, "!!document.getElementById('open-page')")
    assert page.inner_text("#expand") == "Neighbours shown"  # type: ignore[attr-defined]
    assert page.get_attribute("#open-page", "href") == "/id/organization/zhipu-ai"  # type: ignore[attr-defined]
    assert page.get_attribute("#home-link", "href") == "/"  # type: ignore[attr-defined]
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("#export-png")  # type: ignore[attr-defined]
    data = Path(info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1024
    assert info.value.suggested_filename.endswith(".png")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("#export-svg")  # type: ignore[attr-defined]
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and ">Zhipu AI</text>" in svg
    screenshot(browser_page, "explore-ego-glm-4.5-expanded-desktop")
    clean(browser_page)


def test_find_focuses_a_node_and_the_legend_hides_a_kind(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = open_graph(browser_page, live_server.url + "/graphs/ego/organization/zhipu-ai")
    assert page.is_hidden("#timeline")  # type: ignore[attr-defined]  # no release quarters on an ego graph
    page.fill("#find", "glm-4.5")  # type: ignore[attr-defined]
    page.press("#find", "Enter")  # type: ignore[attr-defined]
    assert page.evaluate("window.aikgNetwork.getSelectedNodes()") == [GLM]  # type: ignore[attr-defined]
    assert page.inner_text("#find-status") == "Found GLM-4.5."  # type: ignore[attr-defined]
    assert "GLM-4.5" in page.inner_text("#selection")  # type: ignore[attr-defined]
    organizations = "window.aikgNodes.get({filter: n => n.kind === 'organization' && !n.hidden}).length"
    assert page.evaluate(organizations) >= 1  # type: ignore[attr-defined]
    shown = page.evaluate(VISIBLE)  # type: ignore[attr-defined]
    page.click("#legend [data-kind='organization']")  # type: ignore[attr-defined]
    assert page.evaluate(organizations) == 0  # type: ignore[attr-defined]
    assert page.evaluate(VISIBLE) < shown  # type: ignore[attr-defined]
    assert page.get_attribute("#legend [data-kind='organization']", "aria-pressed") == "false"  # type: ignore[attr-defined]
    page.focus("#legend [data-kind='organization']")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.evaluate(VISIBLE) == shown  # type: ignore[attr-defined]
    page.fill("#find", "no such thing")  # type: ignore[attr-defined]
    page.press("#find", "Enter")  # type: ignore[attr-defined]
    assert "No node named" in page.inner_text("#find-status")  # type: ignore[attr-defined]
    clean(browser_page)


def test_landscape_time_slider(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = open_graph(browser_page, live_server.url + "/graphs/landscape")
    assert page.is_visible("#timeline")  # type: ignore[attr-defined]
    assert page.inner_text("#first-quarter") == "2023-Q1"  # type: ignore[attr-defined]
    quarters = page.evaluate("[...Array(+document.getElementById('quarter').max + 1).keys()].length")  # type: ignore[attr-defined]
    assert quarters >= 15  # 2023-Q1 .. 2026-Q3 at least
    at_end = page.evaluate(VISIBLE)  # type: ignore[attr-defined]
    assert "All releases, through 2026-Q" in page.inner_text("#quarter-label")  # type: ignore[attr-defined]
    page.evaluate("window.aikgSetQuarter('2024-Q1')")  # type: ignore[attr-defined]
    early = page.evaluate(VISIBLE)  # type: ignore[attr-defined]
    assert 0 < early < at_end
    assert page.inner_text("#quarter-label").startswith("Released through 2024-Q1: ")  # type: ignore[attr-defined]
    # Nothing shown at 2024-Q1 was released after it.
    late = page.evaluate(
        "window.aikgNodes.get({filter: n => !n.hidden && (!n.quarter || n.quarter > '2024-Q1')}).length"
    )  # type: ignore[attr-defined]
    assert late == 0
    # The slider itself, by keyboard: one step right shows at least as much.
    page.focus("#quarter")  # type: ignore[attr-defined]
    page.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
    assert page.evaluate("document.body.dataset.quarter") == "2024-Q2"  # type: ignore[attr-defined]
    assert page.evaluate(VISIBLE) >= early  # type: ignore[attr-defined]
    page.click("#play")  # type: ignore[attr-defined]
    assert page.get_attribute("#play", "aria-pressed") == "true"  # type: ignore[attr-defined]
    wait_until(page, "document.body.dataset.quarter !== '2024-Q2'")
    page.click("#play")  # type: ignore[attr-defined]
    assert page.get_attribute("#play", "aria-pressed") == "false"  # type: ignore[attr-defined]
    page.evaluate("window.aikgSetQuarter('2025-Q1')")  # type: ignore[attr-defined]
    screenshot(browser_page, "explore-landscape-slider-desktop")
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    screenshot(browser_page, "explore-landscape-slider-phone")
    clean(browser_page)


def test_embed_renders_in_an_iframe(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = open_graph(browser_page, live_server.url + "/graphs/ego/model/glm-4.5")
    page.click("#share summary")  # type: ignore[attr-defined]
    code = page.input_value("#embed-code")  # type: ignore[attr-defined]
    url = live_server.url + "/graphs/ego/model/glm-4.5?embed=1"
    assert f'<iframe src="{url}"' in code
    assert page.input_value("#share-link") == live_server.url + "/graphs/ego/model/glm-4.5"  # type: ignore[attr-defined]
    # Another page (about:blank, another origin) frames the embed: frame-ancestors * lets it.
    page.set_content(f"<h1>A newsroom page</h1>{code}")  # type: ignore[attr-defined]
    frame = page.frame_locator("iframe")  # type: ignore[attr-defined]
    frame.locator("#graph canvas").wait_for()
    inner = next(f for f in page.frames if f.url.startswith(url))  # type: ignore[attr-defined]
    wait_until(inner, "document.body.dataset.stable === '1'")
    assert inner.evaluate("window.aikgNodes.get().some(n => n.label === 'GLM-4.5')")
    assert inner.evaluate("!document.querySelector('header') && !document.getElementById('find')")
    assert inner.get_attribute("#full-view", "href") == live_server.url + "/graphs/ego/model/glm-4.5"
    screenshot(browser_page, "explore-embed-in-iframe")
    clean(browser_page)


def test_charts_embed_code_and_embed(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(live_server.url + "/charts")  # type: ignore[attr-defined]
    page.click("#moe-share details.share summary")  # type: ignore[attr-defined]
    code = page.input_value("#moe-share .embed-code")  # type: ignore[attr-defined]
    assert "/charts?chart=moe-share&embed=1" in code and code.startswith("<iframe ")
    screenshot(browser_page, "explore-charts-desktop")
    page.set_content(code.replace('src="http://127.0.0.1:8000', f'src="{live_server.url}'))  # type: ignore[attr-defined]
    page.frame_locator("iframe").locator("svg.chart").wait_for()  # type: ignore[attr-defined]
    screenshot(browser_page, "explore-chart-embed")
    clean(browser_page)


def test_saved_query_short_link_reopens_it(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(live_server.url + "/sparql")  # type: ignore[attr-defined]
    query = (
        "SELECT ?country (COUNT(DISTINCT ?m) AS ?models) WHERE {\n"
        "  ?m a aikg:AIModel ; aikg:accessibility/skos:broader aikg:OpenWeights ;\n"
        "     schema:creator/schema:addressCountry/schema:name ?country .\n"
        "} GROUP BY ?country ORDER BY DESC(?models) ?country"
    )
    page.fill("#query", query)  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#result-table tbody tr")  # type: ignore[attr-defined]
    first = page.inner_text("#result-table tbody tr:first-child td:first-child")  # type: ignore[attr-defined]
    assert first == "China"
    # Sort by the count, ascending: China (most open-weight models) goes last.
    page.click("#result-table th:nth-child(2) button")  # type: ignore[attr-defined]
    assert page.get_attribute("#result-table th:nth-child(2)", "aria-sort") == "ascending"  # type: ignore[attr-defined]
    assert page.inner_text("#result-table tbody tr:last-child td:first-child") == "China"  # type: ignore[attr-defined]
    page.click("#result-table th:nth-child(2) button")  # type: ignore[attr-defined]
    assert page.inner_text("#result-table tbody tr:first-child td:first-child") == "China"  # type: ignore[attr-defined]
    page.click("#view-chart")  # type: ignore[attr-defined]
    bars = page.evaluate("document.querySelectorAll('#result-chart rect.bar').length")  # type: ignore[attr-defined]
    rows = page.evaluate("document.querySelectorAll('#result-table tbody tr').length")  # type: ignore[attr-defined]
    assert bars == min(rows, 40) and bars >= 3
    assert page.inner_text("#result-chart").startswith("Bars:") or "China" in page.inner_text("#result-chart")  # type: ignore[attr-defined]
    widths = page.evaluate(
        "[...document.querySelectorAll('#result-chart rect.bar')].map(r => +r.getAttribute('width'))"
    )  # type: ignore[attr-defined]
    assert widths == sorted(widths, reverse=True)  # the table's order: most models first
    screenshot(browser_page, "explore-query-chart-desktop")
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    wait_until(page, "+document.querySelector('#result-chart svg').getAttribute('width') <= 390")  # redrawn to fit
    screenshot(browser_page, "explore-query-chart-phone")
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    # History: the query run is listed, in this browser only.
    page.click("#history summary")  # type: ignore[attr-defined]
    assert "SELECT ?country" in page.inner_text("#history-list")  # type: ignore[attr-defined]
    # Save under a short link, then open it: text and title are back.
    page.fill("#save-title", "Open-weight models per country <script>")  # type: ignore[attr-defined]
    page.click("#save")  # type: ignore[attr-defined]
    page.wait_for_selector("#short-link")  # type: ignore[attr-defined]
    link = page.get_attribute("#short-link", "href")  # type: ignore[attr-defined]
    assert link.startswith("/q/") and len(link) == len("/q/") + 12
    page.goto(live_server.url + link)  # type: ignore[attr-defined]
    assert page.inner_text("#page-title") == "Open-weight models per country <script>"  # type: ignore[attr-defined]
    assert page.input_value("#query") == query  # type: ignore[attr-defined]
    assert page.input_value("#save-title") == "Open-weight models per country <script>"  # type: ignore[attr-defined]
    page.wait_for_selector("#result-table tbody tr")  # type: ignore[attr-defined]  # it runs at once
    assert page.url.endswith(link)  # type: ignore[attr-defined]
    screenshot(browser_page, "explore-saved-query-reopened")
    clean(browser_page)


def test_phone_width_ego_graph(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = open_graph(browser_page, live_server.url + "/graphs/ego/model/glm-4.5", width=390)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")  # type: ignore[attr-defined]
    assert overflow <= 0
    screenshot(browser_page, "explore-ego-glm-4.5-phone")
    clean(browser_page)
