"""Lineage of a model: its ancestors and descendants with derivation types, and the people around them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.find.resolve import resolve
from kg.find.search import label_index
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import curie, entity_ref, slug_of


def lineage(store: ox.Store, ref: str, max_depth: int | None = None, version: str = "") -> dict[str, Any]:
    """Return the ancestors and descendants of a model with derivation types and depth.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        Model slug, name or IRI.
    max_depth : int, optional
        Keep relatives at most this many derivation steps away (>= 1); default unbounded.
    version : str, optional
        Dataset version.

    Returns
    -------
    dict
        ``model`` (ref), ``ancestors`` and ``descendants``: lists of refs with ``depth`` (1 =
        direct, the shortest number of steps) sorted by depth then name; ``edges``: every
        derivation step among them, ``{"from", "to", "relation", "derivationType"}`` where
        ``from`` is the derived model, ``relation`` is ``aikg:basedOn`` or
        ``aikg:distilledFrom`` and ``derivationType`` is ``{"iri", "slug", "label"}`` or None.

    Raises
    ------
    NotFoundError
        If `ref` names no model.
    InvalidParameterError
        If `max_depth` is below 1.

    Notes
    -----
    Follows ``aikg:basedOn`` (the weights a model starts from) and ``aikg:distilledFrom`` (the
    teacher whose outputs trained it) transitively in both directions (SPARQL 1.1 property paths,
    §9.1). The derivation type is declared on the derived model.
    """
    if max_depth is not None and max_depth < 1:
        raise InvalidParameterError("max_depth", "must be at least 1")
    iri = resolve(store, "model", ref, version=version)
    index = label_index(store, version)
    node = ox.NamedNode(iri)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    names: dict[str, str] = {iri: index.names.get(iri, slug_of(iri))}
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for query in ("lineage_ancestors", "lineage_descendants"):
        for row in select(store, named_query(query), {"model": node}):
            key = (row["from"], row["rel"], row["to"])
            names.setdefault(row["from"], row.get("fromName") or slug_of(row["from"]))
            names.setdefault(row["to"], row.get("toName") or slug_of(row["to"]))
            if key in edges:
                continue
            dtype = None
            if row["rel"].endswith("distilledFrom"):
                dtype = {"iri": PREFIXES["aikg"] + "Distillation", "slug": "Distillation", "label": "distillation"}
            elif row.get("dtype"):
                dtype = {
                    "iri": row["dtype"],
                    "slug": slug_of(row["dtype"]),
                    "label": row.get("dtypeLabel") or slug_of(row["dtype"]),
                }
            edges[key] = {"from": row["from"], "to": row["to"], "relation": curie(row["rel"]), "derivationType": dtype}
            up[row["from"]].append(row["to"])
            down[row["to"]].append(row["from"])

    def walk(neighbours: dict[str, list[str]]) -> dict[str, int]:
        depth = {iri: 0}
        frontier = [iri]
        while frontier:
            nxt = []
            for current in frontier:
                for other in neighbours.get(current, []):
                    if other not in depth and (max_depth is None or depth[current] < max_depth):
                        depth[other] = depth[current] + 1
                        nxt.append(other)
            frontier = nxt
        depth.pop(iri)
        return depth

    def people(depths: dict[str, int]) -> list[dict[str, Any]]:
        out = [{**entity_ref(m, names.get(m), "model"), "depth": d} for m, d in depths.items()]
        return sorted(out, key=lambda r: (r["depth"], r["name"].casefold(), r["iri"]))

    ancestors, descendants = walk(up), walk(down)
    kept = {iri, *ancestors, *descendants}
    kept_edges = [
        {
            **e,
            "from": entity_ref(e["from"], names.get(e["from"]), "model"),
            "to": entity_ref(e["to"], names.get(e["to"]), "model"),
        }
        for e in edges.values()
        if e["from"] in kept and e["to"] in kept
    ]
    kept_edges.sort(key=lambda e: (e["from"]["iri"], e["relation"], e["to"]["iri"]))
    return {
        "model": entity_ref(iri, names[iri], "model"),
        "ancestors": people(ancestors),
        "descendants": people(descendants),
        "edges": kept_edges,
    }
