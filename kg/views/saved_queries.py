"""Saved queries: short links (``/q/{id}``) to a SPARQL query, kept in the store beside the data.

Each saved query is one ``schema:SoftwareSourceCode`` node (its text, title, date and id) in the
named graph :data:`kg.engine.dataset.SAVED_QUERIES_GRAPH`, which the default graph of every read
leaves out (:func:`kg.engine.dataset.union_dataset`), so saving a query never changes a count, a
search or an analysis. The id is derived from the content, as Wikidata's short links are public and
need no account: saving the same text under the same title again gives the same id and writes
nothing.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import SAVED_QUERIES_GRAPH
from kg.engine.query_checks import check_query, check_size
from kg.engine.store import KnowledgeStore
from kg.engine.syntax_errors import to_syntax_error
from kg.errors import ConflictError, ForbiddenError, InvalidParameterError, NotFoundError, QuerySyntaxError
from kg.namespaces import PREFIXES

__all__ = [
    "MAX_QUERY_BYTES",
    "MAX_SAVED",
    "MAX_TITLE_CHARS",
    "SavedQuery",
    "find_query",
    "load_query",
    "query_id",
    "save_query",
]

MAX_QUERY_BYTES = 20 * 1024
"""Longest query text that can be saved (UTF-8 bytes)."""

MAX_TITLE_CHARS = 200
"""Longest title of a saved query."""

MAX_SAVED = 100_000
"""Most queries the store keeps (about 2 GB of text at the size cap): saving is public, so bounded."""

QUERY_BASE = "https://w3id.org/aikg/q/"
"""IRI of a saved query: this base and its id (served at ``/q/{id}``)."""

_SCHEMA = PREFIXES["schema"]
_XSD = PREFIXES["xsd"]
_GRAPH = ox.NamedNode(SAVED_QUERIES_GRAPH)
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_P = {
    name: ox.NamedNode(_SCHEMA + name) for name in ("text", "name", "dateCreated", "identifier", "programmingLanguage")
}


@dataclass(frozen=True)
class SavedQuery:
    """One saved query.

    Attributes
    ----------
    id : str
        Short id (12 characters, ``[a-z2-7]``), derived from title and text.
    text : str
        The SPARQL query.
    title : str
        A title given when saving (may be empty).
    created : str
        When it was first saved (``xsd:dateTime``, UTC).
    """

    id: str
    text: str
    title: str
    created: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form (with its path ``/q/{id}``)."""
        return {
            "id": self.id,
            "title": self.title,
            "query": self.text,
            "created": self.created,
            "path": f"/q/{self.id}",
        }


def query_id(text: str, title: str = "") -> str:
    """Return the id of a query saved under a title: the same content always gets the same id.

    Parameters
    ----------
    text : str
        The query.
    title : str, optional
        Its title.

    Returns
    -------
    str
        12 lowercase base32 characters of the SHA-256 of title and text (60 bits).

    Examples
    --------
    >>> query_id("ASK {}", "t") == query_id("ASK {}", "t") != query_id("ASK {}", "u")
    True
    """
    digest = hashlib.sha256(f"{title}\x00{text}".encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:12]


