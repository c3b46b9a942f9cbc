"""Entity lookups: resolve a slug, name or IRI; describe an entity; search names; list models
and claims. Every function takes the pyoxigraph store first so a query worker can run it."""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kg.errors import InvalidParameterError, NotFoundError
from kg.namespaces import ID, KINDS, PREFIXES
from kg.sparql import named_query, select

__all__ = [
    "describe",
    "kind_of",
    "list_claims",
    "list_models",
    "normalize",
    "resolve",
    "search",
]

_TYPE_KIND = {
    PREFIXES["aikg"] + "AIModel": "model",
    "https://schema.org/Organization": "organization",
    "https://schema.org/NewsMediaOrganization": "organization",
    "https://schema.org/Person": "person",
    "https://schema.org/Claim": "claim",
    "https://schema.org/NewsArticle": "article",
    PREFIXES["aikg"] + "ModelFamily": "family",
    PREFIXES["aikg"] + "CustomLicense": "license",
    PREFIXES["aikg"] + "ProprietaryTerms": "license",
    PREFIXES["spdx"] + "ListedLicense": "license",
    "https://schema.org/Country": "country",
    PREFIXES["skos"] + "Concept": "concept",
}


def normalize(text: str) -> str:
    """Fold case, accents and width so names match however they are typed.

    Parameters
    ----------
    text : str
        A name in any script.

    Returns
    -------
    str
        NFKD-decomposed, combining marks removed, case-folded, whitespace collapsed.

    Examples
    --------
    >>> normalize("  Zürich  AI ")
    'zurich ai'
    >>> normalize("智谱")
    '智谱'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def kind_of(iri: str, types: list[str] | None = None) -> str | None:
    """Return the entity kind of an IRI (``model``, ``organization``…) or ``None``.

    Parameters
    ----------
    iri : str
        An instance IRI.
    types : list of str, optional
        Its rdf:type IRIs, used when the IRI is not under ``https://w3id.org/aikg/id/``.

    Returns
    -------
    str or None

    Examples
    --------
    >>> kind_of("https://w3id.org/aikg/id/model/glm-4.5")
    'model'
    """
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :].split("/", 1)[0]
    for t in types or []:
        if t in _TYPE_KIND:
            return _TYPE_KIND[t]
    return None


# The label index is cached per store version; a forked worker never sees a write, so its
# cache is keyed by the version the server passes along.
_INDEX: dict[str, tuple[dict[str, list[tuple[str, str, str]]], dict[str, str]]] = {}


def _label_index(store: ox.Store, version: str) -> tuple[dict[str, list[tuple[str, str, str]]], dict[str, str]]:
    cached = _INDEX.get(version)
    if cached is not None:
        return cached
    by_norm: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    rows = select(store, named_query("labels"))
    for row in rows:
        if "type" in row:
            types[row["s"]].add(row["type"])
    for row in rows:
        iri, label = row["s"], row["label"]
        kind = kind_of(iri, sorted(types[iri])) or "other"
        by_norm[normalize(label)].append((iri, label, kind))
        if row["property"].endswith(("name", "prefLabel", "headline")) and iri not in names:
            names[iri] = label
    _INDEX.clear()
    _INDEX[version] = (dict(by_norm), names)
    return _INDEX[version]


def search(
    store: ox.Store, q: str, kind: str | None = None, limit: int = 20, version: str = ""
) -> list[dict[str, Any]]:
    """Search names and alternate names, any script, case- and accent-insensitive.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    q : str
        Text to look for (1 to 200 characters after trimming).
    kind : str, optional
        Keep only this kind (``model``, ``organization``, ``person``, ``license``, ``claim``,
        ``article``, ``family``).
    limit : int, optional
        Maximum number of hits, 1 to 100.
    version : str, optional
        Dataset version, the key of the cached label index.

    Returns
    -------
    list of dict
        Hits ranked exact > prefix > contains, then shorter names first; each with ``iri``,
        ``kind``, ``name``, ``matched`` (the label that matched) and ``match``.

    Raises
    ------
    InvalidParameterError
        If `q` is empty or longer than 200 characters, or `limit` is out of range.
    """
    needle = normalize(q)
    if not needle or len(needle) > 200:
        raise InvalidParameterError("q", "give 1 to 200 characters to search for")
    if not 1 <= limit <= 100:
        raise InvalidParameterError("limit", "must be between 1 and 100")
    by_norm, names = _label_index(store, version)
    best: dict[str, tuple[int, int, dict[str, Any]]] = {}
    for norm, entries in by_norm.items():
        if norm == needle:
            rank, match = 0, "exact"
        elif norm.startswith(needle):
            rank, match = 1, "prefix"
        elif needle in norm:
            rank, match = 2, "contains"
        else:
            continue
        for iri, label, entry_kind in entries:
            if kind and entry_kind != kind:
                continue
            hit = {"iri": iri, "kind": entry_kind, "name": names.get(iri, label), "matched": label, "match": match}
            key = (rank, len(norm))
            if iri not in best or key < best[iri][:2]:
                best[iri] = (rank, len(norm), hit)
    ranked = sorted(best.values(), key=lambda t: (t[0], t[1], t[2]["name"].casefold()))
    return [hit for _, _, hit in ranked[:limit]]


def resolve(store: ox.Store, kind: str, ref: str, version: str = "") -> str:
    """Return the IRI of the entity of `kind` that `ref` names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    kind : str
        Singular kind, e.g. ``"model"``.
    ref : str
        A slug (``glm-4.5``), a full IRI, or a name or alternate name (``GLM-4.5``, ``智谱``).
    version : str, optional
        Dataset version (label-index cache key).

    Returns
    -------
    str
        The IRI.

    Raises
    ------
    NotFoundError
        If nothing matches; ``suggestions`` holds the closest slugs.
    """
    ref = ref.strip()
    candidates = (
        [ref] if ref.startswith(("http://", "https://")) else [f"{ID}{kind}/{ref}", f"{ID}{kind}/{ref.lower()}"]
    )
    for iri in candidates:
        if _exists(store, iri):
            return iri
    if ref and len(ref) <= 200:
        for hit in search(store, ref, kind=kind, limit=5, version=version):
            if hit["match"] == "exact":
                return hit["iri"]
    raise NotFoundError(f"no {kind} named {ref!r}", suggestions=_suggest(store, kind, ref, version))


def _exists(store: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return next(iter(store.quads_for_pattern(node, None, None)), None) is not None


def _suggest(store: ox.Store, kind: str, ref: str, version: str) -> list[str]:
    by_norm, _names = _label_index(store, version)
    pool: dict[str, str] = {}
    for norm, entries in by_norm.items():
        for iri, _label, entry_kind in entries:
            if entry_kind == kind:
                pool.setdefault(norm, iri)
                pool.setdefault(normalize(iri.rsplit("/", 1)[-1]), iri)
    close = difflib.get_close_matches(normalize(ref), list(pool), n=5, cutoff=0.5)
    seen: list[str] = []
    for norm in close:
        slug = pool[norm].rsplit("/", 1)[-1]
        if slug not in seen:
            seen.append(slug)
    return seen[:5]


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def describe(store: ox.Store, iri: str) -> dict[str, Any]:
    """Describe one entity: properties with labels, incoming links, sources per fact.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        The entity's IRI.

    Returns
    -------
    dict
        ``iri``, ``kind``, ``slug``, ``name``, ``types``, ``properties`` (property label ->
        list of values, each ``{"value", "iri"?, "label"?, "graphs"}``), ``incoming``
        (property label -> list of ``{"iri", "label", "kind"}``), ``sources`` (the named graphs
        the facts come from, with their provenance).

    Raises
    ------
    NotFoundError
        If no statement has `iri` as subject.
    """
    node = ox.NamedNode(iri)
    rows = select(store, named_query("describe_entity"), {"s": node})
    if not rows:
        raise NotFoundError(f"no entity with IRI {iri}")
    properties: dict[str, dict[str, dict[str, Any]]] = {}
    prop_iris: dict[str, str] = {}
    types: list[str] = []
    graphs: set[str] = set()
    for row in rows:
        p, o = row["p"], row["o"]
        graphs.add(row["g"])
        if p == PREFIXES["rdf"] + "type":
            if o not in types:
                types.append(o)
            continue
        label = row.get("pLabel") or _local(p)
        prop_iris[label] = p
        values = properties.setdefault(label, {})
        key = f"{o}"
        entry = values.get(key)
        if entry is None:
            entry = {"value": o, "graphs": []}
            if row.get("oIsIri"):
                entry = {"value": o, "iri": o, "graphs": []}
                if row.get("oLabel"):
                    entry["label"] = row["oLabel"]
                kind = kind_of(o, [row["oType"]] if row.get("oType") else None)
                if kind:
                    entry["kind"] = kind
            values[key] = entry
        if "label" not in entry and row.get("oLabel") and "iri" in entry:
            entry["label"] = row["oLabel"]
        if row["g"] not in entry["graphs"]:
            entry["graphs"].append(row["g"])
    incoming: dict[str, dict[str, dict[str, Any]]] = {}
    for row in select(store, named_query("incoming_links"), {"o": node}):
        label = _local(row["p"])
        bucket = incoming.setdefault(label, {})
        if row["s"] not in bucket:
            bucket[row["s"]] = {
                "iri": row["s"],
                "label": row.get("sLabel") or _local(row["s"]),
                "kind": kind_of(row["s"], [row["sType"]] if row.get("sType") else None),
            }
    name = next(
        (v["value"] for k in ("name", "headline", "preferred label", "label") for v in properties.get(k, {}).values()),
        _local(iri),
    )
    sources = [s for s in _graph_sources(store) if s["graph"] in graphs]
    return {
        "iri": iri,
        "kind": kind_of(iri, types),
        "slug": _local(iri),
        "name": name,
        "types": types,
        "properties": {k: list(v.values()) for k, v in properties.items()},
        "property_iris": prop_iris,
        "incoming": {k: list(v.values()) for k, v in incoming.items()},
        "sources": sources,
    }


def _graph_sources(store: ox.Store) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for row in select(store, named_query("graph_sources")):
        entry = merged.setdefault(
            row["g"],
            {
                "graph": row["g"],
                "title": row.get("title"),
                "license": row.get("license"),
                "generated": row.get("generated"),
                "sources": [],
            },
        )
        if row.get("source") and row["source"] not in entry["sources"]:
            entry["sources"].append(row["source"])
    return list(merged.values())


def list_models(store: ox.Store, **filters: Any) -> list[dict[str, Any]]:
    """List models with their key facts, optionally filtered.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    **filters
        ``organization`` (IRI), ``country`` (ISO 3166 code or country IRI), ``architecture``
        (concept IRI; narrower concepts match), ``license`` (IRI, weights or code),
        ``osi`` (bool), ``released_after`` / ``released_before`` (``YYYY-MM-DD``).

    Returns
    -------
    list of dict
        One dict per model, sorted by name: ``iri``, ``slug``, ``name``, ``creator``,
        ``creatorName``, ``countryCode``, ``date``, ``architecture``, ``totalParameters``,
        ``activeParameters``, ``weightsLicense``, ``osiApproved``, ``codeLicense``,
        ``accessibility``.
    """
    rows = select(store, named_query("models"))
    narrower = None
    if filters.get("architecture"):
        narrower = {
            r["c"]
            for r in select(
                store,
                "SELECT ?root ?c WHERE { ?c skos:broader* ?root }",
                {"root": ox.NamedNode(filters["architecture"])},
            )
        }
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["model"]
        entry = merged.get(iri)
        if entry is None:
            entry = merged[iri] = {
                "iri": iri,
                "slug": _local(iri),
                "name": row["name"],
                "creator": row.get("creator"),
                "creatorName": row.get("creatorName"),
                "country": row.get("country"),
                "countryCode": row.get("countryCode"),
                "date": row.get("date"),
                "architecture": row.get("architecture"),
                "architectureLabel": row.get("architectureLabel"),
                "totalParameters": row.get("total"),
                "activeParameters": row.get("active"),
                "weightsLicense": row.get("weightsLicense"),
                "weightsLicenseLabel": row.get("weightsLicenseLabel"),
                "osiApproved": row.get("osi"),
                "codeLicense": row.get("codeLicense"),
                "accessibility": row.get("accessibility"),
            }
    out = []
    for entry in merged.values():
        if filters.get("organization") and entry["creator"] != filters["organization"]:
            continue
        country = filters.get("country")
        if country and country not in {entry["country"], entry["countryCode"]}:
            continue
        if narrower is not None and entry["architecture"] not in narrower:
            continue
        if filters.get("license") and filters["license"] not in {entry["weightsLicense"], entry["codeLicense"]}:
            continue
        if filters.get("osi") is not None and bool(entry["osiApproved"]) != filters["osi"]:
            continue
        date = str(entry["date"] or "")
        if filters.get("released_after") and (not date or date < filters["released_after"]):
            continue
        if filters.get("released_before") and (not date or date >= filters["released_before"]):
            continue
        out.append(entry)
    return out


def list_claims(store: ox.Store, about: str | None = None) -> list[dict[str, Any]]:
    """List claims, with claimant, subjects, text, stance, source and self-claim flag.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    about : str, optional
        IRI of a subject; keep only claims about it.

    Returns
    -------
    list of dict
        One dict per claim: ``iri``, ``slug``, ``claimant``, ``claimantName``, ``about``
        (list of ``{"iri", "name"}``), ``text``, ``paraphrase``, ``stance``, ``kind``, ``date``,
        ``sources`` (list of ``{"iri", "name", "publisher"}``), ``selfClaim``.
    """
    claims: dict[str, dict[str, Any]] = {}
    for row in select(store, named_query("claims")):
        entry = claims.setdefault(
            row["claim"],
            {
                "iri": row["claim"],
                "slug": _local(row["claim"]),
                "claimant": row["claimant"],
                "claimantName": row.get("claimantName"),
                "about": [],
                "text": row.get("text"),
                "paraphrase": row.get("paraphrase"),
                "stance": _local(row["stance"]) if row.get("stance") else None,
                "kind": _local(row["kind"]) if row.get("kind") else None,
                "date": row.get("date"),
                "sources": [],
                "selfClaim": False,
            },
        )
        subject = {"iri": row["about"], "name": row.get("aboutName") or _local(row["about"])}
        if subject not in entry["about"]:
            entry["about"].append(subject)
        entry["selfClaim"] = entry["selfClaim"] or bool(row.get("selfClaim"))
        if row.get("source"):
            source = {"iri": row["source"], "name": row.get("sourceName"), "publisher": row.get("publisherName")}
            if source not in entry["sources"]:
                entry["sources"].append(source)
    out = list(claims.values())
    if about:
        out = [c for c in out if any(s["iri"] == about for s in c["about"])]
    return out


def collection_kind(collection: str) -> str:
    """Return the singular kind of a REST collection name (``models`` -> ``model``).

    Raises
    ------
    NotFoundError
        If the collection does not exist.
    """
    try:
        return KINDS[collection]
    except KeyError as exc:
        raise NotFoundError(f"no collection {collection!r}", suggestions=sorted(KINDS)) from exc
