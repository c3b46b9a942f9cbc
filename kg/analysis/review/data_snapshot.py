"""The data a review rests on: every named graph but the reviews graph, with its content digest."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import SAVED_QUERIES_GRAPH
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore
from kg.namespaces import GRAPH, ID

REVIEWS_GRAPH = str(GRAPH["reviews"])
"""Named graph holding the generated reviews; never an input of a review."""

__all__ = ["DIGEST_PREFIX", "EMPTY_DIGEST", "Cancelled", "DataSnapshot", "snapshot"]


@dataclass(frozen=True, slots=True)
class DataSnapshot:
    """The data reviews are computed from: every named graph but the reviews graph, with digests.

    Attributes
    ----------
    version : str
        The store's dataset version when the snapshot was taken.
    graphs : tuple of (str, int, str, str or None)
        ``(graph IRI, triple count, "msh256:<hex>", prov:generatedAtTime or None)``, sorted by IRI.
    """

    version: str
    graphs: tuple[tuple[str, int, str, str | None], ...]

    @property
    def fingerprint(self) -> str:
        """A digest of all graph digests: equal fingerprints, equal data."""
        text = "\n".join(f"{g} {d}" for g, _, d, _ in self.graphs)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def iri(self) -> str:
        """IRI of the snapshot node in the reviews graph."""
        return f"{ID}snapshot/{self.fingerprint[:16]}"

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data.

        Returns
        -------
        dict
            ``snapshot`` (IRI), ``datasetVersion`` and ``graphs`` (``graph``, ``triples``,
            ``digest``, ``generatedAtTime`` each).
        """
        return {
            "snapshot": self.iri,
            "datasetVersion": self.version,
            "graphs": [{"graph": g, "triples": n, "digest": d, "generatedAtTime": t} for g, n, d, t in self.graphs],
        }


def snapshot(
    store: KnowledgeStore,
    known: dict[str, tuple[int, str]] | None = None,
    changed: set[str] | frozenset[str] | None = None,
    stop: threading.Event | None = None,
) -> DataSnapshot:
    """Take the data snapshot of a store: each named graph's triple count and content digest.

    Parameters
    ----------
    store : KnowledgeStore
        The store; :data:`REVIEWS_GRAPH` and the saved queries
        (:data:`kg.engine.dataset.SAVED_QUERIES_GRAPH`) are left out. The default graph is listed as
        :data:`kg.engine.store.DEFAULT_GRAPH` when it holds triples (queries read it as part of the union).
    known : dict, optional
        Graph IRI -> ``(triple count, digest)`` of an earlier snapshot of the same store.
    changed : set of str, optional
        The graphs that may have changed since `known` was taken; the others reuse their known
        digest. None (the default) digests every graph.
    stop : threading.Event, optional
        Set from another thread to stop the snapshot (a store closing); checked while digesting.

    Returns
    -------
    DataSnapshot
        The store's version and, per graph, its triple count, digest and generation time.

    Raises
    ------
    Cancelled
        If `stop` was set.

    Notes
    -----
    The digest is a multiset hash of the graph's N-Triples lines (:data:`DIGEST_PREFIX`): the sum
    modulo 2**256 of each line's BLAKE2b-256, so it does not depend on the order triples were
    written in (no sort), and changes when any triple does. Blank-node labels are part of the
    text: reloading the same file gives a new digest and recomputes the reviews, which is safe.
    O(n) in the triples of the graphs digested, streamed (the dump is never held whole); with
    `known` and `changed`, only the changed graphs are read (a write to a small graph does not
    re-read a large bulk-loaded one). Measured on disk at 2.2M triples: 21 s, nearly all of it the
    engine's own N-Triples dump.
    """
    inner = store.inner
    known = known or {}
    generated = {}
    names = store.named_graphs()
    for g in names:
        node = ox.NamedNode(g)
        for q in inner.quads_for_pattern(node, ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"), None, node):
            generated[g] = q.object.value
    graphs = []
    # A remote engine is queried over the union of its named graphs only (kg.engine.remote), never its
    # default graph, which some engines make the union of everything.
    for g in names if getattr(store, "remote", False) else [*names, DEFAULT_GRAPH]:
        if g in (REVIEWS_GRAPH, SAVED_QUERIES_GRAPH):  # not data: a saved query never changes a review
            continue
        if changed is not None and g not in changed and g in known:
            count, digest = known[g]
        else:
            count, digest = _digest(inner, g, stop)
        if g == DEFAULT_GRAPH and count == 0:
            continue
        graphs.append((g, count, digest, generated.get(g)))
    return DataSnapshot(store.version, tuple(graphs))


DIGEST_PREFIX = "msh256:"
"""Prefix of a graph digest: a multiset hash, the sum modulo 2**256 of each N-Triples line's BLAKE2b-256."""

_MODULUS = 1 << 256

EMPTY_DIGEST = f"{DIGEST_PREFIX}{0:064x}"
"""The digest of an empty graph."""


class Cancelled(Exception):
    """A digest was stopped before its end (the store is closing)."""


class _LineHashes:
    """A writable sink for an N-Triples dump: adds up each line's hash, keeping one chunk at a time.

    Summing (modulo 2**256) makes the digest independent of the order of the lines without a sort,
    and the dump is never held whole (21.9M triples are 2.8 GB of N-Triples).
    """

    def __init__(self, stop: threading.Event | None) -> None:
        self.total = 0
        self.lines = 0
        self._tail = b""
        self._stop = stop

    def write(self, chunk: bytes) -> int:
        """Take a chunk of the dump; return its length."""
        if self._stop is not None and self._stop.is_set():
            raise Cancelled("the graph digest was stopped")
        lines = (self._tail + bytes(chunk)).split(b"\n")
        self._tail = lines.pop()
        self._add(lines)
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered but a partial line (counted by :meth:`close_digest`)."""

    def _add(self, lines: list[bytes]) -> None:
        blake, number = hashlib.blake2b, int.from_bytes
        lines = [line for line in lines if line]
        self.total += sum(number(blake(line, digest_size=32).digest(), "big") for line in lines)
        self.lines += len(lines)

    def close_digest(self) -> tuple[int, str]:
        """Return ``(lines, digest)`` once the dump ended."""
        if self._tail:
            self._add([self._tail])
            self._tail = b""
        return self.lines, f"{DIGEST_PREFIX}{self.total % _MODULUS:064x}"


def _digest(inner: ox.Store, graph: str, stop: threading.Event | None = None) -> tuple[int, str]:
    # The engine writes N-Triples in its own order: the multiset hash does not depend on it. The
    # dump runs in native code (about 20 s for 2.2M triples on disk), the line hashes in Python
    # (about 1 s for 2.2M lines).
    source = ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(graph)
    sink = _LineHashes(stop)
    inner.dump(sink, format=ox.RdfFormat.N_TRIPLES, from_graph=source)
    return sink.close_digest()
