"""One home for RDF terms in Python: term conversion both ways, the JSON shape of a literal, the display-name order, slugs, prefixed names and entity kinds.

Everything that shows an entity (REST records, graph pictures, reviews, the change log) takes its
names and values from here, so one entity carries one name and one literal one spelling
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.namespaces import ID, KINDS, PREFIXES

ENTITY_KINDS: tuple[str, ...] = (*KINDS.values(), "architecture", "country", "concept", "benchmark-result", "other")
"""Kinds an entity or a picture's node can have: the IRI path kinds, architectures, countries, other
concepts, benchmark results, and ``other`` for anything else."""


TYPE_KIND = {
    PREFIXES["aikg"] + "AIModel": "model",
    "https://schema.org/Organization": "organization",
    "https://schema.org/NewsMediaOrganization": "organization",
    "https://schema.org/Person": "person",
    "https://schema.org/Claim": "claim",
    "https://schema.org/NewsArticle": "article",
    "https://schema.org/ScholarlyArticle": "article",
    "https://schema.org/Article": "article",
    PREFIXES["aikg"] + "ModelFamily": "family",
    PREFIXES["aikg"] + "CustomLicense": "license",
    PREFIXES["aikg"] + "ProprietaryTerms": "license",
    PREFIXES["spdx"] + "ListedLicense": "license",
    PREFIXES["spdx"] + "License": "license",
    "https://schema.org/Country": "country",
    PREFIXES["skos"] + "Concept": "concept",
}


NAME_PROPERTIES = (
    "https://schema.org/name",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["rdfs"] + "label",
    "https://schema.org/headline",
    PREFIXES["spdx"] + "name",
)
"""Label properties, best first: a name beats a preferred label beats rdfs:label."""


_CURIE_PREFIXES = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda t: -len(t[0]))


_XSD = PREFIXES["xsd"]


def curie(iri: str) -> str:
    """Return the prefixed name of `iri` under the shared prefixes, or the IRI itself.

    Examples
    --------
    >>> curie("https://schema.org/creator")
    'schema:creator'
    >>> curie("urn:x")
    'urn:x'
    """
    for namespace, prefix in _CURIE_PREFIXES:
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :] and "#" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def slug_of(iri: str) -> str:
    """Return the last segment of an IRI: the slug of ``…/id/model/glm-4.5``, ``MIT`` of an SPDX IRI.

    Examples
    --------
    >>> slug_of("https://w3id.org/aikg/id/model/glm-4.5")
    'glm-4.5'
    >>> slug_of("https://w3id.org/aikg/ontology#MixtureOfExperts")
    'MixtureOfExperts'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def kind_of(iri: str, types: Iterable[str] | None = None) -> str | None:
    """Return the entity kind of an IRI (``model``, ``organization``…) or ``None``.

    Parameters
    ----------
    iri : str
        An instance IRI.
    types : iterable of str, optional
        Its rdf:type IRIs, used when the IRI is not under ``https://w3id.org/aikg/id/``.

    Returns
    -------
    str or None
        A kind of :data:`ENTITY_KINDS`; ``architecture`` for concepts of the architecture scheme
        is decided by the caller (a concept is ``concept`` here).

    Examples
    --------
    >>> kind_of("https://w3id.org/aikg/id/model/glm-4.5")
    'model'
    >>> kind_of("http://www.wikidata.org/entity/Q148", ["https://schema.org/Country"])
    'country'
    """
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :].split("/", 1)[0]
    found = [TYPE_KIND[t] for t in types or () if t in TYPE_KIND]
    # A concept typed also as something specific is that specific thing.
    specific = [k for k in found if k != "concept"]
    return (specific or found or [None])[0]


def humanize(iri: str) -> str:
    """Return a readable label from an IRI's camelCase local name.

    Parameters
    ----------
    iri : str
        A property or class IRI.

    Returns
    -------
    str
        ``alternate name`` for ``schema:alternateName``; a local name that is not plain camelCase
        (``MixtureOfExperts``, ``Q148``) is returned as it is.

    Examples
    --------
    >>> humanize("https://schema.org/alternateName")
    'alternate name'
    """
    local = slug_of(iri)
    return (
        re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
        if re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+|[a-z]+", local)
        else local
    )


