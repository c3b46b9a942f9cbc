"""Term helpers of which analytics keeps its own copies: entity kinds, display-name order, IRI local names.

``kg.lookup`` and ``kg.review`` hold other versions of these, which differ (issue 12). They are
kept here together and unchanged from the former ``kg/analytics.py``, so that the project-wide
``kg/terms.py`` can replace this one file.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.namespaces import PREFIXES

ENTITY_KINDS: tuple[str, ...] = (
    "model",
    "organization",
    "person",
    "claim",
    "article",
    "license",
    "family",
    "benchmark-result",
    "country",
    "concept",
    "other",
)
"""Kinds a node can have (``?types=`` filters take these)."""
_NAME_PROPS = (
    PREFIXES["schema"] + "name",
    PREFIXES["schema"] + "headline",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["spdx"] + "name",
    PREFIXES["rdfs"] + "label",
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _humanize(iri: str) -> str:
    """Return a readable label from an IRI's local name: ``parentOrganization`` -> ``parent organization``."""
    return _CAMEL.sub(" ", _local(iri)).replace("_", " ").lower() or iri


def _short_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _name(store: ox.Store, iri: str) -> str:
    for p in _NAME_PROPS:
        for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(p), None):
            return str(quad.object.value)
    return _local(iri)
