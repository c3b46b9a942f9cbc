"""The license check on the model's record and page: ``licenseFindings`` in ``/api/models/{slug}``
and a visible flag on ``/id/model/{slug}`` with each finding's reason and the sources on both sides."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BrowserPage, LiveServer, screenshot

M = "https://w3id.org/aikg/id/model/"
LLAMA_33 = "https://w3id.org/aikg/id/license/licenseref-llama-3.3-community"


def test_the_json_record_carries_the_findings(client: TestClient) -> None:
    record = client.get("/api/models/deepseek-r1-distill-llama-70b").json()
    findings = record["licenseFindings"]
    assert [(f["kind"], f["base"], f["baseName"], f["derivedLicense"], f["baseLicense"]) for f in findings] == [
        ("license-not-carried", M + "llama-3.3-70b", "Llama 3.3 70B", "http://spdx.org/licenses/MIT", LLAMA_33),
        ("naming-rule", M + "llama-3.3-70b", "Llama 3.3 70B", None, LLAMA_33),
    ]
    carried = findings[0]
    assert carried["detail"].startswith(
        "DeepSeek-R1-Distill-Llama-70B declares MIT License, but it is based on Llama 3.3 70B"
    )
    assert carried["derivedSources"] == [
        {
            "property": "declaredLicense",
            "license": "http://spdx.org/licenses/MIT",
            "graph": "https://w3id.org/aikg/graph/reviews-input",
            "sources": ["https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B"],
        }
    ]
    assert [s.get("clause", s.get("property")) for s in carried["baseSources"]] == [
        "weightsLicense",
        "derivativesMustKeepLicense",
    ]
    assert "https://github.com/meta-llama/llama-models" in carried["baseSources"][0]["sources"]
    # The same findings as the license-check route.
    check = client.get("/api/models/deepseek-r1-distill-llama-70b/license-check").json()
    assert check["licenseFindings"] == findings


def test_a_consistent_model_has_no_findings_and_other_kinds_no_field(client: TestClient) -> None:
    assert client.get("/api/models/glm-4.5").json()["licenseFindings"] == []
    assert "licenseFindings" not in client.get("/api/organizations/zhipu-ai").json()
    assert "licenseFindings" not in client.get("/api/licenses/MIT").json()


def _flag(html: str) -> str:
    start = html.index('<section class="flag" id="license-flag"')
    return html[start : html.index("</section>", start)]


def test_the_page_shows_the_flag_with_both_sides(client: TestClient) -> None:
    html = client.get("/id/model/deepseek-r1-distill-llama-70b", headers={"Accept": "text/html"}).text
    flag = _flag(html)
    assert "License inconsistency along the lineage (2 findings)" in flag
    assert re.findall(r'<div class="finding" data-kind="([^"]+)"', flag) == ["license-not-carried", "naming-rule"]
    # Reasons, escaped (the naming rule quotes the name).
    assert "whose Llama 3.3 Community License requires derivatives to keep its terms" in flag
    assert "The name &#39;DeepSeek-R1-Distill-Llama-70B&#39; does not begin with &#39;Llama&#39;" in flag
    # Derived side: the declaration and its source; for the naming rule, the name and its source.
    assert 'href="https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B"' in flag
    assert "its name <q>DeepSeek-R1-Distill-Llama-70B</q>" in flag
    # Base side: the base model, its weights license with sources, and the clause with sources.
    assert flag.count('<a href="/id/model/llama-3.3-70b">Llama 3.3 70B</a>') == 2
    assert (
        "clause <code>derivativesMustKeepLicense</code>" in flag and "clause <code>derivativeNamingRule</code>" in flag
    )
    assert 'href="https://github.com/meta-llama/llama-models"' in flag
    assert 'href="/api/models/deepseek-r1-distill-llama-70b/license-check"' in flag


def test_no_flag_where_the_lineage_is_consistent(client: TestClient) -> None:
    for slug in ("glm-4.5", "llama-3.3-70b", "deepseek-r1-distill-qwen-7b"):
        html = client.get(f"/id/model/{slug}", headers={"Accept": "text/html"}).text
        assert 'id="license-flag"' not in html, slug


@pytest.mark.browser
def test_the_flag_is_visible_in_chromium(live_server: LiveServer, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/id/model/deepseek-r1-distill-llama-70b")  # type: ignore[attr-defined]
    flag = page.locator("#license-flag")  # type: ignore[attr-defined]
    assert flag.is_visible()
    assert flag.locator(".finding").count() == 2
    text = flag.inner_text()
    assert "License inconsistency along the lineage" in text
    assert "declares MIT License, but it is based on Llama 3.3 70B" in text
    assert "does not begin with 'Llama'" in text
    box = flag.bounding_box()
    facts = page.locator("#facts").bounding_box()  # type: ignore[attr-defined]
    assert box["height"] > 100 and box["y"] < facts["y"]  # above the facts, where a reader looks first
    colour = flag.evaluate("el => getComputedStyle(el).borderTopColor")
    assert colour == "rgb(207, 34, 46)"
    screenshot(browser_page, "license-flag-deepseek-r1-distill-llama-70b")
    page.goto(live_server.url + "/id/model/glm-4.5")  # type: ignore[attr-defined]
    assert page.locator("#license-flag").count() == 0  # type: ignore[attr-defined]
    assert browser_page.external_requests == []
    assert browser_page.console_errors == []


def test_a_model_iri_without_its_type_has_a_record_not_a_404() -> None:
    # A name written by hand for an IRI under /id/model/ with no rdf:type: search lists it as a
    # model with an API link, which was a 404 ("no AI model"): the license check needs the type.
    from api.app import create_app
    from kg.service import KnowledgeGraph
    from kg.settings import Settings

    graph = KnowledgeGraph.open(Settings(workers=1, update_token="t"))
    iri = "https://w3id.org/aikg/id/model/zz-untyped"
    graph.update(
        f'INSERT DATA {{ GRAPH <https://w3id.org/aikg/graph/t> {{ <{iri}> <https://schema.org/name> "Zz Untyped" }} }}'
    )
    try:
        with TestClient(create_app(graph.settings, graph)) as http:
            hit = http.get("/api/search", params={"q": "zz untyped"}).json()["results"][0]
            assert (hit["kind"], hit["links"]["api"].endswith("/api/models/zz-untyped")) == ("model", True)
            record = http.get("/api/models/zz-untyped")
            assert record.status_code == 200
            assert (record.json()["name"], record.json()["licenseFindings"]) == ("Zz Untyped", [])
    finally:
        graph.close()