def short_count(value: Any) -> str:
    """Return a count as a reader says it: ``355B``, ``1.5T``, ``125M``, ``4,096``.

    Parameters
    ----------
    value : int or float
        A plain count (parameters are stored as counts, 355000000000).

    Returns
    -------
    str
        Three significant digits at most, with the suffix K, M, B or T from 10,000 up (a
        smaller count is written in full); the exact value belongs in a tooltip beside it. A
        negative value (no count is) is written in full and flagged as invalid.

    Examples
    --------
    >>> short_count(355_000_000_000), short_count(32_000_000_000), short_count(1_500_000_000_000)
    ('355B', '32B', '1.5T')
    >>> short_count(6_200_000_000), short_count(4096), short_count(128_000)
    ('6.2B', '4,096', '128K')
    >>> short_count(-5)
    '-5 (invalid: a count cannot be negative)'
    """
    number = float(value)
    if number < 0:  # written by hand or by an update; a count never is: shown, and flagged
        return f"{int(number):,} (invalid: a count cannot be negative)"
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(number) >= size and (size > 1e3 or abs(number) >= 1e4):
            scaled = number / size
            text = f"{scaled:.3g}" if scaled < 1000 else f"{scaled:.0f}"
            return text + suffix
    return f"{int(number):,}" if number == int(number) else f"{number:,}"


_COUNT = re.compile(r"(?P<number>\d+(?:\.\d+)?(?:e\d{1,2})?)\s*(?P<suffix>[kmbt]?)", re.IGNORECASE)
_SUFFIXES = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
MAX_COUNT = 10**18
"""The largest count a filter takes (a parameter count of a quintillion is no model)."""


def parse_count(text: str) -> int:
    """Return the count a person wrote: ``7000000000``, ``7B``, ``1.5T``, ``560M``, ``1e9``, ``7_000_000_000``.

    The inverse of :func:`short_count`: suffixes K, M, B, T (any case) are 10^3, 10^6, 10^9, 10^12;
    an exponent ``e`` up to 99 is allowed; ``_`` and ``,`` between digits are ignored.

    Parameters
    ----------
    text : str
        The written count.

    Returns
    -------
    int
        The whole count, 0 to :data:`MAX_COUNT`.

    Raises
    ------
    ValueError
        For anything else (a fraction of one, a negative number, another suffix, text), with a
        message saying what is accepted.

    Examples
    --------
    >>> parse_count("7B"), parse_count("1.5t"), parse_count("1e9"), parse_count("355,000,000,000")
    (7000000000, 1500000000000, 1000000000, 355000000000)
    """
    accepted = "a whole count >= 0: 7000000000, 7B, 1.5T, 560M, 1e9 (suffixes K, M, B, T)"
    cleaned = str(text).strip().replace("_", "").replace(",", "")
    match = _COUNT.fullmatch(cleaned)
    if not match:
        raise ValueError(f"{str(text)[:40]!r} is not a count; give {accepted}")
    value = Decimal(match["number"]) * _SUFFIXES[match["suffix"].lower()]
    if value != value.to_integral_value() or value > MAX_COUNT:
        raise ValueError(f"{str(text)[:40]!r} is not a whole count up to 10^18; give {accepted}")
    return int(value)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def month_text(date: str | None) -> str | None:
    """Return the month of an ISO date as words: ``2025-07-28`` and ``2025-07`` give ``July 2025``.

    Parameters
    ----------
    date : str or None
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Returns
    -------
    str or None
        ``July 2025``, or the year alone, or None for no date or an unreadable one.

    Examples
    --------
    >>> month_text("2025-07-28"), month_text("2023"), month_text(None)
    ('July 2025', '2023', None)
    """
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-\d{2})?", str(date or ""))
    if not match:
        return None
    year, month = match.groups()
    return f"{_MONTHS[int(month) - 1]} {year}" if month and 1 <= int(month) <= 12 else year


