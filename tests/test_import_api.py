"""Imports over HTTP: the token is required, server-side paths are refused, uploads import,
/api/imports lists the kept imports and /api/changes reports what changed since a date."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.importing import BAD_CARDS, CARDS, EPOCH, need_shared_data

TOKEN = "import-token-1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # Its own graph: imports write, and the session graph of the other tests must stay pristine.
    settings = Settings(workers=1, update_token=TOKEN, query_timeout_s=20)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as c:
        yield c
    graph.close()


def _cards(folder: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (p.relative_to(folder).as_posix(), p.read_bytes(), "text/markdown"))
        for p in sorted(folder.rglob("README.md"))
    ]


def test_import_needs_the_token(client: TestClient) -> None:
    response = client.post("/api/imports/modelcard", files=_cards(CARDS))
    # No credentials at all: 401 naming the scheme (RFC 6750 §3), as for SPARQL Update.
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="aikg"'
    assert response.headers["content-type"] == "application/problem+json"
    wrong = client.post("/api/imports/modelcard", files=_cards(CARDS), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"paths": ["/work/shared/data/epoch-ai"]}},
        {"data": {"path": "/etc"}, "files": [("files", ("a.md", b"---\nlicense: mit\n---\n", "text/markdown"))]},
    ],
)
def test_server_side_paths_are_refused(client: TestClient, request_kwargs: dict) -> None:
    response = client.post("/api/imports/epoch", headers={"Authorization": f"Bearer {TOKEN}"}, **request_kwargs)
    assert response.status_code == 403
    assert "server-side paths are refused" in response.json()["detail"]


def test_unknown_source_and_missing_files(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/imports/wikipedia", files=_cards(CARDS), headers=auth).json()["parameter"] == "source"
    empty = client.post("/api/imports/modelcard", files=[("other", ("x.txt", b"x", "text/plain"))], headers=auth)
    assert empty.status_code == 422 and empty.json()["parameter"] == "files"


def test_upload_imports_reports_and_changes(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    dry = client.post("/api/imports/modelcard", files=_cards(CARDS), params={"dry_run": "true"}, headers=auth).json()
    assert dry["dry_run"] is True and dry["version"] is None
    assert client.get("/api/imports").json()["count"] == 0
    report = client.post("/api/imports/modelcard", files=_cards(CARDS), headers=auth).json()
    assert report["version"] == 1 and report["counts"]["rows_read"] == 5 and report["counts"]["benchmark_results"] == 2
    assert {m["name"]: m["key"] for m in report["matches"] if m["kind"] == "model"}["GLM-4.5"] == "hfRepoId"
    listed = client.get("/api/imports").json()
    assert [(r["source"], r["version"]) for r in listed["results"]] == [("modelcard", 1)]
    model = client.get("/api/models/glm-4.5-air-4bit").json()
    assert model["name"] == "GLM-4.5-Air-4bit"
    changes = client.get("/api/changes", params={"since": "2000-01-01"}).json()
    assert changes["count"] == 1 and changes["results"][0]["from"] is None
    assert changes["results"][0]["counts"] == {"added": listed["results"][0]["triples"], "removed": 0, "changed": 0}
    assert client.get("/api/changes", params={"since": "2999-01-01"}).json()["count"] == 0
    bad = client.get("/api/changes", params={"since": "yesterday"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "since"


def test_strict_upload_of_bad_cards_stores_nothing(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/api/imports").json()["count"]
    response = client.post("/api/imports/modelcard", files=_cards(BAD_CARDS), params={"strict": "true"}, headers=auth)
    assert response.status_code == 400
    assert (
        response.json()["issues"][0]
        == "acme/bad-metric/README.md, column 'model-index.results[0].metrics.value': 'eighty' is not a number"
    )
    assert client.get("/api/imports").json()["count"] == before


def test_a_literal_reads_the_same_in_changes_and_in_the_record(client: TestClient) -> None:
    # One literal, one spelling (issue 12): a typed fact in /api/changes is written as the entity
    # record writes it (typed value, prefixed datatype), not as raw text with the full datatype IRI.
    need_shared_data()
    with (EPOCH / "notable_ai_models.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    row = dict.fromkeys(header, "")
    row |= {
        "Model": "Literal Test Model 9B",
        "Organization": "Zhipu AI",
        "Publication date": "2030-01-02",
        "Parameters": "9000000000",
        "Domain": "Language",
        "Country (of organization)": "China",
    }
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=header)
    writer.writeheader()
    writer.writerow(row)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    files = [("files", ("notable_ai_models.csv", body.getvalue().encode(), "text/csv"))]
    assert client.post("/api/imports/epoch", files=files, headers=auth).status_code == 200
    changes = client.get("/api/changes", params={"since": "2000-01-01", "source": "epoch"}).json()
    [epoch] = [c for c in changes["results"] if c["source"] == "epoch"]
    typed = [f for f in epoch["added"] if f["subject"].endswith("/literal-test-model-9b") and "datatype" in f["object"]]
    assert {f["object"]["datatype"] for f in typed} >= {"xsd:date", "xsd:integer"}
    record = client.get("/api/models/literal-test-model-9b").json()
    for fact in typed:
        [prop] = [p for p in record["properties"].values() if p["iri"] == fact["predicate"]]
        shapes = [
            {k: v for k, v in value.items() if k in ("type", "value", "datatype", "lang")} for value in prop["values"]
        ]
        assert fact["object"] in shapes
    assert {"type": "literal", "value": 9000000000, "datatype": "xsd:integer"} in [f["object"] for f in typed]


def test_an_upload_error_names_the_uploaded_file_not_the_server_temp_folder(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    files = [("files", ("notes.txt", b"hello", "text/plain"))]
    response = client.post("/api/imports/epoch", files=files, headers=auth)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail == "uploaded notes.txt: no CSV file to import"
    assert "kg-import-" not in response.text and "/tmp" not in response.text
