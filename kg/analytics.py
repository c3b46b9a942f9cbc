"""networkx views of the graph, and measures on them.

Two families of functions, all taking the pyoxigraph store first so a query worker can run them:

* **pictures** (``ego_graph``, ``lineage_graph``, ``landscape_graph``, ``claims_graph``,
  ``construct_graph``): a ``networkx.MultiDiGraph`` whose nodes carry *meaning* (``label``,
  ``kind``, ``title`` tooltip text, ``country``, ``variant``, ``flags``, ``value``) and whose
  edges carry the property (``predicate``) and its label; ``viz.render_html`` turns any of them
  into a page;
* **measures** over a named *projection* (:data:`PROJECTIONS`): centrality, lineage chains,
  shortest paths, communities, and the chart series. Every result names the projection it was
  computed on.

Node keys are IRIs as plain strings; literals and blank nodes (only in ``construct_graph``) are
keyed by their N-Triples form (``"ACME"@en``, ``"1999"^^<…#gYear>``, ``_:b0``), which can never
equal an IRI, so equal-looking terms of different kinds stay different nodes (RDF 1.1 Concepts
§3.3; known-traps case 28).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.engine.dataset import union_dataset
from kg.engine.sparql import check_query, select
from kg.errors import InvalidParameterError, NotFoundError, QueryFormError, QuerySyntaxError
from kg.find.resolve import resolve
from kg.find.search import search
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import kind_of

__all__ = [
    "CHARTS",
    "ENTITY_KINDS",
    "MEASURES",
    "OPENNESS",
    "PROJECTIONS",
    "centrality",
    "chart_data",
    "claims_graph",
    "communities",
    "construct_graph",
    "ego_graph",
    "graph_summary",
    "landscape_graph",
    "lineage_chains",
    "lineage_graph",
    "projection",
    "rdf_to_networkx",
    "resolve_ref",
    "shortest_path",
]

ENTITY_KINDS: tuple[str, ...] = (
    "model",
    "organization",
    "person",
    "claim",
    "article",
    "license",
    "family",
    "benchmark-result",
    "country",
    "concept",
    "other",
)
"""Kinds a node can have (``?types=`` filters take these)."""

OPENNESS: dict[str, str] = {
    "osi": "weights under an OSI-approved license",
    "open-weights": "downloadable weights, license not OSI-approved",
    "closed": "API, hosted or unreleased",
    "unknown": "no license or accessibility recorded",
}
"""License-openness categories of a model, most open first (landscape filter, license-mix chart)."""

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

MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness")
"""Centrality measures :func:`centrality` computes."""

CHARTS: dict[str, str] = {
    "releases-by-country": "Model releases per quarter: China, United States, others (all and open-weight)",
    "moe-share": "Share of Mixture-of-Experts models among new releases, per quarter",
    "license-mix": "License openness of each region's models",
}
"""Chart name -> title; each is computed by the named query ``chart_{name}.rq``."""

_RDF_TYPE = PREFIXES["rdf"] + "type"
_BASED_ON = PREFIXES["aikg"] + "basedOn"
_DISTILLED_FROM = PREFIXES["aikg"] + "distilledFrom"
_HUB_KINDS = {"concept", "country"}  # shown, but not expanded through: they join everything to everything
_PATH_KINDS = {"model", "organization", "person", "claim", "article", "family"}
_REGIONS = ("China", "United States", "others")

# Tooltip facts in display order: property -> label (values of IRIs are shown by their names).
_FACTS: dict[str, str] = {
    PREFIXES["schema"] + "creator": "creator",
    PREFIXES["schema"] + "author": "claimant",
    PREFIXES["schema"] + "about": "about",
    PREFIXES["schema"] + "text": "text",
    PREFIXES["aikg"] + "paraphrase": "paraphrase",
    PREFIXES["aikg"] + "stance": "stance",
    PREFIXES["schema"] + "datePublished": "published",
    PREFIXES["schema"] + "dateCreated": "date",
    PREFIXES["schema"] + "addressCountry": "country",
    PREFIXES["schema"] + "parentOrganization": "parent organization",
    PREFIXES["schema"] + "publisher": "publisher",
    PREFIXES["aikg"] + "architecture": "architecture",
    PREFIXES["aikg"] + "weightsLicense": "weights license",
    PREFIXES["aikg"] + "codeLicense": "code license",
    PREFIXES["aikg"] + "accessibility": "accessibility",
    PREFIXES["aikg"] + "derivationType": "derivation",
    PREFIXES["spdx"] + "licenseId": "SPDX id",
    PREFIXES["spdx"] + "isOsiApproved": "OSI-approved",
    PREFIXES["schema"] + "identifier": "code",
    PREFIXES["schema"] + "url": "web page",
}
_NAME_PROPS = (
    PREFIXES["schema"] + "name",
    PREFIXES["schema"] + "headline",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["spdx"] + "name",
    PREFIXES["rdfs"] + "label",
)
_SOURCE_PROPS = (PREFIXES["dcterms"] + "source", PREFIXES["schema"] + "appearance")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


# --------------------------------------------------------------------------------------------
# labels and facts


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _humanize(iri: str) -> str:
    """Return a readable label from an IRI's local name: ``parentOrganization`` -> ``parent organization``."""
    return _CAMEL.sub(" ", _local(iri)).replace("_", " ").lower() or iri


