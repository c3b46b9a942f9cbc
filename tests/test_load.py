"""Loading: any syntax, named graphs, all or nothing, errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.engine.load import load_files
from kg.engine.sparql import select
from kg.engine.store import KnowledgeStore
from kg.errors import GraphExistsError, InvalidParameterError, LoadError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_turtle_goes_to_its_own_named_graph(tmp_path: Path) -> None:
    store = KnowledgeStore()
    f = _write(tmp_path, "demo.ttl", "@prefix ex: <http://ex.org/> . ex:a ex:p 1 , 2 .")
    assert load_files(store, [f]) == {"https://w3id.org/aikg/graph/demo": 2}
    assert store.named_graphs() == ["https://w3id.org/aikg/graph/demo"]


def test_trig_keeps_named_graphs_and_default_graph_goes_to_file_graph(tmp_path: Path) -> None:
    # known-traps case 16: TriG must not lose its named graphs
    f = _write(
        tmp_path,
        "d.trig",
        '@prefix ex: <http://ex.org/> .\nex:g1 { ex:acme ex:develops ex:model1 . }\nex:acme ex:name "ACME" .\n',
    )
    store = KnowledgeStore()
    counts = load_files(store, [f])
    assert counts == {"http://ex.org/g1": 1, "https://w3id.org/aikg/graph/d": 1}
    rows = select(store.inner, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert rows == [{"n": 2}]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.ttl", '@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n', 3),
        ("bad.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
    ],
)
def test_syntax_error_names_file_and_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    f = _write(tmp_path, name, text)
    with pytest.raises(LoadError) as info:
        load_files(KnowledgeStore(), [f])
    assert info.value.path == str(f)
    assert info.value.line == line
    assert f"{f}, line {line}" in str(info.value)


def test_all_or_nothing_across_files(tmp_path: Path) -> None:
    store = KnowledgeStore()
    good = _write(tmp_path, "good.ttl", "<http://ex.org/a> <http://ex.org/p> 1 .")
    load_files(store, [good])
    before = len(store)
    good2 = _write(tmp_path, "good.ttl", "<http://ex.org/a> <http://ex.org/p> 2 .")
    bad = _write(tmp_path, "bad.ttl", "<http://ex.org/a> <http://ex.org/p> .")
    with pytest.raises(LoadError):
        load_files(store, [good2, bad], existing="replace")
    assert len(store) == before
    assert select(store.inner, "SELECT ?o WHERE { ?s ?p ?o }") == [{"o": 1}]


def test_relative_iris_are_refused_not_resolved_against_the_server(tmp_path: Path) -> None:
    # known-traps case 13: no file:// paths of the server in the data
    f = _write(tmp_path, "rel.ttl", "<http://ex.org/model/m1> <http://schema.org/license> <notspecified> .")
    with pytest.raises(LoadError):
        load_files(KnowledgeStore(), [f])
    j = _write(
        tmp_path,
        "rel.jsonld",
        '{"@context": {"license": {"@id": "http://schema.org/license", "@type": "@id"}}, "@id": "http://ex.org/model/m1", "license": "notspecified"}',
    )
    store = KnowledgeStore()
    try:
        load_files(store, [j])
    except LoadError:
        return
    assert "file:" not in str(list(store.inner))


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="file not found"):
        load_files(KnowledgeStore(), [tmp_path / "nope.ttl"])
    f = _write(tmp_path, "x.docx", "hello")
    with pytest.raises(LoadError, match="unknown RDF syntax"):
        load_files(KnowledgeStore(), [f])


def test_replace_is_atomic_and_bumps_version(tmp_path: Path) -> None:
    store = KnowledgeStore()
    v0 = store.version
    f = _write(tmp_path, "g.ttl", "<http://ex.org/a> <http://ex.org/p> 1 .")
    load_files(store, [f])
    f.write_text("<http://ex.org/a> <http://ex.org/p> 2 , 3 .", encoding="utf-8")
    load_files(store, [f], existing="replace")
    assert store.version != v0
    assert sorted(r["o"] for r in select(store.inner, "SELECT ?o WHERE { ?s ?p ?o }")) == [2, 3]


def test_a_graph_that_holds_data_is_refused_unless_replace_or_append(tmp_path: Path) -> None:
    store = KnowledgeStore()
    f = _write(tmp_path, "g.ttl", "<http://ex.org/a> <http://ex.org/p> 1 .")
    load_files(store, [f])
    f.write_text("<http://ex.org/a> <http://ex.org/p> 2 .", encoding="utf-8")
    v = store.version
    with pytest.raises(GraphExistsError) as info:
        load_files(store, [f])
    assert info.value.graphs == {"https://w3id.org/aikg/graph/g": 1}
    assert "graph https://w3id.org/aikg/graph/g already holds 1 triples" in info.value.detail
    assert store.version == v
    assert select(store.inner, "SELECT ?o WHERE { ?s ?p ?o }") == [{"o": 1}]
    load_files(store, [f], existing="append")
    assert sorted(r["o"] for r in select(store.inner, "SELECT ?o WHERE { ?s ?p ?o }")) == [1, 2]
    with pytest.raises(InvalidParameterError, match="not an absolute IRI"):
        load_files(store, [f], graph="not an iri")
