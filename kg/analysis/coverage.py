"""What the graph covers: completeness per field, the period of each source, what to add next.

A maintainer reads this to see where the knowledge ends: which share of the models has a release
date, an architecture, parameter counts, licenses and a base model (over all models and over the
open-weight ones, overall, per release year and per organization), the newest release of each
organization, the period each source graph declares it covers (``dcterms:temporal``) next to the
latest month the data actually reaches, and the models without a release date.

Every number comes from the named queries ``coverage_*.rq`` (one row per model, aggregated here, so
the per-model facts behind a percentage can be read in the query's result).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.engine.load import default_sources, parse_file
from kg.engine.sparql import select
from kg.namespaces import AIKG, GRAPH, PREFIXES
from kg.queries import named_query

__all__ = ["FIELDS", "LANDSCAPE_GRAPH", "coverage", "curated_through", "release_months", "source_periods"]

LANDSCAPE_GRAPH = str(GRAPH["landscape"])
"""The curated landscape graph: its latest dated release is "curated releases through"."""

FIELDS: dict[str, str] = {
    "release-date": "schema:datePublished (a date, a month or a year)",
    "architecture": "aikg:architecture",
    "total-parameters": "aikg:totalParameters",
    "active-parameters": "aikg:activeParameters (counted over Mixture-of-Experts models only)",
    "weights-license": "aikg:weightsLicense",
    "code-license": "aikg:codeLicense",
    "base-model": "aikg:basedOn (foundation models have none: 100 % is not the goal)",
}
"""Field key -> the property whose presence it counts."""

# Field key -> the boolean column of coverage_models.rq.
_COLUMN = {
    "architecture": "architecture",
    "total-parameters": "totalParameters",
    "active-parameters": "activeParameters",
    "weights-license": "weightsLicense",
    "code-license": "codeLicense",
    "base-model": "baseModel",
}
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_AI_MODEL = ox.NamedNode(str(AIKG.AIModel))
_DATE_PUBLISHED = ox.NamedNode(PREFIXES["schema"] + "datePublished")
_NO_CREATOR = "(no creator)"
_UNDATED = "undated"


def _model_rows(store: ox.Store) -> list[dict[str, Any]]:
    rows = select(
        store,
        named_query("coverage_models"),
        {"moeConcept": AIKG.MixtureOfExperts, "openConcept": AIKG.OpenWeights},
    )
    for row in rows:
        row.pop("moeConcept", None)
        row.pop("openConcept", None)
    return rows


def _has(row: dict[str, Any], field: str) -> bool:
    return bool(row.get("date")) if field == "release-date" else bool(row[_COLUMN[field]])


def _applies(row: dict[str, Any], field: str) -> bool:
    return bool(row["moe"]) if field == "active-parameters" else True


def _completeness(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Field -> ``{"have", "of", "share"}`` over `rows` (share None when no model applies)."""
    out = {}
    for field in FIELDS:
        applicable = [r for r in rows if _applies(r, field)]
        have = sum(_has(r, field) for r in applicable)
        out[field] = {
            "have": have,
            "of": len(applicable),
            "share": round(have / len(applicable), 4) if applicable else None,
        }
    return out


def _both(rows: list[dict[str, Any]]) -> dict[str, Any]:
    open_rows = [r for r in rows if r["openWeights"]]
    return {
        "models": len(rows),
        "open_weight_models": len(open_rows),
        "all": _completeness(rows),
        "open_weight": _completeness(open_rows),
    }


@lru_cache(maxsize=8)
def _embedded_releases(graph: str, data_dir: Path | None) -> tuple[tuple[str, ox.NamedNode, ox.Literal], ...]:
    """``(YYYY-MM, model, date)`` of each dated model the embedded data files put in `graph`, newest first."""
    out = []
    for path, name in default_sources(data_dir):
        if name != graph:
            continue
        for triples in parse_file(path, name).values():
            models = {t.subject for t in triples if t.predicate == _RDF_TYPE and t.object == _AI_MODEL}
            out += [
                (t.object.value[:7], t.subject, t.object)
                for t in triples
                if t.predicate == _DATE_PUBLISHED
                and t.subject in models
                and isinstance(t.object, ox.Literal)
                and len(t.object.value) >= 7
            ]
    return tuple(sorted(out, key=lambda r: (r[0], r[1].value), reverse=True))


