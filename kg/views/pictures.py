"""The graphs behind the pictures: what ``/graphs/...`` and ``kg viz ...`` both draw.

One function per picture that needs more than one analytics call (resolve the reference, build
the graph, mark it), so the server and the command line run the same code in one read
(:meth:`kg.service.KnowledgeGraph.read`) and draw the same nodes and edges.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox

from kg.analysis import analytics, licenses
from kg.namespaces import AIKG, ID
from kg.terms import slug_of

__all__ = ["claims_picture", "ego_picture", "fold_internal", "internal_label", "lineage_picture"]

_INTERNAL_LABELS = {"benchmark-result": "benchmark result", "membership": "membership"}


def internal_label(iri: str, kind: str | None, label: str) -> str:
    """Return a readable label for a node named by its slug only (a benchmark result, a membership).

    Parameters
    ----------
    iri : str
        The node.
    kind : str or None
        Its kind.
    label : str
        Its label so far.

    Returns
    -------
    str
        ``membership: tang jie, zhipu ai`` for ``…/membership/tang-jie--zhipu-ai`` labelled by
        its slug; any other label unchanged.

    Examples
    --------
    >>> internal_label("https://w3id.org/aikg/id/membership/a--b", "membership", "a--b")
    'membership: a, b'
    """
    if kind in _INTERNAL_LABELS and label == slug_of(iri):
        return f"{_INTERNAL_LABELS[kind]}: " + label.replace("--", ", ").replace("-", " ")
    return label


def fold_internal(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Fold the graph's internal nodes, so that no node is labelled with a bare fragment id.

    A review's evidence items and interest findings (``…/id/review/{claim}#e0``, ``#i0``) are
    removed: they restate facts already drawn, and the claim they belong to is the node a reader
    follows (its page lists the evidence). Other nodes named by their slug only (benchmark results,
    memberships) get a readable label: ``benchmark result: glm-4.5 12 benchmark average``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A picture, changed in place.

    Returns
    -------
    networkx.MultiDiGraph
        `G`; ``G.graph["folded"]`` counts the nodes removed.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/aikg/id/review/c#e0", label="e0", kind="review")
    >>> G.add_node("https://w3id.org/aikg/id/membership/a--b", label="a--b", kind="membership")
    >>> [d["label"] for _, d in fold_internal(G).nodes(data=True)], G.graph["folded"]
    (['membership: a, b'], 1)
    """
    internal = [n for n in G if str(n).startswith(f"{ID}review/") and n != G.graph.get("center")]
    G.remove_nodes_from(internal)
    G.graph["folded"] = int(G.graph.get("folded") or 0) + len(internal)
    for node, data in G.nodes(data=True):
        data["label"] = internal_label(str(node), data.get("kind"), str(data.get("label") or ""))
    return G


def ego_picture(
    store: ox.Store,
    ref: str,
    parameter: str = "entity",
    depth: int = 1,
    types: list[str] | None = None,
    max_nodes: int = 400,
    version: str = "",
) -> nx.MultiDiGraph:
    """Return the ego graph of the entity `ref` names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        ``KIND/SLUG`` (slug, name or IRI after the slash) or an IRI.
    parameter : str, optional
        The request parameter `ref` came from, named in errors.
    depth : int, optional
        Hops from the entity (1 to 3).
    types : list of str, optional
        Kinds to keep (model, organization, ...); default all.
    max_nodes : int, optional
        Node cap; what is cut is listed in the graph's ``notice``.
    version : str, optional
        Dataset version, the cache key of the name resolution.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`kg.analysis.analytics.ego_graph`, internal nodes folded (:func:`fold_internal`).

    Raises
    ------
    NotFoundError
        If `ref` names no entity.
    InvalidParameterError
        Naming `parameter`, if `ref` is malformed.
    """
    iri = analytics.resolve_ref(store, ref, parameter, version=version)
    return fold_internal(analytics.ego_graph(store, iri, depth=depth, types=types, max_nodes=max_nodes))


def lineage_picture(
    store: ox.Store, ref: str, parameter: str = "model", max_nodes: int = 400, version: str = ""
) -> nx.MultiDiGraph:
    """Return the lineage graph of a model, license-breaking edges flagged.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        ``model/SLUG`` or an IRI.
    parameter : str, optional
        The request parameter `ref` came from, named in errors.
    max_nodes : int, optional
        Node cap.
    version : str, optional
        Dataset version, the cache key of the name resolution.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`kg.analysis.analytics.lineage_graph`; an ``aikg:basedOn`` edge where the derived model's
        license breaks its base's terms carries ``flags`` with "license inconsistency" and the
        reason in its ``title`` (:func:`kg.analysis.licenses.offending_edges`).

    Raises
    ------
    NotFoundError
        If `ref` names no model.
    InvalidParameterError
        Naming `parameter`, if `ref` is malformed.
    """
    iri = analytics.resolve_ref(store, ref, parameter, version=version)
    G = analytics.lineage_graph(store, iri, max_nodes=max_nodes)
    for derived, base, reason in licenses.offending_edges(store, iri):
        if G.has_edge(derived, base, key=str(AIKG.basedOn)):
            data = G.edges[derived, base, str(AIKG.basedOn)]
            data["flags"] = [*(data.get("flags") or []), "license inconsistency"]
            data["title"] = f"{data.get('title', '')}\nlicense: {reason}".strip()
    return G


def claims_picture(
    store: ox.Store, about: str | None = None, parameter: str = "about", max_nodes: int = 400, version: str = ""
) -> nx.MultiDiGraph:
    """Return the claims network, or the claims about one entity.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    about : str, optional
        ``KIND/SLUG`` or IRI of a subject; default every claim.
    parameter : str, optional
        The request parameter `about` came from, named in errors.
    max_nodes : int, optional
        Node cap.
    version : str, optional
        Dataset version, the cache key of the name resolution.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`kg.analysis.analytics.claims_graph`.

    Raises
    ------
    NotFoundError
        If `about` names no entity.
    """
    subject = analytics.resolve_ref(store, about, parameter, version=version) if about else None
    return analytics.claims_graph(store, about=subject, max_nodes=max_nodes)
