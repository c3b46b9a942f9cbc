"""Real third-party SPARQL clients against a running ``kg serve`` process, used as their authors
intended (no adapters): SPARQLWrapper and rdflib's SPARQLStore / SPARQLUpdateStore. Also: updates
survive a restart of a server on an on-disk store."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import httpx
import psutil
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

from kg.engine.sparql import QueryRequest
from kg.service import KnowledgeGraph

TOKEN = "test-token-123"  # what conftest's LiveServer configures
SCHEMA = "https://schema.org/"
AIKG = "https://w3id.org/aikg/ontology#"
GLM = URIRef("https://w3id.org/aikg/id/model/glm-4.5")
NAME_QUERY = f"SELECT ?name ?total WHERE {{ <{GLM}> <{SCHEMA}name> ?name ; <{AIKG}totalParameters> ?total }}"
CONSTRUCT_GLM = f"CONSTRUCT WHERE {{ <{GLM}> ?p ?o }}"


@pytest.fixture(scope="module")
def server(live_server_factory: Any) -> Any:
    # A server of its own: these tests write, and the shared live_server must stay as shipped.
    return live_server_factory()


@pytest.fixture(scope="module")
def endpoint(server: Any) -> str:
    return server.url + "/sparql"


@pytest.fixture(scope="module")
def glm_graph(graph: KnowledgeGraph) -> Graph:
    """What the embedded graph says about GLM-4.5, evaluated in process (the reference)."""
    body = graph.query(QueryRequest(CONSTRUCT_GLM, graph_media_type="application/n-triples")).body
    return Graph().parse(data=body, format="nt")


# -- SPARQLWrapper ---------------------------------------------------------------------------------


def test_sparqlwrapper_json(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(NAME_QUERY)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"] == [
        {
            "name": {"type": "literal", "value": "GLM-4.5"},
            "total": {
                "type": "literal",
                "value": "355000000000",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            },
        }
    ]


def test_sparqlwrapper_xml(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(NAME_QUERY)
    client.setReturnFormat(XML)
    document = client.query().convert()  # xml.dom.minidom
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["GLM-4.5", "355000000000"]


def test_sparqlwrapper_csv(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(NAME_QUERY)
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode("utf-8"))))
    assert rows == [["name", "total"], ["GLM-4.5", "355000000000"]]


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_sparqlwrapper_construct(endpoint: str, glm_graph: Graph, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT_GLM)
    client.setReturnFormat(fmt)
    converted = client.query().convert()
    # SPARQLWrapper hands Turtle over as bytes, RDF/XML and JSON-LD as parsed rdflib graphs.
    graph = Graph().parse(data=converted, format="turtle") if isinstance(converted, bytes) else converted
    assert set(graph) == set(glm_graph)
    assert (GLM, URIRef(SCHEMA + "name"), Literal("GLM-4.5")) in graph
    assert len(glm_graph) > 10


def test_sparqlwrapper_post_directly(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.setQuery(NAME_QUERY)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["name"]["value"] == "GLM-4.5"


def test_sparqlwrapper_update_with_bearer_token(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery("INSERT DATA { GRAPH <http://ex.org/sparqlwrapper> { <http://ex.org/a> <http://ex.org/b> 1 } }")
    assert client.query().response.status == 204
    check = SPARQLWrapper(endpoint)
    check.setQuery("ASK { GRAPH <http://ex.org/sparqlwrapper> { <http://ex.org/a> <http://ex.org/b> 1 } }")
    check.setReturnFormat(JSON)
    assert check.query().convert()["boolean"] is True


def test_sparqlwrapper_malformed_query_raises_its_bad_request(endpoint: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT ?x WHERE { ?x ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="error at 1:19"):
        client.query()


# -- rdflib SPARQLStore / SPARQLUpdateStore ----------------------------------------------------------


def test_rdflib_sparqlstore_query_and_triples(endpoint: str, glm_graph: Graph) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = list(graph.query(NAME_QUERY))
    assert [(str(r[0]), int(r[1])) for r in rows] == [("GLM-4.5", 355_000_000_000)]
    # Pattern access makes rdflib write its own SELECT: same triples as the in-process reference.
    assert set(graph.triples((GLM, None, None))) == set(glm_graph)
    assert bool(graph.query(f"ASK {{ <{GLM}> ?p ?o }}").askAnswer) is True


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore_result_formats(endpoint: str, return_format: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat=return_format, method="POST_FORM"))
    rows = list(graph.query(f"SELECT ?name WHERE {{ <{GLM}> <{SCHEMA}name> ?name }}"))
    assert [str(r[0]) for r in rows] == ["GLM-4.5"]


def test_rdflib_sparqlupdatestore_with_token(endpoint: str) -> None:
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    target = URIRef("http://ex.org/rdflib")
    graph = Graph(store=store, identifier=target)
    a, p = URIRef("http://ex.org/x"), URIRef("http://ex.org/y")
    graph.add((a, p, Literal("z", lang="en")))
    graph.update('INSERT DATA { <http://ex.org/x2> <http://ex.org/y> "w\\t\\"q\\"" }')  # into `target`
    assert set(graph.triples((None, p, None))) == {
        (a, p, Literal("z", lang="en")),
        (URIRef("http://ex.org/x2"), p, Literal('w\t"q"')),
    }
    graph.remove((a, p, None))
    assert len(graph) == 1
    # The writes landed in the named graph rdflib addressed.
    check = httpx.get(
        endpoint, params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"}
    )
    assert check.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_rdflib_sparqlupdatestore_without_token_is_refused(endpoint: str) -> None:
    graph = Graph(store=SPARQLUpdateStore(endpoint, endpoint), identifier=URIRef("http://ex.org/refused"))
    with pytest.raises(HTTPError) as info:
        graph.add((URIRef("http://ex.org/a"), URIRef("http://ex.org/b"), Literal("c")))
    assert info.value.code == 401
    assert info.value.headers["WWW-Authenticate"] == 'Bearer realm="aikg"'
    wrong = Graph(
        store=SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": "Bearer nope"}),
        identifier=URIRef("http://ex.org/refused"),
    )
    with pytest.raises(HTTPError) as info:
        wrong.update("CLEAR ALL")
    assert info.value.code == 403


# -- durability: an update survives a restart of the server on an on-disk store --------------------


SOURCE_SIZES = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(?g IN (<https://w3id.org/aikg/graph/landscape>, <https://w3id.org/aikg/graph/licenses>,
                <https://w3id.org/aikg/graph/seed-article>, <https://w3id.org/aikg/graph/ontology>)) } GROUP BY ?g"""


