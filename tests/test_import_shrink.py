"""A second import of a source does not silently drop the first one (issue 18, item 2).

An import is the source's whole current content. ``kg import epoch notable_ai_models.csv`` then
``kg import epoch large_scale_ai_models.csv`` used to leave only the second file's models; an
import that would remove most of the source's entities is now refused (CLI exit 2, HTTP 409)
unless ``--replace`` / ``replace=true``.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.engine.dataset import snapshots
from kg.engine.sparql import select
from kg.engine.store import KnowledgeStore
from kg.errors import ImportShrinkError
from kg.ingest.run import run_import
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.importing import EPOCH, embedded_store, need_shared_data

ROOT = Path(__file__).resolve().parent.parent
EPOCH_MODELS = (
    "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH <https://w3id.org/aikg/graph/import/epoch> { ?m ?p ?o } "
    'FILTER(STRSTARTS(STR(?m), "https://w3id.org/aikg/id/model/")) }'
)
"""Models the current Epoch import says anything about (curated models too, when it adds a fact)."""


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def _subset(name: str, count: int, skip: set[str]) -> tuple[str, set[str]]:
    """The header and the first `count` rows of a real Epoch file whose model is not in `skip`."""
    with (EPOCH / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["Model"] not in skip and r["Organization"].strip()][:count]
        header = reader.fieldnames or []
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), {r["Model"] for r in rows}


@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    need_shared_data()
    root = tmp_path_factory.mktemp("epoch")
    notable, names = _subset("notable_ai_models.csv", 30, set())
    large, _ = _subset("large_scale_ai_models.csv", 20, names)
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / "a" / "notable_ai_models.csv").write_text(notable, encoding="utf-8")
    (root / "b" / "large_scale_ai_models.csv").write_text(large, encoding="utf-8")
    return root / "a" / "notable_ai_models.csv", root / "b" / "large_scale_ai_models.csv"


def epoch_models(store: KnowledgeStore) -> int:
    return int(select(store.inner, EPOCH_MODELS)[0]["n"])


def test_a_second_file_alone_is_refused_and_both_together_keep_both(two_files) -> None:  # type: ignore[no-untyped-def]
    notable, large = two_files
    store = embedded_store()
    run_import(store, "epoch", [notable])
    before = epoch_models(store)
    assert before >= 20
    with pytest.raises(ImportShrinkError) as info:
        run_import(store, "epoch", [large])
    err = info.value
    assert (err.before_files, err.after_files) == (["notable_ai_models.csv"], ["large_scale_ai_models.csv"])
    assert err.before >= 25 and err.before - err.kept > err.before / 2
    assert epoch_models(store) == before
    assert [s.version for s in snapshots(store.inner, "epoch")] == [1]
    run_import(store, "epoch", [large], dry_run=True)  # a dry run writes nothing and is not refused
    run_import(store, "epoch", [notable, large])
    both = epoch_models(store)
    assert both >= before + 15
    run_import(store, "epoch", [notable, large])  # the same files again: nothing removed, not refused
    assert epoch_models(store) == both
    run_import(store, "epoch", [large], replace=True)
    assert 15 <= epoch_models(store) < both
    assert [s.version for s in snapshots(store.inner, "epoch")] == [1, 2, 3, 4]


@pytest.mark.timeout(900)
def test_cli_refuses_the_second_file_alone_unless_replace(tmp_path: Path, two_files) -> None:  # type: ignore[no-untyped-def]
    notable, large = two_files
    store = tmp_path / "store"
    first = kg("import", "epoch", str(notable), "--store", str(store))
    assert first.returncode == 0, first.stderr
    second = kg("import", "epoch", str(large), "--store", str(store))
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    line = second.stderr.strip().splitlines()[-1]
    assert line.startswith("error: epoch: this import (large_scale_ai_models.csv: ")
    assert "entities of the current import (notable_ai_models.csv); nothing was written" in line
    assert "--replace" in line
    replaced = kg("import", "epoch", str(large), "--store", str(store), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "(snapshot 2 -> https://w3id.org/aikg/graph/import/epoch)" in replaced.stdout


TOKEN = "shrink-token"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, update_token=TOKEN, query_timeout_s=20)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as c:
        yield c
    graph.close()


def test_over_http_a_shrinking_import_is_a_409_naming_the_counts(client: TestClient, two_files) -> None:  # type: ignore[no-untyped-def]
    notable, large = two_files
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def post(path: Path, **params: str):  # type: ignore[no-untyped-def]
        files = [("files", (path.name, path.read_bytes(), "text/csv"))]
        return client.post("/api/imports/epoch", files=files, headers=auth, params=params)

    assert post(notable).status_code == 200
    refused = post(large)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["files"] == {"current": ["notable_ai_models.csv"], "new": ["large_scale_ai_models.csv"]}
    counts = body["counts"]
    assert counts["current"] >= 25 and counts["removed"] == counts["current"] - counts["kept"] > counts["current"] / 2
    assert f"would remove {counts['removed']:,} of the {counts['current']:,} entities" in body["detail"]
    assert "replace=true" in body["detail"]
    assert [r["version"] for r in client.get("/api/imports").json()["results"]] == [1]
    assert post(large, replace="true").status_code == 200
    assert [r["version"] for r in client.get("/api/imports").json()["results"]] == [1, 2]
