"""networkx projections of the graph and measures on them (ego graphs, lineage)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import InvalidParameterError, NotFoundError
from kg.lookup import kind_of
from kg.sparql import select

__all__ = ["ego_graph"]

_EGO = """
SELECT ?center ?s ?p ?o ?pLabel ?sLabel ?oLabel ?sType ?oType WHERE {
  { ?center ?p ?o . BIND(?center AS ?s) } UNION { ?s ?p ?center . BIND(?center AS ?o) }
  FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type)
  OPTIONAL { ?p rdfs:label ?pLabel FILTER(LANGMATCHES(LANG(?pLabel), "en") || LANG(?pLabel) = "") }
  OPTIONAL { ?s schema:name|skos:prefLabel|rdfs:label|schema:headline ?sLabel }
  OPTIONAL { ?o schema:name|skos:prefLabel|rdfs:label|schema:headline ?oLabel }
  OPTIONAL { ?s a ?sType } OPTIONAL { ?o a ?oType }
}
"""


def ego_graph(
    store: ox.Store, iri: str, depth: int = 1, types: list[str] | None = None, max_nodes: int = 400
) -> nx.MultiDiGraph:
    """Return the neighbourhood of an entity as a networkx multigraph.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        The centre entity.
    depth : int, optional
        Hops to follow in either direction, 1 to 3.
    types : list of str, optional
        Keep only neighbours of these kinds (``model``, ``organization``…); the centre stays.
    max_nodes : int, optional
        Stop expanding once this many nodes are reached; ``G.graph["truncated"]`` tells.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI with ``label`` and ``kind``; one edge per triple keyed by the
        predicate IRI, with ``label`` (the property's label). ``G.graph`` holds ``center``,
        ``depth`` and ``truncated`` (number of nodes left out, 0 if none).

    Raises
    ------
    InvalidParameterError
        If `depth` is outside 1..3.
    NotFoundError
        If `iri` has no statements.
    """
    if not 1 <= depth <= 3:
        raise InvalidParameterError("depth", "must be 1, 2 or 3")
    G = nx.MultiDiGraph(center=iri, depth=depth, truncated=0)
    frontier = [iri]
    seen = {iri}
    for _ in range(depth):
        next_frontier: list[str] = []
        for node in frontier:
            rows = select(store, _EGO, {"center": ox.NamedNode(node)})
            if node == iri and not rows and not _has_statements(store, iri):
                raise NotFoundError(f"no entity with IRI {iri}")
            for row in rows:
                s, p, o = row["s"], row["p"], row["o"]
                for term, label, typ in (
                    (s, row.get("sLabel"), row.get("sType")),
                    (o, row.get("oLabel"), row.get("oType")),
                ):
                    kind = kind_of(term, [typ] if typ else None) or "other"
                    if term not in G:
                        if term != iri and types and kind not in types:
                            continue
                        if G.number_of_nodes() >= max_nodes:
                            G.graph["truncated"] += 1
                            continue
                        G.add_node(term, label=label or _local(term), kind=kind)
                    elif label and G.nodes[term].get("label") == _local(term):
                        G.nodes[term]["label"] = label
                if s in G and o in G and not G.has_edge(s, o, key=p):
                    G.add_edge(s, o, key=p, label=row.get("pLabel") or _local(p), predicate=p)
                    for term in (s, o):
                        if term not in seen:
                            seen.add(term)
                            next_frontier.append(term)
        frontier = next_frontier
    return G


def _has_statements(store: ox.Store, iri: str) -> bool:
    return next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def graph_summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return node and edge counts of `G` by kind (for notices and tests)."""
    kinds: dict[str, int] = {}
    for _, data in G.nodes(data=True):
        kinds[data.get("kind", "other")] = kinds.get(data.get("kind", "other"), 0) + 1
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "kinds": kinds}