def _property_labels(store: ox.Store) -> dict[str, str]:
    return {row["p"]: row["label"] for row in select(store, named_query("property_labels"))}


def _format_count(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(number) >= size:
            return f"{number / size:.3g} {unit}"
    return f"{number:g}"


def _shorten(text: str, limit: int = 280) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _facts(store: ox.Store, iri: str) -> dict[str, Any]:
    """Return ``label``, ``kind``, tooltip ``lines`` and ``sources`` of one entity."""
    rows = select(store, named_query("node_facts"), {"s": ox.NamedNode(iri)})
    types: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, list[str]] = defaultdict(list)
    total = active = None
    sources: list[str] = []
    for row in rows:
        p, o = row["p"], row["o"]
        if p == _RDF_TYPE:
            types.append(str(o))
        elif p in _NAME_PROPS:
            names.setdefault(p, str(o))
        elif p == PREFIXES["aikg"] + "totalParameters":
            total = o
        elif p == PREFIXES["aikg"] + "activeParameters":
            active = o
        elif p in _SOURCE_PROPS:
            source = row.get("oLabel") or str(o)
            if source not in sources:
                sources.append(source)
        elif p in _FACTS:
            shown = row.get("oLabel") or (_local(str(o)) if row.get("oIsIri") else str(o))
            if p in (PREFIXES["schema"] + "text", PREFIXES["aikg"] + "paraphrase"):
                shown = f"“{_shorten(shown)}”"
            if shown not in values[p]:
                values[p].append(shown)
    kind = kind_of(iri, types) or "other"
    label = next((names[p] for p in _NAME_PROPS if p in names), _local(iri))
    lines = [f"{label} ({kind})"]
    for p, name in _FACTS.items():
        if p in values:
            lines.append(f"{name}: {', '.join(values[p][:6])}")
            if p == PREFIXES["aikg"] + "architecture" and total is not None:
                lines.append(_parameters_line(total, active))
    if total is not None and PREFIXES["aikg"] + "architecture" not in values:
        lines.append(_parameters_line(total, active))
    if sources:
        lines.append("sources: " + "; ".join(sources[:5]))
    lines.append(iri)
    return {"label": label, "kind": kind, "lines": lines, "sources": sources, "total": total, "active": active}


def _parameters_line(total: Any, active: Any) -> str:
    line = f"parameters: {_format_count(total)} total"
    return line + (f", {_format_count(active)} active" if active is not None else "")


def _annotate(store: ox.Store, G: nx.MultiDiGraph, limit: int = 1500) -> None:
    """Give IRI nodes without a tooltip one (key facts and sources), and better names and kinds."""
    for count, (node, data) in enumerate(G.nodes(data=True)):
        if count >= limit or data.get("term", "iri") != "iri" or data.get("title"):
            continue
        facts = _facts(store, node)
        if data.get("label") in (None, "", _local(node)):
            data["label"] = facts["label"]
        if data.get("kind") in (None, "other"):
            data["kind"] = facts["kind"]
        extra = data.pop("extra_lines", [])
        data["title"] = "\n".join(facts["lines"][:1] + list(extra) + facts["lines"][1:])


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


