"""What differs between remote SPARQL engines, in one place: graph listing, default graph, system graphs.

:class:`~kg.engine.remote.RemoteStore` speaks the SPARQL 1.1 Protocol to any engine; the few
places where engines read the same request differently are settled here, by the engine's
``Server`` header (:func:`dialect_for`), so the rest of the tier stays engine-neutral.

Differences handled (Virtuoso Open Source 7.2.5, checked against a running ``virtuoso-t``):

- ``SELECT DISTINCT ?g WHERE { GRAPH ?g { } }`` lists the named graphs on Oxigraph server
  without reading their triples (SPARQL 1.1 §18.6); Virtuoso answers it with one empty row. Its
  graphs are listed with ``GRAPH ?g { ?s ?p ?o } GROUP BY ?g``: 26 ms at 20k triples, where
  ``SELECT DISTINCT ?g`` over the same pattern takes 1.7 s (measured here).
- Virtuoso's own default graph (a request without a dataset) is the union of every graph,
  its system graphs included (``http://www.openlinksw.com/schemas/virtrdf#`` and others): a
  quad pattern then reads only ``GRAPH ?g``, whose system graphs are filtered out by IRI prefix.
- ``GRAPH <g> { }`` inside ``INSERT DATA`` is a syntax error on Virtuoso: the tier never sends
  one (:func:`kg.engine.store.graph_replacement`).
- Virtuoso refuses blank nodes in ``INSERT DATA`` ("SP031 ... Blank node ... is not allowed in
  a constant clause"): such an operation is sent as ``INSERT { … } WHERE { }``, which SPARQL 1.1
  Update gives the same meaning (one solution, fresh blank nodes) (:meth:`Dialect.update_text`).
- ``DROP GRAPH <g>`` fails on Virtuoso for a graph that was filled but never ``CREATE``d
  ("SPARUL_DROP() failed: graph ... has not been explicitly created before"): it is sent as
  ``CLEAR GRAPH <g>``, which empties it, as a quad store's ``DROP`` does (``DROP SILENT`` works).
- Virtuoso answers ``ASK`` with a one-column table (``__ASK_RETVAL``: one row for true, none
  for false) instead of a boolean: read back as the boolean (:func:`ask_answer`).
- One ``INSERT DATA`` block of more than about 4,990 triples exhausts Virtuoso's parser stack:
  the tier writes at most :data:`DATA_BLOCK_TRIPLES` per block or per request.
- ``POST`` with ``Content-Type: application/sparql-query`` hangs on Virtuoso 7.2.5: the tier
  only sends form POSTs, which every engine takes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "DATA_BLOCK_TRIPLES",
    "GENERIC",
    "TEMPLATE_TRIPLES",
    "UPDATE_LEXEME",
    "VIRTUOSO",
    "Dialect",
    "ask_answer",
    "dialect_for",
]

DATA_BLOCK_TRIPLES = 4000
"""The most triples written to Virtuoso in one ``INSERT DATA`` block: Virtuoso 7.2's SPARQL parser
runs out of stack near 4,990 triples in one block ("SP030 ... memory exhausted"), measured here;
longer content goes as several operations of one request."""
TEMPLATE_TRIPLES = 800
"""The most triples written to Virtuoso in one ``INSERT { … } WHERE { }`` operation: its SQL
compiler stops between 1,200 and 1,500 template triples ("SP031 ... generated SQL text has
exceeded 10000 lines"), measured here."""

UPDATE_LEXEME = re.compile(  # an update request's lexemes: a comment, a string or an IRI is one lexeme
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<quoted>'''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*" | <[^<>"{}|^`\\\x00-\x20]*>)
  | [^\s\#'"<;{}\[]+ | \S
    """,
    re.VERBOSE | re.DOTALL,
)
"""Lexemes of a SPARQL Update request: comments and quoted text (strings, IRIs) are single lexemes,
so a brace or ``_:`` inside them is never read as syntax; every brace is a lexeme of its own."""


@dataclass(frozen=True)
class Dialect:
    """How one kind of engine reads the requests the remote tier sends.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"virtuoso"``.
    graphs_query : str
        A SELECT whose ``?g`` lists the engine's named graphs.
    default_is_union : bool
        The engine's default graph (no dataset in the request) is the union of all its graphs,
        so a quad pattern must not read it beside ``GRAPH ?g`` (every triple would come twice).
    system_graphs : tuple of str
        IRI prefixes of graphs the engine keeps for itself; they are never data.
    blank_nodes_in_data : bool
        The engine takes blank nodes inside ``INSERT DATA`` (SPARQL 1.1 allows them).
    blank_node_prefix : str
        What the engine writes before a blank node's label in SPARQL JSON results, where a
        label must be a plain name (Virtuoso: ``nodeID://b10001``); removed on reading.
    """

    name: str
    graphs_query: str
    default_is_union: bool = False
    system_graphs: tuple[str, ...] = ()
    blank_nodes_in_data: bool = True
    blank_node_prefix: str = ""

    def json_results(self, content: bytes) -> bytes:
        r"""Return SPARQL JSON results with blank node labels as pyoxigraph reads them.

        Only a quoted value that starts with :attr:`blank_node_prefix` changes: a quote escaped
        inside a string is preceded by a backslash and is left alone.

        >>> VIRTUOSO.json_results(b'{"value": "nodeID://b1"}, {"value": "x \\"nodeID://"}')
        b'{"value": "b1"}, {"value": "x \\"nodeID://"}'
        """
        if not self.blank_node_prefix:
            return content
        prefix = self.blank_node_prefix.encode()
        if prefix not in content:
            return content
        return re.sub(rb'(?<!\\)"' + re.escape(prefix), b'"', content)

    def insert_operations(self, graph: ox.NamedNode, triples: Sequence[ox.Triple]) -> list[str]:
        """Return the SPARQL Update operations that add `triples` to `graph` on this engine.

        One ``INSERT DATA`` where SPARQL 1.1 is read as written. For an engine with short
        blocks and no blank nodes in data (Virtuoso): the triples without a blank node in
        ``INSERT DATA`` blocks of :data:`DATA_BLOCK_TRIPLES`, the others, whole sets of triples
        linked by a blank node kept together (a label means one node only within one operation),
        in ``INSERT { … } WHERE { }`` operations of about :data:`TEMPLATE_TRIPLES`.

        Parameters
        ----------
        graph : pyoxigraph.NamedNode
            The target graph.
        triples : sequence of pyoxigraph.Triple
            What to add; may be empty (then no operation: Virtuoso refuses an empty graph block).

        Returns
        -------
        list of str
            Operations to join with ``;`` into one request.

        Examples
        --------
        >>> g, p = ox.NamedNode("http://e/g"), ox.NamedNode("http://e/p")
        >>> a, b = ox.Triple(ox.BlankNode("x"), p, ox.BlankNode("y")), ox.Triple(ox.BlankNode("y"), p, g)
        >>> [op.split(" {")[0] + (" WHERE" if "WHERE" in op else "") for op in VIRTUOSO.insert_operations(g, [a, ox.Triple(g, p, g), b])]
        ['INSERT DATA', 'INSERT WHERE']
        >>> len(GENERIC.insert_operations(g, [a, b])), GENERIC.insert_operations(g, [])
        (1, [])
        """

        def text(block: Sequence[ox.Triple]) -> str:
            return (ox.serialize(block, format=ox.RdfFormat.N_TRIPLES) or b"").decode()

        if not triples:
            return []
        if self.blank_nodes_in_data:
            return [f"INSERT DATA {{ GRAPH {graph} {{ {text(triples)} }} }}"]
        plain = [t for t in triples if not _blank_nodes(t)]
        operations = [
            f"INSERT DATA {{ GRAPH {graph} {{ {text(plain[at : at + DATA_BLOCK_TRIPLES])} }} }}"
            for at in range(0, len(plain), DATA_BLOCK_TRIPLES)
        ]
        pack: list[ox.Triple] = []
        for linked in _linked_sets([t for t in triples if _blank_nodes(t)]):
            if pack and len(pack) + len(linked) > TEMPLATE_TRIPLES:
                operations.append(f"INSERT {{ GRAPH {graph} {{ {text(pack)} }} }} WHERE {{ }}")
                pack = []
            pack += linked
        if pack:
            operations.append(f"INSERT {{ GRAPH {graph} {{ {text(pack)} }} }} WHERE {{ }}")
        return operations

    def update_text(self, text: str) -> str:
        """Return the update request as this engine takes it, with the same meaning.

        An ``INSERT DATA`` operation that holds a blank node becomes ``INSERT { … } WHERE { }``
        for an engine that refuses them there, and ``DROP GRAPH`` becomes ``CLEAR GRAPH`` (same
        for Virtuoso, see the module notes); everything else is sent as written.

        Parameters
        ----------
        text : str
            A SPARQL 1.1 Update request.

        Returns
        -------
        str
            The request to send.

        Examples
        --------
        >>> VIRTUOSO.update_text('INSERT DATA { GRAPH <g:x> { _:b <p:q> "_:no {" } } ; INSERT DATA { <a:b> <p:q> 1 }')
        'INSERT { GRAPH <g:x> { _:b <p:q> "_:no {" } } WHERE { } ; INSERT DATA { <a:b> <p:q> 1 }'
        >>> VIRTUOSO.update_text("DROP GRAPH <g:a> ; DROP SILENT GRAPH <g:b>")
        'CLEAR GRAPH <g:a> ; DROP SILENT GRAPH <g:b>'
        >>> GENERIC.update_text("INSERT DATA { _:b <p:q> 1 }")
        'INSERT DATA { _:b <p:q> 1 }'
        """
        if self.blank_nodes_in_data:
            return text
        lexemes = [(m.start(), m.end(), m.group(0), m.lastgroup) for m in UPDATE_LEXEME.finditer(text)]
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in text order
        i = 0
        while i < len(lexemes):
            if lexemes[i][2].upper() == "DROP" and i + 1 < len(lexemes) and lexemes[i + 1][2].upper() == "GRAPH":
                edits.append((lexemes[i][0], lexemes[i][1], "CLEAR"))
                i += 2
                continue
            if (
                lexemes[i][2].upper() == "INSERT"
                and i + 2 < len(lexemes)
                and lexemes[i + 1][2].upper() == "DATA"
                and lexemes[i + 2][2] == "{"
            ):
                depth, j, blank = 0, i + 2, False
                for j in range(i + 2, len(lexemes)):
                    lexeme, kind = lexemes[j][2], lexemes[j][3]
                    if kind is None:
                        depth += lexeme == "{"
                        depth -= lexeme == "}"
                        blank = blank or lexeme.startswith(("_:", "["))
                    if depth == 0:
                        break
                if blank:
                    edits.append((lexemes[i][0], lexemes[i + 1][1], "INSERT"))
                    edits.append((lexemes[j][1], lexemes[j][1], " WHERE { }"))
                i = j + 1
                continue
            i += 1
        for start, end, replacement in reversed(edits):
            text = text[:start] + replacement + text[end:]
        return text

    def is_system_graph(self, iri: str) -> bool:
        """Return True when `iri` names one of the engine's own graphs.

        >>> VIRTUOSO.is_system_graph("http://www.openlinksw.com/schemas/virtrdf#"), GENERIC.is_system_graph("x")
        (True, False)
        """
        return iri.startswith(self.system_graphs) if self.system_graphs else False

    def graph_filter(self, variable: str, kept_out: str) -> str:
        """Return a SPARQL boolean expression true when `variable` is a data graph.

        Parameters
        ----------
        variable : str
            The graph variable, e.g. ``"?g"`` (code-chosen, never user text).
        kept_out : str
            IRI of a graph also left out (the version marker's graph).

        Returns
        -------
        str
            An expression for ``FILTER(...)``; its constants are the dialect's own.

        Examples
        --------
        >>> GENERIC.graph_filter("?g", "urn:meta")
        '?g != <urn:meta>'
        >>> VIRTUOSO.graph_filter("?g", "urn:meta").count("STRSTARTS")
        3
        """
        parts = [f"{variable} != <{kept_out}>"]
        parts += [f'!STRSTARTS(STR({variable}), "{prefix}")' for prefix in self.system_graphs]
        return " && ".join(parts)


def ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Return the boolean an engine meant by answering ``ASK`` with a table (Virtuoso).

    True when some row has a value other than ``0`` or ``false`` (Virtuoso: one row holding 1).

    >>> rows = ox.parse_query_results('{"head": {"vars": ["r"]}, "results": {"bindings": []}}', format=ox.QueryResultsFormat.JSON)
    >>> bool(ask_answer(rows))
    False
    """
    answer = any(any(value is not None and value.value not in ("0", "false") for value in row) for row in solutions)
    return ox.parse_query_results(
        b'{"head": {}, "boolean": ' + (b"true" if answer else b"false") + b"}", format=ox.QueryResultsFormat.JSON
    )


def _blank_nodes(triple: ox.Triple) -> list[str]:
    return [term.value for term in (triple.subject, triple.object) if isinstance(term, ox.BlankNode)]


def _linked_sets(triples: Sequence[ox.Triple]) -> list[list[ox.Triple]]:
    # Triples grouped by the blank nodes they share (union-find over blank node labels), in order.
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = _blank_nodes(triple)
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    groups: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        groups.setdefault(root(_blank_nodes(triple)[0]), []).append(triple)
    return list(groups.values())


GENERIC = Dialect("generic", "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
"""SPARQL 1.1 as written: Oxigraph server, Apache Jena Fuseki, GraphDB, QLever."""

VIRTUOSO = Dialect(
    "virtuoso",
    "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    default_is_union=True,
    system_graphs=("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/"),
    blank_nodes_in_data=False,
    blank_node_prefix="nodeID://",
)
"""OpenLink Virtuoso (7.2): see the module notes."""


def dialect_for(server: str | None) -> Dialect:
    """Return the dialect of the engine that sent an HTTP ``Server`` header.

    Parameters
    ----------
    server : str or None
        The header's value, e.g. ``"Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"``.

    Returns
    -------
    Dialect
        :data:`VIRTUOSO` for Virtuoso, else :data:`GENERIC`.

    Examples
    --------
    >>> dialect_for("Virtuoso/07.20.3229 (Linux)").name, dialect_for("Oxigraph/0.5").name, dialect_for(None).name
    ('virtuoso', 'generic', 'generic')
    """
    return VIRTUOSO if (server or "").lower().startswith("virtuoso") else GENERIC