def _source_sizes(endpoint: str) -> dict[str, str]:
    rows = httpx.get(endpoint, params={"query": SOURCE_SIZES}).json()["results"]["bindings"]
    assert len(rows) == 4
    return {r["g"]["value"]: r["n"]["value"] for r in rows}


def _ask(endpoint: str, query: str) -> bool:
    return bool(httpx.get(endpoint, params={"query": query}).json()["boolean"])


def _wait_gone(pids: list[int], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
            return
        time.sleep(0.05)
    raise AssertionError(f"processes still alive: {pids}")


def test_update_is_durable_across_a_restart(live_server_factory: Any, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = live_server_factory("--store", str(store))
    endpoint = first.url + "/sparql"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Derived graphs (e.g. the claim reviews) are regenerated after writes; the sources are not.
    sources_before = _source_sizes(endpoint)
    update = 'INSERT DATA { GRAPH <http://ex.org/durable> { <http://ex.org/d> <http://ex.org/p> "kept ✓"@en } }'
    # a write regenerates the 102 claim reviews before it is acknowledged (about 6 s on a busy 2-core machine)
    assert httpx.post(endpoint, data={"update": update}, headers=auth, timeout=60).status_code == 204
    failing = "INSERT DATA { GRAPH <http://ex.org/durable> { <http://ex.org/e> <http://ex.org/p> 2 } } ; CREATE GRAPH <http://ex.org/durable>"
    assert httpx.post(endpoint, data={"update": failing}, headers=auth, timeout=60).status_code == 400
    children = [c.pid for c in psutil.Process(first.process.pid).children(recursive=True)]
    # SIGKILL, no shutdown at all: what was acknowledged must already be on disk. (A graceful stop
    # is what every other live-server test does at teardown.)
    first.process.kill()
    first.process.wait(10)
    _wait_gone([first.process.pid, *children])  # workers hold the store's files until they exit

    second = live_server_factory("--store", str(store))
    ask = httpx.get(
        second.url + "/sparql",
        params={"query": "SELECT ?s ?o WHERE { GRAPH <http://ex.org/durable> { ?s ?p ?o } }"},
    )
    assert ask.json()["results"]["bindings"] == [
        {
            "s": {"type": "uri", "value": "http://ex.org/d"},
            "o": {"type": "literal", "value": "kept ✓", "xml:lang": "en"},
        }
    ]
    assert _source_sizes(second.url + "/sparql") == sources_before
    assert _ask(second.url + "/sparql", "ASK { GRAPH ?g { <http://ex.org/e> ?p ?o } }") is False
    second.stop()
