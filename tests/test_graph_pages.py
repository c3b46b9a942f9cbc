"""/graphs/..., /api/analytics/... and /charts through HTTP on the embedded graph; chart numbers
checked against an independent count over the triples."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings

AIKG = "https://w3id.org/aikg/ontology#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SPDX = "http://spdx.org/rdf/terms#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROBLEM = "application/problem+json"


def nodes_of(html: str) -> list[dict]:
    return json.loads(re.findall(r"new vis\.DataSet\((.*?)\);\n", html)[0])


def labels_of(html: str) -> set[str]:
    return {n["label"] for n in nodes_of(html)}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/graphs/ego/model/glm-4.5", {"GLM-4.5", "Zhipu AI", "MIT License", "GLM"}),
        ("/graphs/ego/model/GLM-4.5?depth=2&types=model,organization", {"GLM-4.5", "GLM-4.5-Air", "Zhipu AI"}),
        ("/graphs/ego/organization/zhipu-ai", {"Zhipu AI", "GLM-4.5", "China"}),
        ("/graphs/lineage/deepseek-r1", {"DeepSeek-R1", "DeepSeek-V3", "Qwen2.5-32B", "Llama 3.3 70B"}),
        ("/graphs/lineage/Llama 3.1 8B", {"Llama 3.1 8B", "DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1"}),
        ("/graphs/landscape?year=2025&modality=video", {"Wan2.2-T2V-A14B", "Alibaba Group"}),
        (
            "/graphs/claims?about=model/glm-4.5",
            {"GLM-4.5", "Zhipu AI", "zai-org/GLM-4.5 (GitHub repository and README)"},
        ),
    ],
)
def test_graph_pages(client: TestClient, url: str, expected: set[str]) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert expected <= labels_of(r.text)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", r.text)


def test_ego_type_filter_keeps_only_those_kinds(client: TestClient) -> None:
    nodes = nodes_of(client.get("/graphs/ego/model/glm-4.5?depth=2&types=organization").text)
    shapes = {n["shape"] for n in nodes}
    assert shapes == {"dot", "box"}  # the centre (a model) and organizations only


def test_landscape_filters_by_openness(client: TestClient) -> None:
    osi = labels_of(client.get("/graphs/landscape?openness=osi").text)
    assert "GLM-4.5" in osi and "Llama 4 Maverick" not in osi
    custom = labels_of(client.get("/graphs/landscape?openness=open-weights").text)
    assert "Llama 4 Maverick" in custom and "GLM-4.5" not in custom


def test_claims_about_one_entity(client: TestClient) -> None:
    nodes = nodes_of(client.get("/graphs/claims?about=model/glm-4.5").text)
    claims = {n["label"] for n in nodes if n["shape"] == "diamond"}
    assert claims and all("GLM-4.5" in c for c in claims)


@pytest.mark.parametrize(
    ("url", "status", "title"),
    [
        ("/graphs/ego/model/no-such-model", 404, "NotFoundError"),
        ("/graphs/ego/model/glm-4.5?depth=4", 422, "InvalidParameterError"),
        ("/graphs/ego/model/glm-4.5?types=planet", 422, "InvalidParameterError"),
        ("/graphs/lineage/no-such-model", 404, "NotFoundError"),
        ("/graphs/landscape?openness=free", 422, "InvalidParameterError"),
        ("/graphs/landscape?modality=smell", 422, "InvalidParameterError"),
        ("/graphs/landscape?year=20", 422, "InvalidParameterError"),
        ("/graphs/claims?about=glm-4.5", 422, "InvalidParameterError"),
        ("/graphs/claims?about=model/no-such", 404, "NotFoundError"),
        ("/graphs/query?query=SELECT * WHERE { ?s ?p ?o }", 400, "QueryFormError"),
        ("/graphs/query?query=ASK { ?s ?p ?o }", 400, "QueryFormError"),
        ("/graphs/query?query=DESCRIBE model:glm-4.5", 400, "QueryFormError"),
        ("/graphs/query?query=CONSTRUCT WHERE { ?s ?p }", 400, "QuerySyntaxError"),
        ("/graphs/query?query=INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", 400, "QuerySyntaxError"),
        ("/graphs/query?query=CONSTRUCT WHERE { SERVICE <http://e/> { ?s ?p ?o } }", 403, "ForbiddenError"),
        ("/graphs/query", 422, "InvalidParameterError"),
        ("/api/analytics/centrality?measure=closeness", 422, "InvalidParameterError"),
        ("/api/analytics/centrality?projection=everything", 422, "InvalidParameterError"),
        ("/api/analytics/path?from=model/glm-4.5&to=model/nope", 404, "NotFoundError"),
        ("/api/analytics/path?from=model/glm-4.5&to=organization/meta&projection=lineage", 404, "NotFoundError"),
        ("/api/analytics/charts/pie", 422, "InvalidParameterError"),
    ],
)
def test_user_mistakes_are_problems_not_500(client: TestClient, url: str, status: int, title: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["title"] == title and r.json()["detail"]


def test_non_construct_detail_says_what_to_send(client: TestClient) -> None:
    detail = client.get("/graphs/query", params={"query": "SELECT * WHERE { ?s ?p ?o }"}).json()["detail"]
    assert "SELECT" in detail and "CONSTRUCT" in detail


def test_construct_query_picture_get_and_post(client: TestClient) -> None:
    query = "CONSTRUCT { ?m schema:creator organization:zhipu-ai } WHERE { ?m schema:creator organization:zhipu-ai }"
    got = client.get("/graphs/query", params={"query": query})
    assert got.status_code == 200
    assert {"GLM-4.5", "GLM-4.5-Air", "Zhipu AI"} <= labels_of(got.text)
    assert "CONSTRUCT { ?m schema:creator organization:zhipu-ai }" in got.text.replace("&lt;", "<")
    form = client.post("/graphs/query", data={"query": query, "max_nodes": "50"})
    assert form.status_code == 200 and labels_of(form.text) == labels_of(got.text)
    raw = client.post("/graphs/query", content=query, headers={"Content-Type": "application/sparql-query"})
    assert raw.status_code == 200 and labels_of(raw.text) == labels_of(got.text)
    assert client.post("/graphs/query", data={"query": " "}).status_code == 422


def test_construct_literals_are_nodes_of_their_own(client: TestClient) -> None:
    query = "CONSTRUCT { model:glm-4.5 schema:name ?n ; rdfs:label ?l } WHERE { model:glm-4.5 schema:name ?n ; rdfs:label ?l }"
    nodes = nodes_of(client.get("/graphs/query", params={"query": query}).text)
    # "GLM-4.5" (xsd:string) and "GLM-4.5"@en are different literals, so different nodes
    assert sorted(n["id"] for n in nodes) == ['"GLM-4.5"', '"GLM-4.5"@en', "<https://w3id.org/aikg/id/model/glm-4.5>"]


@pytest.fixture(scope="module")
def slow_client() -> Iterator[TestClient]:
    settings = Settings(workers=1, query_timeout_s=1.5)
    service = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, service)) as c:
        yield c
    service.close()


def test_runaway_construct_is_stopped_by_the_time_limit(slow_client: TestClient) -> None:
    runaway = (
        "CONSTRUCT { ?a schema:knows ?c } WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z "
        'FILTER(STR(?x) = CONCAT(STR(?y), STR(?z), "never")) }'
    )
    r = slow_client.get("/graphs/query", params={"query": runaway})
    assert r.status_code == 503
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["title"] == "QueryTimeoutError"
    # the worker was replaced: the next picture is drawn
    assert slow_client.get("/graphs/lineage/deepseek-r1").status_code == 200


# ------------------------------------------------------------------------------- analytics


def test_centrality_names_its_projection(client: TestClient) -> None:
    r = client.get(
        "/api/analytics/centrality",
        params={"projection": "organization-model", "measure": "degree", "kind": "organization", "limit": 3},
    )
    body = r.json()
    assert body["projection"]["name"] == "organization-model" and body["measure"] == "degree"
    # degree = models created: Alibaba 75, Mistral AI 42, DeepSeek 34 in the grown graph (issue 17)
    assert [(row["label"], row["degree"]) for row in body["results"]] == [
        ("Alibaba Group", 75),
        ("Mistral AI", 42),
        ("DeepSeek", 34),
    ]
    n = body["projection"]["nodes"]
    assert body["results"][0]["score"] == pytest.approx(body["results"][0]["degree"] / (n - 1))


def test_lineage_pagerank_ranks_the_most_derived_from_bases_first(client: TestClient) -> None:
    body = client.get("/api/analytics/centrality", params={"projection": "lineage", "limit": 1}).json()
    assert body["projection"]["name"] == "lineage"
    assert body["results"][0]["label"] == "DeepSeek-V3"  # R1 and, through R1, its six distills lead to it


def test_lineage_chains_and_path_and_communities(client: TestClient) -> None:
    chains = client.get("/api/analytics/lineage-chains", params={"limit": 6}).json()
    # DeepSeek's V3 line: V3 -> V3.1 -> V3.1-Terminus -> V3.2-Exp -> V3.2 -> V3.2-Speciale, each built on the last
    assert chains["longest"] == 5
    assert [[m["label"] for m in c["models"]] for c in chains["chains"][:3]] == [
        ["DeepSeek-V3.2-Speciale", "DeepSeek-V3.2", "DeepSeek-V3.2-Exp", "DeepSeek-V3.1-Terminus", "DeepSeek-V3.1",
         "DeepSeek-V3"],
        ["DeepSeekMath-V2", "DeepSeek-V3.2-Exp", "DeepSeek-V3.1-Terminus", "DeepSeek-V3.1", "DeepSeek-V3"],
        ["DeepSeek-R1-0528-Qwen3-8B", "DeepSeek-R1-0528", "DeepSeek-R1", "DeepSeek-V3"],
    ]  # fmt: skip
    path = client.get(
        "/api/analytics/path", params={"from": "model/deepseek-r1-distill-llama-8b", "to": "organization/meta"}
    ).json()
    assert path["projection"]["name"] == "entities" and path["length"] == 2
    assert [p["label"] for s in path["steps"] for p in s["properties"]] == ["based on", "creator"]
    communities = client.get("/api/analytics/communities", params={"projection": "organization-model"}).json()
    assert communities["projection"]["name"] == "organization-model" and communities["seed"] == 42
    biggest = {m["label"] for m in communities["communities"][0]["members"]}
    assert "Alibaba Group" in biggest or "Meta" in biggest
    assert client.get("/api/analytics/communities", params={"projection": "organization-model"}).json() == communities


def test_analytics_index(client: TestClient) -> None:
    body = client.get("/api/analytics").json()
    assert set(body["projections"]) == {"organization-model", "lineage", "claims", "entities"}
    assert body["measures"] == ["degree", "pagerank", "betweenness"]


# ---------------------------------------------------------------------------------- charts


def _broader_closure(store: ox.Store, concept: str) -> set[str]:
    seen, todo = {concept}, [concept]
    while todo:
        for quad in store.quads_for_pattern(ox.NamedNode(todo.pop()), ox.NamedNode(SKOS + "broader"), None):
            if quad.object.value not in seen:
                seen.add(quad.object.value)
                todo.append(quad.object.value)
    return seen


def _objects(store: ox.Store, s: str, p: str) -> list:
    return list({q.object for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)})


def _independent_counts(store: ox.Store, since: int) -> dict:
    """Count from the triples in Python, without SPARQL: what the three charts must show."""
    releases: dict = defaultdict(set)
    open_releases: dict = defaultdict(set)
    per_quarter: dict = defaultdict(set)
    moe_quarter: dict = defaultdict(set)
    mix: dict = defaultdict(lambda: defaultdict(set))
    models = {
        q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(AIKG + "AIModel"))
    }
    for m in models:
        regions = set()
        for org in _objects(store, m, SCHEMA + "creator"):
            for country in _objects(store, org.value, SCHEMA + "addressCountry"):
                for code in _objects(store, country.value, SCHEMA + "identifier"):
                    regions.add({"CN": "China", "US": "United States"}.get(code.value, "others"))
        access = {c for a in _objects(store, m, AIKG + "accessibility") for c in _broader_closure(store, a.value)}
        licenses = [lic.value for lic in _objects(store, m, AIKG + "weightsLicense")]
        osi = any(o.value == "true" for lic in licenses for o in _objects(store, lic, SPDX + "isOsiApproved"))
        lic_types = {t.value for lic in licenses for t in _objects(store, lic, RDF_TYPE)}
        is_open = AIKG + "OpenWeights" in access or AIKG + "CustomLicense" in lic_types
        closed = (
            bool(access & {AIKG + "APIAccess", AIKG + "HostedAccess", AIKG + "Unreleased"})
            or AIKG + "ProprietaryTerms" in lic_types
        )
        category = "osi" if osi else "open-weights" if is_open else "closed" if closed else "unknown"
        for region in regions:
            mix[region][category].add(m)
        moe = any(
            AIKG + "MixtureOfExperts" in _broader_closure(store, a.value)
            for a in _objects(store, m, AIKG + "architecture")
        )
        for date in _objects(store, m, SCHEMA + "datePublished"):
            year, month = int(date.value[:4]), int(date.value[5:7]) if len(date.value) >= 7 else None
            if year < since or month is None:
                continue
            quarter = f"{year}-Q{(month - 1) // 3 + 1}"
            per_quarter[quarter].add(m)
            if moe:
                moe_quarter[quarter].add(m)
            for region in regions:
                releases[(quarter, region)].add(m)
                if AIKG + "OpenWeights" in access or osi:
                    open_releases[(quarter, region)].add(m)
    return {"releases": releases, "open": open_releases, "per_quarter": per_quarter, "moe": moe_quarter, "mix": mix}


def test_chart_numbers_match_an_independent_count(client: TestClient, graph: KnowledgeGraph) -> None:
    expected = _independent_counts(graph.store.inner, 2023)
    releases = client.get("/api/analytics/charts/releases-by-country", params={"since": 2023}).json()
    series = releases["series"]
    for i, quarter in enumerate(series["quarters"]):
        for region, values in series["regions"].items():
            assert values["releases"][i] == len(expected["releases"][(quarter, region)]), (quarter, region)
            assert values["openWeights"][i] == len(expected["open"][(quarter, region)]), (quarter, region)
    assert sum(sum(v["releases"]) for v in series["regions"].values()) == sum(
        len(v) for v in expected["releases"].values()
    )
    moe = client.get("/api/analytics/charts/moe-share", params={"since": 2023}).json()["series"]
    for i, quarter in enumerate(moe["quarters"]):
        assert moe["releases"][i] == len(expected["per_quarter"][quarter])
        assert moe["moe"][i] == len(expected["moe"][quarter])
    mix = client.get("/api/analytics/charts/license-mix").json()["series"]["counts"]
    for region, counts in mix.items():
        for category, n in counts.items():
            assert n == len(expected["mix"][region][category]), (region, category)


def test_chart_numbers_pinned_from_the_curated_data(client: TestClient) -> None:
    series = client.get("/api/analytics/charts/releases-by-country", params={"since": 2025}).json()["series"]
    q1 = series["quarters"].index("2025-Q1")
    # DeepSeek-R1, its six distills (2025-01-20) and Qwen2.5-Max-era releases: China leads 2025-Q1
    assert {r: (v["releases"][q1], v["openWeights"][q1]) for r, v in series["regions"].items()} == {
        "China": (27, 20),
        "United States": (16, 10),
        "others": (6, 6),
    }
    mix = client.get("/api/analytics/charts/license-mix").json()["series"]["counts"]
    assert mix == {
        "China": {"osi": 138, "open-weights": 68, "closed": 25, "unknown": 4},  # MIT/Apache releases of Chinese labs
        "United States": {"osi": 61, "open-weights": 61, "closed": 80, "unknown": 4},
        "others": {"osi": 40, "open-weights": 36, "closed": 10, "unknown": 5},
    }


def test_charts_page_shows_the_numbers_and_the_queries(client: TestClient) -> None:
    r = client.get("/charts", params={"since": 2024})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.count("<svg") == 3 and html.count('<pre class="query">') == 3
    assert "<script" not in html and not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "?since = 2024" in html
    mix = client.get("/api/analytics/charts/license-mix").json()
    china_osi = mix["series"]["counts"]["China"]["osi"]
    assert f"<td>China</td><td>osi</td><td>{china_osi}</td>" in html
    assert mix["query"].split("\n")[0].replace('"', "&#34;") in html
    assert client.get("/charts", params={"since": 1800}).status_code == 422