def resolve_ref(store: ox.Store, ref: str, parameter: str = "entity", version: str = "") -> str:
    """Return the IRI that ``KIND/SLUG`` (or a name, or a full IRI) names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        ``model/glm-4.5``, ``organization/智谱`` (a name), or ``https://…``.
    parameter : str, optional
        The caller's parameter name, for the error message.
    version : str, optional
        Dataset version (label-index cache key of :func:`kg.find.resolve.resolve`).

    Returns
    -------
    str

    Raises
    ------
    InvalidParameterError
        If `ref` is neither an IRI nor ``KIND/SLUG``, or starts like an IRI but is not a valid one.
    NotFoundError
        If nothing of that kind has that slug or name, or the IRI is in no statement.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.load(b'<https://w3id.org/aikg/id/model/a> <https://schema.org/name> "A" .', format=ox.RdfFormat.N_TRIPLES)
    >>> resolve_ref(s, "model/a")
    'https://w3id.org/aikg/id/model/a'
    >>> resolve_ref(s, "https://w3id.org/aikg/id/model/a b")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidParameterError: entity: 'https://w3id.org/aikg/id/model/a b' is not an IRI (RFC 3987: no spaces or <>"{}|^`\\); give KIND/SLUG or a name
    """
    if ref.startswith(("http://", "https://")):
        try:
            ox.NamedNode(ref)
        except ValueError:
            raise InvalidParameterError(
                parameter,
                f'{ref[:200]!r} is not an IRI (RFC 3987: no spaces or <>"{{}}|^`\\); give KIND/SLUG or a name',
            ) from None
        _require_entity(store, ref)
        return ref
    kind, _, slug = ref.partition("/")
    if not slug:
        raise InvalidParameterError(parameter, "give KIND/SLUG, e.g. model/glm-4.5, or a full IRI")
    try:
        return resolve(store, kind, slug, version=version)
    except ValueError:
        # kg.find.resolve.resolve first tries the text as an IRI, which a name with a space is not
        found = search(store, slug, kind=kind, limit=5, version=version)["results"]
        hits = [h for h in found if h["match"] == "exact" and not h["loose"]]
        if hits:
            return str(hits[0]["iri"])
        raise NotFoundError(f"no {kind} named {slug!r}") from None


def _require_entity(store: ox.Store, iri: str) -> None:
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # text that is no IRI names no entity (known-traps: invalid IRIs)
        raise NotFoundError(f"no entity with IRI {iri[:200]!r}: not a valid IRI") from None
    if (
        next(iter(store.quads_for_pattern(node, None, None)), None) is None
        and next(iter(store.quads_for_pattern(None, None, node)), None) is None
    ):
        raise NotFoundError(f"no entity with IRI {iri}")


def _parse_kinds(types: list[str] | None) -> list[str] | None:
    if not types:
        return None
    kinds = [t.strip() for t in types if t.strip()]
    unknown = [k for k in kinds if k not in ENTITY_KINDS]
    if unknown:
        raise InvalidParameterError("types", f"unknown kind {unknown[0]!r}; use any of {', '.join(ENTITY_KINDS)}")
    return kinds or None


# --------------------------------------------------------------------------------------------
# pictures


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
                if s in G and o in G and _add_link(G, s, o, p, row.get("pLabel") or _humanize(p)):
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
        _merge_node(G, iri, _name(store, iri), kind_of(iri, types) or "other", term="iri")
    G.graph["truncated"] = len(left_out - set(G))
    _annotate(store, G)
    center = G.nodes[iri]
    center["flags"] = ["focus"]
    G.graph["title"] = f"{center['label']}: neighbourhood (depth {depth})"
    return G


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
        label = row.get("typeLabel") or (_humanize(row["type"]) if row.get("type") else None)
        if label and label not in types:
            types.append(label)
    return L, names


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
            label=names.get(node, _local(node)),
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
            _add_link(
                G, d, b, p, label, title=f"{title}\nproperty: {_short_iri(p)}", derivation=list(data["derivation"])
            )
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


