"""Names to IRIs: resolve a slug, a name (any script) or an IRI to the entity or SKOS concept it names, with suggestions when it names none."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

import pyoxigraph as ox

from kg.engine.memo import cached
from kg.engine.sparql import select
from kg.errors import InvalidParameterError, NotFoundError
from kg.find.label_index import normalize
from kg.find.search import label_index, search
from kg.namespaces import ID, KINDS, PREFIXES
from kg.queries import named_query
from kg.terms import SCHEMES, is_iri, kind_of, named_node, slug_of

_RDF_TYPE = PREFIXES["rdf"] + "type"


def _types(store: ox.Store, iri: str) -> list[str] | None:
    """Return the rdf:types of `iri`, or None when it is the subject of no statement."""
    node = named_node(iri)
    if node is None:
        return None
    rows = select(store, named_query("exists"), {"s": node})
    if not rows:
        return None
    return sorted({r["type"] for r in rows if "type" in r})


def is_described(store: ox.Store, iri: str) -> bool:
    """Return True when `iri` is a valid IRI and the subject of at least one statement.

    Examples
    --------
    >>> is_described(ox.Store(), "not an IRI > }")
    False
    """
    return _types(store, iri) is not None


def entity_kind(store: ox.Store, iri: str, types: list[str], version: str) -> str | None:
    """Return the kind of an entity, telling architectures from other concepts.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        The entity.
    types : list of str
        Its rdf:type IRIs.
    version : str
        Dataset version (cache key of the label index).

    Returns
    -------
    str or None
        A kind of :data:`kg.terms.ENTITY_KINDS`.
    """
    kind = kind_of(iri, types)
    if kind == "concept" and label_index(store, version).kinds.get(iri) == "architecture":
        return "architecture"
    return kind


def _kind_matches(wanted: str, actual: str | None) -> bool:
    return wanted == actual or (wanted == "concept" and actual == "architecture")


def resolve(store: ox.Store, kind: str, ref: str, version: str = "") -> str:
    """Return the IRI of the entity of `kind` that `ref` names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    kind : str
        One of :data:`ENTITY_KINDS`, e.g. ``"model"``.
    ref : str
        A slug (``glm-4.5``), a full IRI, or a name or alternate name (``GLM-4.5``, ``智谱``);
        for a country also its ISO 3166-1 alpha-2 code (``CN``) or Wikidata id (``Q148``); for
        an architecture its notation (``moe``).
    version : str, optional
        Dataset version (label-index cache key).

    Returns
    -------
    str
        The IRI.

    Raises
    ------
    NotFoundError
        If nothing of that kind matches; ``suggestions`` holds the closest slugs.
    """
    ref = ref.strip()
    if kind == "architecture":
        try:
            return resolve_concept(store, "architecture", ref, version=version)
        except InvalidParameterError as exc:
            raise NotFoundError(
                f"no architecture named {ref!r}", suggestions=_suggest(store, kind, ref, version)
            ) from exc
    candidates: list[str] = []
    if is_iri(ref):
        candidates.append(ref)
    elif kind in KINDS.values():
        candidates += [f"{ID}{kind}/{ref}", f"{ID}{kind}/{ref.lower()}"]
    if kind == "license" and not is_iri(ref):
        candidates.append(PREFIXES["spdxl"] + ref)  # SPDX-listed licenses keep their own IRIs
    if kind == "country" and re.fullmatch(r"[A-Za-z]{2}", ref):
        candidates += [r["country"] for r in select(store, named_query("country_by_code"), {"code": ref.upper()})]
    if kind == "country" and re.fullmatch(r"[Qq]\d+", ref):
        candidates.append(PREFIXES["wd"] + ref.upper())
    for iri in dict.fromkeys(candidates):
        types = _types(store, iri)
        if types is not None and _kind_matches(kind, entity_kind(store, iri, types, version)):
            return iri
    if ref and len(ref) <= 200:
        try:
            hits = search(store, ref, kind=kind, limit=5, version=version)["results"]
        except InvalidParameterError:  # not text a name can match (control characters, U+FFFD)
            hits = []
        exact = [h for h in hits if h["match"] == "exact" and not h["loose"]]
        if exact:
            return str(exact[0]["iri"])
    raise NotFoundError(f"no {kind} named {ref[:200]!r}", suggestions=_suggest(store, kind, ref, version))


def _suggest(store: ox.Store, kind: str, ref: str, version: str) -> list[str]:
    index = label_index(store, version)
    pool: dict[str, str] = {}
    for key, entries in index.items(kinds={kind, "architecture"} if kind == "concept" else {kind}):
        for iri, _label, _rank in entries:
            pool.setdefault(key, iri)
            pool.setdefault(normalize(slug_of(iri)), iri)
    close = difflib.get_close_matches(normalize(ref[:200]), list(pool), n=8, cutoff=0.5)
    seen: list[str] = []
    for key in close:
        slug = slug_of(pool[key])
        if slug not in seen:
            seen.append(slug)
    return seen[:5]


def resolve_concept(store: ox.Store, scheme: str, ref: str, parameter: str | None = None, version: str = "") -> str:
    """Return the concept of a SKOS scheme that `ref` names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    scheme : str
        A key of :data:`SCHEMES` (``architecture``, ``modality``, ``stance``…).
    ref : str
        The concept IRI, its local name (``MixtureOfExperts``), notation (``moe``), preferred
        or alternative label (``Mixture-of-Experts``, ``MoE``), in any case.
    parameter : str, optional
        Name of the request parameter, for the error; default `scheme`.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    str
        The concept IRI.

    Raises
    ------
    InvalidParameterError
        If no concept of the scheme has that name; the message lists the accepted names.
    """
    concepts = cached(version, f"scheme:{scheme}", lambda: _scheme_names(store, SCHEMES[scheme]))
    wanted = normalize(ref)
    for iri, names in concepts.items():
        if ref == iri or wanted in names:
            return iri
    choices = sorted(min(names, key=len) for names in concepts.values())
    raise InvalidParameterError(
        parameter or scheme, f"no {scheme.replace('_', ' ')} named {ref[:100]!r}; one of: " + ", ".join(choices)
    )


def _scheme_names(store: ox.Store, scheme: str) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for row in select(store, named_query("concepts"), {"scheme": ox.NamedNode(scheme)}):
        names[row["concept"]].add(normalize(slug_of(row["concept"])))
        if "label" in row:
            names[row["concept"]].add(normalize(str(row["label"])))
    return dict(names)


def resolve_value(store: ox.Store, parameter: str, kind: str, ref: str, version: str = "") -> str:
    """Resolve a filter value to an IRI, or explain which parameter is wrong.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    parameter : str
        The request parameter the value came from (named in the error).
    kind : str
        Entity kind (:data:`ENTITY_KINDS`) or a scheme key of :data:`SCHEMES`.
    ref : str
        Slug, name, IRI (a country also an ISO 3166 code).
    version : str, optional
        Dataset version.

    Returns
    -------
    str
        The IRI.

    Raises
    ------
    InvalidParameterError
        If nothing matches; `parameter` is named, with the closest names as suggestions.
    """
    if len(ref) > 500:
        raise InvalidParameterError(parameter, "at most 500 characters")
    if kind in SCHEMES:
        return resolve_concept(store, kind, ref, parameter=parameter, version=version)
    try:
        return resolve(store, kind, ref, version=version)
    except NotFoundError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise InvalidParameterError(parameter, f"no {kind} named {ref[:100]!r}{hint}") from exc
