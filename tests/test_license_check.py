"""Licenses along the lineage: the embedded graph's real lineage and one fixture per kind of finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.analysis.licenses import (
    all_license_findings,
    license_check,
    license_findings,
    license_findings_of,
    naming_prefix,
    offending_edges,
)
from kg.engine.load import load_default_graph
from kg.engine.sparql import select
from kg.engine.store import KnowledgeStore
from kg.errors import NotFoundError

DATA = Path(__file__).resolve().parent / "data"
M = "https://w3id.org/aikg/id/model/"
LICENSE = "https://w3id.org/aikg/id/license/"
MIT = "http://spdx.org/licenses/MIT"
APACHE = "http://spdx.org/licenses/Apache-2.0"
LANDSCAPE = "https://w3id.org/aikg/graph/landscape"
LICENSES = "https://w3id.org/aikg/graph/licenses"
REVIEWS_INPUT = "https://w3id.org/aikg/graph/reviews-input"


def _short(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


@pytest.fixture(scope="module")
def embedded() -> KnowledgeStore:
    store = KnowledgeStore()
    load_default_graph(store)
    return store


@pytest.fixture(scope="module")
def fixture_store() -> KnowledgeStore:
    store = KnowledgeStore()
    load_default_graph(store, DATA / "licenses")
    return store


# ----------------------------------------------------------------------------- the embedded graph


def test_embedded_lineage_has_exactly_the_llama_distill_findings(embedded: KnowledgeStore) -> None:
    found = sorted(
        (f.kind, _short(f.model), _short(f.base), _short(f.derived_license), _short(f.base_license))
        for f in all_license_findings(embedded.inner)
    )
    assert found == [
        (
            "license-not-carried",
            "deepseek-r1-distill-llama-70b",
            "llama-3.3-70b",
            "MIT",
            "licenseref-llama-3.3-community",
        ),
        (
            "license-not-carried",
            "deepseek-r1-distill-llama-8b",
            "llama-3.1-8b",
            "MIT",
            "licenseref-llama-3.1-community",
        ),
        # NVIDIA's Llama-based Nemotrons carry the NVIDIA Open Model License only (their names keep the Llama prefix)
        (
            "license-not-carried",
            "llama-3.1-nemotron-nano-8b",
            "llama-3.1-8b",
            "licenseref-nvidia-open-model",
            "licenseref-llama-3.1-community",
        ),
        (
            "license-not-carried",
            "llama-3.3-nemotron-super-49b",
            "llama-3.3-70b",
            "licenseref-nvidia-open-model",
            "licenseref-llama-3.3-community",
        ),
        ("naming-rule", "deepseek-r1-distill-llama-70b", "llama-3.3-70b", None, "licenseref-llama-3.3-community"),
        ("naming-rule", "deepseek-r1-distill-llama-8b", "llama-3.1-8b", None, "licenseref-llama-3.1-community"),
    ]


def test_r1_distill_llama_70b_declared_mit_against_llama_3_3(embedded: KnowledgeStore) -> None:
    [carried] = [
        f
        for f in license_findings(embedded.inner, M + "deepseek-r1-distill-llama-70b")
        if f.kind == "license-not-carried"
    ]
    assert carried.edge == (M + "deepseek-r1-distill-llama-70b", M + "llama-3.3-70b")
    assert carried.path == (M + "deepseek-r1-distill-llama-70b", M + "llama-3.3-70b")
    # derived side: the MIT declaration of the Hugging Face model card
    assert carried.derived_sources == (
        {
            "property": "declaredLicense",
            "license": MIT,
            "graph": REVIEWS_INPUT,
            "sources": ["https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B"],
        },
    )
    # base side: Llama 3.3 70B's weights license, and the clause's source in the licenses graph
    base_model, clause = carried.base_sources
    assert base_model["graph"] == LANDSCAPE and base_model["license"] == LICENSE + "licenseref-llama-3.3-community"
    assert "https://github.com/meta-llama/llama-models" in base_model["sources"]
    assert clause == {
        "license": LICENSE + "licenseref-llama-3.3-community",
        "clause": "derivativesMustKeepLicense",
        "graphs": [LICENSES],
        "sources": ["https://epoch.ai/data/ai-models", "https://github.com/meta-llama/llama-models"],
    }
    assert carried.detail == (
        "DeepSeek-R1-Distill-Llama-70B declares MIT License, but it is based on Llama 3.3 70B, whose Llama 3.3 Community "
        "License requires derivatives to keep its terms (licensees above 700,000,000 monthly active users need a separate license)."
    )


def test_r1_distill_names_break_the_llama_naming_rule(embedded: KnowledgeStore) -> None:
    naming = [
        f for f in license_findings(embedded.inner, M + "deepseek-r1-distill-llama-8b") if f.kind == "naming-rule"
    ]
    assert [f.detail for f in naming] == [
        "The name 'DeepSeek-R1-Distill-Llama-8B' does not begin with 'Llama', which the Llama 3.1 Community License of "
        "Llama 3.1 8B requires of derived models."
    ]
    assert naming[0].derived_sources == ()


def test_the_curated_llama_license_of_the_distill_is_consistent(embedded: KnowledgeStore) -> None:
    # The curated weights license (the Llama 3.3 license) breaks nothing; only the MIT declaration does.
    findings = license_findings(embedded.inner, M + "deepseek-r1-distill-llama-70b")
    assert {f.derived_license for f in findings if f.kind == "license-not-carried"} == {MIT}


def test_qwen_distills_are_consistent_and_unknown_bases_are_listed(embedded: KnowledgeStore) -> None:
    report = license_check(embedded.inner, M + "deepseek-r1-distill-qwen-14b")
    assert report["flag"] is False and report["licenseFindings"] == []
    assert [(e["derivedName"], e["baseName"], _short(e["derivationType"])) for e in report["lineage"]] == [
        ("DeepSeek-R1-Distill-Qwen-14B", "Qwen2.5-14B", "ontology#Distillation")
    ]
    # Qwen2.5-Math-7B has its weights license now (Apache-2.0, Qwen2.5 README): MIT over it is consistent
    math = license_check(embedded.inner, M + "deepseek-r1-distill-qwen-7b")
    assert math["flag"] is False and math["licenseFindings"] == [] and math["unchecked"] == []
    # a model whose own weights license is unverified is listed, never guessed; its same-licensor base is exempt
    z1 = license_check(embedded.inner, M + "glm-z1-32b-0414")
    assert z1["unchecked"] == [
        {
            "base": M + "glm-z1-32b-0414",
            "baseName": "GLM-Z1-32B-0414",
            "reason": "the graph records no license for this model's weights",
        }
    ]
    assert [_short(e["base"]) for e in z1["exempt"]] == ["glm-4-32b-0414"]


@pytest.mark.parametrize(
    ("model", "base"),
    [("deepseek-r1", "deepseek-v3"), ("qwen2.5-72b-instruct", "qwen2.5-72b"), ("llama-3.2-11b-vision", "llama-3.1-8b")],
)
def test_a_licensor_relicensing_its_own_model_is_exempt(embedded: KnowledgeStore, model: str, base: str) -> None:
    report = license_check(embedded.inner, M + model)
    assert report["licenseFindings"] == []
    assert [_short(e["base"]) for e in report["exempt"]] == [base]


def test_offending_edges_of_the_real_lineage(embedded: KnowledgeStore) -> None:
    edges = offending_edges(embedded.inner, M + "llama-3.1-8b")
    assert [(_short(d), _short(b)) for d, b, _ in edges] == [
        ("deepseek-r1-distill-llama-8b", "llama-3.1-8b"),
        ("llama-3.1-nemotron-nano-8b", "llama-3.1-8b"),
    ]
    assert "requires derivatives to keep its terms" in edges[0][2] and "does not begin with 'Llama'" in edges[0][2]
    assert offending_edges(embedded.inner, M + "deepseek-r1-distill-qwen-32b") == []


def test_unknown_model_is_not_found(embedded: KnowledgeStore) -> None:
    with pytest.raises(NotFoundError):
        license_findings(embedded.inner, M + "no-such-model")
    with pytest.raises(NotFoundError):
        offending_edges(embedded.inner, M + "no-such-model")


# ----------------------------------------------------------------------------- fixtures, one per kind


def test_fixture_findings_are_exactly_one_per_case(fixture_store: KnowledgeStore) -> None:
    found = sorted(
        (f.kind, _short(f.model), _short(f.base), tuple(_short(x) for x in f.edge), _short(f.derived_license))
        for f in all_license_findings(fixture_store.inner)
    )
    assert found == [
        ("license-not-carried", "keep-apache", "base-keep", ("keep-apache", "base-keep"), "Apache-2.0"),
        ("license-not-carried", "keep-apache-quant", "base-keep", ("keep-apache", "base-keep"), "Apache-2.0"),
        ("license-not-carried", "keep-kept-mit", "base-keep", ("keep-kept-mit", "keep-kept"), "MIT"),
        ("naming-rule", "other-named-tune", "base-named", ("other-named-tune", "base-named"), None),
        ("non-commercial-base", "nc-commercial", "base-nc", ("nc-commercial", "base-nc"), "MIT"),
        ("restrictions-dropped", "threshold-mit", "base-threshold", ("threshold-mit", "base-threshold"), "MIT"),
    ]


def test_transitive_finding_names_the_path_and_the_departing_edge(fixture_store: KnowledgeStore) -> None:
    [f] = license_findings(fixture_store.inner, M + "keep-kept-mit")
    assert f.path == (M + "keep-kept-mit", M + "keep-kept", M + "base-keep")
    assert f.edge == (M + "keep-kept-mit", M + "keep-kept")  # keep-kept carries the license: the break is below it
    assert "(via Keep-Kept)" in f.detail
    assert license_findings(fixture_store.inner, M + "keep-kept") == []


def test_non_commercial_base_finding_has_sources_on_both_sides(fixture_store: KnowledgeStore) -> None:
    [f] = license_findings(fixture_store.inner, M + "nc-commercial")
    assert f.detail == (
        "NC-Commercial is licensed under MIT License, which allows commercial use, but it is based on "
        "Acme Research Only, whose Research-Only License allows non-commercial use only."
    )
    assert f.derived_sources[0]["sources"] == ["https://example.org/source/nc-commercial-card"]
    assert f.base_sources[0]["sources"] == ["https://example.org/source/nc-card"]
    assert f.base_sources[1]["sources"] == ["https://example.org/source/nc-text"]


def test_declared_license_is_checked_beside_the_weights_license(fixture_store: KnowledgeStore) -> None:
    [f] = license_findings(fixture_store.inner, M + "threshold-mit")
    assert f.kind == "restrictions-dropped" and f.derived_sources[0]["property"] == "declaredLicense"
    assert "licensees above 100,000,000 monthly active users" in f.detail


def test_naming_rule_is_met_by_a_name_with_the_prefix(fixture_store: KnowledgeStore) -> None:
    assert license_findings(fixture_store.inner, M + "acme-named-tune") == []
    assert naming_prefix('must include "Llama 3" at the beginning of its name') == "Llama 3"


def test_same_licensor_and_unknown_base(fixture_store: KnowledgeStore) -> None:
    research = license_check(fixture_store.inner, M + "acme-research-mit")
    assert research["licenseFindings"] == [] and research["exempt"][0]["licensor"] == [
        "https://w3id.org/aikg/id/organization/acme"
    ]
    unknown = license_check(fixture_store.inner, M + "unknown-tune")
    assert unknown["flag"] is False
    assert [u["baseName"] for u in unknown["unchecked"]] == ["Acme Unknown"]


def test_offending_edges_in_a_fixture_lineage(fixture_store: KnowledgeStore) -> None:
    edges = offending_edges(fixture_store.inner, M + "base-keep")
    assert [(_short(d), _short(b)) for d, b, _ in edges] == [
        ("keep-apache", "base-keep"),
        ("keep-kept-mit", "keep-kept"),
    ]


# ----------------------------------------------------------------------------- HTTP


def test_license_check_endpoint(client: TestClient) -> None:
    r = client.get("/api/models/deepseek-r1-distill-llama-70b/license-check")
    assert r.status_code == 200
    body = r.json()
    assert body["flag"] is True
    assert sorted(f["kind"] for f in body["licenseFindings"]) == ["license-not-carried", "naming-rule"]
    assert body["licenseFindings"][0]["edge"] == [M + "deepseek-r1-distill-llama-70b", M + "llama-3.3-70b"]
    assert {d["license"] for d in body["declarations"]} == {MIT, LICENSE + "licenseref-llama-3.3-community"}
    assert body["sparql"]["name"] == "license_lineage" and "aikg:basedOn*" in body["sparql"]["text"]
    assert client.get("/api/models/GLM-4.5/license-check").json()["flag"] is False
    missing = client.get("/api/models/no-such-model/license-check")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_lineage_picture_marks_the_offending_edge(client: TestClient) -> None:
    page = client.get("/graphs/lineage/llama-3.3-70b").text
    assert "license inconsistency" in page  # legend entry and the flagged edge
    assert "license: DeepSeek-R1-Distill-Llama-70B declares MIT License" in page  # the edge's tooltip
    assert "license inconsistency" not in client.get("/graphs/lineage/qwen2.5-14b").text


def test_findings_of_many_models_in_one_query_equal_one_by_one(embedded: KnowledgeStore) -> None:
    models = [r["m"] for r in select(embedded.inner, "SELECT ?m WHERE { ?m a aikg:AIModel }")]
    assert len(models) > 300
    together = license_findings_of(embedded.inner, [*models, models[0]])  # a repeat is read once
    assert sorted(together) == sorted(models)
    assert together == {iri: license_findings(embedded.inner, iri) for iri in models}
    assert sum(bool(f) for f in together.values()) >= 4  # real findings among them, not only empties
    assert license_findings_of(embedded.inner, []) == {}
    with pytest.raises(NotFoundError, match="no AI model"):
        license_findings_of(embedded.inner, [models[0], "https://w3id.org/aikg/id/org/zhipu-ai"])
