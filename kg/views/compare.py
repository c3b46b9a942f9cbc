"""Side-by-side comparison of models: facts as rows, with their sources."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.errors import InvalidParameterError
from kg.find.resolve import resolve_value
from kg.terms import entity_ref
from kg.views.entity import describe, property_sort_key


def compare(store: ox.Store, refs: list[str], version: str = "") -> dict[str, Any]:
    """Compare models side by side: the same properties in the same rows (an ORKG comparison).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    refs : list of str
        2 to 10 model slugs, names or IRIs, in column order.
    version : str, optional
        Dataset version.

    Returns
    -------
    dict
        ``models``: the column refs; ``properties``: one row per property any of them has, in
        a fixed reading order, ``{"property", "iri", "label", "values", "same"}`` where
        ``values`` holds one list per model (empty where the model has no value) of
        ``{"iri"?, "value"?, "label"?, "sources"}``, and ``same`` tells whether all columns
        agree.

    Raises
    ------
    InvalidParameterError
        If fewer than 2 or more than 10 models are given, one is repeated, or one is unknown
        (parameter ``models``, with suggestions).
    """
    cleaned = [r.strip() for r in refs if r.strip()]
    if not 2 <= len(cleaned) <= 10:
        raise InvalidParameterError("models", "give 2 to 10 models, comma-separated")
    iris = [resolve_value(store, "models", "model", r, version=version) for r in cleaned]
    if len(set(iris)) != len(iris):
        raise InvalidParameterError("models", "a model is listed twice")
    records = [describe(store, iri, version=version) for iri in iris]
    skip = {"rdf:type", "rdfs:label"}
    keys: dict[str, dict[str, Any]] = {}
    for record in records:
        for key, prop in record["properties"].items():
            if key not in skip:
                keys.setdefault(key, prop)
    rows = []
    for key, prop in sorted(keys.items(), key=property_sort_key):
        columns = []
        for record in records:
            values = record["properties"].get(key, {"values": []})["values"]
            columns.append(
                [{k: v[k] for k in ("iri", "label", "value", "datatype", "lang", "sources") if k in v} for v in values]
            )
        signature = [sorted(str(v.get("iri", v.get("value"))) for v in col) for col in columns]
        rows.append(
            {
                "property": key,
                "iri": prop["iri"],
                "label": prop["label"],
                "values": columns,
                "same": all(s == signature[0] for s in signature),
            }
        )
    return {"models": [entity_ref(r["iri"], r["name"], "model") for r in records], "properties": rows}