def _check(text: str, title: str, allow_service: bool, max_chars: int | None) -> None:
    check_size(text, max_chars)  # the server's text cap first: 413, as on /sparql
    for name, value in (("query", text), ("title", title)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate from a JSON \ud800 escape
            raise InvalidParameterError(name, "not valid Unicode text (a lone surrogate)") from exc
    if not text.strip():
        raise InvalidParameterError("query", "send the SPARQL query to save")
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise InvalidParameterError("query", f"at most {MAX_QUERY_BYTES // 1024} KB can be saved")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidParameterError("title", f"at most {MAX_TITLE_CHARS} characters")
    if any(ord(c) < 32 and c not in "\t" for c in title):
        raise InvalidParameterError("title", "one line of text, without control characters")
    check_query(
        text, allow_service=allow_service, max_chars=max_chars
    )  # an update, or SERVICE while disabled, is refused
    try:
        # Parsed by the engine on an empty store: the solutions are never read, so nothing runs.
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise to_syntax_error(exc, text) from exc
    except ValueError as exc:  # the engine refuses some input before parsing (e.g. a NUL character)
        raise QuerySyntaxError(str(exc)) from exc


def save_query(
    store: KnowledgeStore,
    text: str,
    title: str = "",
    *,
    allow_service: bool = False,
    now: datetime | None = None,
    max_saved: int = MAX_SAVED,
    max_chars: int | None = None,
) -> tuple[SavedQuery, bool]:
    """Save a query under its content-derived id, unless it is saved already.

    Parameters
    ----------
    store : KnowledgeStore
        The store (the write goes through it, so its listeners see it).
    text : str
        A SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE), at most :data:`MAX_QUERY_BYTES`; the
        shared prefixes may be left undeclared, as on ``/sparql``.
    title : str, optional
        At most :data:`MAX_TITLE_CHARS` characters, one line.
    allow_service : bool, optional
        Whether the endpoint runs ``SERVICE`` (otherwise such a query is refused, as on ``/sparql``).
    now : datetime, optional
        Time of saving; default the current time (UTC).
    max_saved : int, optional
        Most saved queries the store may hold; a new one beyond it is refused.
    max_chars : int, optional
        The server's cap on query text, in characters (:func:`kg.engine.query_checks.check_size`);
        default None: only :data:`MAX_QUERY_BYTES` applies.

    Returns
    -------
    (SavedQuery, bool)
        The saved query, and True when it was written now (False: it was there already).

    Raises
    ------
    InvalidParameterError
        If the text is empty or too long, or the title too long or not one line.
    QuerySyntaxError
        If the text is not a SPARQL query (with line and column), or is an update.
    ForbiddenError
        If it uses ``SERVICE`` and `allow_service` is False, or the engine is read-only.
    QueryTooLargeError
        If the text is longer than `max_chars` (before any other check).
    ConflictError
        If `max_saved` queries are saved already (an existing one is still answered).
    """
    title = title.strip()
    _check(text, title, allow_service, max_chars)
    if not store.writable:
        raise ForbiddenError("the engine is read-only: queries cannot be saved here")
    qid = query_id(text, title)
    with store.lock:  # check and write together: two identical saves write once
        found = load_query(store.inner, qid)
        if found is not None:
            return found, False
        saved = store.inner.quads_for_pattern(None, _TYPE, ox.NamedNode(_SCHEMA + "SoftwareSourceCode"), _GRAPH)
        if sum(1 for _ in saved) >= max_saved:
            raise ConflictError(f"the store holds {max_saved:,} saved queries, its maximum: no new one can be saved")
        created = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        node = ox.NamedNode(QUERY_BASE + qid)
        quads = [
            ox.Quad(node, _TYPE, ox.NamedNode(_SCHEMA + "SoftwareSourceCode"), _GRAPH),
            ox.Quad(node, _P["identifier"], ox.Literal(qid), _GRAPH),
            ox.Quad(node, _P["text"], ox.Literal(text), _GRAPH),
            ox.Quad(node, _P["name"], ox.Literal(title), _GRAPH),
            ox.Quad(node, _P["programmingLanguage"], ox.Literal("SPARQL"), _GRAPH),
            ox.Quad(node, _P["dateCreated"], ox.Literal(created, datatype=ox.NamedNode(_XSD + "dateTime")), _GRAPH),
        ]
        body = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""
        # INSERT DATA of terms the engine serialized (user text is never spliced into SPARQL).
        with store.write([SAVED_QUERIES_GRAPH]) as inner:
            inner.update(f"INSERT DATA {{ GRAPH {_GRAPH} {{ {body.decode()} }} }}")
        store.flush()
    return SavedQuery(qid, text, title, created), True


def load_query(store: ox.Store, qid: str) -> SavedQuery | None:
    """Return the saved query with this id, or None.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine (read directly: the saved-queries graph is outside the default graph).
    qid : str
        An id from :func:`query_id`.

    Returns
    -------
    SavedQuery or None
    """
    node = ox.NamedNode(QUERY_BASE + qid)
    values: dict[str, str] = {}
    for quad in store.quads_for_pattern(node, None, None, _GRAPH):
        for name, predicate in _P.items():
            if quad.predicate == predicate:
                values[name] = quad.object.value
    if "text" not in values:
        return None
    return SavedQuery(qid, values["text"], values.get("name", ""), values.get("dateCreated", ""))


def find_query(store: ox.Store, qid: str) -> SavedQuery:
    """Return the saved query with this id.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    qid : str
        The id (the last part of ``/q/{id}``).

    Returns
    -------
    SavedQuery

    Raises
    ------
    NotFoundError
        If no query is saved under `qid`.
    """
    if not (len(qid) == 12 and qid.isascii() and qid.isalnum()):
        raise NotFoundError(f"no saved query {qid[:40]!r}: ids are 12 letters and digits, as in /q/abcdefgh2345")
    found = load_query(store, qid.lower())
    if found is None:
        raise NotFoundError(f"no saved query {qid!r}: save one from the query page (/sparql)")
    return found
