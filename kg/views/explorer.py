"""The model explorer's read model: table columns and facet counts over the filtered models.

Filtering and sorting are :mod:`kg.views.listing`'s (the same code as ``/api/models``); this
module only flattens a model record into the explorer's columns and counts facet values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from kg.engine.memo import cached
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.find.resolve import resolve_value
from kg.terms import display_name, entity_ref, slug_of
from kg.views.listing import filter_records, records, sort_records

__all__ = ["COLUMNS", "FACETS", "ONLY_WHEN_CHOSEN", "explore", "facet_counts", "model_facts", "model_ref", "model_row"]

COLUMNS: list[tuple[str, str, str | None]] = [
    ("name", "Model", "name"),
    ("organization", "Organization", "organization"),
    ("country", "Country", "country"),
    ("date", "Released", "date"),
    ("architecture", "Architecture", "architecture"),
    ("total_parameters", "Total parameters", "parameters"),
    ("active_parameters", "Active parameters", "active_parameters"),
    ("weights_license", "Weights license", "weights_license"),
    ("osi_approved", "OSI-approved", None),
    ("openness", "Openness", "openness"),
]
"""``(column key, heading, sort key of /api/models or None)`` in table order."""

_REF_FIELDS = {
    "name": None,
    "organization": "creator",
    "country": "country",
    "architecture": "architecture",
    "weights_license": "weightsLicense",
    "openness": "accessibility",
}


def model_row(record: dict[str, Any]) -> dict[str, Any]:
    """Flatten a model record (:func:`kg.views.listing.records`) into the explorer's columns.

    Parameters
    ----------
    record : dict
        One model record.

    Returns
    -------
    dict
        One value per key of :data:`COLUMNS` (entity columns hold the entity reference or None;
        parameters are plain counts; ``osi_approved`` is True, False or None when no weights
        license is known), plus ``iri`` and ``slug``.
    """
    row: dict[str, Any] = {"iri": record["iri"], "slug": record["slug"]}
    for key, field in _REF_FIELDS.items():
        row[key] = record if field is None else record.get(field)
    row["date"] = record.get("datePublished")
    row["total_parameters"] = record.get("totalParameters")
    row["active_parameters"] = record.get("activeParameters")
    weights = record.get("weightsLicense")
    row["osi_approved"] = None if weights is None else bool(weights.get("osiApproved"))
    return row


_Values = Callable[[dict[str, Any]], list[tuple[str, str, str | None]]]


def _ref_value(field: str, value_key: str = "slug") -> _Values:
    def values(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        ref = record.get(field)
        return [(str(ref.get(value_key) or ref["slug"]), str(ref["name"]), ref["iri"])] if ref else []

    return values


def _year(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    date = record.get("datePublished")
    return [(str(date)[:4], str(date)[:4], None)] if date else []


def _concepts(field: str) -> _Values:
    def values(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
        return [(m["slug"], m["name"], m["iri"]) for m in record.get(field) or []]

    return values


def _osi(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    # As the osi filter reads it: false also when no weights license is known.
    weights = record.get("weightsLicense")
    if weights and weights.get("osiApproved"):
        return [("true", "OSI-approved", None)]
    return [("false", "not OSI-approved", None)]


def _open_weights(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    if record.get("openWeights"):
        return [("true", "open weights", None)]
    return [("false", "closed (API, hosted, unreleased)", None)]


FACETS: list[tuple[str, str, _Values]] = [
    ("country", "Country", _ref_value("country", "code")),
    ("organization", "Organization", _ref_value("creator")),
    ("year", "Year", _year),
    ("architecture", "Architecture", _ref_value("architecture")),
    ("output_modality", "Generates", _concepts("outputModalities")),
    ("input_modality", "Takes", _concepts("inputModalities")),
    ("modality", "Takes or generates", _concepts("modalities")),
    ("weights_license", "Weights license", _ref_value("weightsLicense")),
    ("osi", "License OSI-approved", _osi),
    ("open_weights", "Weights", _open_weights),
    ("accessibility", "Openness", _ref_value("accessibility")),
]
"""``(filter parameter of /api/models, heading, record -> [(filter value, label, IRI or None)])``."""

ONLY_WHEN_CHOSEN = frozenset({"modality"})
"""Facets listed only while their filter is in use: ``modality`` (input or output, either) counted
a text-to-image model under text, which read as "536 text models"; "Generates" and "Takes" say
which, and an old ``modality=`` address still shows what it keeps, under its own heading."""


_HIERARCHIES = {
    "organization": "(schema:parentOrganization|org:subOrganizationOf)+",
    "architecture": "skos:broader+",
    "modality": "skos:broader+",
    "output_modality": "skos:broader+",
    "input_modality": "skos:broader+",
    "accessibility": "skos:broader+",
}
"""Facets whose filter also keeps what lies below a value (a parent organization, a broader
concept; see :data:`kg.views.collection_filters.FILTERS`): a model counts for every ancestor too,
so a facet's count is the number of rows its link shows."""


