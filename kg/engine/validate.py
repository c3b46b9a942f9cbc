"""SHACL validation of the graph against ``ontology/shapes`` (pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH

from kg.engine.dataset import union_dataset
from kg.engine.store import KnowledgeStore
from kg.settings import ONTOLOGY_DIR

__all__ = ["ValidationReport", "validate_store"]


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Outcome of a SHACL run.

    Attributes
    ----------
    conforms : bool
        True when no shape is violated.
    violations : int
        Number of ``sh:ValidationResult`` nodes.
    text : str
        pySHACL's human-readable report.
    """

    conforms: bool
    violations: int
    text: str


def _shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate_store(store: KnowledgeStore, shapes_dir: Path | None = None) -> ValidationReport:
    """Validate the union of all named graphs against the SHACL shapes.

    Parameters
    ----------
    store : KnowledgeStore
        The store to check; the ontology graph is included, so ``sh:class`` sees subclasses.
    shapes_dir : pathlib.Path, optional
        Folder of shape files (``*.ttl``); default the shipped ``ontology/shapes``.

    Returns
    -------
    ValidationReport

    References
    ----------
    .. [1] W3C, "Shapes Constraint Language (SHACL)", 2017. https://www.w3.org/TR/shacl/
    """
    from pyshacl import validate

    data = Graph()
    # Today's graph only: import snapshots (kg.engine.dataset) are history, not current data.
    nt = store.inner.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", **union_dataset(store.inner))
    data.parse(data=ox.serialize(nt, format=ox.RdfFormat.N_TRIPLES), format="nt")
    conforms, report_graph, text = validate(
        data, shacl_graph=_shapes(shapes_dir or ONTOLOGY_DIR / "shapes"), inference="rdfs", advanced=True
    )
    violations = len(set(report_graph.subjects(object=SH.ValidationResult)))
    return ValidationReport(bool(conforms), violations, str(text))
