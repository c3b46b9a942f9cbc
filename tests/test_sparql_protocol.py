"""The SPARQL 1.1 Protocol through HTTP: operations, datasets, negotiation, escaping, errors, update,
CORS and the service description. A small fixture is loaded through an authenticated update."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from api.app import create_app
from kg.errors import QueryError
from kg.service import KnowledgeGraph
from kg.settings import Settings

TOKEN = "protocol-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = Namespace("http://ex.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
XSD = "http://www.w3.org/2001/XMLSchema#"
SRX = "{http://www.w3.org/2005/sparql-results#}"

FIXTURE_PREFIXES = "PREFIX ex: <http://ex.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
# Known traps 18 (TSV) and 19 (XML control characters) are in graph ex:escapes, verbatim.
FIXTURE_GRAPHS = r"""
GRAPH <http://ex.org/g1> { ex:acme ex:name "ACME" ; ex:p1 1 , 2 , 3 . }
GRAPH <http://ex.org/g2> { ex:beta ex:name "Beta" ; ex:partOf ex:acme . }
GRAPH <http://ex.org/escapes> {
  ex:org1 ex:description "the \"third sector\"\tand\nmore"@en ; ex:size 42 .
  ex:m1 ex:label "bell\u0007char" , "Zürich ☃ 𝄞" .
}
GRAPH <http://ex.org/terms> {
  ex:t1 ex:v "Zürich ☃ 𝄞"@de-CH , "a,b \"c\"\r\nd\\e\tf" , "1.5"^^xsd:decimal , "x y"^^ex:custom , true ,
             <http://ex.org/ä?q=1&r=<2>#frag> , _:b1 , "<tag> & 'apos'" .
  _:b1 ex:label "blank" .
}
""".replace("<2>", "2")
FIXTURE_UPDATE = FIXTURE_PREFIXES + "INSERT DATA {" + FIXTURE_GRAPHS + "}"


def _expected_dataset() -> Dataset:
    dataset = Dataset()
    dataset.parse(data=FIXTURE_PREFIXES + FIXTURE_GRAPHS, format="trig")
    return dataset


def _expected_graph(name: str) -> Graph:
    graph = Graph()
    for s, p, o in _expected_dataset().graph(URIRef(name)):
        # The engine normalizes language tags to lower case (BCP 47 tags are case-insensitive).
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        graph.add((s, p, o))
    return graph


@pytest.fixture(scope="module")
def service() -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph.open(Settings(workers=2, update_token=TOKEN, query_timeout_s=20, max_rows=1000))
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def http(service: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings, service)) as client:
        response = client.post(
            "/sparql", content=FIXTURE_UPDATE, headers={**AUTH, "Content-Type": "application/sparql-update"}
        )
        assert response.status_code == 204, response.text
        yield client


def _bindings(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def _values(response, var: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [b[var]["value"] for b in _bindings(response) if var in b]


# -- query operation: three ways to send it (§2.1.1-2.1.3) ----------------------------------------

ACME_QUERY = "PREFIX ex: <http://ex.org/> SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ex:p1 ?o FILTER(?o > 0) } GROUP BY ?s"
ACME_ROW = [
    {
        "s": {"type": "uri", "value": "http://ex.org/acme"},
        "n": {"type": "literal", "value": "3", "datatype": XSD + "integer"},
    }
]


def test_query_by_get(http: TestClient) -> None:
    assert _bindings(http.get("/sparql", params={"query": ACME_QUERY})) == ACME_ROW


def test_query_by_post_form(http: TestClient) -> None:
    assert _bindings(http.post("/sparql", data={"query": ACME_QUERY})) == ACME_ROW


def test_query_by_post_body(http: TestClient) -> None:
    response = http.post("/sparql", content=ACME_QUERY, headers={"Content-Type": "application/sparql-query"})
    assert _bindings(response) == ACME_ROW
    assert response.headers["x-result-count"] == "1"


def test_post_body_with_charset_parameter(http: TestClient) -> None:
    response = http.post(
        "/sparql", content=ACME_QUERY.encode(), headers={"Content-Type": "application/sparql-query; charset=UTF-8"}
    )
    assert _bindings(response) == ACME_ROW


def test_ask(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": "ASK { <http://ex.org/acme> ?p ?o }"})
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": True}


# -- RDF dataset of the request (§2.1.4) ------------------------------------------------------------

NAMES = "PREFIX ex: <http://ex.org/> SELECT ?s ?g WHERE { { ?s ex:name ?n } UNION { GRAPH ?g { ?s ex:name ?n } } }"
G1, G2 = "http://ex.org/g1", "http://ex.org/g2"


def _rows(response) -> set[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {(b["s"]["value"], b.get("g", {}).get("value")) for b in _bindings(response)}


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        # No dataset: the default graph is the union of all graphs, every named graph is there.
        ({}, {(str(EX.acme), None), (str(EX.beta), None), (str(EX.acme), G1), (str(EX.beta), G2)}),
        # A default graph only: named graphs are empty.
        ({"default-graph-uri": [G1]}, {(str(EX.acme), None)}),
        # Two default graphs are merged.
        ({"default-graph-uri": [G1, G2]}, {(str(EX.acme), None), (str(EX.beta), None)}),
        # Named graphs only: the default graph is empty.
        ({"named-graph-uri": [G1, G2]}, {(str(EX.acme), G1), (str(EX.beta), G2)}),
        ({"default-graph-uri": [G1], "named-graph-uri": [G2]}, {(str(EX.acme), None), (str(EX.beta), G2)}),
    ],
    ids=["none", "default", "two-defaults", "named", "both"],
)
@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_protocol_dataset(http: TestClient, dataset: dict[str, list[str]], expected: set, how: str) -> None:
    if how == "get":
        response = http.get("/sparql", params={"query": NAMES, **dataset})
    elif how == "form":
        response = http.post("/sparql", data={"query": NAMES, **dataset})
    else:
        response = http.post(
            "/sparql", params=dataset, content=NAMES, headers={"Content-Type": "application/sparql-query"}
        )
    assert _rows(response) == expected


def test_from_in_the_query_is_honoured_and_the_protocol_dataset_wins(http: TestClient) -> None:
    query = "PREFIX ex: <http://ex.org/> SELECT ?s FROM <http://ex.org/g2> WHERE { ?s ex:name ?n }"
    assert _values(http.get("/sparql", params={"query": query}), "s") == [str(EX.beta)]
    overridden = http.get("/sparql", params={"query": query, "default-graph-uri": G1})
    assert _values(overridden, "s") == [str(EX.acme)]


def test_from_a_remote_iri_is_never_fetched(http: TestClient) -> None:
    # FROM names a graph of this store; the engine must not open a connection to it.
    connections: list[object] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]

    def accept() -> None:
        with contextlib.suppress(OSError):
            connections.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    query = f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}"
    assert _bindings(http.get("/sparql", params={"query": query})) == []
    thread.join()
    listener.close()
    assert connections == []


def test_invalid_graph_iri_is_a_400(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": NAMES, "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "default-graph-uri" in response.json()["detail"]


# -- content negotiation -----------------------------------------------------------------------------

SELECT_ORG1 = "SELECT ?p ?o WHERE { <http://ex.org/org1> ?p ?o } ORDER BY ?p"
CONSTRUCT_G1 = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://ex.org/g1> { ?s ?p ?o } }"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.9", "text/csv"),  # a tie goes to the first offered
        ("text/*", "text/csv"),
        ("image/png, */*;q=0.01", "application/sparql-results+json"),
    ],
)
def test_select_negotiation(http: TestClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = http.get("/sparql", params={"query": SELECT_ORG1}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("text/plain", "text/plain"),
        ("application/json", "application/json"),
        ("text/turtle;q=0.1, application/n-triples", "application/n-triples"),
        ("application/sparql-results+json, application/rdf+xml;q=0.5", "application/rdf+xml"),
    ],
)
def test_construct_negotiation_and_round_trip(http: TestClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = http.get("/sparql", params={"query": CONSTRUCT_G1}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    rdflib_format = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "text/plain": "nt",
        "application/ld+json": "json-ld",
        "application/json": "json-ld",
        "application/rdf+xml": "xml",
        "application/trig": "trig",
        "application/n-quads": "nquads",
    }[media_type]
    parsed = Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(parsed, _expected_graph(G1))


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT_ORG1, "image/png"),
        (SELECT_ORG1, "text/turtle"),  # a graph format for a table
        (CONSTRUCT_G1, "application/sparql-results+json"),  # a table format for a graph
        (CONSTRUCT_G1, "image/png"),
        ("ASK {}", "application/ld+json"),
    ],
)
def test_406_when_nothing_acceptable(http: TestClient, query: str, accept: str) -> None:
    response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "available as" in response.json()["detail"]


# -- escaping in every format (known traps 18 and 19) ------------------------------------------------


def test_tsv_exact_bytes_known_trap_18(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": SELECT_ORG1}, headers={"Accept": "text/tab-separated-values"})
    assert response.content.decode("utf-8").split("\n") == [
        "?p\t?o",
        '<http://ex.org/description>\t"the \\"third sector\\"\\tand\\nmore"@en',
        "<http://ex.org/size>\t42",
        "",
    ]


def test_csv_exact_bytes(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": SELECT_ORG1}, headers={"Accept": "text/csv"})
    # RFC 4180: CRLF line ends; a field with a quote, comma or line break is quoted, quotes doubled.
    assert response.content == (
        b'p,o\r\nhttp://ex.org/description,"the ""third sector""\tand\nmore"\r\nhttp://ex.org/size,42\r\n'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert rows[1] == ["http://ex.org/description", 'the "third sector"\tand\nmore']


def test_json_exact_values(http: TestClient) -> None:
    assert _bindings(http.get("/sparql", params={"query": SELECT_ORG1})) == [
        {
            "p": {"type": "uri", "value": "http://ex.org/description"},
            "o": {"type": "literal", "value": 'the "third sector"\tand\nmore', "xml:lang": "en"},
        },
        {
            "p": {"type": "uri", "value": "http://ex.org/size"},
            "o": {"type": "literal", "value": "42", "datatype": XSD + "integer"},
        },
    ]


def test_xml_with_control_character_is_refused_and_json_keeps_it_known_trap_19(http: TestClient) -> None:
    query = "SELECT ?o WHERE { <http://ex.org/m1> <http://ex.org/label> ?o } ORDER BY ?o"
    refused = http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert refused.status_code == 406
    assert "XML 1.0" in refused.json()["detail"]
    raw = http.get("/sparql", params={"query": query}).content
    assert b'"bell\\u0007char"' in raw  # escaped in JSON, never a raw U+0007
    assert "Zürich ☃ 𝄞".encode() in raw  # the non-BMP character intact, in UTF-8
    assert _values(http.get("/sparql", params={"query": query}), "o") == ["Zürich ☃ 𝄞", "bell\u0007char"] or sorted(
        _values(http.get("/sparql", params={"query": query}), "o")
    ) == sorted(["Zürich ☃ 𝄞", "bell\u0007char"])
    graph = http.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { <http://ex.org/m1> ?p ?o }"},
        headers={"Accept": "application/rdf+xml"},
    )
    assert graph.status_code == 406


TERMS = "SELECT ?o WHERE { <http://ex.org/t1> <http://ex.org/v> ?o }"
TERMS_EXPECTED = {
    Literal("Zürich ☃ 𝄞", lang="de-ch"),
    Literal('a,b "c"\r\nd\\e\tf'),
    Literal("1.5", datatype=URIRef(XSD + "decimal")),
    Literal("x y", datatype=EX.custom),
    Literal("true", datatype=URIRef(XSD + "boolean")),
    URIRef("http://ex.org/ä?q=1&r=2#frag"),
    Literal("<tag> & 'apos'"),
}


def _terms(result: Result) -> tuple[set, int]:
    values = {row[0] for row in result}  # type: ignore[index]
    blanks = [v for v in values if isinstance(v, BNode)]
    normalized = {
        Literal(str(v), lang=v.language.lower()) if isinstance(v, Literal) and v.language else v for v in values
    }
    return {v for v in normalized if not isinstance(v, BNode)}, len(blanks)


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_every_term_kind_parses_back_with_rdflib(http: TestClient, accept: str, rdflib_format: str) -> None:
    response = http.get("/sparql", params={"query": TERMS}, headers={"Accept": accept})
    assert response.status_code == 200
    terms, blanks = _terms(Result.parse(io.BytesIO(response.content), format=rdflib_format))
    assert terms == TERMS_EXPECTED
    assert blanks == 1


def test_xml_results_are_well_formed_and_exact(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": TERMS}, headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(response.content)
    literals = {
        (el.text, el.get("{http://www.w3.org/XML/1998/namespace}lang"), el.get("datatype"))
        for el in root.iter(SRX + "literal")
    }
    assert ('a,b "c"\r\nd\\e\tf', None, None) in literals  # CR survives as &#13;
    assert ("<tag> & 'apos'", None, None) in literals
    assert ("Zürich ☃ 𝄞", "de-ch", None) in literals
    assert ("x y", None, "http://ex.org/custom") in literals
    assert [el.text for el in root.iter(SRX + "uri")] == ["http://ex.org/ä?q=1&r=2#frag"]
    assert len(list(root.iter(SRX + "bnode"))) == 1


def test_csv_carries_lexical_values(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": TERMS}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert rows[0] == ["o"]
    values = {r[0] for r in rows[1:]}
    assert {
        "Zürich ☃ 𝄞",
        'a,b "c"\r\nd\\e\tf',
        "1.5",
        "x y",
        "true",
        "http://ex.org/ä?q=1&r=2#frag",
        "<tag> & 'apos'",
    } <= values
    assert any(v.startswith("_:") for v in values)


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_graph_formats_round_trip_every_term_kind(http: TestClient, accept: str, rdflib_format: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://ex.org/terms> { ?s ?p ?o } }"
    response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    parsed = Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(parsed, _expected_graph("http://ex.org/terms"))


# -- client errors: 4xx with a readable message, never a 200 that ends in an error -------------------


def test_malformed_query_gives_position(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?p\n}"})
    assert response.status_code == 400
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    # The clause that fails starts at line 2, column 3 (the triple pattern that lacks its object).
    assert (problem["line"], problem["column"]) == (2, 3)
    assert problem["detail"].startswith("error at 2:3, near '?x'")


@pytest.mark.parametrize(
    ("method", "kwargs", "fragment"),
    [
        ("post", {"data": {"default-graph-uri": G1}}, "missing 'query'"),
        ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, "exactly one 'query'"),
        ("post", {"data": {"query": ["ASK {}", "ASK {}"]}}, "exactly one 'query'"),
        ("post", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, "not both"),
        (
            "post",
            {
                "params": {"query": "ASK {}"},
                "content": "ASK {}",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            "request body",
        ),
        ("get", {"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}}, "SPARQL Update"),
        ("get", {"params": {"query": ""}}, "empty query"),
        ("post", {"content": b"query=%FF", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, "UTF-8"),
        ("post", {"content": b"ASK {} \xff", "headers": {"Content-Type": "application/sparql-query"}}, "UTF-8"),
    ],
    ids=[
        "missing",
        "duplicated-get",
        "duplicated-form",
        "query-and-update",
        "body-and-param",
        "update-as-query",
        "empty",
        "bad-percent",
        "bad-utf8",
    ],
)
def test_bad_requests_are_400(http: TestClient, method: str, kwargs: dict, fragment: str) -> None:
    response = getattr(http, method)("/sparql", **kwargs)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/json"},
        {},
        {"Content-Type": "application/sparql-query; charset=latin-1"},
    ],
)
def test_wrong_media_type_is_415(http: TestClient, headers: dict[str, str]) -> None:
    response = http.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


def test_oversized_body_is_413_before_it_is_read(http: TestClient) -> None:
    from api.sparql_protocol import MAX_BODY_BYTES

    body = b"ASK {} #" + b"x" * MAX_BODY_BYTES
    response = http.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "MiB" in response.json()["detail"]


def test_update_by_get_is_405(http: TestClient) -> None:
    response = http.get("/sparql", params={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405(http: TestClient, method: str) -> None:
    response = http.request(method.upper(), "/sparql")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_result_over_the_row_cap_is_413_with_a_complete_problem(http: TestClient) -> None:
    # The module's service caps results at 1000 rows; the store has thousands of triples. The
    # whole result is serialized before the status line, so the cap turns into a clean 413.
    for accept in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        response = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": accept})
        assert response.status_code == 413
        assert "more than 1000 rows" in json.loads(response.content)["detail"]
    graph = http.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.status_code == 413
    assert json.loads(graph.content)["status"] == 413


def test_service_is_refused(http: TestClient) -> None:
    response = http.get(
        "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}
    )
    assert response.status_code == 403
    assert "SERVICE" in response.json()["detail"]


# -- update operation (§2.2) -------------------------------------------------------------------------


def _count(http: TestClient, graph: str) -> int:
    response = http.get(
        "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"}
    )
    return int(_bindings(response)[0]["n"]["value"])


def test_update_by_form_and_by_body_is_visible_at_once(http: TestClient) -> None:
    graph = "http://ex.org/updates"
    assert _count(http, graph) == 0
    response = http.post(
        "/sparql",
        data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <http://ex.org/u1> <http://ex.org/p> 1 }} }}"},
        headers=AUTH,
    )
    assert response.status_code == 204
    assert _count(http, graph) == 1  # the cached answer of the same query was dropped
    response = http.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{graph}> {{ <http://ex.org/u2> <http://ex.org/p> 2 }} }}",
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204
    assert _count(http, graph) == 2
    assert http.post("/sparql", data={"update": f"DROP GRAPH <{graph}>"}, headers=AUTH).status_code == 204
    assert _count(http, graph) == 0


def test_update_without_authorization_header_is_401(http: TestClient) -> None:
    response = http.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="aikg"'
    assert _count(http, G1) == 4


@pytest.mark.parametrize("authorization", ["Bearer wrong", "Basic " + TOKEN, "Bearer", TOKEN, f"Bearer {TOKEN}x"])
def test_update_with_wrong_token_is_403(http: TestClient, authorization: str) -> None:
    response = http.post(
        "/sparql",
        content="CLEAR ALL",
        headers={"Authorization": authorization, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 403
    assert _count(http, G1) == 4


@pytest.mark.parametrize(
    ("text", "form"),
    [("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("PREFIX ex: <http://e/> ASK { ?s ex:insert ?o }", "ASK")],
)
def test_a_query_sent_as_an_update_is_told_so(http: TestClient, text: str, form: str) -> None:
    # Both ways round: a query POSTed as an update says which it is and how to send it (it used
    # to say "expected VERSION" at 1:8, the engine's parser's view of it), and changes nothing.
    response = http.post("/sparql", content=text, headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"this is a SPARQL query ({form}), not an update" in detail and "application/sparql-query" in detail
    assert _count(http, G1) == 4


def test_update_with_no_token_configured_is_403() -> None:
    service = KnowledgeGraph.open(Settings(workers=1, update_token=None))
    try:
        with TestClient(create_app(service.settings, service)) as client:
            for headers in ({}, {"Authorization": "Bearer anything"}):
                response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers)
                assert response.status_code == 403
                assert "disabled" in response.json()["detail"]
            description = Graph().parse(data=client.get("/sparql").content, format="turtle")
            assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in description
    finally:
        service.close()


ATOMIC_CASES = [
    # The first operation is fine; the second fails when applied (the graph exists, or is missing).
    (
        "INSERT DATA { GRAPH <http://ex.org/atomic> { <http://ex.org/a> <http://ex.org/p> 1 } } ; CREATE GRAPH <http://ex.org/g1>",
        400,
    ),
    (
        "INSERT DATA { GRAPH <http://ex.org/atomic> { <http://ex.org/a> <http://ex.org/p> 1 } } ; DROP GRAPH <http://ex.org/nowhere>",
        400,
    ),
    # The second operation does not parse: nothing at all runs.
    (
        "INSERT DATA { GRAPH <http://ex.org/atomic> { <http://ex.org/a> <http://ex.org/p> 1 } } ; INSERT DATA { <http://x> }",
        400,
    ),
]


@pytest.mark.parametrize(("update", "status"), ATOMIC_CASES, ids=["create-existing", "drop-missing", "syntax"])
def test_failing_multi_operation_update_changes_nothing(
    http: TestClient, service: KnowledgeGraph, update: str, status: int
) -> None:
    version = service.version
    response = http.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == status
    assert response.json()["detail"]
    assert _count(http, "http://ex.org/atomic") == 0
    assert service.version == version  # the store was not even written to: the rehearsal failed


@pytest.mark.parametrize("update", [u for u, _ in ATOMIC_CASES], ids=["create-existing", "drop-missing", "syntax"])
def test_the_engine_applies_an_update_all_or_nothing(update: str) -> None:
    # Without workers there is no rehearsal: the engine's own transaction must hold.
    service = KnowledgeGraph.open(Settings(workers=0))
    try:
        service.update(FIXTURE_UPDATE)
        before = len(service.store)
        with pytest.raises(QueryError):
            service.update(update)
        assert len(service.store) == before
        assert not service.store.inner.contains_named_graph(ox.NamedNode("http://ex.org/atomic"))
    finally:
        service.close()


def test_update_syntax_error_has_position(http: TestClient) -> None:
    response = http.post("/sparql", data={"update": "INSERT DATA {\n <http://a> <http://b> \n}"}, headers=AUTH)
    assert response.status_code == 400
    problem = response.json()
    # The position is where the update goes wrong (the closing brace where an object is due),
    # not the start of the operation (issue 18 item 11).
    assert (problem["line"], problem["column"]) == (3, 1)
    assert problem["detail"].startswith("error at 3:1")


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://ex.org/loaded>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_load_and_service_in_updates_are_refused(http: TestClient, update: str) -> None:
    response = http.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 403


def test_using_graph_parameters_are_refused_clearly(http: TestClient) -> None:
    response = http.post("/sparql", data={"update": "DELETE WHERE { ?s ?p ?o }", "using-graph-uri": G1}, headers=AUTH)
    assert response.status_code == 400
    assert "USING" in response.json()["detail"]
    assert _count(http, G1) == 4


# -- CORS --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cors_http(service: KnowledgeGraph) -> Iterator[TestClient]:
    settings = Settings(workers=2, update_token=TOKEN, cors_origins=("https://app.example",))
    with TestClient(create_app(settings, service)) as client:
        yield client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cors_preflight_for_queries(cors_http: TestClient, method: str) -> None:
    response = cors_http.options(
        "/sparql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert method in response.headers["access-control-allow-methods"]
    assert "authorization" not in response.headers["access-control-allow-headers"].lower()


def test_cors_actual_query_response(cors_http: TestClient) -> None:
    response = cors_http.post(
        "/sparql",
        content=ACME_QUERY,
        headers={"Origin": "https://app.example", "Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-result-count" in response.headers["access-control-expose-headers"].lower()


def test_cors_never_grants_the_authorization_header(cors_http: TestClient) -> None:
    response = cors_http.options(
        "/sparql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 400
    assert "authorization" not in response.headers.get("access-control-allow-headers", "").lower()
    # Without the header (the most a page can send cross-site without a preflight) no update runs.
    simple = cors_http.post("/sparql", data={"update": "CLEAR ALL"}, headers={"Origin": "https://app.example"})
    assert simple.status_code == 401
    assert _count(cors_http, G1) == 4


def test_cors_other_origin_is_not_allowed(cors_http: TestClient) -> None:
    response = cors_http.options(
        "/sparql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_cors_default_is_any_origin_and_can_be_switched_off(http: TestClient) -> None:
    response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert Settings.from_env({"KG_CORS_ORIGINS": "none"}).cors_origins == ()
    assert Settings.from_env({"KG_CORS_ORIGINS": "https://a.example, https://b.example"}).cors_origins == (
        "https://a.example",
        "https://b.example",
    )


# -- service description -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        (None, "turtle"),
        ("*/*", "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_service_description(http: TestClient, service: KnowledgeGraph, accept: str | None, rdflib_format: str) -> None:
    response = http.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == {None: "text/turtle", "*/*": "text/turtle"}.get(
        accept, accept
    )
    sd = Graph().parse(data=response.content, format=rdflib_format)
    [endpoint_service] = list(sd.subjects(SD.endpoint, URIRef(service.settings.public_base_url() + "/sparql")))
    assert set(sd.objects(endpoint_service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}
    formats = {str(f).rsplit("/", 1)[-1] for f in sd.objects(endpoint_service, SD.resultFormat)}
    assert formats == {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
        "N-Quads",
    }
    assert SD.UnionDefaultGraph in set(sd.objects(endpoint_service, SD.feature))
    [dataset] = list(sd.objects(endpoint_service, SD.defaultDataset))
    assert list(sd.objects(dataset, SD.defaultGraph))
    names = {str(sd.value(g, SD.name)) for g in sd.objects(dataset, SD.namedGraph)}
    assert names == set(service.store.named_graphs())
    assert {
        "https://w3id.org/aikg/graph/landscape",
        "https://w3id.org/aikg/graph/licenses",
        "https://w3id.org/aikg/graph/seed-article",
        "https://w3id.org/aikg/graph/ontology",
        G1,
        G2,
    } <= names
    sizes = {
        str(sd.value(g, SD.name)): int(sd.value(sd.value(g, SD.graph), URIRef("http://rdfs.org/ns/void#triples")))
        for g in sd.objects(dataset, SD.namedGraph)
    }
    assert sizes[G1] == 4
    assert sizes[G2] == 2


def test_service_description_not_acceptable(http: TestClient) -> None:
    assert http.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_sparql_url_with_quoted_query_in_a_link(http: TestClient) -> None:
    # A link a person might paste: every reserved character percent-encoded.
    response = http.get("/sparql?query=" + quote(ACME_QUERY, safe=""))
    assert _bindings(response) == ACME_ROW
