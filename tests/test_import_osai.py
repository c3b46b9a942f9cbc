"""Openness-index importer on the real project files: 14 graded dimensions per model, with evidence."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from kg.ingest.importers.osai import DIMENSIONS
from kg.ingest.run import run_import
from tests.importing import OSAI, embedded_store, need_shared_data, ontology_store, rows

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def osai_only():  # type: ignore[no-untyped-def]
    need_shared_data()
    store = ontology_store()
    return store, run_import(store, "osai", [OSAI])


def _projects() -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((OSAI / "projects").glob("*.yaml"))}


def test_counts_and_skipped_files(osai_only) -> None:  # type: ignore[no-untyped-def]
    store, outcome = osai_only
    projects = _projects()
    unnamed = sorted(n for n, d in projects.items() if not (d["project"].get("name") or "").strip())
    assert outcome.batch.counts["rows_read"] == len(projects) == 48
    assert sorted(i.file for i in outcome.batch.skipped) == unnamed == ["A_sample.yaml", "text-generation-webui.yaml"]
    assert {(i.column, i.kind) for i in outcome.batch.skipped} == {("project.name", "unresolved")}
    graded = len(projects) - len(unnamed)
    assert outcome.batch.counts["openness_grades"] == graded * 14 == 644
    assert (
        rows(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m aikg:opennessGrade ?g }")[0]["n"]
        == outcome.batch.counts["models"]
    )
    expected = Counter(d[k]["class"] for n, d in projects.items() if n not in unnamed for k in DIMENSIONS)
    got = Counter(
        r["grade"].rsplit("Grade", 1)[-1].lower()
        for r in rows(store, "SELECT ?g ?grade WHERE { ?g a aikg:OpennessGrade ; aikg:grade ?grade }")
    )
    assert got == expected


def test_llama_31_grades_with_evidence_and_notes() -> None:
    need_shared_data()
    store = embedded_store()
    run_import(store, "osai", [OSAI])
    source = yaml.safe_load((OSAI / "projects" / "llama-3.1.yaml").read_text(encoding="utf-8"))
    found = rows(
        store,
        """SELECT ?dimension ?grade ?url ?notes WHERE { model:llama-3.1-405b aikg:opennessGrade ?g .
           ?g aikg:dimension ?dimension ; aikg:grade/skos:notation ?grade .
           OPTIONAL { ?g schema:url ?url } OPTIONAL { ?g rdfs:comment ?notes } } ORDER BY ?dimension""",
    )
    assert len(found) == 14
    by_dim = {r["dimension"]: r for r in found}
    assert by_dim["llmweights"]["grade"] == source["llmweights"]["class"] == "partial"
    assert by_dim["llmweights"]["url"] == source["llmweights"]["link"].strip()
    assert by_dim["llmweights"]["notes"] == source["llmweights"]["notes"].strip()
    assert by_dim["llmdata"]["grade"] == "closed" and by_dim["license"]["grade"] == "closed"
    assert by_dim["package"]["grade"] == "open"


def test_bad_grade_is_reported_with_line_and_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    need_shared_data()
    text = (OSAI / "projects" / "amber.yaml").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("llmweights:"))
    cls = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("class:"))
    lines[cls] = "    class: mostly"
    (tmp_path / "amber.yaml").write_text("\n".join(lines), encoding="utf-8")
    outcome = run_import(ontology_store(), "osai", [tmp_path / "amber.yaml"])
    assert [str(i) for i in outcome.batch.skipped] == [
        f"amber.yaml, line {cls + 1}, column 'llmweights.class': 'mostly' is not open, partial or closed"
    ]
