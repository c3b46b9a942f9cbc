"""Search entity names and alternate names in any script, through the label index.

Every value that comes from a user is bound into a named query or looked up in the index, never
written into query text (known-traps case 21).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import union_dataset
from kg.engine.memo import cached, reads
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.find.label_index import LabelIndex, normalize
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import ENTITY_KINDS, NAME_PROPERTIES, SCHEMES, kind_of, python_value


def _build_label_index(store: ox.Store, schemes: dict[str, set[str]]) -> LabelIndex:
    """Read every searchable name (``kg/queries/labels.rq``) and index it with its entity's kind."""
    # Terms read straight from the engine's solutions: at 100k models (266k labels) the plain
    # rows of kg.engine.sparql.select cost twice as long.
    solutions = store.query(named_query("labels"), prefixes=PREFIXES, **union_dataset(store))
    assert [v.value for v in solutions.variables] == ["s", "label", "type", "property"]  # type: ignore[union-attr]
    rows = [(s[0].value, s[1], s[2], s[3].value) for s in solutions]  # type: ignore[union-attr]
    types: dict[str, set[str]] = defaultdict(set)
    for iri, _label, type_, _prop in rows:
        if type_ is not None:
            types[iri].add(python_value(type_))
    kinds: dict[str, str] = {}
    records = []
    for iri, label, _type, prop in rows:
        kind = kind_of(iri, types[iri]) or "other"
        if kind == "concept" and SCHEMES["architecture"] in schemes.get(iri, ()):
            kind = "architecture"
        kinds[iri] = kind
        rank = NAME_PROPERTIES.index(prop) if prop in NAME_PROPERTIES else len(NAME_PROPERTIES)
        text = label.value if label.datatype.value in _TEXT_TYPES else str(python_value(label))
        records.append((iri, text, rank))
    del rows, types  # the engine's terms: freed before the index's own build peaks
    # In one order whatever order the engine answered in (Oxigraph and Virtuoso differ): ties in
    # the ranking then fall the same way on every engine.
    records.sort()
    return LabelIndex(records, kinds)


_TEXT_TYPES = frozenset((PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"))


def warm_index(store: ox.Store, version: str, build_elsewhere: Callable[..., Any] | None = None) -> None:
    """Build the label index of `version` now, so later lookups (and forked workers) reuse it.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    version : str
        Dataset version, the cache key.
    build_elsewhere : callable, optional
        ``build_elsewhere(label_index, version)`` runs the build in another process and returns
        the index (:func:`kg.engine.workers.run_in_own_worker`): this process then holds only the
        index, not the fragments its build leaves in the heap. Default: build here.
    """
    if build_elsewhere is None:
        label_index(store, version)
    else:  # the build runs only when this version has no index yet
        cached(version, "labels", lambda: build_elsewhere(label_index, version))


LABEL_PREDICATES = frozenset(
    [
        *(
            PREFIXES[prefix] + local
            for prefix, local in (
                ("schema", "name"),
                ("schema", "alternateName"),
                ("rdfs", "label"),
                ("skos", "prefLabel"),
                ("skos", "altLabel"),
                ("skos", "notation"),
                ("schema", "headline"),
                ("spdx", "licenseId"),
                ("spdx", "name"),
                ("aikg", "hfRepoId"),
                ("aikg", "epochName"),
                ("rdf", "type"),
                ("skos", "inScheme"),
            )
        )
    ]
)
"""Every predicate the label index reads: the names of ``kg/queries/labels.rq``, ``rdf:type`` and ``skos:inScheme``."""


reads("labels", lambda: LABEL_PREDICATES)


def label_index(store: ox.Store, version: str) -> LabelIndex:
    """Return the label index of the dataset version, built once per version in this process.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    version : str
        Dataset version (cache key; empty builds afresh).

    Returns
    -------
    LabelIndex
    """

    def build() -> LabelIndex:
        schemes: dict[str, set[str]] = defaultdict(set)
        for row in select(store, "SELECT ?c ?scheme WHERE { ?c skos:inScheme ?scheme }"):
            schemes[row["c"]].add(row["scheme"])
        return _build_label_index(store, schemes)

    return cached(version, "labels", build)  # type: ignore[no-any-return]


def search(store: ox.Store, q: str, kind: str | None = None, limit: int = 20, version: str = "") -> dict[str, Any]:
    """Search names and alternate names, any script, case- and accent-insensitive.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    q : str
        Text to look for, 1 to 200 characters after trimming.
    kind : str, optional
        Keep only this kind (one of :data:`ENTITY_KINDS`).
    limit : int, optional
        Maximum number of hits, 1 to 100.
    version : str, optional
        Dataset version, the key of the cached label index.

    Returns
    -------
    dict
        ``total`` (all hits) and ``results``: hits ranked exact > prefix > contains, strict before loose, then names
        before alternate names, shorter matched labels first, then by name; each with ``iri``,
        ``slug``, ``kind``, ``name``, ``matched`` (the label that matched), ``match``
        (``exact``, ``prefix`` or ``contains``) and ``loose`` (True when it matched only with
        spaces and punctuation ignored; such hits rank after strict ones of the same class).

    Raises
    ------
    InvalidParameterError
        If `q` is empty or longer than 200 characters, `kind` is unknown, or `limit` is out of
        range.

    Notes
    -----
    Labels are folded with :func:`normalize` (NFKD, accents removed, case-folded), and also
    compared with punctuation and spaces removed, so ``glm45`` finds GLM-4.5 and ``智谱`` finds
    Zhipu AI through its alternate name.
    """
    needle = normalize(q)
    if not needle or len(q) > 200:
        raise InvalidParameterError("q", "give 1 to 200 characters to search for")
    if kind is not None and kind not in ENTITY_KINDS:
        raise InvalidParameterError("kind", "must be one of " + ", ".join(ENTITY_KINDS))
    if not 1 <= limit <= 100:
        raise InvalidParameterError("limit", "must be between 1 and 100")
    return label_index(store, version).search(q, kind=kind, limit=limit)