def _short_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def landscape_graph(
    store: ox.Store,
    year: int | None = None,
    modality: str | None = None,
    openness: list[str] | None = None,
    max_nodes: int = 600,
) -> nx.MultiDiGraph:
    """Return the landscape: organizations and the models they created.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    year : int, optional
        Keep models published in this year (``schema:datePublished``).
    modality : str, optional
        Keep models of this modality (a ``skos:notation`` of the modality scheme, e.g. ``text``,
        ``video``; narrower modalities count, so ``audio`` takes speech models).
    openness : list of str, optional
        Keep models in these license-openness categories (keys of :data:`OPENNESS`).
    max_nodes : int, optional
        Node cap; the largest organizations (most models) are kept first.

    Returns
    -------
    networkx.MultiDiGraph
        Models (``kind`` ``model``, ``variant`` ``moe`` or ``dense``, ``value`` = log10 of
        total parameters for the node size, ``country`` ISO code of the first creator) with an
        edge ``creator`` to each organization (``country``). ``G.graph["filters"]`` echoes
        the filters.

    Raises
    ------
    InvalidParameterError
        If a filter value is not one the graph knows.

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
    >>> G = landscape_graph(s)
    >>> sorted(G.nodes[n]["label"] for n in G.predecessors("https://w3id.org/aikg/id/organization/x"))
    ['A', 'B']
    """
    if year is not None and not 1900 <= year <= 2100:
        raise InvalidParameterError("year", "give a four-digit year, e.g. 2025")
    wanted = [o.strip() for o in openness or [] if o.strip()]
    for value in wanted:
        if value not in OPENNESS:
            raise InvalidParameterError("openness", f"unknown category {value!r}; use any of {', '.join(OPENNESS)}")
    models: dict[str, dict[str, Any]] = {}
    for row in select(store, named_query("landscape_models")):
        m = models.setdefault(
            row["model"],
            {
                "iri": row["model"],
                "name": row["name"],
                "orgs": {},
                "modalities": set(),
                "date": row.get("date"),
                "total": row.get("total"),
                "active": row.get("active"),
                "arch": row.get("archLabel"),
                "moe": bool(row.get("moe")),
                "openness": row.get("openness", "unknown"),
            },
        )
        if row.get("org"):
            m["orgs"].setdefault(
                row["org"], (row.get("orgName") or _local(row["org"]), row.get("countryCode"), row.get("countryName"))
            )
        if row.get("modality"):
            m["modalities"].add(row["modality"])
    known_modalities = sorted({mod for m in models.values() for mod in m["modalities"]})
    if modality is not None and modality not in known_modalities:
        raise InvalidParameterError(
            "modality", f"unknown modality {modality!r}; the graph has {', '.join(known_modalities)}"
        )
    kept = [
        m
        for m in models.values()
        if (year is None or str(m["date"] or "")[:4] == str(year))
        and (modality is None or modality in m["modalities"])
        and (not wanted or m["openness"] in wanted)
    ]
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in kept:
        for org in m["orgs"] or {"": ("", None, None)}:
            by_org[org].append(m)
    G = nx.MultiDiGraph(
        view="landscape",
        truncated=0,
        color_by="country",
        max_nodes=max_nodes,
        filters={"year": year, "modality": modality, "openness": wanted or None},
        narrow_hint="filter with ?year=2025, ?modality=text or ?openness=osi",
    )
    ranked = sorted(by_org.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    total_nodes = len({m["iri"] for m in kept}) + len([o for o in by_org if o])
    for org, members in ranked:
        org_info = members[0]["orgs"].get(org) if org else None
        needed = (0 if not org or org in G else 1) + len([m for m in members if m["iri"] not in G])
        if G.number_of_nodes() + needed > max_nodes:
            continue
        if org_info:
            name, code, country = org_info
            G.add_node(
                org,
                label=name,
                kind="organization",
                country=code,
                term="iri",
                title=f"{name} (organization)\ncountry: {country or code or 'unknown'}\nmodels here: {len(members)}\n{org}",
            )
        for m in members:
            if m["iri"] not in G:
                G.add_node(m["iri"], **_landscape_model_node(m))
            if org:
                _add_link(G, m["iri"], org, PREFIXES["schema"] + "creator", "creator")
    G.graph["truncated"] = total_nodes - G.number_of_nodes()
    parts = [
        f"in {year}" if year else "",
        f"{modality} models" if modality else "",
        f"openness {', '.join(wanted)}" if wanted else "",
    ]
    G.graph["title"] = "AI landscape: organizations and their models" + (
        " (" + "; ".join(p for p in parts if p) + ")" if any(parts) else ""
    )
    return G


def _landscape_model_node(m: dict[str, Any]) -> dict[str, Any]:
    orgs = list(m["orgs"].values())
    country = next((code for _, code, _ in orgs if code), None)
    lines = [f"{m['name']} (AI model)"]
    if orgs:
        lines.append("creator: " + ", ".join(f"{name} ({code or '?'})" for name, code, _ in orgs))
    if m["date"]:
        lines.append(f"published: {m['date']}")
    if m["arch"]:
        lines.append(f"architecture: {m['arch']}")
    if m["total"] is not None:
        lines.append(_parameters_line(m["total"], m["active"]))
    if m["modalities"]:
        lines.append("modality: " + ", ".join(sorted(m["modalities"])))
    lines.append(f"openness: {m['openness']} ({OPENNESS.get(m['openness'], '')})")
    lines.append(m["iri"])
    node: dict[str, Any] = {
        "label": m["name"],
        "kind": "model",
        "variant": "moe" if m["moe"] else "dense",
        "country": country,
        "title": "\n".join(lines),
        "term": "iri",
        "openness": m["openness"],
    }
    try:
        if m["total"] is not None and float(m["total"]) > 0:
            node["value"] = round(math.log10(float(m["total"])), 3)
    except (TypeError, ValueError):
        pass
    return node


def claims_graph(store: ox.Store, about: str | None = None, max_nodes: int = 400) -> nx.MultiDiGraph:
    """Return the claims network: who claims what about whom, where, with interests marked.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    about : str, optional
        IRI of a subject: keep only the claims about it.
    max_nodes : int, optional
        Node cap; claims are added whole (claim, claimant, subjects, sources) in IRI order.

    Returns
    -------
    networkx.MultiDiGraph
        Claim nodes (``kind`` ``claim``; tooltip: verbatim text, paraphrase, stance, date) with
        edges ``author`` (to the claimant), ``about`` / ``compared with`` (to subjects) and
        ``appearance`` (to the source), sources with ``publisher`` and publishers with
        ``parent organization`` up the ownership chain. ``flags`` mark a *self-claim* (the
        claimant created the subject) on the claim and its ``author`` edge, and a *conflict of
        interest* (the source's publisher is, or is owned by, the claimant, a subject or a
        subject's creator) on the claim and on the source -> publisher -> owner edges.

    Raises
    ------
    NotFoundError
        If `about` is given and is in no statement.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.load(b'''@prefix schema: <https://schema.org/> . @prefix c: <https://w3id.org/aikg/id/claim/> .
    ... @prefix m: <https://w3id.org/aikg/id/model/> . @prefix o: <https://w3id.org/aikg/id/organization/> .
    ... c:c a schema:Claim ; schema:author o:x ; schema:about m:a . m:a schema:creator o:x .
    ... ''', format=ox.RdfFormat.TURTLE)
    >>> claims_graph(s).nodes["https://w3id.org/aikg/id/claim/c"]["flags"]
    ['self-claim']
    """
    if about:
        _require_entity(store, about)
    claims: dict[str, dict[str, Any]] = {}
    for row in select(store, named_query("claims_network")):
        c = claims.setdefault(
            row["claim"],
            {
                "claimant": row["claimant"],
                "claimantName": row.get("claimantName"),
                "claimantType": set(),
                "subjects": {},
                "self": False,
                "row": row,
            },
        )
        if row.get("claimantType"):
            c["claimantType"].add(row["claimantType"])
        subject = c["subjects"].setdefault(
            (row["subject"], row["role"]), {"name": row.get("subjectName"), "types": set()}
        )
        if row.get("subjectType"):
            subject["types"].add(row["subjectType"])
        c["self"] = c["self"] or bool(row.get("selfClaim"))
    if about:
        claims = {k: v for k, v in claims.items() if any(s == about for s, _ in v["subjects"])}
    sources: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in select(store, named_query("claims_sources")):
        sources[row["claim"]].append(row)
    conflicts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in select(store, named_query("claims_conflicts")):
        conflicts[row["claim"]].append(row)
    G = nx.MultiDiGraph(
        view="claims",
        truncated=0,
        max_nodes=max_nodes,
        narrow_hint="show the claims about one entity with ?about=model/glm-4.5",
    )
    left = 0
    schema = PREFIXES["schema"]
    for claim in sorted(claims):
        c = claims[claim]
        row = c["row"]
        members = {claim, c["claimant"], *(s for s, _ in c["subjects"]), *(r["source"] for r in sources[claim])}
        if G.number_of_nodes() + len(members - set(G)) > max_nodes:
            left += 1
            continue
        interest = conflicts[claim]
        flags = (["self-claim"] if c["self"] else []) + (["conflict of interest"] if interest else [])
        lines = [f"claim ({', '.join(flags)})" if flags else "claim"]
        if row.get("text"):
            lines.append(f"text: “{_shorten(row['text'])}”")
        if row.get("paraphrase"):
            lines.append(f"paraphrase: {_shorten(row['paraphrase'])}")
        for key, name in (("stance", "stance"), ("date", "date")):
            if row.get(key):
                lines.append(f"{name}: {row[key]}")
        lines.append(f"claimant: {c['claimantName'] or _local(c['claimant'])}")
        for conflict in interest:
            owner, publisher = _name(store, conflict["owner"]), _name(store, conflict["publisher"])
            where = (
                f"the source is published by {owner}"
                if conflict["owner"] == conflict["publisher"]
                else f"the source's publisher, {publisher}, is owned by {owner}"
            )
            lines.append(f"conflict of interest: {where}, the {conflict['interest']}")
        for src in sources[claim]:
            lines.append(
                f"source: {src.get('sourceName') or src['source']}"
                + (f" ({src['sourceUrl']})" if src.get("sourceUrl") else "")
            )
        lines.append(claim)
        label = _shorten(row.get("label") or row.get("paraphrase") or row.get("text") or _local(claim), 60)
        G.add_node(claim, label=label, kind="claim", flags=flags, title="\n".join(lines), term="iri")
        _add_entity(G, c["claimant"], c["claimantName"], c["claimantType"])
        _add_link(G, claim, c["claimant"], schema + "author", "author", flags=["self-claim"] if c["self"] else [])
        for (subject, role), info in c["subjects"].items():
            _add_entity(G, subject, info["name"], info["types"])
            predicate = schema + "about" if role == "about" else PREFIXES["aikg"] + "comparedWith"
            _add_link(G, claim, subject, predicate, role)
        conflict_pubs = {(r["publisher"], r["owner"]) for r in interest}
        for src in sources[claim]:
            _add_entity(
                G,
                src["source"],
                src.get("sourceName"),
                {schema + "NewsArticle"} if src.get("publisher") else set(),
                kind="article",
            )
            _add_link(
                G,
                claim,
                src["source"],
                schema + "appearance",
                "appearance",
                flags=["conflict of interest"] if interest else [],
            )
            if src.get("publisher"):
                pub = src["publisher"]
                _add_entity(G, pub, src.get("publisherName"), set(), kind="organization")
                hot = any(p == pub for p, _ in conflict_pubs)
                _add_link(G, src["source"], pub, schema + "publisher", "publisher", flags=[])
                if hot:
                    G.edges[src["source"], pub, schema + "publisher"]["flags"] = ["conflict of interest"]
                if src.get("owner"):
                    owned, owner = src["owned"], src["owner"]
                    _add_entity(G, owned, None, set(), kind="organization")
                    _add_entity(G, owner, src.get("ownerName"), set(), kind="organization")
                    key = schema + "parentOrganization"
                    _add_link(G, owned, owner, key, "parent organization", flags=[])
                    if hot:
                        G.edges[owned, owner, key]["flags"] = ["conflict of interest"]
    G.graph["truncated"] = left
    G.graph["truncated_unit"] = "claims"
    _annotate(store, G)
    title = "Claims network"
    if about:
        title += f": claims about {_name(store, about)}"
    G.graph["title"] = title
    return G


def _name(store: ox.Store, iri: str) -> str:
    for p in _NAME_PROPS:
        for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(p), None):
            return str(quad.object.value)
    return _local(iri)


