"""Pictures of an entity's surroundings: its neighbourhood (ego graph) and a model's lineage.

A picture is a ``networkx.MultiDiGraph`` whose nodes carry *meaning* (``label``, ``kind``,
``title`` tooltip text, ``country``, ``variant``, ``flags``, ``value``) and whose edges carry the
property (``predicate``) and its label; ``viz.render_html`` turns any of them into a page. The
other pictures live beside this module: :mod:`.landscape`, :mod:`.claims_network` and
:mod:`.construct`.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._nodes import _add_link, _merge_node
from kg.analysis.analytics._tooltips import _RDF_TYPE, _SOURCE_PROPS, _annotate
from kg.analysis.analytics.projections import _lineage_digraph
from kg.analysis.analytics.references import _require_entity
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import ENTITY_KINDS, curie, display_name, humanize, kind_of, slug_of

_BASED_ON = PREFIXES["aikg"] + "basedOn"
_DISTILLED_FROM = PREFIXES["aikg"] + "distilledFrom"
_HUB_KINDS = {"concept", "country"}  # shown, but not expanded through: they join everything to everything


def graph_summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return node and edge counts of `G` by kind (for notices, reports and tests).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph made by one of the picture functions.

    Returns
    -------
    dict
        ``nodes``, ``edges`` and ``kinds`` (kind -> node count).

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="model"); G.add_node("b")
    >>> graph_summary(G)
    {'nodes': 2, 'edges': 0, 'kinds': {'model': 1, 'other': 1}}
    """
    kinds: dict[str, int] = {}
    for _, data in G.nodes(data=True):
        kind = data.get("kind", "other")
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "kinds": kinds}