def release_months(
    store: ox.Store, graph: str = LANDSCAPE_GRAPH, data_dir: Path | None = None
) -> dict[str, str | None]:
    """Return the latest month with a curated release in `graph`, and the latest with any release.

    A curated release is one the embedded data files state (the model, its ``schema:datePublished``
    given to the month or the day, in that graph) and the store holds: a model written into the
    graph later (a SPARQL Update, an import) does not count. Derived from the data, so it stays
    true as curated releases are added; the declared period is :func:`source_periods`. One scan of
    the graph's release months, then one lookup per embedded release of the latest month first
    (one in all when the store holds the embedded data).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graph : str, optional
        Named-graph IRI; default the curated landscape graph.
    data_dir : pathlib.Path, optional
        Folder of the embedded data files (:func:`kg.engine.load.default_sources`); default the
        shipped ``ontology/data``.

    Returns
    -------
    dict
        ``curated_through``: ``"2026-08"``, or None when the store holds no dated release of the
        embedded files in `graph`; ``latest_release``: the latest month with any dated release in
        `graph` (None without one), later than ``curated_through`` when releases were written
        into the graph after it was loaded.

    Raises
    ------
    LoadError
        If an embedded data file does not parse.
    """
    node = ox.NamedNode(graph)
    months = {str(r["month"]) for r in select(store, named_query("coverage_release_months"), {"graph": node})}
    query = named_query("coverage_release_stated")
    curated = next(
        (
            month
            for month, model, date in _embedded_releases(graph, data_dir)
            if month in months and select(store, query, {"graph": node, "model": model, "date": date})
        ),
        None,
    )
    return {"curated_through": curated, "latest_release": max(months) if months else None}


def curated_through(store: ox.Store, graph: str = LANDSCAPE_GRAPH, data_dir: Path | None = None) -> str | None:
    """Return the latest month with a curated release in `graph`, as ``YYYY-MM`` (see :func:`release_months`).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graph : str, optional
        Named-graph IRI; default the curated landscape graph.
    data_dir : pathlib.Path, optional
        Folder of the embedded data files; default the shipped ``ontology/data``.

    Returns
    -------
    str or None
        ``"2026-08"``, or None when the store holds no dated release of the embedded files in `graph`.

    Raises
    ------
    LoadError
        If an embedded data file does not parse.
    """
    return release_months(store, graph, data_dir)["curated_through"]


