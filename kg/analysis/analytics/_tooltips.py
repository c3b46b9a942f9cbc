"""Tooltip text of picture nodes: an entity's name, kind, key facts and sources."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.engine.sparql import select
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import NAME_PROPERTIES, best_label, kind_of, slug_of

_RDF_TYPE = PREFIXES["rdf"] + "type"
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
_SOURCE_PROPS = (PREFIXES["dcterms"] + "source", PREFIXES["schema"] + "appearance")


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
    names: list[tuple[str, tuple[str, str]]] = []
    values: dict[str, list[str]] = defaultdict(list)
    total = active = None
    sources: list[str] = []
    for row in rows:
        p, o = row["p"], row["o"]
        if p == _RDF_TYPE:
            types.append(str(o))
        elif p in NAME_PROPERTIES:
            names.append(
                (p, (str(o.value), getattr(o, "language", None) or "") if isinstance(o, ox.Literal) else (str(o), ""))
            )
        elif p == PREFIXES["aikg"] + "totalParameters":
            total = o
        elif p == PREFIXES["aikg"] + "activeParameters":
            active = o
        elif p in _SOURCE_PROPS:
            source = row.get("oLabel") or str(o)
            if source not in sources:
                sources.append(source)
        elif p in _FACTS:
            shown = row.get("oLabel") or (slug_of(str(o)) if row.get("oIsIri") else str(o))
            if p in (PREFIXES["schema"] + "text", PREFIXES["aikg"] + "paraphrase"):
                shown = f"“{_shorten(shown)}”"
            if shown not in values[p]:
                values[p].append(shown)
    kind = kind_of(iri, types) or "other"
    label = best_label(names) or slug_of(iri)
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
        if data.get("label") in (None, "", slug_of(node)):
            data["label"] = facts["label"]
        if data.get("kind") in (None, "other"):
            data["kind"] = facts["kind"]
        extra = data.pop("extra_lines", [])
        data["title"] = "\n".join(facts["lines"][:1] + list(extra) + facts["lines"][1:])
