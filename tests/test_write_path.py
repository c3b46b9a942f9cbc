"""The write path (issue 16, item 4): what an update touches, reviews and caches kept off the write.

A write marks the reviews stale instead of regenerating them; the next read of a review regenerates
them first (so it is never stale), and a write that changes no predicate the reviews read does not
regenerate them at all. Values kept per dataset version (the label index, the claim records) are
carried over writes that leave their predicates alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.analysis.review import keeper_for
from kg.engine.data_update import data_reach
from kg.engine.load import load_default_graph
from kg.engine.memo import cached, carry_untouched
from kg.engine.rdflib_parser import query_iris
from kg.engine.sparql import QueryRequest, select
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore, _parsed_reach, write_reach
from kg.engine.workers import QueryPool, replayable
from kg.find.search import LABEL_PREDICATES, label_index
from kg.queries import named_query
from kg.service import KnowledgeGraph
from kg.settings import Settings

S = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
WAN = "https://w3id.org/aikg/id/claim/alibaba-wan-2.2-first-moe-video"
EARLIER_MOE_VIDEO = """INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-update> {
  model:early-moe-video a aikg:AIModel ; schema:name "Early MoE Video" ;
      schema:creator organization:tencent ; schema:datePublished "2024-12-03"^^xsd:date ;
      aikg:architecture aikg:MoEDiffusionTransformer ; aikg:outputModality aikg:Video ;
      aikg:accessibility aikg:OpenWeightsUnrestricted ; dcterms:source <https://example.org/early-moe-video> .
} }"""
UNRELATED = 'INSERT DATA { GRAPH graph:notes { model:glm-4.5 schema:description "a note nobody reviews" } }'


@pytest.mark.parametrize(
    ("update", "graphs", "predicates"),
    [
        (
            'INSERT DATA { GRAPH graph:x { model:a schema:name "A" ; aikg:basedOn model:b } }',
            {"https://w3id.org/aikg/graph/x"},
            {S + "name", "https://w3id.org/aikg/ontology#basedOn"},
        ),
        ("DELETE DATA { <http://e/a> a schema:Thing }", {DEFAULT_GRAPH}, {RDF_TYPE}),
        (
            "WITH <http://e/g> DELETE { ?m schema:name ?n } INSERT { ?m schema:alternateName ?n } WHERE { ?m schema:name ?n }",
            {"http://e/g"},
            {S + "name", S + "alternateName"},
        ),
        ("CREATE GRAPH <http://e/c>", {"http://e/c"}, set()),
        ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {DEFAULT_GRAPH}, None),
        ("DROP GRAPH <http://e/x>", {"http://e/x"}, None),
        ("COPY <http://e/a> TO <http://e/b>", {"http://e/a", "http://e/b"}, None),
        ("LOAD <http://e/file> INTO GRAPH <http://e/l>", {"http://e/l"}, None),
    ],
)
def test_write_reach(update: str, graphs: set[str], predicates: set[str] | None) -> None:
    reach = write_reach(update)
    assert reach is not None
    assert set(reach[0]) == graphs
    assert (None if reach[1] is None else set(reach[1])) == predicates


def test_write_reach_is_unknown_for_a_graph_variable() -> None:
    assert write_reach("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }") is None


def test_eight_threads_parse_at_once() -> None:
    # rdflib's parser is not thread-safe: unserialised, most of these came back None.
    texts = [f"INSERT DATA {{ GRAPH <http://e/g{i}> {{ <http://e/s> <http://e/p{i}> {i} }} }}" for i in range(40)]
    found: dict[int, object] = {}
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        for i in range(k, 40, 8):
            found[i] = write_reach(texts[i])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == {i: (frozenset({f"http://e/g{i}"}), frozenset({f"http://e/p{i}"})) for i in range(40)}


@pytest.fixture
def service() -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph.open(Settings(workers=0, cache_bytes=0))
    yield graph
    graph.close()


def _stored_rating(graph: KnowledgeGraph, claim: str) -> list[str]:
    rows = select(
        graph.store.inner,
        "SELECT ?claim ?rating WHERE { GRAPH graph:reviews { ?r schema:itemReviewed ?claim ; schema:reviewRating ?c }"
        " ?c schema:alternateName ?rating }",
        {"claim": ox.NamedNode(claim)},
    )
    return [r["rating"] for r in rows]


def test_a_write_leaves_the_reviews_to_the_next_read_which_sees_it(service: KnowledgeGraph) -> None:
    keeper = keeper_for(service.store)
    assert keeper.deferred and keeper.get(WAN).rating == "supported"
    generations = keeper.generations
    service.update(EARLIER_MOE_VIDEO)
    assert keeper.generations == generations  # nothing regenerated inside the write
    assert keeper.stale
    # the very next read of a review reflects the write
    assert keeper.get(WAN).rating == "contradicted"
    assert keeper.generations == generations + 1 and not keeper.stale
    assert keeper.get(WAN).snapshot.version == service.store.previous_version  # type: ignore[union-attr]
    assert _stored_rating(service, WAN) == ["contradicted"]


def test_a_sparql_query_of_the_reviews_sees_them_current(service: KnowledgeGraph) -> None:
    service.update(EARLIER_MOE_VIDEO)
    query = (
        "SELECT ?name WHERE { GRAPH graph:reviews { ?r schema:itemReviewed "
        "<https://w3id.org/aikg/id/claim/alibaba-wan-2.2-first-moe-video> ; schema:reviewRating ?c } ?c schema:alternateName ?name }"
    )
    answer = service.query(QueryRequest(query, result_media_type="text/csv"))
    assert answer.body.decode().split() == ["name", "contradicted"]


def test_a_write_to_a_predicate_the_reviews_do_not_read_does_not_regenerate(service: KnowledgeGraph) -> None:
    keeper = keeper_for(service.store)
    keeper.ensure_current()
    generations, snapshot = keeper.generations, keeper.snapshot
    service.update(UNRELATED)
    assert not keeper.stale
    assert keeper.get(WAN).rating == "supported"
    assert keeper.generations == generations and keeper.snapshot is snapshot
    # a relevant write afterwards still regenerates, and digests the graph the unrelated one wrote too
    service.update(EARLIER_MOE_VIDEO)
    assert keeper.get(WAN).rating == "contradicted"
    assert keeper.generations == generations + 1
    assert "https://w3id.org/aikg/graph/notes" in [g for g, *_ in keeper.snapshot.graphs]  # type: ignore[union-attr]


def test_the_ratings_a_write_changed_reach_the_journal(service: KnowledgeGraph) -> None:
    service.update(EARLIER_MOE_VIDEO)
    entries = service.journal_entries()
    ratings = [r for e in entries for r in e.get("ratings", [])]
    assert {"claim": WAN, "old": "supported", "new": "contradicted"} in ratings
    assert any(e["counts"]["added"] == 8 for e in entries)  # the facts of the update itself


def test_the_label_index_names_every_predicate_it_reads() -> None:
    assert query_iris(named_query("labels")) is not None
    assert query_iris(named_query("labels")) <= LABEL_PREDICATES  # type: ignore[operator]


def test_values_kept_per_version_are_carried_over_writes_that_leave_their_predicates_alone() -> None:
    store = KnowledgeStore()
    load_default_graph(store)
    index = label_index(store.inner, "carry-1")
    assert "labels" in carry_untouched("carry-1", "carry-2", frozenset({S + "description"}))
    assert label_index(store.inner, "carry-2") is index
    assert "labels" not in carry_untouched("carry-2", "carry-3", frozenset({S + "alternateName"}))
    assert "labels" not in carry_untouched("carry-2", "carry-4", None)  # unknown reach: built again
    assert cached("carry-3", "labels", lambda: "rebuilt") == "rebuilt"


def test_a_pool_that_refills_when_writes_pause_still_shows_each_write_to_the_next_read() -> None:
    store = KnowledgeStore()
    pool = QueryPool(store, size=1, timeout_s=10, refill_quiet_s=0.05)
    try:
        for i in range(5):
            store.update(f"INSERT DATA {{ <http://e/s{i}> <http://e/p> {i} }}")
            assert pool.run(len) == i + 1
    finally:
        pool.close()


def test_workers_replay_data_only_updates_instead_of_being_forked_again() -> None:
    store = KnowledgeStore()
    pool = QueryPool(store, size=1, reserve=0, timeout_s=10, refill_quiet_s=0.05)
    try:
        pids = pool.worker_pids()
        for i in range(3):
            store.update(f"INSERT DATA {{ <http://e/s{i}> <http://e/p> {i} }}")
            assert pool.run(len) == i + 1
        store.update("DELETE DATA { <http://e/s0> <http://e/p> 0 }")
        assert pool.run(len) == 2
        assert pool.worker_pids() == pids  # the same worker, kept current by replay
        # a pattern update (it could call NOW() or UUID()) or blank nodes: the worker is replaced
        store.update("INSERT { ?s <http://e/q> 1 } WHERE { ?s <http://e/p> 1 }")
        assert pool.run(len) == 3
        assert pool.worker_pids() != pids
        pids = pool.worker_pids()
        store.update("INSERT DATA { _:b <http://e/p> 9 }")
        assert pool.run(len) == 4
        assert pool.worker_pids() != pids
    finally:
        pool.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INSERT DATA { <http://e/a> <http://e/b> 1 }", True),
        ("DELETE DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }", True),
        ("INSERT DATA { _:x <http://e/b> 1 }", False),
        ("INSERT DATA { <http://e/a> <http://e/b> [ <http://e/c> 1 ] }", False),
        ("INSERT { <http://e/a> <http://e/b> ?now } WHERE { BIND(NOW() AS ?now) }", False),
        (None, False),
    ],
)
def test_replayable(text: str | None, expected: bool) -> None:
    assert replayable(text) is expected


DATA_UPDATES = [
    'INSERT DATA { GRAPH graph:x { model:a schema:name "A" ; aikg:basedOn model:b } }',
    "DELETE DATA { <http://e/a> a schema:Thing }",
    'PREFIX ex: <http://ex.org/> INSERT DATA { ex:s ex:p "x"@en, "y"^^xsd:string ; ex:q 1.5e3, -2, .5, true . ex:t ex:r ex:u }',
    "INSERT DATA { <http://e/a> <http://e/b> 1 . GRAPH <http://e/g> { <http://e/c> <http://e/d> 2 } <http://e/e> <http://e/f> 3 }",
    'DELETE DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> "say \\"hi\\"" } } ; INSERT DATA { <http://e/a> <http://e/c> 1 ; }',
    "INSERT DATA { GRAPH <http://e/g> { } }",
    "insert data { <http://e/a> rdfs:label 'x' . } ;",
]
NOT_READ_BY_THE_TOKENIZER = [
    "INSERT DATA { _:b <http://e/p> 1 }",
    "INSERT DATA { <http://e/a> <http://e/p> [ <http://e/q> 1 ] }",
    "INSERT DATA { <http://e/a> <http://e/p> 1 } # a comment",
    'INSERT DATA { <http://e/a> <http://e/p> """long""" }',
    "BASE <http://e/> INSERT DATA { <a> <p> 1 }",
    "INSERT DATA { <a> <p> 1 }",
    "INSERT DATA { nope:a <http://e/p> 1 }",
    "INSERT { ?s <http://e/p> 1 } WHERE { ?s ?p ?o }",
    "INSERT DATA { <http://e/a> <http://e/p> }",
]


@pytest.mark.parametrize("text", DATA_UPDATES)
def test_the_tokenizer_reads_data_updates_as_rdflib_does(text: str) -> None:
    fast = data_reach(text)
    assert fast is not None
    parsed = _parsed_reach(text)
    assert parsed is not None
    # the tokenizer may name an empty GRAPH block that rdflib drops: never less than rdflib
    assert fast[1] == parsed[1] and fast[0] >= parsed[0]
    assert fast[0] - parsed[0] <= {"http://e/g"}


@pytest.mark.parametrize("text", NOT_READ_BY_THE_TOKENIZER)
def test_the_tokenizer_leaves_other_shapes_to_rdflib(text: str) -> None:
    assert data_reach(text) is None


def test_a_worker_that_missed_a_write_is_not_made_current_by_a_replay() -> None:
    store = KnowledgeStore()
    pool = QueryPool(store, size=1, reserve=0, timeout_s=10)
    try:
        (worker,) = pool._idle["full"]
        worker.generation -= 1  # as if it had been busy during a write that it could not replay
        store.update("INSERT DATA { <http://e/a> <http://e/p> 1 }")
        assert worker not in pool._idle["full"]  # retired, not replayed
        assert pool.run(len) == 1
    finally:
        pool.close()
