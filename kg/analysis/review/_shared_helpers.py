"""Helpers the reviews share with the rest of ``kg`` in other copies, gathered here unchanged.

The display-name order (:class:`_Names`), the Python -> RDF term conversion (:func:`_lit`,
:func:`_term`: a float becomes ``xsd:decimal`` here) and the slug, local-name and entity-kind
helpers also exist, in other versions, in other modules of ``kg``. They live in this one private
module so that a single project-wide home (``kg/terms.py``) can replace it; nothing in it knows
about reviews.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.history import union_dataset
from kg.namespaces import ID, PREFIXES
from kg.sparql import named_query

_A = PREFIXES["aikg"]
_S = "https://schema.org/"
_XSD = PREFIXES["xsd"]


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kind(iri: str) -> str:
    if iri.startswith(str(ID)):
        kind = iri[len(str(ID)) :].split("/", 1)[0]
        return kind if kind in {"model", "organization", "person", "license", "claim", "article", "family"} else "other"
    if iri.startswith("http://www.wikidata.org/entity/"):
        return "country"
    if iri.startswith("http://spdx.org/licenses/"):
        return "license"
    if iri.startswith(_A):
        return "concept"
    return "article"


_NAME_RANK = {_S + "name": 0, PREFIXES["skos"] + "prefLabel": 1, PREFIXES["rdfs"] + "label": 2, _S + "headline": 3}


class _Names(dict[str, str]):
    """Display names of IRIs, looked up one IRI at a time when first asked for.

    schema:name, else skos:prefLabel, else rdfs:label, else schema:headline (English or untagged
    literals). Reading every name of the graph up front scales with the graph (27k labels, 0.3 s
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
        best: tuple[int, str] | None = None
        rows = self._store.query(
            named_query("review_names"),
            prefixes=PREFIXES,
            substitutions={ox.Variable("s"): ox.NamedNode(iri)},
            **self._dataset,
        )
        for row in rows:
            label = row["label"]
            if isinstance(label, ox.Literal) and label.language not in (None, "en"):
                continue
            key = (_NAME_RANK[row["p"].value], label.value)
            if best is None or key < best:
                best = key
        if best is None:
            self._missing.add(iri)
            return None
        self[iri] = best[1]
        return best[1]

    def get(self, iri: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._lookup(iri)
        return default if found is None else found

    def warm(self, iris: Iterable[Any]) -> None:
        """Look up every IRI (non-strings are skipped), then forget the store."""
        for iri in iris:
            if isinstance(iri, str):
                self._lookup(iri)
        self._store = None


def _names(store: ox.Store) -> _Names:
    return _Names(store)


def _lit(value: Any) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "decimal"))
    text = str(value)
    for pattern, dt in ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}", "gYear")):
        if re.fullmatch(pattern, text):
            return ox.Literal(text, datatype=ox.NamedNode(_XSD + dt))
    return ox.Literal(text)


def _term(value: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(value)
    if isinstance(value, str) and value.startswith("_:"):
        return ox.BlankNode(value[2:])
    return _lit(value)
