"""RDF documents about one entity.

Its Concise Bounded Description plus the labels of what it points to, serialized as Turtle, N-Triples, RDF/XML or JSON-LD with the published context.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.engine.dataset import union_dataset
from kg.engine.xml_text import xml_safe
from kg.errors import NotAcceptableError, NotFoundError
from kg.find.resolve import is_described, resolve
from kg.namespaces import ID, KINDS, PREFIXES
from kg.settings import ONTOLOGY_DIR
from kg.views.entity import entity_record
from kg.views.pictures import ego_picture

__all__ = [
    "CONTEXT_PATH",
    "PAGE_KINDS",
    "RDF_MEDIA_TYPES",
    "context",
    "entity_document",
    "entity_page",
    "entity_triples",
    "exact_iri",
    "page_ref",
    "serialize_triples",
]

CONTEXT_PATH = ONTOLOGY_DIR / "context.jsonld"
"""The JSON-LD context of the REST API, published at ``/context.jsonld``."""

RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
"""Media types an entity document is offered in (besides the plain JSON record and HTML)."""

PAGE_KINDS: dict[str, tuple[str, ...]] = {
    **{kind: (f"{ID}{kind}/",) for kind in KINDS.values()},
    "license": (f"{ID}license/", PREFIXES["spdxl"]),  # SPDX-listed licenses keep their own IRIs
    "country": (PREFIXES["wd"],),
    "architecture": (PREFIXES["aikg"],),
    "concept": (PREFIXES["aikg"],),
    "benchmark-result": (f"{ID}benchmark-result/",),
    "membership": (f"{ID}membership/",),
}
"""Kinds that have a page at ``/id/{kind}/{slug}``, and the IRI bases a slug is appended to.