def _merge_node(G: nx.Graph, iri: str, label: str | None, kind: str, **attrs: Any) -> None:
    """Add a node once; later rows only improve it.

    A real name replaces the local-name placeholder a row without a name left, and a known kind
    replaces ``other``: the same entity reached through several rows ends up the same whatever
    their order.
    """
    if iri not in G:
        G.add_node(iri, label=label or _local(iri), kind=kind, **attrs)
        return
    node = G.nodes[iri]
    if label and node.get("label") == _local(iri):
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
    G.add_node(iri, label=name or _local(iri), kind=kind_of(iri, sorted(types)) or kind or "other", term="iri")


def construct_graph(
    store: ox.Store, text: str, max_triples: int = 20_000, allow_service: bool = False
) -> nx.MultiDiGraph:
    """Run a CONSTRUCT query and return its result as a graph to draw.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; the union of the named graphs is the default graph.
    text : str
        A SPARQL 1.1 CONSTRUCT query (the shared prefixes are predeclared).
    max_triples : int, optional
        Read at most this many triples of the result; ``G.graph["truncated"]`` tells if more.
    allow_service : bool, optional
        Accept ``SERVICE`` (federation).

    Returns
    -------
    networkx.MultiDiGraph
        One node per distinct RDF term: IRIs keyed by the IRI, literals and blank nodes by their
        N-Triples form, so ``"ACME"@en``, ``"ACME"@de``, ``"ACME"`` and ``<ACME>`` are four
        nodes (RDF 1.1 Concepts §3.3). One edge per triple, keyed by the predicate, so parallel
        edges with different properties are all kept.

    Raises
    ------
    QueryFormError
        If the query is not a CONSTRUCT.
    QuerySyntaxError
        If it does not parse.
    ForbiddenError
        If it uses ``SERVICE`` and `allow_service` is False.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/name"), ox.Literal("A", language="en")))
    >>> G = construct_graph(s, "CONSTRUCT WHERE { ?s ?p ?o }")
    >>> sorted(G.nodes)
    ['"A"@en', 'http://e/a']
    """
    form = check_query(text, allow_service=allow_service)
    if form != "CONSTRUCT":
        raise QueryFormError(
            f"this is a {form or 'non-CONSTRUCT'} query; graph pictures are drawn from CONSTRUCT results, e.g. "
            "CONSTRUCT { ?m schema:creator ?o } WHERE { ?m schema:creator ?o } LIMIT 200"
        )
    try:
        result = store.query(text, prefixes=PREFIXES, **union_dataset(store))
    except (SyntaxError, ValueError) as exc:
        raise QuerySyntaxError(str(exc)) from exc
    if not isinstance(result, ox.QueryTriples):
        raise QueryFormError("graph pictures are drawn from CONSTRUCT results only")
    triples = rdf_to_networkx(result, max_triples=max_triples)
    labels = _property_labels(store)
    for _s, _o, _k, data in triples.edges(keys=True, data=True):
        data["label"] = labels.get(data["predicate"]) or _humanize(data["predicate"])
        data["title"] = f"{data['label']}\n{_short_iri(data['predicate'])}"
    _annotate(store, triples)
    triples.graph.update(
        view="query", title="CONSTRUCT result", narrow_hint="add LIMIT or more selective patterns to the query"
    )
    return triples


