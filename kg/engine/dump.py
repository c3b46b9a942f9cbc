"""Dumps of the dataset: N-Quads, TriG or Turtle, written in batches so memory stays flat.

A dump holds the graphs behind today's default graph (:func:`kg.engine.dataset.current_graphs`,
import snapshots left out) or one named graph. It is serialized by pyoxigraph a batch of quads at a
time: neither the whole dump nor the whole result set is ever held in memory, which is what lets
``/dumps/dataset.nq.gz`` stream a 100k-model store.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

import pyoxigraph as ox

from kg.engine.dataset import current_graphs
from kg.errors import InvalidParameterError, NotFoundError
from kg.terms import named_node

__all__ = ["DUMP_FORMATS", "dump", "dump_chunks", "gzip_chunks"]

DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
}
"""Short name -> serializer. Turtle holds one graph only, so it needs ``graph``."""

_BATCH = 20_000
"""Quads serialized per step (a few MB of text at most)."""


def _graphs(store: ox.Store, graph: str | None) -> list[str]:
    if graph is None:
        return current_graphs(store)
    node = named_node(graph)
    if node is None:
        raise InvalidParameterError("graph", f"{graph!r} is not an IRI (e.g. https://w3id.org/aikg/graph/landscape)")
    if node not in set(store.named_graphs()):
        raise NotFoundError(f"no named graph {graph!r}", suggestions=current_graphs(store)[:20])
    return [graph]


def dump_chunks(store: ox.Store, fmt: str = "nq", graph: str | None = None) -> Iterator[bytes]:
    """Serialize the dataset (or one named graph) a batch at a time.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    fmt : {"nq", "trig", "ttl"}, optional
        Output syntax; ``ttl`` drops graph names, so it needs `graph`.
    graph : str, optional
        IRI of one named graph; default every current graph.

    Yields
    ------
    bytes
        Serialized text, one batch of at most 20,000 quads each. In TriG each batch opens its
        graph block again, which is valid TriG (a graph may be given in several blocks).

    Raises
    ------
    InvalidParameterError
        For an unknown format, ``ttl`` without `graph`, or a `graph` that is not an IRI.
    NotFoundError
        If `graph` is not a named graph of the store.
    """
    if fmt not in DUMP_FORMATS:
        raise InvalidParameterError("format", "one of " + ", ".join(DUMP_FORMATS))
    if fmt == "ttl" and graph is None:
        raise InvalidParameterError("format", "Turtle holds one graph: give --graph, or use nq or trig for all")
    syntax = DUMP_FORMATS[fmt]
    for name in _graphs(store, graph):
        node = ox.NamedNode(name)
        batch: list[ox.Quad] = []
        for quad in store.quads_for_pattern(None, None, None, node):
            batch.append(quad)
            if len(batch) >= _BATCH:
                yield _serialize(batch, syntax)
                batch = []
        if batch:
            yield _serialize(batch, syntax)


def _serialize(batch: list[ox.Quad], syntax: ox.RdfFormat) -> bytes:
    if syntax is ox.RdfFormat.TURTLE:
        return ox.serialize([q.triple for q in batch], format=syntax) or b""
    return ox.serialize(batch, format=syntax) or b""


def dump(store: ox.Store, output: BinaryIO, fmt: str = "nq", graph: str | None = None) -> int:
    """Write a dump to a binary file, batch by batch.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    output : binary file
        Where to write.
    fmt, graph
        As for :func:`dump_chunks`.

    Returns
    -------
    int
        Bytes written.

    Raises
    ------
    InvalidParameterError, NotFoundError
        As :func:`dump_chunks`.
    """
    written = 0
    for chunk in dump_chunks(store, fmt, graph):
        output.write(chunk)
        written += len(chunk)
    return written


def gzip_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Compress a stream of chunks into one gzip member (RFC 1952), chunk by chunk.

    Examples
    --------
    >>> import gzip
    >>> gzip.decompress(b"".join(gzip_chunks(iter([b"a", b"b"]))))
    b'ab'
    """
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()
