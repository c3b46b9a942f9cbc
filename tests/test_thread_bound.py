"""Engine results are freed on their own thread: no "PyQuerySolutions is unsendable" from an error handled elsewhere.

A query that failed in a worker thread (row cap, nothing acceptable, an engine error while rows
stream) kept its result alive in its exception's traceback; the exception was handled on another
thread (the event loop), and freeing the result there printed pyoxigraph's RuntimeError as an
unraisable exception (in pytest and in server logs).
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.engine.sparql import QueryRequest, execute, select
from kg.service import KnowledgeGraph
from kg.settings import Settings


@pytest.fixture
def unraisable() -> Iterator[list[str]]:
    seen: list[str] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{type(u.exc_value).__name__}: {u.exc_value}")
    yield seen
    sys.unraisablehook = previous


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(50):
        s.add(
            ox.Quad(
                ox.NamedNode(f"http://e/{i}"),
                ox.NamedNode("http://e/p"),
                ox.Literal(str(i)),
                ox.NamedNode("http://e/g"),
            )
        )
    return s


CASES: dict[str, Callable[[ox.Store], Any]] = {
    "row cap": lambda s: execute(s, QueryRequest("SELECT * WHERE { ?s ?p ?o }", max_rows=5)),
    "byte cap": lambda s: execute(s, QueryRequest("SELECT * WHERE { ?s ?p ?o }", max_bytes=100)),
    "triple cap": lambda s: execute(s, QueryRequest("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=5)),
    "not acceptable": lambda s: execute(s, QueryRequest("SELECT * WHERE { ?s ?p ?o }", result_media_type=None)),
    "engine error": lambda s: select(s, "SELECT * WHERE { ?s ?p ?o SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } }"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_an_error_handled_on_another_thread_frees_nothing_there(
    store: ox.Store, unraisable: list[str], name: str
) -> None:
    caught: list[BaseException] = []

    def run() -> None:
        try:
            CASES[name](store)
        except Exception as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert len(caught) == 1  # the query did fail
    caught.clear()  # the exception, and whatever its frames held, freed on this thread
    gc.collect()
    assert unraisable == []


def test_a_refused_query_through_http_leaves_no_unraisable(unraisable: list[str]) -> None:
    settings = Settings(workers=0, max_rows=3, cache_bytes=0)
    graph = KnowledgeGraph.open(settings)
    try:
        with TestClient(create_app(settings, graph)) as client:
            for _ in range(3):
                r = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"})
                assert r.status_code == 413
                r = client.post(
                    "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "image/png"}
                )
                assert r.status_code == 406
            gc.collect()
    finally:
        graph.close()
    assert unraisable == []
