"""Pictures of RDF: a CONSTRUCT query's result, or any triples, as a multigraph whose node keys never collide.

Node keys are IRIs as plain strings; literals and blank nodes are keyed by their N-Triples form
(``"ACME"@en``, ``"1999"^^<…#gYear>``, ``_:b0``), which can never equal an IRI, so equal-looking
terms of different kinds stay different nodes (RDF 1.1 Concepts §3.3; known-traps case 28).
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.analytics._tooltips import _annotate, _property_labels, _shorten
from kg.engine.dataset import union_dataset
from kg.engine.query_checks import check_query
from kg.engine.thread_bound import thread_bound
from kg.errors import QueryFormError, QuerySyntaxError
from kg.namespaces import PREFIXES
from kg.terms import curie, humanize, slug_of


def construct_graph(
    store: ox.Store, text: str, max_triples: int = 20_000, allow_service: bool = False
) -> nx.MultiDiGraph:
    """Run a CONSTRUCT query and return its result as a graph to draw.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; the union of the named graphs is the default graph.
    text : str
        A SPARQL 1.1 CONSTRUCT query (the shared prefixes are predeclared).
    max_triples : int, optional
        Read at most this many triples of the result; ``G.graph["truncated"]`` tells if more.
    allow_service : bool, optional
        Accept ``SERVICE`` (federation).

    Returns
    -------
    networkx.MultiDiGraph
        One node per distinct RDF term: IRIs keyed by the IRI, literals and blank nodes by their
        N-Triples form, so ``"ACME"@en``, ``"ACME"@de``, ``"ACME"`` and ``<ACME>`` are four
        nodes (RDF 1.1 Concepts §3.3). One edge per triple, keyed by the predicate, so parallel
        edges with different properties are all kept.

    Raises
    ------
    QueryFormError
        If the query is not a CONSTRUCT.
    QuerySyntaxError
        If it does not parse.
    ForbiddenError
        If it uses ``SERVICE`` and `allow_service` is False.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/name"), ox.Literal("A", language="en")))
    >>> G = construct_graph(s, "CONSTRUCT WHERE { ?s ?p ?o }")
    >>> sorted(G.nodes)
    ['"A"@en', 'http://e/a']
    """
    form = check_query(text, allow_service=allow_service)
    if form != "CONSTRUCT":
        raise QueryFormError(
            f"this is a {form or 'non-CONSTRUCT'} query; graph pictures are drawn from CONSTRUCT results, e.g. "
            "CONSTRUCT { ?m schema:creator ?o } WHERE { ?m schema:creator ?o } LIMIT 200"
        )
    with thread_bound():  # the engine's result is freed on this thread even when an error leaves
        triples = _constructed(store, text, max_triples)
    labels = _property_labels(store)
    for _s, _o, _k, data in triples.edges(keys=True, data=True):
        data["label"] = labels.get(data["predicate"]) or humanize(data["predicate"])
        data["title"] = f"{data['label']}\n{curie(data['predicate'])}"
    _annotate(store, triples)
    triples.graph.update(
        view="query", title="CONSTRUCT result", narrow_hint="add LIMIT or more selective patterns to the query"
    )
    return triples


def _constructed(store: ox.Store, text: str, max_triples: int) -> nx.MultiDiGraph:
    try:
        result = store.query(text, prefixes=PREFIXES, **union_dataset(store))
    except (SyntaxError, ValueError) as exc:
        raise QuerySyntaxError(str(exc)) from exc
    if not isinstance(result, ox.QueryTriples):
        raise QueryFormError("graph pictures are drawn from CONSTRUCT results only")
    return rdf_to_networkx(result, max_triples=max_triples)


def rdf_to_networkx(triples: Any, max_triples: int = 20_000) -> nx.MultiDiGraph:
    r"""Convert RDF triples (pyoxigraph) to a multigraph whose node keys never collide.

    Parameters
    ----------
    triples : iterable of pyoxigraph.Triple
        E.g. a CONSTRUCT result or ``pyoxigraph.parse(...)``.
    max_triples : int, optional
        Read at most this many; ``G.graph["truncated"]`` is 1 when more were there.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI string (IRIs) or N-Triples form (literals, blank nodes) with
        ``label`` (the lexical form, language or datatype appended), ``term`` (``iri``,
        ``literal``, ``bnode``) and ``title``; edges keyed by predicate IRI, with ``predicate``.

    Examples
    --------
    >>> data = b'<http://e/a> <http://e/p> "1999"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
    >>> data += b'<http://e/a> <http://e/p> "1999"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    >>> G = rdf_to_networkx(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    >>> G.number_of_nodes(), G.number_of_edges()
    (3, 2)
    """
    G = nx.MultiDiGraph(truncated=0)
    for count, triple in enumerate(triples):
        if count >= max_triples:
            G.graph["truncated"] = 1
            break
        s, p, o = triple.subject, triple.predicate, triple.object
        keys = []
        for term in (s, o):
            key = term.value if isinstance(term, ox.NamedNode) else str(term)
            keys.append(key)
            if key not in G:
                G.add_node(key, **_term_node(term))
        G.add_edge(keys[0], keys[1], key=p.value, predicate=p.value, label=humanize(p.value))
    return G


def _term_node(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"label": slug_of(term.value) or term.value, "term": "iri", "kind": "other"}
    if isinstance(term, ox.Literal):
        suffix = (
            f" @{term.language}"
            if term.language
            else ("" if term.datatype.value == PREFIXES["xsd"] + "string" else f" ({curie(term.datatype.value)})")
        )
        return {"label": _shorten(term.value, 60) + suffix, "term": "literal", "kind": "literal", "title": str(term)}
    return {"label": str(term), "term": "bnode", "kind": "other", "title": f"blank node {term}"}
