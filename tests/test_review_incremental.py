"""Reviews stay current at a cost that follows the write, not the data: only changed graphs are digested.

A write tells the store which graphs it may change (:func:`kg.engine.store.written_graphs` for SPARQL
Update); the review keeper digests those graphs only and reuses the other digests. These tests
pin what each update form touches, that the reused digests equal a full snapshot, and that a
review-relevant write (into any graph, the default graph included) still flips the review.
"""

from __future__ import annotations

import pytest

from kg.analysis.review import ReviewKeeper, keeper_for, snapshot
from kg.analysis.review import data_snapshot as review_module
from kg.engine.load import load_default_graph
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore, written_graphs

G = "https://w3id.org/aikg/graph/"
WAN = "https://w3id.org/aikg/id/claim/alibaba-wan-2.2-first-moe-video"
EARLY_MODEL = """
  model:early-moe-video a aikg:AIModel ; schema:name "Early MoE Video" ;
      schema:creator organization:tencent ; schema:datePublished "2024-12-03"^^xsd:date ;
      aikg:architecture aikg:MoEDiffusionTransformer ; aikg:outputModality aikg:Video ;
      aikg:accessibility aikg:OpenWeightsUnrestricted ; dcterms:source <https://example.org/early-moe-video> .
"""


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }", {"http://e/g"}),
        ("INSERT DATA { <http://e/a> <http://e/b> 1 }", {DEFAULT_GRAPH}),
        (
            "INSERT DATA { GRAPH aikg:g { <http://e/a> <http://e/b> 1 } } ; "
            "DELETE DATA { GRAPH <http://e/h> { <http://e/a> <http://e/b> 1 } }",
            {"https://w3id.org/aikg/ontology#g", "http://e/h"},
        ),
        (
            "WITH <http://e/w> DELETE { ?s ?p ?o } INSERT { GRAPH <http://e/i> { ?s ?p 1 } } WHERE { ?s ?p ?o }",
            {"http://e/w", "http://e/i"},
        ),
        ("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", {DEFAULT_GRAPH}),
        ("DELETE { GRAPH <http://e/q> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", {"http://e/q"}),
        ("DELETE WHERE { GRAPH <http://e/d> { ?s ?p ?o } }", {"http://e/d"}),
        ("DROP GRAPH <http://e/x>", {"http://e/x"}),
        ("DROP SILENT DEFAULT", {DEFAULT_GRAPH}),
        ("CREATE GRAPH <http://e/c>", {"http://e/c"}),
        ("MOVE <http://e/a> TO <http://e/b>", {"http://e/a", "http://e/b"}),
        ("COPY <http://e/a> TO DEFAULT", {"http://e/a", DEFAULT_GRAPH}),
        ("LOAD <http://e/file> INTO GRAPH <http://e/l>", {"http://e/l"}),
        # Unknown targets: any graph may change.
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("CLEAR ALL", None),
        ("DROP NAMED", None),
        ("this is not SPARQL", None),
        ("INSERT DATA { GRAPH <http://e/big> { " + "<http://e/a> <http://e/b> 1 . " * 3000 + "} }", None),
    ],
)
def test_written_graphs(update: str, expected: set[str] | None) -> None:
    found = written_graphs(update)
    assert (None if found is None else set(found)) == expected


@pytest.fixture
def kept() -> tuple[KnowledgeStore, ReviewKeeper]:
    store = KnowledgeStore()
    load_default_graph(store)
    return store, keeper_for(store)