def entity_ref(iri: str, name: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """Return the JSON reference to an entity that every answer uses.

    Parameters
    ----------
    iri : str
        The entity's IRI.
    name : str, optional
        Its display name (:func:`best_label`); default its slug.
    kind : str, optional
        Its kind (:data:`ENTITY_KINDS`).

    Returns
    -------
    dict
        ``iri``, ``slug``, ``kind`` and ``name``.
    """
    return {"iri": iri, "slug": slug_of(iri), "kind": kind, "name": name or slug_of(iri)}


def named_node(iri: str) -> ox.NamedNode | None:
    """Return `iri` as a pyoxigraph IRI, or None when it is not a valid IRI (RFC 3987).

    Parameters
    ----------
    iri : str
        Text that may be an IRI (user input).

    Returns
    -------
    pyoxigraph.NamedNode or None
    """
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def is_iri(ref: str) -> bool:
    """Return whether a reference is written as an absolute IRI (``http``, ``https`` or ``urn``).

    Parameters
    ----------
    ref : str
        A slug, a name or an IRI.

    Returns
    -------
    bool
    """
    return ref.startswith(("http://", "https://", "urn:"))


def best_label(candidates: list[tuple[str, Any]]) -> str | None:
    """Return the display name among an entity's labels: the one display-name order of the graph.

    Parameters
    ----------
    candidates : list of (str, (str, str))
        (label property IRI, (value, language tag or "")) pairs; a bare value counts as untagged.

    Returns
    -------
    str or None
        The value of the first property of :data:`NAME_PROPERTIES` that has one (schema:name,
        skos:prefLabel, rdfs:label, schema:headline, spdx:name), English or untagged before other
        languages; None when there is no candidate.

    Examples
    --------
    >>> best_label([(PREFIXES["rdfs"] + "label", ("智谱", "zh")), ("https://schema.org/name", ("Zhipu AI", ""))])
    'Zhipu AI'
    """
    if not candidates:
        return None

    def score(item: tuple[str, Any]) -> tuple[int, int]:
        prop, value = item
        rank = NAME_PROPERTIES.index(prop) if prop in NAME_PROPERTIES else len(NAME_PROPERTIES)
        lang = value[1] if isinstance(value, tuple) else ""
        return rank, 0 if lang in ("", "en") or lang.startswith("en-") else 1

    _prop, value = min(candidates, key=score)
    return value[0] if isinstance(value, tuple) else str(value)


def literal_json(term: ox.Literal) -> dict[str, Any]:
    """Return the JSON shape of a literal, the one every answer uses.

    Parameters
    ----------
    term : pyoxigraph.Literal
        The literal.

    Returns
    -------
    dict
        ``type`` ("literal"), ``value`` (typed: :func:`python_value`) and either ``lang`` or, for
        a datatype other than ``xsd:string``, ``datatype`` as a prefixed name (:func:`curie`).
    """
    value: dict[str, Any] = {"type": "literal", "value": python_value(term)}
    if term.language:
        value["lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        value["datatype"] = curie(term.datatype.value)
    return value


def python_value(term: Any) -> Any:
    """Convert a pyoxigraph term to a plain Python value.

    Parameters
    ----------
    term : pyoxigraph.NamedNode or pyoxigraph.Literal or pyoxigraph.BlankNode or None

    Returns
    -------
    str or int or float or bool or None
        IRIs and plain literals as ``str``; xsd:integer/decimal/double as numbers; xsd:boolean
        as ``bool``; blank nodes as ``"_:label"``.

    Examples
    --------
    >>> python_value(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    7
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        value = term.value
        try:
            if dt in {"integer", "int", "long", "nonNegativeInteger", "positiveInteger", "short"}:
                return int(value)
            if dt in {"decimal", "double", "float"}:
                number = float(value)
                return int(number) if number.is_integer() and dt == "decimal" and "." not in value else number
            if dt == "boolean":
                return value in {"true", "1"}
        except ValueError:
            return value
        return value
    return str(term)


def to_term(value: Any, *, iris: bool = False, dates: bool = False) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """Convert a Python value to an RDF term: the one conversion every writer and binder uses.

    Parameters
    ----------
    value : object
        A pyoxigraph term (returned as is), an rdflib ``URIRef``, ``bool``, ``int``, ``float``
        or anything else (its ``str``).
    iris : bool, optional
        Read a string that starts with ``http://``, ``https://`` or ``urn:`` as an IRI and one
        that starts with ``_:`` as a blank node (values read back with :func:`python_value`).
    dates : bool, optional
        Read a string of the form ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as ``xsd:date``,
        ``xsd:gYearMonth`` or ``xsd:gYear`` (XML Schema 1.1 Part 2, section 3.3).

    Returns
    -------
    pyoxigraph.NamedNode or pyoxigraph.Literal or pyoxigraph.BlankNode
        ``bool`` -> ``xsd:boolean``, ``int`` -> ``xsd:integer``, ``float`` -> ``xsd:double`` (an
        IEEE 754 double, as Python's float is), otherwise a plain ``xsd:string`` literal.

    Raises
    ------
    ValueError
        If `iris` is set and an IRI-looking string is not a valid IRI.

    Examples
    --------
    >>> to_term(0.5)
    <Literal value=0.5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#double>>
    >>> to_term("2025-07", dates=True).datatype.value
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        return value
    if isinstance(value, bool):
        return boolean(value)
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, float):
        return double(value)
    if hasattr(value, "n3") and type(value).__name__ == "URIRef":
        return ox.NamedNode(str(value))
    found = str(value)
    if iris and is_iri(found):
        return ox.NamedNode(found)
    if iris and found.startswith("_:"):
        return ox.BlankNode(found[2:])
    if dates:
        for pattern, datatype in _DATE_PATTERNS:
            if pattern.fullmatch(found):
                return ox.Literal(found, datatype=ox.NamedNode(_XSD + datatype))
    return ox.Literal(found)


_DATE_PATTERNS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "date"),
    (re.compile(r"\d{4}-\d{2}"), "gYearMonth"),
    (re.compile(r"\d{4}"), "gYear"),
)