def source_periods(store: ox.Store, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return, per source graph, the period it declares and the month its data reaches.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    data_dir : pathlib.Path, optional
        Folder of the embedded data files; default the shipped ``ontology/data``.

    Returns
    -------
    list of dict
        One per named graph with a ``dcat:Dataset`` node: ``graph``, ``title``, ``start`` and
        ``end`` (``dcterms:temporal`` / ``dcat:startDate``, ``dcat:endDate``; None where not
        declared), ``generated`` (``prov:generatedAtTime``), ``models`` (its AI models) and
        ``curated_through`` (latest month with a dated release, None without one; for a graph of
        the embedded files, of the releases those files state: :func:`curated_through`) and
        ``latest_release`` (latest month with a dated release, whatever wrote it).

    Raises
    ------
    LoadError
        If an embedded data file does not parse.
    """
    latest = {r["graph"]: r for r in select(store, named_query("coverage_curated_through"))}
    embedded = {name for _, name in default_sources(data_dir)}
    out = []
    for row in select(store, named_query("coverage_periods")):
        graph = row["graph"]
        out.append(
            {
                "graph": graph,
                "title": row.get("title"),
                "start": row.get("start"),
                "end": row.get("end"),
                "generated": row.get("generated"),
                "models": int(row.get("models", 0)),
                "curated_through": (
                    curated_through(store, graph, data_dir)
                    if graph in embedded
                    else latest[graph]["month"]
                    if graph in latest
                    else None
                ),
                "latest_release": latest[graph]["month"] if graph in latest else None,
            }
        )
    return out


def coverage(store: ox.Store, data_dir: Path | None = None) -> dict[str, Any]:
    """Report what the graph covers and what is missing, for a maintainer.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; every ``aikg:AIModel`` of every graph is counted.
    data_dir : pathlib.Path, optional
        Folder of the embedded data files (what counts as curated); default the shipped ``ontology/data``.

    Returns
    -------
    dict
        ``curated_through`` (``YYYY-MM`` of the landscape graph, see :func:`curated_through`);
        ``latest_release`` (``YYYY-MM``, the same over every release written into it; see
        :func:`release_months`);
        ``fields`` (:data:`FIELDS`); ``overall``: ``{"models", "open_weight_models", "all",
        "open_weight"}`` where ``all`` and ``open_weight`` map each field to ``{"have", "of",
        "share"}`` (share 0..1, 4 decimals; ``active-parameters`` counts Mixture-of-Experts
        models only); ``by_year``: release year (``"undated"`` for none) -> the same shape;
        ``by_organization``: organization IRI -> the same shape plus ``name`` (a model of two
        creators counts for each); ``newest_by_organization``: per organization its latest
        dated release (``organization``, ``name``, ``model``, ``model_name``, ``date``,
        ``open_weight``; None values where it has no dated model), newest first;
        ``periods`` (:func:`source_periods`); ``undated``: the models without a release date
        (``model``, ``name``, ``organizations``), by name.

    Raises
    ------
    LoadError
        If an embedded data file does not parse.

    Notes
    -----
    Open-weight means what the charts mean: accessibility under ``aikg:OpenWeights`` or weights
    under an OSI-approved license.
    """
    months = release_months(store, data_dir=data_dir)
    rows = _model_rows(store)
    creators: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in select(store, named_query("coverage_creators")):
        creators[c["model"]].append((c["organization"], c.get("organizationName") or c["organization"]))

    by_year: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    org_names: dict[str, str] = {}
    for row in rows:
        by_year[str(row["date"])[:4] if row.get("date") else _UNDATED].append(row)
        for org, name in creators.get(row["model"]) or [(_NO_CREATOR, _NO_CREATOR)]:
            by_org[org].append(row)
            org_names[org] = name

    newest = []
    for org, org_rows in by_org.items():
        dated = [r for r in org_rows if r.get("date")]
        top = max(dated, key=lambda r: (str(r["date"]), r["model"])) if dated else None
        newest.append(
            {
                "organization": org,
                "name": org_names[org],
                "model": top["model"] if top else None,
                "model_name": top.get("name") if top else None,
                "date": str(top["date"]) if top else None,
                "open_weight": bool(top["openWeights"]) if top else None,
            }
        )
    newest.sort(key=lambda n: (n["date"] or "", n["name"].lower()), reverse=True)

    undated = [
        {"model": r["model"], "name": r.get("name"), "organizations": [n for _, n in creators.get(r["model"], [])]}
        for r in rows
        if not r.get("date")
    ]
    undated.sort(key=lambda u: ((u["name"] or u["model"]).lower(), u["model"]))
    return {
        "curated_through": months["curated_through"],
        "latest_release": months["latest_release"],
        "fields": FIELDS,
        "overall": _both(rows),
        "by_year": {year: _both(by_year[year]) for year in sorted(by_year)},
        "by_organization": {
            org: {"name": org_names[org], **_both(by_org[org])}
            for org in sorted(by_org, key=lambda o: org_names[o].lower())
        },
        "newest_by_organization": newest,
        "periods": source_periods(store, data_dir),
        "undated": undated,
    }
