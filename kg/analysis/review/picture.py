"""What a review rests on, as a graph to draw: claim, claimant, subjects, sources, evidence facts."""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.analysis.review._shared_helpers import _kind, _local, _slug
from kg.analysis.review.model import Review
from kg.analysis.review.wording import _name

__all__ = ["evidence_graph"]


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
    names = review.names
    G = nx.MultiDiGraph()
    info = review.info

    def node(iri: str, kind: str, label: str | None = None, title: str | None = None, **extra: Any) -> None:
        if iri not in G:
            G.add_node(iri, label=label or _name(names, iri), kind=kind, title=title or iri, **extra)

    node(
        review.claim,
        "claim",
        info.get("label") or _slug(review.claim),
        info.get("text") or info.get("paraphrase"),
        borderColor={"supported": "#2e7d32", "misleading": "#ef6c00", "contradicted": "#c62828"}.get(
            review.rating, "#616161"
        ),
    )
    if info.get("claimant"):
        node(
            info["claimant"]["iri"],
            "person" if "/person/" in info["claimant"]["iri"] else "organization",
            info["claimant"]["name"],
        )
        G.add_edge(review.claim, info["claimant"]["iri"], label="claimant")
    for s in info["about"]:
        node(s["iri"], _kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="about")
    for s in info["comparedWith"]:
        node(s["iri"], _kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="compared with")
    for a in info["appearances"]:
        node(a["iri"], "article", a.get("name"))
        G.add_edge(review.claim, a["iri"], label="appeared in")
        if a.get("publisher"):
            node(a["publisher"], "organization", a.get("publisherName"))
            G.add_edge(a["iri"], a["publisher"], label="publisher")
    colors = {"for": "#2e7d32", "against": "#c62828", "context": "#9e9e9e"}
    for i, e in enumerate(review.evidence):
        ev = f"{review.iri}#e{i}"
        node(
            ev,
            "literal",
            f"{e.bearing}: {e.statement[:60]}{'…' if len(e.statement) > 60 else ''}",
            e.statement,
            color={"for": "#c8e6c9", "against": "#ffcdd2", "context": "#eeeeee"}[e.bearing],
        )
        G.add_edge(review.claim, ev, label=e.bearing, color=colors[e.bearing])
        if e.subject and e.subject.startswith("http"):
            node(e.subject, _kind(e.subject))
            G.add_edge(ev, e.subject, label=_name(names, e.property) if e.property else "about")
        if isinstance(e.value, str) and e.value.startswith("http") and e.value != e.subject:
            node(e.value, _kind(e.value))
            G.add_edge(ev, e.value, label="value")
        for s in e.sources:
            node(s, "article", _local(s) or s)
            G.add_edge(ev, s, label="source", dashes=True)
    for interest in review.interests:
        for v in interest.via:
            node(v, _kind(v))
        if interest.via:
            G.add_edge(
                review.claim,
                interest.via[0],
                label=f"interest: {interest.kind}",
                color="#6a1b9a",
                title=interest.statement,
            )
    return G
