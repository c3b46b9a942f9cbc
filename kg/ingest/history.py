"""The history of imports: diffs between snapshots of a source and the changes since a date.

:func:`diff` compares two snapshots of one source triple by triple (importers mint no blank nodes
and resolve entities to the same IRIs, so the comparison is exact): facts *added* (subject and
property new), *removed* (gone) and *changed* (same subject and property, other values: e.g. an
accessibility grade). The snapshot's own metadata is left out. :func:`changes_since` diffs, per
source, the snapshot current at a date with the latest one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import Snapshot, snapshot_triples, snapshots, to_instant
from kg.errors import NotFoundError
from kg.namespaces import PREFIXES
from kg.terms import term_json, term_text

_XSD = PREFIXES["xsd"]


_PROV = PREFIXES["prov"]


_DCT = PREFIXES["dcterms"]


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


@dataclass(frozen=True, slots=True)
class Diff:
    """Facts added, removed and changed between two snapshots of one source.

    Attributes
    ----------
    source : str
        Importer key.
    before, after : Snapshot or None
        The compared snapshots (`before` None: everything in `after` is added).
    added, removed : list of tuple
        ``(subject, predicate, object)`` as pyoxigraph terms; the subject and property pair is
        new (added) or gone (removed).
    changed : list of tuple
        ``(subject, predicate, old objects, new objects)``: the pair exists in both with
        different values.
    """

    source: str
    before: Snapshot | None
    after: Snapshot | None
    added: list[tuple[Any, Any, Any]] = field(default_factory=list)
    removed: list[tuple[Any, Any, Any]] = field(default_factory=list)
    changed: list[tuple[Any, Any, list[Any], list[Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.removed or self.changed)

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict; each list cut to `limit` entries when given."""

        def cut(items: list[Any]) -> list[Any]:
            return items if limit is None else items[:limit]

        return {
            "source": self.source,
            "from": self.before.as_dict() if self.before else None,
            "to": self.after.as_dict() if self.after else None,
            "counts": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)},
            "added": [_fact(*t) for t in cut(self.added)],
            "removed": [_fact(*t) for t in cut(self.removed)],
            "changed": [
                {
                    "subject": s.value,
                    "predicate": p.value,
                    "old": [term_json(o) for o in old],
                    "new": [term_json(o) for o in new],
                }
                for s, p, old, new in cut(self.changed)
            ],
        }

    def lines(self) -> list[str]:
        """Return the diff as text lines (``+`` added, ``-`` removed, ``~`` changed)."""
        out = [f"+ {term_text(s)} {term_text(p)} {term_text(o)}" for s, p, o in self.added]
        out += [f"- {term_text(s)} {term_text(p)} {term_text(o)}" for s, p, o in self.removed]
        out += [
            f"~ {term_text(s)} {term_text(p)} {', '.join(term_text(o) for o in old)} -> {', '.join(term_text(o) for o in new)}"
            for s, p, old, new in self.changed
        ]
        return out


def _compare(source: str, before: Snapshot | None, after: Snapshot | None, store: ox.Store) -> Diff:
    old = snapshot_triples(store, before.graph) if before else set()
    new = snapshot_triples(store, after.graph) if after else set()
    old_all: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    new_all: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for s, p, o in old:
        old_all[(s, p)].append(o)
    for s, p, o in new:
        new_all[(s, p)].append(o)
    added, removed, changed = [], [], []
    for pair in set(old_all) | set(new_all):
        before_objs, after_objs = old_all.get(pair, []), new_all.get(pair, [])
        s, p = pair
        if not before_objs:
            added.extend((s, p, o) for o in after_objs)
        elif not after_objs:
            removed.extend((s, p, o) for o in before_objs)
        elif set(before_objs) != set(after_objs):
            changed.append((s, p, sorted(before_objs, key=str), sorted(after_objs, key=str)))
    key = lambda t: tuple(str(x) for x in t)  # noqa: E731
    return Diff(source, before, after, sorted(added, key=key), sorted(removed, key=key), sorted(changed, key=key))


def diff(store: ox.Store, source: str, from_version: int | None = None, to_version: int | None = None) -> Diff:
    """Compare two snapshots of one source.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    source : str
        Importer key.
    from_version : int, optional
        Older snapshot; default the one before `to_version`.
    to_version : int, optional
        Newer snapshot; default the latest.

    Returns
    -------
    Diff

    Raises
    ------
    NotFoundError
        If the source was never imported or a version does not exist.
    """
    snaps = {s.version: s for s in snapshots(store, source)}
    if not snaps:
        raise NotFoundError(
            f"source {source!r} has no imports yet", suggestions=sorted({s.source for s in snapshots(store)})
        )
    to_version = max(snaps) if to_version is None else to_version
    if to_version not in snaps:
        raise NotFoundError(f"{source} has no import version {to_version}", suggestions=[str(v) for v in sorted(snaps)])
    if from_version is None:
        earlier = [v for v in snaps if v < to_version]
        from_version = max(earlier) if earlier else None
    elif from_version not in snaps:
        raise NotFoundError(
            f"{source} has no import version {from_version}", suggestions=[str(v) for v in sorted(snaps)]
        )
    before = snaps[from_version] if from_version is not None else None
    return _compare(source, before, snaps[to_version], store)


def changes_since(store: ox.Store, since: date | datetime | str, source: str | None = None) -> list[Diff]:
    """Diff each source's snapshot current at `since` with its latest snapshot.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    since : datetime.date, datetime.datetime or str
        The instant to compare with (a date means the end of that day, UTC).
    source : str, optional
        Keep one source.

    Returns
    -------
    list of Diff
        One per source imported since (a source whose latest snapshot is older than `since`
        has not changed and is left out).

    Raises
    ------
    InvalidParameterError
        If `since` is no date or date-time.
    """
    instant = to_instant(since, "since")
    by_source: dict[str, list[Snapshot]] = defaultdict(list)
    for snap in snapshots(store, source):
        by_source[snap.source].append(snap)
    out = []
    for src in sorted(by_source):
        snaps = sorted(by_source[src], key=lambda s: s.version)
        before = next((s for s in reversed(snaps) if s.time <= instant), None)
        latest = snaps[-1]
        if before is not None and before.version == latest.version:
            continue
        out.append(_compare(src, before, latest, store))
    return out


def changes_report(
    store: ox.Store, since: date | datetime | str, source: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """:func:`changes_since` as JSON-ready dicts (what a query worker sends back)."""
    return [d.as_dict(limit=limit) for d in changes_since(store, since, source)]


def snapshots_report(store: ox.Store, source: str | None = None) -> list[dict[str, Any]]:
    """:func:`snapshots` as JSON-ready dicts (what a query worker sends back)."""
    return [s.as_dict() for s in snapshots(store, source)]


def _fact(s: Any, p: Any, o: Any) -> dict[str, Any]:
    return {"subject": s.value, "predicate": p.value, "object": term_json(o)}
