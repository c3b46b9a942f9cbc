"""Imports with history: one current graph per source, dated snapshots, ``as_of`` and diffs.

Design
------
Every import of a source (``epoch``, ``mot``, ``osai``, ``modelcard``) is written in **one SPARQL
Update** (one Oxigraph transaction: a crash or SIGKILL leaves the store exactly as it was):

``https://w3id.org/aikg/graph/snapshot/{source}/{version}``
    the *snapshot*: everything the importer read from this version of the source (after entity
    resolution), with PROV-O metadata about the snapshot itself (source files with SHA-256,
    publisher, license, import time, importer version, row counts, every skipped row).
    Numbered 1, 2, 3… per source, never changed afterwards.
``https://w3id.org/aikg/graph/import/{source}``
    the *current* graph of each imported source: its latest snapshot, consolidated with the rest
    of the graph (below), plus the same metadata about the current graph. Every import rebuilds
    the current graphs of all sources from their latest snapshots (``DROP`` + ``INSERT``), so the
    result does not depend on the order the sources were imported in.
``https://w3id.org/aikg/graph/history``
    the catalog: one ``aikg:Snapshot`` node per snapshot (source, version, time, triples).

**No double counting.** Queries see the union of the *current* graphs as their default graph;
snapshot graphs are left out of it (:func:`union_dataset` is what :mod:`kg.engine.sparql` and
:mod:`kg.engine.validate` pass to the engine), so old snapshots never count and old values never leak
into today's answers. Oxigraph's union keeps a triple once per graph that holds it, so the
consolidation also leaves out of a source's current graph every triple that the curated data or
a source earlier in :data:`kg.ingest.importers.IMPORTERS` (epoch, mot, osai, modelcard) already
asserts: each fact is in the union once, from its first source. A store without snapshots keeps
the engine's plain union.

**Conflicts.** A property that holds one value per subject (:data:`kg.ingest.importers.batch.FUNCTIONAL`,
e.g. ``schema:datePublished``, ``aikg:totalParameters``, ``aikg:weightsLicense``) never gets a
second, different value in the union: the value of the curated data, else of the earlier source,
is kept; the other is held back from the current graph (it stays in the snapshot) and recorded
as an ``aikg:qualityWarning`` on the subject and an ``aikg:importIssue`` of the import. A
differing ``schema:name`` becomes a ``schema:alternateName``. So the union meets the SHACL shapes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.engine.dataset import (
    HISTORY_GRAPH,
    IMPORT_PREFIX,
    current_graphs,
    import_graph,
    is_snapshot_metadata,
    snapshot_graph,
    snapshot_triples,
    snapshots,
)
from kg.engine.dialect import GENERIC
from kg.engine.store import graph_replacement
from kg.errors import ImportShrinkError, MalformedRowsError
from kg.namespaces import AIKG, GRAPH, PREFIXES, SCHEMA
from kg.terms import term_text

_XSD = PREFIXES["xsd"]


_PROV = PREFIXES["prov"]


_DCT = PREFIXES["dcterms"]


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


@dataclass(slots=True)
class ImportOutcome:
    """What an import did (or, dry run, would do).

    Attributes
    ----------
    source : str
        Importer key.
    batch : kg.ingest.importers.batch.ImportBatch
        The importer's output: files, counts, issues, entity-resolution matches.
    triples : int
        Data triples written (after conflicts were settled).
    held_back : int
        Values held back because another graph holds a different one.
    version : int or None
        Snapshot version written; None for a dry run.
    graph, snapshot : str
        Current graph and snapshot graph IRIs.
    dry_run : bool
        True when nothing was written.
    started, ended : datetime.datetime
        When the import ran (UTC).
    """

    source: str
    batch: Any
    triples: int
    held_back: int
    version: int | None
    graph: str
    snapshot: str | None
    dry_run: bool
    started: datetime
    ended: datetime

    def report(self, limit: int | None = None) -> dict[str, Any]:
        """Return a JSON-ready report: counts, files, skipped rows, warnings, matches."""
        batch = self.batch

        def cut(items: list[Any]) -> list[Any]:
            return items if limit is None else items[:limit]

        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "version": self.version,
            "graph": self.graph,
            "snapshot": self.snapshot,
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat(),
            "triples": self.triples,
            "held_back": self.held_back,
            "counts": dict(sorted(batch.counts.items())),
            "files": [{"name": f.name, "sha256": f.sha256, "rows": f.rows, "kind": f.role} for f in batch.files],
            "skipped": [i.as_dict() for i in cut(batch.skipped)],
            "warnings": [i.as_dict() for i in cut(batch.warnings)],
            "matches": [m.as_dict() for m in cut([m for m in batch.matches if not m.new])],
            "new_entities": [m.as_dict() for m in cut([m for m in batch.matches if m.new])],
        }


def run_import(
    store: Any,
    source: str,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    dry_run: bool = False,
    track: Callable[..., Any] | None = None,
    now: datetime | None = None,
    on_write: Callable[[str], None] | None = None,
    replace: bool = False,
) -> ImportOutcome:
    """Import files of one source: read, resolve entities, consolidate, write atomically.

    Parameters
    ----------
    store : kg.engine.store.KnowledgeStore
        Target store (its write lock is held for the whole import).
    source : str
        Importer key: ``epoch``, ``mot``, ``osai`` or ``modelcard``.
    paths : sequence of pathlib.Path
        Files or folders of files.
    strict : bool, optional
        Fail the whole import when a row is malformed (default: skip the row, report it).
    dry_run : bool, optional
        Resolve, count and consolidate; write nothing.
    track : callable, optional
        Progress reporter ``track(iterable, description, total)``.
    now : datetime.datetime, optional
        Import time (default: the current UTC time); the snapshot is dated with it.
    on_write : callable, optional
        Called with a message just before the write transaction starts.
    replace : bool, optional
        Write the import even when it drops most entities of the source's latest import (by
        default that is refused: an import is the source's whole current content, so importing
        a second file alone would silently drop what the first one brought).

    Returns
    -------
    ImportOutcome

    Raises
    ------
    InvalidParameterError
        If `source` has no importer.
    LoadError
        If a file is missing or is not the source's format (nothing is written).
    MalformedRowsError
        If `strict` and a row is malformed (nothing is written).
    ImportShrinkError
        If not `replace` or `dry_run`, and this import holds fewer than half of the entities of
        the source's latest import (the message names both imports' files and counts; nothing
        is written).
    """
    from kg.ingest.importers import IMPORTERS, importer
    from kg.ingest.importers.batch import no_progress
    from kg.ingest.importers.matching import Resolver

    module = importer(source)
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    own = import_graph(source)
    with store.lock:
        inner = store.inner
        graphs = current_graphs(inner)
        resolver = Resolver(inner, graphs, own_graph=own)
        batch = module.read([Path(p) for p in paths], resolver, track or no_progress)
        if strict and batch.malformed:
            first = batch.malformed[0]
            raise MalformedRowsError(first.file, [str(i) for i in batch.malformed], first.line)
        raw = batch.triples()
        latest = {s.source: s for s in snapshots(inner)}
        if source in latest and not (replace or dry_run):
            _refuse_shrink(inner, source, latest[source].graph, batch, raw)
        order = list(IMPORTERS)
        # Sources before this one keep their current graphs (their consolidation does not depend
        # on later sources); this one and the later ones are rebuilt from their snapshots.
        earlier = [k for k in order[: order.index(source)] if k in latest]
        rebuilt = [k for k in order[order.index(source) :] if k == source or k in latest]
        raw_by_source = {k: raw if k == source else list(snapshot_triples(inner, latest[k].graph)) for k in rebuilt}
        prior = [t for k in earlier for t in snapshot_triples(inner, import_graph(k))]
        base = [g for g in graphs if not g.startswith(IMPORT_PREFIX) and g != HISTORY_GRAPH]
        consolidated = _consolidate(inner, base, raw_by_source, batch.source.publisher, source, prior)
        kept, held, notes = consolidated[source]
        for note in notes:
            batch.warn(None, note)
        ended = started if now is not None else datetime.now(UTC)
        if dry_run:
            return ImportOutcome(source, batch, len(kept), held, None, own, None, True, started, ended)
        version = latest[source].version + 1 if source in latest else 1
        snap = snapshot_graph(source, version)
        seconds = time.monotonic() - clock
        parts = []
        dialect = getattr(inner, "dialect", GENERIC)  # a remote engine's
        for key, (triples, _held, key_notes) in consolidated.items():
            graph = import_graph(key)
            if key == source:
                meta = _metadata(batch, snap, version, started, ended, len(raw), seconds)
            else:
                meta = _metadata_of(inner, latest[key].graph)
            current_meta = _rename(meta, snap if key == source else latest[key].graph, graph)
            current_meta += [
                ox.Triple(
                    ox.NamedNode(graph),
                    ox.NamedNode(_DCT + "hasVersion"),
                    ox.NamedNode(snap if key == source else latest[key].graph),
                )
            ]
            current_meta += [
                ox.Triple(ox.NamedNode(graph), ox.NamedNode(str(AIKG.importIssue)), ox.Literal(n)) for n in key_notes
            ]
            # Only engine-serialized terms go into the update text (graph_replacement): the graph
            # IRI as pyoxigraph writes a NamedNode (validated), the triples as N-Triples, in the
            # operations the engine takes (kg.engine.dialect: Virtuoso's short blocks).
            parts.append(graph_replacement(graph, triples + current_meta, dialect=dialect))
        snapshot_meta = _metadata(batch, snap, version, started, ended, len(raw), seconds)
        catalog = _catalog(batch, own, snap, version, started, len(raw))
        parts += [
            text
            for graph, triples in ((snap, raw + snapshot_meta), (HISTORY_GRAPH, catalog))
            if (text := graph_replacement(graph, triples, drop=False, dialect=dialect))
        ]
        if on_write is not None:
            on_write(f"writing {len(kept)} triples to {own} and snapshot {version} ({len(raw)} triples)")
        with store.write() as engine:
            engine.update(" ;\n".join(parts))
        store.flush()
    return ImportOutcome(source, batch, len(kept), held, version, own, snap, False, started, ended)


def _entities(triples: Any) -> set[Any]:
    """Return the subjects typed in `triples` (pyoxigraph triples or (s, p, o) tuples)."""
    out = set()
    for t in triples:
        s, p = (t.subject, t.predicate) if isinstance(t, ox.Triple) else (t[0], t[1])
        if p == _RDF_TYPE and isinstance(s, ox.NamedNode):
            out.add(s)
    return out


def _refuse_shrink(store: ox.Store, source: str, snap: str, batch: Any, raw: Sequence[Any]) -> None:
    """Raise ImportShrinkError when `raw` keeps fewer than half of the entities of snapshot `snap`."""
    before = _entities(snapshot_triples(store, snap))
    after = _entities(raw)
    kept = len(before & after)
    if not before or kept * 2 >= len(before):
        return
    named = ox.NamedNode(str(SCHEMA.name))
    derived = ox.NamedNode(_PROV + "wasDerivedFrom")
    graph = ox.NamedNode(snap)
    files = sorted(
        {
            name.object.value
            for used in store.quads_for_pattern(graph, derived, None, graph)
            for name in store.quads_for_pattern(used.object, named, None, graph)
        }
    )
    raise ImportShrinkError(source, files, [f.name for f in batch.files], len(before), kept, len(after))


def _consolidate(
    store: ox.Store,
    base: Sequence[str],
    raw_by_source: dict[str, list[Any]],
    publisher: str,
    importing: str,
    prior: Sequence[Any] = (),
) -> dict[str, tuple[list[ox.Triple], int, list[str]]]:
    """Build each source's current graph from its raw snapshot, sources in precedence order.

    A triple another graph already asserts (curated data, or a source earlier in
    :data:`kg.ingest.importers.IMPORTERS`) is left out, so the union holds each fact once; a
    one-value property (:data:`kg.ingest.importers.batch.FUNCTIONAL`) with a different value already
    asserted is held back and noted as an ``aikg:qualityWarning`` on its subject (a differing
    ``schema:name`` becomes an ``schema:alternateName``).
    """
    from kg.ingest.importers import IMPORTERS
    from kg.ingest.importers.batch import FUNCTIONAL

    base_nodes = {ox.NamedNode(g) for g in base}
    name, alt = ox.NamedNode(str(SCHEMA.name)), ox.NamedNode(str(SCHEMA.alternateName))
    warning = ox.NamedNode(str(AIKG.qualityWarning))
    owned: set[ox.Triple] = set()
    single: dict[tuple[Any, Any], dict[Any, str]] = {}
    out: dict[str, tuple[list[ox.Triple], int, list[str]]] = {}

    def in_base(t: ox.Triple) -> bool:
        return any(q.graph_name in base_nodes for q in store.quads_for_pattern(t.subject, t.predicate, t.object))

    def values(s: Any, p: Any) -> dict[Any, str]:
        key = (s, p)
        if key not in single:
            single[key] = {
                q.object: q.graph_name.value.removeprefix(str(GRAPH))
                for q in store.quads_for_pattern(s, p, None)
                if q.graph_name in base_nodes
            }
        return single[key]

    for raw in prior:  # current graphs of earlier sources, already consolidated
        t = raw if isinstance(raw, ox.Triple) else ox.Triple(*raw)
        owned.add(t)
        if t.predicate.value in FUNCTIONAL:
            values(t.subject, t.predicate).setdefault(t.object, "earlier import")
    for source in (k for k in IMPORTERS if k in raw_by_source):
        kept: list[ox.Triple] = []
        notes: list[str] = []
        held = 0
        for raw in raw_by_source[source]:
            t = raw if isinstance(raw, ox.Triple) else ox.Triple(*raw)
            if t.predicate.value in FUNCTIONAL:
                existing = values(t.subject, t.predicate)
                if existing and t.object not in existing:
                    if t.predicate == name:
                        t = ox.Triple(t.subject, alt, t.object)
                    else:
                        held += 1
                        value, graph = sorted(existing.items(), key=lambda kv: str(kv[0]))[0]
                        who = publisher if source == importing else source
                        message = f"{who} gives {term_text(t.predicate)} {term_text(t.object)}; the graph keeps {term_text(value)} from {graph}"
                        notes.append(f"{t.subject.value}: {message}")
                        t = ox.Triple(t.subject, warning, ox.Literal(message))
            if t in owned or in_base(t):
                continue
            owned.add(t)
            kept.append(t)
            if t.predicate.value in FUNCTIONAL:
                values(t.subject, t.predicate).setdefault(t.object, import_graph(source).removeprefix(str(GRAPH)))
        out[source] = (kept, held, notes)
    return out


def _rename(triples: list[ox.Triple], old: str, new: str) -> list[ox.Triple]:
    node, target = ox.NamedNode(old), ox.NamedNode(new)
    return [ox.Triple(target if t.subject == node else t.subject, t.predicate, t.object) for t in triples]


def _metadata_of(store: ox.Store, snap: str) -> list[ox.Triple]:
    """Return the metadata triples of a snapshot (about the snapshot, its import activity, its files)."""
    out = []
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(snap)):
        if isinstance(q.subject, ox.NamedNode) and is_snapshot_metadata(q.subject.value, snap):
            out.append(ox.Triple(q.subject, q.predicate, q.object))
    return out


def _metadata(
    batch: Any, snap: str, version: int, started: datetime, ended: datetime, triples: int, seconds: float
) -> list[ox.Triple]:
    from kg import __version__
    from kg.terms import integer, iri, text

    g = iri(snap)
    activity = iri(snap + "#import")
    info = batch.source
    counts = batch.counts
    stamp = ox.NamedNode(_XSD + "dateTime")

    def at(moment: datetime) -> ox.Literal:
        return ox.Literal(moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), datatype=stamp)

    out = [
        ox.Triple(g, _RDF_TYPE, iri(_PROV + "Entity")),
        ox.Triple(g, _RDF_TYPE, iri(PREFIXES["dcat"] + "Dataset")),
        ox.Triple(g, iri(_DCT + "title"), ox.Literal(f"{info.title} (import {version})", language="en")),
        ox.Triple(g, iri(_DCT + "source"), iri(info.homepage)),
        ox.Triple(g, iri(_DCT + "publisher"), iri(info.publisher_url)),
        ox.Triple(g, iri(_DCT + "license"), iri(info.license)),
        ox.Triple(g, iri(_DCT + "bibliographicCitation"), text(info.citation)),
        ox.Triple(g, iri(_PROV + "generatedAtTime"), at(started)),
        ox.Triple(g, iri(_PROV + "wasGeneratedBy"), activity),
        ox.Triple(g, iri(str(AIKG.importSource)), text(info.key)),
        ox.Triple(g, iri(str(AIKG.snapshotVersion)), integer(version)),
        ox.Triple(g, iri(str(AIKG.importerVersion)), text(f"{__version__}/{info.key}-{info.importer_version}")),
        ox.Triple(g, iri(str(AIKG.rowsRead)), integer(counts.get("rows_read", 0))),
        ox.Triple(g, iri(str(AIKG.rowsSkipped)), integer(counts.get("rows_skipped", 0))),
        ox.Triple(g, iri(str(AIKG.modelCount)), integer(counts.get("models", 0))),
        ox.Triple(g, iri(str(AIKG.newModelCount)), integer(counts.get("new_models", 0))),
        ox.Triple(g, iri(str(AIKG.organizationCount)), integer(counts.get("organizations", 0))),
        ox.Triple(g, iri(str(AIKG.benchmarkResultCount)), integer(counts.get("benchmark_results", 0))),
        ox.Triple(g, iri(str(AIKG.opennessGradeCount)), integer(counts.get("openness_grades", 0))),
        ox.Triple(g, iri(str(AIKG.tripleCount)), integer(triples)),
        ox.Triple(activity, _RDF_TYPE, iri(_PROV + "Activity")),
        ox.Triple(activity, iri(_PROV + "startedAtTime"), at(started)),
        ox.Triple(activity, iri(_PROV + "endedAtTime"), at(ended)),
        ox.Triple(activity, iri(_PROV + "wasAssociatedWith"), iri("https://w3id.org/aikg/ontology")),
        ox.Triple(
            activity,
            iri(PREFIXES["rdfs"] + "comment"),
            ox.Literal(
                f"kg import {info.key}: {len(batch.files)} file(s) read and resolved in {seconds:.1f} s", language="en"
            ),
        ),
    ]
    for issue in batch.issues:
        if issue.kind != "warning" or issue.file != info.key:
            out.append(ox.Triple(g, iri(str(AIKG.importIssue)), text(str(issue))))
    for f in batch.files:
        entity = iri(f"urn:sha256:{f.sha256}")
        out += [
            ox.Triple(g, iri(_PROV + "wasDerivedFrom"), entity),
            ox.Triple(activity, iri(_PROV + "used"), entity),
            ox.Triple(entity, _RDF_TYPE, iri(_PROV + "Entity")),
            ox.Triple(entity, iri(str(SCHEMA.name)), text(f.name)),
            ox.Triple(entity, iri(str(SCHEMA.sha256)), text(f.sha256)),
            ox.Triple(entity, iri(str(AIKG.rowsRead)), integer(f.rows)),
        ]
    return out


def _catalog(batch: Any, graph: str, snap: str, version: int, started: datetime, triples: int) -> list[ox.Triple]:
    from kg.terms import integer, iri, text

    s = iri(snap)
    h = iri(HISTORY_GRAPH)
    stamp = ox.Literal(
        started.astimezone(UTC).isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(_XSD + "dateTime")
    )
    return [
        ox.Triple(h, _RDF_TYPE, iri(_PROV + "Entity")),
        ox.Triple(h, iri(_DCT + "title"), ox.Literal("Import history: snapshots of every import", language="en")),
        ox.Triple(s, _RDF_TYPE, iri(str(AIKG.Snapshot))),
        ox.Triple(s, iri(str(AIKG.snapshotOf)), iri(graph)),
        ox.Triple(s, iri(str(AIKG.importSource)), text(batch.source.key)),
        ox.Triple(s, iri(str(AIKG.snapshotVersion)), integer(version)),
        ox.Triple(s, iri(_PROV + "generatedAtTime"), stamp),
        ox.Triple(s, iri(str(AIKG.tripleCount)), integer(triples)),
        ox.Triple(s, iri(_DCT + "title"), ox.Literal(f"{batch.source.title}, import {version}", language="en")),
    ]
