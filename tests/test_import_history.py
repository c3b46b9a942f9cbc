"""History: two versions of a real Epoch file give an exact diff; as_of answers from the first;
snapshots stay out of today's default graph; a killed import leaves the store as it was."""

from __future__ import annotations

import csv
import gc
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.engine.dataset import graphs_as_of, snapshots
from kg.engine.sparql import QueryRequest, execute, select
from kg.engine.store import KnowledgeStore
from kg.ingest.history import changes_since, diff
from kg.ingest.run import run_import
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.importing import EPOCH, ROOT, need_shared_data, ontology_store, rows

pytestmark = pytest.mark.realdata

T1 = datetime(2025, 1, 1, tzinfo=UTC)
T2 = datetime(2025, 6, 1, tzinfo=UTC)
ACCESS = "https://w3id.org/aikg/ontology#accessibility"


def _second_version(folder: Path) -> Path:
    """A copy of notable_ai_models.csv with DeepSeek-R1 made API-only and the Pangu Ultra row removed."""
    with (EPOCH / "notable_ai_models.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    model, access, base = header.index("Model"), header.index("Model accessibility"), header.index("Base model")
    assert not any("Pangu Ultra" in r[base] for r in table[1:])
    edited = [header]
    for r in table[1:]:
        if r[model] == "Pangu Ultra":
            continue
        if r[model] == "DeepSeek-R1":
            assert r[access] == "Open weights (unrestricted)"
            r = [*r[:access], "API access", *r[access + 1 :]]
        edited.append(r)
    assert len(edited) == len(table) - 1
    path = folder / "notable_ai_models.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(edited)
    return path


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):  # type: ignore[no-untyped-def]
    need_shared_data()
    store = ontology_store()
    run_import(store, "epoch", [EPOCH / "notable_ai_models.csv"], now=T1)
    run_import(store, "epoch", [_second_version(tmp_path_factory.mktemp("v2"))], now=T2)
    return store


def _iri(store: KnowledgeStore, name: str) -> str:
    found = rows(store, "SELECT DISTINCT ?name ?m WHERE { GRAPH ?g { ?m aikg:epochName ?name } }", name=name)
    if not found:
        found = select(
            store.inner,
            "SELECT DISTINCT ?name ?m WHERE { GRAPH ?g { ?m aikg:epochName ?name } }",
            {"name": name},
            graphs=["https://w3id.org/aikg/graph/snapshot/epoch/1"],
        )
    return found[0]["m"]


def test_the_diff_is_exact(two_versions) -> None:  # type: ignore[no-untyped-def]
    store = two_versions
    assert [(s.version, s.time) for s in snapshots(store.inner, "epoch")] == [(1, T1), (2, T2)]
    result = diff(store.inner, "epoch")
    r1, pangu = _iri(store, "DeepSeek-R1"), _iri(store, "Pangu Ultra")
    assert [
        (s.value, p.value, [o.value for o in old], [o.value for o in new]) for s, p, old, new in result.changed
    ] == [
        (
            r1,
            ACCESS,
            ["https://w3id.org/aikg/ontology#OpenWeightsUnrestricted"],
            ["https://w3id.org/aikg/ontology#APIAccess"],
        )
    ]
    assert result.added == []
    snapshot_1 = ox.NamedNode("https://w3id.org/aikg/graph/snapshot/epoch/1")
    pangu_facts = {
        (q.subject, q.predicate, q.object)
        for q in store.inner.quads_for_pattern(ox.NamedNode(pangu), None, None, snapshot_1)
    }
    assert set(result.removed) == pangu_facts
    removed = {(p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], o.value) for _, p, o in result.removed}
    assert {("name", "Pangu Ultra"), ("datePublished", "2025-04-10"), ("totalParameters", "135000000000")} <= removed
    assert ("creator", "https://w3id.org/aikg/id/organization/huawei") in removed
    assert diff(store.inner, "epoch", 1, 2).as_dict() == result.as_dict()
    assert [d.as_dict() for d in changes_since(store.inner, "2025-03-01")] == [result.as_dict()]
    assert changes_since(store.inner, "2025-06-02") == []


