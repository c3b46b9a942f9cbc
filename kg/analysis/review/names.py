"""Display names of the IRIs a review mentions, looked up one IRI at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import union_dataset
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import best_label


class Names(dict[str, str]):
    """Display names of IRIs, looked up one IRI at a time when first asked for.

    The display-name order of the whole graph (:data:`kg.terms.NAME_PROPERTIES`, chosen by
    :func:`kg.terms.best_label`), so a review names an entity as its record and its picture do. Reading every name of the graph up front scales with the graph (27k labels, 0.3 s
    at 220k triples, none of them needed by a review); reviews need a few hundred. Each lookup runs
    ``review_names.rq`` with ``?s`` bound, an index lookup. :meth:`warm` drops the store once
    the reviews are built, so a kept review neither holds the store alive nor reads later data.
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__()
        self._store: ox.Store | None = store
        self._dataset = union_dataset(store)
        self._missing: set[str] = set()

    def _lookup(self, iri: str) -> str | None:
        if iri in self or iri in self._missing:
            return super().get(iri)
        if self._store is None or not iri.startswith(("http://", "https://", "urn:")):
            return None
        rows = self._store.query(
            named_query("review_names"),
            prefixes=PREFIXES,
            substitutions={ox.Variable("s"): ox.NamedNode(iri)},
            **self._dataset,
        )
        best = best_label([(row["p"].value, (row["label"].value, row["label"].language or "")) for row in rows])
        if best is None:
            self._missing.add(iri)
            return None
        self[iri] = best
        return best

    def get(self, iri: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """Return the display name of `iri`, or `default` when it has none."""
        found = self._lookup(iri)
        return default if found is None else found

    def warm(self, iris: Iterable[Any]) -> None:
        """Look up every IRI (non-strings are skipped), then forget the store."""
        for iri in iris:
            if isinstance(iri, str):
                self._lookup(iri)
        self._store = None
