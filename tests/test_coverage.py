"""Coverage of the embedded graph (kg coverage, /api/coverage) and the honesty of the charts.

The expected numbers below are those of the curated data in ontology/data/ and change whenever
releases are added: update EXPECTED (one place) from ``kg coverage --json``. The independent count
checks the same numbers with pyoxigraph SPARQL COUNTs written here, so it holds for any data.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.analysis.chart_gaps import LOW_SAMPLE
from kg.analysis.coverage import FIELDS, LANDSCAPE_GRAPH, coverage
from kg.engine.load import default_sources
from kg.namespaces import PREFIXES

# ---- pinned for the data of this worktree: update here when the curated data grows ----------
EXPECTED = {
    "curated_through": "2026-04",
    "models": 105,
    "open_weight_models": 87,
    # field -> (have, of) over all models, then over open-weight models
    "all": {
        "release-date": (84, 105),
        "architecture": (87, 105),
        "total-parameters": (87, 105),
        "active-parameters": (25, 29),
        "weights-license": (74, 105),
        "code-license": (4, 105),
        "base-model": (9, 105),
    },
    "open_weight": {
        "release-date": (66, 87),
        "architecture": (85, 87),
        "total-parameters": (86, 87),
        "active-parameters": (24, 27),
        "weights-license": (74, 87),
        "code-license": (4, 87),
        "base-model": (9, 87),
    },
    "models_by_year": {"2023": 10, "2024": 33, "2025": 35, "2026": 6, "undated": 21},
    "undated_includes": {"GLM-4.6", "GLM-4.7", "MiniMax-Text-01", "Gemma 3 27B"},
    "newest": {"DeepSeek": "DeepSeek-V4-Pro", "Zhipu AI": "GLM-5.1", "Meta": "Llama 4 Scout"},
    "declared_period": ("2023-01-01", "2026-04-30"),
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The embedded graph loaded straight from the data files, one named graph per source."""
    s = ox.Store()
    for path, graph in default_sources():
        s.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return s


@pytest.fixture(scope="module")
def report(store: ox.Store) -> dict:
    return coverage(store)


def test_coverage_numbers_pinned(report: dict) -> None:
    assert report["curated_through"] == EXPECTED["curated_through"]
    overall = report["overall"]
    assert (overall["models"], overall["open_weight_models"]) == (EXPECTED["models"], EXPECTED["open_weight_models"])
    for scope in ("all", "open_weight"):
        got = {f: (c["have"], c["of"]) for f, c in overall[scope].items()}
        assert got == EXPECTED[scope], scope
    assert {y: v["models"] for y, v in report["by_year"].items()} == EXPECTED["models_by_year"]
    undated = {u["name"] for u in report["undated"]}
    assert len(undated) == EXPECTED["all"]["release-date"][1] - EXPECTED["all"]["release-date"][0]
    assert EXPECTED["undated_includes"] <= undated
    newest = {n["name"]: n["model_name"] for n in report["newest_by_organization"]}
    for org, model in EXPECTED["newest"].items():
        assert newest[org] == model, org
    landscape = next(p for p in report["periods"] if p["graph"] == LANDSCAPE_GRAPH)
    assert (landscape["start"], landscape["end"]) == EXPECTED["declared_period"]
    assert landscape["curated_through"] == report["curated_through"]
    # the declared period must end with the curated data: when releases are added, move
    # dcterms:temporal / dcat:endDate in ontology/data/landscape/00-common.ttl with them
    assert landscape["end"][:7] == report["curated_through"], "update dcat:endDate in landscape/00-common.ttl"


def _count(store: ox.Store, where: str) -> int:
    text = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a aikg:AIModel . {where} }}"
    (row,) = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    return int(row["n"].value)


OPEN = """{ ?m aikg:accessibility/skos:broader* aikg:OpenWeights } UNION
          { ?m aikg:weightsLicense/spdx:isOsiApproved true }"""
HAS = {
    "release-date": "?m schema:datePublished ?x .",
    "architecture": "?m aikg:architecture ?x .",
    "total-parameters": "?m aikg:totalParameters ?x .",
    "active-parameters": "?m aikg:activeParameters ?x .",
    "weights-license": "?m aikg:weightsLicense ?x .",
    "code-license": "?m aikg:codeLicense ?x .",
    "base-model": "?m aikg:basedOn ?x .",
}
MOE = "?m aikg:architecture/skos:broader* aikg:MixtureOfExperts ."


