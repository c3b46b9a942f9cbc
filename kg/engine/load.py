"""Load RDF files into named graphs: any syntax, all or nothing, errors that name file and line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.engine.dialect import GENERIC
from kg.engine.store import KnowledgeStore, graph_replacement
from kg.errors import GraphExistsError, InvalidParameterError, LoadError
from kg.namespaces import GRAPH
from kg.settings import ONTOLOGY_DIR

__all__ = [
    "EXISTING",
    "FORMATS_BY_EXTENSION",
    "ONTOLOGY_GRAPH",
    "default_sources",
    "file_graph",
    "fill_default_graph",
    "graph_size",
    "load_default_graph",
    "load_files",
    "parse_file",
    "refuse_file_iris",
    "syntax_of",
]

ONTOLOGY_GRAPH = str(GRAPH["ontology"])
"""Named graph holding the ontology modules (the T-box)."""

FORMATS_BY_EXTENSION: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
"""File extension -> RDF syntax."""

_POSITION = re.compile(r"line (\d+)")

EXISTING = ("refuse", "replace", "append")
"""What :func:`load_files` does with a target graph that already holds triples."""


def _graph_node(name: str, what: str) -> ox.NamedNode:
    """Return `name` as an IRI node, or say in one line why it is not an absolute IRI."""
    try:
        node = ox.NamedNode(name)
    except ValueError as exc:
        raise InvalidParameterError(what, f"{name!r} is not an absolute IRI ({exc})") from exc
    if ":" not in name:
        raise InvalidParameterError(what, f"{name!r} is not an absolute IRI")
    return node


def file_graph(path: Path, graph: str | None = None) -> str:
    """Return the named graph a file's default-graph triples go to.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    graph : str, optional
        The graph asked for (``--graph``); default ``https://w3id.org/aikg/graph/{file stem}``.

    Returns
    -------
    str
        The graph IRI.

    Raises
    ------
    InvalidParameterError
        If `graph` (or the IRI made from the file's stem) is not an absolute IRI.

    Examples
    --------
    >>> file_graph(Path("data/extra.ttl"))
    'https://w3id.org/aikg/graph/extra'
    """
    target = graph or str(GRAPH[path.stem])
    _graph_node(target, "--graph" if graph else f"graph name from file name {path.name!r}")
    return target


def syntax_of(path: Path, fmt: ox.RdfFormat | None = None) -> ox.RdfFormat:
    """Return the RDF syntax of a file: `fmt`, else the one its extension names.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    fmt : pyoxigraph.RdfFormat, optional
        The syntax, when the extension does not tell.

    Returns
    -------
    pyoxigraph.RdfFormat

    Raises
    ------
    LoadError
        If `fmt` is None and the extension is not one of :data:`FORMATS_BY_EXTENSION`.
    """
    if fmt is None:
        fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower().lstrip("."))
        if fmt is None:
            raise LoadError(str(path), f"unknown RDF syntax for extension {path.suffix!r}")
    return fmt


def parse_file(path: Path, graph: str | None = None, fmt: ox.RdfFormat | None = None) -> dict[str, list[ox.Triple]]:
    """Parse one RDF file completely, before anything is stored.

    Parameters
    ----------
    path : pathlib.Path
        The file. Its syntax comes from `fmt` or from its extension (see
        :data:`FORMATS_BY_EXTENSION`): Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML, N3.
    graph : str, optional
        Named graph for the triples of the file's default graph; default
        ``https://w3id.org/aikg/graph/{file stem}``. Named graphs of TriG, N-Quads and JSON-LD
        files keep their own names.
    fmt : pyoxigraph.RdfFormat, optional
        The syntax, when the extension does not tell.

    Returns
    -------
    dict of str to list of pyoxigraph.Triple
        Named-graph IRI -> its triples.

    Raises
    ------
    LoadError
        If the file is missing, its syntax is unknown, it does not parse (the message names the
        line and column), or it holds relative IRIs (no base IRI is assumed, so the server's own
        paths never leak into the data; RDF 1.1 Concepts §3.2).
    InvalidParameterError
        If `graph` (or the graph IRI made from the file's stem) is not an absolute IRI.
    """
    fmt = syntax_of(path, fmt)
    target = file_graph(path, graph)
    graphs: dict[str, list[ox.Triple]] = {}
    try:
        with path.open("rb") as handle:
            for quad in ox.parse(handle, format=fmt):
                name = quad.graph_name
                key = target if isinstance(name, ox.DefaultGraph) else name.value
                graphs.setdefault(key, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    except FileNotFoundError as exc:
        raise LoadError(str(path), "file not found") from exc
    except SyntaxError as exc:
        raise LoadError.from_syntax(str(path), exc, None if exc.lineno else _line_of(str(exc))) from exc
    except (OSError, ValueError) as exc:
        raise LoadError(str(path), str(exc)) from exc
    for name, triples in graphs.items():
        for t in triples:
            if (iri := _file_iri(t)) is not None:
                raise LoadError(str(path), f"graph {name}: file: IRI {iri} is not allowed")
    return graphs


def _file_iri(triple: ox.Triple | ox.Quad) -> str | None:
    for term in (triple.subject, triple.predicate, triple.object):
        if isinstance(term, ox.NamedNode) and term.value.startswith("file:"):
            return term.value
    return None


def refuse_file_iris(path: Path, graph: str, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> None:
    """Refuse a file that holds a ``file:`` IRI, as :func:`parse_file` does, without keeping its triples.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    graph : str
        The graph its default-graph triples go to (named in the message).
    fmt : pyoxigraph.RdfFormat, optional
        Its syntax (default N-Triples).

    Raises
    ------
    LoadError
        If it holds a ``file:`` IRI, or does not parse (the message names the line).
    """
    try:
        with path.open("rb") as handle:
            for quad in ox.parse(handle, format=fmt):
                if (iri := _file_iri(quad)) is not None:
                    name = graph if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
                    raise LoadError(str(path), f"graph {name}: file: IRI {iri} is not allowed")
    except SyntaxError as exc:
        raise LoadError.from_syntax(str(path), exc) from exc
    except OSError as exc:
        raise LoadError(str(path), str(exc)) from exc


def _line_of(message: str) -> int | None:
    match = _POSITION.search(message)
    return int(match.group(1)) if match else None


def load_files(
    store: KnowledgeStore,
    paths: Sequence[Path],
    graph: str | None = None,
    fmt: ox.RdfFormat | None = None,
    existing: str = "refuse",
) -> dict[str, int]:
    """Load files into their named graphs; all files or none, and no graph lost unasked.

    Parameters
    ----------
    store : KnowledgeStore
        Target store.
    paths : sequence of pathlib.Path
        Files to load; each is parsed completely before anything is written.
    graph : str, optional
        Named graph for the default-graph triples of every file (default: one graph per file,
        ``graph/{stem}``).
    fmt : pyoxigraph.RdfFormat, optional
        Syntax of all files, when extensions do not tell.
    existing : {"refuse", "replace", "append"}, optional
        What to do with a target graph that already holds triples: refuse the whole load
        (default; a file named like a curated graph, e.g. ``landscape.ttl``, would otherwise
        replace the curated data), replace the graph's triples, or add to them.

    Returns
    -------
    dict of str to int
        Named-graph IRI -> number of triples loaded into it.

    Raises
    ------
    LoadError
        If any file fails; the store is then exactly as it was.
    InvalidParameterError
        If `graph` is not an absolute IRI, or `existing` is not one of :data:`EXISTING`.
    GraphExistsError
        If `existing` is ``"refuse"`` and a target graph already holds triples (the message
        names every such graph and its size); nothing is written.
    """
    if existing not in EXISTING:
        raise InvalidParameterError("existing", f"{existing!r} is not one of {', '.join(EXISTING)}")
    if graph is not None:
        _graph_node(graph, "--graph")
    merged: dict[str, list[ox.Triple]] = {}
    for path in paths:
        for name, triples in parse_file(Path(path), graph, fmt).items():
            merged.setdefault(name, []).extend(triples)
    with store.lock:
        if existing == "refuse":
            held = {name: graph_size(store.inner, name) for name in merged}
            full = {name: n for name, n in held.items() if n}
            if full:
                curated = {g for _, g in default_sources()}
                raise GraphExistsError(full, [name for name in full if name in curated])
        _replace_graphs(store, merged, drop=existing == "replace")
    return {name: len(triples) for name, triples in merged.items()}


def graph_size(inner: ox.Store, name: str) -> int:
    """Return the number of triples in named graph `name` of `inner` (0 when it does not exist).

    Parameters
    ----------
    inner : pyoxigraph.Store
        The engine store.
    name : str
        Graph IRI.

    Returns
    -------
    int
    """
    node = ox.NamedNode(name)
    if isinstance(inner, ox.Store):  # counted inside the engine: no Python object per triple
        # (the IRI as the engine writes a validated NamedNode; substitutions= cannot bind GRAPH here)
        solutions = inner.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
        return int(next(iter(solutions))["n"].value)
    return sum(1 for _ in inner.quads_for_pattern(None, None, None, node))


def _replace_graphs(store: KnowledgeStore, graphs: dict[str, list[ox.Triple]], drop: bool = True) -> None:
    if not graphs:
        return
    with store.write() as inner:
        dialect = getattr(inner, "dialect", GENERIC)  # a remote engine's (kg.engine.dialect)
        try:
            parts = [
                text
                for name, triples in graphs.items()
                if (text := graph_replacement(name, triples, drop=drop, dialect=dialect))
            ]
            if not parts:
                return
            inner.update(" ;\n".join(parts))
        except (SyntaxError, OSError, ValueError) as exc:
            raise LoadError("<store>", f"write failed: {exc}") from exc


def default_sources(data_dir: Path | None = None) -> list[tuple[Path, str]]:
    """Return the files of the embedded default graph with their named graphs.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Folder of data files; default ``ontology/data`` of the installed package.

    Returns
    -------
    list of (pathlib.Path, str)
        The ontology header and modules (one graph, ``graph/ontology``), then each data file
        (graph ``graph/{stem}``) and each file of a data folder (graph ``graph/{folder}``: a
        large curated graph such as the landscape is kept as one file per organization), sorted
        by name.
    """
    data_dir = data_dir or ONTOLOGY_DIR / "data"
    modules = [ONTOLOGY_DIR / "aikg.ttl", *sorted((ONTOLOGY_DIR / "modules").glob("*.ttl"))]

    def readable(path: Path) -> bool:
        return path.is_file() and path.suffix.lstrip(".") in FORMATS_BY_EXTENSION

    data: list[tuple[Path, str]] = [(p, str(GRAPH[p.stem])) for p in sorted(data_dir.glob("*")) if readable(p)]
    for folder in sorted(p for p in data_dir.glob("*") if p.is_dir()):
        data += [(p, str(GRAPH[folder.name])) for p in sorted(folder.glob("*")) if readable(p)]
    return [(p, ONTOLOGY_GRAPH) for p in modules] + data


def load_default_graph(store: KnowledgeStore, data_dir: Path | None = None) -> dict[str, int]:
    """Load the ontology and the embedded default graph into `store`, in one transaction.

    Parameters
    ----------
    store : KnowledgeStore
        Target store.
    data_dir : pathlib.Path, optional
        Folder of data files (default: the shipped ``ontology/data``).

    Returns
    -------
    dict of str to int
        Named-graph IRI -> number of triples.

    Raises
    ------
    LoadError
        If a shipped file does not parse.
    """
    merged = _default_graph(data_dir)
    _replace_graphs(store, merged)
    return {name: len(triples) for name, triples in merged.items()}


def _default_graph(data_dir: Path | None) -> dict[str, list[ox.Triple]]:
    merged: dict[str, list[ox.Triple]] = {}
    for path, graph in default_sources(data_dir):
        for name, triples in parse_file(path, graph).items():
            merged.setdefault(name, []).extend(triples)
    return merged


def fill_default_graph(inner: ox.Store, data_dir: Path | None = None) -> dict[str, int]:
    """Write the ontology and the embedded default graph into a new engine store, file by file.

    For an engine store written directly (a staged load's new store, :mod:`kg.engine.staging`);
    :func:`load_default_graph` fills a :class:`~kg.engine.store.KnowledgeStore`. Each file is
    one engine load (its own transaction; blank nodes are fresh per file, as in the
    ``INSERT DATA`` of :func:`load_default_graph`), so a crash can leave part of the default
    graph: write only into a store that is not yet visible.

    Parameters
    ----------
    inner : pyoxigraph.Store
        The store, empty.
    data_dir : pathlib.Path, optional
        Folder of data files (default: the shipped ``ontology/data``).

    Returns
    -------
    dict of str to int
        Named-graph IRI -> number of triples it holds.

    Raises
    ------
    LoadError
        If a shipped file does not parse.
    """
    names: list[str] = []
    for path, graph in default_sources(data_dir):
        try:
            inner.load(path=str(path), format=syntax_of(path), to_graph=ox.NamedNode(graph))
        except SyntaxError as exc:
            raise LoadError.from_syntax(str(path), exc) from exc
        except (OSError, ValueError) as exc:
            raise LoadError(str(path), str(exc)) from exc
        if graph not in names:
            names.append(graph)
    return {name: graph_size(inner, name) for name in names}