def _ancestors(store: ox.Store, path: str, version: str) -> dict[str, list[tuple[str, str, str | None]]]:
    """IRI -> ``(slug, name, IRI)`` of everything above it along the fixed property `path`."""

    def build() -> dict[str, list[tuple[str, str, str | None]]]:
        out: dict[str, list[tuple[str, str, str | None]]] = {}
        names: dict[str, str] = {}
        for row in select(store, f"SELECT DISTINCT ?x ?above WHERE {{ ?x {path} ?above . FILTER(isIRI(?above)) }}"):
            above = row["above"]
            if above not in names:
                names[above] = display_name(store, above)
            out.setdefault(row["x"], []).append((slug_of(above), names[above], above))
        return out

    return cached(version, f"explorer-ancestors:{path}", build)  # type: ignore[no-any-return]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def facet_counts(store: ox.Store, filters: dict[str, Any], version: str = "") -> list[dict[str, Any]]:
    """Count the values of each facet among the models the filters keep.

    Each facet is counted with every *other* filter applied, so the alternatives to a chosen
    value stay visible with their counts (choosing two values of an entity facet means either).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    filters : dict of str to object
        The ``/api/models`` filters, as for :func:`kg.views.listing.list_collection`.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    list of dict
        One per :data:`FACETS` entry (but those of :data:`ONLY_WHEN_CHOSEN` whose filter is not in
        use): ``parameter``, ``label`` and ``values``, a list of
        ``{"value", "label", "count", "selected"}`` with the selected values first, then by
        count (descending) and label; a year facet is in year order, newest first. A selected
        value's ``value`` is the filter value as given (so removing it is taking that away).

    Raises
    ------
    InvalidParameterError
        If a filter is invalid (as for :func:`kg.views.listing.list_collection`).
    """
    active = {k: v for k, v in filters.items() if v is not None}
    base, applied = filter_records(store, "models", active, version)
    out = []
    for parameter, label, values_of in FACETS:
        raws = [str(v) for v in _as_list(active.get(parameter))]
        if parameter in ONLY_WHEN_CHOSEN and not raws:
            continue
        # what the reader chose, matched by the IRI it resolved to (architecture=moe selects
        # Mixture-of-Experts) or, for years and yes/no values, by the text itself
        chosen_iris = dict(zip(_as_list(applied.get(parameter, {}).get("iri")), raws, strict=False))
        items = base
        if raws:
            items, _ = filter_records(store, "models", {k: v for k, v in active.items() if k != parameter}, version)
        counts: Counter[str] = Counter()
        labels: dict[str, str] = {}
        chosen_by: dict[str, str] = {}
        for record in items:
            triples = values_of(record)
            if parameter in _HIERARCHIES:
                above = _ancestors(store, _HIERARCHIES[parameter], version)
                triples = triples + [t for _, _, iri in triples if iri for t in above.get(iri, [])]
            for value, text, iri in {t[0]: t for t in triples}.values():
                counts[value] += 1
                labels[value] = text
                raw = chosen_iris.get(iri or "") or next((r for r in raws if r.lower() == value.lower()), None)
                if raw is not None:
                    chosen_by[value] = raw
        for raw in raws:
            if raw not in chosen_by.values():  # chosen, but no model left has it: still shown, to remove it
                labels[raw], chosen_by[raw] = raw, raw
        ranked = set(counts) | set(chosen_by)
        if parameter == "year":
            order = sorted(ranked, reverse=True)
        else:
            order = sorted(ranked, key=lambda v: (-counts[v], labels[v].lower()))
        order = [v for v in order if v in chosen_by] + [v for v in order if v not in chosen_by]
        out.append(
            {
                "parameter": parameter,
                "label": label,
                "values": [
                    {
                        "value": chosen_by.get(v, v),
                        "label": labels[v],
                        "count": counts[v],
                        "selected": v in chosen_by,
                    }
                    for v in order
                ],
            }
        )
    return out


def explore(
    store: ox.Store, filters: dict[str, Any], sort: str = "name", order: str = "asc", version: str = ""
) -> dict[str, Any]:
    """Return the explorer's view: every matching model in order, and the facet counts (one read).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    filters : dict of str to object
        ``/api/models`` filters (a list for a repeated entity filter: any of its values).
    sort : str, optional
        A sort key of ``/api/models`` (``SORTS["models"]``).
    order : {"asc", "desc"}, optional
        Sort direction.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    dict
        ``rows`` (:func:`model_row` of every matching model, in the order ``/api/models`` pages
        them), ``filters`` (each applied filter with its resolved IRI) and ``facets``
        (:func:`facet_counts`).

    Raises
    ------
    InvalidParameterError
        Naming the parameter: an unknown filter, sort or order, or a bad value.
    """
    items, applied = filter_records(store, "models", filters, version)
    ordered = sort_records(items, "models", sort, order)
    return {
        "rows": [model_row(r) for r in ordered],
        "filters": applied,
        "facets": facet_counts(store, filters, version),
    }


def model_facts(store: ox.Store, iris: list[str], version: str = "") -> dict[str, dict[str, Any]]:
    """Return the explorer row of each model IRI given (others are left out), for one-line summaries.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iris : list of str
        Entity IRIs (search hits); only models are looked up.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    dict of str to dict
        IRI -> :func:`model_row`.
    """
    models = records(store, "models", version)
    return {iri: model_row(models[iri]) for iri in iris if iri in models}


def model_ref(store: ox.Store, ref: str, version: str = "") -> dict[str, Any] | None:
    """Return the reference of the model `ref` names, or None (the compare picker's lone entry).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        Model slug, name or IRI.
    version : str, optional
        Dataset version.

    Returns
    -------
    dict or None
        :func:`kg.terms.entity_ref` of the model, or None if no model is named so.
    """
    try:
        iri = resolve_value(store, "models", "model", ref, version=version)
    except InvalidParameterError:
        return None
    return entity_ref(iri, display_name(store, iri), "model")
