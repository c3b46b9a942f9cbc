"""Change entries for the feeds and the MCP ``changes_since`` tool: what imports and updates changed, per entity.

Two histories feed it: import snapshots (each kept import diffed with the one before it,
:func:`kg.ingest.history.diff`) and the journal of SPARQL updates (:mod:`kg.ingest.journal`). Both
are grouped per subject into entries: a new model or claim, changed facts, removed facts, a
review rating that changed, and the license findings of a model an entry is about. Each entry names
its source (the import and its snapshot graph, or the SPARQL update) and the entity it is about.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pyoxigraph as ox

from kg.analysis.licenses import license_findings
from kg.engine.dataset import snapshots, to_instant
from kg.errors import KGError
from kg.ingest.history import diff
from kg.namespaces import PREFIXES
from kg.terms import curie, display_name, kind_of, slug_of, term_text
from kg.views import listing

__all__ = ["ENTRY_KINDS", "change_entries", "matching_models"]

ENTRY_KINDS = ("new", "changed", "removed", "rating", "license-finding", "update")
"""What an entry reports: a new entity, changed or removed facts, a rating change, a license finding, a pattern update."""

_TYPE = PREFIXES["rdf"] + "type"
_NEW_TYPES = {PREFIXES["aikg"] + "AIModel": "model", PREFIXES["schema"] + "Claim": "claim"}
_SNAPSHOTS_READ = 20
"""Newest import snapshots turned into entries (older ones are in ``kg diff`` and ``/api/changes``)."""
_FINDINGS_CHECKED = 50
"""Models whose license findings are looked up per answer."""


def matching_models(store: ox.Store, filters: dict[str, Any], version: str = "") -> set[str]:
    """Return the IRIs of the models that pass `filters` (the ``/api/models`` filters).

    Raises
    ------
    InvalidParameterError
        As :func:`kg.views.listing.list_collection`, naming the filter.
    """
    out: set[str] = set()
    cursor = None
    while True:
        page = listing.list_collection(store, "models", filters, cursor=cursor, limit=500, version=version)
        out.update(r["iri"] for r in page["results"])
        cursor = page["next"]
        if not cursor:
            return out


def _fact_text(fact: Any) -> str:
    """One fact as a line: kept as text (journal), or formatted here from terms (imports: only for entries shown)."""
    if isinstance(fact, str):
        return fact
    if len(fact) == 2:  # (predicate, object)
        return f"{term_text(fact[0])} {term_text(fact[1])}"[:300]
    p, old, new = fact  # a changed value
    return f"{term_text(p)} {', '.join(term_text(o) for o in old)} -> {', '.join(term_text(o) for o in new)}"[:300]


def _import_groups(store: ox.Store, instant: datetime | None) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    snaps = [s for s in snapshots(store) if instant is None or s.time > instant][-_SNAPSHOTS_READ:]
    for snap in snaps:
        change = diff(store, snap.source, to_version=snap.version)
        by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: {"added": [], "removed": [], "changed": []})
        new_types: dict[str, str] = {}
        for s, p, o in change.added:
            by_subject[s.value]["added"].append((p, o))
            if p.value == _TYPE and o.value in _NEW_TYPES:
                new_types[s.value] = _NEW_TYPES[o.value]
        for s, p, o in change.removed:
            by_subject[s.value]["removed"].append((p, o))
        for s, p, old, new in change.changed:
            by_subject[s.value]["changed"].append((p, old, new))
        source = {"name": f"import of {snap.source}, version {snap.version}", "iri": snap.graph}
        for subject, facts in by_subject.items():
            groups.append(
                {
                    "time": snap.time.isoformat(),
                    "subject": subject,
                    "new": new_types.get(subject),
                    "facts": facts,
                    "source": source,
                    "id": f"{snap.graph}#{slug_of(subject)}",
                }
            )
    return groups


def _update_groups(updates: list[dict[str, Any]], instant: datetime | None) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for number, entry in enumerate(updates):
        when = to_instant(entry["time"], "since")
        if instant is not None and when <= instant:
            continue
        source = entry.get("source") or {"name": "SPARQL update", "iri": None, "graphs": entry.get("graphs")}
        tag = f"urn:aikg:update:{entry['time']}:{number}"
        by_subject: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"added": [], "removed": [], "changed": []})
        new_types: dict[str, str] = {}
        for key in ("added", "removed"):
            for fact in entry.get(key, []):
                obj = fact["object"]
                value = curie(obj["value"]) if obj["type"] == "iri" else repr(obj["value"])
                text = f"{curie(fact['predicate'])} {value}"
                by_subject[fact["subject"]][key].append(text[:300])
                if key == "added" and fact["predicate"] == _TYPE and obj["value"] in _NEW_TYPES:
                    new_types[fact["subject"]] = _NEW_TYPES[obj["value"]]
        for subject, facts in by_subject.items():
            groups.append(
                {
                    "time": entry["time"],
                    "subject": subject,
                    "new": new_types.get(subject),
                    "facts": facts,
                    "source": source,
                    "id": f"{tag}#{slug_of(subject)}",
                }
            )
        for rating in entry.get("ratings", []):
            groups.append(
                {
                    "time": entry["time"],
                    "subject": rating["claim"],
                    "rating": rating,
                    "source": source,
                    "id": f"{tag}#rating-{slug_of(rating['claim'])}",
                }
            )
        if not entry.get("complete", True) and not by_subject:
            groups.append({"time": entry["time"], "subject": None, "facts": None, "source": source, "id": tag})
    return groups


def _entry(store: ox.Store, group: dict[str, Any]) -> dict[str, Any]:
    subject = group["subject"]
    kind = kind_of(subject) if subject else None
    name = display_name(store, subject) if subject else None
    facts = {key: [_fact_text(f) for f in items] for key, items in (group.get("facts") or {}).items()}
    if "rating" in group:
        r = group["rating"]
        change = "rating"
        title = f"Review of {name}: {r['old'] or 'new'} -> {r['new']}"
        lines = [f"rating {r['old'] or '(none)'} -> {r['new']}"]
    elif subject is None:
        change = "update"
        graphs = group["source"].get("graphs")
        title = "SPARQL update of " + (", ".join(graphs) if graphs else "the dataset")
        lines = []
    elif group.get("new"):
        change = "new"
        title = f"New {group['new']}: {name}"
        lines = ["+ " + f for f in facts["added"]]
    elif facts["added"] or facts["changed"]:
        change = "changed"
        title = f"Changed facts of {name}"
        lines = (
            ["+ " + f for f in facts["added"]]
            + ["~ " + f for f in facts["changed"]]
            + ["- " + f for f in facts["removed"]]
        )
    else:
        change = "removed"
        title = f"Removed facts of {name}"
        lines = ["- " + f for f in facts["removed"]]
    return {
        "id": group["id"],
        "time": group["time"],
        "change": change,
        "title": title,
        "subject": subject,
        "kind": kind,
        "slug": slug_of(subject) if subject else None,
        "name": name,
        "facts": lines[:50],
        "factCount": len(lines),
        "rating": group.get("rating"),
        "source": group["source"],
    }


def _findings(store: ox.Store, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    models = [e for e in entries if e["kind"] == "model" and e["change"] in ("new", "changed")]
    for entry in models[:_FINDINGS_CHECKED]:
        try:
            found = license_findings(store, entry["subject"])
        except KGError:  # no longer a model (its type was removed)
            continue
        for number, finding in enumerate(found):
            detail = finding.to_dict()
            out.append(
                {
                    **entry,
                    "id": f"{entry['id']}#finding-{number}",
                    "change": "license-finding",
                    "title": f"License finding for {entry['name']}: {detail.get('kind', 'finding')}",
                    "facts": [str(detail.get("reason", ""))[:500]],
                    "factCount": 1,
                    "finding": detail,
                }
            )
    return out


def change_entries(
    store: ox.Store,
    updates: list[dict[str, Any]],
    since: str | None = None,
    kind: str | None = None,
    model_filters: dict[str, Any] | None = None,
    rating: str | None = None,
    rated: frozenset[str] = frozenset(),
    limit: int = 50,
    version: str = "",
) -> list[dict[str, Any]]:
    """Return the newest change entries, filtered, newest first.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    updates : list of dict
        The update journal's entries (:meth:`kg.ingest.journal.UpdateJournal.entries`).
    since : str, optional
        Keep changes after this date (end of the day, UTC) or ISO 8601 date-time.
    kind : str, optional
        Keep entries about this kind of entity (``model``, ``claim``, ``organization``…).
    model_filters : dict, optional
        ``/api/models`` filters (``country``, ``architecture``…): keep entries about matching models.
    rating : str, optional
        Keep entries about claims rated `rating` now (`rated`) or whose rating changed to it.
    rated : frozenset of str, optional
        IRIs of the claims whose current review has `rating`.
    limit : int, optional
        Most entries returned.
    version : str, optional
        Dataset version (cache key of the model filter).

    Returns
    -------
    list of dict
        ``id``, ``time`` (ISO 8601), ``change`` (one of :data:`ENTRY_KINDS`), ``title``, ``subject``
        (IRI or None), ``kind``, ``slug``, ``name``, ``facts`` (text lines, ``+`` added, ``~``
        changed, ``-`` removed), ``factCount``, ``rating`` (``{claim, old, new}`` or None),
        ``source`` (``{name, iri}``: the import's snapshot graph, or ``SPARQL update`` with its graphs)
        and, for a license finding, ``finding``.

    Raises
    ------
    InvalidParameterError
        For a `since` that is no date, or a model filter that names nothing.
    """
    instant = to_instant(since, "since") if since else None
    matching = matching_models(store, model_filters, version) if model_filters else None
    groups = _import_groups(store, instant) + _update_groups(updates, instant)
    # Filtered and cut before any entry is built: naming an entity and checking its licenses cost
    # queries, and a first import is thousands of groups.
    if matching is not None:
        groups = [g for g in groups if g["subject"] in matching]
    if kind:
        groups = [g for g in groups if g["subject"] and kind_of(g["subject"]) == kind]
    if rating:
        groups = [g for g in groups if g["subject"] in rated or g.get("rating", {}).get("new") == rating]
    groups.sort(key=lambda g: (to_instant(g["time"]), g["id"]), reverse=True)
    entries = [_entry(store, g) for g in groups[:limit]]
    entries += _findings(store, entries)
    entries.sort(key=lambda e: (to_instant(e["time"]), e["id"]), reverse=True)
    return entries[:limit]
