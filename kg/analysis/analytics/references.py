"""Which entity a reference names: ``KIND/SLUG``, a name, or a full IRI."""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import InvalidParameterError, NotFoundError
from kg.find.resolve import resolve
from kg.find.search import search


def resolve_ref(store: ox.Store, ref: str, parameter: str = "entity", version: str = "") -> str:
    r"""Return the IRI that ``KIND/SLUG`` (or a name, or a full IRI) names.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    ref : str
        ``model/glm-4.5``, ``organization/智谱`` (a name), or ``https://…``.
    parameter : str, optional
        The caller's parameter name, for the error message.
    version : str, optional
        Dataset version (label-index cache key of :func:`kg.find.resolve.resolve`).

    Returns
    -------
    str
        The entity's IRI.

    Raises
    ------
    InvalidParameterError
        If `ref` is neither an IRI nor ``KIND/SLUG``, or starts like an IRI but is not a valid one.
    NotFoundError
        If nothing of that kind has that slug or name, or the IRI is in no statement.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.load(b'<https://w3id.org/aikg/id/model/a> <https://schema.org/name> "A" .', format=ox.RdfFormat.N_TRIPLES)
    >>> resolve_ref(s, "model/a")
    'https://w3id.org/aikg/id/model/a'
    >>> resolve_ref(s, "https://w3id.org/aikg/id/model/a b")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidParameterError: entity: 'https://w3id.org/aikg/id/model/a b' is not an IRI (RFC 3987: no spaces or <>"{}|^`\); give KIND/SLUG or a name
    """
    if ref.startswith(("http://", "https://")):
        try:
            ox.NamedNode(ref)
        except ValueError:
            raise InvalidParameterError(
                parameter,
                f'{ref[:200]!r} is not an IRI (RFC 3987: no spaces or <>"{{}}|^`\\); give KIND/SLUG or a name',
            ) from None
        _require_entity(store, ref)
        return ref
    kind, _, slug = ref.partition("/")
    if not slug:
        raise InvalidParameterError(parameter, "give KIND/SLUG, e.g. model/glm-4.5, or a full IRI")
    try:
        return resolve(store, kind, slug, version=version)
    except ValueError:
        # kg.find.resolve.resolve first tries the text as an IRI, which a name with a space is not
        found = search(store, slug, kind=kind, limit=5, version=version)["results"]
        hits = [h for h in found if h["match"] == "exact" and not h["loose"]]
        if hits:
            return str(hits[0]["iri"])
        raise NotFoundError(f"no {kind} named {slug!r}") from None


def _require_entity(store: ox.Store, iri: str) -> None:
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # text that is no IRI names no entity (known-traps: invalid IRIs)
        raise NotFoundError(f"no entity with IRI {iri[:200]!r}: not a valid IRI") from None
    if (
        next(iter(store.quads_for_pattern(node, None, None)), None) is None
        and next(iter(store.quads_for_pattern(None, None, node)), None) is None
    ):
        raise NotFoundError(f"no entity with IRI {iri}")
