"""The landscape picture: organizations and the models they created, filtered by year, modality, openness."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._nodes import _add_link
from kg.analysis.analytics._tooltips import _parameters_line
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import humanize, slug_of

OPENNESS: dict[str, str] = {
    "osi": "weights under an OSI-approved license",
    "open-weights": "downloadable weights, license not OSI-approved",
    "closed": "API, hosted or unreleased",
    "unknown": "no license or accessibility recorded",
}
"""License-openness categories of a model, most open first (landscape filter, license-mix chart)."""


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
        total parameters for the node size, ``country`` ISO code of the first creator,
        ``quarter`` of publication as ``YYYY-Qn`` when its month is known) with an edge
        ``creator`` to each organization (``country``; ``quarter`` of its first dated model). ``G.graph["filters"]`` echoes
        the filters; ``G.graph["years"]`` lists the years any model was published in (filters aside), so
        an empty picture can say where the data is; ``G.graph["matched"]`` counts the models the filters keep.

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
                "arch": row.get("archLabel") or (humanize(row["arch"]) if row.get("arch") else None),
                "variant": architecture_group(bool(row.get("moe")), bool(row.get("dense")), bool(row.get("arch"))),
                "openness": row.get("openness", "unknown"),
            },
        )
        if row.get("org"):
            m["orgs"].setdefault(
                row["org"], (row.get("orgName") or slug_of(row["org"]), row.get("countryCode"), row.get("countryName"))
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
        years=sorted({str(m["date"])[:4] for m in models.values() if m["date"]}),
        matched=len(kept),
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
        if org_info:
            # An organization enters the race with its first dated model (the time slider's stop).
            first = min((q for q in (G.nodes[m["iri"]].get("quarter") for m in members) if q), default=None)
            if first:
                G.nodes[org]["quarter"] = first
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


def architecture_group(moe: bool, dense: bool, recorded: bool) -> str:
    """Return the shape group of a model in the landscape: its architecture's kind, never a guess.

    Parameters
    ----------
    moe : bool
        The architecture is Mixture-of-Experts or narrower (MoE diffusion, hybrid-attention MoE…).
    dense : bool
        The architecture is a dense transformer or narrower.
    recorded : bool
        The model has an architecture at all.

    Returns
    -------
    str
        ``"moe"``, ``"dense"``, ``"other"`` (recorded, neither: diffusion transformer, hybrid Mamba…)
        or ``"unknown"`` (no architecture recorded): a variant of :data:`viz.render.KIND_STYLE` ``model``.

    Examples
    --------
    >>> architecture_group(True, False, True), architecture_group(False, True, True)
    ('moe', 'dense')
    >>> architecture_group(False, False, True), architecture_group(False, False, False)
    ('other', 'unknown')
    """
    if moe:
        return "moe"
    if dense:
        return "dense"
    return "other" if recorded else "unknown"


def release_quarter(date: object) -> str | None:
    """Return the calendar quarter (``YYYY-Qn``) of a publication date, or None when no month is known.

    Parameters
    ----------
    date : object
        An ``xsd:date`` or ``xsd:gYearMonth`` value (``2025-07-28``, ``2025-07``), a year, or None.

    Returns
    -------
    str or None

    Examples
    --------
    >>> release_quarter("2025-07-28"), release_quarter("2024-03"), release_quarter("2024"), release_quarter(None)
    ('2025-Q3', '2024-Q1', None, None)
    """
    text = str(date or "")
    if len(text) < 7 or not text[:4].isdigit() or not text[5:7].isdigit() or not 1 <= int(text[5:7]) <= 12:
        return None
    return f"{text[:4]}-Q{(int(text[5:7]) - 1) // 3 + 1}"


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
        "variant": m["variant"],
        "country": country,
        "title": "\n".join(lines),
        "term": "iri",
        "openness": m["openness"],
    }
    quarter = release_quarter(m["date"])
    if quarter:
        node["quarter"] = quarter
    try:
        if m["total"] is not None and float(m["total"]) > 0:
            node["value"] = round(math.log10(float(m["total"])), 3)
    except (TypeError, ValueError):
        pass
    return node