def _parse_kinds(types: list[str] | None) -> list[str] | None:
    if not types:
        return None
    kinds = [t.strip() for t in types if t.strip()]
    unknown = [k for k in kinds if k not in ENTITY_KINDS]
    if unknown:
        raise InvalidParameterError("types", f"unknown kind {unknown[0]!r}; use any of {', '.join(ENTITY_KINDS)}")
    return kinds or None


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
        Hops to follow in either direction, 1 to 3. Concepts (architectures, modalities…) and
        countries are shown but not expanded through, since they link nearly every model.
    types : list of str, optional
        Keep only neighbours of these kinds (see :data:`ENTITY_KINDS`); the centre stays.
    max_nodes : int, optional
        Stop adding nodes once this many are in; ``G.graph["truncated"]`` counts those left out.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI with ``label``, ``kind`` and ``title`` (key facts and sources); one
        edge per statement keyed by the predicate IRI, with ``label`` (the property's
        ``rdfs:label``, else its local name made readable). ``G.graph`` holds ``view``,
        ``title``, ``center``, ``depth``, ``truncated`` and ``narrow_hint``.

    Raises
    ------
    InvalidParameterError
        If `depth` is outside 1..3 or a kind in `types` is unknown.
    NotFoundError
        If `iri` is in no statement.

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
    >>> G = ego_graph(s, "https://w3id.org/aikg/id/organization/x")
    >>> sorted(d["label"] for _, d in G.nodes(data=True))
    ['A', 'B', 'X']
    """
    if not 1 <= depth <= 3:
        raise InvalidParameterError("depth", "must be 1, 2 or 3")
    kinds = _parse_kinds(types)
    _require_entity(store, iri)
    G = nx.MultiDiGraph(
        view="ego",
        center=iri,
        depth=depth,
        truncated=0,
        max_nodes=max_nodes,
        narrow_hint=("add ?types=model,organization (or --types), or lower the depth"),
    )
    left_out: set[str] = set()
    frontier = [iri]
    seen = {iri}
    query = named_query("ego_links")
    for _ in range(depth):
        next_frontier: list[str] = []
        for node in frontier:
            for row in select(store, query, {"center": ox.NamedNode(node)}):
                s, p, o = row["s"], row["p"], row["o"]
                for term, label, typ in (
                    (s, row.get("sLabel"), row.get("sType")),
                    (o, row.get("oLabel"), row.get("oType")),
                ):
                    kind = kind_of(term, [typ] if typ else None) or "other"
                    if term not in G:
                        if term != iri and kinds and kind not in kinds:
                            continue
                        if G.number_of_nodes() >= max_nodes:
                            left_out.add(term)
                            continue
                    _merge_node(G, term, label, kind, term="iri")
                if s in G and o in G and _add_link(G, s, o, p, row.get("pLabel") or humanize(p)):
                    if p in _SOURCE_PROPS and G.nodes[o]["kind"] == "other":
                        G.nodes[o]["kind"] = "article"  # an untyped source document
                    for term in (s, o):
                        if term not in seen:
                            seen.add(term)
                            if G.nodes[term].get("kind") not in _HUB_KINDS:
                                next_frontier.append(term)
        frontier = next_frontier
    if iri not in G:
        # No link to another IRI (a country that is only named), or the cap came first: the
        # centre is drawn all the same.
        node = ox.NamedNode(iri)
        types = [q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(_RDF_TYPE), None)]
        _merge_node(G, iri, display_name(store, iri), kind_of(iri, types) or "other", term="iri")
    G.graph["truncated"] = len(left_out - set(G))
    _annotate(store, G)
    center = G.nodes[iri]
    center["flags"] = ["focus"]
    G.graph["title"] = f"{center['label']}: neighbourhood (depth {depth})"
    return G


def lineage_graph(store: ox.Store, iri: str, max_nodes: int = 400) -> nx.MultiDiGraph:
    """Return the lineage of a model: its ancestors and descendants, as a hierarchy.

    Ancestors are what the model is transitively ``aikg:basedOn`` or ``aikg:distilledFrom``;
    descendants are the models derived from it, transitively. The direct bases of each
    descendant are included too ("other parents"), so a distilled model shows both its teacher
    and its base weights (e.g. DeepSeek-R1-Distill-Llama-8B: teacher DeepSeek-R1, base
    Llama-3.1-8B).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        A model's IRI.
    max_nodes : int, optional
        Node cap; the focus, then ancestors, then descendants nearest first are kept.

    Returns
    -------
    networkx.MultiDiGraph
        Edges derived -> base keyed by the property; ``label`` is the derivation type for
        ``aikg:basedOn`` (e.g. ``fine-tune``, ``distillation``; ``based on`` when none is
        recorded) and ``distilled from (teacher)`` for ``aikg:distilledFrom``. Nodes carry
        ``level`` (0 = a root base model, growing downwards) and ``role`` (``focus``,
        ``ancestor``, ``descendant``, ``other parent``). ``G.graph["hierarchical"]`` is True.

    Raises
    ------
    NotFoundError
        If `iri` is in no statement.

    References
    ----------
    .. [1] Hugging Face, model card metadata ``base_model`` / ``base_model_relation``.

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
    >>> G = lineage_graph(s, "https://w3id.org/aikg/id/model/b")
    >>> sorted((d["label"], d["level"], d["role"]) for _, d in G.nodes(data=True))
    [('A', 0, 'ancestor'), ('B', 1, 'focus'), ('C', 2, 'descendant')]
    """
    _require_entity(store, iri)
    L, names = _lineage_digraph(store)
    G = nx.MultiDiGraph(
        view="lineage",
        center=iri,
        hierarchical=True,
        truncated=0,
        max_nodes=max_nodes,
        narrow_hint="draw the lineage of a model further down the tree",
    )
    if iri not in L:
        L.add_node(iri)
    ancestors = nx.descendants(L, iri)  # edges point derived -> base
    descendants = nx.ancestors(L, iri)
    others = {b for d in descendants for b in L.successors(d)} - ancestors - descendants - {iri}
    order = [iri]
    for group in (ancestors, descendants, others):
        order += sorted(group, key=lambda n: (_hops(L, iri, n), names.get(n, n)))
    keep = order[:max_nodes]
    G.graph["truncated"] = len(order) - len(keep)
    roles = {
        iri: "focus",
        **{n: "ancestor" for n in ancestors},
        **{n: "descendant" for n in descendants},
        **{n: "other parent" for n in others},
    }
    for node in keep:
        G.add_node(
            node,
            label=names.get(node, slug_of(node)),
            kind="model",
            role=roles[node],
            term="iri",
            extra_lines=[f"role in this lineage: {roles[node]}"],
        )
    for d, b, p, data in L.edges(keys=True, data=True):
        if d in G and b in G:
            label = (
                "distilled from (teacher)" if p == _DISTILLED_FROM else (", ".join(data["derivation"]) or "based on")
            )
            prop = "distilled from" if p == _DISTILLED_FROM else "based on"
            title = f"{G.nodes[d]['label']} {prop} {G.nodes[b]['label']}"
            if data["derivation"] and p == _BASED_ON:
                title += f"\nderivation type: {', '.join(data['derivation'])}"
            _add_link(G, d, b, p, label, title=f"{title}\nproperty: {curie(p)}", derivation=list(data["derivation"]))
    _annotate(store, G)
    G.nodes[iri]["flags"] = ["focus"]
    _set_levels(G)
    G.graph["title"] = f"{G.nodes[iri]['label']}: lineage"
    return G


def _hops(L: nx.MultiDiGraph, source: str, target: str) -> int:
    try:
        return int(nx.shortest_path_length(L.to_undirected(as_view=True), source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return 1 << 30


def _set_levels(G: nx.MultiDiGraph) -> None:
    """Level 0 for root bases; each derived model one below its lowest base (longest path)."""
    simple = nx.DiGraph(G.edges())
    simple.add_nodes_from(G.nodes())
    if not nx.is_directed_acyclic_graph(simple):
        G.graph["levels"] = False  # bad data (a cycle): let the layout sort it out
        return
    levels: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(simple))):  # bases first
        levels[node] = 1 + max((levels[b] for b in simple.successors(node)), default=-1)
    for node, level in levels.items():
        G.nodes[node]["level"] = level
    G.graph["levels"] = True
