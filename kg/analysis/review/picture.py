"""What a review rests on, as a graph to draw: claim, claimant, subjects, sources, evidence facts."""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.analysis.review.model import Review
from kg.analysis.review.wording import _name
from kg.terms import ENTITY_KINDS, kind_of, slug_of

__all__ = ["evidence_graph"]


_RATING_COLORS = {"supported": "#2e7d32", "misleading": "#ef6c00", "contradicted": "#c62828"}
_BEARING_COLORS = {"for": "#2e7d32", "against": "#c62828", "context": "#9e9e9e"}
_BEARING_FILLS = {"for": "#c8e6c9", "against": "#ffcdd2", "context": "#eeeeee"}


def _node(
    G: nx.MultiDiGraph,
    names: dict[str, str],
    iri: str,
    kind: str,
    label: str | None = None,
    title: str | None = None,
    **extra: Any,
) -> None:
    """Add a node once: the first call for an IRI sets its label, kind and title."""
    if iri not in G:
        G.add_node(iri, label=label or _name(names, iri), kind=kind, title=title or iri, **extra)


def _draw_claim(G: nx.MultiDiGraph, review: Review) -> None:
    """Draw the claim, its claimant, subjects, compared models, and where it appeared."""
    names, info = review.names, review.info
    _node(
        G,
        names,
        review.claim,
        "claim",
        info.get("label") or slug_of(review.claim),
        info.get("text") or info.get("paraphrase"),
        borderColor=_RATING_COLORS.get(review.rating, "#616161"),
    )
    if info.get("claimant"):
        iri = info["claimant"]["iri"]
        _node(G, names, iri, "person" if "/person/" in iri else "organization", info["claimant"]["name"])
        G.add_edge(review.claim, iri, label="claimant")
    for s in info["about"]:
        _node(G, names, s["iri"], _picture_kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="about")
    for s in info["comparedWith"]:
        _node(G, names, s["iri"], _picture_kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="compared with")
    for a in info["appearances"]:
        _node(G, names, a["iri"], "article", a.get("name"))
        G.add_edge(review.claim, a["iri"], label="appeared in")
        if a.get("publisher"):
            _node(G, names, a["publisher"], "organization", a.get("publisherName"))
            G.add_edge(a["iri"], a["publisher"], label="publisher")


def _draw_evidence(G: nx.MultiDiGraph, review: Review) -> None:
    """Draw each evidence item, coloured by its bearing, with its subject, value and sources."""
    names = review.names
    for i, e in enumerate(review.evidence):
        ev = f"{review.iri}#e{i}"
        label = f"{e.bearing}: {e.statement[:60]}{'…' if len(e.statement) > 60 else ''}"
        _node(G, names, ev, "literal", label, e.statement, color=_BEARING_FILLS[e.bearing])
        G.add_edge(review.claim, ev, label=e.bearing, color=_BEARING_COLORS[e.bearing])
        if e.subject and e.subject.startswith("http"):
            _node(G, names, e.subject, _picture_kind(e.subject))
            G.add_edge(ev, e.subject, label=_name(names, e.property) if e.property else "about")
        if isinstance(e.value, str) and e.value.startswith("http") and e.value != e.subject:
            _node(G, names, e.value, _picture_kind(e.value))
            G.add_edge(ev, e.value, label="value")
        for s in e.sources:
            _node(G, names, s, "article", slug_of(s) or s)
            G.add_edge(ev, s, label="source", dashes=True)


def _draw_interests(G: nx.MultiDiGraph, review: Review) -> None:
    """Draw the claimant's interests: the entities on each path, and an edge to its first."""
    for interest in review.interests:
        for v in interest.via:
            _node(G, review.names, v, _picture_kind(v))
        if interest.via:
            G.add_edge(
                review.claim,
                interest.via[0],
                label=f"interest: {interest.kind}",
                color="#6a1b9a",
                title=interest.statement,
            )


def evidence_graph(review: Review) -> nx.MultiDiGraph:
    """Return what a review rests on as a graph: claim, claimant, subjects, sources, evidence facts.

    Parameters
    ----------
    review : Review
        A review.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI (evidence items by ``{review}#e{n}``) with ``label``, ``kind`` and
        ``title``; edges with ``label``. Evidence against the claim is coloured red
        (``color``), evidence for it green.
    """
    G = nx.MultiDiGraph()
    _draw_claim(G, review)
    _draw_evidence(G, review)
    _draw_interests(G, review)
    return G


def _picture_kind(iri: str) -> str:
    """Return the node kind of an IRI in an evidence picture.

    Its entity kind; "other" for an instance of another kind (a review, a benchmark result);
    "article" for a source document.
    """
    kind = kind_of(iri) or (
        "country"
        if iri.startswith("http://www.wikidata.org/entity/")
        else "license"
        if iri.startswith("http://spdx.org/licenses/")
        else "concept"
        if iri.startswith("https://w3id.org/aikg/ontology#")
        else None
    )
    if kind in ENTITY_KINDS:
        return kind
    return "other" if iri.startswith("https://w3id.org/aikg/id/") else "article"
