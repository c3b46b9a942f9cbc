"""Measures on a named projection: centrality, lineage chains, shortest paths, communities.

Every result names the projection it was computed on (:data:`PROJECTIONS`).
"""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._tooltips import _property_labels
from kg.analysis.analytics.projections import PROJECTIONS, _entry, _projection_info, projection
from kg.errors import InvalidParameterError, NotFoundError
from kg.namespaces import PREFIXES
from kg.terms import ENTITY_KINDS, humanize

MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness")
"""Centrality measures :func:`centrality` computes."""


def centrality(
    store: ox.Store,
    projection_name: str = "organization-model",
    measure: str = "pagerank",
    limit: int = 20,
    kind: str | None = None,
) -> dict[str, Any]:
    """Rank the nodes of a projection by a centrality measure.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    projection_name : str, optional
        A key of :data:`PROJECTIONS`.
    measure : {"degree", "pagerank", "betweenness"}, optional
        ``degree``: degree / (n - 1) (in + out on directed projections); ``pagerank``: PageRank
        with damping 0.85 (on ``lineage`` rank flows from derived models to their bases, so
        much-derived bases rank high; ``claims`` edges are weighted by number of claims);
        ``betweenness``: shortest-path betweenness normalised by the number of node pairs
        ((n-1)(n-2) directed, half that undirected).
    limit : int, optional
        Number of results, 1 to 1000.
    kind : str, optional
        Rank only nodes of this kind (the measure is still computed on the whole projection).

    Returns
    -------
    dict
        ``projection`` (``name``, ``description``, ``nodes``, ``edges``), ``measure``,
        ``parameters`` and ``results``: a list of ``{"rank", "iri", "label", "kind", "score",
        "degree"}``, highest score first (ties by label).

    Raises
    ------
    InvalidParameterError
        If the projection, measure, limit or kind is not acceptable.

    References
    ----------
    .. [1] Page, Brin, Motwani and Winograd, "The PageRank citation ranking", 1999.
    .. [2] Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25, 2001.

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
    >>> r = centrality(s, "organization-model", "degree", limit=1)
    >>> r["projection"]["name"], r["results"][0]["label"], r["results"][0]["score"]
    ('organization-model', 'X', 0.5)
    """
    if measure not in MEASURES:
        raise InvalidParameterError("measure", f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    if not 1 <= limit <= 1000:
        raise InvalidParameterError("limit", "must be between 1 and 1000")
    if kind is not None and kind not in ENTITY_KINDS:
        raise InvalidParameterError("kind", f"unknown kind {kind!r}; use one of {', '.join(ENTITY_KINDS)}")
    G = projection(store, projection_name)
    simple = nx.Graph(G) if G.is_multigraph() else G
    parameters: dict[str, Any] = {}
    if G.number_of_nodes() == 0:
        scores: dict[str, float] = {}
    elif measure == "degree":
        scores = nx.degree_centrality(simple)
    elif measure == "pagerank":
        parameters = {"alpha": 0.85, "weight": "weight" if projection_name == "claims" else None, "tol": 1e-12}
        scores = nx.pagerank(simple, alpha=0.85, weight=parameters["weight"], tol=1e-12, max_iter=1000)
    else:
        parameters = {"normalized": True}
        scores = nx.betweenness_centrality(simple, normalized=True)
    nodes = [n for n in simple if kind is None or simple.nodes[n].get("kind") == kind]
    nodes.sort(key=lambda n: (-scores.get(n, 0.0), simple.nodes[n].get("label", n).casefold(), n))
    results = [
        {"rank": i + 1, **_entry(simple, n), "score": round(scores.get(n, 0.0), 10), "degree": simple.degree(n)}
        for i, n in enumerate(nodes[:limit])
    ]
    return {"projection": _projection_info(G), "measure": measure, "parameters": parameters, "results": results}


def lineage_chains(store: ox.Store, limit: int = 10) -> dict[str, Any]:
    """Return the longest lineage chains: model -> base -> base … to a root.

    One chain per *leaf* (a model nothing is derived from) that has a base: the longest path from
    it to a root base (ties broken by the names along the way), longest chains first.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    limit : int, optional
        Number of chains, 1 to 1000.

    Returns
    -------
    dict
        ``projection`` (the ``lineage`` projection), ``longest`` (edges in the longest chain,
        0 when there is no lineage), ``cycles`` (lineage cycles found, which are data errors;
        their closing edges are ignored) and ``chains``: ``{"length", "models": [{"iri",
        "label"}], "steps": [{"from", "to", "properties", "derivation"}]}``, derived first.

    Raises
    ------
    InvalidParameterError
        If `limit` is out of range.

    Notes
    -----
    Dynamic programming over a topological order, O(n + m).

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
    >>> [m["label"] for m in lineage_chains(s)["chains"][0]["models"]]
    ['C', 'B', 'A']
    """
    if not 1 <= limit <= 1000:
        raise InvalidParameterError("limit", "must be between 1 and 1000")
    G = projection(store, "lineage")
    dag = nx.DiGraph(G)
    cycles: list[list[str]] = []
    while True:
        try:
            cycle = nx.find_cycle(dag)
        except nx.NetworkXNoCycle:
            break
        cycles.append([u for u, _v in cycle])
        dag.remove_edge(*cycle[-1][:2])
    best: dict[str, tuple[int, tuple[str, ...], list[str]]] = {}

    def label(n: str) -> str:
        return str(G.nodes[n].get("label", n)).casefold()

    for node in reversed(list(nx.topological_sort(dag))):  # bases before what derives from them
        options = [(best[b][0] + 1, (label(b), *best[b][1]), [node, *best[b][2]]) for b in dag.successors(node)]
        # longest first; among equally long chains the one whose names sort first
        best[node] = min(options, key=lambda t: (-t[0], t[1])) if options else (0, (), [node])
    chains = []
    for node in dag:
        if dag.in_degree(node) == 0 and dag.out_degree(node) > 0:
            length, _names, path = best[node]
            steps = [
                {
                    "from": _entry(G, a),
                    "to": _entry(G, b),
                    "properties": list(G.edges[a, b]["predicates"]),
                    "derivation": list(G.edges[a, b]["derivation"]),
                }
                for a, b in itertools.pairwise(path)
            ]
            chains.append({"length": length, "models": [_entry(G, n) for n in path], "steps": steps})
    chains.sort(key=lambda c: (-c["length"], [m["label"].casefold() for m in c["models"]]))
    return {
        "projection": _projection_info(G),
        "longest": chains[0]["length"] if chains else 0,
        "cycles": cycles,
        "chains": chains[:limit],
    }


def shortest_path(store: ox.Store, source: str, target: str, projection_name: str = "entities") -> dict[str, Any]:
    """Return a shortest path between two entities, with the properties along it.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    source, target : str
        IRIs of the two entities.
    projection_name : str, optional
        The projection to walk (edges are walked in either direction): ``entities`` (default),
        ``organization-model``, ``lineage`` or ``claims``.

    Returns
    -------
    dict
        ``projection``, ``source``, ``target``, ``length`` (edges; ``None`` when no path
        exists) and ``steps``: ``{"from", "to", "properties": [{"iri", "label", "direction"}]}``
        where ``direction`` is ``forward`` when the statement reads from -> to and ``backward``
        otherwise. Every property linking the two nodes of a step is listed. Of several shortest
        paths, the one first in breadth-first order from `source` is returned.

    Raises
    ------
    InvalidParameterError
        If `projection_name` is not a projection.
    NotFoundError
        If `source` or `target` is not a node of the projection.

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
    >>> r = shortest_path(s, "https://w3id.org/aikg/id/model/c", "https://w3id.org/aikg/id/organization/x")
    >>> r["length"], [p["label"] for step in r["steps"] for p in step["properties"]]
    (2, ['based on', 'creator'])
    """
    G = projection(store, projection_name)
    for end in (source, target):
        if end not in G:
            raise NotFoundError(f"{end} is not in the {projection_name} projection ({PROJECTIONS[projection_name]})")
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    info = {"projection": _projection_info(G), "source": _entry(G, source), "target": _entry(G, target)}
    try:
        path = nx.shortest_path(U, source, target)
    except nx.NetworkXNoPath:
        return {**info, "length": None, "steps": []}
    labels = _property_labels(store)
    steps = []
    for a, b in itertools.pairwise(path):
        props: list[dict[str, str]] = []
        for subject, obj in ((a, b), (b, a)):
            for p in _predicates_between(G, subject, obj, projection_name):
                props.append(
                    {
                        "iri": p,
                        "label": labels.get(p) or humanize(p),
                        "direction": "forward" if subject == a else "backward",
                    }
                )
        steps.append({"from": _entry(G, a), "to": _entry(G, b), "properties": props})
    return {**info, "length": len(path) - 1, "steps": steps}


def _predicates_between(G: nx.Graph, subject: str, obj: str, name: str) -> list[str]:
    """Predicates of the statements ``subject p obj`` that the projection holds."""
    if name == "organization-model":
        return (
            [PREFIXES["schema"] + "creator"]
            if G.nodes[subject].get("kind") == "model" and G.has_edge(subject, obj)
            else []
        )
    if name == "lineage":
        return list(G.edges[subject, obj]["predicates"]) if G.has_edge(subject, obj) else []
    if name == "claims":
        return ["claimant -> subject"] if G.has_edge(subject, obj) else []
    data = G.get_edge_data(subject, obj) or {}
    return sorted({d["predicate"] for d in data.values() if d["source"] == subject})


def communities(
    store: ox.Store, projection_name: str = "organization-model", seed: int = 42, resolution: float = 1.0
) -> dict[str, Any]:
    """Find communities in a projection (Louvain modularity optimisation, seeded).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    projection_name : str, optional
        A key of :data:`PROJECTIONS`; directed projections are taken as undirected.
    seed : int, optional
        Random seed: the same seed gives the same communities.
    resolution : float, optional
        Above 1 favours smaller communities, below 1 larger ones (0 < resolution <= 10).

    Returns
    -------
    dict
        ``projection``, ``method`` (``louvain``), ``seed``, ``resolution``, ``modularity`` and
        ``communities``: ``{"size", "members": [{"iri", "label", "kind"}]}``, largest first,
        members sorted by label.

    Raises
    ------
    InvalidParameterError
        If the projection or resolution is not acceptable.

    References
    ----------
    .. [1] Blondel, Guillaume, Lambiotte and Lefebvre, "Fast unfolding of communities in large
       networks", J. Stat. Mech. 2008, P10008.

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
    >>> [[m["label"] for m in c["members"]] for c in communities(s)["communities"]]
    [['A', 'B', 'X'], ['C', 'Y']]
    """
    if not 0 < resolution <= 10:
        raise InvalidParameterError("resolution", "must be greater than 0 and at most 10")
    G = projection(store, projection_name)
    U = nx.Graph(G.to_undirected()) if G.is_directed() or G.is_multigraph() else G
    if U.number_of_edges() == 0:
        parts: list[set[str]] = [{n} for n in U]
        modularity = 0.0
    else:
        parts = [set(c) for c in nx.community.louvain_communities(U, seed=seed, resolution=resolution)]
        modularity = nx.community.modularity(U, parts, resolution=resolution)
    out = []
    for part in parts:
        members = sorted((_entry(G, n) for n in part), key=lambda e: (e["label"].casefold(), e["iri"]))
        out.append({"size": len(part), "members": members})
    out.sort(key=lambda c: (-c["size"], c["members"][0]["label"].casefold() if c["members"] else ""))
    return {
        "projection": _projection_info(G),
        "method": "louvain",
        "seed": seed,
        "resolution": resolution,
        "modularity": round(modularity, 10),
        "communities": out,
    }
