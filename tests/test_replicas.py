"""Replicas: two ``kg serve`` processes over one ``oxigraph serve``, behind a round-robin proxy.

Real processes: one writable Oxigraph server, replicas A and B started with ``--store`` pointing at
it (and a TTL of 10 minutes, so that only the engine's version marker can explain a fresh answer),
and the test's reverse proxy (:mod:`tests.round_robin_proxy`). A write through one replica is
seen at once through the other: its answers, its ETags and its cached SPARQL results all move to
the new version. Killing a replica loses no request the proxy can send to the other.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pyoxigraph as ox
import pytest

from kg.engine.dataset import VERSION_GRAPH
from kg.engine.load import load_default_graph
from kg.engine.remote import RemoteStore
from kg.engine.store import KnowledgeStore
from tests.conftest import TOKEN, LiveServer, OxigraphServer, oxigraph_binary
from tests.round_robin_proxy import RoundRobinProxy

pytestmark = pytest.mark.soak  # real processes, about a minute: CI runs it, -m "not soak" skips it locally

PROBE_GRAPH = "https://w3id.org/aikg/graph/test-replicas"
GLM = "https://w3id.org/aikg/id/model/glm-4.5"
COUNT = "SELECT (COUNT(?name) AS ?n) WHERE { <" + GLM + "> schema:alternateName ?name }"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Replicas:
    engine: OxigraphServer
    a: LiveServer
    b: LiveServer
    proxy: RoundRobinProxy


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing (pip install oxigraph): replica tests skipped")
    engine = OxigraphServer(binary, tmp_path_factory.mktemp("replicas") / "engine")
    proxy = RoundRobinProxy([])
    started: list[LiveServer] = []
    try:
        # The embedded graph goes into the engine in one request (the replicas would load it
        # through SPARQL Update, one after the other), so both replicas start at once.
        local = KnowledgeStore()
        load_default_graph(local)
        quads = ox.serialize(local.inner, format=ox.RdfFormat.N_QUADS)
        loaded = httpx.post(engine.base + "/store", content=quads, headers={"Content-Type": "application/n-quads"})
        assert loaded.status_code in (200, 204), loaded.text
        args = ("--store", engine.query_url, "--update-endpoint", engine.update_url)
        # The replicas' public address is the proxy's (their links and ETags are the same).
        env = {"KG_REMOTE_TTL": "600", "KG_BASE_URL": proxy.url}
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(LiveServer, *args, env=env) for _ in range(2)]:
                started.append(future.result())
        a, b = started
        proxy.upstreams[:] = [("127.0.0.1", a.port), ("127.0.0.1", b.port)]
        yield Replicas(engine, a, b, proxy)
    finally:
        proxy.stop()
        for server in started:
            server.stop()
        engine.stop()


def _count(base: str) -> int:
    r = httpx.post(base + "/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _update(base: str, text: str) -> None:
    r = httpx.post(base + "/sparql", data={"update": text}, headers=AUTH, timeout=120)
    assert r.status_code == 204, r.text


def test_write_through_one_replica_is_seen_through_the_other(replicas: Replicas) -> None:
    a, b = replicas.a.url, replicas.b.url
    entity = "/api/models/glm-4.5"
    before = httpx.get(b + entity)
    assert before.status_code == 200
    etag = before.headers["etag"]
    # Both replicas give the same ETag for the same answer (the version is the engine's).
    assert httpx.get(a + entity).headers["etag"] == etag
    # B caches: a revalidation is a 304, and the SPARQL answer is kept.
    assert httpx.get(b + entity, headers={"If-None-Match": etag}).status_code == 304
    names = _count(b)
    assert _count(b) == names
    assert "Replica probe" not in before.text

    # One write (each takes seconds: the writing replica regenerates the reviews in it); the
    # engine is this module's own, so it is not undone.
    _update(a, f'INSERT DATA {{ GRAPH <{PROBE_GRAPH}> {{ <{GLM}> schema:alternateName "Replica probe" }} }}')
    # (1) the write is visible through B; (3) B's cached SPARQL answer is not served again.
    assert _count(b) == names + 1
    # (2) B's conditional GET with the ETag from before the write: 200 with the new content.
    after = httpx.get(b + entity, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert "Replica probe" in after.text
    assert httpx.get(a + entity).headers["etag"] == after.headers["etag"]
    assert httpx.get(b + entity, headers={"If-None-Match": after.headers["etag"]}).status_code == 304


def test_the_marker_stays_out_of_the_data(replicas: Replicas) -> None:
    engine = RemoteStore(replicas.engine.query_url, replicas.engine.update_url)
    marker = engine.read_marker()
    assert len(marker) == 32  # a uuid4 written by the replicas' writes
    # In the engine, in its own graph, but not among the graphs the API lists or queries.
    r = httpx.get(replicas.b.url + "/sparql", params={"query": f"ASK {{ GRAPH <{VERSION_GRAPH}> {{ ?s ?p ?o }} }}"})
    assert r.json()["boolean"] is False
    assert VERSION_GRAPH not in {g.value for g in engine.named_graphs()}
    # A request that ends in ';' or in a comment still gets the marker on its own line.
    for text in (
        f"INSERT DATA {{ GRAPH <{PROBE_GRAPH}> {{ <{GLM}> <http://e/p> 1 }} }} ;",
        f"DROP SILENT GRAPH <{PROBE_GRAPH}> # done",
    ):
        engine.update(text)
        assert engine.marker != marker
        assert engine.read_marker() == engine.marker
        marker = engine.marker


def test_a_killed_replica_loses_no_request(replicas: Replicas) -> None:
    proxy = replicas.proxy
    paths = ["/api/models/glm-4.5", "/api/search?q=qwen", "/health", "/sparql?query=ASK%20%7B%7D"]
    with httpx.Client() as client:
        assert all(client.get(proxy.url + p).status_code == 200 for p in paths)
        assert set(proxy.served) == {0, 1}  # both replicas answered
        os.kill(replicas.a.process.pid, signal.SIGKILL)
        replicas.a.process.wait(timeout=10)
        proxy.served.clear()
        answers = [client.get(proxy.url + paths[i % len(paths)]) for i in range(40)]
    assert [r.status_code for r in answers] == [200] * 40
    assert set(proxy.served) == {1}
    assert proxy.retries >= 20  # every other request was first sent to A, then retried on B


def test_an_engine_that_is_down_is_a_502_never_a_500(replicas: Replicas) -> None:
    replicas.engine.stop()
    r = httpx.get(replicas.b.url + "/api/models/glm-4.5", timeout=60)
    assert r.status_code == 502, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "cannot reach the remote engine" in r.json()["detail"]
    assert "etag" not in r.headers
