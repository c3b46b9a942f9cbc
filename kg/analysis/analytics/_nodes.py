"""Adding nodes and edges to a picture or projection once, however many rows name them."""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.terms import kind_of, slug_of


def _merge_node(G: nx.Graph, iri: str, label: str | None, kind: str, **attrs: Any) -> None:
    """Add a node once; later rows only improve it.

    A real name replaces the local-name placeholder a row without a name left, and a known kind
    replaces ``other``: the same entity reached through several rows ends up the same whatever
    their order.
    """
    if iri not in G:
        G.add_node(iri, label=label or slug_of(iri), kind=kind, **attrs)
        return
    node = G.nodes[iri]
    if label and node.get("label") == slug_of(iri):
        node["label"] = label
    if kind != "other" and node.get("kind") == "other":
        node["kind"] = kind


def _add_link(G: nx.MultiDiGraph, s: str, o: str, predicate: str, label: str, **attrs: Any) -> bool:
    """Add the edge ``s -> o`` keyed by its predicate IRI unless it is there; True when added."""
    if G.has_edge(s, o, key=predicate):
        return False
    G.add_edge(s, o, key=predicate, label=label, predicate=predicate, **attrs)
    return True


def _add_entity(G: nx.MultiDiGraph, iri: str, name: str | None, types: set[str], kind: str | None = None) -> None:
    if iri in G:
        return
    G.add_node(iri, label=name or slug_of(iri), kind=kind_of(iri, sorted(types)) or kind or "other", term="iri")
