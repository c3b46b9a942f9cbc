"""Collections, filtered, sorted and paged.

Models, organizations, people, licenses, architectures, claims, articles, families and countries.

A filter value names an entity (slug, name or IRI; a country also by ISO 3166 code; a concept
by notation or label) and is resolved to an IRI first. Graph conditions are then evaluated by
SPARQL: the query is assembled from the fixed fragments of :data:`FILTERS` (never from user
text) and every value is *bound* through pyoxigraph substitutions. A few conditions on already
computed columns (self-claims) are applied to the bound rows. Paging is by keyset cursor: a
page starts strictly after the sort key of the last row seen, so inserting or deleting rows
between two requests neither repeats nor skips the rows that were already there.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from kg.engine.memo import cached
from kg.engine.sparql import select
from kg.errors import InvalidParameterError, NotFoundError
from kg.find.label_index import normalize
from kg.find.resolve import resolve_value
from kg.namespaces import KINDS
from kg.queries import named_query
from kg.terms import entity_ref, kind_of, parse_count, slug_of
from kg.views.entity import claim_records

__all__ = [
    "FILTERS",
    "SORTS",
    "filter_records",
    "is_set_filter",
    "list_collection",
    "parse_date",
    "records",
    "sort_records",
]


# -- filters -----------------------------------------------------------------------------------


from kg.views.collection_filters import FILTERS, SORTS, SUBJECT, Filter

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(parameter: str, text: str) -> str:
    """Check a date filter value and return it unchanged.

    Parameters
    ----------
    parameter : str
        Request parameter name (for the error).
    text : str
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (ISO 8601 calendar date, reduced precision
        allowed as in XML Schema ``gYear``/``gYearMonth``).

    Returns
    -------
    str

    Raises
    ------
    InvalidParameterError
        If it is not such a date, or not a real day.

    Examples
    --------
    >>> parse_date("released_after", "2025-07")
    '2025-07'
    """
    match = _DATE.match(text)
    if not match:
        raise InvalidParameterError(parameter, "use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise InvalidParameterError(parameter, f"{text!r} is not a calendar date") from exc
    return text


def _bool(parameter: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise InvalidParameterError(parameter, "use true or false")


def _resolve_claimant(store: ox.Store, parameter: str, ref: str, version: str) -> str:
    return _resolve_first(store, parameter, ref, ("person", "organization"), version)


def _resolve_subject(store: ox.Store, parameter: str, ref: str, version: str) -> str:
    kinds = ("model", "organization", "family", "person", "country", "license", "article", "claim", "architecture")
    return _resolve_first(store, parameter, ref, kinds, version)


def _resolve_first(store: ox.Store, parameter: str, ref: str, kinds: tuple[str, ...], version: str) -> str:
    for kind in kinds:
        try:
            return resolve_value(store, parameter, kind, ref, version=version)
        except InvalidParameterError:
            continue
    raise InvalidParameterError(
        parameter, f"no {' or '.join(kinds[:3])}{'…' if len(kinds) > 3 else ''} named {ref[:100]!r}"
    )


def _resolve_source(store: ox.Store, parameter: str, ref: str, version: str) -> str:
    wanted = normalize(ref)
    for claim in claim_records(store, version).values():
        for place in claim["appearances"]:
            if ref in (place["iri"], place["iri"].rstrip("/")) or wanted in (
                normalize(slug_of(place["iri"])),
                normalize(place["name"]),
            ):
                return str(place["iri"])
    try:
        return resolve_value(store, parameter, "article", ref, version=version)
    except InvalidParameterError:
        raise InvalidParameterError(parameter, f"no claim appeared in a source named {ref[:100]!r}") from None


def _bind(store: ox.Store, parameter: str, spec: Filter, raw: Any, version: str) -> Any:
    """Turn a raw filter value into the term bound in SPARQL (or the row-filter value)."""
    if spec.value == "bool":
        return _bool(parameter, raw)
    text = str(raw).strip()
    if not text:
        raise InvalidParameterError(parameter, "must not be empty")
    if spec.value == "count":
        try:
            return parse_count(text)
        except ValueError as exc:
            raise InvalidParameterError(parameter, str(exc)) from None
    if spec.value == "int":
        if not re.fullmatch(r"\d{1,19}", text):
            raise InvalidParameterError(parameter, "a whole number >= 0 (a plain count, e.g. 7000000000)")
        return int(text)
    if spec.value == "date":
        return ox.Literal(parse_date(parameter, text))
    if spec.value == "claimant":
        return ox.NamedNode(_resolve_claimant(store, parameter, text, version))
    if spec.value == "subject":
        return ox.NamedNode(_resolve_subject(store, parameter, text, version))
    if spec.value == "source":
        return ox.NamedNode(_resolve_source(store, parameter, text, version))
    return ox.NamedNode(resolve_value(store, parameter, spec.value, text, version=version))


_MAX_ALTERNATIVES = 50
"""How many values one repeated filter may list (each is resolved and bound)."""


def is_set_filter(spec: Filter) -> bool:
    """Tell whether a filter names an entity, so that repeating it means OR.

    Parameters
    ----------
    spec : Filter
        One of :data:`FILTERS`.

    Returns
    -------
    bool
        True for entity-valued filters (``country=CN&country=US``: either country); False for
        booleans, numbers and dates, which take one value.
    """
    return spec.value not in ("bool", "int", "count", "date") and bool(spec.fragment)


def _matching(store: ox.Store, collection: str, bound: dict[str, Any]) -> set[str] | None:
    """Evaluate the graph filters in one SPARQL query; None when there is none."""
    var, subject = SUBJECT[collection]
    specs = FILTERS[collection]
    patterns = []
    substitutions: dict[str, Any] = {}
    for name, value in bound.items():
        spec = specs[name]
        if spec.value == "bool":
            if not (spec.when_true or spec.when_false):
                continue  # a row filter
            patterns.append(spec.when_true if value else spec.when_false)
        elif isinstance(value, list):
            # A repeated filter is OR: the fragment's variable takes any of the bound values.
            alternatives = [f"?{name}__or{i}" for i in range(len(value))]
            patterns.append(spec.fragment + f" FILTER(?{name} IN ({', '.join(alternatives)}))")
            substitutions.update({alt[1:]: term for alt, term in zip(alternatives, value, strict=True)})
        else:
            patterns.append(spec.fragment)
            substitutions[name] = value
    if not patterns:
        return None
    # Only fixed fragments are joined here; the user's values travel as substitutions.
    projection = " ".join(f"?{n}" for n in [var, *substitutions])
    text = f"SELECT DISTINCT {projection} WHERE {{\n  {subject}\n  " + "\n  ".join(patterns) + "\n}"
    return {row[var] for row in select(store, text, substitutions)}


# -- records -----------------------------------------------------------------------------------


def _merge(
    rows: list[dict[str, Any]],
    key: str,
    build: Callable[[dict[str, Any]], dict[str, Any]],
    lists: dict[str, Callable[[dict[str, Any]], Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = out.get(row[key])
        if record is None:
            record = out[row[key]] = build(row)
        else:
            for field, value in build(row).items():
                if record.get(field) is None and value is not None:
                    record[field] = value
        for field, fn in (lists or {}).items():
            item = fn(row)
            if item is not None and item not in record[field]:
                record[field].append(item)
    return out


def _ref(iri: str | None, name: str | None = None, kind: str | None = None, **extra: Any) -> dict[str, Any] | None:
    if not iri:
        return None
    return {**entity_ref(iri, name, kind=kind), **extra}


def _license(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    iri = row.get(prefix + "License")
    if not iri:
        return None
    return _ref(
        iri,
        row.get(prefix + "LicenseName") or row.get(prefix + "LicenseId"),
        "license",
        id=row.get(prefix + "LicenseId"),
        osiApproved=row.get(prefix + "Osi"),
    )


_LIST_FIELDS = {"modality": "modalities", "inputModality": "inputModalities", "outputModality": "outputModalities"}
"""``?what`` of ``model_lists.rq`` -> record field, for the concept lists (the others are model lists)."""


def _model_records(store: ox.Store) -> dict[str, dict[str, Any]]:
    def build(row: dict[str, Any]) -> dict[str, Any]:
        country = _ref(row.get("country"), row.get("countryName"), "country", code=row.get("countryCode"))
        return {
            **entity_ref(row["model"], row.get("name"), kind="model"),
            "creator": _ref(row.get("creator"), row.get("creatorName"), "organization"),
            "country": country,
            "datePublished": row.get("date"),
            "architecture": _ref(row.get("architecture"), row.get("architectureLabel"), "architecture"),
            "totalParameters": row.get("total"),
            "activeParameters": row.get("active"),
            "contextLength": row.get("contextLength"),
            "modalities": [],
            "inputModalities": [],
            "outputModalities": [],
            "weightsLicense": _license(row, "weights"),
            "codeLicense": _license(row, "code"),
            "accessibility": _ref(row.get("accessibility"), row.get("accessibilityLabel"), "concept"),
            "openWeights": bool(row.get("openWeights")),
            "family": _ref(row.get("family"), row.get("familyName"), "family"),
            "basedOn": [],
            "distilledFrom": [],
        }

    records = _merge(select(store, named_query("models")), "model", build)
    for row in select(store, named_query("model_lists")):
        record = records.get(row["model"])
        if record is None:
            continue
        field = _LIST_FIELDS.get(row["what"], row["what"])
        kind = "concept" if field in _LIST_FIELDS.values() else "model"
        item = _ref(row["value"], row.get("valueLabel"), kind)
        if item not in record[field]:
            record[field].append(item)
    return records


def _simple(
    query: str,
    key: str,
    build: Callable[[dict[str, Any]], dict[str, Any]],
    lists: dict[str, Callable[[dict[str, Any]], Any]] | None = None,
) -> Callable[[ox.Store], dict[str, dict[str, Any]]]:
    def records_of(store: ox.Store) -> dict[str, dict[str, Any]]:
        return _merge(select(store, named_query(query)), key, build, lists)

    return records_of


_BUILDERS: dict[str, Callable[[ox.Store], dict[str, dict[str, Any]]]] = {
    "models": _model_records,
    "claims": lambda store: dict(claim_records(store)),
    "organizations": _simple(
        "organizations",
        "org",
        lambda r: {
            **entity_ref(r["org"], r.get("name"), kind="organization"),
            "country": _ref(r.get("country"), r.get("countryName"), "country", code=r.get("countryCode")),
            "parentOrganization": _ref(r.get("parent"), r.get("parentName"), "organization"),
            "category": r.get("category"),
            "url": r.get("url"),
            "modelCount": r.get("models", 0),
        },
    ),
    "people": _simple(
        "people",
        "person",
        lambda r: {
            **entity_ref(r["person"], r.get("name"), kind="person"),
            "jobTitle": r.get("jobTitle"),
            "affiliations": [],
            "claimCount": r.get("claims", 0),
        },
        {"affiliations": lambda r: _ref(r.get("affiliation"), r.get("affiliationName"), "organization")},
    ),
    "licenses": _simple(
        "licenses",
        "license",
        lambda r: {
            **entity_ref(r["license"], r.get("name") or r.get("label") or r.get("id"), kind="license"),
            "id": r.get("id"),
            "licenseClass": {"ListedLicense": "spdx", "CustomLicense": "custom", "ProprietaryTerms": "proprietary"}.get(
                slug_of(r["type"])
            ),
            "osiApproved": r.get("osi"),
            "commercialUseAllowed": r.get("commercial"),
            "weightsModelCount": r.get("weights", 0),
            "codeModelCount": r.get("code", 0),
            "modelCount": r.get("weights", 0) + r.get("code", 0),
        },
    ),
    "architectures": _simple(
        "architectures",
        "concept",
        lambda r: {
            **entity_ref(r["concept"], r.get("label"), kind="architecture"),
            "notation": r.get("notation"),
            "definition": r.get("definition"),
            "broader": [],
            "modelCount": r.get("models", 0),
        },
        {"broader": lambda r: _ref(r.get("broader"), r.get("broaderLabel"), "architecture")},
    ),
    "articles": _simple(
        "articles",
        "article",
        lambda r: {
            **entity_ref(r["article"], r.get("headline"), kind="article"),
            "publisher": _ref(r.get("publisher"), r.get("publisherName"), "organization"),
            "datePublished": r.get("date"),
            "url": r.get("url"),
            "about": [],
            "claimCount": r.get("claims", 0),
        },
        {"about": lambda r: _ref(r.get("about"), r.get("aboutName"), kind_of(r["about"]) if r.get("about") else None)},
    ),
    "families": _simple(
        "families",
        "family",
        lambda r: {
            **entity_ref(r["family"], r.get("name"), kind="family"),
            "creator": _ref(r.get("creator"), r.get("creatorName"), "organization"),
            "modelCount": r.get("models", 0),
        },
    ),
    "countries": _simple(
        "countries",
        "country",
        lambda r: {
            **entity_ref(r["country"], r.get("name"), kind="country"),
            "code": r.get("code"),
            "organizationCount": r.get("organizations", 0),
        },
    ),
}


def records(store: ox.Store, collection: str, version: str = "") -> dict[str, dict[str, Any]]:
    """Return every record of a collection, keyed by IRI (cached per dataset version).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    collection : str
        A key of :data:`FILTERS` (``models``, ``claims``…).
    version : str, optional
        Dataset version.

    Returns
    -------
    dict of str to dict
        The records, each with at least ``iri``, ``slug``, ``kind`` and ``name``.
    """
    if collection == "claims":
        return claim_records(store, version)
    return cached(version, f"records:{collection}", lambda: _BUILDERS[collection](store))  # type: ignore[no-any-return]


# -- sorting and paging ------------------------------------------------------------------------


def _sort_value(record: dict[str, Any], field: str) -> Any:
    value = record.get(field)
    if isinstance(value, dict):  # an entity reference (creator, country, license…) sorts by its name
        value = value.get("name")
        return normalize(str(value)) if value is not None else None
    if field == "name" and value is not None:
        return normalize(str(value))
    return value


def sort_records(
    items: list[dict[str, Any]], collection: str, sort: str = "name", order: str = "asc"
) -> list[dict[str, Any]]:
    """Return records in the order :func:`list_collection` pages them.

    Parameters
    ----------
    items : list of dict
        Records of `collection` (from :func:`filter_records`).
    collection : str
        A key of :data:`SORTS`.
    sort : str, optional
        A key of ``SORTS[collection]``.
    order : {"asc", "desc"}, optional
        Rows without the sort value come last either way; ties by IRI.

    Returns
    -------
    list of dict

    Raises
    ------
    InvalidParameterError
        If `sort` or `order` is unknown.
    """
    _check_sort(collection, sort, order)
    return _sorted(items, SORTS[collection][sort], order == "desc")


def _row_key(field: str) -> Callable[[dict[str, Any]], tuple[Any, str]]:
    return lambda record: (_sort_value(record, field), record["iri"])


def _sorted(items: list[dict[str, Any]], field: str, descending: bool) -> list[dict[str, Any]]:
    key = _row_key(field)
    return sorted(items, key=functools.cmp_to_key(lambda a, b: _compare(key(a), key(b), descending)))


def _compare(a: tuple[Any, str], b: tuple[Any, str], descending: bool) -> int:
    (av, ai), (bv, bi) = a, b
    if (av is None) != (bv is None):
        return 1 if av is None else -1  # rows without a value last, in both orders
    if av is not None and av != bv:
        try:
            result = -1 if av < bv else 1
        except TypeError:
            result = -1 if str(av) < str(bv) else 1
        return -result if descending else result
    return (ai > bi) - (ai < bi)


def _encode_cursor(sort: str, order: str, direction: str, key: tuple[Any, str]) -> str:
    raw = json.dumps([sort, order, direction, key[0], key[1]], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str, order: str) -> tuple[str, tuple[Any, str]]:
    try:
        if len(cursor) > 4000:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c_sort, c_order, direction, value, iri = json.loads(raw.decode())
        if (
            not isinstance(iri, str)
            or direction not in ("after", "before")
            or not isinstance(value, str | int | float | type(None))
        ):
            raise ValueError("bad shape")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidParameterError("cursor", "not a cursor this API issued: follow the next/prev links") from exc
    if (c_sort, c_order) != (sort, order):
        raise InvalidParameterError(
            "cursor", f"this cursor pages a list sorted by {c_sort} {c_order}; use the same sort and order"
        )
    return direction, (value, iri)


def _page(
    items: list[dict[str, Any]], sort: str, field: str, order: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    descending = order == "desc"
    key = _row_key(field)
    ordered = _sorted(items, field, descending)
    if cursor:
        direction, anchor = _decode_cursor(cursor, sort, order)
        if direction == "after":
            rest = [r for r in ordered if _compare(key(r), anchor, descending) > 0]
            page, before_exists, after_exists = rest[:limit], len(ordered) > len(rest), len(rest) > limit
        else:
            rest = [r for r in ordered if _compare(key(r), anchor, descending) < 0]
            page, before_exists, after_exists = rest[-limit:], len(rest) > limit, len(ordered) > len(rest)
    else:
        page, before_exists, after_exists = ordered[:limit], False, len(ordered) > limit
    return {
        "total": len(ordered),
        "results": page,
        "next": _encode_cursor(sort, order, "after", key(page[-1])) if page and after_exists else None,
        "prev": _encode_cursor(sort, order, "before", key(page[0])) if page and before_exists else None,
    }


def list_collection(
    store: ox.Store,
    collection: str,
    filters: dict[str, Any] | None = None,
    sort: str = "name",
    order: str = "asc",
    cursor: str | None = None,
    limit: int = 50,
    version: str = "",
) -> dict[str, Any]:
    """Filter, sort and page one collection.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    collection : str
        A key of :data:`FILTERS`.
    filters : dict of str to object, optional
        Filter parameter (a key of ``FILTERS[collection]``) -> raw value as the user gave it,
        or a list of them for a repeated entity filter (any of them matches: OR, see
        :func:`is_set_filter`); ``None`` values are ignored. All filters must hold (AND).
    sort : str, optional
        A key of ``SORTS[collection]``; default ``name``.
    order : {"asc", "desc"}, optional
        Sort direction; rows without the sort value come last either way; ties by IRI.
    cursor : str, optional
        Opaque cursor from a previous page's ``next`` or ``prev``.
    limit : int, optional
        Page size, 1 to 500.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    dict
        ``total`` (rows matching the filters, all pages), ``results`` (this page's records),
        ``next`` and ``prev`` (cursors or None) and ``filters`` (each applied filter with the
        IRI its value resolved to).

    Raises
    ------
    InvalidParameterError
        Naming the parameter: an unknown filter, sort or order, a value that names nothing
        (with suggestions), a malformed number, date or boolean, a repeated filter that takes
        one value, or a foreign cursor.
    """
    _check_sort(collection, sort, order)
    if not 1 <= limit <= 500:
        raise InvalidParameterError("limit", "between 1 and 500")
    items, applied = filter_records(store, collection, filters, version)
    page = _page(items, sort, SORTS[collection][sort], order, cursor, limit)
    page["filters"] = applied
    return page


def _check_sort(collection: str, sort: str, order: str) -> None:
    if collection not in FILTERS:
        raise InvalidParameterError("collection", "one of " + ", ".join(FILTERS))
    if sort not in SORTS[collection]:
        raise InvalidParameterError("sort", "one of " + ", ".join(SORTS[collection]))
    if order not in ("asc", "desc"):
        raise InvalidParameterError("order", "asc or desc")


def filter_records(
    store: ox.Store, collection: str, filters: dict[str, Any] | None = None, version: str = ""
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return the records of a collection that pass the filters, unsorted (what :func:`list_collection` pages).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    collection : str
        A key of :data:`FILTERS`.
    filters : dict of str to object, optional
        As for :func:`list_collection`.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    (list of dict, dict)
        The matching records (shared, cached: do not change them) and each applied filter with
        the IRI its value resolved to.

    Raises
    ------
    InvalidParameterError
        Naming the parameter, as for :func:`list_collection`.
    """
    if collection not in FILTERS:
        raise InvalidParameterError("collection", "one of " + ", ".join(FILTERS))
    specs = FILTERS[collection]
    bound: dict[str, Any] = {}
    applied: dict[str, Any] = {}
    for name, raw in (filters or {}).items():
        if raw is None:
            continue
        if name not in specs:
            raise InvalidParameterError(name, f"not a filter of {collection}; filters: " + ", ".join(specs))
        if isinstance(raw, list | tuple):
            values = list(raw)
            if len(values) > 1 and not is_set_filter(specs[name]):
                raise InvalidParameterError(
                    name, f"given {len(values)} times; it takes one value (only entity filters may repeat, meaning OR)"
                )
            if len(values) > _MAX_ALTERNATIVES:
                raise InvalidParameterError(name, f"at most {_MAX_ALTERNATIVES} alternative values")
            if len(values) == 1:
                raw = values[0]
            else:
                terms = [_bind(store, name, specs[name], value, version) for value in values]
                bound[name] = terms
                applied[name] = {"value": [str(v)[:200] for v in values], "iri": [t.value for t in terms]}
                continue
        bound[name] = _bind(store, name, specs[name], raw, version)
        term = bound[name]
        applied[name] = (
            {"value": raw if not isinstance(raw, str) else raw[:200], "iri": term.value}
            if isinstance(term, ox.NamedNode)
            else {"value": raw if not isinstance(raw, str) else raw[:200]}
        )
    matching = _matching(store, collection, bound)
    items = [r for iri, r in records(store, collection, version).items() if matching is None or iri in matching]
    if collection == "claims" and "self_claim" in bound:
        items = [r for r in items if r["selfClaim"] == bound["self_claim"]]
    return items, applied


COLLECTIONS: dict[str, str] = {**KINDS, "architectures": "architecture", "countries": "country"}
"""REST collection name -> entity kind."""


def collection_kind(collection: str) -> str:
    """Return the singular kind of a REST collection name (``models`` -> ``model``).

    Raises
    ------
    NotFoundError
        If the collection does not exist.
    """
    try:
        return COLLECTIONS[collection]
    except KeyError as exc:
        raise NotFoundError(f"no collection {collection[:100]!r}", suggestions=sorted(COLLECTIONS)) from exc
