"""Coverage of the embedded graph (kg coverage, /api/coverage) and the honesty of the charts.

The expected numbers below are those of the curated data in ontology/data/ and change whenever
releases are added: update EXPECTED (one place) from ``kg coverage --json``. The independent count
checks the same numbers with pyoxigraph SPARQL COUNTs written here, so it holds for any data.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.analysis.chart_gaps import LOW_SAMPLE
from kg.analysis.coverage import FIELDS, LANDSCAPE_GRAPH, coverage
from kg.engine.load import default_sources
from kg.namespaces import PREFIXES

# ---- pinned for the data of this worktree: update here when the curated data grows ----------
EXPECTED = {
    "curated_through": "2026-08",
    "models": 539,
    "open_weight_models": 404,
    # field -> (have, of) over all models, then over open-weight models
    "all": {
        "release-date": (534, 539),
        "architecture": (418, 539),
        "total-parameters": (422, 539),
        "active-parameters": (131, 138),
        "weights-license": (407, 539),
        "code-license": (260, 539),
        "base-model": (76, 539),
    },
    "open_weight": {
        "release-date": (402, 404),
        "architecture": (394, 404),
        "total-parameters": (398, 404),
        "active-parameters": (125, 127),
        "weights-license": (402, 404),
        "code-license": (259, 404),
        "base-model": (70, 404),
    },
    "models_by_year": {"2023": 60, "2024": 124, "2025": 276, "2026": 74, "undated": 5},
    "undated_includes": {"Apriel-Nemotron-15B-Thinker", "LFM2-2.6B", "K2-V2", "Stable LM 2 12B"},
    "newest": {"DeepSeek": "DeepSeek-V4-Pro", "Zhipu AI": "GLM-5.2", "Meta": "Muse Spark"},
    "declared_period": ("2023-01-01", "2026-08-31"),
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
    # every quarter of the curated data now holds 8 or more models: no share is low-sample
    assert not any(series["low_sample"]) and min(series["releases"]) >= 8
    # curated through 2026-08: 2026-Q3 is partial, 2026-Q4 (to the graph's generation) uncurated
    assert gaps["incomplete_quarters"] == ["2026-Q3", "2026-Q4"] and gaps["uncurated_quarters"] == ["2026-Q4"]
    html = client.get("/charts").text
    assert html.count('class="notice chart-gaps"') == 3
    assert f"{undated} with no release date" in html
    assert html.count('class="incomplete"') >= 2  # 2026-Q3 hatched on both per-quarter charts
    # "The numbers" tables show shares to three decimals, not a float's 17 digits
    shares = re.findall(r"<td>(0\.\d+)</td>", html)
    assert shares and all(len(share) == 5 for share in shares)


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
    assert "models without a release date" in text.stdout and "LFM2-2.6B" in text.stdout
    chart = kg("analytics", "chart", "moe-share")
    assert chart.returncode == 0 and "# counts " in chart.stdout and "left out:" in chart.stdout


def test_a_low_sample_share_is_drawn_pale(client: TestClient) -> None:
    # The curated data has no quarter under 5 models any more; the drawing of one is checked on the
    # real chart with one quarter's numbers made small (2 releases, 1 MoE: "1/2", not a plain 50 % bar).
    from kg.analysis import analytics
    from viz.charts import render_charts

    moe = client.get("/api/analytics/charts/moe-share", params={"since": 2023}).json()
    series = moe["series"]
    i = series["quarters"].index("2024-Q1")
    series["releases"][i], series["moe"][i], series["share"][i] = 2, 1, 0.5
    series["low_sample"][i] = True
    page = render_charts([moe], since=2023, openness=analytics.OPENNESS)
    assert page.count('class="bar low-sample"') == 1 and "low sample" in page
    series["low_sample"][i] = False
    assert 'class="bar low-sample"' not in render_charts([moe], since=2023, openness=analytics.OPENNESS)


def test_an_uncurated_write_does_not_move_the_curated_month(store: ox.Store) -> None:
    # A model written into the landscape graph through SPARQL Update (the token's write path), dated
    # after every curated release, with a source even: the curated month stays that of the files.
    from api.app import create_app
    from kg.service import KnowledgeGraph
    from kg.settings import Settings
    from tests.conftest import TOKEN

    (row,) = store.query(
        "SELECT ?g (MAX(SUBSTR(STR(?d), 1, 7)) AS ?x) WHERE { GRAPH ?g { ?m a aikg:AIModel ; schema:datePublished ?d } "
        "FILTER(STRLEN(STR(?d)) >= 7) } GROUP BY ?g",
        prefixes=PREFIXES,
        substitutions={ox.Variable("g"): ox.NamedNode(LANDSCAPE_GRAPH)},
    )
    curated = row["x"].value
    later = f"{int(curated[:4]) + 1}-{curated[5:7]}"
    settings = Settings(workers=0, update_token=TOKEN, cache_bytes=0)
    graph = KnowledgeGraph.open(settings)
    try:
        with TestClient(create_app(settings, graph)) as client:
            before = client.get("/").text
            assert f"Curated releases through {curated}" in before and 'id="added-through"' not in before
            update = (
                "INSERT DATA { GRAPH graph:landscape { model:uncurated-later a aikg:AIModel ;"
                f' schema:name "Uncurated Later" ; schema:datePublished "{later}-15"^^xsd:date ;'
                " dcterms:source <https://example.org/a-user> } }"
            )
            written = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
            assert written.status_code == 204, written.text
            home = client.get("/").text
            assert f"Curated releases through {curated}" in home
            assert f"dated up to {later}" in home  # said apart, as added data
            body = client.get("/api/coverage").json()
            assert (body["curated_through"], body["latest_release"]) == (curated, later)
            landscape = next(p for p in body["periods"] if p["graph"] == LANDSCAPE_GRAPH)
            assert (landscape["curated_through"], landscape["latest_release"]) == (curated, later)
            chart = client.get("/api/analytics/charts/moe-share", params={"since": 2023}).json()
            assert chart["gaps"]["curated_through"] == curated
    finally:
        graph.close()