def test_coverage_matches_an_independent_count(store: ox.Store, report: dict) -> None:
    assert set(HAS) == set(FIELDS)
    for scope, restrict in (("all", ""), ("open_weight", OPEN)):
        for field, pattern in HAS.items():
            base = restrict + (MOE if field == "active-parameters" else "")
            cell = report["overall"][scope][field]
            assert cell["of"] == _count(store, base), (scope, field)
            assert cell["have"] == _count(store, base + pattern), (scope, field)
    # per year: models dated in the year, and those with a weights license
    for year, cell in report["by_year"].items():
        if year == "undated":
            expected = _count(store, "FILTER NOT EXISTS { ?m schema:datePublished ?d }")
        else:
            expected = _count(store, f'?m schema:datePublished ?d FILTER(SUBSTR(STR(?d), 1, 4) = "{year}")')
        assert cell["models"] == expected, year
    (row,) = store.query(
        "SELECT ?g (MAX(SUBSTR(STR(?d), 1, 7)) AS ?x) WHERE { GRAPH ?g { ?m a aikg:AIModel ; schema:datePublished ?d } "
        "FILTER(STRLEN(STR(?d)) >= 7) } GROUP BY ?g",
        prefixes=PREFIXES,
        substitutions={ox.Variable("g"): ox.NamedNode(LANDSCAPE_GRAPH)},
    )
    assert report["curated_through"] == row["x"].value


def test_every_landscape_model_has_a_source(store: ox.Store) -> None:
    unsourced = [
        row["m"].value
        for row in store.query(
            "SELECT ?g ?m WHERE { GRAPH ?g { ?m a aikg:AIModel FILTER NOT EXISTS { ?m dcterms:source ?s } } }",
            prefixes=PREFIXES,
            substitutions={ox.Variable("g"): ox.NamedNode(LANDSCAPE_GRAPH)},
        )
    ]
    assert unsourced == []
    assert _count(store, "") > 0


# ------------------------------------------------------------------------------ HTTP and CLI


def test_api_coverage(client: TestClient) -> None:
    r = client.get("/api/coverage")
    assert r.status_code == 200
    body = r.json()
    assert body["curated_through"] == EXPECTED["curated_through"]
    assert body["overall"]["all"]["release-date"]["have"] == EXPECTED["all"]["release-date"][0]
    assert "/api/coverage" in client.get("/openapi.json").json()["paths"]


def test_home_and_charts_say_where_the_curation_ends(client: TestClient) -> None:
    line = f"Curated releases through {EXPECTED['curated_through']}"
    assert line in client.get("/").text
    assert line in client.get("/charts").text


def test_charts_state_what_they_leave_out(client: TestClient) -> None:
    undated = EXPECTED["all"]["release-date"][1] - EXPECTED["all"]["release-date"][0]
    moe = client.get("/api/analytics/charts/moe-share", params={"since": 2023}).json()
    gaps, series = moe["gaps"], moe["series"]
    assert {"reason": "no release date", "models": undated} in gaps["left_out"]
    # every model is either counted once or left out under one reason
    assert gaps["counted"] + sum(g["models"] for g in gaps["left_out"]) == gaps["models"] == EXPECTED["models"]
    assert sum(series["releases"]) == gaps["counted"]
    assert series["low_sample"] == [0 < n < LOW_SAMPLE for n in series["releases"]]
    q4 = series["quarters"].index("2025-Q4")  # one release: "1/1" is marked, not a plain 100 % bar
    assert series["releases"][q4] < LOW_SAMPLE and series["low_sample"][q4]
    # curated through 2026-04: 2026-Q2 is partial, the quarters to the graph's generation are uncurated
    assert gaps["incomplete_quarters"][0] == "2026-Q2" and gaps["uncurated_quarters"] == ["2026-Q3", "2026-Q4"]
    html = client.get("/charts").text
    assert html.count('class="notice chart-gaps"') == 3
    assert f"{undated} with no release date" in html
    assert html.count('class="incomplete"') >= 2 * 3  # hatched quarters on both per-quarter charts
    assert 'class="bar low-sample"' in html and "low sample" in html


def test_kg_coverage_command() -> None:
    from tests.test_cli import kg

    out = kg("coverage", "--json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["curated_through"] == EXPECTED["curated_through"]
    assert body["overall"]["models"] == EXPECTED["models"]
    text = kg("coverage")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"curated releases through {EXPECTED['curated_through']}")
    assert "models without a release date" in text.stdout and "GLM-4.6" in text.stdout
    chart = kg("analytics", "chart", "moe-share")
    assert chart.returncode == 0 and "# counts " in chart.stdout and "left out:" in chart.stdout
