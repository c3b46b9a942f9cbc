"""Entities, lineage, comparison, search and error bodies through HTTP, checked against the
Turtle data read with rdflib."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parent.parent
AIKG = Namespace("https://w3id.org/aikg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/aikg/id/"
LANDSCAPE = "https://w3id.org/aikg/graph/landscape"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def data() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        if "shapes" not in path.parts:
            g.parse(path)
    return g


def values_of(body: dict, key: str) -> list[dict]:
    return body["properties"][key]["values"]


# -- one entity ----------------------------------------------------------------------------------


GLM45_SOURCES = [
    "https://contextqmd.com/libraries/huggingface-transformers/versions/5.8.0/pages/docs/source/en/model_doc/glm4_moe",
    "https://github.com/zai-org/GLM-4.5",
]


def test_model_record_every_property_with_labels_and_sources(client: TestClient, data: Graph) -> None:
    body = client.get("/api/models/glm-4.5").json()
    glm = URIRef(ID + "model/glm-4.5")
    assert (body["iri"], body["kind"], body["slug"], body["name"]) == (str(glm), "model", "glm-4.5", "GLM-4.5")
    # Every statement of the data about GLM-4.5 is in the record, none more.
    expected = {(str(p), str(o)) for p, o in data.predicate_objects(glm) if p != RDF.type}
    found = {
        (prop["iri"], str(v.get("iri", v.get("value"))))
        for key, prop in body["properties"].items()
        if key != "rdf:type"
        for v in prop["values"]
    }
    assert found == expected
    creator = values_of(body, "schema:creator")[0]
    assert creator == {
        "type": "iri",
        "iri": ID + "organization/zhipu-ai",
        "slug": "zhipu-ai",
        "kind": "organization",
        "label": "Zhipu AI",
        "graphs": [LANDSCAPE],
        "sources": GLM45_SOURCES,
    }
    assert values_of(body, "aikg:architecture")[0]["label"] == "Mixture-of-Experts"
    assert values_of(body, "aikg:weightsLicense")[0]["label"] == "MIT License"
    total = values_of(body, "aikg:totalParameters")[0]
    assert (total["value"], total["datatype"]) == (355_000_000_000, "xsd:integer")
    assert body["properties"]["aikg:totalParameters"]["label"] == "total parameters"
    # the day (2025-07-28) comes from the Transformers glm4_moe model page, now a second source of GLM-4.5
    assert values_of(body, "schema:datePublished")[0] == {
        "type": "literal",
        "value": "2025-07-28",
        "datatype": "xsd:date",
        "graphs": [LANDSCAPE],
        "sources": GLM45_SOURCES,
    }
    assert body["types"] == [{"iri": str(AIKG.AIModel), "curie": "aikg:AIModel", "label": "AI model"}]
    landscape = next(s for s in body["sources"] if s["graph"] == LANDSCAPE)
    assert landscape["title"].startswith("AI landscape")
    assert landscape["license"] == "http://spdx.org/licenses/CC-BY-4.0"
    assert body["links"]["html"].endswith("/id/model/glm-4.5")


def test_model_record_claims_about_it(client: TestClient, data: Graph) -> None:
    body = client.get("/api/models/glm-4.5").json()
    glm = URIRef(ID + "model/glm-4.5")
    expected = {str(c) for c in data.subjects(SCHEMA.about, glm) if (c, RDF.type, SCHEMA.Claim) in data}
    assert {c["iri"] for c in body["claims"]["about"]} == expected
    assert body["incoming"]["schema:about"]["count"] == len(set(data.subjects(SCHEMA.about, glm)))


def test_organization_record_lists_models_it_made_and_claims_by_it(client: TestClient, data: Graph) -> None:
    body = client.get("/api/organizations/zhipu-ai").json()
    zhipu = URIRef(ID + "organization/zhipu-ai")
    made = {str(m) for m in data.subjects(SCHEMA.creator, zhipu)}
    incoming = body["incoming"]["schema:creator"]
    assert {s["iri"] for s in incoming["subjects"]} == made
    assert incoming["count"] == len(made)
    for subject in incoming["subjects"]:
        node = URIRef(subject["iri"])
        assert subject["label"] == str(data.value(node, SCHEMA.name))
        assert subject["kind"] == ("model" if (node, RDF.type, AIKG.AIModel) in data else "family")
    by = {str(c) for c in data.subjects(SCHEMA.author, zhipu)}
    assert {c["iri"] for c in body["claims"]["by"]} == by
    assert values_of(body, "schema:addressCountry")[0]["label"] == "China"


@pytest.mark.parametrize(
    ("path", "iri", "kind"),
    [
        ("/api/licenses/MIT", "http://spdx.org/licenses/MIT", "license"),
        ("/api/licenses/licenseref-llama-3.1-community", ID + "license/licenseref-llama-3.1-community", "license"),
        ("/api/architectures/moe", str(AIKG.MixtureOfExperts), "architecture"),
        ("/api/countries/CN", "http://www.wikidata.org/entity/Q148", "country"),
        ("/api/organizations/智谱", ID + "organization/zhipu-ai", "organization"),
        ("/api/people/andrew-ng", ID + "person/andrew-ng", "person"),
        ("/api/claims/ng-darwinian-struggle", ID + "claim/ng-darwinian-struggle", "claim"),
        ("/api/articles/scmp-meta-careful-open-source", ID + "article/scmp-meta-careful-open-source", "article"),
        ("/api/families/glm", ID + "family/glm", "family"),
        ("/api/models/GLM-4.5", ID + "model/glm-4.5", "model"),
    ],
)
def test_entity_by_slug_name_or_code(client: TestClient, path: str, iri: str, kind: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert (r.json()["iri"], r.json()["kind"]) == (iri, kind)


def test_entity_by_iri_in_query_filters(client: TestClient) -> None:
    assert (
        client.get("/api/models", params={"organization": ID + "organization/zhipu-ai", "limit": 1}).json()["total"]
        >= 5
    )


# -- lineage and compare ---------------------------------------------------------------------------


def lineage_oracle(data: Graph, start: URIRef, up: bool) -> dict[str, int]:
    rels = (AIKG.basedOn, AIKG.distilledFrom)
    depth = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            others = [o for r in rels for o in (data.objects(node, r) if up else data.subjects(r, node))]
            for other in others:
                if other not in depth:
                    depth[other] = depth[node] + 1
                    nxt.append(other)
        frontier = nxt
    depth.pop(start)
    return {str(k).rsplit("/", 1)[-1]: v for k, v in depth.items()}


@pytest.mark.parametrize(
    "slug", ["deepseek-r1-distill-qwen-7b", "deepseek-v3", "llama-3.1-8b", "qwen2.5-72b", "glm-4.5"]
)
def test_lineage_matches_the_data(client: TestClient, data: Graph, slug: str) -> None:
    body = client.get(f"/api/models/{slug}/lineage").json()
    start = URIRef(ID + "model/" + slug)
    assert {a["slug"]: a["depth"] for a in body["ancestors"]} == lineage_oracle(data, start, up=True)
    assert {d["slug"]: d["depth"] for d in body["descendants"]} == lineage_oracle(data, start, up=False)


def test_lineage_edges_carry_derivation_types(client: TestClient) -> None:
    body = client.get("/api/models/deepseek-r1-distill-qwen-7b/lineage").json()
    edges = {(e["from"]["slug"], e["relation"], e["to"]["slug"]): e["derivationType"]["slug"] for e in body["edges"]}
    assert edges[("deepseek-r1-distill-qwen-7b", "aikg:basedOn", "qwen2.5-math-7b")] == "Distillation"
    assert edges[("deepseek-r1-distill-qwen-7b", "aikg:distilledFrom", "deepseek-r1")] == "Distillation"
    assert edges[("deepseek-r1", "aikg:basedOn", "deepseek-v3")] == "FineTune"
    v3 = client.get("/api/models/deepseek-v3/lineage").json()
    depths = {d["slug"]: d["depth"] for d in v3["descendants"]}
    assert depths["deepseek-r1"] == 1 and depths["deepseek-r1-distill-qwen-7b"] == 2
    assert {
        d["slug"] for d in client.get("/api/models/deepseek-v3/lineage", params={"max_depth": 1}).json()["descendants"]
    } == {"cogito-v2.1-671b", "deepseek-prover-v2-671b", "deepseek-r1", "deepseek-v3-0324", "deepseek-v3.1"}


def test_compare_side_by_side(client: TestClient, data: Graph) -> None:
    body = client.get("/api/compare", params={"models": "glm-4.5,DeepSeek-V3,qwen3-235b-a22b"}).json()
    assert [m["slug"] for m in body["models"]] == ["glm-4.5", "deepseek-v3", "qwen3-235b-a22b"]
    rows = {r["property"]: r for r in body["properties"]}
    totals = [[v["value"] for v in col] for col in rows["aikg:totalParameters"]["values"]]
    expected = [
        [int(v) for v in data.objects(URIRef(ID + "model/" + s), AIKG.totalParameters)]
        for s in ("glm-4.5", "deepseek-v3", "qwen3-235b-a22b")
    ]
    assert totals == expected
    assert rows["aikg:totalParameters"]["same"] is False
    assert rows["aikg:architecture"]["same"] is True
    assert [[v["label"] for v in col] for col in rows["schema:creator"]["values"]] == [
        ["Zhipu AI"],
        ["DeepSeek"],
        ["Alibaba Group"],
    ]
    # A property only some models have: an empty cell for the others.
    assert all(len(r["values"]) == 3 for r in body["properties"])


@pytest.mark.parametrize("models", ["glm-4.5", "glm-4.5,glm-4.5", "glm-4.5,no-such-model", ",".join(["glm-4.5"] * 11)])
def test_compare_invalid_is_422_naming_models(client: TestClient, models: str) -> None:
    r = client.get("/api/compare", params={"models": models})
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["parameter"] == "models"


# -- search ----------------------------------------------------------------------------------------


def test_search_latin_ranked_exact_prefix_contains(client: TestClient) -> None:
    results = client.get("/api/search", params={"q": "glm-4.5", "limit": 100}).json()["results"]
    assert results[0]["slug"] == "glm-4.5" and results[0]["match"] == "exact"
    order = {"exact": 0, "prefix": 1, "contains": 2}
    ranks = [(order[h["match"]], h["loose"]) for h in results]
    assert ranks == sorted(ranks)
    assert {"glm-4.5-air"} <= {h["slug"] for h in results if h["match"] == "prefix"}


@pytest.mark.parametrize(
    ("q", "slug"),
    [
        ("智谱", "zhipu-ai"),
        ("阿里巴巴", "alibaba"),
        ("吴恩达", "andrew-ng"),
        ("ZHIPU AI", "zhipu-ai"),
        ("Zhìpú", "zhipu-ai"),
        ("ＧＬＭ－４.５", "glm-4.5"),
        ("glm45", "glm-4.5"),
    ],
)
def test_search_any_script_case_accent_width(client: TestClient, q: str, slug: str) -> None:
    hits = client.get("/api/search", params={"q": q}).json()["results"]
    assert hits[0]["slug"] == slug


def test_search_chinese_finds_zhipu_with_matched_label(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "智谱"}).json()
    assert body["results"][0] == {
        "iri": ID + "organization/zhipu-ai",
        "slug": "zhipu-ai",
        "kind": "organization",
        "name": "Zhipu AI",
        "matched": "智谱",
        "match": "exact",
        "loose": False,
        "links": body["results"][0]["links"],
    }
    assert body["total"] == 1  # 智谱 and 智谱AI are names of the same organization


def test_search_typed(client: TestClient) -> None:
    every = client.get("/api/search", params={"q": "qwen", "limit": 100}).json()["results"]
    models = client.get("/api/search", params={"q": "qwen", "kind": "model", "limit": 100}).json()["results"]
    assert {h["kind"] for h in every} > {"model"}
    assert {h["kind"] for h in models} == {"model"}
    assert [h["iri"] for h in models] == [h["iri"] for h in every if h["kind"] == "model"]


# -- errors ----------------------------------------------------------------------------------------


def test_unknown_entity_404_problem_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/models/glm-45")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "about:blank" and body["status"] == 404 and body["title"] == "NotFoundError"
    assert body["detail"] == "no model named 'glm-45'"
    assert body["suggestions"][0] == "glm-4.5"


def test_unknown_collection_404(client: TestClient) -> None:
    r = client.get("/api/spaceships/x")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert "models" in r.json()["suggestions"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"organization": "no-such-org"}, "organization"),
        ({"country": "XX"}, "country"),
        ({"architecture": "quantum"}, "architecture"),
        ({"modality": "smell"}, "modality"),
        ({"license": "WTFPL-9"}, "license"),
        ({"released_after": "2025-13"}, "released_after"),
        ({"released_before": "yesterday"}, "released_before"),
        ({"min_parameters": "lots"}, "min_parameters"),
        ({"min_parameters": "-5"}, "min_parameters"),
        ({"osi": "maybe"}, "osi"),
        ({"based_on": "gpt-17"}, "based_on"),
        ({"sort": "weight"}, "sort"),
        ({"order": "up"}, "order"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_invalid_model_filter_422_names_parameter(client: TestClient, params: dict, parameter: str) -> None:
    r = client.get("/api/models", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_invalid_filter_suggests_close_names(client: TestClient) -> None:
    body = client.get("/api/models", params={"organization": "zhipu-a"}).json()
    assert body["parameter"] == "organization"
    assert "zhipu-ai" in body["detail"]
    body = client.get("/api/models", params={"architecture": "mixture"}).json()
    assert "moe" in body["detail"]  # lists the accepted names


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"claimant": "nobody"}, "claimant"),
        ({"stance": "angry"}, "stance"),
        ({"self_claim": "sometimes"}, "self_claim"),
        ({"source": "nowhere"}, "source"),
    ],
)
def test_invalid_claim_filter_422(client: TestClient, params: dict, parameter: str) -> None:
    r = client.get("/api/claims", params=params)
    assert r.status_code == 422 and r.json()["parameter"] == parameter


def test_search_empty_or_too_long_is_422(client: TestClient) -> None:
    for q in ("", "x" * 201):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 422 and r.json()["parameter"] == "q"
    r = client.get("/api/search", params={"q": "glm", "kind": "spaceship"})
    assert r.status_code == 422 and r.json()["parameter"] == "kind"


def test_not_acceptable_is_406(client: TestClient) -> None:
    r = client.get("/api/models/glm-4.5", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.headers["content-type"] == PROBLEM


def test_literal_values_keep_language_tags(client: TestClient, data: Graph) -> None:
    body = client.get("/api/models/glm-4.5").json()
    labels = values_of(body, "rdfs:label")
    assert labels[0]["value"] == "GLM-4.5" and labels[0]["lang"] == "en"
    comments = {v["value"] for v in values_of(body, "rdfs:comment")}
    assert comments == {
        str(c)
        for c in data.objects(URIRef(ID + "model/glm-4.5"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
    }
    assert all(isinstance(c, str) for c in comments) and Literal("x").language is None


# -- OpenAPI -----------------------------------------------------------------------------------------


def test_openapi_every_rest_route_is_documented_with_an_example(client: TestClient) -> None:
    from api.routes import entities, linked_data

    mine = {route.path for module in (entities, linked_data) for route in module.router.routes}  # type: ignore[attr-defined]
    spec = client.get("/openapi.json").json()
    ours = {path: item for path, item in spec["paths"].items() if path in mine}
    assert len(ours) >= 14
    for path, item in ours.items():
        for method, op in item.items():
            assert op.get("summary"), (method, path)
            assert "Example" in op.get("description", ""), (method, path)
            for param in op.get("parameters", []):
                assert param.get("description"), (path, param["name"])
            has_param_example = any("examples" in p or "example" in p for p in op.get("parameters", []))
            ok = op["responses"].get("200", {}).get("content", {})
            has_response_example = any("example" in media or "examples" in media for media in ok.values())
            assert has_param_example or has_response_example, (method, path)