Our own IRIs dereference to themselves; a country (Wikidata IRI), an SPDX license and a SKOS
concept of the ontology get a page under the same path, keyed by their IRI's local name
(``/id/country/Q148``, ``/id/license/MIT``, ``/id/architecture/MixtureOfExperts``).
Evidence items of reviews (``…/id/review/{claim}#e0``) have none: pages fold them into the
claim they review."""

_DESCRIBE = "DESCRIBE ?s"
_LABELS = """
CONSTRUCT { ?o ?lp ?label } WHERE {
  ?s ?p ?o . FILTER(isIRI(?o))
  VALUES ?lp { schema:name rdfs:label skos:prefLabel schema:headline spdx:name }
  ?o ?lp ?label . FILTER(isLiteral(?label))
}
"""


def entity_triples(store: ox.Store, iri: str) -> bytes:
    """Return the entity's Concise Bounded Description plus labels of the IRIs it points to.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; the union of the named graphs is described.
    iri : str
        The entity.

    Returns
    -------
    bytes
        N-Triples, one triple per line, sorted, without duplicates.

    Raises
    ------
    NotFoundError
        If the entity is the subject of no statement.

    References
    ----------
    .. [1] P. Stickler, "CBD - Concise Bounded Description", W3C Member Submission, 2005
       (pyoxigraph answers ``DESCRIBE`` with the CBD).
    """
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise NotFoundError(f"not an IRI: {iri[:200]!r}") from exc
    options: dict[str, Any] = {
        "prefixes": PREFIXES,
        **union_dataset(store),  # today's graphs: import snapshots stay out (kg.engine.dataset)
        "substitutions": {ox.Variable("s"): node},
    }
    triples = set(store.query(_DESCRIBE, **options))  # type: ignore[arg-type]
    if not triples:
        raise NotFoundError(f"no entity with IRI {iri[:200]}")
    triples |= set(store.query(_LABELS, **options))  # type: ignore[arg-type]
    lines = sorted(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    return ("\n".join(lines) + "\n").encode()


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    """Return the JSON-LD context document (``ontology/context.jsonld``) as a dict."""
    return json.loads(CONTEXT_PATH.read_text("utf-8"))  # type: ignore[no-any-return]


def serialize_triples(ntriples: bytes, media_type: str) -> bytes:
    """Serialize N-Triples in one of :data:`RDF_MEDIA_TYPES`.

    Parameters
    ----------
    ntriples : bytes
        The triples, as :func:`entity_triples` returns them.
    media_type : str
        A key of :data:`RDF_MEDIA_TYPES`.

    Returns
    -------
    bytes
        Turtle with the shared prefixes; JSON-LD compacted with the published context (the
        context object is embedded, identical to ``/context.jsonld``, so a client needs no
        second request and nothing is fetched while parsing); N-Triples or RDF/XML.

    Raises
    ------
    NotAcceptableError
        If `media_type` is not offered, or RDF/XML is asked for triples whose literals XML 1.0
        cannot carry.
    """
    fmt = RDF_MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise NotAcceptableError("entity documents are available as " + ", ".join(RDF_MEDIA_TYPES))
    if fmt == ox.RdfFormat.N_TRIPLES:
        return ntriples
    if fmt == ox.RdfFormat.JSON_LD:
        graph = Graph()
        graph.parse(data=ntriples.decode(), format="nt")
        text = graph.serialize(
            format="json-ld", context=context()["@context"], auto_compact=True, indent=2, sort_keys=True
        )
        return text.encode() if isinstance(text, str) else bytes(text)
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    prefixes = {p: ns for p, ns in PREFIXES.items()}
    try:
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    except ValueError as exc:  # RDF/XML cannot write some literals
        raise NotAcceptableError(f"{media_type}: {exc}; ask for text/turtle") from exc
    if fmt == ox.RdfFormat.RDF_XML:  # the same rule as /sparql (kg/engine/xml_text.py)
        body = xml_safe(body, "the entity holds characters that XML 1.0 cannot represent; ask for text/turtle")
    return body


def entity_document(
    store: ox.Store, kind: str, ref: str, media_type: str, version: str = "", exact: bool = False
) -> tuple[str, bytes]:
    """Resolve an entity and return its RDF document (one worker round trip).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    kind : str
        Entity kind (see :data:`kg.terms.ENTITY_KINDS`).
    ref : str
        Slug, name or IRI; with `exact`, only the slug of ``https://w3id.org/aikg/id/{kind}/``.
    media_type : str
        A key of :data:`RDF_MEDIA_TYPES`.
    version : str, optional
        Dataset version.
    exact : bool, optional
        Dereference the IRI ``…/id/{kind}/{ref}`` only (linked data), no name lookup.

    Returns
    -------
    (str, bytes)
        The entity IRI and the serialized document.

    Raises
    ------
    NotFoundError
        If nothing matches (with suggestions).
    NotAcceptableError
        If the media type is not offered.
    """
    iri = exact_iri(store, kind, ref, version) if exact else resolve(store, kind, ref, version=version)
    return iri, serialize_triples(entity_triples(store, iri), media_type)


def page_ref(iri: str, kind: str | None) -> tuple[str, str] | None:
    """Return the ``(kind, slug)`` of the page at ``/id/{kind}/{slug}`` that shows `iri`, if any.

    Parameters
    ----------
    iri : str
        An entity's IRI.
    kind : str or None
        Its kind (:data:`kg.terms.ENTITY_KINDS`).

    Returns
    -------
    (str, str) or None
        None for an IRI no page shows (a review's evidence item, another site's IRI).

    Examples
    --------
    >>> page_ref("http://spdx.org/licenses/MIT", "license")
    ('license', 'MIT')
    >>> page_ref("https://w3id.org/aikg/id/review/x#e0", "review") is None
    True
    """
    if "#" in iri.replace(PREFIXES["aikg"], "", 1):
        return None
    own = iri.startswith(str(ID))
    page_kind = iri[len(str(ID)) :].split("/", 1)[0] if own else kind
    for base in PAGE_KINDS.get(page_kind or "", ()):
        slug = iri[len(base) :]
        if iri.startswith(base) and slug and "/" not in slug:
            return page_kind, slug  # type: ignore[return-value]
    return None


def exact_iri(store: ox.Store, kind: str, slug: str, version: str = "") -> str:
    """Return the IRI that ``/id/{kind}/{slug}`` names if the graph describes it.

    That is ``https://w3id.org/aikg/id/{kind}/{slug}``, or for a license, country or concept the
    IRI of :data:`PAGE_KINDS` whose local name is `slug` (``/id/license/MIT`` is
    ``http://spdx.org/licenses/MIT``), if it is of that kind.

    Raises
    ------
    NotFoundError
        If it does not; ``suggestions`` holds the closest slugs of that kind.
    """
    iri = f"{ID}{kind}/{slug}"
    if is_described(store, iri):
        return iri
    for base in PAGE_KINDS.get(kind, ()):
        if base.startswith(str(ID)) or not re.fullmatch(r"[A-Za-z0-9._-]+", slug):
            continue
        try:
            return resolve(store, kind, base + slug, version=version)  # checks that it is of `kind`
        except NotFoundError:
            continue
    try:
        found = resolve(store, kind, slug, version=version)
    except NotFoundError as exc:
        raise NotFoundError(f"no {kind} with IRI {iri[:300]}", suggestions=exc.suggestions) from None
    # The slug names something, by another spelling: point at its IRI.
    ref = page_ref(found, kind)
    suggestions = [ref[1]] if ref else []
    raise NotFoundError(f"no {kind} with IRI {iri[:300]}", suggestions=suggestions)


def entity_page(
    store: ox.Store, kind: str, slug: str, version: str = "", max_nodes: int = 60
) -> tuple[dict[str, Any], Any]:
    """Return what the entity's HTML page shows: its record and its neighbourhood graph.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    kind : str
        Kind of the IRI path (``model``, ``organization``…).
    slug : str
        Slug of ``https://w3id.org/aikg/id/{kind}/{slug}`` (exact).
    version : str, optional
        Dataset version.
    max_nodes : int, optional
        Node cap of the embedded graph.

    Returns
    -------
    (dict, networkx.MultiDiGraph)
        :func:`kg.views.entity.entity_record` (the entity record; a model's carries its
        ``licenseFindings``) and :func:`kg.analysis.analytics.ego_graph` at depth 1.

    Raises
    ------
    NotFoundError
        If the IRI is not described (with suggestions).
    """
    iri = exact_iri(store, kind, slug, version)
    record = entity_record(store, kind, iri, version=version)
    return record, ego_picture(store, iri, depth=1, max_nodes=max_nodes, version=version)
