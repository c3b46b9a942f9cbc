"""Data contract: every shipped file parses, every term is labelled, the data meets the shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace

from kg.engine.load import default_sources, load_default_graph
from kg.engine.store import KnowledgeStore
from kg.engine.validate import validate_store
from kg.namespaces import AIKG

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
AIKG_NS = str(AIKG._NS)
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FILES = sorted(p.relative_to(ROOT).as_posix() for p in ONTOLOGY.rglob("*.ttl"))


@pytest.mark.parametrize("name", FILES)
def test_every_file_parses(name: str) -> None:
    graph = Graph().parse(ROOT / name, format="turtle")
    assert len(graph) > 0


@pytest.fixture(scope="module")
def tbox() -> Graph:
    graph = Graph()
    for path in [ONTOLOGY / "aikg.ttl", *sorted((ONTOLOGY / "modules").glob("*.ttl"))]:
        graph.parse(path, format="turtle")
    return graph


def _defined_terms(tbox: Graph) -> set[str]:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
    return {str(s) for k in kinds for s in tbox.subjects(RDF.type, k) if str(s).startswith(AIKG_NS)}


def test_every_term_has_an_english_label_and_a_comment_or_definition(tbox: Graph) -> None:
    missing = []
    for term in sorted(_defined_terms(tbox)):
        ref = next(s for s in tbox.subjects() if str(s) == term)
        labels = [lbl for lbl in tbox.objects(ref, RDFS.label) if getattr(lbl, "language", None) == "en"]
        explained = list(tbox.objects(ref, RDFS.comment)) + list(tbox.objects(ref, SKOS.definition))
        if not labels or not explained:
            missing.append(term)
    assert missing == []


def test_numeric_properties_state_their_unit(tbox: Graph) -> None:
    for name in ("totalParameters", "activeParameters", "contextLength", "trainingCompute", "userThreshold"):
        comment = str(next(tbox.objects(getattr(AIKG, name), RDFS.comment)))
        assert "Unit:" in comment, name


def test_namespace_class_matches_the_ontology(tbox: Graph) -> None:
    declared = {str(getattr(AIKG, n)) for n in AIKG.__annotations__}
    assert declared <= _defined_terms(tbox) | {str(AIKG.ModelFamily)}
    assert _defined_terms(tbox) <= declared


def test_data_uses_only_defined_terms(tbox: Graph) -> None:
    defined = _defined_terms(tbox)
    used: set[str] = set()
    for path in sorted((ONTOLOGY / "data").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for triple in graph:
            used |= {str(t) for t in triple if str(t).startswith(AIKG_NS)}
    assert used - defined == set()


def test_default_sources_are_one_graph_per_file() -> None:
    graphs = {graph for _, graph in default_sources()}
    assert "https://w3id.org/aikg/graph/ontology" in graphs
    assert {
        "https://w3id.org/aikg/graph/landscape",
        "https://w3id.org/aikg/graph/seed-article",
        "https://w3id.org/aikg/graph/licenses",
    } <= graphs


def test_embedded_graph_meets_the_shacl_shapes() -> None:
    store = KnowledgeStore()
    load_default_graph(store)
    report = validate_store(store)
    assert report.conforms, report.text[:4000]


def test_shapes_catch_a_broken_model() -> None:
    store = KnowledgeStore()
    load_default_graph(store)
    store.update(
        "INSERT DATA { GRAPH <urn:bad> { <https://w3id.org/aikg/id/model/bad> a aikg:AIModel ; "
        "schema:name 'Bad' ; aikg:totalParameters 5 ; aikg:activeParameters 9 . } }"
    )
    report = validate_store(store)
    assert not report.conforms
    assert "schema:creator" in report.text
    assert "dcterms:source" in report.text
    assert "at most aikg:totalParameters" in report.text
