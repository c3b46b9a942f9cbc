"""What an entity's HTML page shows beyond its record: summary, footnotes, folded nodes, timeline.

A one-line summary, sources as numbered footnotes, internal nodes folded into what they belong
to, and an organization's models in time.

The record (:func:`kg.views.entity.entity_record`) stays the one read model of an entity; this
module only arranges it for a reader, so the JSON record and the page never disagree on a fact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyoxigraph as ox

from kg.engine.sparql import select
from kg.namespaces import ID
from kg.terms import month_text, short_count
from kg.views.documents import entity_page
from kg.views.entity import claim_records
from kg.views.listing import records
from kg.views.pictures import internal_label

__all__ = ["fold_incoming", "footnotes", "model_summary", "organization_models", "page_view"]

_HIDDEN = ("rdf:type", "rdfs:label", "schema:alternateName", "schema:name", "dcterms:source")
"""Properties the facts table leaves out: the heading shows the names, the footnotes the sources."""

_SHORT_LABELS = "SELECT ?concept ?alt WHERE { ?concept skos:altLabel ?alt }"


def page_view(store: ox.Store, kind: str, slug: str, version: str = "", max_nodes: int = 60) -> dict[str, Any]:
    """Return everything an entity page shows, in one read.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    kind : str
        Kind of the page path (:data:`kg.views.documents.PAGE_KINDS`).
    slug : str
        Slug of the page path (exact).
    version : str, optional
        Dataset version (cache key).
    max_nodes : int, optional
        Node cap of the embedded graph.

    Returns
    -------
    dict
        ``record`` (:func:`kg.views.entity.entity_record`, its facts numbered by
        :func:`footnotes`), ``picture`` (the folded ego graph), ``summary`` (a model's summary
        parts, else None), ``notes`` (the footnotes), ``incoming`` (:func:`fold_incoming`) and
        ``models`` / ``timeline`` (an organization's, else empty).

    Raises
    ------
    NotFoundError
        If the page path names nothing (with suggestions).
    """
    record, picture = entity_page(store, kind, slug, version=version, max_nodes=max_nodes)
    view: dict[str, Any] = {"record": record, "picture": picture, "summary": None, "models": [], "timeline": None}
    if record.get("kind") == "model":
        view["summary"] = model_summary(store, record["iri"], version)
    if record.get("kind") == "organization":
        view["models"] = organization_models(store, record["iri"], version)
        view["timeline"] = timeline(view["models"])
    for prop in record["properties"].values():
        for value in prop["values"]:
            if value.get("type") == "iri":
                value["label"] = internal_label(value["iri"], value.get("kind"), value["label"])
    view["notes"] = footnotes(record)
    view["hidden"] = _HIDDEN
    view["incoming"] = fold_incoming(store, record, version)
    return view


def model_summary(store: ox.Store, iri: str, version: str = "") -> list[str]:
    """Return the parts of a model's one-line summary.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        The model.
    version : str, optional
        Dataset version (cache key of the model records).

    Returns
    -------
    list of str
        ``["Zhipu AI (China)", "July 2025", "MoE 355B total / 32B active", "MIT weights"]`` for
        GLM-4.5; a part whose facts are missing is left out.
    """
    model = records(store, "models", version).get(iri)
    if model is None:
        return []
    parts: list[str] = []
    if model.get("creator"):
        country = model.get("country")
        parts.append(model["creator"]["name"] + (f" ({country['name']})" if country else ""))
    when = month_text(model.get("datePublished"))
    if when:
        parts.append(when)
    size = _size_text(model)
    arch = model.get("architecture")
    arch_text = _short_label(store, arch["iri"], arch["name"]) if arch else ""
    if arch_text or size:
        parts.append(" ".join(p for p in (arch_text, size) if p))
    weights = model.get("weightsLicense")
    if weights:
        parts.append(f"{weights.get('id') or weights['name']} weights")
    elif model.get("accessibility"):
        parts.append(model["accessibility"]["name"])
    return parts


def _size_text(model: dict[str, Any]) -> str:
    total, active = model.get("totalParameters"), model.get("activeParameters")
    if total and active and active != total:
        return f"{short_count(total)} total / {short_count(active)} active"
    return f"{short_count(total)} parameters" if total else ""


def _short_label(store: ox.Store, concept: str, label: str) -> str:
    # "MoE" reads better in a summary than "Mixture-of-Experts": a short alternative label, if any.
    rows = select(store, _SHORT_LABELS, {"concept": ox.NamedNode(concept)})
    short = sorted((str(r["alt"]) for r in rows if len(str(r["alt"])) <= 5), key=len)
    return short[0] if short else label


def footnotes(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the distinct sources of a record's facts, numbered, and cite them from each value.

    Every value of ``record["properties"]`` gets ``notes``: the numbers of its sources (or, for a
    value its graph gives no source for, of the graph itself), in first-cited order.

    Parameters
    ----------
    record : dict
        An entity record (:func:`kg.views.entity.describe`), changed in place.

    Returns
    -------
    list of dict
        One footnote per distinct source: ``n``, ``url`` (the source, or None for a graph)
        and ``graph`` / ``graphTitle`` (the named graph that cites it first).

    Examples
    --------
    >>> rec = {"sources": [], "properties": {"schema:creator": {"values": [
    ...     {"graphs": ["g"], "sources": ["https://a", "https://b"]}, {"graphs": ["g"], "sources": ["https://b"]}]}}}
    >>> [(n["n"], n["url"]) for n in footnotes(rec)], [v["notes"] for v in rec["properties"]["schema:creator"]["values"]]
    ([(1, 'https://a'), (2, 'https://b')], [[1, 2], [2]])
    """
    titles = {s["graph"]: s.get("title") for s in record.get("sources", [])}
    notes: dict[str, dict[str, Any]] = {}
    for prop in record.get("properties", {}).values():
        for value in prop["values"]:
            cited = [("source", s) for s in value.get("sources") or []] or [
                ("graph", g) for g in value.get("graphs") or []
            ]
            value["notes"] = []
            for what, ref in cited:
                note = notes.get(ref)
                if note is None:
                    graph = (value.get("graphs") or [None])[0] if what == "source" else ref
                    note = notes[ref] = {
                        "n": len(notes) + 1,
                        "url": ref if what == "source" else None,
                        "graph": graph,
                        "graphTitle": titles.get(graph or "") or graph,
                    }
                if note["n"] not in value["notes"]:
                    value["notes"].append(note["n"])
    return list(notes.values())


def fold_incoming(store: ox.Store, record: dict[str, Any], version: str = "") -> dict[str, dict[str, Any]]:
    """Return a record's incoming links with reviews' evidence items folded into their claims.

    ``…/id/review/{claim}#e0`` (an evidence item that cites this entity) becomes the claim
    ``…/id/claim/{claim}`` under ``evidence of the review of``, once per claim, labelled with
    the claim's name: a reader sees which claims this entity bears on, never ``e0``.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    record : dict
        An entity record.
    version : str, optional
        Dataset version (cache key of the claims).

    Returns
    -------
    dict
        As ``record["incoming"]``, with the folded entry under the key ``aikg:evidenceOf``.
    """
    claims = claim_records(store, version)
    folded: dict[str, dict[str, Any]] = {}
    out: dict[str, dict[str, Any]] = {}
    for key, link in record.get("incoming", {}).items():
        kept = []
        for subject in link["subjects"]:
            if not subject["iri"].startswith(f"{ID}review/"):
                kept.append({**subject, "label": internal_label(subject["iri"], subject["kind"], subject["label"])})
                continue
            claim = f"{ID}claim/" + subject["iri"].split("#", 1)[0].rsplit("/", 1)[-1]
            if claim in claims and claim not in folded:
                c = claims[claim]
                folded[claim] = {"iri": claim, "slug": c["slug"], "kind": "claim", "label": c["name"]}
        if kept:
            out[key] = {**link, "subjects": kept, "count": link["count"] - (len(link["subjects"]) - len(kept))}
    if folded:
        subjects = sorted(folded.values(), key=lambda s: str(s["label"]).casefold())
        out["aikg:evidenceOf"] = {
            "iri": None,
            "label": "evidence in the review of",
            "count": len(subjects),
            "subjects": subjects,
        }
    return out


def organization_models(store: ox.Store, iri: str, version: str = "") -> list[dict[str, Any]]:
    """Return the models an organization created, newest first (undated ones last).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        The organization.
    version : str, optional
        Dataset version (cache key of the model records).

    Returns
    -------
    list of dict
        Model records of :func:`kg.views.listing.records` (``name``, ``datePublished``,
        ``architecture``, ``totalParameters``, ``weightsLicense``, ``openWeights``…).
    """
    mine = [m for m in records(store, "models", version).values() if (m.get("creator") or {}).get("iri") == iri]
    dated = sorted((m for m in mine if m.get("datePublished")), key=lambda m: (m["datePublished"], m["name"]))
    undated = sorted((m for m in mine if not m.get("datePublished")), key=lambda m: m["name"])
    return [*reversed(dated), *undated]


def _day(date: str) -> int:
    year, month, day = ([*map(int, date.split("-")), 1, 1])[:3]
    return dt.date(year, month or 1, day or 1).toordinal()


def timeline(models: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Place dated models on a time axis, as fractions of its width (a picture needs no more).

    Parameters
    ----------
    models : list of dict
        Model records with ``datePublished`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Returns
    -------
    dict or None
        ``points`` (``x`` in 0..1, ``lane`` 0.. so that names close in time do not overlap,
        ``open``, and the record), ``years`` (``{"year", "x"}`` ticks) and ``lanes``; None
        without dated models.

    Examples
    --------
    >>> t = timeline([{"name": "A", "datePublished": "2024-01-01", "openWeights": True},
    ...               {"name": "B", "datePublished": "2025-01-01", "openWeights": False}])
    >>> [(p["x"], p["open"]) for p in t["points"]], [y["year"] for y in t["years"]]
    ([(0.0, True), (1.0, False)], [2024, 2025])
    """
    dated = sorted((m for m in models if m.get("datePublished")), key=lambda m: (m["datePublished"], m["name"]))
    if not dated:
        return None
    first = dt.date(int(dated[0]["datePublished"][:4]), 1, 1).toordinal()
    days = [_day(m["datePublished"]) for m in dated]
    start, end = min(first, days[0]), days[-1]
    span = max(end - start, 1)
    lanes_end: list[float] = []
    points = []
    for model, day in zip(dated, days, strict=True):
        x = (day - start) / span
        # a lane is free once the previous label in it has ended (about 6.5 px a character of 760)
        lane = next((i for i, last in enumerate(lanes_end) if x > last), len(lanes_end))
        if lane == len(lanes_end):
            lanes_end.append(x)
        lanes_end[lane] = x + (len(str(model["name"])) * 6.5 + 24) / 760
        points.append({"x": round(x, 4), "lane": lane, "open": bool(model.get("openWeights")), "model": model})
    years = [
        {"year": y, "x": round((dt.date(y, 1, 1).toordinal() - start) / span, 4)}
        for y in range(dt.date.fromordinal(start).year, dt.date.fromordinal(end).year + 1)
        if dt.date(y, 1, 1).toordinal() >= start
    ]
    return {"points": points, "years": years, "lanes": len(lanes_end)}
