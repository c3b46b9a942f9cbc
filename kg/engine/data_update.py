"""What an ``INSERT DATA``/``DELETE DATA`` request writes, read by a small tokenizer instead of rdflib's parser.

rdflib's SPARQL parser (pyparsing) spends about 1.5 ms of Python on a one-triple update, which was
most of the time a write took. Data-only requests of the common shape (IRIs, prefixed names,
literals, ``a``, ``GRAPH`` blocks, ``PREFIX`` declarations) are read here; anything else (blank
nodes, collections, comments, long strings, escapes in names, ``BASE``, relative IRIs, an
unknown prefix, a syntax error) returns None, and the caller falls back to rdflib.
"""

from __future__ import annotations

import re

from kg.namespaces import PREFIXES

__all__ = ["data_reach"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DEFAULT_GRAPH = "urn:aikg:default-graph"  # kg.engine.store.DEFAULT_GRAPH (the store imports this module)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>"(?:[^"\\\n\r]|\\[tbnrf"'\\])*"|'(?:[^'\\\n\r]|\\[tbnrf"'\\])*')
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<hats>\^\^)
  | (?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))
  | (?P<pname>(?:[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)?:(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[{};,.])
    """,
    re.VERBOSE,
)


class _Unsupported(Exception):
    """The request is not of the shape read here."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(text):
        if text.startswith(('"""', "'''"), pos):
            raise _Unsupported
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _Unsupported
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group()))  # type: ignore[arg-type]
        pos = m.end()
    return out


def data_reach(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """Return the graphs and predicates of a data-only update request, or None when not read here.

    Parameters
    ----------
    text : str
        A SPARQL 1.1 Update request (the prefixes of :data:`kg.namespaces.PREFIXES` are predeclared).

    Returns
    -------
    tuple of (frozenset of str, frozenset of str) or None
        Graph IRIs (``urn:aikg:default-graph`` for the default graph) and predicate IRIs of the
        quads of its ``INSERT DATA``/``DELETE DATA`` operations; None for any other request, or a
        data-only one of a shape this tokenizer does not read (see the module's docstring).

    Examples
    --------
    >>> graphs, predicates = data_reach('INSERT DATA { GRAPH graph:x { model:a a aikg:AIModel ; schema:name "A" } }')
    >>> sorted(graphs), sorted(predicates)
    (['https://w3id.org/aikg/graph/x'], ['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'https://schema.org/name'])
    >>> data_reach("DELETE WHERE { ?s ?p ?o }") is None
    True
    """
    try:
        return _read(_tokens(text))
    except (_Unsupported, IndexError):
        return None


def _read(tokens: list[tuple[str, str]]) -> tuple[frozenset[str], frozenset[str]]:
    prefixes = dict(PREFIXES)
    graphs: set[str] = set()
    predicates: set[str] = set()
    i = 0

    def word(at: int) -> str:
        kind, value = tokens[at]
        return value.upper() if kind == "word" else ""

    def expect(at: int, value: str) -> int:
        if tokens[at] != ("punct", value):
            raise _Unsupported
        return at + 1

    def iri(at: int) -> str:
        kind, value = tokens[at]
        if kind == "iri":
            if ":" not in value:  # relative: would need BASE resolution
                raise _Unsupported
            return value[1:-1]
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix not in prefixes:
                raise _Unsupported
            return str(prefixes[prefix]) + local
        raise _Unsupported

    def obj(at: int) -> int:
        kind, _ = tokens[at]
        if kind in ("iri", "pname"):
            iri(at)
            return at + 1
        if kind == "number" or (kind == "word" and tokens[at][1] in ("true", "false")):
            return at + 1
        if kind == "string":
            at += 1
            if at < len(tokens) and tokens[at][0] == "lang":
                return at + 1
            if at < len(tokens) and tokens[at][0] == "hats":
                iri(at + 1)
                return at + 2
            return at
        raise _Unsupported

    def triples(at: int) -> int:
        # A TriplesTemplate, up to (not past) a closing brace or a GRAPH block.
        while tokens[at] != ("punct", "}") and word(at) != "GRAPH":
            iri(at)  # subject
            at += 1
            while True:
                kind, value = tokens[at]
                predicates.add(_RDF_TYPE if (kind, value) == ("word", "a") else iri(at))
                at = obj(at + 1)
                while tokens[at] == ("punct", ","):
                    at = obj(at + 1)
                if tokens[at] != ("punct", ";"):
                    break
                while tokens[at] == ("punct", ";"):
                    at += 1
                if tokens[at] in (("punct", "."), ("punct", "}")):
                    break
            if tokens[at] == ("punct", "."):
                at += 1
            elif tokens[at] != ("punct", "}") and word(at) != "GRAPH":
                raise _Unsupported
        return at

    operations = 0
    while i < len(tokens):
        while word(i) == "PREFIX":
            kind, name = tokens[i + 1]
            if kind != "pname" or not name.endswith(":"):
                raise _Unsupported
            prefixes[name[:-1]] = iri(i + 2)
            i += 3
        if word(i) not in ("INSERT", "DELETE") or word(i + 1) != "DATA":
            raise _Unsupported
        i = expect(i + 2, "{")
        while tokens[i] != ("punct", "}"):
            if word(i) == "GRAPH":
                graphs.add(iri(i + 1))
                i = expect(triples(expect(i + 2, "{")), "}")
                if tokens[i] == ("punct", "."):
                    i += 1
            else:
                start = i
                i = triples(i)
                if i == start:
                    raise _Unsupported
                graphs.add(_DEFAULT_GRAPH)
        i += 1
        operations += 1
        if i < len(tokens):
            i = expect(i, ";")
    if not operations:
        raise _Unsupported
    return frozenset(graphs), frozenset(predicates)