def rdf_to_networkx(triples: Any, max_triples: int = 20_000) -> nx.MultiDiGraph:
    """Convert RDF triples (pyoxigraph) to a multigraph whose node keys never collide.

    Parameters
    ----------
    triples : iterable of pyoxigraph.Triple
        E.g. a CONSTRUCT result or ``pyoxigraph.parse(...)``.
    max_triples : int, optional
        Read at most this many; ``G.graph["truncated"]`` is 1 when more were there.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI string (IRIs) or N-Triples form (literals, blank nodes) with
        ``label`` (the lexical form, language or datatype appended), ``term`` (``iri``,
        ``literal``, ``bnode``) and ``title``; edges keyed by predicate IRI, with ``predicate``.

    Examples
    --------
    >>> data = b'<http://e/a> <http://e/p> "1999"^^<http://www.w3.org/2001/XMLSchema#gYear> .\\n'
    >>> data += b'<http://e/a> <http://e/p> "1999"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
    >>> G = rdf_to_networkx(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    >>> G.number_of_nodes(), G.number_of_edges()
    (3, 2)
    """
    G = nx.MultiDiGraph(truncated=0)
    for count, triple in enumerate(triples):
        if count >= max_triples:
            G.graph["truncated"] = 1
            break
        s, p, o = triple.subject, triple.predicate, triple.object
        keys = []
        for term in (s, o):
            key = term.value if isinstance(term, ox.NamedNode) else str(term)
            keys.append(key)
            if key not in G:
                G.add_node(key, **_term_node(term))
        G.add_edge(keys[0], keys[1], key=p.value, predicate=p.value, label=_humanize(p.value))
    return G


