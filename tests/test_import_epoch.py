"""Epoch AI importer on the real CSVs: exact counts, skipped rows, spot values, drifted headers.

Expected values are computed here with the csv module straight from the files, not copied from
the importer's output.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from kg.engine.dataset import current_graphs
from kg.errors import MalformedRowsError
from kg.ingest.run import run_import
from tests.importing import EPOCH, need_shared_data, ontology_store, rows, value

pytestmark = pytest.mark.realdata

MODELS = ("notable_ai_models.csv", "large_scale_ai_models.csv")


def _read(name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows with the line each starts on (multi-line quoted cells counted)."""
    with (EPOCH / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        out, start = [], reader.line_num + 1
        for values in reader:
            out.append((start, dict(zip(header, values, strict=True))))
            start = reader.line_num + 1
    return out


@pytest.fixture(scope="module")
def epoch_only():  # type: ignore[no-untyped-def]
    need_shared_data()
    store = ontology_store()
    outcome = run_import(store, "epoch", [EPOCH])
    return store, outcome


def test_counts_match_the_files(epoch_only) -> None:  # type: ignore[no-untyped-def]
    store, outcome = epoch_only
    tables = {name: _read(name) for name in MODELS}
    others = {
        n: _read(n)
        for n in (
            "benchmarking_hub_benchmarks_runs.csv",
            "benchmarking_hub_model_versions.csv",
            "benchmarking_hub_organizations.csv",
        )
    }
    assert (
        outcome.batch.counts["rows_read"]
        == sum(len(t) for t in tables.values()) + sum(len(t) for t in others.values())
        == 2948
    )
    assert {f.name: f.rows for f in outcome.batch.files} == {n: len(t) for n, t in {**tables, **others}.items()}

    valid = [(n, line, r) for n, t in tables.items() for line, r in t if r["Organization"].strip()]
    names = {r["Model"] for _, _, r in valid}
    orgs = {o.strip() for _, _, r in valid for o in r["Organization"].split(",") if o.strip()}
    assert outcome.batch.counts["models"] == len(names) == 1135
    assert outcome.batch.counts["new_models"] == 1135
    assert outcome.batch.counts["organizations"] == len(orgs) == 397
    assert value(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a aikg:AIModel }") == 1135

    versions = {r["id"]: r["Model"] for _, r in others["benchmarking_hub_model_versions.csv"]}
    runs = others["benchmarking_hub_benchmarks_runs.csv"]
    linked = [(line, r) for line, r in runs if versions.get(r["model"]) in names]
    assert outcome.batch.counts["benchmark_results"] == len(linked) == 242
    assert value(store, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a aikg:BenchmarkResult ; aikg:selfReported false }") == 242


def test_skipped_rows_name_file_line_column_and_reason(epoch_only) -> None:  # type: ignore[no-untyped-def]
    _, outcome = epoch_only
    no_org = [
        ("notable_ai_models.csv", line) for line, r in _read("notable_ai_models.csv") if not r["Organization"].strip()
    ]
    no_org += [
        ("large_scale_ai_models.csv", line)
        for line, r in _read("large_scale_ai_models.csv")
        if not r["Organization"].strip()
    ]
    malformed = [(i.file, i.line) for i in outcome.batch.skipped if i.kind == "malformed"]
    assert malformed == no_org and len(no_org) == 14
    assert {(i.column, i.reason) for i in outcome.batch.skipped if i.kind == "malformed"} == {
        ("Organization", "empty: a model needs its developer")
    }
    names = {r["Model"] for t in MODELS for _, r in _read(t) if r["Organization"].strip()}
    versions = {r["id"]: r["Model"] for _, r in _read("benchmarking_hub_model_versions.csv")}
    unlinked = [
        line for line, r in _read("benchmarking_hub_benchmarks_runs.csv") if versions.get(r["model"]) not in names
    ]
    unresolved = [i for i in outcome.batch.skipped if i.kind == "unresolved"]
    assert [i.line for i in unresolved] == unlinked and len(unlinked) == 94
    assert all(i.file == "benchmarking_hub_benchmarks_runs.csv" and i.column == "model" for i in unresolved)
    assert "model 'GPT-4.1' (version 'gpt-4.1-2025-04-14') is in no Epoch model table or graph" in {
        i.reason for i in unresolved
    }
    assert outcome.batch.counts["rows_skipped"] == 108


def test_spot_values(epoch_only) -> None:  # type: ignore[no-untyped-def]
    store, _ = epoch_only
    found = rows(
        store,
        """SELECT ?date ?access ?params WHERE { ?m aikg:epochName "Llama 3.1-405B" ; schema:datePublished ?date ;
           aikg:accessibility ?access ; aikg:totalParameters ?params }""",
    )
    assert found == [
        {"date": "2024-07-23", "access": "https://w3id.org/aikg/ontology#OpenWeightsRestricted", "params": 405000000000}
    ]
    row = next(r for _, r in _read("notable_ai_models.csv") if r["Model"] == "DeepSeek-V3")
    deepseek = rows(
        store,
        """SELECT ?date ?country ?compute WHERE { ?m aikg:epochName "DeepSeek-V3" ; schema:datePublished ?date ;
           aikg:trainingCompute ?compute ; schema:creator/schema:addressCountry/schema:identifier ?country }""",
    )
    assert deepseek == [
        {"date": row["Publication date"], "country": "CN", "compute": float(row["Training compute (FLOP)"])}
    ]
    listed = rows(store, 'SELECT ?list WHERE { ?m aikg:epochName "GPT-4" ; aikg:listedIn ?list } ORDER BY ?list')
    assert [r["list"] for r in listed] == [
        "https://epoch.ai/data/large-scale-ai-models",
        "https://epoch.ai/data/notable-ai-models",
    ]


def test_known_data_error_is_kept_and_flagged(epoch_only) -> None:  # type: ignore[no-untyped-def]
    store, _ = epoch_only
    found = rows(
        store,
        'SELECT ?params ?warning WHERE { ?m aikg:epochName "Llama 2-7B" ; aikg:totalParameters ?params ; aikg:qualityWarning ?warning }',
    )
    assert [r["params"] for r in found] == [70000000000]
    assert "10 times the size the name 'Llama 2-7B' states" in found[0]["warning"]
    flagged = {
        r["name"] for r in rows(store, "SELECT ?name WHERE { ?m aikg:qualityWarning ?w ; aikg:epochName ?name }")
    }
    assert flagged == {"Llama 2-7B", "GloVe (32B)", "GloVe (6B)"}


def test_lineage_modality_and_multi_valued_cells(epoch_only) -> None:  # type: ignore[no-untyped-def]
    store, _ = epoch_only
    row = next(r for _, r in _read("notable_ai_models.csv") if r["Base model"] == "DeepSeek-V3")
    base = rows(
        store,
        "SELECT ?name ?base ?type WHERE { ?m aikg:epochName ?name ; aikg:basedOn/aikg:epochName ?base ; aikg:derivationType ?type }",
        name=row["Model"],
    )
    assert base == [{"name": row["Model"], "base": "DeepSeek-V3", "type": "https://w3id.org/aikg/ontology#FineTune"}]
    multi = next(r for _, r in _read("notable_ai_models.csv") if r["Organization"].count(",") >= 2)
    creators = rows(
        store,
        "SELECT ?name ?org WHERE { ?m aikg:epochName ?name ; schema:creator/schema:name ?org }",
        name=multi["Model"],
    )
    assert sorted(r["org"] for r in creators) == sorted(o.strip() for o in multi["Organization"].split(","))
    domains = Counter(d.strip() for t in MODELS for _, r in _read(t) for d in r["Domain"].split(","))
    assert domains["Video"] > 0
    videos = value(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m aikg:modality aikg:Video }")
    by_name = {
        r["Model"]
        for t in MODELS
        for _, r in _read(t)
        if r["Organization"].strip()
        and "Video"
        in {d.strip() for d in r["Domain"].split(",")}
        | {d.strip() for d in r.get("Task", "").split(",")} & {"Video generation"}
    }
    assert videos == len(by_name)


def test_columns_are_read_by_name_whatever_their_order_or_release(tmp_path: Path) -> None:
    need_shared_data()
    source = _read("large_scale_ai_models.csv")
    header = list(source[0][1])
    drifted = [h.replace("Country (of organization)", "Country (from Organization)") for h in reversed(header)]
    path = tmp_path / "large_scale_ai_models.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(drifted)
        for _, r in source:
            writer.writerow([r[h] for h in reversed(header)])
    store = ontology_store()
    run_import(store, "epoch", [path, EPOCH / "benchmarking_hub_organizations.csv"])
    expected = Counter()
    for _, r in source:
        if "China" in r["Country (of organization)"] and r["Organization"].strip():
            expected["CN"] += 1
    got = value(
        store,
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a aikg:AIModel ; schema:creator/schema:addressCountry/schema:identifier 'CN' }",
    )
    assert got == expected["CN"] == 115


def test_malformed_row_is_skipped_or_fails_strict_import(tmp_path: Path) -> None:
    need_shared_data()
    text = (EPOCH / "notable_ai_models.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    target = next(i for i, line in enumerate(lines) if line.startswith("Pangu Ultra,Huawei,2025-04-10,"))
    lines[target] = lines[target].replace("2025-04-10", "2025-13-45", 1)
    path = tmp_path / "notable_ai_models.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    store = ontology_store()
    before = set(store.inner)
    with pytest.raises(MalformedRowsError) as failure:
        run_import(store, "epoch", [path], strict=True)
    assert (
        failure.value.issues[0]
        == f"notable_ai_models.csv, line {target + 1}, column 'Publication date': '2025-13-45' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    )
    assert set(store.inner) == before
    outcome = run_import(store, "epoch", [path])
    assert str(outcome.batch.skipped[0]) == failure.value.issues[0]
    assert not rows(store, 'SELECT ?m WHERE { ?m aikg:epochName "Pangu Ultra" }')
    assert "https://w3id.org/aikg/graph/import/epoch" in current_graphs(store.inner)
