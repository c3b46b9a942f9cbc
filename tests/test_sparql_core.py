"""Query evaluation in the core: safety checks, limits, serialization (known traps included)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.engine.query_checks import check_query, check_update
from kg.engine.sparql import QueryRequest, execute
from kg.errors import ForbiddenError, NotAcceptableError, QuerySyntaxError, ResultTooLargeError


def _store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://ex.org/g"))
    return store


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("# SERVICE in a comment\nASK { ?s ?p 'SERVICE' }", "ASK"),
        ("PREFIX ex: <http://ex.org/service/> CONSTRUCT WHERE { ?s ex:x ?o }", "CONSTRUCT"),
        ("describe <http://ex.org/a>", "DESCRIBE"),
    ],
)
def test_query_forms(text: str, form: str) -> None:
    assert check_query(text) == form


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service ?x { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://evil.example/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_whatever_its_spelling(text: str) -> None:
    with pytest.raises(ForbiddenError):
        check_query(text)


def test_update_sent_as_query_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="SPARQL Update"):
        check_query("INSERT DATA { <http://a> <http://b> <http://c> }")


def test_remote_load_is_refused_in_updates() -> None:
    with pytest.raises(ForbiddenError):
        check_update("LOAD <http://example.org/data.ttl>")
    check_update("INSERT DATA { <http://a> <http://b> 'LOAD' }")


def test_syntax_error_has_position() -> None:
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        execute(ox.Store(), QueryRequest("SELECT ?x WHERE { ?x ?p }"))


def test_tsv_escaping_known_trap_18() -> None:
    store = _store(
        '@prefix ex: <http://ex.org/> .\nex:org1 ex:description "the \\"third sector\\"\\tand\\nmore"@en ; ex:size 42 .'
    )
    r = execute(
        store,
        QueryRequest("SELECT ?p ?o WHERE { <http://ex.org/org1> ?p ?o } ORDER BY ?p", "text/tab-separated-values"),
    )
    lines = r.body.decode().splitlines()
    assert lines[0] == "?p\t?o"
    assert lines[1] == '<http://ex.org/description>\t"the \\"third sector\\"\\tand\\nmore"@en'
    assert lines[2] in (
        "<http://ex.org/size>\t42",
        '<http://ex.org/size>\t"42"^^<http://www.w3.org/2001/XMLSchema#integer>',
    )
    assert r.count == 2


def test_xml_with_control_character_is_refused_json_keeps_it_known_trap_19() -> None:
    store = _store('@prefix ex: <http://ex.org/> .\nex:m1 ex:label "bell\\u0007char" , "Zürich ☃ 𝄞" .')
    q = "SELECT ?o WHERE { <http://ex.org/m1> <http://ex.org/label> ?o } ORDER BY ?o"
    with pytest.raises(NotAcceptableError):
        execute(store, QueryRequest(q, "application/sparql-results+xml"))
    body = json.loads(execute(store, QueryRequest(q)).body)
    assert {b["o"]["value"] for b in body["results"]["bindings"]} == {"bell\u0007char", "Zürich ☃ 𝄞"}


def test_group_by_with_no_rows_gives_no_rows_known_trap_02() -> None:
    store = _store('@prefix ex: <http://ex.org/> .\nex:acme ex:name "ACME" .')
    body = json.loads(
        execute(
            store, QueryRequest("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s <http://ex.org/doesNotExist> ?o } GROUP BY ?s")
        ).body
    )
    assert body["head"]["vars"] == ["s", "n"]
    assert body["results"]["bindings"] == []


def test_values_then_optional_keeps_row_known_trap_04() -> None:
    store = _store(
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\nrdfs:label rdf:type rdf:Property ."
    )
    q = "SELECT * WHERE { VALUES ?s { rdfs:Class } OPTIONAL { ?s a ?type } }"
    body = json.loads(execute(store, QueryRequest(q)).body)
    assert body["results"]["bindings"] == [
        {"s": {"type": "uri", "value": "http://www.w3.org/2000/01/rdf-schema#Class"}}
    ]


def test_regex_unicode_class_known_trap_10() -> None:
    q = 'SELECT ?x WHERE { VALUES ?x { "leden" "únor" "Leden" "Únor" } FILTER(REGEX(?x, "^\\\\p{Ll}")) }'
    body = json.loads(execute(ox.Store(), QueryRequest(q)).body)
    assert sorted(b["x"]["value"] for b in body["results"]["bindings"]) == ["leden", "únor"]


def test_row_cap_and_byte_cap() -> None:
    q = "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } }"
    assert execute(ox.Store(), QueryRequest(q, max_rows=5)).count == 5
    with pytest.raises(ResultTooLargeError, match="more than 4 rows"):
        execute(ox.Store(), QueryRequest(q, max_rows=4))
    with pytest.raises(ResultTooLargeError, match="bytes"):
        execute(ox.Store(), QueryRequest(q, max_bytes=10))


def test_construct_formats_round_trip() -> None:
    store = _store('@prefix ex: <http://ex.org/> .\nex:a ex:name "Ä \\"q\\""@de ; ex:n 1 ; ex:b [ ex:c "x" ] .')
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    for media, fmt in [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ]:
        r = execute(store, QueryRequest(q, graph_media_type=media))
        assert r.media_type == media
        assert r.count == 4
        assert len(list(ox.parse(r.body, format=fmt))) == 4