def iri(value: str) -> ox.NamedNode:
    """Return a pyoxigraph IRI (raises ValueError when `value` is not a valid IRI)."""
    return ox.NamedNode(str(value))


def text(value: str) -> ox.Literal:
    """Return a plain ``xsd:string`` literal."""
    return ox.Literal(value)


def integer(value: int) -> ox.Literal:
    """Return an ``xsd:integer`` literal."""
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))


def decimal(value: Any) -> ox.Literal:
    """Return an ``xsd:decimal`` literal from a Decimal, int or numeric string."""
    return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))


def double(value: float) -> ox.Literal:
    """Return an ``xsd:double`` literal (e.g. training compute in FLOP)."""
    return ox.Literal(repr(float(value)), datatype=ox.NamedNode(_XSD + "double"))


def boolean(value: bool) -> ox.Literal:
    """Return an ``xsd:boolean`` literal."""
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))


def term_json(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> dict[str, Any]:
    """Return the JSON shape of an RDF term, the one every answer uses.

    Parameters
    ----------
    term : pyoxigraph.NamedNode or pyoxigraph.Literal or pyoxigraph.BlankNode
        The term.

    Returns
    -------
    dict
        ``{"type": "iri", "value": IRI}``, ``{"type": "bnode", "value": "_:label"}``, or for a literal
        :func:`literal_json` (typed value, ``lang`` or prefixed ``datatype``).

    Examples
    --------
    >>> term_json(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    {'type': 'literal', 'value': 7, 'datatype': 'xsd:integer'}
    """
    if isinstance(term, ox.NamedNode):
        return {"type": "iri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": f"_:{term.value}"}
    return literal_json(term)


def term_text(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    """Return a term as short text: an IRI as its prefixed name (:func:`curie`), else N-Triples.

    Parameters
    ----------
    term : pyoxigraph.NamedNode or pyoxigraph.Literal or pyoxigraph.BlankNode
        The term.

    Returns
    -------
    str
    """
    return curie(term.value) if isinstance(term, ox.NamedNode) else str(term)


SCHEMES: dict[str, str] = {
    "architecture": PREFIXES["aikg"] + "ArchitectureScheme",
    "modality": PREFIXES["aikg"] + "ModalityScheme",
    "accessibility": PREFIXES["aikg"] + "AccessibilityScheme",
    "stance": PREFIXES["aikg"] + "StanceScheme",
    "claim_kind": PREFIXES["aikg"] + "ClaimKindScheme",
    "derivation": PREFIXES["aikg"] + "DerivationTypeScheme",
}
"""Filter name -> the SKOS concept scheme its values come from."""


def display_name(store: ox.Store, iri: str) -> str:
    """Return the display name of an IRI: the best of its names (:func:`best_label`), else its slug.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine (every graph is read, as a picture of any graph needs).
    iri : str
        The IRI.

    Returns
    -------
    str
    """
    node = ox.NamedNode(iri)
    candidates = [
        (prop, (quad.object.value, getattr(quad.object, "language", None) or ""))
        for prop in NAME_PROPERTIES
        for quad in store.quads_for_pattern(node, ox.NamedNode(prop), None)
        if isinstance(quad.object, ox.Literal)
    ]
    return best_label(candidates) or slug_of(iri)
