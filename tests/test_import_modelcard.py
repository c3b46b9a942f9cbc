"""Hugging Face model-card importer on the fixtures in tests/data/modelcards."""

from __future__ import annotations

import pytest

from kg.errors import MalformedRowsError
from kg.ingest.run import run_import
from tests.importing import BAD_CARDS, CARDS, embedded_store, rows


@pytest.fixture(scope="module")
def cards():  # type: ignore[no-untyped-def]
    store = embedded_store()
    return store, run_import(store, "modelcard", [CARDS])


def test_counts_and_matches(cards) -> None:  # type: ignore[no-untyped-def]
    _, outcome = cards
    assert outcome.batch.counts["rows_read"] == 5
    assert outcome.batch.counts["rows_skipped"] == 0
    assert outcome.batch.counts["benchmark_results"] == 2
    by_name = {m.name: (m.iri.rsplit("/", 1)[-1], m.key) for m in outcome.batch.matches if m.kind == "model"}
    assert by_name["GLM-4.5"] == ("glm-4.5", "hfRepoId")
    assert by_name["GLM-4.5-Air"] == ("glm-4.5-air", "hfRepoId")
    assert by_name["Llama-3.1-8B"] == ("llama-3.1-8b", "hfRepoId")
    assert by_name["GLM-4.5-Air-4bit"] == ("glm-4.5-air-4bit", "new")
    orgs = {m.name: (m.iri.rsplit("/", 1)[-1], m.key) for m in outcome.batch.matches if m.kind == "organization"}
    assert orgs["zai-org"] == ("zhipu-ai", "hfNamespace")
    assert orgs["meta-llama"] == ("meta", "hfNamespace")


def test_lineage_license_modality_datasets_language(cards) -> None:  # type: ignore[no-untyped-def]
    store, _ = cards
    quantized = rows(
        store,
        """SELECT ?base ?type ?license ?creator WHERE { ?m aikg:hfRepoId "mlx-community/GLM-4.5-Air-4bit" ;
           aikg:basedOn ?base ; aikg:derivationType ?type ; aikg:weightsLicense ?license ; schema:creator/schema:name ?creator }""",
    )
    assert quantized == [
        {
            "base": "https://w3id.org/aikg/id/model/glm-4.5-air",
            "type": "https://w3id.org/aikg/ontology#Quantization",
            "license": "http://spdx.org/licenses/MIT",
            "creator": "mlx-community",
        }
    ]
    llama = rows(
        store,
        'SELECT ?license WHERE { ?m aikg:hfRepoId "meta-llama/Llama-3.1-8B-Instruct" ; aikg:weightsLicense ?license ; aikg:basedOn model:llama-3.1-8b }',
    )
    assert llama == [{"license": "https://w3id.org/aikg/id/license/licenseref-llama-3.1-community"}]
    olmo = rows(
        store,
        """SELECT ?in ?out ?data ?lang WHERE { ?m aikg:hfRepoId "allenai/OLMo-2-1124-7B-Instruct" ; aikg:inputModality ?in ;
           aikg:outputModality ?out ; aikg:trainingDataset ?data ; schema:inLanguage ?lang ; schema:creator organization:ai2 }""",
    )
    assert olmo == [
        {
            "in": "https://w3id.org/aikg/ontology#Text",
            "out": "https://w3id.org/aikg/ontology#Text",
            "data": "https://huggingface.co/datasets/allenai/RLVR-GSM-MATH-IF-Mixed-Constraints",
            "lang": "en",
        }
    ]
    glm4 = rows(store, "SELECT ?license WHERE { model:glm-4-9b aikg:weightsLicense ?license }")
    assert glm4 == [{"license": "https://w3id.org/aikg/id/license/licenseref-glm-4"}]


def test_model_index_gives_self_reported_results(cards) -> None:  # type: ignore[no-untyped-def]
    store, _ = cards
    found = rows(
        store,
        """SELECT ?benchmark ?score ?metric ?source WHERE { ?r aikg:evaluatedModel ?m ; aikg:selfReported true ;
           aikg:benchmark ?benchmark ; aikg:score ?score ; aikg:metric ?metric ; dcterms:source ?source .
           ?m aikg:hfRepoId "allenai/OLMo-2-1124-7B-Instruct" } ORDER BY ?benchmark""",
    )
    assert found == [
        {
            "benchmark": "GSM8K",
            "score": 85.2,
            "metric": "accuracy",
            "source": "https://huggingface.co/allenai/OLMo-2-1124-7B-Instruct",
        },
        {
            "benchmark": "MMLU",
            "score": 61.3,
            "metric": "accuracy",
            "source": "https://huggingface.co/allenai/OLMo-2-1124-7B-Instruct",
        },
    ]


def test_bad_cards_are_reported_and_strict_stores_nothing() -> None:
    store = embedded_store()
    before = set(store.inner)
    with pytest.raises(MalformedRowsError) as failure:
        run_import(store, "modelcard", [BAD_CARDS], strict=True)
    assert set(store.inner) == before
    assert failure.value.issues == [
        "acme/bad-metric/README.md, column 'model-index.results[0].metrics.value': 'eighty' is not a number",
        "acme/broken-yaml/README.md, line 3: front matter does not parse: expected ',' or ']', but got '<stream end>'",
        "acme/no-front-matter/README.md, line 1: no YAML front matter (the card must start with a '---' line)",
    ]
    outcome = run_import(store, "modelcard", [BAD_CARDS, CARDS / "zai-org"])
    assert outcome.batch.counts["rows_read"] == 4 and outcome.batch.counts["rows_skipped"] == 3
    assert [str(i) for i in outcome.batch.skipped] == failure.value.issues
