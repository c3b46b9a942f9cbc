"""Issue 14 items 1, 2, 4 over HTTP: the search, explorer and compare pages refuse bad addresses by
name, escape every label, neutralise spreadsheet formulas in CSV, and agree with /api/models."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.csv_export import safe_cell
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.views.explorer import facet_counts

EVIL_NAME = "<script>alert(1)</script>\"'"
FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+2", "-3", "@SUM(A1)"]

# Models with hostile names, by Zhipu AI in 2025: they land in the China/2025 views.
INSERT = (
    "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/landscape> {\n"
    + "\n".join(
        f'  model:evil-{i} a aikg:AIModel ; schema:name "{name.replace(chr(34), chr(92) + chr(34))}" ;'
        f' schema:creator organization:zhipu-ai ; schema:datePublished "2025-07-0{i + 1}"^^xsd:date ;'
        " aikg:architecture aikg:MixtureOfExperts ; aikg:totalParameters 7 ."
        for i, name in enumerate([EVIL_NAME, *FORMULAS])
    )
    + "\n} }"
)


@pytest.fixture(scope="module")
def evil() -> Iterator[TestClient]:
    graph = KnowledgeGraph.open(Settings(workers=0))
    graph.update(INSERT)
    with TestClient(create_app(Settings(workers=0), graph)) as client:
        yield client
    graph.close()


HTML = {"Accept": "text/html"}


@pytest.mark.parametrize(
    "path",
    [
        "/models?country=CN&year=2025",
        "/search?q=script",
        "/compare?models=evil-0,glm-4.5",
        "/compare?models=evil-0",
    ],
)
def test_hostile_names_are_escaped(evil: TestClient, path: str) -> None:
    response = evil.get(path, headers=HTML)
    assert response.status_code == 200, response.text[:300]
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;" in response.text
    # the only scripts are the site's own files (the CSP allows 'self' scripts, no inline one here)
    assert response.text.count("<script") == response.text.count('<script src="/static/')
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_csv_cells_never_run_as_formulas(evil: TestClient) -> None:
    response = evil.get("/models?organization=zhipu-ai&year=2025&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    names = [row["Model"] for row in csv.DictReader(io.StringIO(response.text))]
    for formula in FORMULAS:
        assert "'" + formula in names
        assert formula not in names
    assert EVIL_NAME in names  # not a formula: unchanged
    assert "GLM-4.5" in names
    compared = evil.get("/compare?models=evil-1,evil-2&format=csv").text
    header = next(csv.reader(io.StringIO(compared)))
    assert header[2:4] == ["'" + FORMULAS[0], "'" + FORMULAS[1]]


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ["=1", "+1", "-1", "@a", "\tx", "\rx", "GLM-4.5", None, 355]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "GLM-4.5",
        "",
        "355",
    ]


@pytest.mark.parametrize(
    "path,parameter",
    [
        ("/models?colour=red", "colour"),
        ("/models?country=Atlantis", "country"),
        ("/models?sort=colour", "sort"),
        ("/models?year=twenty", "year"),
        ("/models?osi=true&osi=false", "osi"),
        ("/compare?models=glm-4.5,no-such-model", "models"),
        ("/compare?models=glm-4.5&add=no-such-model", "add"),
    ],
)
def test_bad_address_is_a_4xx_page_naming_the_parameter(client: TestClient, path: str, parameter: str) -> None:
    response = client.get(path, headers=HTML)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")
    assert f"<code>{parameter}</code>" in response.text


@pytest.mark.parametrize(
    "path,parameter",
    [
        ("/models?colour=red&format=csv", "colour"),
        ("/models?colour=red&format=json", "colour"),
        ("/search?colour=red", "colour"),
        ("/compare?models=glm-4.5&format=csv", "models"),
        ("/compare?models=a,b&colour=red", "colour"),
    ],
)
def test_bad_download_is_a_problem_naming_the_parameter(client: TestClient, path: str, parameter: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == parameter


def test_year_filter_and_entity_sorts_are_shared_with_the_api(client: TestClient) -> None:
    api = client.get("/api/models?country=CN&architecture=moe&year=2025&sort=parameters&order=desc&limit=500").json()
    assert api["total"] == 71
    assert all(r["datePublished"].startswith("2025") for r in api["results"])
    exported = client.get("/models?country=CN&architecture=moe&year=2025&sort=parameters&order=desc&format=json").json()
    assert [r["iri"] for r in exported["rows"]] == [r["iri"] for r in api["results"]]
    glm = next(r for r in exported["rows"] if r["name"] == "GLM-4.5")
    assert glm == {
        "name": "GLM-4.5",
        "organization": "Zhipu AI",
        "country": "China",
        "date": "2025-07-28",
        "architecture": "Mixture-of-Experts",
        "total_parameters": 355000000000,
        "active_parameters": 32000000000,
        "weights_license": "MIT",
        "osi_approved": "yes",
        "openness": "open weights (unrestricted)",
        "iri": "https://w3id.org/aikg/id/model/glm-4.5",
    }
    by_org = client.get("/api/models?sort=organization&limit=500&country=CN").json()["results"]
    names = [r["creator"]["name"].casefold() for r in by_org if r["creator"]]
    assert names == sorted(names) and names[0] == "01.ai"


def test_paging_is_the_api_order_sliced(client: TestClient) -> None:
    api = client.get("/api/models?sort=date&order=desc&limit=30").json()["results"]
    page = client.get("/models?sort=date&order=desc&limit=25&page=2", headers=HTML).text
    assert "Rows 26–50 of" in page
    for record in api[25:30]:
        assert f'data-slug="{record["slug"]}"' in page
    for record in api[:25]:
        assert f'data-slug="{record["slug"]}"' not in page


def test_facets_count_with_the_other_filters(client: TestClient) -> None:
    page = client.get("/models?country=CN&country=US&year=2025", headers=HTML).text
    # both countries are chosen (either), and each keeps its own count
    cn = client.get("/api/models?country=CN&year=2025&limit=1").json()["total"]
    us = client.get("/api/models?country=US&year=2025&limit=1").json()["total"]
    both = client.get("/api/models?country=CN&country=US&year=2025&limit=1").json()["total"]
    assert both == cn + us
    assert f'<strong id="row-count">{both}</strong>' in page
    assert (
        f'China</bdi><span class="visually-hidden"> (selected; follow to remove)</span></span><span class="count">{cn}</span>'
        in page
    )


def test_compare_marks_differences_and_lists_sources(client: TestClient) -> None:
    page = client.get("/compare?models=glm-4.5,deepseek-v3,qwen3-235b-a22b", headers=HTML).text
    assert '<tr class="differs" data-property="aikg:totalParameters">' in page
    assert '<tr class="same" data-property="aikg:architecture">' in page
    assert 'href="https://github.com/zai-org/GLM-4.5"' in page  # a source, as a footnote
    # the explorer's ticked rows arrive as a repeated parameter
    ticked = client.get("/compare?models=glm-4.5&models=deepseek-v3", headers=HTML)
    assert ticked.status_code == 200 and "DeepSeek-V3" in ticked.text
    added = client.get("/compare?models=glm-4.5&add=DeepSeek-V3", follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/compare?models=glm-4.5%2Cdeepseek-v3"


def test_search_page_groups_by_kind_and_pages_share_the_header(client: TestClient) -> None:
    page = client.get("/search?q=智谱", headers=HTML).text
    assert "Organizations" in page and 'href="/id/organization/zhipu-ai"' in page
    for path in ("/", "/models", "/compare", "/search?q=glm", "/id/model/glm-4.5"):
        body = client.get(path, headers=HTML).text
        for link in ('href="/models"', 'href="/compare"', 'href="/graphs"', 'href="/charts"', 'href="/sparql"'):
            assert link in body, (path, link)
        assert 'role="combobox"' in body and 'src="/static/search.js"' in body
    assert client.get("/").text.count('id="curated-through"') == 1
    script = client.get("/static/search.js")
    assert script.status_code == 200 and "aria-activedescendant" in script.text


@pytest.mark.parametrize("chosen", [{}, {"country": "CN", "year": "2025"}])
def test_every_facet_count_is_the_rows_its_link_shows(
    client: TestClient, graph: KnowledgeGraph, chosen: dict[str, str]
) -> None:
    # Filters that keep what lies below a value (Alphabet keeps Google's models, Audio keeps speech,
    # open weights keeps both open-weights classes) count each model for every ancestor too.
    checked = 0
    for facet in graph.read(facet_counts, chosen):
        for value in facet["values"]:
            params = {k: v for k, v in chosen.items() if k != facet["parameter"]}
            params[facet["parameter"]] = value["value"]
            total = client.get("/api/models", params={**params, "limit": 1}).json()["total"]
            assert total == value["count"], (facet["parameter"], value)
            checked += 1
    assert checked > 60


def test_modality_facets_say_generates_and_takes(client: TestClient, graph: KnowledgeGraph) -> None:
    # Counted from the graph: "Generates: Text" is the models whose output modality is text, not
    # every model that takes text in (a text-to-image model did count as text).
    def count(prop: str) -> int:
        query = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a aikg:AIModel ; {prop} aikg:Text }}"
        answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    facets = {f["parameter"]: f for f in graph.read(facet_counts, {})}
    assert facets["output_modality"]["label"] == "Generates" and facets["input_modality"]["label"] == "Takes"
    assert "modality" not in facets  # either-way counts only while an old address uses them
    generated = {v["value"]: v["count"] for v in facets["output_modality"]["values"]}
    taken = {v["value"]: v["count"] for v in facets["input_modality"]["values"]}
    assert generated["Text"] == count("aikg:outputModality")
    assert taken["Text"] == count("aikg:inputModality")
    assert generated["Text"] < count("aikg:modality")
    assert generated["Image"] > 0 and generated["Video"] > 0
    page = client.get("/models", headers=HTML).text
    assert "<legend>Generates</legend>" in page and "<legend>Takes</legend>" in page
    # an old address keeps working and says what it keeps
    old = client.get("/models?modality=text", headers=HTML)
    assert old.status_code == 200
    assert "Takes or generates: <bdi>text</bdi>" in old.text
    assert client.get("/api/models?modality=text&limit=1").json()["total"] == count("aikg:modality")


def test_a_filter_written_another_way_selects_its_facet_value(client: TestClient) -> None:
    # /api/models spellings (a notation, a lower-case code) select the facet value they resolve to;
    # following the selected value takes exactly that filter away.
    page = client.get("/models?architecture=moe&country=cn", headers=HTML).text
    assert "Architecture: <bdi>Mixture-of-Experts</bdi>" in page and "Country: <bdi>China</bdi>" in page
    assert '<a href="/models?country=cn" aria-current="true"><span>✓ <bdi>Mixture-of-Experts</bdi>' in page
    assert '<a href="/models?architecture=moe" aria-current="true"><span>✓ <bdi>China</bdi>' in page
    assert ">moe<" not in page  # no second, empty entry for the spelling itself
