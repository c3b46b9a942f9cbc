"""The journal of SPARQL updates: what each write through the service changed, for the change feeds.

Imports keep snapshots (:mod:`kg.ingest.history` diffs them); a SPARQL Update keeps nothing of the
kind, so without a record here a write would never reach ``/feeds/changes.atom``. The journal is
kept outside the dataset on purpose: a log graph written in the same request would itself be a
change (re-digested, reviewed, counted by VoID). Each entry holds the time, the graphs the request
could change, the triples of its ``INSERT DATA``/``DELETE DATA`` operations (a pattern update
lists none: its effect is known only by running it) and the review ratings the write changed. In
memory it keeps the latest entries; next to an on-disk store it is also a JSON Lines file
(``{store}.updates.jsonl``), so a restart keeps the feed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.engine.store import parsed_update
from kg.namespaces import GRAPH

__all__ = ["JOURNAL_KEPT", "UpdateJournal", "rating_changes", "ratings_entry", "ratings_update_entry", "update_entry"]

log = logging.getLogger(__name__)

JOURNAL_KEPT = 2000
"""Entries kept in memory (the newest); the file keeps all of them."""

_FACTS_KEPT = 500
"""Triples listed per entry and operation kind; ``counts`` stay complete."""


def _term(term: Any) -> dict[str, Any]:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "iri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out: dict[str, Any] = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.datatype is not None:
        out["datatype"] = str(term.datatype)
    if isinstance(term, Literal) and term.language:
        out["language"] = term.language
    return out


def _data_triples(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Return the triples of the request's ``INSERT DATA``/``DELETE DATA`` operations, or None if it has others."""
    request = parsed_update(
        text, limit=1_000_000
    )  # rdflib may lag behind the engine: None, the entry then lists no triples
    if request is None:
        return None
    added: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    for op in request.algebra:
        if op.name not in ("InsertData", "DeleteData"):
            return None
        target = added if op.name == "InsertData" else removed
        fields = {key: op[key] for key in op}
        triples = list(fields.get("triples") or [])
        for graph_triples in (fields.get("quads") or {}).values():
            triples.extend(graph_triples)
        for s, p, o in triples:
            target.append({"subject": str(s), "predicate": str(p), "object": _term(o)})
    return added, removed


def update_entry(
    text: str,
    graphs: frozenset[str] | None,
    ratings_before: dict[str, str],
    ratings_after: dict[str, str],
    when: datetime | None = None,
) -> dict[str, Any]:
    """Describe one applied SPARQL Update request as a journal entry.

    Parameters
    ----------
    text : str
        The request (the shared prefixes predeclared).
    graphs : frozenset of str or None
        Graphs it could change (:func:`kg.engine.store.written_graphs`); None: unknown.
    ratings_before, ratings_after : dict of str to str
        Claim IRI -> review rating before and after the write.
    when : datetime, optional
        Default now (UTC).

    Returns
    -------
    dict
        ``time`` (ISO 8601), ``kind`` ``"update"``, ``graphs`` (sorted list or None), ``counts``,
        ``added``/``removed`` (``{subject, predicate, object}``, the object as
        ``{type, value[, datatype, language]}``; empty for a pattern update, ``complete`` False)
        and ``ratings`` (``{claim, old, new}`` for every review whose rating changed, a new claim's
        ``old`` None).
    """
    parsed = _data_triples(text) if len(text) <= 1_000_000 else None
    added, removed = parsed if parsed is not None else ([], [])
    ratings = rating_changes(ratings_before, ratings_after)
    return {
        "time": (when or datetime.now(UTC)).isoformat(),
        "kind": "update",
        "graphs": sorted(graphs) if graphs is not None else None,
        "complete": parsed is not None,
        "counts": {"added": len(added), "removed": len(removed), "ratings": len(ratings)},
        "added": added[:_FACTS_KEPT],
        "removed": removed[:_FACTS_KEPT],
        "ratings": ratings[:_FACTS_KEPT],
    }


