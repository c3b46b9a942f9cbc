"""rdflib's SPARQL parser, serialised: what an update writes and what a query reads, from their algebra.

pyparsing, under rdflib's SPARQL parser, keeps global state and is not thread-safe (known trap 01;
measured: 8 threads parsing at once got None for 39 of 40 requests). Every use of it holds
:data:`PARSE_LOCK`. The engine (pyoxigraph) executes requests; rdflib only tells what they touch.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

from kg.namespaces import PREFIXES

__all__ = ["PARSE_LOCK", "parsed_update", "query_iris", "query_predicates"]

PARSE_LOCK = threading.Lock()
"""Held around every call into rdflib's SPARQL parser."""


def _fresh_parse_lock() -> None:
    # A worker forked while another thread held the lock would otherwise wait on it forever.
    global PARSE_LOCK
    PARSE_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_fresh_parse_lock)

PARSE_LIMIT = 65_536
"""Longer update requests are not parsed for what they touch (rdflib's parser is slow on bulk
data); they count as touching everything."""


def parsed_update(text: str, limit: int = PARSE_LIMIT) -> Any:
    """Return rdflib's algebra of a SPARQL 1.1 Update request, or None when rdflib does not parse it.

    Parameters
    ----------
    text : str
        The update request (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).
    limit : int, optional
        Longer requests, in characters, are not parsed (rdflib's parser is slow on bulk data);
        default 64 KiB.

    Returns
    -------
    rdflib.plugins.sparql.sparql.Update or None
        The translated request (its ``algebra`` lists the operations), or None for a request rdflib
        does not parse (it may lag behind what the engine accepts) or one longer than `limit`.

    Notes
    -----
    The one home of rdflib's update parser on the write path: calls are serialised by a lock
    (the parser keeps global state) and the last 64 requests are remembered, so the store and the
    update journal parse a request once between them.
    """
    return None if len(text) > limit else _parse_update(text)


@functools.lru_cache(maxsize=64)
def _parse_update(text: str) -> Any:
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    with PARSE_LOCK:
        try:
            return translateUpdate(parseUpdate(text), initNs=PREFIXES)
        except Exception:  # rdflib may lag behind what the engine accepts: the caller assumes anything
            return None


@functools.lru_cache(maxsize=256)
def query_predicates(text: str) -> frozenset[str] | None:
    """Return the predicate IRIs a SPARQL query reads, or None when it may read any.

    Parameters
    ----------
    text : str
        A query (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).

    Returns
    -------
    frozenset of str or None
        Every IRI in predicate position of its patterns, property paths included; None for a
        variable predicate, a negated property set, or a query rdflib does not parse.

    Examples
    --------
    >>> sorted(query_predicates("SELECT ?n WHERE { ?s schema:name ?n ; schema:creator/schema:name ?c }"))
    ['https://schema.org/creator', 'https://schema.org/name']
    >>> query_predicates("SELECT * WHERE { ?s ?p ?o }") is None
    True
    """
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.plugins.sparql import algebra
    from rdflib.plugins.sparql.parser import parseQuery

    with PARSE_LOCK:
        try:
            query = algebra.translateQuery(parseQuery(text), initNs=PREFIXES)
        except Exception:  # rdflib may lag behind the engine: then any predicate may be read
            return None
    found: set[str] = set()
    unknown = False

    def visit(node: Any) -> None:
        nonlocal unknown
        if getattr(node, "name", None) != "BGP":
            return
        for _s, p, _o in node["triples"]:
            stack = [p]
            while stack:
                part = stack.pop()
                if isinstance(part, URIRef):
                    found.add(str(part))
                elif isinstance(part, SequencePath | AlternativePath):
                    stack.extend(part.args)
                elif isinstance(part, MulPath | InvPath):
                    stack.append(part.path)
                else:  # a variable, a negated property set
                    unknown = True

    algebra.traverse(query.algebra, visitPost=visit)
    return None if unknown else frozenset(found)


@functools.lru_cache(maxsize=256)
def query_iris(text: str) -> frozenset[str] | None:
    """Return every IRI a SPARQL query names (patterns, paths, ``VALUES``, ``FILTER``…), or None if rdflib cannot parse it.

    A superset of the predicates it reads when each of its variable predicates is bound by a
    ``VALUES`` list, an ``IN`` list, or a value read from the data (which the caller must add).

    Parameters
    ----------
    text : str
        A query (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).

    Returns
    -------
    frozenset of str or None

    Examples
    --------
    >>> sorted(query_iris("SELECT ?s WHERE { ?s ?p ?o FILTER(?p IN (rdfs:label)) }"))
    ['http://www.w3.org/2000/01/rdf-schema#label']
    """
    from rdflib import URIRef
    from rdflib.paths import Path
    from rdflib.plugins.sparql import algebra
    from rdflib.plugins.sparql.parser import parseQuery

    with PARSE_LOCK:
        try:
            query = algebra.translateQuery(parseQuery(text), initNs=PREFIXES)
        except Exception:  # rdflib may lag behind the engine
            return None
    found: set[str] = set()
    stack: list[Any] = [query.algebra]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, URIRef):
            found.add(str(node))
        elif isinstance(node, str) or id(node) in seen:
            continue
        elif isinstance(node, dict):  # rdflib's CompValue is an OrderedDict
            seen.add(id(node))
            stack.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset):
            seen.add(id(node))
            stack.extend(node)
        elif isinstance(node, Path):
            seen.add(id(node))
            stack.extend(getattr(node, "args", ()))
            stack.extend(p for p in (getattr(node, "path", None),) if p is not None)
    return frozenset(found)