def _term_node(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"label": _local(term.value) or term.value, "term": "iri", "kind": "other"}
    if isinstance(term, ox.Literal):
        suffix = (
            f" @{term.language}"
            if term.language
            else ("" if term.datatype.value == PREFIXES["xsd"] + "string" else f" ({_short_iri(term.datatype.value)})")
        )
        return {"label": _shorten(term.value, 60) + suffix, "term": "literal", "kind": "literal", "title": str(term)}
    return {"label": str(term), "term": "bnode", "kind": "other", "title": f"blank node {term}"}


# --------------------------------------------------------------------------------------------
# projections and measures


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
            G.add_node(row["model"], label=row.get("modelName") or _local(row["model"]), kind="model")
            G.add_node(row["org"], label=row.get("orgName") or _local(row["org"]), kind="organization")
            G.add_edge(row["model"], row["org"], predicate=PREFIXES["schema"] + "creator")
    elif name == "lineage":
        G = nx.DiGraph()
        for row in select(store, named_query("projection_models")):
            G.add_node(row["model"], label=row.get("name") or _local(row["model"]), kind="model")
        L, names = _lineage_digraph(store)
        for d, b, p, data in L.edges(keys=True, data=True):
            for n in (d, b):
                if n not in G:
                    G.add_node(n, label=names.get(n, _local(n)), kind="model")
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
                label=row.get("claimantName") or _local(a),
                kind=kind_of(a, [row["claimantType"]] if row.get("claimantType") else None) or "other",
            )
            if b not in G:
                G.add_node(
                    b,
                    label=row.get("subjectName") or _local(b),
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
    return {"iri": node, "label": G.nodes[node].get("label", _local(node)), "kind": G.nodes[node].get("kind")}


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
                        "label": labels.get(p) or _humanize(p),
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


# --------------------------------------------------------------------------------------------
# charts


def chart_data(store: ox.Store, name: str, since: int = 2023) -> dict[str, Any]:
    """Compute one chart of the race by its named SPARQL query.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    name : str
        A key of :data:`CHARTS`: ``releases-by-country``, ``moe-share``, ``license-mix``.
    since : int, optional
        First year counted by the per-quarter charts (bound as ``?since``).

    Returns
    -------
    dict
        ``name``, ``title``, ``query`` (the SPARQL text that computed it), ``bindings``,
        ``rows`` (the query's solutions) and ``series``: for ``releases-by-country``
        ``{"quarters": [...], "regions": {region: {"releases": [...], "openWeights": [...]}}}``;
        for ``moe-share`` ``{"quarters", "releases", "moe", "share"}``; for ``license-mix``
        ``{"regions": [...], "categories": [...], "counts": {region: {category: n}}}``.

    Raises
    ------
    InvalidParameterError
        If `name` or `since` is not acceptable.

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
    >>> chart_data(s, "license-mix")["series"]["counts"]["China"]
    {'osi': 0, 'open-weights': 0, 'closed': 0, 'unknown': 0}
    """
    if name not in CHARTS:
        raise InvalidParameterError("chart", f"unknown chart {name!r}; use one of {', '.join(CHARTS)}")
    if not 1950 <= since <= 2100:
        raise InvalidParameterError("since", "give a four-digit year, e.g. 2023")
    text = named_query("chart_" + name.replace("-", "_"))
    bindings = {"since": since} if "?since" in text else {}
    rows = select(store, text, bindings)
    for row in rows:
        row.pop("since", None)
    series: dict[str, Any]
    if name == "releases-by-country":
        quarters = _quarters(sorted({r["quarter"] for r in rows}))
        regions: dict[str, dict[str, list[int]]] = {
            region: {"releases": [0] * len(quarters), "openWeights": [0] * len(quarters)} for region in _REGIONS
        }
        for r in rows:
            i = quarters.index(r["quarter"])
            regions[r["region"]]["releases"][i] = int(r["releases"])
            regions[r["region"]]["openWeights"][i] = int(r["openWeights"])
        series = {"quarters": quarters, "regions": regions}
    elif name == "moe-share":
        quarters = _quarters([r["quarter"] for r in rows])
        by_q = {r["quarter"]: r for r in rows}
        releases = [int(by_q[q]["releases"]) if q in by_q else 0 for q in quarters]
        moe = [int(by_q[q]["moeReleases"]) if q in by_q else 0 for q in quarters]
        series = {
            "quarters": quarters,
            "releases": releases,
            "moe": moe,
            "share": [round(m / n, 4) if n else None for m, n in zip(moe, releases, strict=True)],
        }
    else:
        counts = {region: dict.fromkeys(OPENNESS, 0) for region in _REGIONS}
        for r in rows:
            counts[r["region"]][r["openness"]] = int(r["models"])
        series = {"regions": list(_REGIONS), "categories": list(OPENNESS), "counts": counts}
    return {"name": name, "title": CHARTS[name], "query": text, "bindings": bindings, "rows": rows, "series": series}


def _quarters(seen: list[str]) -> list[str]:
    """Every quarter from the first to the last seen, so empty quarters show as gaps."""
    if not seen:
        return []
    first, last = min(seen), max(seen)
    year, q = int(first[:4]), int(first[-1])
    out = []
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
