"""One entity read: one round trip to the engine's reads, the named graphs listed once (issue 12).

The service runs in process here (no workers) so the reads and the engine calls can be counted;
with workers the same ``KnowledgeGraph.read`` is one message to one worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings


class CountingStore:
    """A pyoxigraph store that counts how often the named graphs are listed and queries run."""

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.listed = 0
        self.queries = 0

    def named_graphs(self) -> Any:
        self.listed += 1
        return self._inner.named_graphs()

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        return self._inner.query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __len__(self) -> int:
        return len(self._inner)


@pytest.fixture(scope="module")
def in_process() -> Iterator[tuple[KnowledgeGraph, TestClient]]:
    settings = Settings(workers=0)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as client:
        yield graph, client
    graph.close()


def test_a_warm_entity_read_is_one_read_listing_the_graphs_once(
    in_process: tuple[KnowledgeGraph, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph, client = in_process
    assert client.get("/api/models/glm-4.5").status_code == 200  # warms the per-version caches
    counting = CountingStore(graph.store.inner)
    monkeypatch.setattr(graph.store, "inner", counting)
    reads: list[str] = []
    read = graph.read

    def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append(getattr(fn, "__name__", str(fn)))
        return read(fn, *args, **kwargs)

    monkeypatch.setattr(graph, "read", counted)
    graph.cache.clear()  # the response cache would answer without any read
    r = client.get("/api/models/glm-4.5")
    assert r.status_code == 200
    assert r.json()["name"] == "GLM-4.5"
    assert reads == ["entity_record"]
    assert counting.listed <= 1
    assert counting.queries > 1  # the record really was computed afresh


def test_the_version_is_supplied_by_the_service(in_process: tuple[KnowledgeGraph, TestClient]) -> None:
    graph, _ = in_process
    seen: list[str] = []

    def read_with_version(store: ox.Store, version: str = "") -> str:
        seen.append(version)
        return version

    assert graph.read(read_with_version) == graph.version
    assert graph.read(read_with_version, version="given") == "given"
    assert seen == [graph.version, "given"]