@pytest.fixture
def digested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The graphs the snapshot reads (digests), in order, from now on."""
    calls: list[str] = []
    real = review_module._digest

    def spy(inner: object, graph: str, stop: object = None) -> tuple[int, str]:
        calls.append(graph)
        return real(inner, graph, stop)  # type: ignore[arg-type]

    monkeypatch.setattr(review_module, "_digest", spy)
    return calls


def _same_as_full_snapshot(store: KnowledgeStore, keeper: ReviewKeeper) -> None:
    assert keeper.snapshot is not None
    full = snapshot(store)
    assert [(g, n, d) for g, n, d, _ in keeper.snapshot.graphs] == [(g, n, d) for g, n, d, _ in full.graphs]


def test_a_write_to_one_graph_digests_that_graph_only(
    kept: tuple[KnowledgeStore, ReviewKeeper], digested: list[str]
) -> None:
    store, keeper = kept
    generations = keeper.generations
    # schema:name is read by the reviews (names of what they cite), so this write counts for them
    store.update('INSERT DATA { GRAPH <urn:x:scratch> { <urn:x:a> schema:name "scratch" } }')
    assert digested == ["urn:x:scratch"]
    # the data changed (a new graph), so the reviews were regenerated and say so
    assert keeper.generations == generations + 1
    assert "urn:x:scratch" in [g for g, *_ in keeper.snapshot.graphs]  # type: ignore[union-attr]
    _same_as_full_snapshot(store, keeper)


def test_a_review_relevant_write_into_an_existing_graph_flips_the_review(
    kept: tuple[KnowledgeStore, ReviewKeeper], digested: list[str]
) -> None:
    store, keeper = kept
    assert keeper.get(WAN).rating == "supported"
    before = {g: d for g, _, d, _ in keeper.snapshot.graphs}  # type: ignore[union-attr]
    store.update(f"INSERT DATA {{ GRAPH <{G}landscape> {{ {EARLY_MODEL} }} }}")
    assert digested == [G + "landscape"]
    assert keeper.get(WAN).rating == "contradicted"
    after = {g: d for g, _, d, _ in keeper.snapshot.graphs}  # type: ignore[union-attr]
    assert {g for g in after if after[g] != before.get(g)} == {G + "landscape"}
    _same_as_full_snapshot(store, keeper)


def test_a_write_into_the_default_graph_flips_the_review(
    kept: tuple[KnowledgeStore, ReviewKeeper], digested: list[str]
) -> None:
    # Queries read the default graph as part of the union, so it is part of the snapshot too.
    store, keeper = kept
    assert DEFAULT_GRAPH not in [g for g, *_ in keeper.snapshot.graphs]  # type: ignore[union-attr]
    store.update(f"INSERT DATA {{ {EARLY_MODEL} }}")
    assert digested == [DEFAULT_GRAPH]
    # The rule reads release dates with the named graph stating them: a date in the default graph
    # has none, so the earlier model makes the 'first' undecidable rather than refuted.
    review = keeper.get(WAN)
    assert review.rating == "unverifiable"
    assert review.reason.startswith("Early MoE Video also meets the scope")
    graphs = {g: n for g, n, _, _ in keeper.snapshot.graphs}  # type: ignore[union-attr]
    assert graphs[DEFAULT_GRAPH] == 8
    store.update("DROP DEFAULT")
    assert keeper.get(WAN).rating == "supported"
    _same_as_full_snapshot(store, keeper)


def test_a_write_of_unknown_reach_digests_every_graph(
    kept: tuple[KnowledgeStore, ReviewKeeper], digested: list[str]
) -> None:
    store, keeper = kept
    generations = keeper.generations
    with store.write() as inner:  # no hint: any graph may have changed
        inner.update("INSERT DATA { GRAPH <urn:x:raw> { <urn:x:a> <urn:x:b> <urn:x:c> } }")
    assert sorted(digested) == sorted(g for g in [*store.named_graphs(), DEFAULT_GRAPH] if not g.endswith("/reviews"))
    assert keeper.generations == generations + 1
    _same_as_full_snapshot(store, keeper)


def test_a_write_the_keeper_did_not_follow_digests_every_graph(digested: list[str]) -> None:
    # A keeper that was not listening (no install) cannot know what changed: it reads everything.
    store = KnowledgeStore()
    load_default_graph(store)
    keeper = keeper_for(store, install=False)
    keeper.refresh()
    first = len(digested)
    store.update("INSERT DATA { GRAPH <urn:x:scratch> { <urn:x:a> <urn:x:b> <urn:x:c> } }")
    assert keeper.list()  # refreshes on read: the version moved
    assert len(digested) - first == len(store.named_graphs()) + 1 - 1  # all graphs and the default, not reviews
    _same_as_full_snapshot(store, keeper)
