"""The claims picture: who claims what about whom, where, with self-claims and conflicts of interest marked."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._nodes import _add_entity, _add_link
from kg.analysis.analytics._tooltips import _annotate, _shorten
from kg.analysis.analytics.references import _require_entity
from kg.engine.sparql import select
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import display_name, slug_of


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
        lines.append(f"claimant: {c['claimantName'] or slug_of(c['claimant'])}")
        for conflict in interest:
            owner, publisher = display_name(store, conflict["owner"]), display_name(store, conflict["publisher"])
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
        label = _shorten(row.get("label") or row.get("paraphrase") or row.get("text") or slug_of(claim), 60)
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
        title += f": claims about {display_name(store, about)}"
    G.graph["title"] = title
    return G
