"""The reviews at a service's start: off the path of the first answers, and cheap on a restart.

The graph digests the reviews rest on are an order-free multiset hash (no sort), kept beside an
on-disk store under its data tag (``DIR.cache/review-digests.json``): a restart of an unchanged
store reads them instead of digesting every triple, and writes no reviews graph. A served store
answers ``/sparql`` while its reviews are still being computed (held here by a real
``threading.Event`` inside the rules' run), and a read of a review waits for them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.analysis.review import REVIEWS_GRAPH, ReviewKeeper, keeper_for, snapshot
from kg.analysis.review import data_snapshot as snapshot_module
from kg.analysis.review import keeper as keeper_module
from kg.analysis.review.data_snapshot import EMPTY_DIGEST
from kg.analysis.review.digest_cache import load_digests
from kg.engine.data_tag import cache_dir, data_tag
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore
from kg.settings import Settings

A, B = "urn:x:graph-a", "urn:x:graph-b"
DATA = f"""INSERT DATA {{
  GRAPH <{A}> {{ <http://e/m1> <http://e/name> "GLM-4.5" . <http://e/m1> <http://e/params> 355000000000 . }}
  GRAPH <{B}> {{ <http://e/m2> <http://e/name> "Qwen3" . }}
}}"""


def _nt_digest(lines: list[str]) -> str:
    # The digest written out by hand: sum mod 2**256 of each N-Triples line's BLAKE2b-256.
    total = sum(int.from_bytes(hashlib.blake2b(line.encode(), digest_size=32).digest(), "big") for line in lines)
    return f"msh256:{total % (1 << 256):064x}"


def _quad(s: str, p: str, o: ox.Literal, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g))


def test_the_digest_is_the_sum_of_line_hashes_whatever_the_write_order() -> None:
    quads = [
        _quad("http://e/m1", "http://e/name", ox.Literal("GLM-4.5"), A),
        _quad("http://e/m1", "http://e/org", ox.Literal("Zhipu AI", language="en"), A),
        _quad("http://e/m2", "http://e/name", ox.Literal("Qwen3"), A),
    ]
    forward, backward = ox.Store(), ox.Store()
    for q in quads:
        forward.add(q)
    for q in reversed(quads):
        backward.add(q)
    expected = _nt_digest(
        [
            '<http://e/m1> <http://e/name> "GLM-4.5" .',
            '<http://e/m1> <http://e/org> "Zhipu AI"@en .',
            '<http://e/m2> <http://e/name> "Qwen3" .',
        ]
    )
    assert snapshot_module._digest(forward, A) == (3, expected)
    assert snapshot_module._digest(backward, A) == (3, expected)
    # one literal changed: another digest, same count
    backward.remove(quads[1])
    backward.add(_quad("http://e/m1", "http://e/org", ox.Literal("Zhipu AI", language="zh"), A))
    count, digest = snapshot_module._digest(backward, A)
    assert count == 3 and digest != expected
    assert snapshot_module._digest(ox.Store(), A) == (0, "msh256:" + "0" * 64)


def test_a_digest_is_stopped_by_its_event() -> None:
    store = ox.Store()
    store.add(_quad("http://e/m1", "http://e/name", ox.Literal("GLM-4.5"), A))
    stop = threading.Event()
    stop.set()
    with pytest.raises(snapshot_module.Cancelled):
        snapshot_module._digest(store, A, stop)


@pytest.fixture
def digested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The graphs digested (read whole), in order, from now on."""
    calls: list[str] = []
    real = snapshot_module._digest

    def spy(inner: object, graph: str, stop: threading.Event | None = None) -> tuple[int, str]:
        calls.append(graph)
        return real(inner, graph, stop)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot_module, "_digest", spy)
    return calls


def _kept_store(path: Path) -> tuple[KnowledgeStore, ReviewKeeper]:
    store = KnowledgeStore(path)
    return store, keeper_for(store)


def _digests(store: KnowledgeStore) -> dict[str, tuple[int, str]]:
    return {g: (n, d) for g, n, d, _ in snapshot(store).graphs}


def _as_kept(digests: dict[str, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    # The file also keeps the empty default graph's digest (a snapshot leaves that graph out).
    return {**digests, DEFAULT_GRAPH: (0, EMPTY_DIGEST)}


def test_kept_digests_are_the_recomputed_ones_and_a_restart_reads_them(tmp_path: Path, digested: list[str]) -> None:
    path = tmp_path / "db"
    store, keeper = _kept_store(path)
    store.update(DATA)
    keeper.refresh()  # the rules read none of these predicates: a snapshot is taken on demand
    recomputed = _digests(store)
    assert set(recomputed) == {A, B}
    assert recomputed[A][0] == 2 and recomputed[B][0] == 1
    kept = load_digests(store.inner)
    assert kept == _as_kept(recomputed)
    on_disk = json.loads((cache_dir(path) / "review-digests.json").read_text())
    assert on_disk["tag"] == data_tag(path) == store.inner.tag
    version_tag = store.inner.tag
    store.inner.close()
    del store, keeper

    digested.clear()
    store, keeper = _kept_store(path)  # a restart: the keeper computes the reviews now
    assert digested == []  # every digest came from the file
    assert keeper.snapshot is not None
    assert {g: (n, d) for g, n, d, _ in keeper.snapshot.graphs} == _digests(store) == recomputed
    # nothing was written: the reviews graph of the same data is kept as it was
    assert keeper.regenerated is None and store.inner.tag == version_tag
    store.inner.close()


def test_a_write_changes_the_tag_so_the_kept_digests_are_not_reused(tmp_path: Path, digested: list[str]) -> None:
    path = tmp_path / "db"
    store, keeper = _kept_store(path)
    store.update(DATA)
    keeper.refresh()  # the rules read none of these predicates: a snapshot is taken on demand
    before = load_digests(store.inner)
    assert before is not None
    keeper.defer()  # a write only marks the reviews stale: nothing is kept for the new data yet
    store.update(f'INSERT DATA {{ GRAPH <{A}> {{ <http://e/m3> <http://e/name> "Kimi K2" }} }}')
    assert load_digests(store.inner) is None
    store.inner.close()
    del store, keeper

    digested.clear()
    store, keeper = _kept_store(path)
    assert sorted(g for g in digested if g in (A, B)) == [A, B]  # recomputed, not read back
    assert keeper.snapshot is not None
    got = {g: (n, d) for g, n, d, _ in keeper.snapshot.graphs}
    assert got[A][0] == 3 and got[A] != before[A] and got[B] == before[B]
    assert load_digests(store.inner) == _as_kept(got)
    store.inner.close()


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"tag": 1}', '["a list"]', None],
    ids=["not-json", "missing-keys", "not-an-object", "bad-digest"],
)
def test_a_corrupt_digest_file_is_recomputed(tmp_path: Path, digested: list[str], content: str | None) -> None:
    path = tmp_path / "db"
    store, keeper = _kept_store(path)
    store.update(DATA)
    keeper.refresh()  # the rules read none of these predicates: a snapshot is taken on demand
    good = _digests(store)
    file = cache_dir(path) / "review-digests.json"
    if content is None:  # the right tag, a digest that is not one
        kept = json.loads(file.read_text())
        kept["graphs"][A] = [2, "sha256:00"]
        content = json.dumps(kept)
    file.write_text(content)
    store.inner.close()
    del store, keeper

    digested.clear()
    store, keeper = _kept_store(path)
    assert sorted(g for g in digested if g in (A, B)) == [A, B]
    assert keeper.snapshot is not None
    assert {g: (n, d) for g, n, d, _ in keeper.snapshot.graphs} == good
    assert load_digests(store.inner) == _as_kept(good)  # written again, whole
    store.inner.close()


@pytest.fixture
def held_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold the rules' run at its start until `release` is set; `entered` tells it began."""
    entered, release = threading.Event(), threading.Event()
    real = keeper_module.review_all

    def held(store: object) -> object:
        entered.set()
        assert release.wait(60), "the test never released the rules"
        return real(store)  # type: ignore[arg-type]

    monkeypatch.setattr(keeper_module, "review_all", held)
    yield entered, release
    release.set()


def test_a_served_store_answers_before_its_reviews_are_computed(
    tmp_path: Path, held_rules: tuple[threading.Event, threading.Event]
) -> None:
    entered, release = held_rules
    settings = Settings(store=str(tmp_path / "db"), workers=0)
    with TestClient(create_app(settings)) as client:
        assert entered.wait(60)  # the reviews are being computed, and held there
        keeper = keeper_for(client.app.state.graph.store, install=False)  # type: ignore[attr-defined]
        assert keeper.snapshot is None
        r = client.get("/sparql", params={"query": "ASK { ?s a <https://schema.org/Claim> }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert client.get("/health").status_code == 200
        assert keeper.snapshot is None and not release.is_set()  # they answered without the reviews

        reviews: list[int] = []
        reader = threading.Thread(target=lambda: reviews.append(len(client.get("/api/reviews").json())))
        reader.start()
        reader.join(1.0)
        assert reader.is_alive() and reviews == []  # a read of a review waits for them
        release.set()
        reader.join(60)
        assert reviews and reviews[0] > 0
        count = client.get(
            "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REVIEWS_GRAPH}> {{ ?r a ?t }} }}"}
        )
        assert int(count.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_a_stopped_start_digests_nothing_and_a_later_read_computes_the_reviews(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = KnowledgeStore(tmp_path / "db")
    store.update(DATA)
    keeper = keeper_for(store, install=False).defer()
    keeper.stop()  # as a closing service does: the start's digest stops at its first chunk
    with caplog.at_level("INFO", logger="kg.analysis.review.keeper"):
        keeper.start()
        keeper.stop()
    assert keeper.snapshot is None and "the reviews' start was stopped" in caplog.text
    keeper.ensure_current()  # a read afterwards is not stopped
    assert keeper.snapshot is not None
    assert {g: (n, d) for g, n, d, _ in keeper.snapshot.graphs} == _digests(store)
    store.inner.close()


def test_a_restart_rewrites_a_reviews_graph_that_differs_from_the_reviews(tmp_path: Path) -> None:
    path = tmp_path / "db"
    store, keeper = _kept_store(path)
    store.update(DATA)
    keeper.refresh()
    license_triple = f"<{REVIEWS_GRAPH}> <http://purl.org/dc/terms/license> <http://spdx.org/licenses/CC-BY-4.0>"
    ask = f"ASK {{ GRAPH <{REVIEWS_GRAPH}> {{ {license_triple} }} }}"
    assert store.inner.query(ask)
    keeper.defer()
    store.update(f"DELETE DATA {{ GRAPH <{REVIEWS_GRAPH}> {{ {license_triple} }} }}")  # same data, other reviews graph
    assert not store.inner.query(ask)
    store.inner.close()
    del store, keeper

    store, keeper = _kept_store(path)
    assert keeper.regenerated is not None  # written again, whole
    assert store.inner.query(ask)
    store.inner.close()
