"""Named networkx projections of the graph for measuring: organization-model, lineage, claims, entities."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._nodes import _merge_node
from kg.analysis.analytics._tooltips import _shorten
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import humanize, kind_of, slug_of

PROJECTIONS: dict[str, str] = {
    "organization-model": "undirected, bipartite: organizations and the models they created (schema:creator)",
    "lineage": "directed model -> model, derived -> base (aikg:basedOn, aikg:distilledFrom); every model is a node",
    "claims": "directed claimant -> subject (schema:author -> schema:about); weight = number of claims",
    "entities": (
        "undirected multigraph of every link between models, organizations, people, claims, articles and "
        "families (licenses, countries, concepts, typing and provenance links left out)"
    ),
}
"""Projection name -> what its nodes and edges are."""
_PATH_KINDS = {"model", "organization", "person", "claim", "article", "family"}


def _lineage_digraph(store: ox.Store) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """All lineage links, derived -> base, one edge per property, and the models' names."""
    L = nx.MultiDiGraph()
    names: dict[str, str] = {}
    for row in select(store, named_query("lineage_edges")):
        d, b, p = row["derived"], row["base"], row["property"]
        for term, name in ((d, row.get("derivedName")), (b, row.get("baseName"))):
            if name:
                names.setdefault(term, name)
        if L.has_edge(d, b, key=p):
            types = L.edges[d, b, p]["derivation"]
        else:
            L.add_edge(d, b, key=p, derivation=[])
            types = L.edges[d, b, p]["derivation"]
        label = row.get("typeLabel") or (humanize(row["type"]) if row.get("type") else None)
        if label and label not in types:
            types.append(label)
    return L, names


def projection(store: ox.Store, name: str) -> nx.Graph:
    """Return a named projection of the graph for measuring.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    name : str
        A key of :data:`PROJECTIONS`: ``organization-model`` (``nx.Graph``), ``lineage``
        (``nx.DiGraph``, derived -> base), ``claims`` (``nx.DiGraph``, claimant -> subject,
        ``weight`` = claims), ``entities`` (``nx.MultiGraph``; edges keep ``predicate`` and
        its ``direction`` as stated: ``source`` is the statement's subject).

    Returns
    -------
    networkx.Graph
        Nodes keyed by IRI with ``label`` and ``kind``; ``G.graph`` holds ``projection`` and
        ``description``.

    Raises
    ------
    InvalidParameterError
        If `name` is not a projection.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.load(b'''@prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix schema: <https://schema.org/> .
    ... @prefix m: <https://w3id.org/aikg/id/model/> . @prefix o: <https://w3id.org/aikg/id/organization/> .
    ... m:a a aikg:AIModel ; schema:name "A" ; schema:creator o:x .
    ... m:b a aikg:AIModel ; schema:name "B" ; schema:creator o:x ; aikg:basedOn m:a .
    ... m:c a aikg:AIModel ; schema:name "C" ; schema:creator o:y ; aikg:basedOn m:b .
    ... o:x a schema:Organization ; schema:name "X" . o:y a schema:Organization ; schema:name "Y" .
    ... ''', format=ox.RdfFormat.TURTLE)
    >>> G = projection(s, "organization-model")
    >>> G.graph["projection"], G.number_of_nodes(), G.number_of_edges()
    ('organization-model', 5, 3)
    """
    if name not in PROJECTIONS:
        raise InvalidParameterError("projection", f"unknown projection {name!r}; use one of {', '.join(PROJECTIONS)}")
    if name == "organization-model":
        G: nx.Graph = nx.Graph()
        for row in select(store, named_query("projection_organization_model")):
            G.add_node(row["model"], label=row.get("modelName") or slug_of(row["model"]), kind="model")
            G.add_node(row["org"], label=row.get("orgName") or slug_of(row["org"]), kind="organization")
            G.add_edge(row["model"], row["org"], predicate=PREFIXES["schema"] + "creator")
    elif name == "lineage":
        G = nx.DiGraph()
        for row in select(store, named_query("projection_models")):
            G.add_node(row["model"], label=row.get("name") or slug_of(row["model"]), kind="model")
        L, names = _lineage_digraph(store)
        for d, b, p, data in L.edges(keys=True, data=True):
            for n in (d, b):
                if n not in G:
                    G.add_node(n, label=names.get(n, slug_of(n)), kind="model")
            if G.has_edge(d, b):
                G.edges[d, b]["predicates"].append(p)
            else:
                G.add_edge(d, b, predicates=[p], derivation=list(data["derivation"]))
    elif name == "claims":
        G = nx.DiGraph()
        seen: set[tuple[str, str, str]] = set()
        for row in select(store, named_query("claims_network")):
            if row["role"] != "about" or (row["claim"], row["claimant"], row["subject"]) in seen:
                continue
            seen.add((row["claim"], row["claimant"], row["subject"]))
            a, b = row["claimant"], row["subject"]
            G.add_node(
                a,
                label=row.get("claimantName") or slug_of(a),
                kind=kind_of(a, [row["claimantType"]] if row.get("claimantType") else None) or "other",
            )
            if b not in G:
                G.add_node(
                    b,
                    label=row.get("subjectName") or slug_of(b),
                    kind=kind_of(b, [row["subjectType"]] if row.get("subjectType") else None) or "other",
                )
            G.add_edge(a, b, weight=G.edges[a, b]["weight"] + 1 if G.has_edge(a, b) else 1)
    else:
        G = nx.MultiGraph()
        for row in select(store, named_query("projection_entities")):
            s, o = row["s"], row["o"]
            ks, ko = kind_of(s, [row["sType"]]), kind_of(o, [row["oType"]])
            if ks not in _PATH_KINDS or ko not in _PATH_KINDS:
                continue
            for n, k, raw in ((s, ks, row.get("sName")), (o, ko, row.get("oName"))):
                _merge_node(G, n, _shorten(raw, 60) if raw else None, k)
            if not G.has_edge(s, o, key=(row["p"], s)):
                G.add_edge(s, o, key=(row["p"], s), predicate=row["p"], source=s)
    G.graph.update(projection=name, description=PROJECTIONS[name])
    return G


def _projection_info(G: nx.Graph) -> dict[str, Any]:
    return {
        "name": G.graph["projection"],
        "description": G.graph["description"],
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
    }


def _entry(G: nx.Graph, node: str) -> dict[str, Any]:
    return {"iri": node, "label": G.nodes[node].get("label", slug_of(node)), "kind": G.nodes[node].get("kind")}