def test_as_of_before_the_second_import_answers_from_the_first(two_versions) -> None:  # type: ignore[no-untyped-def]
    store = two_versions
    query = "SELECT ?access WHERE { ?m aikg:epochName 'DeepSeek-R1' ; aikg:accessibility ?access }"
    then = graphs_as_of(store.inner, "2025-03-01")
    assert then == [
        "https://w3id.org/aikg/graph/history",
        "https://w3id.org/aikg/graph/ontology",
        "https://w3id.org/aikg/graph/snapshot/epoch/1",
    ]
    assert [r["access"] for r in select(store.inner, query, graphs=then)] == [
        "https://w3id.org/aikg/ontology#OpenWeightsUnrestricted"
    ]
    assert [r["access"] for r in select(store.inner, query)] == ["https://w3id.org/aikg/ontology#APIAccess"]
    assert select(store.inner, "SELECT ?m WHERE { ?m aikg:epochName 'Pangu Ultra' }", graphs=then)
    assert not select(store.inner, "SELECT ?m WHERE { ?m aikg:epochName 'Pangu Ultra' }")
    assert graphs_as_of(store.inner, "2024-12-31") == [
        "https://w3id.org/aikg/graph/history",
        "https://w3id.org/aikg/graph/ontology",
    ]
    assert graphs_as_of(store.inner, T2)[-1] == "https://w3id.org/aikg/graph/snapshot/epoch/2"


def test_sparql_names_a_snapshot_with_from_or_default_graph_uri(two_versions) -> None:  # type: ignore[no-untyped-def]
    store = two_versions
    text = "SELECT ?access FROM <https://w3id.org/aikg/graph/snapshot/epoch/1> WHERE { ?m aikg:epochName 'DeepSeek-R1' ; aikg:accessibility ?access }"
    body = execute(store.inner, QueryRequest(text, "text/tab-separated-values")).body
    assert body == b"?access\n<https://w3id.org/aikg/ontology#OpenWeightsUnrestricted>\n"
    plain = "SELECT ?access WHERE { ?m aikg:epochName 'DeepSeek-R1' ; aikg:accessibility ?access }"
    request = QueryRequest(
        plain, "text/tab-separated-values", default_graphs=("https://w3id.org/aikg/graph/snapshot/epoch/1",)
    )
    assert execute(store.inner, request).body == body


def test_snapshots_do_not_count_twice_in_todays_graph(two_versions) -> None:  # type: ignore[no-untyped-def]
    store = two_versions
    assert (
        rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?m aikg:epochName 'DeepSeek-R1' ; aikg:accessibility ?a }")[0]["n"]
        == 1
    )
    models = rows(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a aikg:AIModel }")[0]["n"]
    with (EPOCH / "notable_ai_models.csv").open(encoding="utf-8", newline="") as handle:
        expected = sum(1 for r in csv.DictReader(handle) if r["Organization"].strip()) - 1
    assert models == expected == 939
    assert len(store.inner) > 2 * models


def _quads(path: Path) -> set[ox.Quad]:
    # The data, without the derived reviews graph: every `kg` command that opens a store
    # regenerates the reviews (with their generation time), which is not the import's doing.
    reviews = ox.NamedNode("https://w3id.org/aikg/graph/reviews")
    # A killed command's writer process (kg.engine.disk) notices within 50 ms and exits, which
    # releases the store's lock: wait for it.
    deadline = time.monotonic() + 10
    while True:
        try:
            store = ox.Store(str(path))
            break
        except OSError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        return {q for q in store if q.graph_name != reviews}
    finally:
        del store
        gc.collect()


def test_killing_an_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    need_shared_data()
    folder = tmp_path / "store"
    # The store as `kg` opens it (embedded graph and its reviews), so the import's own opening
    # changes nothing and the kill is all that could.
    graph = KnowledgeGraph.open(Settings(store=str(folder), workers=0))
    graph.close()
    del graph
    gc.collect()  # the rdflib view holds the engine too: free both so RocksDB releases its lock
    before = _quads(folder)
    kg = Path(sys.executable).with_name("kg")
    process = subprocess.Popen(
        [str(kg), "import", "epoch", str(EPOCH), "--store", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line.decode(errors="replace"))
        if line.startswith(b"writing "):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    assert any(s.startswith("writing ") for s in seen)
    after = _quads(folder)
    assert after == before
    reopened = KnowledgeStore(folder)
    assert snapshots(reopened.inner) == []
    assert "https://w3id.org/aikg/graph/import/epoch" not in reopened.named_graphs()


def test_no_query_reads_the_raw_union_that_would_include_snapshots() -> None:
    # Every default-graph read must go through kg.engine.dataset.union_dataset, which leaves snapshots out.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("kg", "api", "viz")
        for path in (ROOT / folder).rglob("*.py")
        # kg/engine/remote.py implements the Store interface (it receives the option, never chooses it).
        if path.relative_to(ROOT).as_posix() not in ("kg/engine/dataset.py", "kg/engine/remote.py")
        and "use_default_graph_as_union" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