def ratings_update_entry(ratings: list[dict[str, Any]], when: datetime | None = None) -> dict[str, Any]:
    """Describe the review ratings that SPARQL updates changed, found when the reviews were next regenerated.

    Parameters
    ----------
    ratings : list of dict
        ``{claim, old, new}`` per changed rating (:func:`rating_changes`).
    when : datetime, optional
        Default now (UTC).

    Returns
    -------
    dict
        An ``"update"`` entry like :func:`update_entry`'s with no facts, ``graphs`` the reviews
        graph and the ratings (``complete`` True: the entry lists everything it changed).
    """
    return {
        "time": (when or datetime.now(UTC)).isoformat(),
        "kind": "update",
        "graphs": [str(GRAPH["reviews"])],
        "complete": True,
        "counts": {"added": 0, "removed": 0, "ratings": len(ratings)},
        "added": [],
        "removed": [],
        "ratings": ratings[:_FACTS_KEPT],
    }


def rating_changes(before: dict[str, str], after: dict[str, str]) -> list[dict[str, Any]]:
    """Return ``{claim, old, new}`` for every claim whose review rating differs (``old`` None: a new claim).

    Examples
    --------
    >>> rating_changes({"c1": "supported"}, {"c1": "misleading", "c2": "unverifiable"})
    [{'claim': 'c1', 'old': 'supported', 'new': 'misleading'}, {'claim': 'c2', 'old': None, 'new': 'unverifiable'}]
    """
    return [{"claim": c, "old": before.get(c), "new": new} for c, new in sorted(after.items()) if before.get(c) != new]


def ratings_entry(source: str, snapshot: str | None, ratings: list[dict[str, Any]]) -> dict[str, Any]:
    """Describe the review ratings an import changed (its facts are in its snapshot, see :mod:`kg.ingest.history`).

    Parameters
    ----------
    source : str
        Importer key.
    snapshot : str or None
        IRI of the snapshot graph the import wrote.
    ratings : list of dict
        :func:`rating_changes` of the import.

    Returns
    -------
    dict
        A journal entry of kind ``"import"`` naming its source; no facts, only ``ratings``.
    """
    return {
        "time": datetime.now(UTC).isoformat(),
        "kind": "import",
        "source": {"name": f"import of {source}", "iri": snapshot},
        "graphs": None,
        "complete": True,
        "counts": {"added": 0, "removed": 0, "ratings": len(ratings)},
        "added": [],
        "removed": [],
        "ratings": ratings[:_FACTS_KEPT],
    }


class UpdateJournal:
    """The newest update entries in memory, and all of them in a JSON Lines file when given one.

    Parameters
    ----------
    path : pathlib.Path, optional
        File to append to and to read back at start; None keeps the journal in memory only
        (the in-memory store loses its data at exit too).

    Examples
    --------
    >>> j = UpdateJournal()
    >>> j.record({"time": "2026-01-01T00:00:00+00:00", "kind": "update"})
    >>> [e["time"] for e in j.entries()]
    ['2026-01-01T00:00:00+00:00']
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: deque[dict[str, Any]] = deque(maxlen=JOURNAL_KEPT)
        self._lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: list[futures.Future[None]] = []
        self._builder: ThreadPoolExecutor | None = None
        if path is not None and path.is_file():
            for line in path.read_text("utf-8").splitlines():
                try:
                    self._entries.append(json.loads(line))
                except ValueError:  # a line cut by a crash: the others still count
                    log.warning("skipping a damaged line of %s", path)

    def record_later(self, build: Callable[[], dict[str, Any]]) -> None:
        """Keep the entry `build()` returns, built in a background thread, in call order.

        The writer does not wait for it (describing an update parses it: milliseconds of Python
        on the write path); :meth:`entries` and :meth:`record` wait for the entries pending.

        Parameters
        ----------
        build : callable
            Returns the entry; an exception it raises is logged, and no entry is kept.
        """
        with self._pending_lock:
            if self._builder is None:
                self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-journal")
            self._pending.append(self._builder.submit(self._build_and_keep, build))

    def _build_and_keep(self, build: Callable[[], dict[str, Any]]) -> None:
        try:
            self._keep(build())
        except Exception:  # the write itself succeeded; only its feed entry is lost
            log.exception("recording an update in the journal failed")

    def _settle(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, []
        futures.wait(pending)

    def record(self, entry: dict[str, Any]) -> None:
        """Keep `entry` (and append it to the file), after the entries pending (:meth:`record_later`)."""
        self._settle()
        self._keep(entry)

    def _keep(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def entries(self) -> list[dict[str, Any]]:
        """Return the kept entries, oldest first (once the pending ones are kept)."""
        self._settle()
        with self._lock:
            return list(self._entries)
