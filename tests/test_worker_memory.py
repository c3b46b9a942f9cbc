"""Memory of the whole service (issue 16, item 1): what each process imports, when workers fork, what they keep.

Summed PSS of server, writer and workers is measured by ``scripts/bench.py`` (figures in
``bench-results/memory.md``); these tests guard the mechanisms behind it: the writer process
imports only the engine, the service forks its workers once at start-up (after the reviews'
write), and an idle worker that grew is replaced at rest while one that did not is kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.engine.heap import private_bytes
from kg.engine.store import KnowledgeStore
from kg.engine.workers import QueryPool
from kg.service import KnowledgeGraph
from kg.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
_HELD: list[bytes] = []


def _grow(store: ox.Store, mib: int) -> int:
    # Runs in a worker: keep `mib` MiB written (so really held) for the worker's life.
    _HELD.append(b"x" * (mib << 20))
    return len(_HELD[-1])


def _count(store: ox.Store) -> int:
    return len(store)


def test_the_writer_process_imports_only_the_engine() -> None:
    # The writer runs `from kg.engine.disk import writer_main` in a fresh interpreter (kg/engine/disk.py).
    heavy = ["rdflib", "fastapi", "numpy", "networkx", "pyvis", "mcp", "jinja2", "pydantic", "kg.service", "api"]
    code = f"import sys, kg.engine.disk; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_private_bytes_counts_what_a_process_wrote() -> None:
    before = private_bytes(os.getpid())
    assert before is not None and before > 0
    held = b"y" * (32 << 20)
    after = private_bytes(os.getpid())
    assert after is not None and after - before >= 30 << 20
    assert len(held) == 32 << 20
    assert private_bytes(None) is None


def test_an_idle_worker_that_grew_is_replaced_at_rest() -> None:
    store = KnowledgeStore()
    store.update("INSERT DATA { <http://e/s> <http://e/p> 1 }")
    pool = QueryPool(store, size=1, reserve=0, timeout_s=10, rest_s=0.05)
    try:
        [first] = pool.worker_pids()
        assert pool.run(_grow, 48) == 48 << 20
        assert pool._rest is not None and pool._rest.wait_idle(10.0)
        [second] = pool.worker_pids()
        assert second != first
        assert pool.run(_count) == 1  # the successor answers
    finally:
        pool.close()


def test_an_idle_worker_that_did_not_grow_is_kept() -> None:
    store = KnowledgeStore()
    store.update("INSERT DATA { <http://e/s> <http://e/p> 1 }")
    pool = QueryPool(store, size=1, reserve=0, timeout_s=10, rest_s=0.05)
    try:
        pids = pool.worker_pids()
        assert pool.run(_count) == 1
        assert pool._rest is not None and pool._rest.wait_idle(10.0)
        assert pool.worker_pids() == pids
    finally:
        pool.close()


def test_the_service_forks_its_workers_after_the_reviews_write() -> None:
    # Computed after the pool forked, the reviews' write made every worker stale at once: they
    # were forked again while the label index was rebuilt, and kept the old one, unshared.
    graph = KnowledgeGraph.open(Settings(workers=1, cache_bytes=0))
    try:
        assert graph.pool is not None
        assert graph.pool._generation == 0  # no write since the workers forked
    finally:
        graph.close()


_APP_IMPORTS = """
import sys
import time
from fastapi.testclient import TestClient
from api.app import create_app
from kg.settings import Settings

app = create_app(Settings(workers=0))
print(sorted(m for m in ("mcp", "pyvis", "IPython") if m in sys.modules))
hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
with TestClient(app, base_url="http://127.0.0.1:8000") as client:
    print(client.get("/api/search", params={"q": "glm"}).status_code, "mcp" in sys.modules)
    print(client.post("/mcp", json=hello, headers=headers).json()["result"]["serverInfo"]["name"], "mcp" in sys.modules)
"""


def test_the_app_imports_the_mcp_sdk_and_pyvis_only_when_used() -> None:
    # Imported before the workers fork, what the server never uses still costs its pages (mcp with
    # its dependencies: 21 MB; pyvis with IPython: 5 MB).
    out = subprocess.run([sys.executable, "-c", _APP_IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "200 False", "aikg True"]


def test_mcp_answers_in_each_lifespan_of_the_same_app() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    app = create_app(Settings(workers=0))
    for _ in range(2):
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            assert client.post("/mcp", json=hello, headers=headers).json()["result"]["serverInfo"]["name"] == "aikg"
            assert client.get("/mcp").status_code == 405


def test_the_writer_reopens_its_store_at_rest_and_takes_writes_after(tmp_path: Path) -> None:
    # At rest the writer closes its RocksDB primary and opens it again (its caches go back to the
    # system); RocksDB starts a new info log at each open, keeping the old one as LOG.old.*.
    from kg.engine.disk import _REST_S, DiskEngine

    engine = DiskEngine(tmp_path / "db")
    try:
        engine.update("INSERT DATA { <http://e/a> <http://e/p> 1 }")
        opened = len(list((tmp_path / "db").glob("LOG.old.*")))
        deadline = time.monotonic() + _REST_S + 10
        while len(list((tmp_path / "db").glob("LOG.old.*"))) == opened and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(list((tmp_path / "db").glob("LOG.old.*"))) == opened + 1
        engine.update("INSERT DATA { <http://e/b> <http://e/p> 2 }")
        assert sorted(q.object.value for q in engine.quads_for_pattern(None, None, None)) == ["1", "2"]
    finally:
        engine.close()
